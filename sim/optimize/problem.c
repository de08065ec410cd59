/*
 * problem.c - allocation problems (ipsim_optimize_load): strict JSON, the
 * top level (name, description, base, budget_cny, campaign, objective,
 * variables, replicates, final_replicates, scale, seed, plans, algorithm,
 * sensitivity_step_cny), the decision variables built from the selected
 * markets, segments, channels and months (split dimensions give a variable
 * per value, the others are pooled), their bounds, and the plans. Messages
 * are the scenarios' ("FILE: json.path: expected X, found Y"), through the
 * experiment loader's readers. Also the handle's destruction.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"
#include "optimize/opt.h"

#define DEFAULT_REPLICATES 4
#define DEFAULT_EVALUATIONS 60
#define DEFAULT_XTOL_REL 1e-3
#define MAX_CNY 1e13 /* a budget or bound above this is a typo */
#define LIST_MAX 400  /* bytes of a list of names in a message */

const char *const ipsim__opt_dim_names[OPT_N_DIMS] = {"markets", "segments", "channels", "months"};
const char *const ipsim__opt_outcome_names[OPT_N_OUTCOMES] = {"cec_arrivals", "arrivals",
                                                              "visitor_nights", "spending_cny"};
const char *const ipsim__opt_method_names[OPT_N_METHODS] = {"COBYLA", "SBPLX", "NELDERMEAD",
                                                            "BOBYQA"};

const char *ipsim__opt_objective_name(const ipsim_optimize *op, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", ipsim__opt_outcome_names[op->outcome], op->per_cny ? "_per_cny" : "");
    return buf;
}

/* ---- small readers -------------------------------------------------------- */

static ipsim_status money(xp_msg *m, const cJSON *obj, const char *path, const char *key,
                          int required, double min, double *out)
{
    char p[IPSIM_JSON_PATH_MAX], what[64];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", key);
    if (!v)
        return required ? ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", p) : IPSIM_OK;
    snprintf(what, sizeof what, "a number of CNY %s %g", min > 0 ? ">" : ">=", min);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble > MAX_CNY ||
        (min > 0 ? !(v->valuedouble > 0) : !(v->valuedouble >= min)))
        return ipsim__xp_expected(m, p, min > 0 ? "a number of CNY > 0" : what, v);
    *out = v->valuedouble;
    return IPSIM_OK;
}

static ipsim_status date(xp_msg *m, const ipsim_optimize *op, const cJSON *obj, const char *path,
                         const char *key, int required, ipsim_date *out)
{
    char p[IPSIM_JSON_PATH_MAX], what[120], a[16], b[16];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!v)
        return required ? ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", p) : IPSIM_OK;
    ipsim_date first = op->bd->simulation.start_date;
    ipsim_date last = first + op->bd->simulation.days - 1;
    ipsim_date_format(first, a);
    ipsim_date_format(last, b);
    snprintf(what, sizeof what, "a date \"YYYY-MM-DD\" within the simulated period %s .. %s", a, b);
    if (!cJSON_IsString(v) || ipsim_date_parse(v->valuestring, out) != 0 || *out < first || *out > last)
        return ipsim__xp_expected(m, p, what, v);
    return IPSIM_OK;
}

/* from <= to, the message on to. */
static ipsim_status window(xp_msg *m, const ipsim_optimize *op, const cJSON *obj, const char *path,
                           int required, ipsim_date *from, ipsim_date *to)
{
    ipsim_status st;
    char p[IPSIM_JSON_PATH_MAX];
    if ((st = date(m, op, obj, path, "from", required, from)) != IPSIM_OK ||
        (st = date(m, op, obj, path, "to", required, to)) != IPSIM_OK)
        return st;
    snprintf(p, sizeof p, "%s.to", path);
    if (*to < *from)
        return ipsim__xp_expected(m, p, "a date on or after from",
                                  cJSON_GetObjectItemCaseSensitive(obj, "to"));
    return IPSIM_OK;
}

/* "*" (every candidate) or an array of names among cand[n]; the indices
 * selected into idx, their count into *count; *all set for "*". */
static ipsim_status name_list(xp_msg *m, const cJSON *v, const char *path, const char *const *cand,
                              int n, const char *kind, int *idx, int *count, int *all)
{
    char list[LIST_MAX] = "", what[LIST_MAX + 80], p[IPSIM_JSON_PATH_MAX];
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", cand[i]);
    *count = 0;
    if (all)
        *all = 0;
    if (cJSON_IsString(v) && strcmp(v->valuestring, "*") == 0) {
        for (int i = 0; i < n; i++)
            idx[(*count)++] = i;
        if (all)
            *all = 1;
        return IPSIM_OK;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 || cJSON_GetArraySize(v) > n) {
        snprintf(what, sizeof what, "\"*\" or a list of %s (%s)", kind, list);
        return ipsim__xp_expected(m, path, what, v);
    }
    for (int k = 0; k < cJSON_GetArraySize(v); k++) {
        const cJSON *it = cJSON_GetArrayItem(v, k);
        int found = -1;
        for (int i = 0; cJSON_IsString(it) && i < n; i++)
            if (strcmp(it->valuestring, cand[i]) == 0)
                found = i;
        snprintf(p, sizeof p, "%s[%d]", path, k);
        for (int j = 0; found >= 0 && j < *count; j++)
            if (idx[j] == found)
                return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: \"%s\" is listed twice", p, cand[found]);
        if (found < 0) {
            snprintf(what, sizeof what, "one of the %s of the base scenario (%s)", kind, list);
            return ipsim__xp_expected(m, p, what, it);
        }
        idx[(*count)++] = found;
    }
    return IPSIM_OK;
}

/* ---- the decision variables ------------------------------------------------ */

static ipsim_status read_months(xp_msg *m, ipsim_optimize *op, const cJSON *v)
{
    const char *cand[OPT_MAX_MONTHS];
    int y, mo, d, n = 0;
    ipsim_date_to_ymd(op->from, &y, &mo, &d);
    for (;;) {
        ipsim_date a = ipsim_date_from_ymd(y, mo, 1);
        if (a > op->to || n == OPT_MAX_MONTHS)
            break;
        int ny = mo == 12 ? y + 1 : y, nm = mo == 12 ? 1 : mo + 1;
        ipsim_date b = ipsim_date_from_ymd(ny, nm, 1) - 1;
        op->month_from[n] = a < op->from ? op->from : a;
        op->month_to[n] = b > op->to ? op->to : b;
        snprintf(op->month_name[n], sizeof op->month_name[n], "%04d-%02d", y % 10000, mo);
        cand[n] = op->month_name[n];
        n++;
        y = ny;
        mo = nm;
    }
    if (op->month_to[n - 1] < op->to)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "campaign: the window spans more than %d months",
                             OPT_MAX_MONTHS);
    if (!v) {
        for (int i = 0; i < n; i++)
            op->months[i] = i;
        op->n_months = n;
        return IPSIM_OK;
    }
    return name_list(m, v, "variables.months", cand, n, "months of the campaign window", op->months,
                     &op->n_months, NULL);
}

static ipsim_status read_split(xp_msg *m, ipsim_optimize *op, const cJSON *v)
{
    if (!v)
        return IPSIM_OK;
    int idx[OPT_N_DIMS], n = 0;
    ipsim_status st = name_list(m, v, "variables.split", ipsim__opt_dim_names, OPT_N_DIMS,
                                "dimensions", idx, &n, NULL);
    for (int i = 0; st == IPSIM_OK && i < n; i++)
        op->split[idx[i]] = 1;
    return st;
}

/* The variables: every combination of the split dimensions' values. */
static ipsim_status make_vars(xp_msg *m, ipsim_optimize *op)
{
    int size[OPT_N_DIMS] = {op->n_markets, op->n_segments, op->n_channels, op->n_months};
    long total = 1;
    for (int k = 0; k < OPT_N_DIMS; k++)
        if (op->split[k])
            total *= size[k];
    if (total + op->bd->n_interventions > IPSIM_MAX_INTERVENTIONS || total > OPT_MAX_VARS)
        return ipsim__xp_say(m, IPSIM_ERR_DATA,
                             "variables.split: %ld variables, expected at most %d (one campaign per "
                             "variable beside the base scenario's %d intervention(s)); pool a dimension",
                             total, IPSIM_MAX_INTERVENTIONS - op->bd->n_interventions < OPT_MAX_VARS
                                        ? IPSIM_MAX_INTERVENTIONS - op->bd->n_interventions
                                        : OPT_MAX_VARS,
                             op->bd->n_interventions);
    for (long v = 0; v < total; v++) {
        opt_var *x = &op->vars[v];
        long rest = v;
        int pick[OPT_N_DIMS];
        for (int k = OPT_N_DIMS - 1; k >= 0; k--) {
            pick[k] = -1;
            if (op->split[k]) {
                pick[k] = (int)(rest % size[k]);
                rest /= size[k];
            }
        }
        x->market = pick[0] < 0 ? -1 : op->markets[pick[0]];
        x->segment = pick[1] < 0 ? -1 : op->segments[pick[1]];
        x->channel = pick[2] < 0 ? -1 : op->channels[pick[2]];
        x->month = pick[3] < 0 ? -1 : op->months[pick[3]];
        ipsim_textbuf b = {0};
        if (x->market >= 0)
            ipsim_textbuf_printf(&b, "%s", op->bd->markets[x->market].name);
        if (x->segment >= 0)
            ipsim_textbuf_printf(&b, "%s%s", b.p ? "." : "", ipsim_segment_names[x->segment]);
        if (x->channel >= 0)
            ipsim_textbuf_printf(&b, "%s%s", b.p ? "." : "", op->bd->channels[x->channel].name);
        if (x->month >= 0)
            ipsim_textbuf_printf(&b, "%s%s", b.p ? "." : "", op->month_name[x->month]);
        if (b.oom) {
            free(b.p);
            return ipsim__xp_nomem(m);
        }
        snprintf(x->name, sizeof x->name, "%s", b.p ? b.p : "all");
        free(b.p);
        x->lo = 0.0;
        x->hi = op->budget;
    }
    op->n_vars = (int)total;
    return IPSIM_OK;
}

static ipsim_status read_bound(xp_msg *m, ipsim_optimize *op, const cJSON *b, const char *path,
                               opt_var *x)
{
    static const char *const keys[] = {"min_cny", "max_cny", NULL};
    char p[IPSIM_JSON_PATH_MAX];
    ipsim_status st;
    if (!cJSON_IsObject(b))
        return ipsim__xp_expected(m, path, "an object {min_cny, max_cny}", b);
    if ((st = ipsim__xp_check_keys(m, b, path, keys)) != IPSIM_OK ||
        (st = money(m, b, path, "min_cny", 0, 0.0, &x->lo)) != IPSIM_OK ||
        (st = money(m, b, path, "max_cny", 0, 0.0, &x->hi)) != IPSIM_OK)
        return st;
    for (int k = 0; k < 2; k++) {
        double v = k ? x->hi : x->lo;
        snprintf(p, sizeof p, "%s.%s", path, k ? "max_cny" : "min_cny");
        if (fabs(v / op->unit - round(v / op->unit)) > 1e-9) {
            char what[96];
            snprintf(what, sizeof what, "a multiple of min_unit_cny (%.0f)", op->unit);
            return ipsim__xp_expected(m, p, what,
                                      cJSON_GetObjectItemCaseSensitive(b, k ? "max_cny" : "min_cny"));
        }
    }
    if (x->hi < x->lo) {
        snprintf(p, sizeof p, "%s.max_cny", path);
        return ipsim__xp_expected(m, p, "a number >= min_cny", cJSON_GetObjectItemCaseSensitive(b, "max_cny"));
    }
    return IPSIM_OK;
}

/* "bounds": {"*": {...}, "VARIABLE": {...}}; "*" first, then by name. */
static ipsim_status read_bounds(xp_msg *m, ipsim_optimize *op, const cJSON *bounds)
{
    ipsim_status st;
    char p[IPSIM_JSON_PATH_MAX];
    if (bounds && !cJSON_IsObject(bounds))
        return ipsim__xp_expected(m, "variables.bounds", "an object {\"*\" or VARIABLE: {min_cny, max_cny}}",
                                  bounds);
    const cJSON *all = bounds ? cJSON_GetObjectItemCaseSensitive(bounds, "*") : NULL;
    for (int v = 0; all && v < op->n_vars; v++)
        if ((st = read_bound(m, op, all, "variables.bounds.*", &op->vars[v])) != IPSIM_OK)
            return st;
    for (const cJSON *it = bounds ? bounds->child : NULL; it; it = it->next) {
        if (strcmp(it->string, "*") == 0)
            continue;
        int found = -1;
        for (int v = 0; v < op->n_vars; v++)
            if (strcmp(op->vars[v].name, it->string) == 0)
                found = v;
        snprintf(p, sizeof p, "variables.bounds.%s", it->string);
        if (found < 0)
            return ipsim__xp_say(m, IPSIM_ERR_DATA,
                                 "%s: no such variable (the variables are %s%s, named by their split "
                                 "dimensions' values)",
                                 p, op->vars[0].name, op->n_vars > 1 ? ", ..." : "");
        if ((st = read_bound(m, op, it, p, &op->vars[found])) != IPSIM_OK)
            return st;
    }
    double lo = 0, hi = 0;
    for (int v = 0; v < op->n_vars; v++) {
        if (op->vars[v].hi > op->budget)
            op->vars[v].hi = op->budget;
        lo += op->vars[v].lo;
        hi += op->vars[v].hi;
    }
    if (lo > op->budget || hi < op->budget)
        return ipsim__xp_say(m, IPSIM_ERR_DATA,
                             "variables.bounds: the bounds cannot sum to the budget: the %d variables "
                             "take %.0f to %.0f CNY, the budget is %.0f CNY",
                             op->n_vars, lo, hi, op->budget);
    return IPSIM_OK;
}

static ipsim_status read_variables(xp_msg *m, ipsim_optimize *op, const cJSON *v)
{
    static const char *const keys[] = {"markets", "segments", "channels", "months",
                                       "split",   "min_unit_cny", "bounds", NULL};
    const char *cand[IPSIM_MAX_MARKETS > IPSIM_MAX_CHANNELS ? IPSIM_MAX_MARKETS : IPSIM_MAX_CHANNELS];
    ipsim_status st;
    const sc_data *d = op->bd;
    if (!v)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "variables: missing (required)");
    if (!cJSON_IsObject(v))
        return ipsim__xp_expected(m, "variables", "an object {markets, segments, channels, ...}", v);
    if ((st = ipsim__xp_check_keys(m, v, "variables", keys)) != IPSIM_OK)
        return st;
    static const char *const star = "*";
    cJSON *dflt = cJSON_CreateString(star);
    if (!dflt)
        return ipsim__xp_nomem(m);
    const cJSON *g;
    for (int i = 0; i < d->n_markets; i++)
        cand[i] = d->markets[i].name;
    g = cJSON_GetObjectItemCaseSensitive(v, "markets");
    st = name_list(m, g ? g : dflt, "variables.markets", cand, d->n_markets, "markets", op->markets,
                   &op->n_markets, &op->all_markets);
    if (st == IPSIM_OK) {
        g = cJSON_GetObjectItemCaseSensitive(v, "segments");
        st = name_list(m, g ? g : dflt, "variables.segments", ipsim_segment_names, IPSIM_N_SEGMENTS,
                       "segments", op->segments, &op->n_segments, NULL);
    }
    if (st == IPSIM_OK) {
        for (int i = 0; i < d->n_channels; i++)
            cand[i] = d->channels[i].name;
        g = cJSON_GetObjectItemCaseSensitive(v, "channels");
        st = name_list(m, g ? g : dflt, "variables.channels", cand, d->n_channels, "channels",
                       op->channels, &op->n_channels, NULL);
    }
    cJSON_Delete(dflt);
    if (st != IPSIM_OK || (st = read_months(m, op, cJSON_GetObjectItemCaseSensitive(v, "months"))) != IPSIM_OK ||
        (st = read_split(m, op, cJSON_GetObjectItemCaseSensitive(v, "split"))) != IPSIM_OK)
        return st;
    op->unit = op->budget;
    if ((st = money(m, v, "variables", "min_unit_cny", 1, 1.0, &op->unit)) != IPSIM_OK)
        return st;
    if (op->unit > op->budget || fabs(op->budget / op->unit - round(op->budget / op->unit)) > 1e-9) {
        char what[96];
        snprintf(what, sizeof what, "a divisor of budget_cny (%.0f)", op->budget);
        return ipsim__xp_expected(m, "variables.min_unit_cny", what,
                                  cJSON_GetObjectItemCaseSensitive(v, "min_unit_cny"));
    }
    if ((st = make_vars(m, op)) != IPSIM_OK)
        return st;
    return read_bounds(m, op, cJSON_GetObjectItemCaseSensitive(v, "bounds"));
}

/* ---- objective, algorithm, plans ------------------------------------------ */

static ipsim_status read_objective(xp_msg *m, ipsim_optimize *op, const cJSON *o)
{
    static const char *const keys[] = {"name", "from", "to", NULL};
    const char *name = NULL;
    ipsim_status st;
    const cJSON *nv = o;
    op->obj_from = op->bd->simulation.start_date;
    op->obj_to = op->obj_from + op->bd->simulation.days - 1;
    if (!o)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "objective: missing (required)");
    if (cJSON_IsObject(o)) {
        if ((st = ipsim__xp_check_keys(m, o, "objective", keys)) != IPSIM_OK ||
            (st = ipsim__xp_get_string(m, o, "name", "objective", 1, 64, &name)) != IPSIM_OK)
            return st;
        nv = cJSON_GetObjectItemCaseSensitive(o, "name");
        if ((st = window(m, op, o, "objective", 0, &op->obj_from, &op->obj_to)) != IPSIM_OK)
            return st;
    } else if (cJSON_IsString(o)) {
        name = o->valuestring;
    }
    op->outcome = -1;
    for (int i = 0; name && i < OPT_N_OUTCOMES; i++)
        for (int per = 0; per < 2; per++) {
            char full[80];
            snprintf(full, sizeof full, "%s%s", ipsim__opt_outcome_names[i], per ? "_per_cny" : "");
            if (strcmp(name, full) == 0) {
                op->outcome = i;
                op->per_cny = per;
            }
        }
    if (op->outcome < 0)
        return ipsim__xp_expected(m, cJSON_IsObject(o) ? "objective.name" : "objective",
                                  "one of cec_arrivals, arrivals, visitor_nights, spending_cny (or "
                                  "the same + \"_per_cny\")",
                                  nv);
    return IPSIM_OK;
}

static ipsim_status read_algorithm(xp_msg *m, ipsim_optimize *op, const cJSON *a)
{
    static const char *const keys[] = {"method", "max_evaluations", "xtol_rel", NULL};
    const char *s = NULL;
    long v = DEFAULT_EVALUATIONS;
    ipsim_status st;
    op->method = OPT_COBYLA;
    op->max_evals = DEFAULT_EVALUATIONS;
    op->xtol_rel = DEFAULT_XTOL_REL;
    if (!a)
        return IPSIM_OK;
    if (!cJSON_IsObject(a))
        return ipsim__xp_expected(m, "algorithm", "an object {method, max_evaluations, xtol_rel}", a);
    if ((st = ipsim__xp_check_keys(m, a, "algorithm", keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_string(m, a, "method", "algorithm", 0, 32, &s)) != IPSIM_OK ||
        (st = ipsim__xp_get_int(m, a, "max_evaluations", "algorithm", 0, 1, OPT_MAX_EVALUATIONS, &v)) !=
            IPSIM_OK)
        return st;
    op->max_evals = (int)v;
    if (s) {
        op->method = -1;
        for (int i = 0; i < OPT_N_METHODS; i++)
            if (strcmp(s, ipsim__opt_method_names[i]) == 0)
                op->method = i;
        if (op->method < 0)
            return ipsim__xp_expected(m, "algorithm.method",
                                      "one of COBYLA, SBPLX, NELDERMEAD, BOBYQA (NLopt's local "
                                      "derivative-free methods)",
                                      cJSON_GetObjectItemCaseSensitive(a, "method"));
    }
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, "xtol_rel");
    if (x && (!cJSON_IsNumber(x) || !(x->valuedouble > 0 && x->valuedouble < 1)))
        return ipsim__xp_expected(m, "algorithm.xtol_rel", "a number > 0 and < 1", x);
    if (x)
        op->xtol_rel = x->valuedouble;
    return IPSIM_OK;
}

/* Same markets (in order) and days as the base. */
static int same_shape(const sc_data *a, const sc_data *b)
{
    int same = a->n_markets == b->n_markets && a->simulation.days == b->simulation.days &&
               a->simulation.start_date == b->simulation.start_date;
    for (int i = 0; same && i < a->n_markets; i++)
        same = strcmp(a->markets[i].name, b->markets[i].name) == 0;
    return same;
}

static double cost_of(const sc_data *d)
{
    double c = 0.0;
    for (int i = 0; i < d->n_interventions; i++)
        c += d->interventions[i].cost_cny;
    return c;
}

static ipsim_status read_plans(xp_msg *m, ipsim_optimize *op, const cJSON *a, const char *dir)
{
    static const char *const keys[] = {"name", "scenario", NULL};
    char p[IPSIM_JSON_PATH_MAX], why[2048];
    ipsim_status st;
    if (!a)
        return IPSIM_OK;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > OPT_MAX_PLANS)
        return ipsim__xp_expected(m, "plans", "an array of at most 16 {name, scenario}", a);
    for (int i = 0; i < cJSON_GetArraySize(a); i++) {
        const cJSON *o = cJSON_GetArrayItem(a, i);
        opt_plan *pl = &op->plans[i];
        const char *s = NULL;
        char name[XP_NAME_MAX];
        snprintf(p, sizeof p, "plans[%d]", i);
        if (!cJSON_IsObject(o))
            return ipsim__xp_expected(m, p, "an object {name, scenario}", o);
        if ((st = ipsim__xp_check_keys(m, o, p, keys)) != IPSIM_OK ||
            (st = ipsim__xp_get_name(m, o, p, name)) != IPSIM_OK ||
            (st = ipsim__xp_get_string(m, o, "scenario", p, 1, 4096, &s)) != IPSIM_OK)
            return st;
        snprintf(pl->name, sizeof pl->name, "%s", name);
        for (int j = 0; j < i; j++)
            if (strcmp(op->plans[j].name, pl->name) == 0)
                return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s.name: \"%s\" is already plans[%d]", p,
                                     pl->name, j);
        op->n_plans = i + 1;
        if (!(pl->path = ipsim__xp_join_path(dir, s)))
            return ipsim__xp_nomem(m);
        if ((st = ipsim_scenario_load(pl->path, &pl->sc, why, sizeof why)) != IPSIM_OK)
            return ipsim__xp_say(m, st, "%s.scenario: %s", p, why);
        if ((st = ipsim_scenario_set_all(pl->sc, op->sets, op->n_sets, NULL, why, sizeof why)) !=
            IPSIM_OK)
            return ipsim__xp_say(m, st, "%s.scenario: %s", p, why);
        const sc_data *d = ipsim_scenario_data(pl->sc);
        if (!same_shape(d, op->bd))
            return ipsim__xp_say(m, IPSIM_ERR_DATA,
                                 "%s.scenario: expected the base scenario's markets (same order), "
                                 "start date and days, found others",
                                 p);
        pl->cost = cost_of(d) - cost_of(op->bd);
    }
    return IPSIM_OK;
}

/* ---- the file --------------------------------------------------------------- */

static ipsim_status read_runs(xp_msg *m, ipsim_optimize *op, const cJSON *root)
{
    long r = DEFAULT_REPLICATES, f = -1;
    ipsim_status st;
    if ((st = ipsim__xp_get_int(m, root, "replicates", "", 0, 2, OPT_MAX_REPLICATES, &r)) != IPSIM_OK ||
        (st = ipsim__xp_get_int(m, root, "final_replicates", "", 0, 2, OPT_MAX_REPLICATES, &f)) !=
            IPSIM_OK)
        return st;
    op->replicates = (int)r;
    op->final_replicates = f > 0 ? (int)f : 2 * (int)r;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "scale");
    op->scale = op->bd->simulation.scale;
    if (s && (!cJSON_IsNumber(s) || !(s->valuedouble >= 1.0) || !isfinite(s->valuedouble)))
        return ipsim__xp_expected(m, "scale", "a number of people per agent >= 1", s);
    if (s)
        op->scale = s->valuedouble;
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(root, "seed");
    op->seed = op->bd->simulation.seed;
    if (sd && (!cJSON_IsNumber(sd) || sd->valuedouble < 0 || sd->valuedouble > 9007199254740992.0 ||
               sd->valuedouble != floor(sd->valuedouble)))
        return ipsim__xp_expected(m, "seed", "a whole number 0 .. 2^53", sd);
    if (sd)
        op->seed = (uint64_t)sd->valuedouble;
    op->sens_step = op->unit;
    return money(m, root, "", "sensitivity_step_cny", 0, 1.0, &op->sens_step);
}

static ipsim_status from_json(xp_msg *m, ipsim_optimize *op, const cJSON *root, const char *dir)
{
    static const char *const keys[] = {
        "$schema",  "name",      "description",      "base",  "budget_cny", "campaign",
        "objective", "variables", "replicates", "final_replicates", "scale", "seed",
        "plans",    "algorithm", "sensitivity_step_cny", NULL};
    const char *s;
    char why[2048], name[XP_NAME_MAX];
    ipsim_status st;
    if (!cJSON_IsObject(root))
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "expected a JSON object at the top level");
    if ((st = ipsim__xp_check_keys(m, root, "", keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_name(m, root, "", name)) != IPSIM_OK ||
        (st = ipsim__xp_get_string(m, root, "description", "", 0, 4096, &s)) != IPSIM_OK)
        return st;
    snprintf(op->name, sizeof op->name, "%s", name);
    if (!(op->description = ipsim__xp_dup_str(s ? s : "")))
        return ipsim__xp_nomem(m);
    if ((st = ipsim__xp_get_string(m, root, "base", "", 1, 4096, &s)) != IPSIM_OK)
        return st;
    if (!(op->base_path = ipsim__xp_join_path(dir, s)))
        return ipsim__xp_nomem(m);
    if ((st = ipsim_scenario_load(op->base_path, &op->base, why, sizeof why)) != IPSIM_OK)
        return ipsim__xp_say(m, st, "base: %s", why);
    if ((st = ipsim_scenario_set_all(op->base, op->sets, op->n_sets, NULL, why, sizeof why)) != IPSIM_OK)
        return ipsim__xp_say(m, st, "base: %s", why);
    op->bd = ipsim_scenario_data(op->base);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "campaign");
    static const char *const ckeys[] = {"from", "to", NULL};
    if ((st = money(m, root, "", "budget_cny", 1, 0.0 + 1e-300, &op->budget)) != IPSIM_OK)
        return st;
    if (!c)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "campaign: missing (required)");
    if (!cJSON_IsObject(c))
        return ipsim__xp_expected(m, "campaign", "an object {from, to}", c);
    if ((st = ipsim__xp_check_keys(m, c, "campaign", ckeys)) != IPSIM_OK ||
        (st = window(m, op, c, "campaign", 1, &op->from, &op->to)) != IPSIM_OK ||
        (st = read_objective(m, op, cJSON_GetObjectItemCaseSensitive(root, "objective"))) != IPSIM_OK ||
        (st = read_variables(m, op, cJSON_GetObjectItemCaseSensitive(root, "variables"))) != IPSIM_OK ||
        (st = read_runs(m, op, root)) != IPSIM_OK ||
        (st = read_algorithm(m, op, cJSON_GetObjectItemCaseSensitive(root, "algorithm"))) != IPSIM_OK)
        return st;
    return read_plans(m, op, cJSON_GetObjectItemCaseSensitive(root, "plans"), dir);
}

ipsim_status ipsim_optimize_load(const char *path, ipsim_optimize **out, char *err, size_t errlen)
{
    return ipsim_optimize_load_with(path, NULL, 0, out, err, errlen);
}

/* The overrides one per line (malloc'd; "" when there are none). */
static char *join_sets(const char *const *sets, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(sets[i]) + 1;
    char *t = malloc(len), *at = t;
    if (!t)
        return NULL;
    *t = '\0';
    for (int i = 0; i < n; i++)
        at += sprintf(at, "%s%s", i ? "\n" : "", sets[i]);
    return t;
}

ipsim_status ipsim_optimize_load_with(const char *path, const char *const *sets, int n_sets,
                                      ipsim_optimize **out, char *err, size_t errlen)
{
    char why[1024];
    size_t len = 0;
    cJSON *root = NULL;
    if (out)
        *out = NULL;
    if (!path || !out) {
        ipsim_set_error(err, errlen, "ipsim_optimize_load: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    ipsim_optimize *op = calloc(1, sizeof *op);
    xp_msg m = {path, err, errlen};
    if (!op || !(op->origin = ipsim__xp_dup_str(path)) ||
        !(op->set_text = join_sets(sets, n_sets > 0 ? n_sets : 0))) {
        if (op)
            free(op->origin);
        free(op);
        return ipsim__xp_nomem(&m);
    }
    op->sets = sets;
    op->n_sets = n_sets > 0 ? n_sets : 0;
    ipsim_status st = ipsim_json_read_file(path, &op->json_text, &len, why, sizeof why);
    if (st == IPSIM_OK)
        st = ipsim_json_parse(op->json_text, len, &root, why, sizeof why);
    if (st != IPSIM_OK) {
        ipsim__xp_say(&m, st, "%s", why);
    } else {
        char *dir = ipsim__xp_dup_str(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            *slash = '\0';
        st = dir ? from_json(&m, op, root, slash ? dir : NULL) : ipsim__xp_nomem(&m);
        free(dir);
    }
    cJSON_Delete(root);
    op->sets = NULL; /* the caller's */
    op->n_sets = 0;
    if (st != IPSIM_OK) {
        ipsim_optimize_destroy(op);
        return st;
    }
    *out = op;
    return IPSIM_OK;
}

void ipsim_optimize_destroy(ipsim_optimize *op)
{
    if (!op)
        return;
    for (int i = 0; i < OPT_MAX_PLANS; i++) {
        free(op->plans[i].path);
        ipsim_scenario_destroy(op->plans[i].sc);
    }
    ipsim_scenario_destroy(op->base);
    free(op->zero);
    free(op->final_obj);
    free(op->trace);
    free(op->trace_x);
    free(op->cache_u);
    free(op->cache_f);
    free(op->base_path);
    free(op->description);
    free(op->json_text);
    ipsim__opt_post_free(op);
    free(op->origin);
    free(op->set_text);
    free(op);
}

char *ipsim_optimize_describe(const ipsim_optimize *op)
{
    ipsim_textbuf b = {0};
    char on[80];
    if (!op)
        return NULL;
    ipsim_textbuf_printf(&b, "%s: %d variables, budget %.0f CNY in units of %.0f, objective %s, %d+%d "
                         "replicates at scale %g, %s up to %d evaluations, %d plans",
                         op->name, op->n_vars, op->budget, op->unit,
                         ipsim__opt_objective_name(op, on, sizeof on), op->replicates,
                         op->final_replicates, op->scale, ipsim__opt_method_names[op->method],
                         op->max_evals, op->n_plans);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
