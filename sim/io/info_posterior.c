/*
 * info_posterior.c - the readable summary of a posterior file (`ipsim
 * info POSTERIOR.h5`, ipsim_kind "posterior", written by `ipsim calibrate`,
 * layout in sim/calibrate/posterior_file.c): provenance, each parameter's
 * prior against its posterior (weighted mean and 90% interval), the
 * effective sample size, the generations, and each target's observed value
 * against its posterior-predictive distribution. Reads only; prints
 * nothing.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5util.h"
#include "io/info_posterior.h"

#define LOWER_Q 0.05 /* the 90% interval */
#define UPPER_Q 0.95
#define TEXT_LEN 512

typedef struct {
    double v, w;
} vw_pair;

static int by_value(const void *a, const void *b)
{
    double x = ((const vw_pair *)a)->v, y = ((const vw_pair *)b)->v;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Weighted mean and 5%/95% quantiles of column j of x [n][stride]. */
static void weighted_summary(const double *x, const double *w, size_t n, size_t stride, size_t j,
                             double *mean, double *lo, double *hi)
{
    vw_pair *v = malloc(n * sizeof *v);
    double tw = 0.0, s = 0.0, cum = 0.0;
    *mean = *lo = *hi = NAN;
    if (!v)
        return;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = x[i * stride + j], wi = w ? w[i] : 1.0;
        if (!isfinite(xi) || !(wi > 0))
            continue;
        v[m].v = xi;
        v[m++].w = wi;
        tw += wi;
        s += wi * xi;
    }
    if (m > 0 && tw > 0) {
        *mean = s / tw;
        qsort(v, m, sizeof *v, by_value);
        for (size_t i = 0; i < m; i++) {
            cum += v[i].w / tw;
            if (isnan(*lo) && cum >= LOWER_Q)
                *lo = v[i].v;
            if (cum >= UPPER_Q - 1e-12) {
                *hi = v[i].v;
                break;
            }
        }
        if (isnan(*hi))
            *hi = v[m - 1].v;
    }
    free(v);
}

static void attr_line(ipsim_textbuf *b, hid_t f, const char *label, const char *name)
{
    char text[TEXT_LEN];
    if (ipsim_h5_attr_text(f, name, text, sizeof text) == 0)
        ipsim_textbuf_printf(b, "  %-22s %s\n", label, text);
}

static long attr_long(hid_t f, const char *name)
{
    long long v = 0;
    return ipsim_h5_attr_value(f, name, H5T_NATIVE_LLONG, &v) == 0 ? (long)v : -1;
}

static double attr_double(hid_t f, const char *name)
{
    double v = NAN;
    ipsim_h5_attr_value(f, name, H5T_NATIVE_DOUBLE, &v);
    return v;
}

static void parameters(ipsim_textbuf *b, hid_t f)
{
    size_t np = 0, npr = 0, ns = 0, nw = 0;
    hsize_t dims[2] = {0, 0};
    char **par = ipsim_h5_read_strings(f, "posterior/parameter", 1, &np);
    char **prior = ipsim_h5_read_strings(f, "posterior/prior", 1, &npr);
    double *x = ipsim_h5_read_doubles(f, "posterior/samples", 2, dims, &ns);
    double *w = ipsim_h5_read_doubles(f, "posterior/weight", 1, NULL, &nw);
    if (par && x && w && dims[1] == np && dims[0] == nw) {
        double s2 = 0.0;
        for (size_t i = 0; i < nw; i++)
            s2 += w[i] * w[i];
        ipsim_textbuf_printf(b,
                             "\nparameters: prior -> posterior (weighted mean, 90%% interval); "
                             "ESS %.1f of %zu particles\n",
                             s2 > 0 ? 1.0 / s2 : NAN, nw);
        for (size_t k = 0; k < np; k++) {
            double mean, lo, hi;
            weighted_summary(x, w, nw, np, k, &mean, &lo, &hi);
            ipsim_textbuf_printf(b,
                                 "  %s\n    prior      %s\n    posterior  mean %.4g   90%% "
                                 "[%.4g, %.4g]\n",
                                 par[k], prior && k < npr ? prior[k] : "?", mean, lo, hi);
        }
    } else {
        ipsim_textbuf_printf(b, "\n(no readable /posterior group)\n");
    }
    ipsim_h5_free_strings(par, np);
    ipsim_h5_free_strings(prior, npr);
    free(x);
    free(w);
}

static void generations(ipsim_textbuf *b, hid_t f)
{
    long n = attr_long(f, "generations");
    ipsim_textbuf_printf(b, "\ngenerations\n  %-4s %12s %11s %9s %12s\n", "gen", "tolerance",
                         "acceptance", "ESS", "simulations");
    for (long g = 0; g < n; g++) {
        char name[32];
        snprintf(name, sizeof name, "generations/%ld", g);
        hid_t grp = ipsim_h5_exists(f, name) ? H5Gopen2(f, name, H5P_DEFAULT) : -1;
        if (grp < 0)
            continue;
        ipsim_textbuf_printf(b, "  %-4ld %12.5g %11.4f %9.1f %12ld\n", g,
                             attr_double(grp, "tolerance"), attr_double(grp, "acceptance_rate"),
                             attr_double(grp, "ess"), attr_long(grp, "simulations"));
        H5Gclose(grp);
    }
}

static void targets(ipsim_textbuf *b, hid_t f)
{
    size_t nt = 0, ns = 0, nv = 0, nsd = 0, np = 0, nw = 0;
    hsize_t dims[2] = {0, 0};
    char **label = ipsim_h5_read_strings(f, "observed/target", 1, &nt);
    char **source = ipsim_h5_read_strings(f, "observed/source", 1, &ns);
    double *val = ipsim_h5_read_doubles(f, "observed/value", 1, NULL, &nv);
    double *sd = ipsim_h5_read_doubles(f, "observed/sd", 1, NULL, &nsd);
    double *pred = ipsim_h5_read_doubles(f, "predictive/values", 2, dims, &np);
    double *w = ipsim_h5_read_doubles(f, "posterior/weight", 1, NULL, &nw);
    if (label && val && sd && nv == nt && nsd == nt) {
        ipsim_textbuf_printf(b, "\ntargets: observed (sd) against the posterior predictive "
                                "(weighted mean, 90%% interval)\n");
        for (size_t t = 0; t < nt; t++) {
            double mean = NAN, lo = NAN, hi = NAN;
            if (pred && w && dims[1] == nt && dims[0] == nw)
                weighted_summary(pred, w, nw, nt, t, &mean, &lo, &hi);
            ipsim_textbuf_printf(b,
                                 "  %s\n    observed %.6g (sd %.4g)   predictive %.6g   90%% "
                                 "[%.6g, %.6g]\n",
                                 label[t], val[t], sd[t], mean, lo, hi);
            if (source && t < ns)
                ipsim_textbuf_printf(b, "    source: %s\n", source[t]);
        }
    }
    ipsim_h5_free_strings(label, nt);
    ipsim_h5_free_strings(source, ns);
    free(val);
    free(sd);
    free(pred);
    free(w);
}

void ipsim__info_posterior(ipsim_textbuf *b, hid_t f, const char *path)
{
    char ver[64] = "", git[64] = "";
    ipsim_textbuf_printf(b, "ipsim posterior file %s\n", path);
    attr_line(b, f, "calibration", "calibration_name");
    attr_line(b, f, "calibration file", "calibration_file");
    attr_line(b, f, "scenario", "scenario_file");
    ipsim_h5_attr_text(f, "ipsim_version", ver, sizeof ver);
    ipsim_h5_attr_text(f, "git_commit", git, sizeof git);
    ipsim_textbuf_printf(b, "  %-22s %s (git %.12s)\n", "ipsim version", ver, git);
    ipsim_textbuf_printf(b, "  %-22s abc-smc, %ld particles, %ld generations, %ld simulations\n",
                         "algorithm", attr_long(f, "particles"), attr_long(f, "generations"),
                         attr_long(f, "simulations"));
    ipsim_textbuf_printf(b,
                         "  %-22s quantile %.3g, %ld replicate(s) per particle, common random "
                         "numbers %s\n",
                         "settings", attr_double(f, "quantile"),
                         attr_long(f, "replicates_per_particle"),
                         attr_long(f, "common_random_numbers") ? "yes" : "no");
    attr_line(b, f, "seed", "seed_string");
    ipsim_textbuf_printf(b, "  %-22s %.0f people per agent\n", "scale", attr_double(f, "scale"));
    ipsim_textbuf_printf(b, "  %-22s %.1f s\n", "wall time", attr_double(f, "wall_seconds"));
    attr_line(b, f, "stopped because", "stop_reason");
    attr_line(b, f, "history", "history");
    parameters(b, f);
    generations(b, f);
    targets(b, f);
}
