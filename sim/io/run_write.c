/*
 * output.c - writes one model run to an HDF5 result file (ipsim_output_write).
 *
 * The layout is a contract users' scripts rely on; it is netCDF-4 compatible
 * (creation order tracked and indexed on the file, every group and every
 * dataset; coordinate variables are HDF5 dimension scales), so xarray and the
 * netCDF tools open it with named dimensions:
 *
 *   /                       root attributes: ipsim_version, git_commit,
 *                           scenario_name, seed (uint64), seed_string,
 *                           replicate, scale, n_agents, days, days_completed,
 *                           start_date, Conventions, title, source, history,
 *                           wall_seconds, agent_days_per_second
 *   /scenario               resolved scenario JSON (scalar UTF-8 string), with
 *                           the run's seed, scale and days
 *   /day /market /segment /asset        dimension scales (coordinates)
 *   /daily/<metric>         float64 [day][market][segment], one per entry of
 *                           ipsim_metric_table, chunked and deflated
 *   /summary/<metric>       float64 [market][segment]: flows summed over the
 *                           days, stocks on the last day, satisfaction_mean
 *                           weighted by departures
 *   /asset_daily/<metric>   float64 [day][asset]
 *   /destination_daily/<metric>  float64 [day]
 *   /interventions/{intervention,name,mechanism,start,end,cost_cny}
 *                           parallel 1-D datasets on the scale "intervention"
 *   /cells/agents /cells/people          [market][segment]
 *
 * Safety: PATH.tmp is created first (O_EXCL; a stale one from a crashed run
 * is replaced), so an unwritable directory fails cleanly before any work.
 * HDF5 builds the file in memory (core driver); its bytes are then written
 * to PATH.tmp, fsync'ed, and PATH.tmp is renamed to PATH (without force,
 * link(2) makes the no-overwrite check atomic). On any failure PATH.tmp is
 * removed and PATH is left as it was. Disk errors thus come from write(2),
 * never from inside HDF5, which does not recover from a failed flush.
 * HDF5's automatic error printing is off for the duration of the call (and
 * restored after), so the library never prints. The bytes are a function
 * of the model alone, except the timestamp in the history attribute.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "model/results.h"
#include "io/h5util.h"
#include "base/textbuf.h"

#define CRT_ORDER (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)
#define CHUNK_DAYS 64
#define DEFLATE_LEVEL 4
#define CORE_INCREMENT ((size_t)1 << 20)   /* in-memory file growth, bytes */

enum { SC_DAY, SC_MARKET, SC_SEGMENT, SC_ASSET, N_SCALES };
static const char *const scale_names[N_SCALES] = {"day", "market", "segment", "asset"};

enum { DS_CHUNKED = 1, DS_FILL_NAN = 2 };

typedef struct {
    const ipsim_model *m;
    const ipsim_results *r;
    const sc_data *sc;
    hid_t file;
    hid_t scale[N_SCALES];
    const char *where;          /* group being written, for messages */
    char what[160];             /* first object that failed */
    ipsim_status status;        /* IPSIM_ERR_IO unless memory ran out */
} writer;

/* ---- messages ----------------------------------------------------------- */


/* Record the first object that failed; always returns -1. */
static int fail(writer *w, const char *name)
{
    if (w->what[0] == '\0') {
        if (!*name)
            snprintf(w->what, sizeof w->what, "%s", w->where);
        else
            snprintf(w->what, sizeof w->what, "%s/%s",
                     strcmp(w->where, "/") == 0 ? "" : w->where, name);
    }
    return -1;
}

static int fail_nomem(writer *w, const char *name)
{
    w->status = IPSIM_ERR_NOMEM;
    return fail(w, name);
}

static herr_t first_error_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    char *buf = data;
    if (buf[0] == '\0' && e->desc)
        snprintf(buf, 120, "%s", e->desc);
    return 0;
}

/* Why building the file failed: out of memory, or the innermost message of
 * HDF5's error stack. */
static void failure_reason(const writer *w, char *buf, size_t len)
{
    char desc[128] = "";
    if (w->status != IPSIM_ERR_NOMEM)
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_error_cb, desc);
    snprintf(buf, len, "%s", w->status == IPSIM_ERR_NOMEM ? "out of memory"
                             : desc[0] ? desc : "HDF5 library error");
}

/* ---- property lists ----------------------------------------------------- */

static hid_t make_gcpl(void)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    if (p >= 0 && (H5Pset_link_creation_order(p, CRT_ORDER) < 0 ||
                   H5Pset_attr_creation_order(p, CRT_ORDER) < 0 ||
                   H5Pset_obj_track_times(p, 0) < 0)) {
        H5Pclose(p);
        p = -1;
    }
    return p;
}

static hid_t make_fcpl(void)
{
    hid_t p = H5Pcreate(H5P_FILE_CREATE);
    if (p >= 0 && (H5Pset_link_creation_order(p, CRT_ORDER) < 0 ||
                   H5Pset_attr_creation_order(p, CRT_ORDER) < 0)) {
        H5Pclose(p);
        p = -1;
    }
    return p;
}

/* In memory (core driver, no backing store); earliest format that can hold
 * the file, at most 1.8's, which is what netCDF-4 reads and appends to. */
static hid_t make_fapl(void)
{
    hid_t p = H5Pcreate(H5P_FILE_ACCESS);
    if (p >= 0 && (H5Pset_fapl_core(p, CORE_INCREMENT, 0) < 0 ||
                   H5Pset_libver_bounds(p, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) < 0)) {
        H5Pclose(p);
        p = -1;
    }
    return p;
}

/* Dataset creation: attribute order tracked, no timestamps; chunks of up to
 * CHUNK_DAYS days by the full other dimensions, shuffle + deflate; NaN fill. */
static hid_t make_dcpl(int rank, const hsize_t *dims, int flags)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0)
        return -1;
    int ok = H5Pset_attr_creation_order(p, CRT_ORDER) >= 0 &&
             H5Pset_obj_track_times(p, 0) >= 0;
    hsize_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    if (ok && (flags & DS_CHUNKED) && rank > 0 && n > 0) {
        hsize_t chunk[H5S_MAX_RANK];
        for (int i = 0; i < rank; i++)
            chunk[i] = dims[i];
        if (chunk[0] > CHUNK_DAYS)
            chunk[0] = CHUNK_DAYS;
        ok = H5Pset_chunk(p, rank, chunk) >= 0 && H5Pset_shuffle(p) >= 0 &&
             (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Pset_deflate(p, DEFLATE_LEVEL) >= 0);
    }
    if (ok && (flags & DS_FILL_NAN)) {
        double nan = NAN;
        ok = H5Pset_fill_value(p, H5T_NATIVE_DOUBLE, &nan) >= 0;
    }
    if (!ok) {
        H5Pclose(p);
        return -1;
    }
    return p;
}


/* ---- attributes --------------------------------------------------------- */



static int attr_double(hid_t loc, const char *name, double v)
{
    return ipsim_h5_attr_num(loc, name, H5T_NATIVE_DOUBLE, &v);
}

/* units and long_name of a variable. */
static int attr_info(hid_t ds, const char *units, const char *long_name)
{
    return ipsim_h5_attr_str(ds, "units", units) < 0 || ipsim_h5_attr_str(ds, "long_name", long_name) < 0 ? -1 : 0;
}

/* ---- datasets ----------------------------------------------------------- */

/* Create loc/name (rank 0 = scalar) of the given type and write data.
 * Returns the open dataset or -1 (failure recorded). */
static hid_t write_dataset(writer *w, hid_t loc, const char *name, hid_t type, int rank,
                           const hsize_t *dims, const void *data, int flags)
{
    hid_t space = rank > 0 ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t dcpl = make_dcpl(rank, dims, flags);
    hid_t ds = -1;
    if (space >= 0 && dcpl >= 0)
        ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds >= 0 && H5Sget_simple_extent_npoints(space) > 0 &&
        H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        H5Dclose(ds);
        ds = -1;
    }
    if (ds < 0)
        fail(w, name);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return ds;
}

/* 1-D dataset of n UTF-8 strings. */
static hid_t write_strings(writer *w, hid_t loc, const char *name, hsize_t n,
                           const char *const *v)
{
    hid_t type = ipsim_h5_str_type();
    if (type < 0) {
        fail(w, name);
        return -1;
    }
    hid_t ds = write_dataset(w, loc, name, type, 1, &n, v, 0);
    H5Tclose(type);
    return ds;
}

/* Attach the dimension scale scale[i] to dimension i (0..rank-1) and label
 * the dimension with the scale's name (h5py's ds.dims[i].label). */
static int attach_scales(writer *w, hid_t ds, int rank, const hid_t *scale, const char *name)
{
    for (int i = 0; i < rank; i++) {
        char label[64];
        ssize_t n = H5DSget_scale_name(scale[i], label, sizeof label);
        if (n <= 0 || H5DSattach_scale(ds, scale[i], (unsigned)i) < 0 ||
            H5DSset_label(ds, (unsigned)i, label) < 0)
            return fail(w, name);
    }
    return 0;
}

/* A float64 variable with scales, units and long_name; closes it. */
static int write_variable(writer *w, hid_t loc, const char *name, int rank, const hsize_t *dims,
                          const hid_t *scale, const double *data, int flags,
                          const char *units, const char *long_name)
{
    hid_t ds = write_dataset(w, loc, name, H5T_NATIVE_DOUBLE, rank, dims, data, flags);
    if (ds < 0)
        return -1;
    int rc = attach_scales(w, ds, rank, scale, name);
    if (rc == 0 && attr_info(ds, units, long_name) < 0)
        rc = fail(w, name);
    if (rc == 0 && (flags & DS_FILL_NAN) && attr_double(ds, "_FillValue", NAN) < 0)
        rc = fail(w, name);
    if (H5Dclose(ds) < 0 && rc == 0)
        rc = fail(w, name);
    return rc;
}

static hid_t create_group(writer *w, const char *name)
{
    hid_t gcpl = make_gcpl();
    hid_t g = gcpl >= 0 ? H5Gcreate2(w->file, name, H5P_DEFAULT, gcpl, H5P_DEFAULT) : -1;
    if (gcpl >= 0)
        H5Pclose(gcpl);
    w->where = name;
    if (g < 0)
        fail(w, "");
    return g;
}

static int close_group(writer *w, hid_t g)
{
    int rc = H5Gclose(g) < 0 ? fail(w, "") : 0;
    w->where = "/";
    return rc;
}

/* ---- root attributes and scenario --------------------------------------- */

static void iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "unknown time");
}

static int write_root_attrs(writer *w)
{
    const ipsim_model *m = w->m;
    hid_t f = w->file;
    uint64_t seed = ipsim_model_seed(m), agents = ipsim_model_agent_count(m);
    uint32_t replicate = ipsim_model_replicate(m);
    int days = w->r->days, done = ipsim_model_days_done(m);
    double wall = ipsim_model_wall_seconds(m);
    double rate = wall > 0 ? ipsim_model_agent_days(m) / wall : 0.0; /* warm-up included */
    char seed_s[32], date[16], now[32], title[128], source[128], history[256];
    snprintf(seed_s, sizeof seed_s, "%llu", (unsigned long long)seed);
    ipsim_date_format(w->sc->simulation.start_date, date);
    iso_now(now, sizeof now);
    snprintf(title, sizeof title, "ipsim run: %s", w->sc->name);
    snprintf(source, sizeof source, "ipsim %s (git %s)", ipsim_version(), ipsim_git_commit());
    snprintf(history, sizeof history, "%s ipsim run %s (seed %s, replicate %u, %d day%s)",
             now, w->sc->name, seed_s, (unsigned)replicate, days, days == 1 ? "" : "s");
    double scale = ipsim_model_scale(m);
    if (ipsim_h5_attr_str(f, "ipsim_version", ipsim_version()) < 0 ||
        ipsim_h5_attr_str(f, "git_commit", ipsim_git_commit()) < 0 ||
        ipsim_h5_attr_str(f, "scenario_name", w->sc->name) < 0 ||
        ipsim_h5_attr_num(f, "seed", H5T_NATIVE_UINT64, &seed) < 0 ||
        ipsim_h5_attr_str(f, "seed_string", seed_s) < 0 ||
        ipsim_h5_attr_num(f, "replicate", H5T_NATIVE_UINT32, &replicate) < 0 ||
        attr_double(f, "scale", scale) < 0 ||
        ipsim_h5_attr_num(f, "n_agents", H5T_NATIVE_UINT64, &agents) < 0 ||
        ipsim_h5_attr_num(f, "days", H5T_NATIVE_INT, &days) < 0 ||
        ipsim_h5_attr_num(f, "days_completed", H5T_NATIVE_INT, &done) < 0 ||
        ipsim_h5_attr_str(f, "start_date", date) < 0 ||
        ipsim_h5_attr_str(f, "Conventions", "CF-1.8") < 0 ||
        ipsim_h5_attr_str(f, "title", title) < 0 ||
        ipsim_h5_attr_str(f, "source", source) < 0 ||
        ipsim_h5_attr_str(f, "history", history) < 0 ||
        attr_double(f, "wall_seconds", wall) < 0 ||
        attr_double(f, "agent_days_per_second", rate) < 0)
        return fail(w, "(root attributes)");
    return 0;
}

/* The resolved scenario as JSON with the run's effective seed, scale and
 * days written in, so that running /scenario (with the replicate attribute)
 * reproduces the run; the model's scenario as it is if that fails. */
static char *run_scenario_json(const writer *w)
{
    const ipsim_scenario *base = ipsim_model_scenario(w->m);
    ipsim_scenario *sc = ipsim_scenario_clone(base);
    char set[3][96];
    snprintf(set[0], sizeof set[0], "simulation.seed=\"%llu\"",
             (unsigned long long)ipsim_model_seed(w->m));
    snprintf(set[1], sizeof set[1], "simulation.scale=%.17g", ipsim_model_scale(w->m));
    snprintf(set[2], sizeof set[2], "simulation.days=%d", w->r->days);
    int ok = sc != NULL;
    for (int i = 0; i < 3 && ok; i++)
        ok = ipsim_scenario_set(sc, set[i], NULL, 0) == IPSIM_OK;
    char *json = ipsim_scenario_to_json(ok ? sc : base);
    ipsim_scenario_destroy(sc);
    return json;
}

static int write_scenario(writer *w)
{
    char *json = run_scenario_json(w);
    if (!json)
        return fail_nomem(w, "scenario");
    hid_t type = ipsim_h5_str_type();
    hid_t ds = type >= 0 ? write_dataset(w, w->file, "scenario", type, 0, NULL, &json, 0) : -1;
    int rc = ds >= 0 ? 0 : fail(w, "scenario");
    if (rc == 0 && ipsim_h5_attr_str(ds, "long_name", "resolved scenario of the run (JSON)") < 0)
        rc = fail(w, "scenario");
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0)
        rc = fail(w, "scenario");
    if (type >= 0)
        H5Tclose(type);
    free(json);
    return rc;
}

/* ---- dimension scales --------------------------------------------------- */

/* Turn ds into the dimension scale `name` with a long_name; keeps it open
 * in w->scale[which] (closed by close_scales). */
static int make_scale(writer *w, hid_t ds, int which, const char *long_name)
{
    const char *name = scale_names[which];
    if (ds < 0)
        return -1;
    w->scale[which] = ds;
    if (H5DSset_scale(ds, name) < 0 || ipsim_h5_attr_str(ds, "long_name", long_name) < 0)
        return fail(w, name);
    return 0;
}

static int write_day_scale(writer *w)
{
    int days = w->r->days;
    int32_t *v = malloc((size_t)days * sizeof *v);
    if (!v)
        return fail_nomem(w, "day");
    for (int d = 0; d < days; d++)
        v[d] = d;
    hsize_t n = (hsize_t)days;
    hid_t ds = write_dataset(w, w->file, "day", H5T_NATIVE_INT32, 1, &n, v, 0);
    free(v);
    char date[16], units[48];
    ipsim_date_format(w->sc->simulation.start_date, date);
    snprintf(units, sizeof units, "days since %s", date);
    if (make_scale(w, ds, SC_DAY, "simulation day") < 0)
        return -1;
    if (ipsim_h5_attr_str(ds, "units", units) < 0 || ipsim_h5_attr_str(ds, "calendar", "proleptic_gregorian") < 0 ||
        ipsim_h5_attr_str(ds, "standard_name", "time") < 0 || ipsim_h5_attr_str(ds, "axis", "T") < 0)
        return fail(w, "day");
    return 0;
}

static int write_name_scales(writer *w)
{
    const sc_data *sc = w->sc;
    const char *names[IPSIM_MAX_MARKETS > IPSIM_MAX_ASSETS ? IPSIM_MAX_MARKETS : IPSIM_MAX_ASSETS];
    for (int i = 0; i < sc->n_markets; i++)
        names[i] = sc->markets[i].name;
    if (make_scale(w, write_strings(w, w->file, "market", (hsize_t)sc->n_markets, names),
                   SC_MARKET, "source market") < 0)
        return -1;
    if (make_scale(w, write_strings(w, w->file, "segment", IPSIM_N_SEGMENTS, ipsim_segment_names),
                   SC_SEGMENT, "consumer segment (cec: core experiential consumers)") < 0)
        return -1;
    for (int i = 0; i < sc->destination.n_assets; i++)
        names[i] = sc->destination.assets[i].name;
    return make_scale(w, write_strings(w, w->file, "asset", (hsize_t)sc->destination.n_assets,
                                       names),
                      SC_ASSET, "destination asset");
}

static void close_scales(writer *w)
{
    for (int i = 0; i < N_SCALES; i++) {
        if (w->scale[i] >= 0 && H5Dclose(w->scale[i]) < 0)
            fail(w, scale_names[i]);
        w->scale[i] = -1;
    }
}

/* ---- daily, summary, assets, destination -------------------------------- */

static int write_daily(writer *w)
{
    hid_t g = create_group(w, "/daily");
    if (g < 0)
        return -1;
    const ipsim_results *r = w->r;
    hsize_t dims[3] = {(hsize_t)r->days, (hsize_t)r->n_markets, IPSIM_N_SEGMENTS};
    hid_t scale[3] = {w->scale[SC_DAY], w->scale[SC_MARKET], w->scale[SC_SEGMENT]};
    int rc = 0;
    for (int k = 0; k < MET_COUNT && rc == 0; k++) {
        const ipsim_metric_info *mi = &ipsim_metric_table[k];
        int flags = DS_CHUNKED | (k == MET_SATISFACTION_MEAN ? DS_FILL_NAN : 0);
        rc = write_variable(w, g, mi->name, 3, dims, scale, results_daily(r, k), flags,
                            mi->units, mi->long_name);
    }
    return close_group(w, g) < 0 ? -1 : rc;
}

typedef enum { RED_SUM, RED_LAST, RED_WEIGHTED } reduction;

/* How /summary reduces a metric over the days. */
static reduction metric_reduction(int metric)
{
    switch (metric) {
    case MET_AWARE: case MET_CONSIDERING: case MET_BOOKED: case MET_VISITORS_ON_SITE:
        return RED_LAST;
    case MET_SATISFACTION_MEAN:
        return RED_WEIGHTED;
    default:
        return RED_SUM;
    }
}

static const char *reduction_phrase(reduction red)
{
    return red == RED_LAST ? "value on the last day"
         : red == RED_WEIGHTED ? "mean over the run weighted by departures"
         : "total over the run";
}

/* out[market][segment] = the reduction of the metric over the days. */
static void reduce_metric(const ipsim_results *r, int metric, double *out)
{
    size_t cells = (size_t)r->n_markets * IPSIM_N_SEGMENTS;
    const double *d = results_daily(r, metric);
    const double *dep = results_daily(r, MET_DEPARTURES);
    reduction red = metric_reduction(metric);
    for (size_t c = 0; c < cells; c++) {
        double sum = 0.0, wsum = 0.0;
        for (int day = 0; day < r->days; day++) {
            size_t i = (size_t)day * cells + c;
            if (red == RED_SUM) {
                sum += d[i];
            } else if (red == RED_WEIGHTED && isfinite(d[i]) && dep[i] > 0) {
                sum += d[i] * dep[i];
                wsum += dep[i];
            }
        }
        if (red == RED_LAST)
            out[c] = r->days > 0 ? d[(size_t)(r->days - 1) * cells + c] : NAN;
        else
            out[c] = red == RED_WEIGHTED ? (wsum > 0 ? sum / wsum : NAN) : sum;
    }
}

static int write_summary_metric(writer *w, hid_t g, int k, double *buf)
{
    const ipsim_metric_info *mi = &ipsim_metric_table[k];
    hsize_t dims[2] = {(hsize_t)w->r->n_markets, IPSIM_N_SEGMENTS};
    hid_t scale[2] = {w->scale[SC_MARKET], w->scale[SC_SEGMENT]};
    reduction red = metric_reduction(k);
    char long_name[256];
    snprintf(long_name, sizeof long_name, "%s, %s", mi->long_name, reduction_phrase(red));
    reduce_metric(w->r, k, buf);
    int flags = red == RED_WEIGHTED ? DS_FILL_NAN : 0;
    if (write_variable(w, g, mi->name, 2, dims, scale, buf, flags, mi->units, long_name) < 0)
        return -1;
    hid_t ds = H5Dopen2(g, mi->name, H5P_DEFAULT);
    const char *how = red == RED_LAST ? "last" : red == RED_WEIGHTED ? "weighted_mean" : "sum";
    int rc = ds >= 0 && ipsim_h5_attr_str(ds, "reduction_over_days", how) >= 0 ? 0 : fail(w, mi->name);
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0)
        rc = fail(w, mi->name);
    return rc;
}

static int write_summary(writer *w)
{
    double *buf = malloc((size_t)w->r->n_markets * IPSIM_N_SEGMENTS * sizeof *buf);
    if (!buf)
        return fail_nomem(w, "summary");
    hid_t g = create_group(w, "/summary");
    int rc = g < 0 ? -1 : 0;
    for (int k = 0; k < MET_COUNT && rc == 0; k++)
        rc = write_summary_metric(w, g, k, buf);
    free(buf);
    if (g >= 0 && close_group(w, g) < 0)
        rc = -1;
    return rc;
}

static int write_asset_daily(writer *w)
{
    hid_t g = create_group(w, "/asset_daily");
    if (g < 0)
        return -1;
    hsize_t dims[2] = {(hsize_t)w->r->days, (hsize_t)w->r->n_assets};
    hid_t scale[2] = {w->scale[SC_DAY], w->scale[SC_ASSET]};
    int rc = 0;
    for (int k = 0; k < AMET_COUNT && rc == 0; k++) {
        const ipsim_metric_info *mi = &ipsim_asset_metric_table[k];
        rc = write_variable(w, g, mi->name, 2, dims, scale, results_asset(w->r, k), DS_CHUNKED,
                            mi->units, mi->long_name);
    }
    return close_group(w, g) < 0 ? -1 : rc;
}

static int write_dest_daily(writer *w)
{
    hid_t g = create_group(w, "/destination_daily");
    if (g < 0)
        return -1;
    hsize_t dims[1] = {(hsize_t)w->r->days};
    hid_t scale[1] = {w->scale[SC_DAY]};
    int rc = 0;
    for (int k = 0; k < DMET_COUNT && rc == 0; k++) {
        const ipsim_metric_info *mi = &ipsim_dest_metric_table[k];
        rc = write_variable(w, g, mi->name, 1, dims, scale, results_dest(w->r, k), DS_CHUNKED,
                            mi->units, mi->long_name);
    }
    return close_group(w, g) < 0 ? -1 : rc;
}

/* ---- interventions and cells -------------------------------------------- */

/* One string column of /interventions on the intervention scale. */
static int write_text_column(writer *w, hid_t g, hid_t scale, const char *name, hsize_t n,
                             const char *const *v, const char *long_name)
{
    hid_t ds = write_strings(w, g, name, n, v);
    if (ds < 0)
        return -1;
    int rc = attach_scales(w, ds, 1, &scale, name);
    if (rc == 0 && ipsim_h5_attr_str(ds, "long_name", long_name) < 0)
        rc = fail(w, name);
    if (H5Dclose(ds) < 0 && rc == 0)
        rc = fail(w, name);
    return rc;
}

static int write_intervention_columns(writer *w, hid_t g, hid_t scale)
{
    const sc_data *sc = w->sc;
    int n = sc->n_interventions;
    const char *name[IPSIM_MAX_INTERVENTIONS], *mech[IPSIM_MAX_INTERVENTIONS];
    const char *start[IPSIM_MAX_INTERVENTIONS], *end[IPSIM_MAX_INTERVENTIONS];
    char dates[2][IPSIM_MAX_INTERVENTIONS][16];
    double cost[IPSIM_MAX_INTERVENTIONS];
    for (int i = 0; i < n; i++) {
        const sc_intervention *iv = &sc->interventions[i];
        name[i] = iv->name;
        mech[i] = ipsim_mechanism_names[iv->mechanism];
        ipsim_date_format(iv->start, dates[0][i]);
        ipsim_date_format(iv->end, dates[1][i]);
        start[i] = dates[0][i];
        end[i] = dates[1][i];
        cost[i] = iv->cost_cny;
    }
    hsize_t dim = (hsize_t)n;
    if (write_text_column(w, g, scale, "name", dim, name, "intervention name") < 0 ||
        write_text_column(w, g, scale, "mechanism", dim, mech,
                          "mechanism (promotion or A-F)") < 0 ||
        write_text_column(w, g, scale, "start", dim, start, "first day (ISO 8601)") < 0 ||
        write_text_column(w, g, scale, "end", dim, end, "last day, inclusive (ISO 8601)") < 0)
        return -1;
    return write_variable(w, g, "cost_cny", 1, &dim, &scale, cost, 0, "CNY",
                          "cost of the intervention (media budget for campaigns)");
}

static int write_interventions(writer *w)
{
    const sc_data *sc = w->sc;
    hid_t g = create_group(w, "/interventions");
    if (g < 0)
        return -1;
    const char *names[IPSIM_MAX_INTERVENTIONS];
    for (int i = 0; i < sc->n_interventions; i++)
        names[i] = sc->interventions[i].name;
    hid_t scale = write_strings(w, g, "intervention", (hsize_t)sc->n_interventions, names);
    int rc = scale < 0 ? -1 : 0;
    if (rc == 0 && (H5DSset_scale(scale, "intervention") < 0 ||
                    ipsim_h5_attr_str(scale, "long_name", "intervention") < 0))
        rc = fail(w, "intervention");
    if (rc == 0)
        rc = write_intervention_columns(w, g, scale);
    if (scale >= 0 && H5Dclose(scale) < 0 && rc == 0)
        rc = fail(w, "intervention");
    return close_group(w, g) < 0 ? -1 : rc;
}

static int write_cells(writer *w)
{
    size_t cells = (size_t)w->r->n_markets * IPSIM_N_SEGMENTS;
    const uint32_t *agents = ipsim_model_cell_agents(w->m);
    double *people = malloc(cells * sizeof *people);
    if (!people)
        return fail_nomem(w, "cells");
    double scale_pp = ipsim_model_scale(w->m);
    for (size_t c = 0; c < cells; c++)
        people[c] = agents[c] * scale_pp;
    hid_t g = create_group(w, "/cells");
    hsize_t dims[2] = {(hsize_t)w->r->n_markets, IPSIM_N_SEGMENTS};
    hid_t scale[2] = {w->scale[SC_MARKET], w->scale[SC_SEGMENT]};
    int rc = g < 0 ? -1 : 0;
    hid_t ds = rc == 0 ? write_dataset(w, g, "agents", H5T_NATIVE_UINT32, 2, dims, agents, 0) : -1;
    if (rc == 0 && (ds < 0 || attach_scales(w, ds, 2, scale, "agents") < 0 ||
                    attr_info(ds, "1", "agents per cell") < 0))
        rc = fail(w, "agents");
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0)
        rc = fail(w, "agents");
    if (rc == 0)
        rc = write_variable(w, g, "people", 2, dims, scale, people, 0, "1",
                            "people per cell (agents x scale)");
    free(people);
    if (g >= 0 && close_group(w, g) < 0)
        rc = -1;
    return rc;
}

/* ---- the file image ----------------------------------------------------- */

static int write_contents(writer *w)
{
    int rc = write_root_attrs(w) < 0 || write_scenario(w) < 0 || write_day_scale(w) < 0 ||
             write_name_scales(w) < 0 || write_daily(w) < 0 || write_summary(w) < 0 ||
             write_asset_daily(w) < 0 || write_dest_daily(w) < 0 ||
             write_interventions(w) < 0 || write_cells(w) < 0 ? -1 : 0;
    close_scales(w);
    return rc == 0 && w->what[0] == '\0' ? 0 : -1;
}

/* Copy of the flushed in-memory file into a new malloc'd buffer. */
static int copy_image(writer *w, void **image, size_t *size)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return fail(w, "");
    ssize_t n = H5Fget_file_image(w->file, NULL, 0);
    if (n <= 0)
        return fail(w, "");
    *image = malloc((size_t)n);
    if (!*image)
        return fail_nomem(w, "");
    if (H5Fget_file_image(w->file, *image, (size_t)n) != n) {
        free(*image);
        *image = NULL;
        return fail(w, "");
    }
    *size = (size_t)n;
    return 0;
}

/* Build the whole file in memory (core driver, no backing store) and return
 * a malloc'd copy of its bytes. The caller writes them itself: that keeps
 * disk errors (ENOSPC, EIO) out of HDF5, which does not recover cleanly from
 * a failed flush or close. */
static ipsim_status build_image(writer *w, const char *name, const char *path, void **image,
                                size_t *size, char *err, size_t errlen)
{
    hid_t fcpl = make_fcpl(), fapl = make_fapl();
    w->file = fcpl >= 0 && fapl >= 0 ? H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl) : -1;
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    int rc = w->file < 0 ? fail(w, "") : write_contents(w);
    if (rc == 0)
        rc = copy_image(w, image, size);
    if (w->file >= 0 && H5Fclose(w->file) < 0 && rc == 0)
        rc = fail(w, "");
    w->file = -1;
    if (rc == 0)
        return IPSIM_OK;
    free(*image);
    *image = NULL;
    char why[160];
    failure_reason(w, why, sizeof why);
    if (strcmp(w->what, "/") == 0)
        ipsim_set_error(err, errlen, "%s: cannot write: %s", path, why);
    else
        ipsim_set_error(err, errlen, "%s: cannot write %s: %s", path, w->what, why);
    return w->status;
}

/* ---- tmp file, sync, publish -------------------------------------------- */

/* Create PATH.tmp exclusively (replacing a stale one left by a crashed
 * run); returns the descriptor or -1 with the message set. */
static int create_tmp(const char *tmp, const char *path, char *err, size_t errlen)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST || attempt > 0 || unlink(tmp) != 0)
            break;
    }
    ipsim_set_error(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    return -1;
}

/* Write all bytes, fsync and close fd (closed on every path). */
static ipsim_status write_fd(int fd, const void *buf, size_t size, const char *path,
                             char *err, size_t errlen)
{
    const char *p = buf;
    int ok = 1;
    while (ok && size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (n == 0)
            errno = ENOSPC;
        if (ok) {
            p += n;
            size -= (size_t)n;
        }
    }
    ok = ok && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok)
        return IPSIM_OK;
    ipsim_set_error(err, errlen, "%s: cannot write: %s", path, strerror(e));
    return IPSIM_ERR_IO;
}

/* Best effort: make the rename durable by syncing the directory. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static ipsim_status exists_error(const char *path, char *err, size_t errlen)
{
    ipsim_set_error(err, errlen, "%s: already exists; use --force to overwrite it", path);
    return IPSIM_ERR_EXISTS;
}

/* Move tmp to path. Without force, link(2) refuses atomically to replace a
 * file that appeared meanwhile; where hard links are unsupported, fall back
 * to a checked rename. */
static ipsim_status publish(const char *tmp, const char *path, int force, char *err,
                            size_t errlen)
{
    struct stat st;
    if (!force) {
        if (link(tmp, path) == 0) {
            unlink(tmp);
            sync_dir(path);
            return IPSIM_OK;
        }
        if (errno == EEXIST)
            return exists_error(path, err, errlen);
        if (lstat(path, &st) == 0)
            return exists_error(path, err, errlen);
    }
    if (rename(tmp, path) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return IPSIM_ERR_CANTCREAT;
    }
    sync_dir(path);
    return IPSIM_OK;
}

/* ---- entry point -------------------------------------------------------- */

static ipsim_status check_model(const ipsim_model *m, writer *w, char *err, size_t errlen)
{
    const ipsim_scenario *s = ipsim_model_scenario(m);
    w->m = m;
    w->r = ipsim_model_results(m);
    w->sc = s ? ipsim_scenario_data(s) : NULL;
    if (!w->r || !w->sc || !ipsim_model_cell_agents(m) || w->r->days < 1 ||
        w->r->n_markets != w->sc->n_markets || w->r->n_assets != w->sc->destination.n_assets) {
        ipsim_set_error(err, errlen, "ipsim_output_write: model results do not match its scenario");
        return IPSIM_ERR_INTERNAL;
    }
    return IPSIM_OK;
}

/* Build the image with HDF5's error printing off, write it to PATH.tmp and
 * move that to PATH; PATH.tmp is removed on failure. */
static ipsim_status write_via_tmp(writer *w, const char *tmp, const char *path, int force,
                                  char *err, size_t errlen)
{
    int fd = create_tmp(tmp, path, err, errlen);
    if (fd < 0)
        return IPSIM_ERR_CANTCREAT;
    void *image = NULL;
    size_t size = 0;
    H5E_auto2_t old_fn = NULL;
    void *old_data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    ipsim_status st = build_image(w, tmp, path, &image, &size, err, errlen);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    if (st == IPSIM_OK)
        st = write_fd(fd, image, size, path, err, errlen);
    else
        close(fd);
    free(image);
    if (st == IPSIM_OK)
        st = publish(tmp, path, force, err, errlen);
    if (st != IPSIM_OK)
        unlink(tmp);
    return st;
}

ipsim_status ipsim_output_write(const ipsim_model *m, const char *path, int force,
                                char *err, size_t errlen)
{
    if (!m || !path || !*path) {
        ipsim_set_error(err, errlen, "ipsim_output_write: no model or no path");
        return IPSIM_ERR_USAGE;
    }
    writer w = {.file = -1, .scale = {-1, -1, -1, -1}, .where = "/", .status = IPSIM_ERR_IO};
    ipsim_status st = check_model(m, &w, err, errlen);
    struct stat sb;
    if (st != IPSIM_OK)
        return st;
    if (!force && lstat(path, &sb) == 0)
        return exists_error(path, err, errlen);
    size_t len = strlen(path);
    char *tmp = malloc(len + 5);
    if (!tmp) {
        ipsim_set_error(err, errlen, "%s: out of memory", path);
        return IPSIM_ERR_NOMEM;
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp", 5);
    st = write_via_tmp(&w, tmp, path, force, err, errlen);
    free(tmp);
    return st;
}
