/*
 * sweep_file.c - writes the sweep HDF5 file (see sweep_file.h for its
 * layout) from the units' records: built in memory with HDF5's core
 * driver, written to a new unique temp file, fsync'ed, published as OUT
 * (io/safe_file.h); creation order
 * tracked; dimension scales so netCDF and xarray name the dimensions. The
 * /analysis group is written by sweep_analysis_out.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "experiment/sweep.h"
#include "experiment/posterior_draws.h"
#include "experiment/sweep_file.h"
#include "experiment/windows.h"
#include "io/h5util.h"
#include "io/safe_file.h"
#include "base/textbuf.h"

#define CRT_ORDER (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)

/* ---- HDF5 helpers ------------------------------------------------------- */

int ipsim__swf_nomem(sw_h5 *w, const char *what)
{
    w->nomem = 1;
    return ipsim__swf_fail(w, what);
}

int ipsim__swf_fail(sw_h5 *w, const char *what)
{
    if (!w->failed)
        snprintf(w->what, sizeof w->what, "%s", what);
    w->failed = 1;
    return -1;
}

hid_t ipsim__swf_group(sw_h5 *w, hid_t loc, const char *name)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE), g = -1;
    if (p >= 0 && H5Pset_link_creation_order(p, CRT_ORDER) >= 0 &&
        H5Pset_attr_creation_order(p, CRT_ORDER) >= 0)
        g = H5Gcreate2(loc, name, H5P_DEFAULT, p, H5P_DEFAULT);
    if (p >= 0)
        H5Pclose(p);
    if (g < 0)
        ipsim__swf_fail(w, name);
    return g;
}

/* Dataset loc/name; returns it open, or -1. */
hid_t ipsim__swf_dataset(sw_h5 *w, hid_t loc, const char *name, hid_t type, int rank,
                         const hsize_t *dims, const void *data)
{
    hid_t sp = rank > 0 ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t p = H5Pcreate(H5P_DATASET_CREATE), ds = -1;
    if (sp >= 0 && p >= 0 && H5Pset_attr_creation_order(p, CRT_ORDER) >= 0 &&
        H5Pset_obj_track_times(p, 0) >= 0)
        ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, p, H5P_DEFAULT);
    if (ds >= 0 && H5Sget_simple_extent_npoints(sp) > 0 &&
        H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        H5Dclose(ds);
        ds = -1;
    }
    if (p >= 0)
        H5Pclose(p);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds < 0)
        ipsim__swf_fail(w, name);
    return ds;
}

static hid_t strings(sw_h5 *w, hid_t loc, const char *name, hsize_t n, const char *const *v)
{
    hid_t t = ipsim_h5_str_type();
    hid_t ds = t >= 0 ? ipsim__swf_dataset(w, loc, name, t, 1, &n, v) : -1;
    if (t >= 0)
        H5Tclose(t);
    return ds;
}

/* A float64 variable on the given scales, with units and long_name. */
int ipsim__swf_variable(sw_h5 *w, hid_t loc, const char *name, int rank, const hsize_t *dims,
                        const hid_t *scales, const double *data, const char *units,
                        const char *long_name)
{
    hid_t ds = ipsim__swf_dataset(w, loc, name, H5T_NATIVE_DOUBLE, rank, dims, data);
    if (ds < 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < rank && rc == 0; i++) {
        char label[64];
        if (scales[i] < 0 || H5DSget_scale_name(scales[i], label, sizeof label) <= 0 ||
            H5DSattach_scale(ds, scales[i], (unsigned)i) < 0 ||
            H5DSset_label(ds, (unsigned)i, label) < 0)
            rc = ipsim__swf_fail(w, name);
    }
    if (rc == 0 && ((units && ipsim_h5_attr_str(ds, "units", units) < 0) ||
                    (long_name && ipsim_h5_attr_str(ds, "long_name", long_name) < 0)))
        rc = ipsim__swf_fail(w, name);
    H5Dclose(ds);
    return rc;
}

static hid_t make_scale(sw_h5 *w, hid_t ds, const char *name, const char *long_name)
{
    if (ds < 0)
        return -1;
    if (H5DSset_scale(ds, name) < 0 || ipsim_h5_attr_str(ds, "long_name", long_name) < 0) {
        ipsim__swf_fail(w, name);
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

static hid_t int_scale(sw_h5 *w, const char *name, int n, const char *long_name)
{
    int32_t *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    hsize_t dim = (hsize_t)n;
    if (!v) {
        ipsim__swf_nomem(w, name);
        return -1;
    }
    for (int i = 0; i < n; i++)
        v[i] = i;
    hid_t ds = ipsim__swf_dataset(w, w->file, name, H5T_NATIVE_INT32, 1, &dim, v);
    free(v);
    return make_scale(w, ds, name, long_name);
}

/* ---- outcomes ----------------------------------------------------------- */

/* Gather n consecutive numbers at offset off of every unit into
 * out[point][replicate][n] (NaN for units not present). */
void ipsim__swf_gather(const sweep_data *d, size_t off, size_t n, double *out)
{
    size_t U = (size_t)d->e->n_points * d->R;
    for (size_t u = 0; u < U; u++)
        for (size_t i = 0; i < n; i++)
            out[u * n + i] = d->state[u] == SW_DONE ? d->vals[u * d->nv + off + i] : NAN;
}

static int write_outcomes(sw_h5 *w, const sweep_data *d, const hid_t *sc, double *buf)
{
    const ipsim_experiment *e = d->e;
    hsize_t P = (hsize_t)e->n_points, R = (hsize_t)d->R, M = (hsize_t)e->n_markets;
    hid_t g = ipsim__swf_group(w, w->file, "outcomes");
    hid_t gm = ipsim__swf_group(w, w->file, "outcomes_by_market");
    hid_t gs = ipsim__swf_group(w, w->file, "outcomes_by_segment");
    int rc = g >= 0 && gm >= 0 && gs >= 0 ? 0 : -1;
    for (int k = 0; k < OUT_COUNT && rc == 0; k++) {
        hsize_t dims[2] = {P, R};
        hid_t s2[2] = {sc[SC_POINT], sc[SC_REP]};
        ipsim__swf_gather(d, (size_t)k, 1, buf);
        rc = ipsim__swf_variable(w, g, ipsim__xp_outcomes[k].name, 2, dims, s2, buf,
                                 ipsim__xp_outcomes[k].units, ipsim__xp_outcomes[k].long_name);
    }
    for (int k = OUT_COUNT; k < ipsim__xp_n_outcomes(e) && rc == 0; k++) {
        hsize_t dims[2] = {P, R};
        hid_t s2[2] = {sc[SC_POINT], sc[SC_REP]};
        xp_outcome_desc od;
        ipsim__xp_outcome_desc(e, k, &od);
        ipsim__swf_gather(d, od.offset, 1, buf);
        rc = ipsim__swf_variable(w, g, od.name, 2, dims, s2, buf, od.units, od.long_name);
    }
    for (int k = 0; k < XP_N_SPLIT && rc == 0; k++) {
        hsize_t dm[3] = {P, R, M}, dsg[3] = {P, R, IPSIM_N_SEGMENTS};
        hid_t s3[3] = {sc[SC_POINT], sc[SC_REP], sc[SC_MARKET]};
        hid_t s3s[3] = {sc[SC_POINT], sc[SC_REP], sc[SC_SEGMENT]};
        ipsim__swf_gather(d, off_market(d, k), M, buf);
        rc = ipsim__swf_variable(w, gm, ipsim__xp_outcomes[k].name, 3, dm, s3, buf,
                                 ipsim__xp_outcomes[k].units, ipsim__xp_outcomes[k].long_name);
        if (rc == 0) {
            ipsim__swf_gather(d, off_segment(d, k), IPSIM_N_SEGMENTS, buf);
            rc = ipsim__swf_variable(w, gs, ipsim__xp_outcomes[k].name, 3, dsg, s3s, buf,
                                     ipsim__xp_outcomes[k].units, ipsim__xp_outcomes[k].long_name);
        }
    }
    if (e->n_daily > 0 && rc == 0) {
        hid_t gd = ipsim__swf_group(w, w->file, "daily");
        hsize_t dims[5] = {P, R, (hsize_t)e->days, M, IPSIM_N_SEGMENTS};
        hid_t s5[5] = {sc[SC_POINT], sc[SC_REP], sc[SC_DAY], sc[SC_MARKET], sc[SC_SEGMENT]};
        size_t block = (size_t)e->days * M * IPSIM_N_SEGMENTS;
        double *big = malloc(sizeof *big * (size_t)P * R * block);
        rc = !big ? ipsim__swf_nomem(w, "daily") : gd >= 0 ? 0 : ipsim__swf_fail(w, "daily");
        for (int k = 0; k < e->n_daily && rc == 0; k++) {
            const ipsim_metric_info *mi = &ipsim_metric_table[e->daily[k]];
            ipsim__swf_gather(d, off_daily(d, k), block, big);
            rc = ipsim__swf_variable(w, gd, mi->name, 5, dims, s5, big, mi->units, mi->long_name);
        }
        free(big);
        if (gd >= 0)
            H5Gclose(gd);
    }
    if (g >= 0)
        H5Gclose(g);
    if (gm >= 0)
        H5Gclose(gm);
    if (gs >= 0)
        H5Gclose(gs);
    return rc;
}


/* ---- writing the file --------------------------------------------------- */

static int write_root(sw_h5 *w, const sweep_data *d)
{
    const ipsim_experiment *e = d->e;
    hid_t f = w->file;
    char seed[32], fp[32], shard[32] = "", now[32] = "unknown", title[200], hist[300], src[128];
    time_t t = time(NULL);
    struct tm tm;
    int units = e->n_points * d->R, done = 0, P = e->n_points, R = d->R;
    for (int u = 0; u < units; u++)
        done += d->state[u] == SW_DONE;
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)e->run_seed);
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)d->fp);
    if (d->shard_n > 0)
        snprintf(shard, sizeof shard, "%d/%d", d->shard_k, d->shard_n);
    if (gmtime_r(&t, &tm))
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(title, sizeof title, "ipsim sweep: %s", e->name);
    snprintf(src, sizeof src, "ipsim %s (git %s)", ipsim_version(), ipsim_git_commit());
    snprintf(hist, sizeof hist, "%s ipsim sweep %s (%s design, %d points x %d replicates%s%s)", now,
             e->name, ipsim__xp_design_names[e->type], P, R, *shard ? ", shard " : "", shard);
    if (ipsim_h5_attr_str(f, "ipsim_kind", "sweep") < 0 ||
        ipsim_h5_attr_str(f, "ipsim_version", ipsim_version()) < 0 ||
        ipsim_h5_attr_str(f, "git_commit", ipsim_git_commit()) < 0 ||
        ipsim_h5_attr_str(f, "experiment_name", e->name) < 0 ||
        ipsim_h5_attr_str(f, "design", ipsim__xp_design_names[e->type]) < 0 ||
        ipsim_h5_attr_num(f, "seed", H5T_NATIVE_UINT64, &e->run_seed) < 0 ||
        ipsim_h5_attr_str(f, "seed_string", seed) < 0 ||
        ipsim_h5_attr_num(f, "replicates", H5T_NATIVE_INT, &R) < 0 ||
        ipsim_h5_attr_num(f, "points", H5T_NATIVE_INT, &P) < 0 ||
        ipsim_h5_attr_num(f, "scale", H5T_NATIVE_DOUBLE, &d->scale) < 0 ||
        ipsim_h5_attr_num(f, "days", H5T_NATIVE_INT, &e->days) < 0 ||
        ipsim_h5_attr_num(f, "units", H5T_NATIVE_INT, &units) < 0 ||
        ipsim_h5_attr_num(f, "units_done", H5T_NATIVE_INT, &done) < 0 ||
        ipsim_h5_attr_str(f, "shard", shard) < 0 || ipsim_h5_attr_str(f, "fingerprint", fp) < 0 ||
        ipsim_h5_attr_num(f, "resolution", H5T_NATIVE_INT, &e->resolution) < 0 ||
        ipsim_h5_attr_str(f, "Conventions", "CF-1.8") < 0 ||
        ipsim_h5_attr_str(f, "title", title) < 0 || ipsim_h5_attr_str(f, "source", src) < 0 ||
        ipsim_h5_attr_str(f, "history", hist) < 0 ||
        ipsim_h5_attr_num(f, "wall_seconds", H5T_NATIVE_DOUBLE, &d->wall) < 0)
        return ipsim__swf_fail(w, "(root attributes)");
    return 0;
}

/* /windows (experiments with outcome windows): each window's name, from
 * and to [window], and the names of the outcomes they add [outcome]. */
static int write_windows(sw_h5 *w, const ipsim_experiment *e)
{
    int n = e->n_windows, x = ipsim__xp_n_extra(e), rc = 0;
    hid_t g = ipsim__swf_group(w, w->file, "windows");
    const char **v = malloc(sizeof *v * (size_t)(x > n ? x : n));
    xp_outcome_desc *od = malloc(sizeof *od * (size_t)x);
    if (!v || !od || g < 0)
        rc = !v || !od ? ipsim__swf_nomem(w, "windows") : -1;
    static const char *const what[3] = {"name", "from", "to"};
    for (int j = 0; j < 3 && rc == 0; j++) {
        for (int i = 0; i < n; i++)
            v[i] = j == 0 ? e->windows[i].name : j == 1 ? e->windows[i].from : e->windows[i].to;
        hid_t ds = strings(w, g, what[j], (hsize_t)n, v);
        rc = ds < 0 ? -1 : 0;
        if (ds >= 0)
            H5Dclose(ds);
    }
    for (int i = 0; i < x && rc == 0; i++) {
        ipsim__xp_outcome_desc(e, OUT_COUNT + i, &od[i]);
        v[i] = od[i].name;
    }
    if (rc == 0) {
        hid_t ds = strings(w, g, "outcome", (hsize_t)x, v);
        if (ds < 0 || ipsim_h5_attr_str(ds, "long_name", "the outcomes the windows add") < 0 ||
            ipsim_h5_attr_str(g, "start_date", e->start_text) < 0)
            rc = ipsim__swf_fail(w, "windows");
        if (ds >= 0)
            H5Dclose(ds);
    }
    if (g >= 0)
        H5Gclose(g);
    free(v);
    free(od);
    return rc;
}

/* /posterior_draws (sweeps under --posterior): the parameters, each
 * replicate's draw, particle and values, and the posterior file's source
 * and fingerprint. */
static int write_posterior_draws(sw_h5 *w, const sweep_data *d, const hid_t *sc)
{
    const xp_posterior *p = d->e->post;
    int R = d->R, K = ipsim__xp_post_draws(p, R), np = p->n_params;
    hid_t g = ipsim__swf_group(w, w->file, "posterior_draws");
    double *v = malloc(sizeof *v * (size_t)R * (np + 2));
    int rc = !v ? ipsim__swf_nomem(w, "posterior_draws") : g >= 0 ? 0 : -1;
    char source[1200];
    hsize_t dims[2] = {(hsize_t)R, (hsize_t)np}, dr = (hsize_t)R;
    hid_t ds = -1;
    if (rc == 0)
        ds = strings(w, g, "parameter", (hsize_t)np, (const char *const *)p->param);
    if (ds < 0 || ipsim_h5_attr_str(ds, "long_name", "posterior parameter (--set path)") < 0)
        rc = ipsim__swf_fail(w, "posterior_draws/parameter");
    if (ds >= 0)
        H5Dclose(ds);
    for (int r = 0; rc == 0 && r < R; r++) {
        int j = ipsim__xp_post_particle(p, d->e->run_seed, r % K);
        memcpy(v + (size_t)r * np, p->samples + (size_t)j * np, sizeof *v * (size_t)np);
        v[(size_t)R * np + r] = r % K;
        v[(size_t)R * (np + 1) + r] = ipsim__xp_post_particle_number(p, d->e->run_seed, r % K);
    }
    ds = rc == 0 ? ipsim__swf_dataset(w, g, "values", H5T_NATIVE_DOUBLE, 2, dims, v) : -1;
    if (rc == 0 && (ds < 0 || H5DSattach_scale(ds, sc[SC_REP], 0) < 0 ||
                    H5DSset_label(ds, 0, "replicate") < 0 || H5DSset_label(ds, 1, "parameter") < 0 ||
                    ipsim_h5_attr_str(ds, "long_name",
                                      "posterior parameter values each replicate ran with") < 0))
        rc = ipsim__swf_fail(w, "posterior_draws/values");
    if (ds >= 0)
        H5Dclose(ds);
    if (rc == 0)
        rc = ipsim__swf_variable(w, g, "draw", 1, &dr, &sc[SC_REP], v + (size_t)R * np, "1",
                                 "posterior draw of the replicate (replicate mod draws)");
    if (rc == 0)
        rc = ipsim__swf_variable(w, g, "particle", 1, &dr, &sc[SC_REP], v + (size_t)R * (np + 1), "1",
                                 "particle of /posterior/samples the draw resampled");
    snprintf(source, sizeof source, "%s fingerprint %s", p->path, p->fingerprint);
    const char *src = source;
    hid_t t = rc == 0 ? ipsim_h5_str_type() : -1;
    ds = t >= 0 ? ipsim__swf_dataset(w, g, "source", t, 0, NULL, &src) : -1;
    if (rc == 0 && (ds < 0 || ipsim_h5_attr_str(ds, "long_name",
                                                "the posterior file and the FNV-1a 64 hash of "
                                                "its bytes") < 0))
        rc = ipsim__swf_fail(w, "posterior_draws/source");
    if (ds >= 0)
        H5Dclose(ds);
    if (t >= 0)
        H5Tclose(t);
    int kk = K, m = R / K;
    if (rc == 0 && (ipsim_h5_attr_num(g, "draws", H5T_NATIVE_INT, &kk) < 0 ||
                    ipsim_h5_attr_num(g, "replicates_per_draw", H5T_NATIVE_INT, &m) < 0 ||
                    ipsim_h5_attr_str(g, "fingerprint", p->fingerprint) < 0))
        rc = ipsim__swf_fail(w, "posterior_draws");
    if (g >= 0)
        H5Gclose(g);
    free(v);
    return rc;
}

static int write_contents(sw_h5 *w, const sweep_data *d)
{
    const ipsim_experiment *e = d->e;
    int P = e->n_points, R = d->R, M = e->n_markets;
    hid_t sc[N_SC] = {-1, -1, -1, -1, -1, -1};
    const char **names = malloc(sizeof *names * (size_t)(P > M ? P : M) + 8 * XP_MAX_PARAMS);
    size_t nbuf = (size_t)P * R * (M > 2 ? M : 2);
    double *buf = malloc(sizeof *buf * (nbuf > (size_t)P ? nbuf : (size_t)P));
    int rc = names && buf ? 0 : ipsim__swf_nomem(w, "the buffers");
    if (rc == 0)
        rc = write_root(w, d);
    if (rc == 0) {
        hid_t t = ipsim_h5_str_type();
        hid_t ds = t >= 0 ? ipsim__swf_dataset(w, w->file, "experiment", t, 0, NULL, &e->json_text) : -1;
        if (ds < 0 || ipsim_h5_attr_str(ds, "long_name", "the experiment (JSON)") < 0)
            rc = ipsim__swf_fail(w, "experiment");
        if (ds >= 0)
            H5Dclose(ds);
        ds = t >= 0 && rc == 0 ? ipsim__swf_dataset(w, w->file, "identity", t, 0, NULL, &d->identity) : -1;
        if (rc == 0 && (ds < 0 || ipsim_h5_attr_str(ds, "long_name",
                                                    "what the units depend on "
                                                    "(JSON): ipsim version, model revision, "
                                                    "replicates, scale, seed, the experiment and "
                                                    "the resolved scenarios; the fingerprint is "
                                                    "its hash") < 0))
            rc = ipsim__swf_fail(w, "identity");
        if (ds >= 0)
            H5Dclose(ds);
        if (t >= 0)
            H5Tclose(t);
    }
    if (rc == 0) {
        sc[SC_POINT] = int_scale(w, "point", P, "design point");
        sc[SC_REP] = int_scale(w, "replicate", R, "replicate (common random numbers across points)");
        for (int m = 0; m < M; m++)
            names[m] = e->market[m];
        sc[SC_MARKET] = make_scale(w, strings(w, w->file, "market", (hsize_t)M, names), "market",
                                   "source market");
        sc[SC_SEGMENT] =
            make_scale(w, strings(w, w->file, "segment", IPSIM_N_SEGMENTS, ipsim_segment_names),
                       "segment", "consumer segment (cec: core experiential consumers)");
        if (e->n_params > 0) {
            for (int j = 0; j < e->n_params; j++)
                names[j] = e->param[j];
            sc[SC_PARAM] = make_scale(w, strings(w, w->file, "parameter", (hsize_t)e->n_params, names),
                                      "parameter", "design parameter or factor");
        }
        if (e->n_daily > 0)
            sc[SC_DAY] = int_scale(w, "day", e->days, "simulation day");
        rc = w->failed ? -1 : 0;
    }
    if (rc == 0) {
        for (int p = 0; p < P; p++)
            names[p] = e->points[p].name;
        hsize_t dim = (hsize_t)P;
        hid_t ds = strings(w, w->file, "point_name", dim, names);
        if (ds < 0 || H5DSattach_scale(ds, sc[SC_POINT], 0) < 0 ||
            ipsim_h5_attr_str(ds, "long_name", "name of the design point") < 0)
            rc = ipsim__swf_fail(w, "point_name");
        if (ds >= 0)
            H5Dclose(ds);
        if (rc == 0)
            rc = ipsim__swf_variable(w, w->file, "cost_cny", 1, &dim, &sc[SC_POINT], e->cost, "CNY",
                                     "sum of the cost_cny of the point's interventions");
        if (rc == 0 && e->n_var > 0)
            rc = ipsim__swf_variations(w, d, sc[SC_POINT]);
    }
    if (rc == 0) {
        hid_t g = ipsim__swf_group(w, w->file, "design");
        hsize_t dim = (hsize_t)P;
        rc = g >= 0 ? 0 : -1;
        for (int j = 0; j < e->n_params && rc == 0; j++)
            rc = ipsim__swf_variable(w, g, e->param[j], 1, &dim, &sc[SC_POINT],
                                     e->design + (size_t)j * P,
                                     e->type == XP_FACTORIAL || e->type == XP_ARMS ? "1" : NULL,
                                     e->type == XP_FACTORIAL ? "factor level (0 off, 1 on)"
                                     : e->type == XP_ARMS    ? "1 for the reference arm"
                                                             : "parameter value");
        if (g >= 0)
            H5Gclose(g);
    }
    if (rc == 0)
        rc = write_outcomes(w, d, sc, buf);
    if (rc == 0 && e->post)
        rc = write_posterior_draws(w, d, sc);
    if (rc == 0 && e->n_windows > 0)
        rc = write_windows(w, e);
    if (rc == 0) {
        hid_t g = ipsim__swf_group(w, w->file, "units");
        hsize_t dims[2] = {(hsize_t)P, (hsize_t)R};
        unsigned char *done = malloc((size_t)P * R);
        rc = !done ? ipsim__swf_nomem(w, "units") : g >= 0 ? 0 : ipsim__swf_fail(w, "units");
        for (int u = 0; rc == 0 && u < P * R; u++)
            done[u] = d->state[u] == SW_DONE;
        hid_t ds = rc == 0 ? ipsim__swf_dataset(w, g, "done", H5T_NATIVE_UINT8, 2, dims, done) : -1;
        if (ds < 0 || H5DSattach_scale(ds, sc[SC_POINT], 0) < 0 ||
            H5DSattach_scale(ds, sc[SC_REP], 1) < 0 || H5DSset_label(ds, 0, "point") < 0 ||
            H5DSset_label(ds, 1, "replicate") < 0 || ipsim_h5_attr_str(ds, "units", "1") < 0 ||
            ipsim_h5_attr_str(ds, "long_name", "1 when the unit's outcomes are present") < 0)
            rc = ipsim__swf_fail(w, "units/done");
        if (ds >= 0)
            H5Dclose(ds);
        hid_t s2[2] = {sc[SC_POINT], sc[SC_REP]};
        if (rc == 0)
            rc = ipsim__swf_variable(w, g, "run_seconds", 2, dims, s2, d->secs, "s",
                                     "wall time of the unit's model (create and run)");
        free(done);
        if (g >= 0)
            H5Gclose(g);
    }
    if (rc == 0 && d->complete)
        rc = ipsim__swf_analysis(w, d, sc);
    for (int i = 0; i < N_SC; i++)
        if (sc[i] >= 0)
            H5Dclose(sc[i]);
    free(names);
    free(buf);
    return rc == 0 && !w->failed ? 0 : -1;
}

/* Build the file in memory, write a new temp file, fsync, publish as OUT. */
ipsim_status ipsim__swf_write(const sweep_data *d, const char *out, int force, char *err,
                              size_t errlen)
{
    ipsim_h5_quiet quiet;
    sw_h5 w = {.file = -1};
    void *image = NULL;
    ssize_t size = 0;
    ipsim_h5_quiet_begin(&quiet);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl >= 0 && fapl >= 0 && H5Pset_link_creation_order(fcpl, CRT_ORDER) >= 0 &&
        H5Pset_attr_creation_order(fcpl, CRT_ORDER) >= 0 &&
        H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) >= 0)
        w.file = H5Fcreate(out, H5F_ACC_TRUNC, fcpl, fapl);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    int rc = w.file >= 0 ? write_contents(&w, d) : ipsim__swf_fail(&w, "(file)");
    if (rc == 0 && H5Fflush(w.file, H5F_SCOPE_GLOBAL) >= 0 &&
        (size = H5Fget_file_image(w.file, NULL, 0)) > 0 && (image = malloc((size_t)size)) &&
        H5Fget_file_image(w.file, image, (size_t)size) == size)
        rc = 0;
    else
        rc = -1;
    char why[IPSIM_H5_REASON_MAX] = "";
    if (rc != 0)
        ipsim_h5_error_reason(why, sizeof why);
    if (w.file >= 0)
        H5Fclose(w.file);
    ipsim_h5_quiet_end(&quiet);
    if (rc != 0 && (w.nomem || (size > 0 && !image))) {
        free(image);
        ipsim_set_error(err, errlen, "%s: out of memory while writing %s", out,
                        w.what[0] ? w.what : "the file");
        return IPSIM_ERR_NOMEM;
    }
    if (rc != 0) {
        free(image);
        ipsim_set_error(err, errlen, "%s: cannot write %s: %s", out, w.what[0] ? w.what : "the file",
                        why[0] ? why : "HDF5 library error");
        return IPSIM_ERR_IO;
    }
    ipsim__safe_out so;
    ipsim_status st = ipsim__safe_begin_locked(&so, out, force, err, errlen);
    if (st == IPSIM_OK)
        st = ipsim__safe_commit(&so, image, (size_t)size, force, err, errlen);
    free(image);
    return st;
}
