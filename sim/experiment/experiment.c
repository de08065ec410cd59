/*
 * experiment.c - experiment files: loading and validation (messages in the
 * scenarios' style, "FILE: json.path: expected X, found Y"), expansion of
 * the designs (arms, factorial, grid, lhs, sobol, morris) into points, the
 * preparation of their scenarios, and the run of one unit of work (point,
 * replicate) reduced to its outcomes.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "experiment/analysis.h"
#include "experiment/plan.h"
#include "json/json_path.h"

const char *const ipsim__xp_design_names[XP_N_DESIGNS] = {"arms", "factorial", "grid",
                                                   "lhs", "sobol", "morris"};

const xp_outcome_info ipsim__xp_outcomes[OUT_COUNT] = {
    {"arrivals", "1", "trips started (people)"},
    {"cec_arrivals", "1", "trips started by core experiential consumers (people)"},
    {"visitor_nights", "1", "nights spent at the destination (people x nights)"},
    {"spending_cny", "CNY", "on-site spending"},
    {"positive_post_share", "1", "share of posts that are positive"},
    {"repeat_visit_share", "1", "share of arrivals by people who visited before"},
    {"peak_crowding", "1", "highest visitors / capacity over days and assets"},
};

/* ---- messages ----------------------------------------------------------- */

typedef struct {
    const char *label;  /* file name for messages */
    char *err;
    size_t errlen;
} ctx;

static ipsim_status say(ctx *c, ipsim_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ipsim_status say(ctx *c, ipsim_status st, const char *fmt, ...)
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
static ipsim_status expected(ctx *c, const char *path, const char *what, const cJSON *found)
{
    char buf[96];
    ipsim_json_describe(found, buf, sizeof buf);
    return say(c, IPSIM_ERR_DATA, "%s: expected %s, found %s", path, what, buf);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Keys of obj must be among allowed (NULL-terminated). */
static ipsim_status check_keys(ctx *c, const cJSON *obj, const char *path,
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
                return say(c, IPSIM_ERR_DATA, "%s%s%s: unknown key (did you mean \"%s\"?)", path,
                           *path ? "." : "", it->string, sg.best);
            return say(c, IPSIM_ERR_DATA, "%s%s%s: unknown key (valid keys: %s)", path,
                       *path ? "." : "", it->string, list);
        }
    }
    return IPSIM_OK;
}

static ipsim_status get_string(ctx *c, const cJSON *obj, const char *key, const char *path,
                               int required, size_t max, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[IPSIM_JSON_PATH_MAX];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    *out = NULL;
    if (!v) {
        if (required)
            return say(c, IPSIM_ERR_DATA, "%s: missing (required)", p);
        return IPSIM_OK;
    }
    if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= max) {
        char what[64];
        snprintf(what, sizeof what, "a string of 1 to %zu bytes", max - 1);
        return expected(c, p, what, v);
    }
    *out = v->valuestring;
    return IPSIM_OK;
}

/* Whole number in [lo, hi]; *out keeps its value when the key is absent. */
static ipsim_status get_int(ctx *c, const cJSON *obj, const char *key, const char *path,
                            int required, long lo, long hi, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[IPSIM_JSON_PATH_MAX], what[96];
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (!v)
        return required ? say(c, IPSIM_ERR_DATA, "%s: missing (required)", p) : IPSIM_OK;
    snprintf(what, sizeof what, "a whole number from %ld to %ld", lo, hi);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return expected(c, p, what, v);
    *out = (long)v->valuedouble;
    return IPSIM_OK;
}

static int is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.';
}

/* Names become dataset names: letters, digits, '_', '-', '.'. */
static ipsim_status get_name(ctx *c, const cJSON *obj, const char *path, char *out)
{
    const char *s;
    ipsim_status st = get_string(c, obj, "name", path, 1, 64, &s);
    if (st != IPSIM_OK)
        return st;
    for (const char *q = s; *q; q++)
        if (!is_name_char(*q)) {
            char p[IPSIM_JSON_PATH_MAX];
            snprintf(p, sizeof p, "%s.name", path);
            return expected(c, p, "a name of letters, digits, '_', '-' or '.'",
                            cJSON_GetObjectItemCaseSensitive(obj, "name"));
        }
    snprintf(out, XP_NAME_MAX, "%s", s);
    return IPSIM_OK;
}

/* ---- building the experiment ------------------------------------------- */

typedef struct {
    ipsim_experiment *e;
    const char *dir;
    ctx c;
} builder;

static ipsim_status nomem(builder *b)
{
    return say(&b->c, IPSIM_ERR_NOMEM, "out of memory");
}

static char *join_path(const char *dir, const char *rel)
{
    if (!dir || !*dir || rel[0] == '/')
        return dup_str(rel);
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static ipsim_status alloc_points(builder *b, long n)
{
    if (n < 1 || n > XP_MAX_POINTS)
        return say(&b->c, IPSIM_ERR_LIMIT, "design: %ld points; expected 1 to %d", n,
                   XP_MAX_POINTS);
    b->e->points = calloc((size_t)n, sizeof *b->e->points);
    if (!b->e->points)
        return nomem(b);
    b->e->n_points = (int)n;
    return IPSIM_OK;
}

static ipsim_status add_set(builder *b, xp_point *pt, const char *path, const char *value,
                            const char *where)
{
    xp_set *s = realloc(pt->sets, (size_t)(pt->n_sets + 1) * sizeof *s);
    if (!s)
        return nomem(b);
    pt->sets = s;
    s[pt->n_sets].path = dup_str(path);
    s[pt->n_sets].value = dup_str(value);
    s[pt->n_sets].where = where;
    if (!s[pt->n_sets].path || !s[pt->n_sets].value) {
        free(s[pt->n_sets].path);
        free(s[pt->n_sets].value);
        return nomem(b);
    }
    pt->n_sets++;
    return IPSIM_OK;
}

/* Overrides of an object {"json.path": value, ...} added to pt. */
static ipsim_status add_set_object(builder *b, xp_point *pt, const cJSON *obj, const char *path,
                                    const char *where)
{
    const cJSON *it;
    if (!obj)
        return IPSIM_OK;
    if (!cJSON_IsObject(obj))
        return expected(&b->c, path, "an object of overrides {\"json.path\": value}", obj);
    cJSON_ArrayForEach(it, obj)
    {
        char *text = cJSON_PrintUnformatted(it);
        if (!text)
            return nomem(b);
        ipsim_status st = add_set(b, pt, it->string, text, where);
        free(text);
        if (st != IPSIM_OK)
            return st;
    }
    return IPSIM_OK;
}

static ipsim_status alloc_params(builder *b, int k)
{
    ipsim_experiment *e = b->e;
    e->n_params = k;
    e->param = calloc((size_t)(k > 0 ? k : 1), sizeof *e->param);
    if (!e->param)
        return nomem(b);
    return IPSIM_OK;
}

static ipsim_status alloc_design(builder *b)
{
    ipsim_experiment *e = b->e;
    e->design = calloc((size_t)(e->n_params > 0 ? e->n_params : 1) * (size_t)e->n_points,
                       sizeof *e->design);
    return e->design ? IPSIM_OK : nomem(b);
}

static ipsim_status build_arms(builder *b, const cJSON *d)
{
    static const char *const keys[] = {"type", "arms", "reference", NULL};
    static const char *const arm_keys[] = {"name", "set", "scenario", NULL};
    ipsim_experiment *e = b->e;
    ipsim_status st = check_keys(&b->c, d, "design", keys);
    const cJSON *arms = cJSON_GetObjectItemCaseSensitive(d, "arms");
    if (st != IPSIM_OK)
        return st;
    if (!cJSON_IsArray(arms) || cJSON_GetArraySize(arms) < 2)
        return expected(&b->c, "design.arms", "an array of at least 2 arms", arms);
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
            return expected(&b->c, path, "an object {name, set} or {name, scenario}", arm);
        if ((st = check_keys(&b->c, arm, path, arm_keys)) != IPSIM_OK ||
            (st = get_name(&b->c, arm, path, pt->name)) != IPSIM_OK)
            return st;
        for (int j = 0; j < i; j++)
            if (strcmp(e->points[j].name, pt->name) == 0)
                return say(&b->c, IPSIM_ERR_DATA, "%s.name: \"%s\" is already the name of "
                           "design.arms[%d]", path, pt->name, j);
        const char *scen;
        if ((st = get_string(&b->c, arm, "scenario", path, 0, 4096, &scen)) != IPSIM_OK)
            return st;
        if (scen && !(pt->scenario = join_path(b->dir, scen)))
            return nomem(b);
        char sp[80];
        snprintf(sp, sizeof sp, "%s.set", path);
        snprintf(pt->where_buf, sizeof pt->where_buf, "%s", sp);
        if ((st = add_set_object(b, pt, cJSON_GetObjectItemCaseSensitive(arm, "set"), sp,
                                 pt->where_buf)) != IPSIM_OK)
            return st;
        i++;
    }
    const char *ref;
    if ((st = get_string(&b->c, d, "reference", "design", 0, XP_NAME_MAX, &ref)) != IPSIM_OK)
        return st;
    e->reference = 0;
    if (ref) {
        e->reference = -1;
        for (int j = 0; j < e->n_points; j++)
            if (strcmp(e->points[j].name, ref) == 0)
                e->reference = j;
        if (e->reference < 0)
            return expected(&b->c, "design.reference", "the name of one of design.arms",
                            cJSON_GetObjectItemCaseSensitive(d, "reference"));
    }
    e->design[e->reference] = 1.0;
    return IPSIM_OK;
}

/* "design.factors[i].off" / ".on" as static text (sets point at it). */
#define FW(i) {"design.factors[" #i "].off", "design.factors[" #i "].on"}
static const char *const factor_where[XP_MAX_PARAMS][2] = {
    FW(0), FW(1), FW(2), FW(3), FW(4), FW(5), FW(6), FW(7), FW(8), FW(9),
    FW(10), FW(11), FW(12), FW(13), FW(14), FW(15), FW(16), FW(17), FW(18), FW(19)};
#undef FW

static const char *const param_where[XP_MAX_PARAMS] = {
    "design.parameters[0]", "design.parameters[1]", "design.parameters[2]",
    "design.parameters[3]", "design.parameters[4]", "design.parameters[5]",
    "design.parameters[6]", "design.parameters[7]", "design.parameters[8]",
    "design.parameters[9]", "design.parameters[10]", "design.parameters[11]",
    "design.parameters[12]", "design.parameters[13]", "design.parameters[14]",
    "design.parameters[15]", "design.parameters[16]", "design.parameters[17]",
    "design.parameters[18]", "design.parameters[19]"};

static ipsim_status build_factorial(builder *b, const cJSON *d)
{
    static const char *const keys[] = {"type", "factors", "resolution", NULL};
    static const char *const f_keys[] = {"name", "off", "on", NULL};
    ipsim_experiment *e = b->e;
    ipsim_status st = check_keys(&b->c, d, "design", keys);
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(d, "factors");
    long res = 0;
    if (st != IPSIM_OK)
        return st;
    if (!cJSON_IsArray(fs) || cJSON_GetArraySize(fs) < 1 || cJSON_GetArraySize(fs) > XP_MAX_PARAMS)
        return expected(&b->c, "design.factors", "an array of 1 to 20 factors", fs);
    int k = cJSON_GetArraySize(fs);
    if ((st = get_int(&b->c, d, "resolution", "design", 0, 3, 8, &res)) != IPSIM_OK ||
        (st = alloc_params(b, k)) != IPSIM_OK)
        return st;
    const cJSON *f;
    int j = 0;
    cJSON_ArrayForEach(f, fs)
    {
        char path[64];
        snprintf(path, sizeof path, "design.factors[%d]", j);
        if (!cJSON_IsObject(f))
            return expected(&b->c, path, "an object {name, off, on}", f);
        if ((st = check_keys(&b->c, f, path, f_keys)) != IPSIM_OK ||
            (st = get_name(&b->c, f, path, e->param[j])) != IPSIM_OK)
            return st;
        for (int q = 0; q < j; q++)
            if (strcmp(e->param[q], e->param[j]) == 0)
                return say(&b->c, IPSIM_ERR_DATA, "%s.name: \"%s\" is already the name of "
                           "design.factors[%d]", path, e->param[j], q);
        const char *side[2] = {"off", "on"};
        for (int s = 0; s < 2; s++) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(f, side[s]);
            char sp[80];
            snprintf(sp, sizeof sp, "%s.%s", path, side[s]);
            if (o && !cJSON_IsObject(o))
                return expected(&b->c, sp, "an object of overrides {\"json.path\": value}", o);
        }
        j++;
    }
    int runs = 0, achieved = 0;
    signed char *x = NULL;
    if (ipsim__an_two_level_design(k, (int)res, &x, &runs, &achieved) != 0)
        return say(&b->c, IPSIM_ERR_LIMIT, "design: no regular design found for %d factors", k);
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
                len += (size_t)snprintf(pt->name + len, XP_NAME_MAX - len, "%s%s",
                                        len ? "+" : "", e->param[q]);
        }
        if (len == 0)
            snprintf(pt->name, XP_NAME_MAX, "none");
    }
    return IPSIM_OK;
}

/* parameters [{name, path, min, max}] or [{name, path, values}] (grid). */
static ipsim_status parse_params(builder *b, const cJSON *d, int grid, double **lo, double **hi,
                                 const cJSON ***values)
{
    static const char *const r_keys[] = {"name", "path", "min", "max", NULL};
    static const char *const g_keys[] = {"name", "path", "values", NULL};
    ipsim_experiment *e = b->e;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(d, "parameters");
    ipsim_status st;
    if (!cJSON_IsArray(ps) || cJSON_GetArraySize(ps) < 1 || cJSON_GetArraySize(ps) > XP_MAX_PARAMS)
        return expected(&b->c, "design.parameters", "an array of 1 to 20 parameters", ps);
    int k = cJSON_GetArraySize(ps);
    if ((st = alloc_params(b, k)) != IPSIM_OK)
        return st;
    *lo = calloc((size_t)k, sizeof **lo);
    *hi = calloc((size_t)k, sizeof **hi);
    *values = calloc((size_t)k, sizeof **values);
    if (!*lo || !*hi || !*values)
        return nomem(b);
    const cJSON *p;
    int j = 0;
    cJSON_ArrayForEach(p, ps)
    {
        char path[64], sub[96];
        const char *jp;
        snprintf(path, sizeof path, "design.parameters[%d]", j);
        if (!cJSON_IsObject(p))
            return expected(&b->c, path, grid ? "an object {name, path, values}"
                                              : "an object {name, path, min, max}", p);
        if ((st = check_keys(&b->c, p, path, grid ? g_keys : r_keys)) != IPSIM_OK ||
            (st = get_name(&b->c, p, path, e->param[j])) != IPSIM_OK ||
            (st = get_string(&b->c, p, "path", path, 1, IPSIM_JSON_PATH_MAX, &jp)) != IPSIM_OK)
            return st;
        for (int q = 0; q < j; q++)
            if (strcmp(e->param[q], e->param[j]) == 0)
                return say(&b->c, IPSIM_ERR_DATA, "%s.name: \"%s\" is already the name of "
                           "design.parameters[%d]", path, e->param[j], q);
        if (grid) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "values"), *it;
            snprintf(sub, sizeof sub, "%s.values", path);
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1)
                return expected(&b->c, sub, "a non-empty array of numbers", v);
            int q = 0;
            cJSON_ArrayForEach(it, v)
            {
                char ip[112];
                snprintf(ip, sizeof ip, "%s[%d]", sub, q++);
                if (!cJSON_IsNumber(it))
                    return expected(&b->c, ip, "a number", it);
            }
            (*values)[j] = v;
        } else {
            const cJSON *mn = cJSON_GetObjectItemCaseSensitive(p, "min");
            const cJSON *mx = cJSON_GetObjectItemCaseSensitive(p, "max");
            snprintf(sub, sizeof sub, "%s.min", path);
            if (!cJSON_IsNumber(mn))
                return expected(&b->c, sub, "a number", mn);
            snprintf(sub, sizeof sub, "%s.max", path);
            if (!cJSON_IsNumber(mx) || mx->valuedouble <= mn->valuedouble)
                return expected(&b->c, sub, "a number greater than min", mx);
            (*lo)[j] = mn->valuedouble;
            (*hi)[j] = mx->valuedouble;
        }
        j++;
    }
    return IPSIM_OK;
}

/* Points from unit coordinates u [point][k] mapped onto [lo, hi]. */
static ipsim_status points_from_unit(builder *b, const cJSON *d, const double *u,
                                     const double *lo, const double *hi, const char *prefix)
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

static ipsim_status build_sampled(builder *b, const cJSON *d)
{
    static const char *const grid_keys[] = {"type", "parameters", NULL};
    static const char *const lhs_keys[] = {"type", "parameters", "n", NULL};
    static const char *const sobol_keys[] = {"type", "parameters", "n", NULL};
    static const char *const morris_keys[] = {"type", "parameters", "trajectories", "levels", NULL};
    ipsim_experiment *e = b->e;
    const char *const *keys = e->type == XP_GRID ? grid_keys : e->type == XP_LHS ? lhs_keys
                            : e->type == XP_SOBOL ? sobol_keys : morris_keys;
    double *lo = NULL, *hi = NULL, *u = NULL;
    const cJSON **values = NULL;
    ipsim_status st = check_keys(&b->c, d, "design", keys);
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
        for (long p = 0; p < n; p++) {
            xp_point *pt = &e->points[p];
            long rest = p;
            size_t len = 0;
            for (int j = k - 1; j >= 0; j--) {
                int nv = cJSON_GetArraySize(values[j]);
                const cJSON *v = cJSON_GetArrayItem(values[j], (int)(rest % nv));
                rest /= nv;
                char text[40];
                ipsim_json_number_text(v->valuedouble, text, sizeof text);
                e->design[(size_t)j * n + p] = v->valuedouble;
                const cJSON *jp = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "parameters"), j),
                    "path");
                if ((st = add_set(b, pt, jp->valuestring, text, param_where[j])) != IPSIM_OK)
                    goto done;
            }
            for (int j = 0; j < k; j++) {
                char text[40];
                ipsim_json_number_text(e->design[(size_t)j * n + p], text, sizeof text);
                if (len < XP_NAME_MAX)
                    len += (size_t)snprintf(pt->name + len, XP_NAME_MAX - len, "%s%s=%s",
                                            j ? "," : "", e->param[j], text);
            }
        }
    } else if (e->type == XP_LHS) {
        long n = 0;
        if ((st = get_int(&b->c, d, "n", "design", 1, 2, 100000, &n)) != IPSIM_OK ||
            (st = alloc_points(b, n)) != IPSIM_OK)
            goto done;
        if (!(u = malloc(sizeof *u * (size_t)n * k))) {
            st = nomem(b);
            goto done;
        }
        ipsim__an_lhs((int)n, k, e->seed_set ? e->seed : 1, u);
        st = points_from_unit(b, d, u, lo, hi, "lhs");
    } else if (e->type == XP_SOBOL) {
        long n = 0;
        if ((st = get_int(&b->c, d, "n", "design", 1, 4, 65536, &n)) != IPSIM_OK)
            goto done;
        if (k > 20) {
            st = say(&b->c, IPSIM_ERR_DATA, "design.parameters: at most 20 for sobol");
            goto done;
        }
        e->sobol_n = (int)n;
        if ((st = alloc_points(b, n * (k + 2))) != IPSIM_OK)
            goto done;
        if (!(u = malloc(sizeof *u * (size_t)n * (k + 2) * k)) || ipsim__an_saltelli((int)n, k, u) != 0) {
            st = nomem(b);
            goto done;
        }
        st = points_from_unit(b, d, u, lo, hi, "sobol");
        for (int p = 0; st == IPSIM_OK && p < e->n_points; p++) {
            int block = p / (int)n, row = p % (int)n;
            if (block < 2)
                snprintf(e->points[p].name, XP_NAME_MAX, "%s%d", block ? "B" : "A", row);
            else
                snprintf(e->points[p].name, XP_NAME_MAX, "AB_%s_%d", e->param[block - 2], row);
        }
    } else {
        long r = 0, levels = 4;
        if ((st = get_int(&b->c, d, "trajectories", "design", 1, 1, 10000, &r)) != IPSIM_OK ||
            (st = get_int(&b->c, d, "levels", "design", 0, 2, 100, &levels)) != IPSIM_OK)
            goto done;
        if (levels % 2) {
            st = expected(&b->c, "design.levels", "an even number of levels",
                          cJSON_GetObjectItemCaseSensitive(d, "levels"));
            goto done;
        }
        e->morris_r = (int)r;
        if ((st = alloc_points(b, r * (k + 1))) != IPSIM_OK)
            goto done;
        if (!(u = malloc(sizeof *u * (size_t)r * (k + 1) * k))) {
            st = nomem(b);
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

static ipsim_status parse_top(builder *b, const cJSON *root)
{
    static const char *const keys[] = {"name", "description", "base", "replicates", "seed",
                                       "scale", "outcomes", "keep_daily", "design", NULL};
    ipsim_experiment *e = b->e;
    ipsim_status st;
    const char *s;
    long reps = XP_DEFAULT_REPLICATES;
    if (!cJSON_IsObject(root))
        return say(&b->c, IPSIM_ERR_DATA, "expected a JSON object at the top level");
    if (cJSON_GetObjectItemCaseSensitive(root, "markets") ||
        cJSON_GetObjectItemCaseSensitive(root, "simulation"))
        return say(&b->c, IPSIM_ERR_DATA,
                   "expected an experiment (keys name, base, design, ...), found a scenario (it has "
                   "\"%s\"): run a scenario with 'ipsim run', or compare scenarios with "
                   "'ipsim compare BASE.json ARM.json... -o OUT.h5'",
                   cJSON_GetObjectItemCaseSensitive(root, "markets") ? "markets" : "simulation");
    if ((st = check_keys(&b->c, root, "", keys)) != IPSIM_OK ||
        (st = get_name(&b->c, root, "", e->name)) != IPSIM_OK ||
        (st = get_string(&b->c, root, "description", "", 1, 4096, &s)) != IPSIM_OK ||
        (st = get_int(&b->c, root, "replicates", "", 0, 1, 100000, &reps)) != IPSIM_OK)
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
            return expected(&b->c, "seed", "a whole number from 0 to 2^53 or a string of digits",
                            v);
        e->seed_set = 1;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "scale");
    if (v) {
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1.0))
            return expected(&b->c, "scale", "a number of people per agent >= 1", v);
        e->scale = v->valuedouble;
    }
    e->outcome_mask = (1u << OUT_COUNT) - 1;
    v = cJSON_GetObjectItemCaseSensitive(root, "outcomes");
    if (v) {
        const cJSON *it;
        int i = 0;
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1)
            return expected(&b->c, "outcomes", "a non-empty array of outcome names", v);
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
                return expected(&b->c, p, "one of arrivals, cec_arrivals, visitor_nights, "
                                "spending_cny, positive_post_share, repeat_visit_share, "
                                "peak_crowding", it);
            e->outcome_mask |= 1u << found;
        }
    }
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
                    return expected(&b->c, p, "a daily metric name (as under /daily of a run "
                                    "file), not repeated", it);
                e->daily[e->n_daily++] = found;
            }
        } else if (!cJSON_IsFalse(v)) {
            return expected(&b->c, "keep_daily", "true, false or an array of daily metric names",
                            v);
        }
    }
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "design");
    if (!cJSON_IsObject(d))
        return d ? expected(&b->c, "design", "an object {type, ...}", d)
                 : say(&b->c, IPSIM_ERR_DATA, "design: missing (required)");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "type");
    int type = -1;
    for (int k = 0; cJSON_IsString(t) && k < XP_N_DESIGNS; k++)
        if (strcmp(t->valuestring, ipsim__xp_design_names[k]) == 0)
            type = k;
    if (type < 0)
        return t ? expected(&b->c, "design.type",
                            "one of arms, factorial, grid, lhs, sobol, morris", t)
                 : say(&b->c, IPSIM_ERR_DATA, "design.type: missing (required)");
    e->type = (xp_design)type;
    switch (e->type) {
    case XP_ARMS: st = build_arms(b, d); break;
    case XP_FACTORIAL: st = build_factorial(b, d); break;
    default: st = build_sampled(b, d); break;
    }
    if (st != IPSIM_OK)
        return st;
    /* base: a path, or an inline scenario object */
    v = cJSON_GetObjectItemCaseSensitive(root, "base");
    if (!v) {
        for (int p = 0; p < e->n_points; p++)
            if (!e->points[p].scenario)
                return say(&b->c, IPSIM_ERR_DATA, "base: missing (required unless every arm "
                           "names its scenario)");
    } else if (!(cJSON_IsString(v) && *v->valuestring) && !cJSON_IsObject(v)) {
        return expected(&b->c, "base", "a scenario file path or a scenario object", v);
    }
    return IPSIM_OK;
}

ipsim_status ipsim__xp_from_json(const cJSON *root, const char *label, const char *dir,
                          ipsim_experiment **out, char *err, size_t errlen)
{
    builder b = {.dir = dir, .c = {label, err, errlen}};
    *out = NULL;
    b.e = calloc(1, sizeof *b.e);
    if (!b.e)
        return nomem(&b);
    b.e->origin = dup_str(label);
    if (!b.e->origin) {
        ipsim_experiment_destroy(b.e);
        return nomem(&b);
    }
    ipsim_status st = parse_top(&b, root);
    if (st == IPSIM_OK) {
        /* the experiment as stored: base made relative to where we run */
        cJSON *copy = cJSON_Duplicate(root, 1);
        const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "base");
        b.e->json_text = copy ? ipsim_json_print(copy) : NULL;
        if (!b.e->json_text)
            st = nomem(&b);
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

/* ---- scenarios ---------------------------------------------------------- */

static double intervention_cost(const ipsim_scenario *sc)
{
    const sc_data *d = ipsim_scenario_data(sc);
    double c = 0.0;
    for (int i = 0; i < d->n_interventions; i++)
        c += d->interventions[i].cost_cny;
    return c;
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

/* A new scenario for point p: the base or the arm's file with the point's
 * overrides applied. */
static ipsim_status point_scenario(const ipsim_experiment *e, int p, ipsim_scenario **out,
                                   char *err, size_t errlen)
{
    const xp_point *pt = &e->points[p];
    const ipsim_scenario *from = e->own && e->own[p] ? e->own[p] : e->base;
    char why[2048];
    *out = from ? ipsim_scenario_clone(from) : NULL;
    if (!*out) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    for (int i = 0; i < pt->n_sets; i++) {
        size_t n = strlen(pt->sets[i].path) + strlen(pt->sets[i].value) + 2;
        char *a = malloc(n);
        if (!a) {
            ipsim_scenario_destroy(*out);
            *out = NULL;
            snprintf(err, errlen, "%s: out of memory", e->origin);
            return IPSIM_ERR_NOMEM;
        }
        snprintf(a, n, "%s=%s", pt->sets[i].path, pt->sets[i].value);
        why[0] = '\0';
        ipsim_status st = ipsim_scenario_set(*out, a, why, sizeof why);
        free(a);
        if (st != IPSIM_OK) {
            ipsim_scenario_destroy(*out);
            *out = NULL;
            snprintf(err, errlen, "%s: %s: \"%s\" = %s (point %s): %s", e->origin,
                     pt->sets[i].where ? pt->sets[i].where : "design", pt->sets[i].path,
                     pt->sets[i].value, pt->name, strip_set_prefix(why));
            return st == IPSIM_ERR_USAGE ? IPSIM_ERR_DATA : st;
        }
    }
    return IPSIM_OK;
}

static ipsim_status load_inline_base(ipsim_experiment *e, const cJSON *obj, const char *dir,
                                     char *err, size_t errlen)
{
    cJSON *copy = cJSON_Duplicate(obj, 1);
    ipsim_status st = IPSIM_ERR_NOMEM;
    char label[600];
    snprintf(label, sizeof label, "%s: base", e->origin);
    if (copy) {
        cJSON *b = cJSON_GetObjectItemCaseSensitive(copy, "base");
        if (cJSON_IsString(b) && b->valuestring[0] != '/' && dir && *dir) {
            char *j = join_path(dir, b->valuestring);
            if (j)
                cJSON_ReplaceItemInObjectCaseSensitive(copy, "base", cJSON_CreateString(j));
            free(j);
        }
        char *text = cJSON_PrintUnformatted(copy);
        if (text) {
            st = ipsim_scenario_load_buffer(text, strlen(text), label, &e->base, err, errlen);
            free(text);
        }
        cJSON_Delete(copy);
    }
    if (st == IPSIM_ERR_NOMEM)
        snprintf(err, errlen, "%s: out of memory", e->origin);
    return st;
}

ipsim_status ipsim__xp_prepare(ipsim_experiment *e, char *err, size_t errlen)
{
    cJSON *root = cJSON_Parse(e->json_text);
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "base");
    char *dir = NULL;
    ipsim_status st = IPSIM_OK;
    const char *slash = strrchr(e->origin, '/');
    if (slash) {
        dir = malloc((size_t)(slash - e->origin) + 1);
        if (dir)
            snprintf(dir, (size_t)(slash - e->origin) + 1, "%s", e->origin);
    }
    if (!root) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        free(dir);
        return IPSIM_ERR_NOMEM;
    }
    if (cJSON_IsString(base)) {
        char *p = join_path(dir, base->valuestring);
        char why[2048] = "";
        st = p ? ipsim_scenario_load(p, &e->base, why, sizeof why) : IPSIM_ERR_NOMEM;
        if (st != IPSIM_OK)
            snprintf(err, errlen, "%s: base: %s", e->origin, why);
        free(p);
    } else if (cJSON_IsObject(base)) {
        st = load_inline_base(e, base, dir, err, errlen);
    }
    cJSON_Delete(root);
    free(dir);
    if (st != IPSIM_OK)
        return st;
    e->own = calloc((size_t)e->n_points, sizeof *e->own);
    e->cost = calloc((size_t)e->n_points, sizeof *e->cost);
    if (!e->own || !e->cost) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    for (int p = 0; p < e->n_points; p++)
        if (e->points[p].scenario) {
            char why[2048] = "";
            st = ipsim_scenario_load(e->points[p].scenario, &e->own[p], why, sizeof why);
            if (st != IPSIM_OK) {
                snprintf(err, errlen, "%s: design.arms[%d].scenario: %s", e->origin, p, why);
                return st;
            }
        }
    int ref = e->type == XP_ARMS ? e->reference : 0;
    const ipsim_scenario *rs = e->own[ref] ? e->own[ref] : e->base;
    const sc_data *rd = ipsim_scenario_data(rs);
    e->run_seed = e->seed_set ? e->seed : rd->simulation.seed;
    if (e->scale <= 0)
        e->scale = rd->simulation.scale;
    e->days = rd->simulation.days;
    e->n_markets = rd->n_markets;
    e->market = calloc((size_t)rd->n_markets, sizeof *e->market);
    if (!e->market) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    for (int m = 0; m < rd->n_markets; m++)
        snprintf(e->market[m], IPSIM_NAME_MAX, "%s", rd->markets[m].name);
    for (int p = 0; p < e->n_points; p++) {
        ipsim_scenario *sc = NULL;
        if ((st = point_scenario(e, p, &sc, err, errlen)) != IPSIM_OK)
            return st;
        const sc_data *d = ipsim_scenario_data(sc);
        int same = d->n_markets == e->n_markets && d->simulation.days == e->days;
        for (int m = 0; same && m < d->n_markets; m++)
            same = strcmp(d->markets[m].name, e->market[m]) == 0;
        e->cost[p] = intervention_cost(sc);
        ipsim_scenario_destroy(sc);
        if (!same) {
            snprintf(err, errlen, "%s: point %s: expected the same markets (in the same order) "
                     "and simulation.days as the reference, found others", e->origin,
                     e->points[p].name);
            return IPSIM_ERR_DATA;
        }
    }
    return IPSIM_OK;
}

/* ---- public ------------------------------------------------------------- */

ipsim_status ipsim_experiment_load(const char *path, ipsim_experiment **out, char *err,
                                   size_t errlen)
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
                if (strcmp(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arms, j),
                                                            "name")->valuestring, name) == 0)
                {
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
    if (ok)
        st = ipsim__xp_from_json(root, "compare", NULL, out, err, errlen);
    else if (err && errlen)
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

/* ---- one unit ----------------------------------------------------------- */

size_t ipsim__xp_unit_values(const ipsim_experiment *e)
{
    size_t m = (size_t)e->n_markets;
    return OUT_COUNT + XP_N_SPLIT * m + XP_N_SPLIT * IPSIM_N_SEGMENTS +
           (size_t)e->n_daily * (size_t)e->days * m * IPSIM_N_SEGMENTS;
}

typedef struct {
    int (*stop)(void *);
    void *data;
} stop_relay;

static int unit_progress(void *ud, int day, int total)
{
    const stop_relay *s = ud;
    (void)day;
    (void)total;
    return s->stop ? s->stop(s->data) : 0;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double share(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

/* The outcomes of a finished model into v (layout: ipsim__xp_unit_values). */
static void reduce_outcomes(const ipsim_experiment *e, const ipsim_model *m, double *v)
{
    const ipsim_results *r = ipsim_model_results(m);
    int M = r->n_markets, D = r->days, S = IPSIM_N_SEGMENTS;
    double *split = v + OUT_COUNT;             /* [XP_N_SPLIT][M] */
    double *seg = split + XP_N_SPLIT * M;      /* [XP_N_SPLIT][S] */
    double *daily = seg + XP_N_SPLIT * S;
    /* per cell totals of the flows used */
    enum { C_ARR, C_REP, C_NIGHTS, C_SPEND, C_POS, C_NEG, C_NEU, C_N };
    static const int met[C_N] = {MET_ARRIVALS, MET_REPEAT_ARRIVALS, MET_VISITOR_NIGHTS,
                                 MET_SPENDING_CNY, MET_POSTS_POSITIVE, MET_POSTS_NEGATIVE,
                                 MET_POSTS_NEUTRAL};
    double cell[C_N][IPSIM_MAX_MARKETS][IPSIM_N_SEGMENTS];
    memset(cell, 0, sizeof cell);
    for (int k = 0; k < C_N; k++) {
        const double *d = results_daily(r, met[k]);
        for (int t = 0; t < D; t++)
            for (int mk = 0; mk < M; mk++)
                for (int s = 0; s < S; s++) {
                    double x = d[((size_t)t * M + mk) * S + s];
                    if (isfinite(x))
                        cell[k][mk][s] += x;
                }
    }
    /* sums over a set of cells: market mk (or -1 all), segment s (or -1) */
    for (int scope = 0; scope < 1 + M + S; scope++) {
        double t[C_N] = {0}, cec = 0.0;
        for (int mk = 0; mk < M; mk++)
            for (int s = 0; s < S; s++) {
                if (scope >= 1 && scope <= M && mk != scope - 1)
                    continue;
                if (scope > M && s != scope - 1 - M)
                    continue;
                for (int k = 0; k < C_N; k++)
                    t[k] += cell[k][mk][s];
                if (s == IPSIM_SEG_CEC)
                    cec += cell[C_ARR][mk][s];
            }
        double o[XP_N_SPLIT] = {t[C_ARR], cec, t[C_NIGHTS], t[C_SPEND],
                                share(t[C_POS], t[C_POS] + t[C_NEG] + t[C_NEU]),
                                share(t[C_REP], t[C_ARR])};
        for (int k = 0; k < XP_N_SPLIT; k++) {
            if (scope == 0)
                v[k] = o[k];
            else if (scope <= M)
                split[(size_t)k * M + (scope - 1)] = o[k];
            else
                seg[(size_t)k * S + (scope - 1 - M)] = o[k];
        }
    }
    double peak = 0.0;
    const double *c = results_asset(r, AMET_CROWDING);
    for (size_t i = 0; i < (size_t)D * (size_t)r->n_assets; i++)
        if (isfinite(c[i]) && c[i] > peak)
            peak = c[i];
    v[OUT_PEAK_CROWDING] = peak;
    size_t block = (size_t)D * M * S;
    for (int k = 0; k < e->n_daily; k++)
        memcpy(daily + (size_t)k * block, results_daily(r, e->daily[k]), block * sizeof *daily);
}

ipsim_status ipsim__xp_run_unit(const ipsim_experiment *e, int point, int replicate,
                         const ipsim_sweep_options *o, double *values, double *seconds,
                         int (*stop)(void *), void *stop_data, char *err, size_t errlen)
{
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    stop_relay relay = {stop, stop_data};
    ipsim_status st = point_scenario(e, point, &sc, err, errlen);
    double t0 = wall_now(); /* model time: create, run, reduce, destroy */
    *seconds = 0.0;
    if (st != IPSIM_OK)
        return st;
    memset(&opt, 0, sizeof opt);
    ipsim_run_options_init(&opt);
    opt.seed_set = 1;
    opt.seed = e->run_seed;
    opt.replicate = (uint32_t)replicate;
    opt.threads = o ? o->threads : 0;
    opt.scale = ipsim__xp_scale(e, o);
    opt.max_memory_bytes = o ? o->max_memory_bytes : 0;
    opt.log = o ? o->log : NULL;
    opt.log_userdata = o ? o->log_userdata : NULL;
    st = ipsim_model_create(sc, &opt, &m, err, errlen);
    if (st == IPSIM_OK)
        st = ipsim_model_run(m, unit_progress, &relay);
    if (st == IPSIM_OK) {
        const ipsim_results *r = ipsim_model_results(m);
        if (r->n_markets != e->n_markets || r->days != e->days) {
            snprintf(err, errlen, "%s: point %s: the run has %d markets and %d days, expected "
                     "%d and %d", e->origin, e->points[point].name, r->n_markets, r->days,
                     e->n_markets, e->days);
            st = IPSIM_ERR_INTERNAL;
        } else {
            reduce_outcomes(e, m, values);
        }
    }
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
    *seconds = wall_now() - t0;
    return st;
}
