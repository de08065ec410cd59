/*
 * sweep_output.c - sweeps: the journal that makes them resumable, the
 * serial driver, the sweep HDF5 file (writer, reader, merge of shards) and
 * the printed report of its analysis.
 *
 * Journal (OUT.journal): a header (magic, fingerprint of the sweep, unit
 * count, numbers per unit, shard) then one fixed-size record per finished
 * or failed unit (unit, state, seconds, values, checksum), appended with a
 * single write(2) and fsync'ed. A kill at any moment leaves at most a torn
 * last record, which the checksum exposes and resume truncates away.
 * Records are never rewritten, so finished units are never lost.
 *
 * Sweep file (written like run files: built in memory with HDF5's core
 * driver, written to OUT.tmp, fsync'ed, renamed; creation order tracked;
 * dimension scales so netCDF and xarray name the dimensions):
 *   /                     attributes ipsim_kind = "sweep", ipsim_version,
 *                         git_commit, experiment_name, design, seed,
 *                         seed_string, replicates, points, scale, days,
 *                         units, units_done, shard ("" or "K/N"),
 *                         fingerprint, resolution, Conventions, title,
 *                         history, wall_seconds
 *   /experiment           the experiment JSON
 *   /point /replicate /market /segment [/parameter] [/day]   scales
 *   /point_name [point]   /cost_cny [point] (sum of interventions' cost)
 *   /design/<parameter> [point]
 *   /outcomes/<metric> [point][replicate]
 *   /outcomes_by_market/<metric> [point][replicate][market]
 *   /outcomes_by_segment/<metric> [point][replicate][segment]
 *   /daily/<metric> [point][replicate][day][market][segment]  (keep_daily)
 *   /units/done [point][replicate] (1 = present), /units/run_seconds
 *   /analysis/...         (complete sweeps only; see write_analysis)
 * Every dataset except /units/run_seconds and the attributes wall_seconds
 * and history is a function of the experiment, replicates and scale only.
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

#include "experiment/analysis.h"
#include "json/json_path.h"
#include "experiment/sweep.h"
#include "io/h5util.h"
#include "base/textbuf.h"

#define CRT_ORDER (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)
#define JOURNAL_MAGIC "IPSIMJ1\n"
#define RECORD_MAGIC 0x4a524543u
#define N_BOOT 500
#define BOOT_SEED 20240601u

struct sw_state {
    ipsim_experiment *e;
    char *out, *journal;
    int P, R, U;
    size_t nv;
    double *vals;            /* [unit][nv] */
    unsigned char *state;    /* [unit] */
    double *secs;            /* [unit] */
    int shard_k, shard_n;    /* 0/0: all */
    int force;
    int fd;
    uint64_t fp;
    int failed_before;
    double scale;
};

typedef struct {
    char magic[8];
    uint64_t fp;
    uint32_t units, nv, shard_k, shard_n;
} journal_header;


static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static char *cat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    if (s) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

static void sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- state and journal -------------------------------------------------- */

int ipsim__sw_units(const sw_state *s) { return s->U; }
int ipsim__sw_replicates(const sw_state *s) { return s->R; }
size_t ipsim__sw_values(const sw_state *s) { return s->nv; }
int ipsim__sw_failed_before(const sw_state *s) { return s->failed_before; }

static int in_shard(const sw_state *s, int u)
{
    return s->shard_n <= 0 || u % s->shard_n == s->shard_k - 1;
}

int ipsim__sw_shard_units(const sw_state *s)
{
    int n = 0;
    for (int u = 0; u < s->U; u++)
        n += in_shard(s, u);
    return n;
}

int ipsim__sw_done(const sw_state *s)
{
    int n = 0;
    for (int u = 0; u < s->U; u++)
        n += in_shard(s, u) && s->state[u] == SW_DONE;
    return n;
}

int ipsim__sw_next(const sw_state *s, int *cursor)
{
    for (int u = *cursor; u < s->U; u++)
        if (in_shard(s, u) && s->state[u] != SW_DONE) {
            *cursor = u + 1;
            return u;
        }
    *cursor = s->U;
    return -1;
}

static size_t record_size(const sw_state *s)
{
    return 24 + 8 * s->nv + 8;
}

static uint64_t fingerprint(const ipsim_experiment *e, int R, double scale, size_t nv)
{
    uint64_t h = 0xcbf29ce484222325ull;
    uint64_t v[4] = {(uint64_t)R, e->run_seed, (uint64_t)nv, (uint64_t)e->n_points};
    h = fnv(h, e->json_text, strlen(e->json_text));
    h = fnv(h, v, sizeof v);
    h = fnv(h, &scale, sizeof scale);
    return h;
}

/* Read the records of an open journal into s; truncate a torn tail. */
static ipsim_status read_journal(sw_state *s, int fd, char *err, size_t errlen)
{
    journal_header h;
    ssize_t n = read(fd, &h, sizeof h);
    if (n != (ssize_t)sizeof h || memcmp(h.magic, JOURNAL_MAGIC, 8) != 0) {
        ipsim_set_error(err, errlen, "%s: not an ipsim sweep journal (or empty); use --force to start over",
                s->journal);
        return IPSIM_ERR_DATA;
    }
    if (h.fp != s->fp || h.units != (uint32_t)s->U || h.nv != s->nv ||
        h.shard_k != (uint32_t)s->shard_k || h.shard_n != (uint32_t)s->shard_n) {
        ipsim_set_error(err, errlen, "%s: the journal belongs to a different sweep (experiment, "
                "replicates, scale or shard differ); use --force to start over", s->journal);
        return IPSIM_ERR_DATA;
    }
    size_t rs = record_size(s);
    unsigned char *rec = malloc(rs);
    off_t good = (off_t)sizeof h;
    if (!rec) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    for (;;) {
        size_t got = 0;
        while (got < rs) {
            n = read(fd, rec + got, rs - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (got < rs)
            break;
        uint32_t magic, unit, state;
        uint64_t check;
        memcpy(&magic, rec, 4);
        memcpy(&unit, rec + 4, 4);
        memcpy(&state, rec + 8, 4);
        memcpy(&check, rec + rs - 8, 8);
        if (magic != RECORD_MAGIC || unit >= (uint32_t)s->U ||
            check != fnv(0xcbf29ce484222325ull, rec, rs - 8) ||
            (state != SW_DONE && state != SW_FAILED))
            break;
        good += (off_t)rs;
        if (state == SW_DONE || s->state[unit] != SW_DONE) {
            s->state[unit] = (unsigned char)state;
            memcpy(&s->secs[unit], rec + 16, 8);
            if (state == SW_DONE)
                memcpy(s->vals + (size_t)unit * s->nv, rec + 24, 8 * s->nv);
        }
    }
    free(rec);
    for (int u = 0; u < s->U; u++)
        s->failed_before += s->state[u] == SW_FAILED;
    if (ftruncate(fd, good) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot truncate a torn record: %s", s->journal, strerror(errno));
        return IPSIM_ERR_IO;
    }
    return IPSIM_OK;
}

static ipsim_status create_journal(sw_state *s, char *err, size_t errlen)
{
    int fd = open(s->journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    journal_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, JOURNAL_MAGIC, 8);
    h.fp = s->fp;
    h.units = (uint32_t)s->U;
    h.nv = (uint32_t)s->nv;
    h.shard_k = (uint32_t)s->shard_k;
    h.shard_n = (uint32_t)s->shard_n;
    if (fd < 0 || write_all(fd, &h, sizeof h) != 0 || fsync(fd) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot create the journal: %s", s->journal, strerror(errno));
        if (fd >= 0)
            close(fd);
        return IPSIM_ERR_CANTCREAT;
    }
    close(fd);
    sync_parent(s->journal);
    return IPSIM_OK;
}

static sw_state *state_new(ipsim_experiment *e, int R, double scale)
{
    sw_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->e = e;
    s->fd = -1;
    s->P = e->n_points;
    s->R = R;
    s->U = e->n_points * R;
    s->nv = ipsim__xp_unit_values(e);
    s->scale = scale;
    s->vals = malloc((size_t)s->U * s->nv * sizeof *s->vals);
    s->state = calloc((size_t)s->U, 1);
    s->secs = calloc((size_t)s->U, sizeof *s->secs);
    if (!s->vals || !s->state || !s->secs) {
        ipsim__sw_close(s);
        return NULL;
    }
    for (size_t i = 0; i < (size_t)s->U * s->nv; i++)
        s->vals[i] = NAN;
    for (int u = 0; u < s->U; u++)
        s->secs[u] = NAN;
    s->fp = fingerprint(e, R, scale, s->nv);
    return s;
}

ipsim_status ipsim__sw_open(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                     sw_state **sp, char *err, size_t errlen)
{
    struct stat st;
    int R = ipsim__xp_replicates(e, o);
    *sp = NULL;
    if ((double)e->n_points * R > 2e9) {
        ipsim_set_error(err, errlen, "%s: %d points x %d replicates is too many units", e->origin,
                e->n_points, R);
        return IPSIM_ERR_LIMIT;
    }
    sw_state *s = state_new(e, R, ipsim__xp_scale(e, o));
    if (!s) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    s->shard_k = o ? o->shard_k : 0;
    s->shard_n = o ? o->shard_n : 0;
    s->force = o && o->force;
    s->out = cat(out, "");
    s->journal = cat(out, ".journal");
    ipsim_status rc = IPSIM_OK;
    if (!s->out || !s->journal) {
        ipsim_set_error(err, errlen, "out of memory");
        rc = IPSIM_ERR_NOMEM;
        goto done;
    }
    int have_journal = lstat(s->journal, &st) == 0;
    if (lstat(out, &st) == 0 && !s->force && !(o && o->resume && have_journal)) {
        ipsim_set_error(err, errlen, "%s: already exists%s; use --force to overwrite it", out,
                o && o->resume ? " and there is no journal to resume (the sweep is complete)"
                               : "");
        rc = IPSIM_ERR_EXISTS;
        goto done;
    }
    if (have_journal && !s->force && !(o && o->resume)) {
        ipsim_set_error(err, errlen, "%s: an interrupted sweep left this journal; use --resume to "
                "continue it or --force to start over", s->journal);
        rc = IPSIM_ERR_EXISTS;
        goto done;
    }
    if (have_journal && !s->force) {
        int fd = open(s->journal, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            ipsim_set_error(err, errlen, "%s: cannot open: %s", s->journal, strerror(errno));
            rc = IPSIM_ERR_NOINPUT;
            goto done;
        }
        rc = read_journal(s, fd, err, errlen);
        close(fd);
    } else {
        rc = create_journal(s, err, errlen);
    }
    if (rc == IPSIM_OK) {
        s->fd = open(s->journal, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (s->fd < 0) {
            ipsim_set_error(err, errlen, "%s: cannot open: %s", s->journal, strerror(errno));
            rc = IPSIM_ERR_CANTCREAT;
        }
    }
done:
    if (rc != IPSIM_OK)
        ipsim__sw_close(s);
    else
        *sp = s;
    return rc;
}

ipsim_status ipsim__sw_record(sw_state *s, int unit, int state, double seconds, const double *values,
                       char *err, size_t errlen)
{
    size_t rs = record_size(s);
    unsigned char *rec = calloc(1, rs);
    uint32_t magic = RECORD_MAGIC, u = (uint32_t)unit, st = (uint32_t)state;
    if (!rec) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(rec, &magic, 4);
    memcpy(rec + 4, &u, 4);
    memcpy(rec + 8, &st, 4);
    memcpy(rec + 16, &seconds, 8);
    if (state == SW_DONE)
        memcpy(rec + 24, values, 8 * s->nv);
    uint64_t check = fnv(0xcbf29ce484222325ull, rec, rs - 8);
    memcpy(rec + rs - 8, &check, 8);
    int ok = write_all(s->fd, rec, rs) == 0 && fsync(s->fd) == 0;
    free(rec);
    if (!ok) {
        ipsim_set_error(err, errlen, "%s: cannot write: %s", s->journal, strerror(errno));
        return IPSIM_ERR_IO;
    }
    s->state[unit] = (unsigned char)state;
    s->secs[unit] = seconds;
    if (state == SW_DONE)
        memcpy(s->vals + (size_t)unit * s->nv, values, 8 * s->nv);
    return IPSIM_OK;
}

void ipsim__sw_close(sw_state *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->out);
    free(s->journal);
    free(s->vals);
    free(s->state);
    free(s->secs);
    free(s);
}

/* ---- HDF5 helpers ------------------------------------------------------- */

typedef struct {
    hid_t file;
    int failed;
    char what[256];
} hw;

static int hfail(hw *w, const char *what)
{
    if (!w->failed)
        snprintf(w->what, sizeof w->what, "%s", what);
    w->failed = 1;
    return -1;
}




static hid_t group(hw *w, hid_t loc, const char *name)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE), g = -1;
    if (p >= 0 && H5Pset_link_creation_order(p, CRT_ORDER) >= 0 &&
        H5Pset_attr_creation_order(p, CRT_ORDER) >= 0)
        g = H5Gcreate2(loc, name, H5P_DEFAULT, p, H5P_DEFAULT);
    if (p >= 0)
        H5Pclose(p);
    if (g < 0)
        hfail(w, name);
    return g;
}

/* Dataset loc/name; returns it open, or -1. */
static hid_t dataset(hw *w, hid_t loc, const char *name, hid_t type, int rank,
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
        hfail(w, name);
    return ds;
}

static hid_t strings(hw *w, hid_t loc, const char *name, hsize_t n, const char *const *v)
{
    hid_t t = ipsim_h5_str_type();
    hid_t ds = t >= 0 ? dataset(w, loc, name, t, 1, &n, v) : -1;
    if (t >= 0)
        H5Tclose(t);
    return ds;
}

/* A float64 variable on the given scales, with units and long_name. */
static int variable(hw *w, hid_t loc, const char *name, int rank, const hsize_t *dims,
                    const hid_t *scales, const double *data, const char *units,
                    const char *long_name)
{
    hid_t ds = dataset(w, loc, name, H5T_NATIVE_DOUBLE, rank, dims, data);
    if (ds < 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < rank && rc == 0; i++) {
        char label[64];
        if (scales[i] < 0 || H5DSget_scale_name(scales[i], label, sizeof label) <= 0 ||
            H5DSattach_scale(ds, scales[i], (unsigned)i) < 0 ||
            H5DSset_label(ds, (unsigned)i, label) < 0)
            rc = hfail(w, name);
    }
    if (rc == 0 && ((units && ipsim_h5_attr_str(ds, "units", units) < 0) ||
                    (long_name && ipsim_h5_attr_str(ds, "long_name", long_name) < 0)))
        rc = hfail(w, name);
    H5Dclose(ds);
    return rc;
}

static hid_t make_scale(hw *w, hid_t ds, const char *name, const char *long_name)
{
    if (ds < 0)
        return -1;
    if (H5DSset_scale(ds, name) < 0 || ipsim_h5_attr_str(ds, "long_name", long_name) < 0) {
        hfail(w, name);
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

static hid_t int_scale(hw *w, const char *name, int n, const char *long_name)
{
    int32_t *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    hsize_t dim = (hsize_t)n;
    if (!v) {
        hfail(w, name);
        return -1;
    }
    for (int i = 0; i < n; i++)
        v[i] = i;
    hid_t ds = dataset(w, w->file, name, H5T_NATIVE_INT32, 1, &dim, v);
    free(v);
    return make_scale(w, ds, name, long_name);
}

/* ---- the file image ----------------------------------------------------- */

typedef struct {
    const ipsim_experiment *e;
    int R;
    double scale;
    size_t nv;
    const double *vals;
    const unsigned char *state;
    const double *secs;
    int shard_k, shard_n;
    uint64_t fp;
    double wall;
    int complete;
} sweep_data;

enum { SC_POINT, SC_REP, SC_MARKET, SC_SEGMENT, SC_PARAM, SC_DAY, N_SC };

/* Offsets in a unit's values. */
static size_t off_market(const sweep_data *d, int k) { return OUT_COUNT + (size_t)k * d->e->n_markets; }
static size_t off_segment(const sweep_data *d, int k)
{
    return OUT_COUNT + (size_t)XP_N_SPLIT * d->e->n_markets + (size_t)k * IPSIM_N_SEGMENTS;
}
static size_t off_daily(const sweep_data *d, int k)
{
    return OUT_COUNT + (size_t)XP_N_SPLIT * (d->e->n_markets + IPSIM_N_SEGMENTS) +
           (size_t)k * d->e->days * d->e->n_markets * IPSIM_N_SEGMENTS;
}

/* Gather n consecutive numbers at offset off of every unit into
 * out[point][replicate][n] (NaN for units not present). */
static void gather(const sweep_data *d, size_t off, size_t n, double *out)
{
    size_t U = (size_t)d->e->n_points * d->R;
    for (size_t u = 0; u < U; u++)
        for (size_t i = 0; i < n; i++)
            out[u * n + i] = d->state[u] == SW_DONE ? d->vals[u * d->nv + off + i] : NAN;
}

static int write_outcomes(hw *w, const sweep_data *d, const hid_t *sc, double *buf)
{
    const ipsim_experiment *e = d->e;
    hsize_t P = (hsize_t)e->n_points, R = (hsize_t)d->R, M = (hsize_t)e->n_markets;
    hid_t g = group(w, w->file, "outcomes");
    hid_t gm = group(w, w->file, "outcomes_by_market");
    hid_t gs = group(w, w->file, "outcomes_by_segment");
    int rc = g >= 0 && gm >= 0 && gs >= 0 ? 0 : -1;
    for (int k = 0; k < OUT_COUNT && rc == 0; k++) {
        hsize_t dims[2] = {P, R};
        hid_t s2[2] = {sc[SC_POINT], sc[SC_REP]};
        gather(d, (size_t)k, 1, buf);
        rc = variable(w, g, ipsim__xp_outcomes[k].name, 2, dims, s2, buf, ipsim__xp_outcomes[k].units,
                      ipsim__xp_outcomes[k].long_name);
    }
    for (int k = 0; k < XP_N_SPLIT && rc == 0; k++) {
        hsize_t dm[3] = {P, R, M}, dsg[3] = {P, R, IPSIM_N_SEGMENTS};
        hid_t s3[3] = {sc[SC_POINT], sc[SC_REP], sc[SC_MARKET]};
        hid_t s3s[3] = {sc[SC_POINT], sc[SC_REP], sc[SC_SEGMENT]};
        gather(d, off_market(d, k), M, buf);
        rc = variable(w, gm, ipsim__xp_outcomes[k].name, 3, dm, s3, buf, ipsim__xp_outcomes[k].units,
                      ipsim__xp_outcomes[k].long_name);
        if (rc == 0) {
            gather(d, off_segment(d, k), IPSIM_N_SEGMENTS, buf);
            rc = variable(w, gs, ipsim__xp_outcomes[k].name, 3, dsg, s3s, buf, ipsim__xp_outcomes[k].units,
                          ipsim__xp_outcomes[k].long_name);
        }
    }
    if (e->n_daily > 0 && rc == 0) {
        hid_t gd = group(w, w->file, "daily");
        hsize_t dims[5] = {P, R, (hsize_t)e->days, M, IPSIM_N_SEGMENTS};
        hid_t s5[5] = {sc[SC_POINT], sc[SC_REP], sc[SC_DAY], sc[SC_MARKET], sc[SC_SEGMENT]};
        size_t block = (size_t)e->days * M * IPSIM_N_SEGMENTS;
        double *big = malloc(sizeof *big * (size_t)P * R * block);
        rc = gd >= 0 && big ? 0 : hfail(w, "daily");
        for (int k = 0; k < e->n_daily && rc == 0; k++) {
            const ipsim_metric_info *mi = &ipsim_metric_table[e->daily[k]];
            gather(d, off_daily(d, k), block, big);
            rc = variable(w, gd, mi->name, 5, dims, s5, big, mi->units, mi->long_name);
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

/* ---- analysis ----------------------------------------------------------- */

typedef struct {
    hw *w;
    const sweep_data *d;
    const hid_t *sc;
    hid_t g;
} an_ctx;

/* /analysis/<stat>/<metric> with dims given by scales which[0..rank-1]. */
static int an_write(an_ctx *a, const char *stat, const char *metric, int rank, const int *which,
                    const double *v, const char *units, const char *long_name)
{
    hsize_t dims[3];
    hid_t s[3];
    hid_t g;
    int rc;
    for (int i = 0; i < rank; i++) {
        s[i] = a->sc[which[i]];
        hid_t sp = H5Dget_space(s[i]);
        H5Sget_simple_extent_dims(sp, &dims[i], NULL);
        H5Sclose(sp);
    }
    if (H5Lexists(a->g, stat, H5P_DEFAULT) > 0)
        g = H5Gopen2(a->g, stat, H5P_DEFAULT);
    else
        g = group(a->w, a->g, stat);
    if (g < 0)
        return -1;
    rc = variable(a->w, g, metric, rank, dims, s, v, units, long_name);
    H5Gclose(g);
    return rc;
}

/* Mean and sd over replicates of each point for every outcome; arms: the
 * paired difference against the reference too, per market and segment,
 * and the return per 10,000 CNY of extra intervention cost. */
static int analyse_points(an_ctx *a, double *y)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int P = e->n_points, R = d->R, M = e->n_markets, rc = 0;
    double *m = malloc(sizeof *m * (size_t)P * (M > 2 ? M : 2));
    double *sd = malloc(sizeof *sd * (size_t)P * (M > 2 ? M : 2));
    double *df = malloc(sizeof *df * (size_t)P * (M > 2 ? M : 2));
    double *lo = malloc(sizeof *lo * (size_t)P * (M > 2 ? M : 2));
    double *hi = malloc(sizeof *hi * (size_t)P * (M > 2 ? M : 2));
    double *col = malloc(sizeof *col * (size_t)R * 2);
    static const int pt[1] = {SC_POINT}, ptm[2] = {SC_POINT, SC_MARKET},
                     pts[2] = {SC_POINT, SC_SEGMENT};
    if (!m || !sd || !df || !lo || !hi || !col) {
        rc = hfail(a->w, "analysis");
        goto done;
    }
    for (int k = 0; k < OUT_COUNT && rc == 0; k++) {
        if (!(e->outcome_mask & (1u << k)))
            continue;
        const char *name = ipsim__xp_outcomes[k].name, *un = ipsim__xp_outcomes[k].units;
        /* scope 0: totals; 1: by market; 2: by segment */
        for (int scope = 0; scope < 3 && rc == 0; scope++) {
            int n = scope == 0 ? 1 : scope == 1 ? M : IPSIM_N_SEGMENTS;
            if (scope > 0 && k >= XP_N_SPLIT)
                break;
            if (scope > 0 && e->type != XP_ARMS)
                break;
            gather(d, scope == 0 ? (size_t)k : scope == 1 ? off_market(d, k) : off_segment(d, k),
                   (size_t)n, y);
            for (int p = 0; p < P; p++)
                for (int i = 0; i < n; i++) {
                    size_t o = (size_t)p * n + i;
                    ipsim__an_mean_sd(y + (size_t)p * R * n + i, R, (size_t)n, &m[o], &sd[o], NULL);
                    if (e->type == XP_ARMS) {
                        for (int r = 0; r < R; r++) {
                            col[r] = y[((size_t)e->reference * R + r) * n + i];
                            col[R + r] = y[((size_t)p * R + r) * n + i];
                        }
                        an_ci c = ipsim__an_paired_diff(col, col + R, R);
                        df[o] = c.est;
                        lo[o] = c.lo;
                        hi[o] = c.hi;
                    }
                }
            char stat[64];
            const char *pre = scope == 0 ? "" : scope == 1 ? "by_market/" : "by_segment/";
            const int *wh = scope == 0 ? pt : scope == 1 ? ptm : pts;
            int rank = scope == 0 ? 1 : 2;
            if (scope > 0) {
                hid_t g = H5Lexists(a->g, scope == 1 ? "by_market" : "by_segment", H5P_DEFAULT) > 0
                              ? H5Gopen2(a->g, scope == 1 ? "by_market" : "by_segment", H5P_DEFAULT)
                              : group(a->w, a->g, scope == 1 ? "by_market" : "by_segment");
                if (g < 0) {
                    rc = -1;
                    break;
                }
                H5Gclose(g);
            }
            snprintf(stat, sizeof stat, "%smean", pre);
            rc = an_write(a, stat, name, rank, wh, m, un, "mean over replicates");
            snprintf(stat, sizeof stat, "%ssd", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, sd, un, "standard deviation over replicates");
            if (e->type != XP_ARMS)
                continue;
            snprintf(stat, sizeof stat, "%sdiff", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, df, un,
                              "mean paired difference against the reference arm");
            snprintf(stat, sizeof stat, "%sdiff_ci_low", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, lo, un, "95% CI of diff, lower (paired t)");
            snprintf(stat, sizeof stat, "%sdiff_ci_high", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, hi, un, "95% CI of diff, upper (paired t)");
            if (scope == 0 && (k == OUT_ARRIVALS || k == OUT_SPENDING_CNY) && rc == 0) {
                /* return per 10,000 CNY of extra intervention cost */
                double *rv[3] = {df, lo, hi};
                const char *sfx[3] = {"", "_ci_low", "_ci_high"};
                for (int q = 0; q < 3 && rc == 0; q++) {
                    double *ret = m; /* reuse as scratch after writing means */
                    for (int p = 0; p < P; p++) {
                        double extra = e->cost[p] - e->cost[e->reference];
                        ret[p] = extra > 0 ? rv[q][p] / (extra / 10000.0) : NAN;
                    }
                    char nm[64];
                    snprintf(nm, sizeof nm, "extra_%s%s", name, sfx[q]);
                    rc = an_write(a, "per_10k_cny", nm, 1, pt, ret, un,
                                  "paired difference per 10,000 CNY of extra intervention cost");
                }
            }
        }
    }
    if (e->type == XP_ARMS && rc == 0) {
        for (int p = 0; p < P; p++)
            m[p] = e->cost[p] - e->cost[e->reference];
        rc = an_write(a, "per_10k_cny", "extra_cost_cny", 1, pt, m, "CNY",
                      "intervention cost over the reference arm's");
        if (rc == 0)
            rc = ipsim_h5_attr_str(a->g, "reference", e->points[e->reference].name) < 0 ? -1 : 0;
    }
done:
    free(m);
    free(sd);
    free(df);
    free(lo);
    free(hi);
    free(col);
    return rc;
}

static int analyse_factorial(an_ctx *a, double *y)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int k = e->n_params, P = e->n_points, R = d->R, rc = 0;
    int with_inter = e->resolution == 0 || e->resolution >= 5;
    an_ci *mn = malloc(sizeof *mn * (size_t)k), *in = malloc(sizeof *in * (size_t)k * k);
    double *v = malloc(sizeof *v * (size_t)k * k * 3);
    static const int pa[2] = {SC_PARAM, SC_PARAM};
    if (!mn || !in || !v)
        rc = hfail(a->w, "analysis");
    for (int o = 0; o < OUT_COUNT && rc == 0; o++) {
        if (!(e->outcome_mask & (1u << o)))
            continue;
        gather(d, (size_t)o, 1, y);
        ipsim__an_factorial(y, e->factor_x, P, R, k, mn, with_inter ? in : NULL);
        const char *nm = ipsim__xp_outcomes[o].name, *un = ipsim__xp_outcomes[o].units;
        for (int j = 0; j < k; j++) {
            v[j] = mn[j].est;
            v[k + j] = mn[j].lo;
            v[2 * k + j] = mn[j].hi;
        }
        rc = an_write(a, "main_effect", nm, 1, pa, v, un,
                      "mean(on) - mean(off), averaged over replicates");
        if (rc == 0)
            rc = an_write(a, "main_effect_ci_low", nm, 1, pa, v + k, un, "95% CI, lower (t)");
        if (rc == 0)
            rc = an_write(a, "main_effect_ci_high", nm, 1, pa, v + 2 * k, un, "95% CI, upper (t)");
        if (!with_inter || rc != 0)
            continue;
        size_t kk = (size_t)k * k;
        for (size_t i = 0; i < kk; i++) {
            v[i] = in[i].est;
            v[kk + i] = in[i].lo;
            v[2 * kk + i] = in[i].hi;
        }
        rc = an_write(a, "interaction", nm, 2, pa, v, un,
                      "two-way interaction: half the difference of one factor's effect "
                      "with the other on and off");
        if (rc == 0)
            rc = an_write(a, "interaction_ci_low", nm, 2, pa, v + kk, un, "95% CI, lower (t)");
        if (rc == 0)
            rc = an_write(a, "interaction_ci_high", nm, 2, pa, v + 2 * kk, un,
                          "95% CI, upper (t)");
    }
    free(mn);
    free(in);
    free(v);
    return rc;
}

/* Replicate means of outcome o per point into ym. */
static void point_means(const sweep_data *d, int o, double *y, double *ym)
{
    gather(d, (size_t)o, 1, y);
    for (int p = 0; p < d->e->n_points; p++)
        ipsim__an_mean_sd(y + (size_t)p * d->R, d->R, 1, &ym[p], NULL, NULL);
}

static int analyse_sobol(an_ctx *a, double *y, double *ym)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int k = e->n_params, N = e->sobol_n, rc = 0;
    an_ci *f1 = malloc(sizeof *f1 * (size_t)k), *ft = malloc(sizeof *ft * (size_t)k);
    double *v = malloc(sizeof *v * (size_t)k * 6);
    static const int pa[1] = {SC_PARAM};
    if (!f1 || !ft || !v)
        rc = hfail(a->w, "analysis");
    for (int o = 0; o < OUT_COUNT && rc == 0; o++) {
        if (!(e->outcome_mask & (1u << o)))
            continue;
        point_means(d, o, y, ym);
        if (ipsim__an_sobol(ym, ym + N, ym + 2 * (size_t)N, N, k, N_BOOT, BOOT_SEED, f1, ft) != 0) {
            rc = hfail(a->w, "analysis");
            break;
        }
        for (int j = 0; j < k; j++) {
            v[j] = f1[j].est;
            v[k + j] = f1[j].lo;
            v[2 * k + j] = f1[j].hi;
            v[3 * k + j] = ft[j].est;
            v[4 * k + j] = ft[j].lo;
            v[5 * k + j] = ft[j].hi;
        }
        static const char *const st[6] = {"first_order", "first_order_ci_low",
                                          "first_order_ci_high", "total_order",
                                          "total_order_ci_low", "total_order_ci_high"};
        for (int q = 0; q < 6 && rc == 0; q++)
            rc = an_write(a, st[q], ipsim__xp_outcomes[o].name, 1, pa, v + (size_t)q * k, "1",
                          q < 3 ? "Sobol first-order index (Saltelli 2010; bootstrap 95% CI) "
                                  "of the replicate mean"
                                : "Sobol total index (Jansen 1999; bootstrap 95% CI) of the "
                                  "replicate mean");
    }
    free(f1);
    free(ft);
    free(v);
    return rc;
}

static int analyse_morris(an_ctx *a, double *y, double *ym)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int k = e->n_params, P = e->n_points, rc = 0;
    double *x = malloc(sizeof *x * (size_t)P * k), *v = malloc(sizeof *v * (size_t)k * 3);
    static const int pa[1] = {SC_PARAM};
    if (!x || !v)
        rc = hfail(a->w, "analysis");
    for (int p = 0; p < P && rc == 0; p++)
        for (int j = 0; j < k; j++)
            x[(size_t)p * k + j] =
                (e->design[(size_t)j * P + p] - e->lo[j]) / (e->hi[j] - e->lo[j]);
    for (int o = 0; o < OUT_COUNT && rc == 0; o++) {
        if (!(e->outcome_mask & (1u << o)))
            continue;
        point_means(d, o, y, ym);
        ipsim__an_morris(x, ym, e->morris_r, k, v, v + k, v + 2 * k);
        const char *un = ipsim__xp_outcomes[o].units;
        rc = an_write(a, "mu_star", ipsim__xp_outcomes[o].name, 1, pa, v, un,
                      "mean absolute elementary effect per unit of the scaled range");
        if (rc == 0)
            rc = an_write(a, "mu", ipsim__xp_outcomes[o].name, 1, pa, v + k, un,
                          "mean elementary effect");
        if (rc == 0)
            rc = an_write(a, "sigma", ipsim__xp_outcomes[o].name, 1, pa, v + 2 * k, un,
                          "standard deviation of the elementary effects");
    }
    free(x);
    free(v);
    return rc;
}

static int write_analysis(hw *w, const sweep_data *d, const hid_t *sc)
{
    const ipsim_experiment *e = d->e;
    size_t n = (size_t)e->n_points * d->R * (e->n_markets > 2 ? e->n_markets : 2);
    double *y = malloc(sizeof *y * n), *ym = malloc(sizeof *ym * (size_t)e->n_points);
    an_ctx a = {w, d, sc, group(w, w->file, "analysis")};
    int rc = a.g >= 0 && y && ym ? 0 : hfail(w, "analysis");
    if (rc == 0)
        rc = ipsim_h5_attr_str(a.g, "design", ipsim__xp_design_names[e->type]);
    if (rc == 0)
        rc = analyse_points(&a, y);
    if (rc == 0 && e->type == XP_FACTORIAL)
        rc = analyse_factorial(&a, y);
    if (rc == 0 && e->type == XP_SOBOL)
        rc = analyse_sobol(&a, y, ym);
    if (rc == 0 && e->type == XP_MORRIS)
        rc = analyse_morris(&a, y, ym);
    if (a.g >= 0)
        H5Gclose(a.g);
    free(y);
    free(ym);
    return rc;
}

/* ---- writing the file --------------------------------------------------- */

static int write_root(hw *w, const sweep_data *d)
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
    snprintf(hist, sizeof hist, "%s ipsim sweep %s (%s design, %d points x %d replicates%s%s)",
             now, e->name, ipsim__xp_design_names[e->type], P, R, *shard ? ", shard " : "", shard);
    if (ipsim_h5_attr_str(f, "ipsim_kind", "sweep") < 0 || ipsim_h5_attr_str(f, "ipsim_version", ipsim_version()) < 0 ||
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
        ipsim_h5_attr_num(f, "units_done", H5T_NATIVE_INT, &done) < 0 || ipsim_h5_attr_str(f, "shard", shard) < 0 ||
        ipsim_h5_attr_str(f, "fingerprint", fp) < 0 ||
        ipsim_h5_attr_num(f, "resolution", H5T_NATIVE_INT, &e->resolution) < 0 ||
        ipsim_h5_attr_str(f, "Conventions", "CF-1.8") < 0 || ipsim_h5_attr_str(f, "title", title) < 0 ||
        ipsim_h5_attr_str(f, "source", src) < 0 || ipsim_h5_attr_str(f, "history", hist) < 0 ||
        ipsim_h5_attr_num(f, "wall_seconds", H5T_NATIVE_DOUBLE, &d->wall) < 0)
        return hfail(w, "(root attributes)");
    return 0;
}

static int write_contents(hw *w, const sweep_data *d)
{
    const ipsim_experiment *e = d->e;
    int P = e->n_points, R = d->R, M = e->n_markets;
    hid_t sc[N_SC] = {-1, -1, -1, -1, -1, -1};
    const char **names = malloc(sizeof *names * (size_t)(P > M ? P : M) + 8 * XP_MAX_PARAMS);
    size_t nbuf = (size_t)P * R * (M > 2 ? M : 2);
    double *buf = malloc(sizeof *buf * (nbuf > (size_t)P ? nbuf : (size_t)P));
    int rc = names && buf ? 0 : hfail(w, "(memory)");
    if (rc == 0)
        rc = write_root(w, d);
    if (rc == 0) {
        hid_t t = ipsim_h5_str_type();
        hid_t ds = t >= 0 ? dataset(w, w->file, "experiment", t, 0, NULL, &e->json_text) : -1;
        if (ds < 0 || ipsim_h5_attr_str(ds, "long_name", "the experiment (JSON)") < 0)
            rc = hfail(w, "experiment");
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
        sc[SC_SEGMENT] = make_scale(w, strings(w, w->file, "segment", IPSIM_N_SEGMENTS,
                                               ipsim_segment_names),
                                    "segment", "consumer segment (cec: core experiential consumers)");
        if (e->n_params > 0) {
            for (int j = 0; j < e->n_params; j++)
                names[j] = e->param[j];
            sc[SC_PARAM] = make_scale(w, strings(w, w->file, "parameter", (hsize_t)e->n_params,
                                                 names),
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
            rc = hfail(w, "point_name");
        if (ds >= 0)
            H5Dclose(ds);
        if (rc == 0)
            rc = variable(w, w->file, "cost_cny", 1, &dim, &sc[SC_POINT], e->cost, "CNY",
                          "sum of the cost_cny of the point's interventions");
    }
    if (rc == 0) {
        hid_t g = group(w, w->file, "design");
        hsize_t dim = (hsize_t)P;
        rc = g >= 0 ? 0 : -1;
        for (int j = 0; j < e->n_params && rc == 0; j++)
            rc = variable(w, g, e->param[j], 1, &dim, &sc[SC_POINT],
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
    if (rc == 0) {
        hid_t g = group(w, w->file, "units");
        hsize_t dims[2] = {(hsize_t)P, (hsize_t)R};
        unsigned char *done = malloc((size_t)P * R);
        rc = g >= 0 && done ? 0 : hfail(w, "units");
        for (int u = 0; rc == 0 && u < P * R; u++)
            done[u] = d->state[u] == SW_DONE;
        hid_t ds = rc == 0 ? dataset(w, g, "done", H5T_NATIVE_UINT8, 2, dims, done) : -1;
        if (ds < 0 || H5DSattach_scale(ds, sc[SC_POINT], 0) < 0 ||
            H5DSattach_scale(ds, sc[SC_REP], 1) < 0 || H5DSset_label(ds, 0, "point") < 0 ||
            H5DSset_label(ds, 1, "replicate") < 0 || ipsim_h5_attr_str(ds, "units", "1") < 0 ||
            ipsim_h5_attr_str(ds, "long_name", "1 when the unit's outcomes are present") < 0)
            rc = hfail(w, "units/done");
        if (ds >= 0)
            H5Dclose(ds);
        hid_t s2[2] = {sc[SC_POINT], sc[SC_REP]};
        if (rc == 0)
            rc = variable(w, g, "run_seconds", 2, dims, s2, d->secs, "s",
                          "wall time of the unit's model (create and run)");
        free(done);
        if (g >= 0)
            H5Gclose(g);
    }
    if (rc == 0 && d->complete)
        rc = write_analysis(w, d, sc);
    for (int i = 0; i < N_SC; i++)
        if (sc[i] >= 0)
            H5Dclose(sc[i]);
    free(names);
    free(buf);
    return rc == 0 && !w->failed ? 0 : -1;
}

static herr_t first_err(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    char *buf = data;
    if (!buf[0] && e->desc)
        snprintf(buf, 120, "%s", e->desc);
    return 0;
}

/* Build the file in memory, write OUT.tmp, fsync, rename over OUT. */
static ipsim_status write_file(const sweep_data *d, const char *out, char *err, size_t errlen)
{
    H5E_auto2_t old_fn = NULL;
    void *old_data = NULL;
    hw w = {.file = -1};
    void *image = NULL;
    ssize_t size = 0;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
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
    int rc = w.file >= 0 ? write_contents(&w, d) : hfail(&w, "(file)");
    if (rc == 0 && H5Fflush(w.file, H5F_SCOPE_GLOBAL) >= 0 &&
        (size = H5Fget_file_image(w.file, NULL, 0)) > 0 && (image = malloc((size_t)size)) &&
        H5Fget_file_image(w.file, image, (size_t)size) == size)
        rc = 0;
    else
        rc = -1;
    char why[128] = "";
    if (rc != 0)
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_err, why);
    if (w.file >= 0)
        H5Fclose(w.file);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    if (rc != 0) {
        free(image);
        ipsim_set_error(err, errlen, "%s: cannot write %s: %s", out, w.what[0] ? w.what : "the file",
                why[0] ? why : "HDF5 library error");
        return IPSIM_ERR_IO;
    }
    char *tmp = cat(out, ".tmp");
    int fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : -1;
    int ok = fd >= 0 && write_all(fd, image, (size_t)size) == 0 && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    free(image);
    if (ok && rename(tmp, out) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        if (tmp)
            unlink(tmp);
        ipsim_set_error(err, errlen, "%s: cannot write: %s", out, strerror(e));
    } else {
        sync_parent(out);
    }
    free(tmp);
    return ok ? IPSIM_OK : IPSIM_ERR_IO;
}

ipsim_status ipsim__sw_finish(sw_state *s, double wall, ipsim_sweep_result *res, char *err,
                       size_t errlen)
{
    int n = ipsim__sw_shard_units(s), done = ipsim__sw_done(s), failed = 0;
    for (int u = 0; u < s->U; u++)
        if (in_shard(s, u))
            failed += s->state[u] == SW_FAILED;
    if (res) {
        res->units = n;
        res->done = done;
        res->left = n - done - failed;
        res->wall_seconds = wall;
    }
    if (done < n)
        return IPSIM_OK;
    sweep_data d = {s->e, s->R, s->scale, s->nv, s->vals, s->state, s->secs,
                    s->shard_k, s->shard_n, s->fp, wall, s->shard_n <= 1};
    ipsim_status st = write_file(&d, s->out, err, errlen);
    if (st == IPSIM_OK) {
        close(s->fd);
        s->fd = -1;
        unlink(s->journal);
        sync_parent(s->journal);
    }
    return st;
}

/* ---- the serial driver -------------------------------------------------- */

typedef struct {
    const ipsim_sweep_options *o;
    ipsim_sweep_progress p;
} progress_relay;

static int relay_stop(void *ud)
{
    progress_relay *r = ud;
    return r->o && r->o->progress ? r->o->progress(r->o->userdata, &r->p) : 0;
}

ipsim_status ipsim_sweep_run(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                             ipsim_sweep_result *res, char *err, size_t errlen)
{
    sw_state *s = NULL;
    double t0 = now_s();
    if (res)
        memset(res, 0, sizeof *res);
    if (!e || !out || !*out) {
        ipsim_set_error(err, errlen, "ipsim_sweep_run: no experiment or no output path");
        return IPSIM_ERR_USAGE;
    }
    ipsim_status st = ipsim__sw_open(e, out, o, &s, err, errlen);
    if (st != IPSIM_OK)
        return st;
    double *v = malloc(sizeof *v * ipsim__sw_values(s));
    if (!v) {
        ipsim__sw_close(s);
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    progress_relay pr = {o, {ipsim__sw_shard_units(s), ipsim__sw_done(s), 0, 0.0, NAN}};
    int before = pr.p.done, failed = 0, stopped = 0, cursor = 0, u;
    double run = 0.0;
    ipsim_status first_fail = IPSIM_OK;
    char ferr[1024] = "";
    if (res) {
        res->done_before = before;
        res->failed = 0;
    }
    while (!stopped && (u = ipsim__sw_next(s, &cursor)) >= 0) {
        double secs = 0.0;
        char uerr[1024] = "";
        ipsim_status ust = ipsim__xp_run_unit(e, u / s->R, u % s->R, o, v, &secs, relay_stop, &pr, uerr,
                                       sizeof uerr);
        if (ust == IPSIM_ERR_INTERRUPTED) {
            stopped = 1;
            break;
        }
        st = ipsim__sw_record(s, u, ust == IPSIM_OK ? SW_DONE : SW_FAILED, secs, v, err, errlen);
        if (st != IPSIM_OK)
            break;
        if (ust != IPSIM_OK) {
            failed++;
            if (first_fail == IPSIM_OK) {
                first_fail = ust;
                snprintf(ferr, sizeof ferr, "%s", uerr);
            }
        } else {
            pr.p.done++;
            run += secs;
        }
        pr.p.failed = failed;
        pr.p.elapsed = now_s() - t0;
        int now_done = pr.p.done - before;
        pr.p.eta = now_done > 0 ? pr.p.elapsed / now_done * (pr.p.units - pr.p.done - failed)
                                : NAN;
        if (relay_stop(&pr))
            stopped = 1;
    }
    free(v);
    if (st == IPSIM_OK)
        st = ipsim__sw_finish(s, now_s() - t0, res, err, errlen);
    if (res) {
        res->failed = failed;
        res->left -= 0;
        res->run_seconds = run;
        res->wall_seconds = now_s() - t0;
    }
    if (st == IPSIM_OK && failed > 0) {
        ipsim_set_error(err, errlen, "%d unit%s failed (first: %s); --resume retries them", failed,
                failed == 1 ? "" : "s", ferr);
        st = first_fail;
    } else if (st == IPSIM_OK && (stopped || (res && res->left > 0))) {
        ipsim_set_error(err, errlen, "interrupted");
        st = IPSIM_ERR_INTERRUPTED;
    }
    ipsim__sw_close(s);
    return st;
}

#ifndef IPSIM_HAVE_MPI
ipsim_status ipsim_sweep_run_mpi(ipsim_experiment *e, const char *out,
                                 const ipsim_sweep_options *o, ipsim_sweep_result *res,
                                 char *err, size_t errlen)
{
    return ipsim_sweep_run(e, out, o, res, err, errlen);
}
#endif

/* ---- reading sweep files ------------------------------------------------ */




/* All doubles of a dataset (caller frees), its element count in *n. */
static double *read_doubles(hid_t f, const char *path, size_t *n)
{
    hid_t ds = H5Lexists(f, path, H5P_DEFAULT) > 0 ? H5Dopen2(f, path, H5P_DEFAULT) : -1;
    double *v = NULL;
    *n = 0;
    if (ds < 0)
        return NULL;
    hid_t sp = H5Dget_space(ds);
    hssize_t k = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (k >= 0 && (v = malloc(sizeof *v * (size_t)(k > 0 ? k : 1))) &&
        (k == 0 || H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0)) {
        *n = (size_t)k;
    } else {
        free(v);
        v = NULL;
    }
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(ds);
    return v;
}

/* Strings of a 1-D dataset or a scalar (caller frees each and the array). */
static char **read_strings(hid_t f, const char *path, size_t *n)
{
    hid_t ds = H5Lexists(f, path, H5P_DEFAULT) > 0 ? H5Dopen2(f, path, H5P_DEFAULT) : -1;
    char **v = NULL;
    *n = 0;
    if (ds < 0)
        return NULL;
    hid_t sp = H5Dget_space(ds), t = ipsim_h5_str_type();
    hssize_t k = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (k > 0 && t >= 0 && (v = calloc((size_t)k, sizeof *v)) &&
        H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
        *n = (size_t)k;
        for (size_t i = 0; i < *n; i++) { /* own copies, freeable with free() */
            char *c = v[i] ? cat(v[i], "") : cat("", "");
            if (v[i])
                H5free_memory(v[i]);
            v[i] = c;
        }
    } else {
        free(v);
        v = NULL;
    }
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(ds);
    return v;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* A sweep file read back: its experiment (with costs, markets, days, seed
 * and scale as recorded) and its units. */
typedef struct {
    ipsim_experiment *e;
    int R;
    double scale;
    size_t nv;
    double *vals;
    unsigned char *state;
    double *secs;
    char fp[32], shard[32];
} sweep_file;

static void sweep_file_free(sweep_file *s)
{
    ipsim_experiment_destroy(s->e);
    free(s->vals);
    free(s->state);
    free(s->secs);
}

/* Scatter out[point][replicate][n] (dataset layout) into the units. */
static void scatter(sweep_file *s, size_t off, size_t n, const double *in)
{
    size_t U = (size_t)s->e->n_points * s->R;
    for (size_t u = 0; u < U; u++)
        for (size_t i = 0; i < n; i++)
            s->vals[u * s->nv + off + i] = in[u * n + i];
}

static ipsim_status read_sweep(const char *path, sweep_file *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    hid_t f = ipsim_h5_open_readonly(path);
    char kind[32] = "";
    ipsim_status st = IPSIM_ERR_DATA;
    size_t n = 0, nm = 0;
    char **json = NULL, **markets = NULL;
    double *v = NULL;
    if (f < 0 || ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) != 0 || strcmp(kind, "sweep")) {
        ipsim_set_error(err, errlen, "%s: not an ipsim sweep file", path);
        goto done;
    }
    int days = 0;
    uint64_t seed = 0;
    if (ipsim_h5_attr_value(f, "replicates", H5T_NATIVE_INT, &s->R) || ipsim_h5_attr_value(f, "days", H5T_NATIVE_INT, &days) ||
        ipsim_h5_attr_value(f, "scale", H5T_NATIVE_DOUBLE, &s->scale) ||
        ipsim_h5_attr_value(f, "seed", H5T_NATIVE_UINT64, &seed) ||
        ipsim_h5_attr_text(f, "fingerprint", s->fp, sizeof s->fp) ||
        ipsim_h5_attr_text(f, "shard", s->shard, sizeof s->shard) ||
        !(json = read_strings(f, "experiment", &n)) || n != 1 ||
        !(markets = read_strings(f, "market", &nm)) || nm < 1 || s->R < 1) {
        ipsim_set_error(err, errlen, "%s: incomplete sweep file (attributes, /experiment or /market "
                "missing)", path);
        goto done;
    }
    cJSON *root = cJSON_Parse(json[0]);
    char why[1024] = "";
    st = root ? ipsim__xp_from_json(root, path, NULL, &s->e, why, sizeof why) : IPSIM_ERR_DATA;
    cJSON_Delete(root);
    if (st != IPSIM_OK) {
        ipsim_set_error(err, errlen, "%s: /experiment: %s", path, why[0] ? why : "not JSON");
        goto done;
    }
    ipsim_experiment *e = s->e;
    st = IPSIM_ERR_DATA;
    e->run_seed = seed;
    e->days = days;
    e->scale = s->scale;
    e->n_markets = (int)nm;
    e->market = calloc(nm, sizeof *e->market);
    if (!e->market)
        goto done;
    for (size_t m = 0; m < nm; m++)
        snprintf(e->market[m], IPSIM_NAME_MAX, "%s", markets[m]);
    e->cost = read_doubles(f, "cost_cny", &n);
    if (!e->cost || n != (size_t)e->n_points) {
        ipsim_set_error(err, errlen, "%s: /cost_cny missing or of the wrong size", path);
        goto done;
    }
    s->nv = ipsim__xp_unit_values(e);
    size_t U = (size_t)e->n_points * s->R, M = nm;
    s->vals = malloc(sizeof *s->vals * U * s->nv);
    s->state = calloc(U, 1);
    s->secs = read_doubles(f, "units/run_seconds", &n);
    if (!s->vals || !s->state || !s->secs || n != U) {
        ipsim_set_error(err, errlen, "%s: /units missing or of the wrong size", path);
        goto done;
    }
    sweep_data dd = {.e = e, .R = s->R};
    for (int k = 0; k < OUT_COUNT + 2 * XP_N_SPLIT + e->n_daily; k++) {
        char p[128];
        size_t off, cnt;
        if (k < OUT_COUNT) {
            snprintf(p, sizeof p, "outcomes/%s", ipsim__xp_outcomes[k].name);
            off = (size_t)k;
            cnt = 1;
        } else if (k < OUT_COUNT + XP_N_SPLIT) {
            snprintf(p, sizeof p, "outcomes_by_market/%s", ipsim__xp_outcomes[k - OUT_COUNT].name);
            off = off_market(&dd, k - OUT_COUNT);
            cnt = M;
        } else if (k < OUT_COUNT + 2 * XP_N_SPLIT) {
            snprintf(p, sizeof p, "outcomes_by_segment/%s",
                     ipsim__xp_outcomes[k - OUT_COUNT - XP_N_SPLIT].name);
            off = off_segment(&dd, k - OUT_COUNT - XP_N_SPLIT);
            cnt = IPSIM_N_SEGMENTS;
        } else {
            int q = k - OUT_COUNT - 2 * XP_N_SPLIT;
            snprintf(p, sizeof p, "daily/%s", ipsim_metric_table[e->daily[q]].name);
            off = off_daily(&dd, q);
            cnt = (size_t)days * M * IPSIM_N_SEGMENTS;
        }
        v = read_doubles(f, p, &n);
        if (!v || n != U * cnt) {
            ipsim_set_error(err, errlen, "%s: /%s missing or of the wrong size", path, p);
            goto done;
        }
        scatter(s, off, cnt, v);
        free(v);
        v = NULL;
    }
    v = read_doubles(f, "units/done", &n);
    if (!v || n != U) {
        ipsim_set_error(err, errlen, "%s: /units/done missing or of the wrong size", path);
        goto done;
    }
    for (size_t u = 0; u < U; u++)
        s->state[u] = v[u] == 1.0 ? SW_DONE : SW_TODO;
    st = IPSIM_OK;
done:
    free(v);
    free_strings(json, json ? 1 : 0);
    free_strings(markets, nm);
    if (f >= 0)
        H5Fclose(f);
    if (st != IPSIM_OK) {
        sweep_file_free(s);
        memset(s, 0, sizeof *s);
    }
    return st;
}

ipsim_status ipsim_sweep_merge(const char *out, const char *const *shards, int n, int force,
                               char *err, size_t errlen)
{
    struct stat sb;
    sweep_file acc, one;
    ipsim_status st;
    if (!out || !shards || n < 1) {
        ipsim_set_error(err, errlen, "merge: expected an output and at least one shard");
        return IPSIM_ERR_USAGE;
    }
    if (!force && lstat(out, &sb) == 0) {
        ipsim_set_error(err, errlen, "%s: already exists; use --force to overwrite it", out);
        return IPSIM_ERR_EXISTS;
    }
    for (int i = 0; i < n; i++)
        if (access(shards[i], R_OK) != 0) {
            ipsim_set_error(err, errlen, "%s: cannot open: %s", shards[i], strerror(errno));
            return IPSIM_ERR_NOINPUT;
        }
    H5E_auto2_t old_fn = NULL;
    void *old_data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    st = read_sweep(shards[0], &acc, err, errlen);
    for (int i = 1; i < n && st == IPSIM_OK; i++) {
        st = read_sweep(shards[i], &one, err, errlen);
        if (st != IPSIM_OK)
            break;
        if (strcmp(one.fp, acc.fp) != 0 || one.nv != acc.nv || one.R != acc.R ||
            one.e->n_points != acc.e->n_points) {
            ipsim_set_error(err, errlen, "%s: belongs to a different sweep than %s (fingerprint %s, not "
                    "%s)", shards[i], shards[0], one.fp, acc.fp);
            st = IPSIM_ERR_DATA;
        }
        size_t U = (size_t)acc.e->n_points * acc.R;
        for (size_t u = 0; st == IPSIM_OK && u < U; u++)
            if (one.state[u] == SW_DONE && acc.state[u] != SW_DONE) {
                acc.state[u] = SW_DONE;
                acc.secs[u] = one.secs[u];
                memcpy(acc.vals + u * acc.nv, one.vals + u * acc.nv, acc.nv * sizeof *acc.vals);
            }
        sweep_file_free(&one);
    }
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    if (st != IPSIM_OK) {
        if (n >= 1 && acc.e)
            sweep_file_free(&acc);
        return st;
    }
    size_t U = (size_t)acc.e->n_points * acc.R, missing = 0;
    for (size_t u = 0; u < U; u++)
        missing += acc.state[u] != SW_DONE;
    if (missing) {
        ipsim_set_error(err, errlen, "%s: %zu of %zu units are in none of the %d shard file%s; merge "
                "every shard", out, missing, U, n, n == 1 ? "" : "s");
        sweep_file_free(&acc);
        return IPSIM_ERR_DATA;
    }
    uint64_t fp = strtoull(acc.fp, NULL, 16);
    sweep_data d = {acc.e, acc.R, acc.scale, acc.nv, acc.vals, acc.state, acc.secs, 0, 0, fp,
                    0.0, 1};
    st = write_file(&d, out, err, errlen);
    sweep_file_free(&acc);
    return st;
}

/* ---- report ------------------------------------------------------------- */

typedef ipsim_textbuf sbuf;

/* 1234567.8 -> "1.23e+06"-free readable text: integers grouped, small
 * numbers with 3 significant digits. */
static const char *num(double x, char *buf, size_t len)
{
    if (!isfinite(x))
        snprintf(buf, len, "n/a");
    else if (fabs(x) >= 1000)
        snprintf(buf, len, "%.0f", x);
    else if (fabs(x) >= 1)
        snprintf(buf, len, "%.2f", x);
    else
        snprintf(buf, len, "%.3g", x);
    return buf;
}

static double *an_read(hid_t f, const char *stat, const char *metric, size_t *n)
{
    char p[160];
    snprintf(p, sizeof p, "analysis/%s/%s", stat, metric);
    return read_doubles(f, p, n);
}

static void report_arms(sbuf *b, hid_t f, char **pn, size_t P)
{
    char ref[XP_NAME_MAX] = "?", x1[48], x2[48], x3[48], x4[48], x5[48];
    hid_t g = H5Gopen2(f, "analysis", H5P_DEFAULT);
    if (g >= 0) {
        ipsim_h5_attr_text(g, "reference", ref, sizeof ref);
        H5Gclose(g);
    }
    ipsim_textbuf_printf(b, "\npaired differences against the reference arm \"%s\" (mean over replicates, 95%% CI)\n",
       ref);
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t n1, n2, n3, n4;
        double *m = an_read(f, "mean", ipsim__xp_outcomes[k].name, &n1);
        double *d = an_read(f, "diff", ipsim__xp_outcomes[k].name, &n2);
        double *lo = an_read(f, "diff_ci_low", ipsim__xp_outcomes[k].name, &n3);
        double *hi = an_read(f, "diff_ci_high", ipsim__xp_outcomes[k].name, &n4);
        if (m && d && lo && hi && n1 == P && n2 == P && n3 == P && n4 == P) {
            ipsim_textbuf_printf(b, "  %s\n", ipsim__xp_outcomes[k].name);
            for (size_t p = 0; p < P; p++)
                ipsim_textbuf_printf(b, "    %-34s %16s   diff %14s  [%s, %s]\n", pn[p], num(m[p], x1, sizeof x1),
                   num(d[p], x2, sizeof x2), num(lo[p], x3, sizeof x3), num(hi[p], x4, sizeof x4));
        }
        free(m);
        free(d);
        free(lo);
        free(hi);
    }
    size_t nc, na, nal, nah, ns;
    double *c = an_read(f, "per_10k_cny", "extra_cost_cny", &nc);
    double *a = an_read(f, "per_10k_cny", "extra_arrivals", &na);
    double *al = an_read(f, "per_10k_cny", "extra_arrivals_ci_low", &nal);
    double *ah = an_read(f, "per_10k_cny", "extra_arrivals_ci_high", &nah);
    double *s = an_read(f, "per_10k_cny", "extra_spending_cny", &ns);
    if (c && a && al && ah && s && nc == P && na == P && ns == P) {
        ipsim_textbuf_printf(b, "\nreturn per 10,000 CNY of extra intervention cost (vs the reference)\n");
        for (size_t p = 0; p < P; p++)
            ipsim_textbuf_printf(b, "    %-34s extra cost %14s CNY   arrivals %10s [%s, %s]   spend %12s CNY\n",
               pn[p], num(c[p], x1, sizeof x1), num(a[p], x2, sizeof x2),
               num(al[p], x3, sizeof x3), num(ah[p], x4, sizeof x4), num(s[p], x5, sizeof x5));
    }
    free(c);
    free(a);
    free(al);
    free(ah);
    free(s);
    size_t nm = 0, n1, n2, n3;
    char **mk = read_strings(f, "market", &nm);
    double *d = an_read(f, "by_market/diff", "cec_arrivals", &n1);
    double *lo = an_read(f, "by_market/diff_ci_low", "cec_arrivals", &n2);
    double *hi = an_read(f, "by_market/diff_ci_high", "cec_arrivals", &n3);
    if (mk && d && lo && hi && n1 == P * nm) {
        ipsim_textbuf_printf(b, "\nCEC arrivals by market: paired difference against \"%s\" (95%% CI)\n", ref);
        for (size_t p = 0; p < P; p++) {
            if (strcmp(pn[p], ref) == 0)
                continue;
            ipsim_textbuf_printf(b, "  %s\n", pn[p]);
            for (size_t m = 0; m < nm; m++)
                ipsim_textbuf_printf(b, "    %-20s %14s  [%s, %s]\n", mk[m], num(d[p * nm + m], x1, sizeof x1),
                   num(lo[p * nm + m], x2, sizeof x2), num(hi[p * nm + m], x3, sizeof x3));
        }
    }
    free(d);
    free(lo);
    free(hi);
    d = an_read(f, "by_segment/diff", "arrivals", &n1);
    lo = an_read(f, "by_segment/diff_ci_low", "arrivals", &n2);
    hi = an_read(f, "by_segment/diff_ci_high", "arrivals", &n3);
    if (d && lo && hi && n1 == P * IPSIM_N_SEGMENTS) {
        ipsim_textbuf_printf(b, "\narrivals by segment: paired difference against \"%s\" (95%% CI)\n", ref);
        for (size_t p = 0; p < P; p++)
            for (int sg = 0; sg < IPSIM_N_SEGMENTS && strcmp(pn[p], ref) != 0; sg++)
                ipsim_textbuf_printf(b, "    %-34s %-11s %14s  [%s, %s]\n", pn[p], ipsim_segment_names[sg],
                   num(d[p * 2 + sg], x1, sizeof x1), num(lo[p * 2 + sg], x2, sizeof x2),
                   num(hi[p * 2 + sg], x3, sizeof x3));
    }
    free(d);
    free(lo);
    free(hi);
    free_strings(mk, nm);
}

/* Rows of stat[0..ns-1] per parameter for every outcome present. */
static void report_params(sbuf *b, hid_t f, const char *title, const char *const *stat, int ns,
                          const char *const *head)
{
    size_t np = 0;
    char **pn = read_strings(f, "parameter", &np);
    char x[48];
    ipsim_textbuf_printf(b, "\n%s\n", title);
    for (int k = 0; k < OUT_COUNT && pn; k++) {
        double *v[8] = {0};
        size_t n;
        int ok = 1;
        for (int s = 0; s < ns; s++) {
            v[s] = an_read(f, stat[s], ipsim__xp_outcomes[k].name, &n);
            ok = ok && v[s] && n == np;
        }
        if (ok) {
            ipsim_textbuf_printf(b, "  %-24s", ipsim__xp_outcomes[k].name);
            for (int s = 0; s < ns; s++)
                ipsim_textbuf_printf(b, " %14s", head[s]);
            ipsim_textbuf_printf(b, "\n");
            for (size_t j = 0; j < np; j++) {
                ipsim_textbuf_printf(b, "    %-22s", pn[j]);
                for (int s = 0; s < ns; s++)
                    ipsim_textbuf_printf(b, " %14s", num(v[s][j], x, sizeof x));
                ipsim_textbuf_printf(b, "\n");
            }
        }
        for (int s = 0; s < ns; s++)
            free(v[s]);
    }
    free_strings(pn, np);
}

static void report_interactions(sbuf *b, hid_t f)
{
    size_t np = 0, n1, n2, n3;
    char **pn = read_strings(f, "parameter", &np);
    char x1[48], x2[48], x3[48];
    int any = 0;
    for (int k = 0; k < OUT_COUNT && pn; k++) {
        double *v = an_read(f, "interaction", ipsim__xp_outcomes[k].name, &n1);
        double *lo = an_read(f, "interaction_ci_low", ipsim__xp_outcomes[k].name, &n2);
        double *hi = an_read(f, "interaction_ci_high", ipsim__xp_outcomes[k].name, &n3);
        if (v && lo && hi && n1 == np * np) {
            if (!any)
                ipsim_textbuf_printf(b, "\ntwo-way interactions whose 95%% CI excludes 0\n");
            any = 1;
            for (size_t i = 0; i < np; i++)
                for (size_t j = i + 1; j < np; j++)
                    if (lo[i * np + j] > 0 || hi[i * np + j] < 0)
                        ipsim_textbuf_printf(b, "  %-22s %s x %s: %s [%s, %s]\n", ipsim__xp_outcomes[k].name, pn[i], pn[j],
                           num(v[i * np + j], x1, sizeof x1), num(lo[i * np + j], x2, sizeof x2),
                           num(hi[i * np + j], x3, sizeof x3));
        }
        free(v);
        free(lo);
        free(hi);
    }
    free_strings(pn, np);
}

static void report_means(sbuf *b, hid_t f, char **pn, size_t P)
{
    char x[48];
    ipsim_textbuf_printf(b, "\nmeans over replicates by point%s\n", P > 20 ? " (first 20)" : "");
    ipsim_textbuf_printf(b, "  %-30s", "point");
    for (int k = 0; k < OUT_COUNT; k++)
        ipsim_textbuf_printf(b, " %14.14s", ipsim__xp_outcomes[k].name);
    ipsim_textbuf_printf(b, "\n");
    double *m[OUT_COUNT];
    size_t n[OUT_COUNT];
    for (int k = 0; k < OUT_COUNT; k++)
        m[k] = an_read(f, "mean", ipsim__xp_outcomes[k].name, &n[k]);
    for (size_t p = 0; p < P && p < 20; p++) {
        ipsim_textbuf_printf(b, "  %-30.30s", pn[p]);
        for (int k = 0; k < OUT_COUNT; k++)
            ipsim_textbuf_printf(b, " %14s", m[k] && n[k] == P ? num(m[k][p], x, sizeof x) : "-");
        ipsim_textbuf_printf(b, "\n");
    }
    for (int k = 0; k < OUT_COUNT; k++)
        free(m[k]);
}

static void report(sbuf *b, hid_t f, const char *path)
{
    char name[XP_NAME_MAX] = "?", design[32] = "?", ver[64] = "?", git[64] = "?", seed[32] = "?",
         shard[32] = "";
    int R = 0, P = 0, units = 0, done = 0, res = 0, days = 0;
    double scale = NAN, wall = NAN;
    ipsim_h5_attr_text(f, "experiment_name", name, sizeof name);
    ipsim_h5_attr_text(f, "design", design, sizeof design);
    ipsim_h5_attr_text(f, "ipsim_version", ver, sizeof ver);
    ipsim_h5_attr_text(f, "git_commit", git, sizeof git);
    ipsim_h5_attr_text(f, "seed_string", seed, sizeof seed);
    ipsim_h5_attr_text(f, "shard", shard, sizeof shard);
    ipsim_h5_attr_value(f, "replicates", H5T_NATIVE_INT, &R);
    ipsim_h5_attr_value(f, "points", H5T_NATIVE_INT, &P);
    ipsim_h5_attr_value(f, "units", H5T_NATIVE_INT, &units);
    ipsim_h5_attr_value(f, "units_done", H5T_NATIVE_INT, &done);
    ipsim_h5_attr_value(f, "resolution", H5T_NATIVE_INT, &res);
    ipsim_h5_attr_value(f, "days", H5T_NATIVE_INT, &days);
    ipsim_h5_attr_value(f, "scale", H5T_NATIVE_DOUBLE, &scale);
    ipsim_h5_attr_value(f, "wall_seconds", H5T_NATIVE_DOUBLE, &wall);
    ipsim_textbuf_printf(b, "ipsim sweep file %s\n", path);
    ipsim_textbuf_printf(b, "  %-22s %s\n", "experiment", name);
    ipsim_textbuf_printf(b, "  %-22s %s%s", "design", design, strcmp(design, "factorial") == 0 ? "" : "\n");
    if (strcmp(design, "factorial") == 0) {
        if (res)
            ipsim_textbuf_printf(b, " (regular fraction, resolution %d)\n", res);
        else
            ipsim_textbuf_printf(b, " (full)\n");
    }
    ipsim_textbuf_printf(b, "  %-22s %d points x %d replicates = %d units (%d present)%s%s\n", "units", P, R, units,
       done, *shard ? ", shard " : "", shard);
    ipsim_textbuf_printf(b, "  %-22s %s (common random numbers: replicate r of every point shares streams)\n",
       "seed", seed);
    ipsim_textbuf_printf(b, "  %-22s %g people per agent, %d days\n", "scale", scale, days);
    ipsim_textbuf_printf(b, "  %-22s ipsim %s (git %s)\n", "written by", ver, git);
    if (isfinite(wall))
        ipsim_textbuf_printf(b, "  %-22s %.1f s\n", "wall time", wall);
    if (H5Lexists(f, "analysis", H5P_DEFAULT) <= 0) {
        ipsim_textbuf_printf(b, "\nno analysis in this file (%s); join the shards with 'ipsim merge'\n",
           *shard ? "a shard" : "incomplete");
        return;
    }
    size_t np = 0;
    char **pn = read_strings(f, "point_name", &np);
    if (!pn)
        return;
    if (strcmp(design, "arms") == 0) {
        report_arms(b, f, pn, np);
    } else {
        report_means(b, f, pn, np);
        if (strcmp(design, "factorial") == 0) {
            static const char *const st[3] = {"main_effect", "main_effect_ci_low",
                                              "main_effect_ci_high"};
            static const char *const hd[3] = {"effect", "CI low", "CI high"};
            report_params(b, f, "main effects: mean(on) - mean(off), 95% CI", st, 3, hd);
            report_interactions(b, f);
        } else if (strcmp(design, "sobol") == 0) {
            static const char *const st[6] = {"first_order", "first_order_ci_low",
                                              "first_order_ci_high", "total_order",
                                              "total_order_ci_low", "total_order_ci_high"};
            static const char *const hd[6] = {"S1", "low", "high", "ST", "low", "high"};
            report_params(b, f, "Sobol indices of the replicate means (bootstrap 95% CI)", st, 6,
                          hd);
        } else if (strcmp(design, "morris") == 0) {
            static const char *const st[3] = {"mu_star", "mu", "sigma"};
            static const char *const hd[3] = {"mu*", "mu", "sigma"};
            report_params(b, f, "Morris elementary effects (per unit of the scaled range)", st, 3,
                          hd);
        }
    }
    free_strings(pn, np);
}

ipsim_status ipsim_sweep_report(const char *path, char **text, char *err, size_t errlen)
{
    if (text)
        *text = NULL;
    if (!path || !text) {
        ipsim_set_error(err, errlen, "ipsim_sweep_report: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    if (access(path, R_OK) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return IPSIM_ERR_NOINPUT;
    }
    H5E_auto2_t old_fn = NULL;
    void *old_data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = ipsim_h5_open_readonly(path);
    char kind[32] = "";
    ipsim_status st = IPSIM_OK;
    sbuf b = {0};
    if (f < 0 || ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) != 0 || strcmp(kind, "sweep")) {
        ipsim_set_error(err, errlen, "%s: not an ipsim sweep file", path);
        st = IPSIM_ERR_DATA;
    } else {
        report(&b, f, path);
    }
    if (f >= 0)
        H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    if (st == IPSIM_OK && (b.oom || !b.p)) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
    }
    if (st == IPSIM_OK)
        *text = b.p;
    else
        free(b.p);
    return st;
}
