/*
 * posterior_draws.c - a calibration's posterior file (ipsim calibrate)
 * carried into a sweep: ipsim_experiment_use_posterior reads
 * /posterior/samples, /posterior/parameter and /posterior/weight, checks
 * that every parameter path applies to the experiment's points, and
 * fingerprints the file (its identity then holds the fingerprint, so
 * --resume and merge refuse another posterior). Each replicate r of every
 * point runs posterior draw r mod K; draw k is a particle picked by
 * weighted resampling with a Philox stream keyed by (seed, k), so the
 * draws depend on nothing but the seed, K and the file.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <cjson/cJSON.h>

#include "calibrate/cal.h"
#include "experiment/posterior_draws.h"
#include "io/h5util.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define READ_CHUNK 65536
/* Counter words of the resampling stream (the calibration's own streams use
 * generations below CAL_MAX_GENERATIONS). */
#define DRAW_ATTEMPT 0xffffffffu
#define DRAW_GENERATION 0xfffffffeu
#define MAX_POST_PARTICLES 1000000
#define SET_TEXT 2048

void ipsim__xp_post_free(xp_posterior *p)
{
    if (!p)
        return;
    for (int i = 0; p->param && i < p->n_params; i++)
        free(p->param[i]);
    free(p->param);
    free(p->samples);
    free(p->weight);
    free(p->fixed);
    free(p->path);
    free(p);
}

int ipsim__xp_post_draws(const xp_posterior *p, int R)
{
    if (p->draws > 0)
        return p->draws;
    return R >= 4 && R % 2 == 0 ? R / 2 : R;
}

ipsim_status ipsim__xp_post_check(const ipsim_experiment *e, int R, char *err, size_t errlen)
{
    if (!e->post)
        return IPSIM_OK;
    int K = ipsim__xp_post_draws(e->post, R);
    if (K < 1 || K > R || R % K != 0) {
        snprintf(err, errlen,
                 "--draws %d: expected a divisor of the replicates (%d), so that every posterior "
                 "draw runs the same number of replicates (replicate r runs draw r mod K)",
                 K, R);
        return IPSIM_ERR_USAGE;
    }
    return IPSIM_OK;
}

int ipsim__xp_post_particle(const xp_posterior *p, uint64_t seed, int k)
{
    cal_stream s;
    if (p->fixed)
        return k;
    ipsim__cal_stream_init(&s, seed, (uint32_t)k, DRAW_ATTEMPT, DRAW_GENERATION);
    double u = ipsim__cal_stream_u01(&s), c = 0.0;
    for (int j = 0; j < p->n_particles; j++) {
        c += p->weight[j];
        if (u < c)
            return j;
    }
    /* rounding left u above the last cumulative weight: the last particle
     * with weight */
    for (int j = p->n_particles - 1; j > 0; j--)
        if (p->weight[j] > 0)
            return j;
    return 0;
}

int ipsim__xp_post_particle_number(const xp_posterior *p, uint64_t seed, int k)
{
    return p->fixed ? p->fixed[k] : ipsim__xp_post_particle(p, seed, k);
}

int ipsim__xp_post_particle_of(const ipsim_experiment *e, int R, int r)
{
    int K = ipsim__xp_post_draws(e->post, R);
    return ipsim__xp_post_particle(e->post, e->run_seed, r % K);
}

ipsim_status ipsim__xp_post_apply(const ipsim_experiment *e, int particle, ipsim_scenario *sc,
                                  const char *point, char *err, size_t errlen)
{
    const xp_posterior *p = e->post;
    for (int i = 0; i < p->n_params; i++) {
        char a[SET_TEXT], why[SET_TEXT] = "";
        double v = p->samples[(size_t)particle * p->n_params + i];
        snprintf(a, sizeof a, "%s=%.17g", p->param[i], v);
        ipsim_status st = ipsim_scenario_set(sc, a, why, sizeof why);
        if (st != IPSIM_OK) {
            snprintf(err, errlen, "%s: /posterior/parameter[%d]: \"%s\" = %.17g (point %s): %s",
                     p->path, i, p->param[i], v, point, why);
            return st == IPSIM_ERR_USAGE ? IPSIM_ERR_DATA : st;
        }
    }
    return IPSIM_OK;
}

/* ---- reading ------------------------------------------------------------ */

/* FNV-1a 64 of the bytes of path into hex; -1 when unreadable. */
static int file_fingerprint(const char *path, char hex[17])
{
    FILE *f = fopen(path, "rb");
    unsigned char buf[READ_CHUNK];
    uint64_t h = FNV_OFFSET;
    size_t n;
    if (!f)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++) {
            h ^= buf[i];
            h *= FNV_PRIME;
        }
    int bad = ferror(f);
    fclose(f);
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
    return bad ? -1 : 0;
}

static ipsim_status bad(const char *path, const char *what, const char *expected, const char *found,
                        char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s: expected %s, found %s", path, what, expected, found);
    return IPSIM_ERR_DATA;
}

/* Read the posterior of the open file f into p. */
static ipsim_status read_posterior(hid_t f, xp_posterior *p, char *err, size_t errlen)
{
    char kind[32] = "", found[64];
    hsize_t dims[2] = {0, 0}, wd[1] = {0};
    size_t n = 0;
    if (ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) != 0 || strcmp(kind, "posterior") != 0)
        return bad(p->path, "attribute ipsim_kind", "\"posterior\" (a file of ipsim calibrate)",
                   *kind ? kind : "none", err, errlen);
    if (!ipsim_h5_exists(f, "posterior/samples") ||
        !(p->samples = ipsim_h5_read_doubles(f, "posterior/samples", 2, dims, &n)))
        return bad(p->path, "/posterior/samples", "a float64 [particle][parameter] dataset",
                   "none or another shape", err, errlen);
    if (dims[0] < 1 || dims[0] > MAX_POST_PARTICLES || dims[1] < 1 || dims[1] > CAL_MAX_PARAMS) {
        snprintf(found, sizeof found, "%llu x %llu", (unsigned long long)dims[0],
                 (unsigned long long)dims[1]);
        return bad(p->path, "/posterior/samples", "1 to 1000000 particles of 1 to 20 parameters",
                   found, err, errlen);
    }
    p->n_particles = (int)dims[0];
    p->n_params = (int)dims[1];
    for (size_t i = 0; i < n; i++)
        if (!isfinite(p->samples[i]))
            return bad(p->path, "/posterior/samples", "finite numbers", "a NaN or infinity", err,
                       errlen);
    size_t np = 0;
    char **names = ipsim_h5_exists(f, "posterior/parameter")
                       ? ipsim_h5_read_strings(f, "posterior/parameter", 1, &np)
                       : NULL;
    if (!names || np != (size_t)p->n_params) {
        ipsim_h5_free_strings(names, np);
        snprintf(found, sizeof found, "%zu", names ? np : 0);
        return bad(p->path, "/posterior/parameter", "one path per column of /posterior/samples",
                   found, err, errlen);
    }
    p->param = names;
    if (!ipsim_h5_exists(f, "posterior/weight") ||
        !(p->weight = ipsim_h5_read_doubles(f, "posterior/weight", 1, wd, &n)) ||
        wd[0] != dims[0])
        return bad(p->path, "/posterior/weight", "one weight per particle", "none or another count",
                   err, errlen);
    double sum = 0.0;
    for (int j = 0; j < p->n_particles; j++) {
        if (!isfinite(p->weight[j]) || p->weight[j] < 0)
            return bad(p->path, "/posterior/weight", "finite weights >= 0", "another value", err,
                       errlen);
        sum += p->weight[j];
    }
    if (!(sum > 0))
        return bad(p->path, "/posterior/weight", "a positive sum", "0", err, errlen);
    for (int j = 0; j < p->n_particles; j++)
        p->weight[j] /= sum;
    return IPSIM_OK;
}

ipsim_status ipsim__xp_post_load(const char *path, int draws, xp_posterior **out, char *err,
                                 size_t errlen)
{
    ipsim_h5_quiet q;
    xp_posterior *p;
    ipsim_status st;
    *out = NULL;
    p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        free(p);
        snprintf(err, errlen, "%s: out of memory", path);
        return IPSIM_ERR_NOMEM;
    }
    p->draws = draws;
    if (file_fingerprint(path, p->fingerprint) != 0) {
        snprintf(err, errlen, "%s: cannot read the posterior file", path);
        ipsim__xp_post_free(p);
        return IPSIM_ERR_NOINPUT;
    }
    ipsim_h5_quiet_begin(&q);
    hid_t f = ipsim_h5_open_readonly(path);
    if (f < 0) {
        st = bad(path, "the file", "an HDF5 posterior file (ipsim calibrate -o)", "something else",
                 err, errlen);
    } else {
        st = read_posterior(f, p, err, errlen);
        H5Fclose(f);
    }
    ipsim_h5_quiet_end(&q);
    if (st != IPSIM_OK) {
        ipsim__xp_post_free(p);
        return st;
    }
    *out = p;
    return IPSIM_OK;
}

ipsim_status ipsim_experiment_use_posterior(ipsim_experiment *e, const char *path, int draws,
                                            char *err, size_t errlen)
{
    xp_posterior *p;
    ipsim_status st;
    if (!e || !path || draws < 0) {
        snprintf(err, errlen, "ipsim_experiment_use_posterior: no experiment, no path or draws < 0");
        return IPSIM_ERR_USAGE;
    }
    if ((st = ipsim__xp_post_load(path, draws, &p, err, errlen)) != IPSIM_OK)
        return st;
    ipsim__xp_post_free(e->post);
    e->post = p;
    /* every parameter must apply to the points checked when loaded */
    for (int pt = 0; pt < e->checked && st == IPSIM_OK; pt++) {
        ipsim_scenario *sc = NULL;
        st = ipsim__xp_point_scenario(e, pt, &sc, err, errlen);
        if (st == IPSIM_OK)
            st = ipsim__xp_post_apply(e, 0, sc, e->points[pt].name, err, errlen);
        ipsim_scenario_destroy(sc);
    }
    if (st != IPSIM_OK) {
        ipsim__xp_post_free(e->post);
        e->post = NULL;
    }
    return st;
}

/* ---- from a sweep's identity (merge) ------------------------------------ */

static ipsim_status rebuild(xp_posterior *p, const cJSON *post)
{
    const cJSON *par = cJSON_GetObjectItemCaseSensitive(post, "parameters");
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(post, "draws");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(post, "fingerprint");
    int np = cJSON_GetArraySize(par), K = cJSON_GetArraySize(dr);
    if (!cJSON_IsArray(par) || !cJSON_IsArray(dr) || !cJSON_IsString(fp) || np < 1 ||
        np > CAL_MAX_PARAMS || K < 1 || strlen(fp->valuestring) != 16)
        return IPSIM_ERR_DATA;
    snprintf(p->fingerprint, sizeof p->fingerprint, "%s", fp->valuestring);
    p->param = calloc((size_t)np, sizeof *p->param);
    p->samples = malloc(sizeof *p->samples * (size_t)K * np);
    p->weight = malloc(sizeof *p->weight * (size_t)K);
    p->fixed = malloc(sizeof *p->fixed * (size_t)K);
    if (!p->param || !p->samples || !p->weight || !p->fixed)
        return IPSIM_ERR_NOMEM;
    p->n_params = np;
    p->n_particles = K;
    p->draws = K;
    for (int i = 0; i < np; i++) {
        const cJSON *x = cJSON_GetArrayItem(par, i);
        if (!cJSON_IsString(x))
            return IPSIM_ERR_DATA;
        if (!(p->param[i] = strdup(x->valuestring)))
            return IPSIM_ERR_NOMEM;
    }
    for (int k = 0; k < K; k++) {
        const cJSON *one = cJSON_GetArrayItem(dr, k);
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(one, "particle");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(one, "values");
        if (!cJSON_IsNumber(j) || !cJSON_IsArray(v) || cJSON_GetArraySize(v) != np)
            return IPSIM_ERR_DATA;
        p->fixed[k] = j->valueint;
        p->weight[k] = 1.0 / K;
        for (int i = 0; i < np; i++) {
            const cJSON *x = cJSON_GetArrayItem(v, i);
            if (!cJSON_IsNumber(x))
                return IPSIM_ERR_DATA;
            p->samples[(size_t)k * np + i] = x->valuedouble;
        }
    }
    return IPSIM_OK;
}

ipsim_status ipsim__xp_post_from_identity(ipsim_experiment *e, const char *identity, char *err,
                                          size_t errlen)
{
    cJSON *root = cJSON_Parse(identity);
    const cJSON *post = cJSON_GetObjectItemCaseSensitive(root, "posterior");
    ipsim_status st = IPSIM_OK;
    if (cJSON_IsObject(post)) {
        xp_posterior *p = calloc(1, sizeof *p);
        st = p && (p->path = strdup("(the sweep's identity)")) ? rebuild(p, post) : IPSIM_ERR_NOMEM;
        if (st == IPSIM_OK) {
            ipsim__xp_post_free(e->post);
            e->post = p;
        } else {
            ipsim__xp_post_free(p);
            snprintf(err, errlen, "/identity: posterior: %s",
                     st == IPSIM_ERR_NOMEM ? "out of memory" : "expected the posterior draws, found "
                                                              "something else");
        }
    }
    cJSON_Delete(root);
    return st;
}
