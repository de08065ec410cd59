/*
 * sweep_merge.c - reads sweep files back (their experiment, with costs,
 * markets, days, seed and scale as recorded, and their units) and joins
 * the shards of a sweep into one complete file (ipsim_sweep_merge).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "json/json_path.h"
#include "experiment/sweep.h"
#include "experiment/sweep_file.h"
#include "io/h5util.h"
#include "base/textbuf.h"

/* ---- reading sweep files ------------------------------------------------ */

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
    size_t n = 0, nj = 0, nm = 0;
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
        !(json = ipsim_h5_read_strings(f, "experiment", -1, &nj)) || nj != 1 ||
        !(markets = ipsim_h5_read_strings(f, "market", -1, &nm)) || nm < 1 || s->R < 1) {
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
    e->cost = ipsim_h5_read_doubles(f, "cost_cny", -1, NULL, &n);
    if (!e->cost || n != (size_t)e->n_points) {
        ipsim_set_error(err, errlen, "%s: /cost_cny missing or of the wrong size", path);
        goto done;
    }
    s->nv = ipsim__xp_unit_values(e);
    size_t U = (size_t)e->n_points * s->R, M = nm;
    s->vals = malloc(sizeof *s->vals * U * s->nv);
    s->state = calloc(U, 1);
    s->secs = ipsim_h5_read_doubles(f, "units/run_seconds", -1, NULL, &n);
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
        v = ipsim_h5_read_doubles(f, p, -1, NULL, &n);
        if (!v || n != U * cnt) {
            ipsim_set_error(err, errlen, "%s: /%s missing or of the wrong size", path, p);
            goto done;
        }
        scatter(s, off, cnt, v);
        free(v);
        v = NULL;
    }
    v = ipsim_h5_read_doubles(f, "units/done", -1, NULL, &n);
    if (!v || n != U) {
        ipsim_set_error(err, errlen, "%s: /units/done missing or of the wrong size", path);
        goto done;
    }
    for (size_t u = 0; u < U; u++)
        s->state[u] = v[u] == 1.0 ? SW_DONE : SW_TODO;
    st = IPSIM_OK;
done:
    free(v);
    ipsim_h5_free_strings(json, nj);
    ipsim_h5_free_strings(markets, nm);
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
    ipsim_h5_quiet quiet;
    ipsim_h5_quiet_begin(&quiet);
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
    ipsim_h5_quiet_end(&quiet);
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
    st = ipsim__swf_write(&d, out, err, errlen);
    sweep_file_free(&acc);
    return st;
}
