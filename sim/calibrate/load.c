/*
 * load.c - calibration files (ipsim_calibration_load): strict JSON, the top
 * level (name, description, scenario, scale, set, parameters, observed,
 * algorithm), priors, the algorithm's settings, and the checks against the
 * scenario: every parameter path names a number the scenario accepts over
 * the prior's range. Messages are the scenarios' ("FILE: json.path:
 * expected X, found Y"), through the experiment loader's readers. Also the
 * object's accessors and its destruction.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "base/textbuf.h"
#include "calibrate/cal.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

#define PROBE_LO 1e-9 /* prior quantiles the scenario must accept */
#define PROBE_HI (1.0 - 1e-9)
#define SET_MAX 1200 /* bytes of "path=value" */
#define NUM_LEN 40

/* ---- numbers --------------------------------------------------------------- */

/* A finite number obj[key] (required or not: *present says if given). */
static ipsim_status number(xp_msg *m, const cJSON *obj, const char *path, const char *key,
                           int required, double *out, int *present)
{
    char p[IPSIM_JSON_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (present)
        *present = v != NULL;
    if (!v)
        return required ? ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", p) : IPSIM_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return ipsim__xp_expected(m, p, "a number", v);
    *out = v->valuedouble;
    return IPSIM_OK;
}

static ipsim_status positive(xp_msg *m, const cJSON *obj, const char *path, const char *key,
                             double *out)
{
    ipsim_status st = number(m, obj, path, key, 1, out, NULL);
    char p[IPSIM_JSON_PATH_MAX];
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (st == IPSIM_OK && !(*out > 0))
        return ipsim__xp_expected(m, p, "a number > 0", cJSON_GetObjectItemCaseSensitive(obj, key));
    return st;
}

/* low < high, the message on low. */
static ipsim_status ordered(xp_msg *m, const cJSON *obj, const char *path, double lo, double hi)
{
    char p[IPSIM_JSON_PATH_MAX], what[80], h[NUM_LEN];
    if (lo < hi)
        return IPSIM_OK;
    ipsim_json_number_text(hi, h, sizeof h);
    snprintf(p, sizeof p, "%s.low", path);
    snprintf(what, sizeof what, "a number < high (%s)", h);
    return ipsim__xp_expected(m, p, what, cJSON_GetObjectItemCaseSensitive(obj, "low"));
}

/* ---- priors ---------------------------------------------------------------- */

static ipsim_status read_prior(xp_msg *m, const cJSON *obj, const char *path, cal_prior *p)
{
    static const char *const keys[][6] = {
        {"type", "low", "high", NULL},
        {"type", "mean", "sd", "low", "high", NULL},
        {"type", "meanlog", "sdlog", NULL},
        {"type", "a", "b", "low", "high", NULL},
    };
    char tp[IPSIM_JSON_PATH_MAX];
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "type");
    ipsim_status st;
    int have_lo = 0, have_hi = 0;
    if (!cJSON_IsObject(obj))
        return ipsim__xp_expected(m, path, "a prior object {type, ...}", obj);
    ipsim__cal_fmt(tp, sizeof tp, "%s.type", path);
    p->type = CAL_N_PRIORS;
    for (int i = 0; i < CAL_N_PRIORS; i++)
        if (cJSON_IsString(t) && strcmp(t->valuestring, ipsim__cal_prior_names[i]) == 0)
            p->type = (cal_prior_type)i;
    if (p->type == CAL_N_PRIORS)
        return t ? ipsim__xp_expected(m, tp, "one of uniform, normal, lognormal, beta", t)
                 : ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", tp);
    if ((st = ipsim__xp_check_keys(m, obj, path, keys[p->type])) != IPSIM_OK)
        return st;
    p->low = -INFINITY;
    p->high = INFINITY;
    p->mass = 1.0;
    switch (p->type) {
    case CAL_UNIFORM:
        if ((st = number(m, obj, path, "low", 1, &p->low, NULL)) != IPSIM_OK ||
            (st = number(m, obj, path, "high", 1, &p->high, NULL)) != IPSIM_OK)
            return st;
        return ordered(m, obj, path, p->low, p->high);
    case CAL_NORMAL:
        if ((st = number(m, obj, path, "mean", 1, &p->a, NULL)) != IPSIM_OK ||
            (st = positive(m, obj, path, "sd", &p->b)) != IPSIM_OK ||
            (st = number(m, obj, path, "low", 0, &p->low, &have_lo)) != IPSIM_OK ||
            (st = number(m, obj, path, "high", 0, &p->high, &have_hi)) != IPSIM_OK ||
            (st = ordered(m, obj, path, p->low, p->high)) != IPSIM_OK)
            return st;
        p->mass = (have_hi ? gsl_cdf_gaussian_P(p->high - p->a, p->b) : 1.0) -
                  (have_lo ? gsl_cdf_gaussian_P(p->low - p->a, p->b) : 0.0);
        if (!(p->mass > 1e-12))
            return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: the normal(%g, %g) has no mass on [%g, %g]",
                                 path, p->a, p->b, p->low, p->high);
        return IPSIM_OK;
    case CAL_LOGNORMAL:
        if ((st = number(m, obj, path, "meanlog", 1, &p->a, NULL)) != IPSIM_OK ||
            (st = positive(m, obj, path, "sdlog", &p->b)) != IPSIM_OK)
            return st;
        p->low = 0.0;
        return IPSIM_OK;
    default:
        p->low = 0.0;
        p->high = 1.0;
        if ((st = positive(m, obj, path, "a", &p->a)) != IPSIM_OK ||
            (st = positive(m, obj, path, "b", &p->b)) != IPSIM_OK ||
            (st = number(m, obj, path, "low", 0, &p->low, NULL)) != IPSIM_OK ||
            (st = number(m, obj, path, "high", 0, &p->high, NULL)) != IPSIM_OK)
            return st;
        return ordered(m, obj, path, p->low, p->high);
    }
}

/* path must name a number of the resolved scenario, which must accept the
 * prior's extreme quantiles. */
static ipsim_status check_param(xp_msg *m, ipsim_calibration *c, const cJSON *resolved,
                                const char *ppath, cal_param *par)
{
    char why[1024], p[IPSIM_JSON_PATH_MAX], set[SET_MAX];
    cJSON *node = NULL, *parent = NULL;
    ipsim__cal_fmt(p, sizeof p, "%s.path", ppath);
    if (ipsim_json_path_find((cJSON *)resolved, par->path, &node, &parent, why, sizeof why) !=
        IPSIM_OK)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: \"%s\" is not a path of the scenario: %s", p,
                             par->path, why);
    if (!cJSON_IsNumber(node))
        return ipsim__xp_say(m, IPSIM_ERR_DATA,
                             "%s: \"%s\" names %s in the scenario; expected a "
                             "number",
                             p, par->path,
                             cJSON_IsObject(node)  ? "an object"
                             : cJSON_IsArray(node) ? "an array"
                                                   : "a value that is not a number");
    par->scenario_value = node->valuedouble;
    for (int k = 0; k < 2; k++) {
        const cal_prior *pr = &par->prior;
        double end = k ? pr->high : pr->low; /* the support's end, or an extreme quantile */
        double x = pr->type != CAL_LOGNORMAL && isfinite(end)
                       ? end
                       : ipsim__cal_prior_quantile(pr, k ? PROBE_HI : PROBE_LO);
        char num[NUM_LEN];
        ipsim_json_number_text(x, num, sizeof num);
        snprintf(set, sizeof set, "%s=%s", par->path, num);
        ipsim_scenario *sc = ipsim_scenario_clone(c->base);
        if (!sc)
            return ipsim__xp_nomem(m);
        ipsim_status st = ipsim_scenario_set(sc, set, why, sizeof why);
        ipsim_scenario_destroy(sc);
        if (st == IPSIM_ERR_NOMEM)
            return ipsim__xp_nomem(m);
        if (st != IPSIM_OK)
            return ipsim__xp_say(m, IPSIM_ERR_DATA,
                                 "%s.prior: the prior reaches %s, which the "
                                 "scenario refuses (%s); narrow or truncate the prior",
                                 ppath, num, why);
    }
    return IPSIM_OK;
}

static ipsim_status read_params(xp_msg *m, ipsim_calibration *c, const cJSON *arr)
{
    static const char *const keys[] = {"path", "prior", NULL};
    char what[64];
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
    snprintf(what, sizeof what, "an array of 1 to %d parameters", CAL_MAX_PARAMS);
    if (!arr)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "parameters: missing (required)");
    if (n < 1 || n > CAL_MAX_PARAMS)
        return ipsim__xp_expected(m, "parameters", what, arr);
    char *text = ipsim_scenario_to_json(c->base);
    cJSON *resolved = text ? cJSON_Parse(text) : NULL;
    free(text);
    c->params = calloc((size_t)n, sizeof *c->params);
    if (!resolved || !c->params) {
        cJSON_Delete(resolved);
        return ipsim__xp_nomem(m);
    }
    ipsim_status st = IPSIM_OK;
    for (int i = 0; i < n && st == IPSIM_OK; i++) {
        char p[IPSIM_JSON_PATH_MAX], pp[IPSIM_JSON_PATH_MAX];
        const cJSON *o = cJSON_GetArrayItem(arr, i);
        const char *s;
        cal_param *par = &c->params[i];
        snprintf(p, sizeof p, "parameters[%d]", i);
        ipsim__cal_fmt(pp, sizeof pp, "%s.prior", p);
        if (!cJSON_IsObject(o)) {
            st = ipsim__xp_expected(m, p, "an object {path, prior}", o);
            break;
        }
        if ((st = ipsim__xp_check_keys(m, o, p, keys)) != IPSIM_OK ||
            (st = ipsim__xp_get_string(m, o, "path", p, 1, IPSIM_JSON_PATH_MAX, &s)) != IPSIM_OK)
            break;
        c->n_params = i + 1;
        if (!(par->path = ipsim__xp_dup_str(s))) {
            st = ipsim__xp_nomem(m);
            break;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(c->params[j].path, s) == 0)
                st = ipsim__xp_say(m, IPSIM_ERR_DATA, "%s.path: \"%s\" is already parameters[%d]", p,
                                   s, j);
        if (st != IPSIM_OK)
            break;
        if (!cJSON_GetObjectItemCaseSensitive(o, "prior")) {
            st = ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", pp);
            break;
        }
        if ((st = read_prior(m, cJSON_GetObjectItemCaseSensitive(o, "prior"), pp, &par->prior)) !=
                IPSIM_OK ||
            (st = check_param(m, c, resolved, p, par)) != IPSIM_OK)
            break;
    }
    cJSON_Delete(resolved);
    return st;
}

/* ---- algorithm ------------------------------------------------------------- */

static ipsim_status fraction(xp_msg *m, const cJSON *obj, const char *key, double lo_excl, double *out)
{
    int present = 0;
    char p[IPSIM_JSON_PATH_MAX];
    double v = *out;
    ipsim_status st = number(m, obj, "algorithm", key, 0, &v, &present);
    snprintf(p, sizeof p, "algorithm.%s", key);
    if (st == IPSIM_OK && present && !(v > lo_excl && v < 1.0))
        return ipsim__xp_expected(m, p,
                                  lo_excl < 0 ? "a number from 0 to less than 1"
                                              : "a number between 0 and 1 (exclusive)",
                                  cJSON_GetObjectItemCaseSensitive(obj, key));
    *out = v;
    return st;
}

static ipsim_status read_algorithm(xp_msg *m, ipsim_calibration *c, const cJSON *a)
{
    static const char *const keys[] = {
        "type",
        "particles",
        "generations",
        "quantile",
        "min_acceptance",
        "min_tolerance_change",
        "min_tolerance",
        "max_attempts",
        "seed",
        "replicates_per_particle",
        "common_random_numbers",
        NULL};
    cal_algorithm *al = &c->alg;
    const char *type;
    long v;
    ipsim_status st;
    al->generations = CAL_DEFAULT_GENERATIONS;
    al->quantile = CAL_DEFAULT_QUANTILE;
    al->min_acceptance = CAL_DEFAULT_MIN_ACCEPTANCE;
    al->min_tol_change = CAL_DEFAULT_MIN_TOL_CHANGE;
    al->replicates = 1;
    al->crn = 1;
    al->seed = CAL_DEFAULT_SEED;
    if (!a)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "algorithm: missing (required)");
    if (!cJSON_IsObject(a))
        return ipsim__xp_expected(m, "algorithm", "an object {type, particles, ...}", a);
    if ((st = ipsim__xp_check_keys(m, a, "algorithm", keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_string(m, a, "type", "algorithm", 1, 64, &type)) != IPSIM_OK)
        return st;
    if (strcmp(type, "abc-smc") != 0)
        return ipsim__xp_expected(m, "algorithm.type", "\"abc-smc\"",
                                  cJSON_GetObjectItemCaseSensitive(a, "type"));
    v = 0;
    if ((st = ipsim__xp_get_int(m, a, "particles", "algorithm", 1, 2, CAL_MAX_PARTICLES, &v)) !=
        IPSIM_OK)
        return st;
    al->particles = (int)v;
    v = al->generations;
    if ((st = ipsim__xp_get_int(m, a, "generations", "algorithm", 0, 1, CAL_MAX_GENERATIONS, &v)) !=
        IPSIM_OK)
        return st;
    al->generations = (int)v;
    v = al->replicates;
    if ((st = ipsim__xp_get_int(m, a, "replicates_per_particle", "algorithm", 0, 1, CAL_MAX_REPLICATES,
                                &v)) != IPSIM_OK)
        return st;
    al->replicates = (int)v;
    v = 0;
    if ((st = ipsim__xp_get_int(m, a, "max_attempts", "algorithm", 0, 1, 100000000, &v)) != IPSIM_OK)
        return st;
    al->max_attempts = v;
    v = CAL_DEFAULT_SEED;
    if ((st = ipsim__xp_get_int(m, a, "seed", "algorithm", 0, 0, 2147483647L, &v)) != IPSIM_OK)
        return st;
    al->seed = (uint64_t)v;
    if ((st = fraction(m, a, "quantile", 0.0, &al->quantile)) != IPSIM_OK ||
        (st = fraction(m, a, "min_acceptance", 0.0, &al->min_acceptance)) != IPSIM_OK ||
        (st = fraction(m, a, "min_tolerance_change", -1.0, &al->min_tol_change)) != IPSIM_OK)
        return st;
    int present = 0;
    if ((st = number(m, a, "algorithm", "min_tolerance", 0, &al->min_tolerance, &present)) != IPSIM_OK)
        return st;
    if (present && al->min_tolerance < 0)
        return ipsim__xp_expected(m, "algorithm.min_tolerance", "a number >= 0",
                                  cJSON_GetObjectItemCaseSensitive(a, "min_tolerance"));
    const cJSON *crn = cJSON_GetObjectItemCaseSensitive(a, "common_random_numbers");
    if (crn && !cJSON_IsBool(crn))
        return ipsim__xp_expected(m, "algorithm.common_random_numbers", "true or false", crn);
    if (crn)
        al->crn = cJSON_IsTrue(crn);
    if (al->max_attempts == 0) /* enough for a generation at min_acceptance, with room */
        al->max_attempts = (long)ceil(20.0 / al->min_acceptance);
    return IPSIM_OK;
}

/* ---- scenario and fixed overrides ----------------------------------------- */

static ipsim_status read_scenario(xp_msg *m, ipsim_calibration *c, const cJSON *root, const char *dir)
{
    const char *s;
    char why[1024];
    ipsim_status st = ipsim__xp_get_string(m, root, "scenario", "", 1, 4096, &s);
    if (st != IPSIM_OK)
        return st;
    if (!(c->scenario_path = ipsim__xp_join_path(dir, s)))
        return ipsim__xp_nomem(m);
    st = ipsim_scenario_load(c->scenario_path, &c->base, why, sizeof why);
    if (st != IPSIM_OK)
        return ipsim__xp_say(m, st, "scenario: %s", why);
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(root, "set");
    if (set && (!cJSON_IsArray(set) || cJSON_GetArraySize(set) > CAL_MAX_SETS))
        return ipsim__xp_expected(m, "set", "an array of \"path=value\" strings", set);
    for (int i = 0; set && i < cJSON_GetArraySize(set); i++) {
        const cJSON *it = cJSON_GetArrayItem(set, i);
        char p[32];
        snprintf(p, sizeof p, "set[%d]", i);
        if (!cJSON_IsString(it) || !strchr(it->valuestring, '='))
            return ipsim__xp_expected(m, p, "a string \"path=value\"", it);
        if ((st = ipsim_scenario_set(c->base, it->valuestring, why, sizeof why)) != IPSIM_OK)
            return ipsim__xp_say(m, st, "%s: %s", p, why);
    }
    int present = 0;
    if ((st = number(m, root, "", "scale", 0, &c->scale, &present)) != IPSIM_OK)
        return st;
    if (present && !(c->scale >= 1.0))
        return ipsim__xp_expected(m, "scale", "a number of people per agent >= 1",
                                  cJSON_GetObjectItemCaseSensitive(root, "scale"));
    const sc_data *d = ipsim_scenario_data(c->base);
    c->n_markets = d->n_markets;
    c->days = d->simulation.days;
    c->start = d->simulation.start_date;
    return IPSIM_OK;
}

/* "observed": an array, or the path of a JSON file holding one (or an
 * object with an "observed" array). */
static ipsim_status read_observed(xp_msg *m, ipsim_calibration *c, const cJSON *root, const char *dir)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "observed");
    if (!o)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "observed: missing (required)");
    if (!cJSON_IsString(o))
        return ipsim__cal_read_targets(c, o, "observed", m->label, m->err, m->errlen);
    char *path = ipsim__xp_join_path(dir, o->valuestring), *text = NULL, why[1024];
    size_t len = 0;
    cJSON *doc = NULL;
    if (!path)
        return ipsim__xp_nomem(m);
    ipsim_status st = ipsim_json_read_file(path, &text, &len, why, sizeof why);
    if (st == IPSIM_OK)
        st = ipsim_json_parse(text, len, &doc, why, sizeof why);
    free(text);
    if (st != IPSIM_OK) {
        st = ipsim__xp_say(m, st, "observed: %s: %s", path, why);
        free(path);
        return st;
    }
    const cJSON *arr = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "observed") : doc;
    st = ipsim__cal_read_targets(c, arr, cJSON_IsObject(doc) ? "observed" : "", path, m->err,
                                 m->errlen);
    cJSON_Delete(doc);
    free(path);
    return st;
}

/* ---- the file ------------------------------------------------------------- */

static ipsim_status from_json(xp_msg *m, ipsim_calibration *c, const cJSON *root, const char *dir)
{
    static const char *const keys[] = {"$schema", "name",       "description", "scenario",  "scale",
                                       "set",     "parameters", "observed",    "algorithm", NULL};
    const char *s;
    ipsim_status st;
    if (!cJSON_IsObject(root))
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "expected a JSON object at the top level");
    if (cJSON_GetObjectItemCaseSensitive(root, "markets") ||
        cJSON_GetObjectItemCaseSensitive(root, "design"))
        return ipsim__xp_say(
            m, IPSIM_ERR_DATA,
            "expected a calibration (keys name, scenario, "
            "parameters, observed, algorithm), found a %s",
            cJSON_GetObjectItemCaseSensitive(root, "markets") ? "scenario" : "experiment");
    if ((st = ipsim__xp_check_keys(m, root, "", keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_name(m, root, "", c->name)) != IPSIM_OK ||
        (st = ipsim__xp_get_string(m, root, "description", "", 0, 4096, &s)) != IPSIM_OK)
        return st;
    if (!(c->description = ipsim__xp_dup_str(s ? s : "")))
        return ipsim__xp_nomem(m);
    if ((st = read_algorithm(m, c, cJSON_GetObjectItemCaseSensitive(root, "algorithm"))) != IPSIM_OK ||
        (st = read_scenario(m, c, root, dir)) != IPSIM_OK ||
        (st = read_params(m, c, cJSON_GetObjectItemCaseSensitive(root, "parameters"))) != IPSIM_OK)
        return st;
    return read_observed(m, c, root, dir);
}

ipsim_status ipsim_calibration_load(const char *path, ipsim_calibration **out, char *err,
                                    size_t errlen)
{
    char why[1024];
    size_t len = 0;
    cJSON *root = NULL;
    if (out)
        *out = NULL;
    if (!path || !out) {
        ipsim_set_error(err, errlen, "ipsim_calibration_load: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    ipsim_calibration *c = calloc(1, sizeof *c);
    xp_msg m = {path, err, errlen};
    if (!c || !(c->origin = ipsim__xp_dup_str(path))) {
        free(c);
        return ipsim__xp_nomem(&m);
    }
    ipsim_status st = ipsim_json_read_file(path, &c->json_text, &len, why, sizeof why);
    if (st == IPSIM_OK)
        st = ipsim_json_parse(c->json_text, len, &root, why, sizeof why);
    if (st != IPSIM_OK) {
        ipsim__xp_say(&m, st, "%s", why);
    } else {
        char *dir = ipsim__xp_dup_str(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            *slash = '\0';
        st = dir ? from_json(&m, c, root, slash ? dir : NULL) : ipsim__xp_nomem(&m);
        free(dir);
    }
    cJSON_Delete(root);
    if (st != IPSIM_OK) {
        ipsim_calibration_destroy(c);
        return st;
    }
    *out = c;
    return IPSIM_OK;
}

void ipsim_calibration_destroy(ipsim_calibration *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_params; i++)
        free(c->params[i].path);
    for (int i = 0; i < c->n_targets; i++)
        free(c->targets[i].source);
    free(c->params);
    free(c->targets);
    ipsim_scenario_destroy(c->base);
    free(c->scenario_path);
    free(c->description);
    free(c->json_text);
    free(c->origin);
    free(c);
}

const char *ipsim_calibration_name(const ipsim_calibration *c)
{
    return c ? c->name : NULL;
}

int ipsim_calibration_parameter_count(const ipsim_calibration *c)
{
    return c ? c->n_params : 0;
}

const char *ipsim_calibration_parameter_path(const ipsim_calibration *c, int i)
{
    return c && i >= 0 && i < c->n_params ? c->params[i].path : NULL;
}

int ipsim_calibration_target_count(const ipsim_calibration *c)
{
    return c ? c->n_targets : 0;
}

const char *ipsim_calibration_target_label(const ipsim_calibration *c, int i)
{
    return c && i >= 0 && i < c->n_targets ? c->targets[i].label : NULL;
}

int ipsim_calibration_particles(const ipsim_calibration *c)
{
    return c ? c->alg.particles : 0;
}

int ipsim_calibration_max_generations(const ipsim_calibration *c)
{
    return c ? c->alg.generations : 0;
}
