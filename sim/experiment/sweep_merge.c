/*
 * sweep_merge.c - reads sweep files back (their experiment, with costs,
 * markets, days, seed and scale as recorded, their identity and their
 * units) and joins the shards of a sweep into one complete file
 * (ipsim_sweep_merge).
 *
 * A sweep file given to merge may be corrupt or hostile: it must be a
 * regular file (a FIFO is refused at once), every attribute is checked for
 * kind and range, the experiment is checked as an experiment file is, and
 * every dataset must have exactly the shape the attributes and the
 * experiment imply (sweep_h5read.c) before it is read; the memory all of
 * it needs is estimated first. Anything else: IPSIM_ERR_DATA (exit 65).
 * Shards merge only when their identities (sweep_identity.c) are the same;
 * otherwise the message names the first difference.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "json/json_path.h"
#include "experiment/posterior_draws.h"
#include "experiment/sweep.h"
#include "experiment/sweep_file.h"
#include "experiment/windows.h"
#include "io/h5util.h"
#include "io/safe_file.h"
#include "base/textbuf.h"

#define TEXT_MAX ((size_t)64 << 20) /* bytes of /experiment or /identity */
#define REPLICATES_MAX 100000       /* as experiment files allow */
#define UNITS_MAX 2e9               /* as ipsim__sw_open allows */
#define SEED_MAX 18446744073709551615.0

/* ---- reading sweep files ------------------------------------------------ */

/* A sweep file read back: its experiment (with costs, markets, days, seed
 * and scale as recorded), its identity and its units. */
typedef struct {
    ipsim_experiment *e;
    int R;
    double scale;
    size_t nv;
    double *vals;
    unsigned char *state;
    double *secs;
    char *identity;
    char fp[32], shard[32];
} sweep_file;

static void sweep_file_free(sweep_file *s)
{
    ipsim_experiment_destroy(s->e);
    free(s->vals);
    free(s->state);
    free(s->secs);
    free(s->identity);
    memset(s, 0, sizeof *s);
}

/* Scatter in[point][replicate][n] (dataset layout) into the units. */
static void scatter(sweep_file *s, size_t off, size_t n, const double *in)
{
    size_t U = (size_t)s->e->n_points * s->R;
    for (size_t u = 0; u < U; u++)
        for (size_t i = 0; i < n; i++)
            s->vals[u * s->nv + off + i] = in[u * n + i];
}

/* 0 when text is "" or "K/N" with 1 <= K <= N. */
static int check_shard(const char *text)
{
    int k = 0, n = 0, used = 0;
    if (!*text)
        return 0;
    return sscanf(text, "%d/%d%n", &k, &n, &used) == 2 && text[used] == '\0' && k >= 1 && k <= n
               ? 0
               : -1;
}

/* 0 when text is 16 lowercase hex digits. */
static int check_fingerprint(const char *text)
{
    if (strlen(text) != 16)
        return -1;
    for (const char *p = text; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return -1;
    return 0;
}

/* Open path as an existing regular file for HDF5 (a FIFO, device or
 * directory is refused before HDF5 could block on it). */
static hid_t open_sweep(const char *path, ipsim_status *st, char *err, size_t errlen)
{
    int fd = ipsim__safe_open_input(path, O_RDONLY, 0, "sweep file", st, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    hid_t f = ipsim_h5_open_readonly(path);
    char kind[32] = "";
    if (f < 0 || ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) != 0 ||
        strcmp(kind, "sweep") != 0) {
        ipsim_set_error(err, errlen, "%s: not an ipsim sweep file", path);
        *st = IPSIM_ERR_DATA;
        if (f >= 0)
            H5Fclose(f);
        return -1;
    }
    return f;
}

/* The root attributes, checked: replicates, days, scale, seed, points,
 * units, fingerprint, shard. */
static int read_attributes(hid_t f, sweep_file *s, int *days, int *points, uint64_t *seed)
{
    double r, d, p, u, done;
    if (ipsim__swr_attr_number(f, "replicates", 1, REPLICATES_MAX, 1, &r) ||
        ipsim__swr_attr_number(f, "days", 1, IPSIM_MAX_DAYS, 1, &d) ||
        ipsim__swr_attr_number(f, "scale", 1, HUGE_VAL, 0, &s->scale) ||
        ipsim__swr_attr_number(f, "points", 1, XP_MAX_POINTS, 1, &p) ||
        ipsim__swr_attr_number(f, "units", 1, UNITS_MAX, 1, &u) || u != p * r ||
        ipsim__swr_attr_number(f, "units_done", 0, u, 1, &done) ||
        ipsim__swr_attr_number(f, "seed", 0, SEED_MAX, 1, &(double){0}) ||
        ipsim_h5_attr_value(f, "seed", H5T_NATIVE_UINT64, seed) ||
        ipsim_h5_attr_text(f, "fingerprint", s->fp, sizeof s->fp) || check_fingerprint(s->fp) ||
        ipsim_h5_attr_text(f, "shard", s->shard, sizeof s->shard) || check_shard(s->shard))
        return -1;
    s->R = (int)r;
    *days = (int)d;
    *points = (int)p;
    return 0;
}

/* The experiment of /experiment, with the recorded seed, days, scale and
 * markets; checked against the attributes. */
static ipsim_status read_experiment(hid_t f, const char *path, sweep_file *s, int days, int points,
                                    uint64_t seed, char *err, size_t errlen)
{
    size_t nm = 0;
    char *json = ipsim__swr_text(f, "experiment", TEXT_MAX);
    char **markets = ipsim_h5_read_strings(f, "market", 1, &nm);
    ipsim_status st = IPSIM_ERR_DATA;
    if (!json || !markets || nm < 1 || nm > IPSIM_MAX_MARKETS) {
        ipsim_set_error(err, errlen, "%s: /experiment or /market missing or not valid", path);
        goto done;
    }
    cJSON *root = NULL;
    char why[1024] = "";
    st = ipsim_json_parse(json, strlen(json), &root, why, sizeof why);
    if (st == IPSIM_OK)
        st = ipsim__xp_from_json(root, path, NULL, &s->e, why, sizeof why);
    cJSON_Delete(root);
    if (st != IPSIM_OK) {
        ipsim_set_error(err, errlen, "%s: /experiment: %s", path, why[0] ? why : "not JSON");
        st = st == IPSIM_ERR_NOMEM ? st : IPSIM_ERR_DATA;
        goto done;
    }
    st = IPSIM_ERR_DATA;
    ipsim_experiment *e = s->e;
    if (e->n_points != points) {
        ipsim_set_error(err, errlen, "%s: /experiment has %d points, the attribute points says %d",
                        path, e->n_points, points);
        goto done;
    }
    e->run_seed = seed;
    e->days = days;
    e->scale = s->scale;
    e->n_markets = (int)nm;
    e->market = calloc(nm, sizeof *e->market);
    e->cost = malloc(sizeof *e->cost * (size_t)e->n_points);
    if (!e->market || !e->cost) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
        goto done;
    }
    for (size_t m = 0; m < nm; m++)
        snprintf(e->market[m], IPSIM_NAME_MAX, "%s", markets[m]);
    hsize_t dim = (hsize_t)e->n_points;
    if (ipsim__swr_read(f, "cost_cny", 1, &dim, e->cost) != 0) {
        ipsim_set_error(err, errlen, "%s: /cost_cny missing or not [point] numbers", path);
        goto done;
    }
    st = IPSIM_OK;
done:
    free(json);
    ipsim_h5_free_strings(markets, nm);
    return st;
}

/* Every unit's numbers, each dataset checked for its exact shape first. */
static ipsim_status read_units(hid_t f, const char *path, sweep_file *s, char *err, size_t errlen)
{
    const ipsim_experiment *e = s->e;
    size_t U = (size_t)e->n_points * s->R, M = (size_t)e->n_markets;
    size_t block = (size_t)e->days * M * IPSIM_N_SEGMENTS;
    size_t widest = block > M ? block : M;
    double *v = malloc(sizeof *v * U * (widest > IPSIM_N_SEGMENTS ? widest : IPSIM_N_SEGMENTS));
    s->vals = malloc(sizeof *s->vals * U * s->nv);
    s->state = calloc(U, 1);
    s->secs = malloc(sizeof *s->secs * U);
    if (!v || !s->vals || !s->state || !s->secs) {
        free(v);
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    sweep_data dd = {.e = e, .R = s->R};
    hsize_t P = (hsize_t)e->n_points, R = (hsize_t)s->R;
    char p[320] = "units/run_seconds";
    hsize_t d2[2] = {P, R};
    int rc = ipsim__swr_read(f, p, 2, d2, s->secs);
    for (int k = 0; rc == 0 && k < OUT_COUNT + 2 * XP_N_SPLIT + e->n_daily; k++) {
        size_t off;
        int rank;
        hsize_t dims[5] = {P, R, 0, 0, 0};
        if (k < OUT_COUNT) {
            snprintf(p, sizeof p, "outcomes/%s", ipsim__xp_outcomes[k].name);
            off = (size_t)k;
            rank = 2;
        } else if (k < OUT_COUNT + XP_N_SPLIT) {
            snprintf(p, sizeof p, "outcomes_by_market/%s", ipsim__xp_outcomes[k - OUT_COUNT].name);
            off = off_market(&dd, k - OUT_COUNT);
            rank = 3;
            dims[2] = M;
        } else if (k < OUT_COUNT + 2 * XP_N_SPLIT) {
            snprintf(p, sizeof p, "outcomes_by_segment/%s",
                     ipsim__xp_outcomes[k - OUT_COUNT - XP_N_SPLIT].name);
            off = off_segment(&dd, k - OUT_COUNT - XP_N_SPLIT);
            rank = 3;
            dims[2] = IPSIM_N_SEGMENTS;
        } else {
            int q = k - OUT_COUNT - 2 * XP_N_SPLIT;
            snprintf(p, sizeof p, "daily/%s", ipsim_metric_table[e->daily[q]].name);
            off = off_daily(&dd, q);
            rank = 5;
            dims[2] = (hsize_t)e->days;
            dims[3] = M;
            dims[4] = IPSIM_N_SEGMENTS;
        }
        size_t cnt = 1;
        for (int i = 2; i < rank; i++)
            cnt *= (size_t)dims[i];
        rc = ipsim__swr_read(f, p, rank, dims, v);
        if (rc == 0)
            scatter(s, off, cnt, v);
    }
    for (int k = OUT_COUNT; rc == 0 && k < ipsim__xp_n_outcomes(e); k++) {
        xp_outcome_desc od;
        ipsim__xp_outcome_desc(e, k, &od);
        snprintf(p, sizeof p, "outcomes/%s", od.name);
        rc = ipsim__swr_read(f, p, 2, d2, v);
        if (rc == 0)
            scatter(s, od.offset, 1, v);
    }
    if (rc == 0) {
        snprintf(p, sizeof p, "units/done");
        rc = ipsim__swr_read(f, p, 2, d2, v);
        for (size_t u = 0; rc == 0 && u < U; u++) {
            if (v[u] != 0.0 && v[u] != 1.0)
                rc = -1;
            s->state[u] = v[u] == 1.0 ? SW_DONE : SW_TODO;
        }
    }
    free(v);
    if (rc != 0) {
        ipsim_set_error(err, errlen,
                        "%s: /%s missing, or not of the shape the experiment and "
                        "the attributes imply",
                        path, p);
        return IPSIM_ERR_DATA;
    }
    return IPSIM_OK;
}

/* Read the sweep file at path, checked throughout. copies: sweep files
 * whose units will be in memory at once (for the memory check). */
static ipsim_status read_sweep(const char *path, sweep_file *s, int copies, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    ipsim_status st;
    hid_t f = open_sweep(path, &st, err, errlen);
    int days = 0, points = 0;
    uint64_t seed = 0;
    if (f < 0)
        return st;
    st = IPSIM_ERR_DATA;
    if (read_attributes(f, s, &days, &points, &seed) != 0) {
        ipsim_set_error(err, errlen,
                        "%s: not a valid sweep file (root attributes missing, of the "
                        "wrong kind or out of range)",
                        path);
        goto done;
    }
    if (!(s->identity = ipsim__swr_text(f, "identity", TEXT_MAX))) {
        ipsim_set_error(err, errlen,
                        "%s: no /identity (written by an ipsim before 0.3 that did "
                        "not record the resolved scenarios), so its units cannot be checked: "
                        "run its sweep again",
                        path);
        goto done;
    }
    if (strtoull(s->fp, NULL, 16) != ipsim__sw_identity_hash(s->identity)) {
        ipsim_set_error(err, errlen,
                        "%s: its fingerprint does not match its /identity (the file "
                        "was altered)",
                        path);
        goto done;
    }
    if ((st = read_experiment(f, path, s, days, points, seed, err, errlen)) != IPSIM_OK)
        goto done;
    s->nv = ipsim__xp_unit_values(s->e);
    if ((st = ipsim__sw_check_memory(s->e, s->R, NULL, copies, path, err, errlen)) == IPSIM_OK)
        st = read_units(f, path, s, err, errlen);
done:
    H5Fclose(f);
    if (st != IPSIM_OK)
        sweep_file_free(s);
    return st;
}

ipsim_status ipsim__swf_read_identity(const char *path, char **identity, char *shard, size_t shard_len,
                                      char *err, size_t errlen)
{
    ipsim_h5_quiet quiet;
    ipsim_status st;
    *identity = NULL;
    ipsim_h5_quiet_begin(&quiet);
    hid_t f = open_sweep(path, &st, err, errlen);
    if (f >= 0) {
        st = IPSIM_ERR_DATA;
        *identity = ipsim__swr_text(f, "identity", TEXT_MAX);
        if (!*identity)
            ipsim_set_error(err, errlen, "it has no /identity (written by an older ipsim)");
        else if (ipsim_h5_attr_text(f, "shard", shard, shard_len) != 0 || check_shard(shard))
            ipsim_set_error(err, errlen, "its shard attribute is missing or not valid");
        else
            st = IPSIM_OK;
        H5Fclose(f);
    }
    ipsim_h5_quiet_end(&quiet);
    if (st != IPSIM_OK) {
        free(*identity);
        *identity = NULL;
    }
    return st;
}

/* ---- merging ------------------------------------------------------------- */

/* Join shard one into acc (same sweep): its done units. */
static void join(sweep_file *acc, const sweep_file *one)
{
    size_t U = (size_t)acc->e->n_points * acc->R;
    for (size_t u = 0; u < U; u++)
        if (one->state[u] == SW_DONE && acc->state[u] != SW_DONE) {
            acc->state[u] = SW_DONE;
            acc->secs[u] = one->secs[u];
            memcpy(acc->vals + u * acc->nv, one->vals + u * acc->nv, acc->nv * sizeof *acc->vals);
        }
}

ipsim_status ipsim_sweep_merge(const char *out, const char *const *shards, int n, int force, char *err,
                               size_t errlen)
{
    sweep_file acc, one;
    ipsim_status st;
    int lock_fd = -1;
    if (!out || !shards || n < 1) {
        ipsim_set_error(err, errlen, "merge: expected an output and at least one shard");
        return IPSIM_ERR_USAGE;
    }
    if ((st = ipsim__safe_check_target(out, force, "merged sweep file", err, errlen)) != IPSIM_OK ||
        (st = ipsim__safe_lock(out, &lock_fd, err, errlen)) != IPSIM_OK)
        return st;
    for (int i = 0; i < n; i++) {
        ipsim_status ist;
        int fd = ipsim__safe_open_input(shards[i], O_RDONLY, 0, "shard file", &ist, err, errlen);
        if (fd < 0) {
            ipsim__safe_unlock(out, &lock_fd);
            return ist;
        }
        close(fd);
    }
    ipsim_h5_quiet quiet;
    ipsim_h5_quiet_begin(&quiet);
    st = read_sweep(shards[0], &acc, n > 1 ? 2 : 1, err, errlen);
    for (int i = 1; i < n && st == IPSIM_OK; i++) {
        st = read_sweep(shards[i], &one, 2, err, errlen);
        if (st != IPSIM_OK)
            break;
        if (strcmp(one.identity, acc.identity) != 0 || one.nv != acc.nv || one.R != acc.R ||
            one.e->n_points != acc.e->n_points) {
            char why[1024], in_a[600], in_b[600];
            snprintf(in_a, sizeof in_a, "in %s", shards[0]);
            snprintf(in_b, sizeof in_b, "in %s", shards[i]);
            ipsim__sw_identity_diff(acc.e, acc.identity, one.identity, in_a, in_b, why, sizeof why);
            ipsim_set_error(err, errlen, "%s: belongs to a different sweep than %s: %s", shards[i],
                            shards[0], why);
            st = IPSIM_ERR_DATA;
        } else {
            join(&acc, &one);
        }
        sweep_file_free(&one);
    }
    ipsim_h5_quiet_end(&quiet);
    if (st != IPSIM_OK) {
        if (acc.e)
            sweep_file_free(&acc);
        ipsim__safe_unlock(out, &lock_fd);
        return st;
    }
    size_t U = (size_t)acc.e->n_points * acc.R, missing = 0;
    for (size_t u = 0; u < U; u++)
        missing += acc.state[u] != SW_DONE;
    if (missing) {
        ipsim_set_error(err, errlen,
                        "%s: %zu of %zu units are in none of the %d shard file%s; merge "
                        "every shard",
                        out, missing, U, n, n == 1 ? "" : "s");
        sweep_file_free(&acc);
        ipsim__safe_unlock(out, &lock_fd);
        return IPSIM_ERR_DATA;
    }
    if ((st = ipsim__xp_post_from_identity(acc.e, acc.identity, err, errlen)) != IPSIM_OK ||
        (st = ipsim__xp_windows_from_identity(acc.e, acc.identity, err, errlen)) != IPSIM_OK) {
        sweep_file_free(&acc);
        ipsim__safe_unlock(out, &lock_fd);
        return st;
    }
    uint64_t fp = strtoull(acc.fp, NULL, 16);
    sweep_data d = {acc.e, acc.R, acc.scale, acc.nv,       acc.vals, acc.state, acc.secs,
                    0,     0,     fp,        acc.identity, 0.0,      1};
    st = ipsim__swf_write(&d, out, force, err, errlen);
    sweep_file_free(&acc);
    ipsim__safe_unlock(out, &lock_fd);
    return st;
}
