/*
 * designs.c - expansion of an experiment's design into points: arms (named
 * sets of overrides or scenario files), two-level factorials (full or
 * fractional), grids, Latin hypercubes, Saltelli's Sobol matrices and
 * Morris trajectories over parameter ranges. Each point gets its name, its
 * overrides (JSON path -> JSON value, with the place in the experiment
 * they come from, for messages) and its row of the design matrix. The
 * sample generators are in sampling.c (analysis.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/analysis.h"
#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

const char *const ipsim__xp_design_names[XP_N_DESIGNS] = {
    "arms", "factorial", "grid", "lhs", "sobol", "morris", "response"};

/* ---- points ------------------------------------------------------------- */

static ipsim_status alloc_points(xp_builder *b, long n)
{
    if (n < 1 || n > XP_MAX_POINTS)
        return ipsim__xp_say(&b->c, IPSIM_ERR_LIMIT, "design: %ld points; expected 1 to %d", n,
                             XP_MAX_POINTS);
    b->e->points = calloc((size_t)n, sizeof *b->e->points);
    if (!b->e->points)
        return ipsim__xp_nomem(&b->c);
    b->e->n_points = (int)n;
    return IPSIM_OK;
}

static ipsim_status add_set(xp_builder *b, xp_point *pt, const char *path, const char *value,
                            const char *where)
{
    xp_set *s = realloc(pt->sets, (size_t)(pt->n_sets + 1) * sizeof *s);
    if (!s)
        return ipsim__xp_nomem(&b->c);
    pt->sets = s;
    s[pt->n_sets].path = ipsim__xp_dup_str(path);
    s[pt->n_sets].value = ipsim__xp_dup_str(value);
    s[pt->n_sets].where = where;
    if (!s[pt->n_sets].path || !s[pt->n_sets].value) {
        free(s[pt->n_sets].path);
        free(s[pt->n_sets].value);
        return ipsim__xp_nomem(&b->c);
    }
    pt->n_sets++;
    return IPSIM_OK;
}

/* Overrides of an object {"json.path": value, ...} added to pt. */
static ipsim_status add_set_object(xp_builder *b, xp_point *pt, const cJSON *obj, const char *path,
                                   const char *where)
{
    const cJSON *it;
    if (!obj)
        return IPSIM_OK;
    if (!cJSON_IsObject(obj))
        return ipsim__xp_expected(&b->c, path, "an object of overrides {\"json.path\": value}", obj);
    cJSON_ArrayForEach(it, obj)
    {
        char *text = cJSON_PrintUnformatted(it);
        if (!text)
            return ipsim__xp_nomem(&b->c);
        ipsim_status st = add_set(b, pt, it->string, text, where);
        free(text);
        if (st != IPSIM_OK)
            return st;
    }
    return IPSIM_OK;
}

static ipsim_status alloc_params(xp_builder *b, int k)
{
    ipsim_experiment *e = b->e;
    e->n_params = k;
    e->param = calloc((size_t)(k > 0 ? k : 1), sizeof *e->param);
    if (!e->param)
        return ipsim__xp_nomem(&b->c);
    return IPSIM_OK;
}

static ipsim_status alloc_design(xp_builder *b)
{
    ipsim_experiment *e = b->e;
    e->design = calloc((size_t)(e->n_params > 0 ? e->n_params : 1) * (size_t)e->n_points,
                       sizeof *e->design);
    return e->design ? IPSIM_OK : ipsim__xp_nomem(&b->c);
}

static ipsim_status build_arms(xp_builder *b, const cJSON *d)
{
    static const char *const keys[] = {"type", "arms", "reference", NULL};
    static const char *const arm_keys[] = {"name", "set", "scenario", NULL};
    ipsim_experiment *e = b->e;
    ipsim_status st = ipsim__xp_check_keys(&b->c, d, "design", keys);
    const cJSON *arms = cJSON_GetObjectItemCaseSensitive(d, "arms");
    if (st != IPSIM_OK)
        return st;
    if (!cJSON_IsArray(arms) || cJSON_GetArraySize(arms) < 2)
        return ipsim__xp_expected(&b->c, "design.arms", "an array of at least 2 arms", arms);
    if ((st = alloc_points(b, cJSON_GetArraySize(arms))) != IPSIM_OK ||
        (st = alloc_params(b, 1)) != IPSIM_OK || (st = alloc_design(b)) != IPSIM_OK)
        return st;
    snprintf(e->param[0], XP_NAME_MAX, "is_reference");
    int i = 0;
    const cJSON *arm;
    cJSON_ArrayForEach(arm, arms)
    {
        char path[64];
        snprintf(path, sizeof path, "design.arms[%d]", i);
        xp_point *pt = &e->points[i];
        if (!cJSON_IsObject(arm))
            return ipsim__xp_expected(&b->c, path, "an object {name, set} or {name, scenario}", arm);
        if ((st = ipsim__xp_check_keys(&b->c, arm, path, arm_keys)) != IPSIM_OK ||
            (st = ipsim__xp_get_name(&b->c, arm, path, pt->name)) != IPSIM_OK)
            return st;
        for (int j = 0; j < i; j++)
            if (strcmp(e->points[j].name, pt->name) == 0)
                return ipsim__xp_say(&b->c, IPSIM_ERR_DATA,
                                     "%s.name: \"%s\" is already the name of "
                                     "design.arms[%d]",
                                     path, pt->name, j);
        const char *scen;
        if ((st = ipsim__xp_get_string(&b->c, arm, "scenario", path, 0, 4096, &scen)) != IPSIM_OK)
            return st;
        if (scen && !(pt->scenario = ipsim__xp_join_path(b->dir, scen)))
            return ipsim__xp_nomem(&b->c);
        char sp[80];
        snprintf(sp, sizeof sp, "%s.set", path);
        snprintf(pt->where_buf, sizeof pt->where_buf, "%s", sp);
        if ((st = add_set_object(b, pt, cJSON_GetObjectItemCaseSensitive(arm, "set"), sp,
                                 pt->where_buf)) != IPSIM_OK)
            return st;
        i++;
    }
    const char *ref;
    if ((st = ipsim__xp_get_string(&b->c, d, "reference", "design", 0, XP_NAME_MAX, &ref)) != IPSIM_OK)
        return st;
    e->reference = 0;
    if (ref) {
        e->reference = -1;
        for (int j = 0; j < e->n_points; j++)
            if (strcmp(e->points[j].name, ref) == 0)
                e->reference = j;
        if (e->reference < 0)
            return ipsim__xp_expected(&b->c, "design.reference", "the name of one of design.arms",
                                      cJSON_GetObjectItemCaseSensitive(d, "reference"));
    }
    e->design[e->reference] = 1.0;
    return IPSIM_OK;
}

/* "design.factors[i].off" / ".on" as static text (sets point at it). */
#define FW(i) \
    { \
        "design.factors[" #i "].off", "design.factors[" #i "].on" \
    }
static const char *const factor_where[XP_MAX_PARAMS][2] = {
    FW(0),  FW(1),  FW(2),  FW(3),  FW(4),  FW(5),  FW(6),  FW(7),  FW(8),  FW(9),
    FW(10), FW(11), FW(12), FW(13), FW(14), FW(15), FW(16), FW(17), FW(18), FW(19)};
#undef FW

static const char *const param_where[XP_MAX_PARAMS] = {
    "design.parameters[0]",  "design.parameters[1]",  "design.parameters[2]",
    "design.parameters[3]",  "design.parameters[4]",  "design.parameters[5]",
    "design.parameters[6]",  "design.parameters[7]",  "design.parameters[8]",
    "design.parameters[9]",  "design.parameters[10]", "design.parameters[11]",
    "design.parameters[12]", "design.parameters[13]", "design.parameters[14]",
    "design.parameters[15]", "design.parameters[16]", "design.parameters[17]",
    "design.parameters[18]", "design.parameters[19]"};

static ipsim_status build_factorial(xp_builder *b, const cJSON *d)
{
    static const char *const keys[] = {"type", "factors", "resolution", NULL};
    static const char *const f_keys[] = {"name", "off", "on", NULL};
    ipsim_experiment *e = b->e;
    ipsim_status st = ipsim__xp_check_keys(&b->c, d, "design", keys);
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(d, "factors");
    long res = 0;
    if (st != IPSIM_OK)
        return st;
    if (!cJSON_IsArray(fs) || cJSON_GetArraySize(fs) < 1 || cJSON_GetArraySize(fs) > XP_MAX_PARAMS)
        return ipsim__xp_expected(&b->c, "design.factors", "an array of 1 to 20 factors", fs);
    int k = cJSON_GetArraySize(fs);
    if ((st = ipsim__xp_get_int(&b->c, d, "resolution", "design", 0, 3, 8, &res)) != IPSIM_OK ||
        (st = alloc_params(b, k)) != IPSIM_OK)
        return st;
    const cJSON *f;
    int j = 0;
    cJSON_ArrayForEach(f, fs)
    {
        char path[64];
        snprintf(path, sizeof path, "design.factors[%d]", j);
        if (!cJSON_IsObject(f))
            return ipsim__xp_expected(&b->c, path, "an object {name, off, on}", f);
        if ((st = ipsim__xp_check_keys(&b->c, f, path, f_keys)) != IPSIM_OK ||
            (st = ipsim__xp_get_name(&b->c, f, path, e->param[j])) != IPSIM_OK)
            return st;
        for (int q = 0; q < j; q++)
            if (strcmp(e->param[q], e->param[j]) == 0)
                return ipsim__xp_say(&b->c, IPSIM_ERR_DATA,
                                     "%s.name: \"%s\" is already the name of "
                                     "design.factors[%d]",
                                     path, e->param[j], q);
        const char *side[2] = {"off", "on"};
        for (int s = 0; s < 2; s++) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(f, side[s]);
            char sp[80];
            snprintf(sp, sizeof sp, "%s.%s", path, side[s]);
            if (o && !cJSON_IsObject(o))
                return ipsim__xp_expected(&b->c, sp, "an object of overrides {\"json.path\": value}",
                                          o);
        }
        j++;
    }
    int runs = 0, achieved = 0;
    signed char *x = NULL;
    if (ipsim__an_two_level_design(k, (int)res, &x, &runs, &achieved) != 0)
        return ipsim__xp_say(&b->c, IPSIM_ERR_LIMIT, "design: no regular design found for %d factors",
                             k);
    e->factor_x = x;
    e->resolution = achieved;
    if ((st = alloc_points(b, runs)) != IPSIM_OK || (st = alloc_design(b)) != IPSIM_OK)
        return st;
    for (int p = 0; p < runs; p++) {
        xp_point *pt = &e->points[p];
        size_t len = 0;
        pt->name[0] = '\0';
        for (int q = 0; q < k; q++) {
            int on = x[p * k + q] > 0;
            const cJSON *fq = cJSON_GetArrayItem(fs, q);
            char sp[80];
            snprintf(sp, sizeof sp, "design.factors[%d].%s", q, on ? "on" : "off");
            e->design[(size_t)q * runs + p] = on;
            if ((st = add_set_object(b, pt, cJSON_GetObjectItemCaseSensitive(fq, on ? "on" : "off"),
                                     sp, factor_where[q][on])) != IPSIM_OK)
                return st;
            if (on && len + strlen(e->param[q]) + 2 < XP_NAME_MAX)
                len += (size_t)snprintf(pt->name + len, XP_NAME_MAX - len, "%s%s", len ? "+" : "",
                                        e->param[q]);
        }
        if (len == 0)
            snprintf(pt->name, XP_NAME_MAX, "none");
    }
    return IPSIM_OK;
}

/* parameters [{name, path, min, max}] or [{name, path, values}] (grid). */
static ipsim_status parse_params(xp_builder *b, const cJSON *d, int grid, double **lo, double **hi,
                                 const cJSON ***values)
{
    static const char *const r_keys[] = {"name", "path", "min", "max", NULL};
    static const char *const g_keys[] = {"name", "path", "values", NULL};
    ipsim_experiment *e = b->e;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(d, "parameters");
    ipsim_status st;
    if (!cJSON_IsArray(ps) || cJSON_GetArraySize(ps) < 1 || cJSON_GetArraySize(ps) > XP_MAX_PARAMS)
        return ipsim__xp_expected(&b->c, "design.parameters", "an array of 1 to 20 parameters", ps);
    int k = cJSON_GetArraySize(ps);
    if ((st = alloc_params(b, k)) != IPSIM_OK)
        return st;
    *lo = calloc((size_t)k, sizeof **lo);
    *hi = calloc((size_t)k, sizeof **hi);
    *values = calloc((size_t)k, sizeof **values);
    if (!*lo || !*hi || !*values)
        return ipsim__xp_nomem(&b->c);
    const cJSON *p;
    int j = 0;
    cJSON_ArrayForEach(p, ps)
    {
        char path[64], sub[96];
        const char *jp;
        snprintf(path, sizeof path, "design.parameters[%d]", j);
        if (!cJSON_IsObject(p))
            return ipsim__xp_expected(
                &b->c, path,
                grid ? "an object {name, path, values}" : "an object {name, path, min, max}", p);
        if ((st = ipsim__xp_check_keys(&b->c, p, path, grid ? g_keys : r_keys)) != IPSIM_OK ||
            (st = ipsim__xp_get_name(&b->c, p, path, e->param[j])) != IPSIM_OK ||
            (st = ipsim__xp_get_string(&b->c, p, "path", path, 1, IPSIM_JSON_PATH_MAX, &jp)) !=
                IPSIM_OK)
            return st;
        for (int q = 0; q < j; q++)
            if (strcmp(e->param[q], e->param[j]) == 0)
                return ipsim__xp_say(&b->c, IPSIM_ERR_DATA,
                                     "%s.name: \"%s\" is already the name of "
                                     "design.parameters[%d]",
                                     path, e->param[j], q);
        if (grid) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "values"), *it;
            snprintf(sub, sizeof sub, "%s.values", path);
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1)
                return ipsim__xp_expected(&b->c, sub, "a non-empty array of numbers", v);
            int q = 0;
            cJSON_ArrayForEach(it, v)
            {
                char ip[112];
                snprintf(ip, sizeof ip, "%s[%d]", sub, q++);
                if (!cJSON_IsNumber(it))
                    return ipsim__xp_expected(&b->c, ip, "a number", it);
            }
            (*values)[j] = v;
        } else {
            const cJSON *mn = cJSON_GetObjectItemCaseSensitive(p, "min");
            const cJSON *mx = cJSON_GetObjectItemCaseSensitive(p, "max");
            snprintf(sub, sizeof sub, "%s.min", path);
            if (!cJSON_IsNumber(mn))
                return ipsim__xp_expected(&b->c, sub, "a number", mn);
            snprintf(sub, sizeof sub, "%s.max", path);
            if (!cJSON_IsNumber(mx) || mx->valuedouble <= mn->valuedouble)
                return ipsim__xp_expected(&b->c, sub, "a number greater than min", mx);
            (*lo)[j] = mn->valuedouble;
            (*hi)[j] = mx->valuedouble;
        }
        j++;
    }
    return IPSIM_OK;
}

/* Points from unit coordinates u [point][k] mapped onto [lo, hi]. */
static ipsim_status points_from_unit(xp_builder *b, const cJSON *d, const double *u, const double *lo,
                                     const double *hi, const char *prefix)
{
    ipsim_experiment *e = b->e;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(d, "parameters");
    ipsim_status st = alloc_design(b);
    int k = e->n_params;
    if (st != IPSIM_OK)
        return st;
    for (int p = 0; p < e->n_points; p++) {
        xp_point *pt = &e->points[p];
        snprintf(pt->name, XP_NAME_MAX, "%s%d", prefix, p);
        for (int j = 0; j < k; j++) {
            double v = lo[j] + u[(size_t)p * k + j] * (hi[j] - lo[j]);
            char text[40];
            if (v > hi[j])
                v = hi[j];
            e->design[(size_t)j * e->n_points + p] = v;
            ipsim_json_number_text(v, text, sizeof text);
            const cJSON *jp = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, j), "path");
            if ((st = add_set(b, pt, jp->valuestring, text, param_where[j])) != IPSIM_OK)
                return st;
        }
    }
    return IPSIM_OK;
}

/* The texts of a grid's values: text[j][q] of value q of parameter j. */
typedef struct {
    char (*text)[40];
    int *first; /* [param] index of its first value in text */
    int *count; /* [param] values */
    double *num;
} grid_values;

static void grid_values_free(grid_values *g)
{
    free(g->text);
    free(g->first);
    free(g->count);
    free(g->num);
}

/* The points of a grid of n points: every combination of the values, the
 * last parameter varying fastest. Each value's text is made once. */
static ipsim_status expand_grid(xp_builder *b, const cJSON *d, const cJSON **values, long n)
{
    ipsim_experiment *e = b->e;
    int k = e->n_params, total = 0;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(d, "parameters");
    grid_values g = {NULL, calloc((size_t)k, sizeof(int)), calloc((size_t)k, sizeof(int)), NULL};
    for (int j = 0; g.first && g.count && j < k; j++) {
        g.first[j] = total;
        g.count[j] = cJSON_GetArraySize(values[j]);
        total += g.count[j];
    }
    g.text = malloc(sizeof *g.text * (size_t)(total > 0 ? total : 1));
    g.num = malloc(sizeof *g.num * (size_t)(total > 0 ? total : 1));
    if (!g.first || !g.count || !g.text || !g.num) {
        grid_values_free(&g);
        return ipsim__xp_nomem(&b->c);
    }
    for (int j = 0; j < k; j++) {
        const cJSON *v;
        int q = g.first[j];
        cJSON_ArrayForEach(v, values[j])
        {
            g.num[q] = v->valuedouble;
            ipsim_json_number_text(v->valuedouble, g.text[q], sizeof g.text[q]);
            q++;
        }
    }
    ipsim_status st = IPSIM_OK;
    for (long p = 0; p < n && st == IPSIM_OK; p++) {
        xp_point *pt = &e->points[p];
        long rest = p;
        size_t len = 0;
        int at[XP_MAX_PARAMS];
        for (int j = k - 1; j >= 0; j--) {
            at[j] = g.first[j] + (int)(rest % g.count[j]);
            rest /= g.count[j];
        }
        for (int j = k - 1; j >= 0 && st == IPSIM_OK; j--) {
            e->design[(size_t)j * n + p] = g.num[at[j]];
            const cJSON *jp = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, j), "path");
            st = add_set(b, pt, jp->valuestring, g.text[at[j]], param_where[j]);
        }
        for (int j = 0; j < k && st == IPSIM_OK; j++)
            if (len < XP_NAME_MAX)
                len += (size_t)snprintf(pt->name + len, XP_NAME_MAX - len, "%s%s=%s", j ? "," : "",
                                        e->param[j], g.text[at[j]]);
    }
    grid_values_free(&g);
    return st;
}

static ipsim_status build_sampled(xp_builder *b, const cJSON *d)
{
    static const char *const grid_keys[] = {"type", "parameters", NULL};
    static const char *const lhs_keys[] = {"type", "parameters", "n", NULL};
    static const char *const sobol_keys[] = {"type", "parameters", "n", "second_order", NULL};
    static const char *const morris_keys[] = {"type", "parameters", "trajectories", "levels", NULL};
    ipsim_experiment *e = b->e;
    const char *const *keys = e->type == XP_GRID    ? grid_keys
                              : e->type == XP_LHS   ? lhs_keys
                              : e->type == XP_SOBOL ? sobol_keys
                                                    : morris_keys;
    double *lo = NULL, *hi = NULL, *u = NULL;
    const cJSON **values = NULL;
    ipsim_status st = ipsim__xp_check_keys(&b->c, d, "design", keys);
    if (st == IPSIM_OK)
        st = parse_params(b, d, e->type == XP_GRID, &lo, &hi, &values);
    int k = e->n_params;
    if (st != IPSIM_OK)
        goto done;
    if (e->type == XP_GRID) {
        long n = 1;
        for (int j = 0; j < k; j++) {
            n *= cJSON_GetArraySize(values[j]);
            if (n > XP_MAX_POINTS)
                break;
        }
        if ((st = alloc_points(b, n)) != IPSIM_OK || (st = alloc_design(b)) != IPSIM_OK)
            goto done;
        st = expand_grid(b, d, values, n);
    } else if (e->type == XP_LHS) {
        long n = 0;
        if ((st = ipsim__xp_get_int(&b->c, d, "n", "design", 1, 2, 100000, &n)) != IPSIM_OK ||
            (st = alloc_points(b, n)) != IPSIM_OK)
            goto done;
        if (!(u = malloc(sizeof *u * (size_t)n * k))) {
            st = ipsim__xp_nomem(&b->c);
            goto done;
        }
        ipsim__an_lhs((int)n, k, e->seed_set ? e->seed : 1, u);
        st = points_from_unit(b, d, u, lo, hi, "lhs");
    } else if (e->type == XP_SOBOL) {
        long n = 0;
        if ((st = ipsim__xp_get_int(&b->c, d, "n", "design", 1, 4, 65536, &n)) != IPSIM_OK)
            goto done;
        if (k > 20) {
            st = ipsim__xp_say(&b->c, IPSIM_ERR_DATA, "design.parameters: at most 20 for sobol");
            goto done;
        }
        /* second_order: the B_A^(i) matrices too, N(2k+2) points (the
         * analysis tells the two designs apart by their number of points) */
        const cJSON *so = cJSON_GetObjectItemCaseSensitive(d, "second_order");
        if (so && !cJSON_IsBool(so)) {
            st = ipsim__xp_expected(&b->c, "design.second_order", "true or false", so);
            goto done;
        }
        int second = cJSON_IsTrue(so), blocks = second ? 2 * k + 2 : k + 2;
        e->sobol_n = (int)n;
        if ((st = alloc_points(b, n * blocks)) != IPSIM_OK)
            goto done;
        if (!(u = malloc(sizeof *u * (size_t)n * blocks * k)) ||
            ipsim__an_saltelli((int)n, k, second, u) != 0) {
            st = ipsim__xp_nomem(&b->c);
            goto done;
        }
        st = points_from_unit(b, d, u, lo, hi, "sobol");
        for (int p = 0; st == IPSIM_OK && p < e->n_points; p++) {
            int block = p / (int)n, row = p % (int)n;
            if (block < 2)
                snprintf(e->points[p].name, XP_NAME_MAX, "%s%d", block ? "B" : "A", row);
            else if (block < k + 2)
                snprintf(e->points[p].name, XP_NAME_MAX, "AB_%s_%d", e->param[block - 2], row);
            else
                snprintf(e->points[p].name, XP_NAME_MAX, "BA_%s_%d", e->param[block - k - 2], row);
        }
    } else {
        long r = 0, levels = 4;
        if ((st = ipsim__xp_get_int(&b->c, d, "trajectories", "design", 1, 1, 10000, &r)) !=
                IPSIM_OK ||
            (st = ipsim__xp_get_int(&b->c, d, "levels", "design", 0, 2, 100, &levels)) != IPSIM_OK)
            goto done;
        if (levels % 2) {
            st = ipsim__xp_expected(&b->c, "design.levels", "an even number of levels",
                                    cJSON_GetObjectItemCaseSensitive(d, "levels"));
            goto done;
        }
        e->morris_r = (int)r;
        if ((st = alloc_points(b, r * (k + 1))) != IPSIM_OK)
            goto done;
        if (!(u = malloc(sizeof *u * (size_t)r * (k + 1) * k))) {
            st = ipsim__xp_nomem(&b->c);
            goto done;
        }
        ipsim__an_morris_trajectories((int)r, k, (int)levels, e->seed_set ? e->seed : 1, u);
        st = points_from_unit(b, d, u, lo, hi, "morris");
    }
done:
    e->lo = lo;
    e->hi = hi;
    free(u);
    free(values);
    return st;
}

ipsim_status ipsim__xp_build_design(xp_builder *b, const cJSON *d)
{
    switch (b->e->type) {
    case XP_ARMS: return build_arms(b, d);
    case XP_FACTORIAL: return build_factorial(b, d);
    case XP_RESPONSE: return ipsim__xp_build_response(b, d);
    default: return build_sampled(b, d);
    }
}
