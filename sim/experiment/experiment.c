/*
 * experiment.c - experiment files: reading one (ipsim_experiment_load) or
 * making one from scenario files (ipsim_experiment_compare), checking its
 * top level with messages in the scenarios' style ("FILE: json.path:
 * expected X, found Y"), and the experiment object's life and accessors.
 * The design is expanded by designs.c, the scenarios are prepared by
 * units.c (see plan.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/plan.h"
#include "experiment/posterior_draws.h"
#include "experiment/windows.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

/* ---- messages ----------------------------------------------------------- */

ipsim_status ipsim__xp_say(xp_msg *c, ipsim_status st, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = snprintf(c->err, c->errlen, "%s: ", c->label);
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return st;
}

/* "PATH: expected WHAT, found VALUE". */
ipsim_status ipsim__xp_expected(xp_msg *c, const char *path, const char *what, const cJSON *found)
{
    char buf[96];
    ipsim_json_describe(found, buf, sizeof buf);
    return ipsim__xp_say(c, IPSIM_ERR_DATA, "%s: expected %s, found %s", path, what, buf);
}

char *ipsim__xp_dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Keys of obj must be among allowed (NULL-terminated). */
ipsim_status ipsim__xp_check_keys(xp_msg *c, const cJSON *obj, const char *path,
                                  const char *const *allowed)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        int ok = 0;
        ipsim_suggest sg;
        ipsim_suggest_init(&sg, it->string);
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, it->string) == 0)
                ok = 1;
            ipsim_suggest_offer(&sg, *a);
        }
        if (!ok) {
            char list[512] = "";
            for (const char *const *a = allowed; *a; a++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         a == allowed ? "" : ", ", *a);
            if (sg.best)
                return ipsim__xp_say(c, IPSIM_ERR_DATA, "%s%s%s: unknown key (did you mean \"%s\"?)",
                                     path, *path ? "." : "", it->string, sg.best);
            return ipsim__xp_say(c, IPSIM_ERR_DATA, "%s%s%s: unknown key (valid keys: %s)", path,
                                 *path ? "." : "", it->string, list);
        }
    }
    return IPSIM_OK;
}

ipsim_status ipsim__xp_get_string(xp_msg *c, const cJSON *obj, const char *key, const char *path,
                                  int required, size_t max, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[IPSIM_JSON_PATH_MAX];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    *out = NULL;
    if (!v) {
        if (required)
            return ipsim__xp_say(c, IPSIM_ERR_DATA, "%s: missing (required)", p);
        return IPSIM_OK;
    }
    if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= max) {
        char what[64];
        snprintf(what, sizeof what, "a string of 1 to %zu bytes", max - 1);
        return ipsim__xp_expected(c, p, what, v);
    }
    *out = v->valuestring;
    return IPSIM_OK;
}

/* Whole number in [lo, hi]; *out keeps its value when the key is absent. */
ipsim_status ipsim__xp_get_int(xp_msg *c, const cJSON *obj, const char *key, const char *path,
                               int required, long lo, long hi, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[IPSIM_JSON_PATH_MAX], what[96];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (!v)
        return required ? ipsim__xp_say(c, IPSIM_ERR_DATA, "%s: missing (required)", p) : IPSIM_OK;
    snprintf(what, sizeof what, "a whole number from %ld to %ld", lo, hi);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return ipsim__xp_expected(c, p, what, v);
    *out = (long)v->valuedouble;
    return IPSIM_OK;
}

static int is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
}

/* Names become dataset names: letters, digits, '_', '-', '.'. */
ipsim_status ipsim__xp_get_name(xp_msg *c, const cJSON *obj, const char *path, char *out)
{
    const char *s;
    ipsim_status st = ipsim__xp_get_string(c, obj, "name", path, 1, 64, &s);
    if (st != IPSIM_OK)
        return st;
    for (const char *q = s; *q; q++)
        if (!is_name_char(*q)) {
            char p[IPSIM_JSON_PATH_MAX];
            snprintf(p, sizeof p, "%s.name", path);
            return ipsim__xp_expected(c, p, "a name of letters, digits, '_', '-' or '.'",
                                      cJSON_GetObjectItemCaseSensitive(obj, "name"));
        }
    snprintf(out, XP_NAME_MAX, "%s", s);
    return IPSIM_OK;
}

ipsim_status ipsim__xp_nomem(xp_msg *c)
{
    return ipsim__xp_say(c, IPSIM_ERR_NOMEM, "out of memory");
}

char *ipsim__xp_join_path(const char *dir, const char *rel)
{
    if (!dir || !*dir || rel[0] == '/')
        return ipsim__xp_dup_str(rel);
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

/* ---- building the experiment ------------------------------------------- */

static ipsim_status parse_top(xp_builder *b, const cJSON *root)
{
    static const char *const keys[] = {"name",   "description", "base",       "replicates",
                                       "seed",   "scale",       "outcomes",   "keep_daily",
                                       "design", "set",         "variations", "windows",
                                       "ratios", NULL};
    ipsim_experiment *e = b->e;
    ipsim_status st;
    const char *s;
    long reps = XP_DEFAULT_REPLICATES;
    if (!cJSON_IsObject(root))
        return ipsim__xp_say(&b->c, IPSIM_ERR_DATA, "expected a JSON object at the top level");
    if (cJSON_GetObjectItemCaseSensitive(root, "markets") ||
        cJSON_GetObjectItemCaseSensitive(root, "simulation"))
        return ipsim__xp_say(
            &b->c, IPSIM_ERR_DATA,
            "expected an experiment (keys name, base, design, ...), found a scenario (it has "
            "\"%s\"): run a scenario with 'ipsim run', or compare scenarios with "
            "'ipsim compare BASE.json ARM.json... -o OUT.h5'",
            cJSON_GetObjectItemCaseSensitive(root, "markets") ? "markets" : "simulation");
    if ((st = ipsim__xp_check_keys(&b->c, root, "", keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_name(&b->c, root, "", e->name)) != IPSIM_OK ||
        (st = ipsim__xp_get_string(&b->c, root, "description", "", 1, 4096, &s)) != IPSIM_OK ||
        (st = ipsim__xp_get_int(&b->c, root, "replicates", "", 0, 1, 100000, &reps)) != IPSIM_OK)
        return st;
    e->replicates = (int)reps;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "seed");
    if (v) {
        char *end = NULL;
        if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 9007199254740992.0 &&
            v->valuedouble == floor(v->valuedouble))
            e->seed = (uint64_t)v->valuedouble;
        else if (cJSON_IsString(v) && v->valuestring[0] >= '0' && v->valuestring[0] <= '9' &&
                 strlen(v->valuestring) <= 20)
            e->seed = strtoull(v->valuestring, &end, 10);
        if (!(cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 9007199254740992.0 &&
              v->valuedouble == floor(v->valuedouble)) &&
            !(end && *end == '\0'))
            return ipsim__xp_expected(&b->c, "seed",
                                      "a whole number from 0 to 2^53 or a string of digits", v);
        e->seed_set = 1;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "scale");
    if (v) {
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1.0))
            return ipsim__xp_expected(&b->c, "scale", "a number of people per agent >= 1", v);
        e->scale = v->valuedouble;
    }
    e->outcome_mask = (1u << OUT_COUNT) - 1;
    v = cJSON_GetObjectItemCaseSensitive(root, "outcomes");
    if (v) {
        const cJSON *it;
        int i = 0;
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1)
            return ipsim__xp_expected(&b->c, "outcomes", "a non-empty array of outcome names", v);
        e->outcome_mask = 0;
        cJSON_ArrayForEach(it, v)
        {
            char p[32];
            int found = -1;
            snprintf(p, sizeof p, "outcomes[%d]", i++);
            for (int k = 0; cJSON_IsString(it) && k < OUT_COUNT; k++)
                if (strcmp(it->valuestring, ipsim__xp_outcomes[k].name) == 0)
                    found = k;
            if (found < 0)
                return ipsim__xp_expected(&b->c, p,
                                          "one of arrivals, cec_arrivals, visitor_nights, "
                                          "spending_cny, positive_post_share, repeat_visit_share, "
                                          "peak_crowding",
                                          it);
            e->outcome_mask |= 1u << found;
        }
    }
    if ((st = ipsim__xp_read_windows(b, root)) != IPSIM_OK)
        return st;
    v = cJSON_GetObjectItemCaseSensitive(root, "keep_daily");
    if (v) {
        if (cJSON_IsTrue(v)) {
            e->daily[e->n_daily++] = MET_ARRIVALS;
            e->daily[e->n_daily++] = MET_VISITOR_NIGHTS;
            e->daily[e->n_daily++] = MET_SPENDING_CNY;
        } else if (cJSON_IsArray(v)) {
            const cJSON *it;
            int i = 0;
            cJSON_ArrayForEach(it, v)
            {
                char p[32];
                int found = -1;
                snprintf(p, sizeof p, "keep_daily[%d]", i++);
                for (int k = 0; cJSON_IsString(it) && k < MET_COUNT; k++)
                    if (strcmp(it->valuestring, ipsim_metric_table[k].name) == 0)
                        found = k;
                for (int k = 0; k < e->n_daily; k++)
                    if (e->daily[k] == found)
                        found = -1;
                if (found < 0)
                    return ipsim__xp_expected(&b->c, p,
                                              "a daily metric name (as under /daily of a run "
                                              "file), not repeated",
                                              it);
                e->daily[e->n_daily++] = found;
            }
        } else if (!cJSON_IsFalse(v)) {
            return ipsim__xp_expected(&b->c, "keep_daily",
                                      "true, false or an array of daily metric names", v);
        }
    }
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "design");
    if (!cJSON_IsObject(d))
        return d ? ipsim__xp_expected(&b->c, "design", "an object {type, ...}", d)
                 : ipsim__xp_say(&b->c, IPSIM_ERR_DATA, "design: missing (required)");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "type");
    int type = -1;
    for (int k = 0; cJSON_IsString(t) && k < XP_N_DESIGNS; k++)
        if (strcmp(t->valuestring, ipsim__xp_design_names[k]) == 0)
            type = k;
    if (type < 0)
        return t ? ipsim__xp_expected(&b->c, "design.type",
                                      "one of arms, factorial, grid, lhs, sobol, morris, response", t)
                 : ipsim__xp_say(&b->c, IPSIM_ERR_DATA, "design.type: missing (required)");
    e->type = (xp_design)type;
    if ((st = ipsim__xp_build_design(b, d)) != IPSIM_OK ||
        (st = ipsim__xp_build_variations(b, root)) != IPSIM_OK)
        return st;
    /* base: a path, or an inline scenario object */
    v = cJSON_GetObjectItemCaseSensitive(root, "base");
    if (!v) {
        for (int p = 0; p < e->n_points; p++)
            if (!e->points[p].scenario)
                return ipsim__xp_say(&b->c, IPSIM_ERR_DATA,
                                     "base: missing (required unless every arm "
                                     "names its scenario)");
    } else if (!(cJSON_IsString(v) && *v->valuestring) && !cJSON_IsObject(v)) {
        return ipsim__xp_expected(&b->c, "base", "a scenario file path or a scenario object", v);
    }
    return IPSIM_OK;
}

ipsim_status ipsim__xp_from_json(const cJSON *root, const char *label, const char *dir,
                                 ipsim_experiment **out, char *err, size_t errlen)
{
    xp_builder b = {.dir = dir, .c = {label, err, errlen}};
    *out = NULL;
    b.e = calloc(1, sizeof *b.e);
    if (!b.e)
        return ipsim__xp_nomem(&b.c);
    b.e->origin = ipsim__xp_dup_str(label);
    if (!b.e->origin) {
        ipsim_experiment_destroy(b.e);
        return ipsim__xp_nomem(&b.c);
    }
    ipsim_status st = parse_top(&b, root);
    if (st == IPSIM_OK) {
        /* the experiment as stored: base made relative to where we run */
        cJSON *copy = cJSON_Duplicate(root, 1);
        const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "base");
        b.e->json_text = copy ? ipsim_json_print(copy) : NULL;
        if (!b.e->json_text)
            st = ipsim__xp_nomem(&b.c);
        if (st == IPSIM_OK && base && cJSON_IsObject(base)) {
            /* an inline base: its own "base" is relative to the experiment */
            b.e->base = NULL;
        }
        cJSON_Delete(copy);
    }
    if (st != IPSIM_OK) {
        ipsim_experiment_destroy(b.e);
        return st;
    }
    *out = b.e;
    return IPSIM_OK;
}

/* ---- public ------------------------------------------------------------- */

ipsim_status ipsim_experiment_load(const char *path, ipsim_experiment **out, char *err, size_t errlen)
{
    return ipsim_experiment_load_with(path, NULL, out, err, errlen);
}

ipsim_status ipsim_experiment_load_with(const char *path, const ipsim_experiment_overrides *ov,
                                        ipsim_experiment **out, char *err, size_t errlen)
{
    char *text = NULL, why[1024] = "";
    size_t len = 0;
    cJSON *root = NULL;
    if (out)
        *out = NULL;
    if (!path || !out) {
        if (err && errlen)
            snprintf(err, errlen, "ipsim_experiment_load: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    ipsim_status st = ipsim_json_read_file(path, &text, &len, why, sizeof why);
    if (st == IPSIM_OK)
        st = ipsim_json_parse(text, len, &root, why, sizeof why);
    free(text);
    if (st != IPSIM_OK) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, why);
        return st;
    }
    if ((st = ipsim__xp_apply_overrides(root, ov, err, errlen)) != IPSIM_OK) {
        cJSON_Delete(root);
        return st;
    }
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    if (slash) {
        dir = malloc((size_t)(slash - path) + 1);
        if (dir)
            snprintf(dir, (size_t)(slash - path) + 1, "%s", path);
    }
    st = ipsim__xp_from_json(root, path, dir, out, err, errlen);
    cJSON_Delete(root);
    free(dir);
    if (st == IPSIM_OK && (st = ipsim__xp_prepare(*out, err, errlen)) != IPSIM_OK) {
        ipsim_experiment_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* Scenario name of a file, for the arm name (its "name" key). */
static void arm_name_of(const char *path, int i, char *buf, size_t len)
{
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load(path, &sc, NULL, 0) == IPSIM_OK)
        snprintf(buf, len, "%s", ipsim_scenario_name(sc));
    else
        snprintf(buf, len, "arm%d", i);
    ipsim_scenario_destroy(sc);
}

ipsim_status ipsim_experiment_compare(const char *const *paths, int n, ipsim_experiment **out,
                                      char *err, size_t errlen)
{
    return ipsim_experiment_compare_with(paths, n, NULL, out, err, errlen);
}

ipsim_status
ipsim_experiment_compare_with(const char *const *paths, int n, const ipsim_experiment_overrides *ov,
                              ipsim_experiment **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!paths || n < 2 || !out) {
        if (err && errlen)
            snprintf(err, errlen, "compare: expected a reference scenario and at least one arm");
        return IPSIM_ERR_USAGE;
    }
    for (int i = 0; i < n; i++) {
        char why[2048] = "";
        ipsim_scenario *sc = NULL;
        ipsim_status st = ipsim_scenario_load(paths[i], &sc, why, sizeof why);
        ipsim_scenario_destroy(sc);
        if (st != IPSIM_OK) {
            if (err && errlen)
                snprintf(err, errlen, "%s", why);
            return st;
        }
    }
    cJSON *root = cJSON_CreateObject(), *design = cJSON_CreateObject(), *arms = cJSON_CreateArray();
    char ref[XP_NAME_MAX] = "";
    int ok = root && design && arms;
    if (ok) {
        cJSON_AddStringToObject(root, "name", "compare");
        cJSON_AddStringToObject(root, "description",
                                "Paired comparison of scenario files against the first "
                                "(ipsim compare).");
        cJSON_AddItemToObject(root, "design", design);
        cJSON_AddStringToObject(design, "type", "arms");
        cJSON_AddItemToObject(design, "arms", arms);
        for (int i = 0; i < n; i++) {
            char name[XP_NAME_MAX];
            cJSON *a = cJSON_CreateObject();
            arm_name_of(paths[i], i, name, sizeof name);
            for (int j = 0; j < cJSON_GetArraySize(arms); j++)
                if (strcmp(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arms, j), "name")
                               ->valuestring,
                           name) == 0) {
                    char tmp[XP_NAME_MAX];
                    snprintf(tmp, sizeof tmp, "%.56s_%d", name, i);
                    memcpy(name, tmp, sizeof tmp);
                }
            if (i == 0)
                snprintf(ref, sizeof ref, "%s", name);
            if (!a)
                ok = 0;
            else {
                cJSON_AddStringToObject(a, "name", name);
                cJSON_AddStringToObject(a, "scenario", paths[i]);
                cJSON_AddItemToArray(arms, a);
            }
        }
        cJSON_AddStringToObject(design, "reference", ref);
    } else {
        cJSON_Delete(design);
        cJSON_Delete(arms);
    }
    ipsim_status st = IPSIM_ERR_NOMEM;
    if (ok && (st = ipsim__xp_apply_overrides(root, ov, err, errlen)) != IPSIM_OK)
        ok = 0;
    else if (ok)
        st = ipsim__xp_from_json(root, "compare", NULL, out, err, errlen);
    else if (st == IPSIM_ERR_NOMEM && err && errlen)
        snprintf(err, errlen, "out of memory");
    cJSON_Delete(root);
    if (st == IPSIM_OK && (st = ipsim__xp_prepare(*out, err, errlen)) != IPSIM_OK) {
        ipsim_experiment_destroy(*out);
        *out = NULL;
    }
    return st;
}

void ipsim_experiment_destroy(ipsim_experiment *e)
{
    if (!e)
        return;
    for (int p = 0; e->points && p < e->n_points; p++) {
        for (int i = 0; i < e->points[p].n_sets; i++) {
            free(e->points[p].sets[i].path);
            free(e->points[p].sets[i].value);
        }
        free(e->points[p].sets);
        free(e->points[p].scenario);
        if (e->own)
            ipsim_scenario_destroy(e->own[p]);
    }
    free(e->points);
    free(e->own);
    ipsim_scenario_destroy(e->base);
    free(e->origin);
    free(e->json_text);
    free(e->param);
    free(e->design);
    free(e->factor_x);
    free(e->lo);
    free(e->hi);
    free(e->cost);
    free(e->market);
    ipsim__xp_post_free(e->post);
    free(e->windows);
    free(e->ratios);
    ipsim__xp_free_variations(e);
    free(e);
}

const char *ipsim_experiment_name(const ipsim_experiment *e)
{
    return e ? e->name : "";
}

const char *ipsim_experiment_design(const ipsim_experiment *e)
{
    return e ? ipsim__xp_design_names[e->type] : "";
}

int ipsim_experiment_points(const ipsim_experiment *e)
{
    return e ? e->n_points : 0;
}

int ipsim_experiment_replicates(const ipsim_experiment *e)
{
    return e ? e->replicates : 0;
}

int ipsim_experiment_points_checked(const ipsim_experiment *e)
{
    return e ? e->checked : 0;
}

void ipsim_sweep_options_init(ipsim_sweep_options *o)
{
    memset(o, 0, sizeof *o);
}

int ipsim__xp_replicates(const ipsim_experiment *e, const ipsim_sweep_options *o)
{
    return o && o->replicates > 0 ? o->replicates : e->replicates;
}

double ipsim__xp_scale(const ipsim_experiment *e, const ipsim_sweep_options *o)
{
    return o && o->scale > 0 ? o->scale : e->scale;
}
