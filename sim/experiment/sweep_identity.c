/*
 * sweep_identity.c - what a sweep's units depend on, as one JSON text: the
 * ipsim version and model revision, replicates, scale, seed, days, numbers
 * per unit, the experiment, and the resolved scenarios its points start
 * from (the base, and the distinct scenario files of arms). A point's
 * resolved scenario is its source scenario with the point's overrides
 * (which the experiment fixes) applied, so two sweeps with the same
 * identity run the same scenario at every point with the same model.
 *
 * The journal's header and the sweep file (/identity) hold it, and its hash
 * is the fingerprint; --resume and merge compare identities and refuse
 * units of another sweep, naming the first difference ("point 0 'ref':
 * destination.digital_fluency 0.2 in the journal, 0.25 now").
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "experiment/posterior_draws.h"
#include "experiment/sweep.h"
#include "json/json_path.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define VALUE_TEXT 64      /* bytes of a value quoted in a message */
#define POINTS_SCANNED 256 /* points resolved to find the one that differs */

/* ---- building ----------------------------------------------------------- */

/* The resolved JSON of sc as a tree; NULL when out of memory. */
static cJSON *scenario_tree(const ipsim_scenario *sc)
{
    char *text = ipsim_scenario_to_json(sc);
    cJSON *t = text ? cJSON_Parse(text) : NULL;
    free(text);
    return t;
}

/* "arm_scenarios" (distinct resolved arm files) and "arm_scenario_of_point"
 * (index, or -1 for the base) when some arm has its own file. */
static int add_arm_scenarios(cJSON *root, const ipsim_experiment *e)
{
    int any = 0;
    for (int p = 0; e->own && p < e->n_points; p++)
        any |= e->own[p] != NULL;
    if (!any)
        return 0;
    cJSON *list = cJSON_AddArrayToObject(root, "arm_scenarios");
    cJSON *of = cJSON_AddArrayToObject(root, "arm_scenario_of_point");
    char **texts = calloc((size_t)e->n_points, sizeof *texts);
    int n = 0, rc = list && of && texts ? 0 : -1;
    for (int p = 0; rc == 0 && p < e->n_points; p++) {
        int idx = -1;
        if (e->own[p]) {
            char *t = ipsim_scenario_to_json(e->own[p]);
            if (!t) {
                rc = -1;
                break;
            }
            for (int i = 0; i < n && idx < 0; i++)
                if (strcmp(texts[i], t) == 0)
                    idx = i;
            if (idx < 0) {
                cJSON *tree = cJSON_Parse(t);
                if (!tree || !cJSON_AddItemToArray(list, tree)) {
                    cJSON_Delete(tree);
                    free(t);
                    rc = -1;
                    break;
                }
                texts[n] = t;
                idx = n++;
            } else {
                free(t);
            }
        }
        if (!cJSON_AddItemToArray(of, cJSON_CreateNumber(idx)))
            rc = -1;
    }
    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    return rc;
}

/* "posterior" (only under --posterior): the file's fingerprint, the
 * parameter paths, the draws K, and each draw's particle and values, so
 * --resume and merge refuse units run under another posterior or K. */
static int add_posterior(cJSON *root, const ipsim_experiment *e, int R)
{
    const xp_posterior *p = e->post;
    int K = ipsim__xp_post_draws(p, R);
    cJSON *o = cJSON_AddObjectToObject(root, "posterior");
    cJSON *par = o ? cJSON_AddArrayToObject(o, "parameters") : NULL;
    cJSON *dr = o ? cJSON_AddArrayToObject(o, "draws") : NULL;
    if (!par || !dr || !cJSON_AddStringToObject(o, "fingerprint", p->fingerprint))
        return -1;
    for (int i = 0; i < p->n_params; i++)
        if (!cJSON_AddItemToArray(par, cJSON_CreateString(p->param[i])))
            return -1;
    for (int k = 0; k < K; k++) {
        int j = ipsim__xp_post_particle(p, e->run_seed, k);
        cJSON *one = cJSON_CreateObject(), *v = NULL;
        if (!one || !cJSON_AddItemToArray(dr, one)) {
            cJSON_Delete(one);
            return -1;
        }
        if (!cJSON_AddNumberToObject(one, "particle", j) ||
            !(v = cJSON_CreateDoubleArray(p->samples + (size_t)j * p->n_params, p->n_params)) ||
            !cJSON_AddItemToObject(one, "values", v)) {
            cJSON_Delete(v);
            return -1;
        }
    }
    return 0;
}

char *ipsim__sw_identity(const ipsim_experiment *e, int R, double scale, size_t nv)
{
    char seed[32];
    cJSON *root = cJSON_CreateObject();
    char *text = NULL;
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)e->run_seed);
    int ok = root && cJSON_AddStringToObject(root, "ipsim_version", ipsim_version()) &&
             cJSON_AddNumberToObject(root, "model_revision", XP_MODEL_REVISION) &&
             cJSON_AddNumberToObject(root, "replicates", R) &&
             cJSON_AddNumberToObject(root, "scale", scale) &&
             cJSON_AddStringToObject(root, "seed", seed) &&
             cJSON_AddNumberToObject(root, "days", e->days) &&
             cJSON_AddNumberToObject(root, "values_per_unit", (double)nv);
    if (ok) {
        cJSON *x = cJSON_Parse(e->json_text);
        ok = x && cJSON_AddItemToObject(root, "experiment", x);
        if (!ok)
            cJSON_Delete(x);
    }
    if (ok) {
        cJSON *b = e->base ? scenario_tree(e->base) : cJSON_CreateNull();
        ok = b && cJSON_AddItemToObject(root, "base", b);
        if (!ok)
            cJSON_Delete(b);
    }
    if (ok && e->post && add_posterior(root, e, R) != 0)
        ok = 0;
    if (ok && add_arm_scenarios(root, e) == 0)
        text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

uint64_t ipsim__sw_identity_hash(const char *text)
{
    uint64_t h = FNV_OFFSET;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= FNV_PRIME;
    }
    return h;
}

/* ---- naming the first difference ---------------------------------------- */

typedef struct {
    char path[IPSIM_JSON_PATH_MAX];
    char a[VALUE_TEXT], b[VALUE_TEXT];
} json_diff;

static void value_text(const cJSON *v, char *buf, size_t len)
{
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    if (!v)
        snprintf(buf, len, "absent");
    else if (!t)
        snprintf(buf, len, "?");
    else if (strlen(t) < len)
        snprintf(buf, len, "%s", t);
    else
        snprintf(buf, len, "%.*s...", (int)len - 4, t);
    free(t);
}

static int found(json_diff *d, const char *path, const cJSON *a, const cJSON *b)
{
    snprintf(d->path, sizeof d->path, "%s", *path ? path : "(the whole value)");
    value_text(a, d->a, sizeof d->a);
    value_text(b, d->b, sizeof d->b);
    return 1;
}

static int tree_diff(const cJSON *a, const cJSON *b, const char *path, json_diff *d);

static int child_diff(const cJSON *a, const cJSON *b, const char *path, const char *key, int index,
                      json_diff *d)
{
    char p[IPSIM_JSON_PATH_MAX];
    if (key && index < 0)
        snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    else if (key)
        snprintf(p, sizeof p, "%s[%s]", path, key);
    else
        snprintf(p, sizeof p, "%s[%d]", path, index);
    if (!a || !b)
        return found(d, p, a, b);
    return tree_diff(a, b, p, d);
}

/* An array element's label: its "name" when it has one. */
static const char *element_name(const cJSON *v)
{
    const cJSON *n = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "name") : NULL;
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* 1 and the first difference in d when a and b differ, else 0. */
static int tree_diff(const cJSON *a, const cJSON *b, const char *path, json_diff *d)
{
    int ta = a->type & 0xff, tb = b->type & 0xff;
    if (ta != tb)
        return found(d, path, a, b);
    if (cJSON_IsObject(a)) {
        const cJSON *x;
        cJSON_ArrayForEach(x, a)
        {
            if (child_diff(x, cJSON_GetObjectItemCaseSensitive(b, x->string), path, x->string, -1, d))
                return 1;
        }
        cJSON_ArrayForEach(x, b)
        {
            if (!cJSON_GetObjectItemCaseSensitive(a, x->string))
                return child_diff(NULL, x, path, x->string, -1, d);
        }
        return 0;
    }
    if (cJSON_IsArray(a)) {
        int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b), i = 0;
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next, i++) {
            const char *name = element_name(x);
            if (name && (!element_name(y) || strcmp(name, element_name(y)) != 0))
                name = NULL;
            if (child_diff(x, y, path, name, name ? 0 : i, d))
                return 1;
        }
        if (na != nb) {
            snprintf(d->path, sizeof d->path, "%s", *path ? path : "(the whole value)");
            snprintf(d->a, sizeof d->a, "%d elements", na);
            snprintf(d->b, sizeof d->b, "%d elements", nb);
            return 1;
        }
        return 0;
    }
    if (cJSON_IsNumber(a))
        return a->valuedouble != b->valuedouble ? found(d, path, a, b) : 0;
    if (cJSON_IsString(a))
        return strcmp(a->valuestring, b->valuestring) != 0 ? found(d, path, a, b) : 0;
    return 0; /* true, false, null of the same type */
}

/* The source scenario tree of point p in an identity (base or arm file). */
static const cJSON *source_of(const cJSON *id, int p)
{
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(id, "arm_scenario_of_point");
    const cJSON *k = of ? cJSON_GetArrayItem(of, p) : NULL;
    if (cJSON_IsNumber(k) && k->valuedouble >= 0)
        return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(id, "arm_scenarios"),
                                  (int)k->valuedouble);
    return cJSON_GetObjectItemCaseSensitive(id, "base");
}

/* The resolved scenario of point p from source tree src, as a tree; NULL
 * when it cannot be built. */
static cJSON *resolve_point(const ipsim_experiment *e, int p, const cJSON *src)
{
    char *text = cJSON_IsObject(src) ? cJSON_PrintUnformatted(src) : NULL;
    ipsim_scenario *sc = NULL;
    cJSON *out = NULL;
    if (text && ipsim_scenario_load_buffer(text, strlen(text), "identity", &sc, NULL, 0) == IPSIM_OK) {
        int ok = 1;
        const xp_point *pt = &e->points[p];
        for (int i = 0; ok && i < pt->n_sets; i++) {
            size_t n = strlen(pt->sets[i].path) + strlen(pt->sets[i].value) + 2;
            char *a = malloc(n);
            if (a)
                snprintf(a, n, "%s=%s", pt->sets[i].path, pt->sets[i].value);
            ok = a && ipsim_scenario_set(sc, a, NULL, 0) == IPSIM_OK;
            free(a);
        }
        if (ok)
            out = scenario_tree(sc);
    }
    ipsim_scenario_destroy(sc);
    free(text);
    return out;
}

/* The first point (of the first POINTS_SCANNED) whose resolved scenario
 * differs: 1 with msg filled, else 0 (msg then names the source that
 * differs, if any). */
static int point_diff(const ipsim_experiment *e, const cJSON *ia, const cJSON *ib, const char *in_a,
                      const char *in_b, char *msg, size_t len)
{
    json_diff d;
    int source_differs = 0;
    for (int p = 0; p < e->n_points && p < POINTS_SCANNED; p++) {
        const cJSON *sa = source_of(ia, p), *sb = source_of(ib, p);
        if (!sa || !sb || !tree_diff(sa, sb, "", &d))
            continue;
        if (!source_differs) {
            source_differs = 1;
            snprintf(msg, len, "the %s scenario: %s %s %s, %s %s",
                     source_of(ia, p) == cJSON_GetObjectItemCaseSensitive(ia, "base")
                         ? "base"
                         : "arm's",
                     d.path, d.a, in_a, d.b, in_b);
        }
        cJSON *ra = resolve_point(e, p, sa), *rb = resolve_point(e, p, sb);
        int differs = ra && rb && tree_diff(ra, rb, "", &d);
        cJSON_Delete(ra);
        cJSON_Delete(rb);
        if (differs) {
            snprintf(msg, len, "point %d '%s': %s %s %s, %s %s", p, e->points[p].name, d.path, d.a,
                     in_a, d.b, in_b);
            return 1;
        }
    }
    return source_differs;
}

static const struct {
    const char *key, *label;
} scalar_keys[] = {
    {"ipsim_version", "ipsim version"},
    {"model_revision", "model revision"},
    {"replicates", "replicates"},
    {"scale", "scale"},
    {"seed", "seed"},
    {"days", "days"},
    {"values_per_unit", "numbers per unit"},
};

void ipsim__sw_identity_diff(const ipsim_experiment *e, const char *a, const char *b, const char *in_a,
                             const char *in_b, char *msg, size_t len)
{
    cJSON *ia = a ? cJSON_Parse(a) : NULL, *ib = b ? cJSON_Parse(b) : NULL;
    json_diff d;
    snprintf(msg, len, "what its units were run with differs");
    if (!cJSON_IsObject(ia) || !cJSON_IsObject(ib)) {
        snprintf(msg, len, "the identity %s is not readable", !cJSON_IsObject(ia) ? in_a : in_b);
        goto done;
    }
    for (size_t k = 0; k < sizeof scalar_keys / sizeof scalar_keys[0]; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(ia, scalar_keys[k].key);
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(ib, scalar_keys[k].key);
        if (!x || !y ? x != y : tree_diff(x, y, "", &d)) {
            char va[VALUE_TEXT], vb[VALUE_TEXT];
            value_text(x, va, sizeof va);
            value_text(y, vb, sizeof vb);
            snprintf(msg, len, "%s %s %s, %s %s", scalar_keys[k].label, va, in_a, vb, in_b);
            goto done;
        }
    }
    const cJSON *xa = cJSON_GetObjectItemCaseSensitive(ia, "experiment");
    const cJSON *xb = cJSON_GetObjectItemCaseSensitive(ib, "experiment");
    if (xa && xb && tree_diff(xa, xb, "", &d)) {
        snprintf(msg, len, "the experiment: %s %s %s, %s %s", d.path, d.a, in_a, d.b, in_b);
        goto done;
    }
    if (e && e->points && point_diff(e, ia, ib, in_a, in_b, msg, len))
        goto done;
    static const char *const rest[] = {"posterior", "base", "arm_scenarios",
                                       "arm_scenario_of_point"};
    for (size_t k = 0; k < sizeof rest / sizeof rest[0]; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(ia, rest[k]);
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(ib, rest[k]);
        if (!x || !y ? x != y : tree_diff(x, y, "", &d)) {
            if (!x || !y) {
                value_text(x, d.a, sizeof d.a);
                value_text(y, d.b, sizeof d.b);
                snprintf(d.path, sizeof d.path, "(the whole value)");
            }
            snprintf(msg, len, "%s: %s %s %s, %s %s", rest[k], d.path, d.a, in_a, d.b, in_b);
            goto done;
        }
    }
done:
    cJSON_Delete(ia);
    cJSON_Delete(ib);
}
