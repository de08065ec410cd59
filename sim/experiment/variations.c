/*
 * variations.c - an experiment's overrides beyond its design: the top-level
 * "set" (applied together to the base scenario and to every arm's scenario
 * file, before the points' own overrides; `--set` of `ipsim sweep` and
 * `ipsim compare` adds to it) and "variations" (every design point runs
 * under every named variation: point v * n_design + p is design point p
 * under variation v, whose overrides come before the point's own). Also
 * how a point's overrides are applied: all together, validated once
 * (ipsim_scenario_set_all), so their order never matters.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

#define VARIATIONS_MAX 1000 /* variations of one experiment */
#define SETS_SHOWN_MAX 600  /* bytes of overrides named in one message */
#define ERR_SCRATCH 2048    /* a message not shown (the slow path makes the one shown) */

/* "path=value" of each override, malloc'ed (NULL when out of memory). */
static char **assignments(const xp_set *s, int n)
{
    char **a = calloc((size_t)(n > 0 ? n : 1), sizeof *a);
    for (int i = 0; a && i < n; i++) {
        size_t len = strlen(s[i].path) + strlen(s[i].value) + 2;
        if (!(a[i] = malloc(len))) {
            for (int j = 0; j < i; j++)
                free(a[j]);
            free(a);
            return NULL;
        }
        snprintf(a[i], len, "%s=%s", s[i].path, s[i].value);
    }
    return a;
}

static void free_assignments(char **a, int n)
{
    for (int i = 0; a && i < n; i++)
        free(a[i]);
    free(a);
}

/* The message of ipsim_scenario_set without its "--set PATH: " prefix. */
static const char *strip_set_prefix(const char *m)
{
    if (strncmp(m, "--set ", 6) == 0) {
        const char *c = strstr(m, ": ");
        if (c)
            return c + 2;
    }
    return m;
}

ipsim_status ipsim__xp_apply_sets(const ipsim_experiment *e, ipsim_scenario *sc, const char *who,
                                  const xp_set *sets, int n, char *err, size_t errlen)
{
    char why[2048] = "";
    int failed = -1;
    if (n == 0)
        return IPSIM_OK;
    char **a = assignments(sets, n);
    if (!a) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    ipsim_status st = ipsim_scenario_set_all(sc, (const char *const *)a, n, &failed, why, sizeof why);
    if (st == IPSIM_ERR_DATA && failed < 0 && n == 1)
        failed = 0;
    if (st == IPSIM_ERR_DATA && failed < 0 && n > 1) {
        /* not valid together: name the override that alone is not valid for
         * the same reason, if there is one (else they are named together) */
        for (int i = 0; i < n && failed < 0; i++) {
            ipsim_scenario *probe = ipsim_scenario_clone(sc);
            char one[2048] = "";
            int f1 = 0;
            if (probe &&
                ipsim_scenario_set_all(probe, (const char *const *)&a[i], 1, &f1, one, sizeof one) ==
                    IPSIM_ERR_DATA &&
                f1 < 0 && strcmp(strip_set_prefix(one), strip_set_prefix(why)) == 0) {
                failed = i;
                snprintf(why, sizeof why, "%s", one);
            }
            ipsim_scenario_destroy(probe);
        }
    }
    free_assignments(a, n);
    if (st == IPSIM_OK)
        return IPSIM_OK;
    if (st == IPSIM_ERR_NOMEM) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return st;
    }
    if (failed >= 0) {
        snprintf(err, errlen, "%s: %s: \"%s\" = %s (%s): %s", e->origin,
                 sets[failed].where ? sets[failed].where : "design", sets[failed].path,
                 sets[failed].value, who, strip_set_prefix(why));
    } else {
        /* together they are not a valid scenario: name them all */
        char all[SETS_SHOWN_MAX] = "";
        size_t k = 0;
        for (int i = 0; i < n && k + 8 < sizeof all; i++)
            k += (size_t)snprintf(all + k, sizeof all - k, "%s%s: \"%s\" = %s", i ? "; " : "",
                                  sets[i].where ? sets[i].where : "design", sets[i].path,
                                  sets[i].value);
        snprintf(err, errlen, "%s: %s (%s, applied together): %s", e->origin, all, who,
                 strip_set_prefix(why));
    }
    return st == IPSIM_ERR_USAGE ? IPSIM_ERR_DATA : st;
}

ipsim_status ipsim__xp_derive_sets(const ipsim_experiment *e, const ipsim_scenario *src,
                                   const char *who, const xp_set *sets, int n, ipsim_scenario **out,
                                   char *err, size_t errlen)
{
    char why[ERR_SCRATCH];
    *out = NULL;
    char **a = n > 0 ? assignments(sets, n) : NULL;
    if (n > 0 && !a) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    if (a) {
        ipsim_status st =
            ipsim__scenario_derive(src, (const char *const *)a, n, NULL, out, why, sizeof why);
        free_assignments(a, n);
        if (st == IPSIM_OK)
            return IPSIM_OK;
        if (st == IPSIM_ERR_NOMEM) { /* not the overrides' fault: no retry */
            snprintf(err, errlen, "%s: out of memory", e->origin);
            return IPSIM_ERR_NOMEM;
        }
    }
    /* no override, or they are at fault: the copy and ipsim__xp_apply_sets,
     * whose message names the override at fault */
    *out = ipsim_scenario_clone(src);
    if (!*out) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    ipsim_status st = ipsim__xp_apply_sets(e, *out, who, sets, n, err, errlen);
    if (st != IPSIM_OK) {
        ipsim_scenario_destroy(*out);
        *out = NULL;
    }
    return st;
}

ipsim_status ipsim__xp_apply_global_sets(ipsim_experiment *e, char *err, size_t errlen)
{
    ipsim_status st = IPSIM_OK;
    if (e->n_gsets == 0)
        return IPSIM_OK;
    if (e->base)
        st = ipsim__xp_apply_sets(e, e->base, "the base scenario", e->gsets, e->n_gsets, err, errlen);
    for (int p = 0; st == IPSIM_OK && e->own && p < e->n_points; p++)
        if (e->own[p]) {
            char who[XP_NAME_MAX + 32];
            snprintf(who, sizeof who, "the scenario of point %s", e->points[p].name);
            st = ipsim__xp_apply_sets(e, e->own[p], who, e->gsets, e->n_gsets, err, errlen);
        }
    return st;
}

/* ---- reading "set" and "variations" ------------------------------------- */

/* The overrides of obj {"json.path": value, ...} (at JSON path `path`,
 * messages naming `where`) into *out, *n. */
static ipsim_status read_sets(xp_builder *b, const cJSON *obj, const char *path, const char *where,
                              xp_set **out, int *n)
{
    const cJSON *it;
    if (!cJSON_IsObject(obj))
        return ipsim__xp_expected(&b->c, path, "an object of overrides {\"json.path\": value}", obj);
    cJSON_ArrayForEach(it, obj)
    {
        xp_set *s = realloc(*out, (size_t)(*n + 1) * sizeof *s);
        if (!s)
            return ipsim__xp_nomem(&b->c);
        *out = s;
        s[*n].path = ipsim__xp_dup_str(it->string);
        s[*n].value = cJSON_PrintUnformatted(it);
        s[*n].where = where;
        if (!s[*n].path || !s[*n].value) {
            free(s[*n].path);
            free(s[*n].value);
            return ipsim__xp_nomem(&b->c);
        }
        (*n)++;
    }
    return IPSIM_OK;
}

/* Read one variation (index v) of the array. */
static ipsim_status read_variation(xp_builder *b, const cJSON *it, int v)
{
    static const char *const keys[] = {"name", "description", "set", NULL};
    ipsim_experiment *e = b->e;
    char path[48];
    const char *desc = NULL;
    ipsim_status st;
    snprintf(path, sizeof path, "variations[%d]", v);
    if (!cJSON_IsObject(it))
        return ipsim__xp_expected(&b->c, path, "an object {name, description?, set}", it);
    if ((st = ipsim__xp_check_keys(&b->c, it, path, keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_name(&b->c, it, path, e->var_name[v])) != IPSIM_OK ||
        (st = ipsim__xp_get_string(&b->c, it, "description", path, 0, 4096, &desc)) != IPSIM_OK)
        return st;
    for (int j = 0; j < v; j++)
        if (strcmp(e->var_name[j], e->var_name[v]) == 0)
            return ipsim__xp_say(&b->c, IPSIM_ERR_DATA,
                                 "%s.name: \"%s\" is already the name of variations[%d]", path,
                                 e->var_name[v], j);
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(it, "set");
    char sp[64];
    snprintf(sp, sizeof sp, "%s.set", path);
    if (!set)
        return ipsim__xp_say(&b->c, IPSIM_ERR_DATA,
                             "%s: missing (required; {} for the design as "
                             "it is)",
                             sp);
    if (!cJSON_IsObject(set))
        return ipsim__xp_expected(&b->c, sp, "an object of overrides {\"json.path\": value}", set);
    snprintf(e->var_where[v], sizeof e->var_where[v], "%s", sp);
    e->var_desc[v] = ipsim__xp_dup_str(desc ? desc : "");
    e->var_set[v] = cJSON_PrintUnformatted(set);
    return e->var_desc[v] && e->var_set[v] ? IPSIM_OK : ipsim__xp_nomem(&b->c);
}

/* Copy the design point src into dst as its copy under variation v: the
 * variation's overrides, then the point's own. */
static ipsim_status expand_point(xp_builder *b, const xp_point *src, xp_point *dst, int v,
                                 const cJSON *vset)
{
    ipsim_experiment *e = b->e;
    int n_own = src->n_sets, n_var = 0;
    xp_set *sets = NULL;
    ipsim_status st = read_sets(b, vset, e->var_where[v], e->var_where[v], &sets, &n_var);
    if (st != IPSIM_OK) {
        for (int i = 0; i < n_var; i++) {
            free(sets[i].path);
            free(sets[i].value);
        }
        free(sets);
        return st;
    }
    xp_set *all = realloc(sets, (size_t)(n_var + n_own + 1) * sizeof *all);
    if (!all) {
        for (int i = 0; i < n_var; i++) {
            free(sets[i].path);
            free(sets[i].value);
        }
        free(sets);
        return ipsim__xp_nomem(&b->c);
    }
    dst->sets = all;
    dst->n_sets = n_var;
    snprintf(dst->name, XP_NAME_MAX, "%.62s@%.62s", src->name, e->var_name[v]);
    memcpy(dst->where_buf, src->where_buf, sizeof dst->where_buf);
    if (src->scenario && !(dst->scenario = ipsim__xp_dup_str(src->scenario)))
        return ipsim__xp_nomem(&b->c);
    for (int i = 0; i < n_own; i++) {
        xp_set *s = &all[dst->n_sets];
        s->path = ipsim__xp_dup_str(src->sets[i].path);
        s->value = ipsim__xp_dup_str(src->sets[i].value);
        s->where = src->sets[i].where == src->where_buf ? dst->where_buf : src->sets[i].where;
        if (!s->path || !s->value) {
            free(s->path);
            free(s->value);
            return ipsim__xp_nomem(&b->c);
        }
        dst->n_sets++;
    }
    return IPSIM_OK;
}

static void free_points(xp_point *pts, int n)
{
    for (int p = 0; pts && p < n; p++) {
        for (int i = 0; i < pts[p].n_sets; i++) {
            free(pts[p].sets[i].path);
            free(pts[p].sets[i].value);
        }
        free(pts[p].sets);
        free(pts[p].scenario);
    }
    free(pts);
}

ipsim_status ipsim__xp_build_variations(xp_builder *b, const cJSON *root)
{
    ipsim_experiment *e = b->e;
    ipsim_status st;
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(root, "set");
    e->n_design = e->n_points;
    if (set && (st = read_sets(b, set, "set", "set", &e->gsets, &e->n_gsets)) != IPSIM_OK)
        return st;
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(root, "variations");
    if (!vs)
        return IPSIM_OK;
    if (!cJSON_IsArray(vs) || cJSON_GetArraySize(vs) < 1 || cJSON_GetArraySize(vs) > VARIATIONS_MAX)
        return ipsim__xp_expected(&b->c, "variations",
                                  "an array of 1 to 1000 variations {name, description?, set}", vs);
    if (e->type != XP_ARMS && e->type != XP_GRID)
        return ipsim__xp_say(&b->c, IPSIM_ERR_DATA,
                             "variations: expected a design of type arms or grid, found "
                             "design.type \"%s\" (its analysis needs the design's own points)",
                             ipsim__xp_design_names[e->type]);
    int V = cJSON_GetArraySize(vs), P = e->n_points;
    if ((long)V * P > XP_MAX_POINTS)
        return ipsim__xp_say(&b->c, IPSIM_ERR_LIMIT,
                             "variations: %d variations x %d points = %ld points; expected at most "
                             "%d",
                             V, P, (long)V * P, XP_MAX_POINTS);
    e->var_name = calloc((size_t)V, sizeof *e->var_name);
    e->var_desc = calloc((size_t)V, sizeof *e->var_desc);
    e->var_set = calloc((size_t)V, sizeof *e->var_set);
    e->var_where = calloc((size_t)V, sizeof *e->var_where);
    if (!e->var_name || !e->var_desc || !e->var_set || !e->var_where)
        return ipsim__xp_nomem(&b->c);
    e->n_var = V;
    int v = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, vs)
    {
        if ((st = read_variation(b, it, v)) != IPSIM_OK)
            return st;
        v++;
    }
    xp_point *pts = calloc((size_t)V * P, sizeof *pts);
    double *design = calloc((size_t)(e->n_params > 0 ? e->n_params : 1) * (size_t)V * P,
                            sizeof *design);
    if (!pts || !design) {
        free(pts);
        free(design);
        return ipsim__xp_nomem(&b->c);
    }
    v = 0;
    cJSON_ArrayForEach(it, vs)
    {
        const cJSON *vset = cJSON_GetObjectItemCaseSensitive(it, "set");
        for (int p = 0; p < P; p++) {
            if ((st = expand_point(b, &e->points[p], &pts[v * P + p], v, vset)) != IPSIM_OK) {
                free_points(pts, V * P);
                free(design);
                return st;
            }
            for (int j = 0; j < e->n_params; j++)
                design[(size_t)j * V * P + (size_t)v * P + p] = e->design[(size_t)j * P + p];
        }
        v++;
    }
    free_points(e->points, e->n_points);
    free(e->design);
    e->points = pts;
    e->design = design;
    e->n_points = V * P;
    return IPSIM_OK;
}

void ipsim__xp_free_variations(ipsim_experiment *e)
{
    for (int i = 0; i < e->n_gsets; i++) {
        free(e->gsets[i].path);
        free(e->gsets[i].value);
    }
    free(e->gsets);
    for (int v = 0; v < e->n_var; v++) {
        if (e->var_desc)
            free(e->var_desc[v]);
        if (e->var_set)
            free(e->var_set[v]);
    }
    free(e->var_name);
    free(e->var_desc);
    free(e->var_set);
    free(e->var_where);
}
