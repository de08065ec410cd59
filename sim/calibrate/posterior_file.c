/*
 * posterior_file.c - the posterior file of a calibration (HDF5, root
 * attribute ipsim_kind = "posterior"):
 *
 *   /                     provenance attributes: ipsim_version, git_commit,
 *                         ipsim_kind, title, history, calibration_name,
 *                         calibration_file, scenario_file, scenario_name,
 *                         seed, scale, particles, parameters, targets,
 *                         generations, simulations, wall_seconds,
 *                         stop_reason, quantile, min_acceptance,
 *                         replicates_per_particle, common_random_numbers,
 *                         start_date, days
 *   /calibration          the calibration file's text; /scenario the resolved
 *                         scenario (fixed overrides applied) as JSON
 *   /posterior/samples    float64 [particle][parameter], the last generation
 *   /posterior/parameter  the parameters' paths; weight, distance [particle];
 *                         prior (described), prior_type, prior_a, prior_b,
 *                         prior_low, prior_high, scenario_value [parameter]
 *   /generations/<g>/     attributes tolerance, acceptance_rate, ess,
 *                         simulations; samples, weights, distance, predictive
 *   /observed/            per target: target (label), type, metric, market,
 *                         segment, of_metric, of_market, of_segment, from, to,
 *                         relative_from, relative_to, value, sd, source, units
 *   /predictive/values    float64 [particle][target]: each posterior
 *                         particle's simulated value of each target
 *
 * Peak-date targets count days after their window's first day. The file is
 * built in memory, written to OUT.tmp, fsync'ed and linked (renamed with
 * force) to OUT, as the run writer does.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "base/textbuf.h"
#include "calibrate/cal.h"
#include "io/h5util.h"
#include "io/fdio.h"

#define CRT_ORDER (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)
#define CORE_INCREMENT ((size_t)1 << 20)
#define DATE_LEN 11
#define TEXT_LEN 256

typedef struct {
    hid_t file;
    int failed;
    char what[96];
} pw;

static int fail(pw *w, const char *what)
{
    if (!w->failed)
        snprintf(w->what, sizeof w->what, "%s", what);
    w->failed = 1;
    return -1;
}

static hid_t group(pw *w, hid_t loc, const char *name)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    hid_t g = -1;
    if (p >= 0 && H5Pset_link_creation_order(p, CRT_ORDER) >= 0 &&
        H5Pset_attr_creation_order(p, CRT_ORDER) >= 0)
        g = H5Gcreate2(loc, name, H5P_DEFAULT, p, H5P_DEFAULT);
    if (p >= 0)
        H5Pclose(p);
    if (g < 0)
        fail(w, name);
    return g;
}

static int doubles(pw *w, hid_t loc, const char *name, int rank, hsize_t d0, hsize_t d1,
                   const double *v)
{
    hsize_t dims[2] = {d0, d1};
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = sp >= 0
                   ? H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                   : -1;
    int rc = ds >= 0 && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0
                 ? 0
                 : -1;
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    return rc == 0 ? 0 : fail(w, name);
}

static int strings(pw *w, hid_t loc, const char *name, int n, const char *const *v, int scalar)
{
    hsize_t dims[1] = {(hsize_t)n};
    hid_t t = ipsim_h5_str_type();
    hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, NULL);
    hid_t ds = t >= 0 && sp >= 0 ? H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                                 : -1;
    int rc = ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 ? 0 : -1;
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return rc == 0 ? 0 : fail(w, name);
}

static void attr_d(pw *w, hid_t loc, const char *name, double v)
{
    if (ipsim_h5_attr_num(loc, name, H5T_NATIVE_DOUBLE, &v) < 0)
        fail(w, name);
}

static void attr_i(pw *w, hid_t loc, const char *name, long v)
{
    long long x = v;
    if (ipsim_h5_attr_num(loc, name, H5T_NATIVE_LLONG, &x) < 0)
        fail(w, name);
}

static void attr_s(pw *w, hid_t loc, const char *name, const char *v)
{
    if (ipsim_h5_attr_str(loc, name, v) < 0)
        fail(w, name);
}

/* ---- contents ------------------------------------------------------------ */

static void write_root(pw *w, const ipsim_calibration *c, int n_gens, const cal_run_info *info)
{
    hid_t f = w->file;
    char now[32] = "", hist[TEXT_LEN], date[DATE_LEN], seed[32];
    time_t t = time(NULL);
    struct tm tm;
    if (t != (time_t)-1 && gmtime_r(&t, &tm))
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(hist, sizeof hist, "%s ipsim calibrate %s (%d particles, %d generations)", now, c->name,
             c->alg.particles, n_gens);
    ipsim_date_format(c->start, date);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)info->seed);
    uint64_t s64 = info->seed;
    attr_s(w, f, "ipsim_version", ipsim_version());
    attr_s(w, f, "git_commit", ipsim_git_commit());
    attr_s(w, f, "ipsim_kind", "posterior");
    attr_s(w, f, "title", "ipsim calibration posterior (ABC-SMC)");
    attr_s(w, f, "history", hist);
    attr_s(w, f, "calibration_name", c->name);
    attr_s(w, f, "description", c->description);
    attr_s(w, f, "calibration_file", c->origin);
    attr_s(w, f, "scenario_file", c->scenario_path);
    attr_s(w, f, "scenario_name", ipsim_scenario_name(c->base));
    if (ipsim_h5_attr_num(f, "seed", H5T_NATIVE_UINT64, &s64) < 0)
        fail(w, "seed");
    attr_s(w, f, "seed_string", seed);
    attr_d(w, f, "scale", c->scale > 0 ? c->scale : ipsim_scenario_scale(c->base));
    attr_i(w, f, "particles", c->alg.particles);
    attr_i(w, f, "parameters", c->n_params);
    attr_i(w, f, "targets", c->n_targets);
    attr_i(w, f, "generations", n_gens);
    attr_i(w, f, "simulations", info->simulations);
    attr_d(w, f, "wall_seconds", info->wall_seconds);
    attr_s(w, f, "stop_reason", info->stop_reason);
    attr_s(w, f, "algorithm", "abc-smc");
    attr_d(w, f, "quantile", c->alg.quantile);
    attr_d(w, f, "min_acceptance", c->alg.min_acceptance);
    attr_i(w, f, "replicates_per_particle", c->alg.replicates);
    attr_i(w, f, "common_random_numbers", c->alg.crn);
    attr_s(w, f, "start_date", date);
    attr_i(w, f, "days", c->days);
    const char *text[1] = {c->json_text};
    strings(w, f, "calibration", 1, text, 1);
    char *sc = ipsim_scenario_to_json(c->base);
    const char *st[1] = {sc ? sc : ""};
    strings(w, f, "scenario", 1, st, 1);
    free(sc);
}

static void write_posterior(pw *w, const ipsim_calibration *c, const cal_generation *last)
{
    int N = c->alg.particles, P = c->n_params;
    hid_t g = group(w, w->file, "posterior");
    if (g < 0)
        return;
    const char **paths = calloc((size_t)P, sizeof *paths), **types = calloc((size_t)P, sizeof *types);
    char(*desc)[TEXT_LEN] = calloc((size_t)P, sizeof *desc);
    const char **descp = calloc((size_t)P, sizeof *descp);
    double *pv = calloc((size_t)P * 6, sizeof *pv);
    if (!paths || !types || !desc || !descp || !pv) {
        fail(w, "posterior (out of memory)");
    } else {
        for (int k = 0; k < P; k++) {
            const cal_param *p = &c->params[k];
            paths[k] = p->path;
            types[k] = ipsim__cal_prior_names[p->prior.type];
            ipsim__cal_prior_describe(&p->prior, desc[k], sizeof desc[k]);
            descp[k] = desc[k];
            pv[k] = p->prior.type == CAL_UNIFORM ? NAN : p->prior.a;
            pv[P + k] = p->prior.type == CAL_UNIFORM ? NAN : p->prior.b;
            pv[2 * P + k] = p->prior.low;
            pv[3 * P + k] = p->prior.high;
            pv[4 * P + k] = p->scenario_value;
        }
        doubles(w, g, "samples", 2, (hsize_t)N, (hsize_t)P, last->theta);
        strings(w, g, "parameter", P, paths, 0);
        doubles(w, g, "weight", 1, (hsize_t)N, 0, last->weight);
        doubles(w, g, "distance", 1, (hsize_t)N, 0, last->distance);
        strings(w, g, "prior", P, descp, 0);
        strings(w, g, "prior_type", P, types, 0);
        doubles(w, g, "prior_a", 1, (hsize_t)P, 0, pv);
        doubles(w, g, "prior_b", 1, (hsize_t)P, 0, pv + P);
        doubles(w, g, "prior_low", 1, (hsize_t)P, 0, pv + 2 * P);
        doubles(w, g, "prior_high", 1, (hsize_t)P, 0, pv + 3 * P);
        doubles(w, g, "scenario_value", 1, (hsize_t)P, 0, pv + 4 * P);
    }
    free(paths);
    free(types);
    free(desc);
    free(descp);
    free(pv);
    H5Gclose(g);
}

static void write_generations(pw *w, const ipsim_calibration *c, const cal_generation *gens, int n)
{
    int N = c->alg.particles, P = c->n_params, T = c->n_targets;
    hid_t top = group(w, w->file, "generations");
    for (int i = 0; top >= 0 && i < n && !w->failed; i++) {
        char name[16];
        snprintf(name, sizeof name, "%d", i);
        hid_t g = group(w, top, name);
        if (g < 0)
            break;
        attr_d(w, g, "tolerance", gens[i].tolerance);
        attr_d(w, g, "acceptance_rate", gens[i].acceptance);
        attr_d(w, g, "ess", gens[i].ess);
        attr_i(w, g, "simulations", gens[i].simulations);
        doubles(w, g, "samples", 2, (hsize_t)N, (hsize_t)P, gens[i].theta);
        doubles(w, g, "weights", 1, (hsize_t)N, 0, gens[i].weight);
        doubles(w, g, "distance", 1, (hsize_t)N, 0, gens[i].distance);
        doubles(w, g, "predictive", 2, (hsize_t)N, (hsize_t)T, gens[i].values);
        H5Gclose(g);
    }
    if (top >= 0)
        H5Gclose(top);
}

static const char *seg_name(int s)
{
    return s >= 0 ? ipsim_segment_names[s] : "all";
}

static void write_observed(pw *w, const ipsim_calibration *c)
{
    int T = c->n_targets;
    enum {
        S_LABEL,
        S_TYPE,
        S_METRIC,
        S_MARKET,
        S_SEGMENT,
        S_OF_METRIC,
        S_OF_MARKET,
        S_OF_SEGMENT,
        S_FROM,
        S_TO,
        S_RFROM,
        S_RTO,
        S_SOURCE,
        S_UNITS,
        N_S
    };
    static const char *const names[N_S] = {
        "target",     "type", "metric", "market",        "segment",     "of_metric", "of_market",
        "of_segment", "from", "to",     "relative_from", "relative_to", "source",    "units"};
    const char **s = calloc((size_t)T * N_S, sizeof *s);
    char(*dates)[4][DATE_LEN] = calloc((size_t)T, sizeof *dates);
    double *v = calloc((size_t)T * 2, sizeof *v);
    hid_t g = group(w, w->file, "observed");
    if (!s || !dates || !v) {
        fail(w, "observed (out of memory)");
    } else if (g >= 0) {
        for (int t = 0; t < T; t++) {
            const cal_target *x = &c->targets[t];
            int share = x->type == CAL_T_SHARE, ratio = x->type == CAL_T_RATIO;
            ipsim_date_format(x->from, dates[t][0]);
            ipsim_date_format(x->to, dates[t][1]);
            ipsim_date_format(x->from2, dates[t][2]);
            ipsim_date_format(x->to2, dates[t][3]);
            s[S_LABEL * T + t] = x->label;
            s[S_TYPE * T + t] = ipsim__cal_target_names[x->type];
            s[S_METRIC * T + t] = ipsim_metric_name(x->num.metric);
            s[S_MARKET * T + t] = x->num.markets_text[0] ? x->num.markets_text : "all";
            s[S_SEGMENT * T + t] = seg_name(x->num.segment);
            s[S_OF_METRIC * T + t] = share ? ipsim_metric_name(x->den.metric) : "";
            s[S_OF_MARKET * T + t] = share ? (x->den.markets_text[0] ? x->den.markets_text : "all")
                                           : "";
            s[S_OF_SEGMENT * T + t] = share ? seg_name(x->den.segment) : "";
            s[S_FROM * T + t] = dates[t][0];
            s[S_TO * T + t] = dates[t][1];
            s[S_RFROM * T + t] = ratio ? dates[t][2] : "";
            s[S_RTO * T + t] = ratio ? dates[t][3] : "";
            s[S_SOURCE * T + t] = x->source;
            s[S_UNITS * T + t] = x->type == CAL_T_PEAK_DATE ? "days after from"
                                 : share || ratio           ? "1"
                                                            : "metric units";
            v[t] = x->value;
            v[T + t] = x->sd;
        }
        for (int k = 0; k < N_S; k++)
            strings(w, g, names[k], T, s + (size_t)k * T, 0);
        doubles(w, g, "value", 1, (hsize_t)T, 0, v);
        doubles(w, g, "sd", 1, (hsize_t)T, 0, v + T);
    }
    if (g >= 0)
        H5Gclose(g);
    free(s);
    free(dates);
    free(v);
}

static void write_predictive(pw *w, const ipsim_calibration *c, const cal_generation *last)
{
    hid_t g = group(w, w->file, "predictive");
    if (g < 0)
        return;
    doubles(w, g, "values", 2, (hsize_t)c->alg.particles, (hsize_t)c->n_targets, last->values);
    attr_s(w, g, "description",
           "simulated value of each target (mean over the replicates) for "
           "each particle of the posterior, [particle][target]; weights in /posterior/weight");
    H5Gclose(g);
}

/* ---- publishing ---------------------------------------------------------- */

static ipsim_status publish(const void *image, size_t size, const char *out, int force, char *err,
                            size_t errlen)
{
    size_t n = strlen(out);
    char *tmp = malloc(n + 5);
    if (!tmp) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(tmp, out, n);
    memcpy(tmp + n, ".tmp", 5);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    int ok = fd >= 0 && ipsim__fd_write_all(fd, image, size) == 0 && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    ipsim_status st = IPSIM_OK;
    if (!ok) {
        ipsim_set_error(err, errlen, "%s: cannot write: %s", tmp, strerror(e));
        st = fd >= 0 ? IPSIM_ERR_IO : IPSIM_ERR_CANTCREAT;
    } else if (!force && link(tmp, out) != 0) {
        e = errno;
        ipsim_set_error(err, errlen, "%s: %s", out,
                        e == EEXIST ? "exists; use --force to overwrite it" : strerror(e));
        st = e == EEXIST ? IPSIM_ERR_EXISTS : IPSIM_ERR_CANTCREAT;
    } else if (force && rename(tmp, out) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot rename: %s", out, strerror(errno));
        st = IPSIM_ERR_CANTCREAT;
    }
    unlink(tmp);
    free(tmp);
    return st;
}

ipsim_status ipsim__cal_write_posterior(const ipsim_calibration *c, const cal_generation *gens,
                                        int n_gens, const cal_run_info *info, const char *out,
                                        int force, char *err, size_t errlen)
{
    ipsim_h5_quiet quiet;
    pw w = {.file = -1};
    void *image = NULL;
    ssize_t size = 0;
    if (n_gens < 1) {
        ipsim_set_error(err, errlen, "%s: no generation finished", out);
        return IPSIM_ERR_INTERNAL;
    }
    ipsim_h5_quiet_begin(&quiet);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl >= 0 && fapl >= 0 && H5Pset_link_creation_order(fcpl, CRT_ORDER) >= 0 &&
        H5Pset_attr_creation_order(fcpl, CRT_ORDER) >= 0 &&
        H5Pset_fapl_core(fapl, CORE_INCREMENT, 0) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) >= 0)
        w.file = H5Fcreate(out, H5F_ACC_TRUNC, fcpl, fapl);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (w.file < 0) {
        fail(&w, "(file)");
    } else {
        const cal_generation *last = &gens[n_gens - 1];
        write_root(&w, c, n_gens, info);
        write_posterior(&w, c, last);
        write_generations(&w, c, gens, n_gens);
        write_observed(&w, c);
        write_predictive(&w, c, last);
    }
    int rc = !w.failed && H5Fflush(w.file, H5F_SCOPE_GLOBAL) >= 0 &&
                     (size = H5Fget_file_image(w.file, NULL, 0)) > 0 &&
                     (image = malloc((size_t)size)) != NULL &&
                     H5Fget_file_image(w.file, image, (size_t)size) == size
                 ? 0
                 : -1;
    char why[IPSIM_H5_REASON_MAX] = "";
    if (rc != 0)
        ipsim_h5_error_reason(why, sizeof why);
    if (w.file >= 0)
        H5Fclose(w.file);
    ipsim_h5_quiet_end(&quiet);
    if (rc != 0) {
        free(image);
        ipsim_set_error(err, errlen, "%s: cannot write %s: %s", out, w.what[0] ? w.what : "the file",
                        why[0] ? why : "HDF5 library error");
        return IPSIM_ERR_IO;
    }
    ipsim_status st = publish(image, (size_t)size, out, force, err, errlen);
    free(image);
    return st;
}
