/*
 * search.c - the allocation search and the final comparisons
 * (ipsim_optimize_run). NLopt's local derivative-free method (COBYLA by
 * default) proposes allocations within the bounds; each is projected onto
 * the budget (the nearest allocation spending exactly the budget, within
 * the bounds: Euclidean projection by water-filling) and rounded to whole
 * minimum units, so every allocation evaluated is feasible; COBYLA also
 * gets the budget as an equality constraint so that it does not wander
 * along the projection's flat directions. Rounded allocations already
 * evaluated are answered from a cache. The objective of an allocation is
 * its mean paired increment over the zero-spend runs of the search
 * replicates 0 .. R-1 (common random numbers: smooth comparisons).
 *
 * Then the best allocation, each plan and the sensitivity (the best plus
 * one step of money on one variable at a time, finite differences with
 * common random numbers) are evaluated on fresh replicates R .. R+F-1, so
 * the figures reported are not inflated by the selection on replicates
 * 0 .. R-1 (the winner's curse).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nlopt.h>

#include "base/textbuf.h"
#include "optimize/opt.h"

#define BISECT_STEPS 200
#define UNIT_EPS 1e-9
#define INITIAL_STEP_SHARE 0.5 /* NLopt's first step: half an equal share */

/* ---- projection onto the budget ---------------------------------------------- */

static double clip(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void ipsim__opt_project(const ipsim_optimize *op, const double *x, double *out, long *u)
{
    int n = op->n_vars;
    double a = INFINITY, b = -INFINITY;
    for (int v = 0; v < n; v++) {
        double xv = isfinite(x[v]) ? x[v] : 0.0;
        a = fmin(a, op->vars[v].lo - xv);
        b = fmax(b, op->vars[v].hi - xv);
    }
    for (int it = 0; it < BISECT_STEPS; it++) { /* sum of clip(x + lambda) = budget */
        double mid = 0.5 * (a + b), s = 0.0;
        for (int v = 0; v < n; v++)
            s += clip((isfinite(x[v]) ? x[v] : 0.0) + mid, op->vars[v].lo, op->vars[v].hi);
        if (s < op->budget)
            a = mid;
        else
            b = mid;
    }
    long want = lround(op->budget / op->unit), have = 0;
    double frac[OPT_MAX_VARS];
    for (int v = 0; v < n; v++) {
        double c = clip((isfinite(x[v]) ? x[v] : 0.0) + b, op->vars[v].lo, op->vars[v].hi) / op->unit;
        u[v] = (long)floor(c + UNIT_EPS);
        frac[v] = c - (double)u[v];
        have += u[v];
    }
    while (have != want) { /* largest remainders first, ties to the lower index */
        int pick = -1;
        for (int v = 0; v < n; v++) {
            int room = have < want ? u[v] < lround(op->vars[v].hi / op->unit)
                                   : u[v] > lround(op->vars[v].lo / op->unit);
            if (room && (pick < 0 || (have < want ? frac[v] > frac[pick] : frac[v] < frac[pick])))
                pick = v;
        }
        if (pick < 0)
            break; /* cannot happen: the loader checked the bounds reach the budget */
        u[pick] += have < want ? 1 : -1;
        have += have < want ? 1 : -1;
        frac[pick] = have < want ? -1.0 : 2.0;
    }
    for (int v = 0; v < n; v++)
        out[v] = (double)u[v] * op->unit;
}

/* ---- the search ------------------------------------------------------------------ */

typedef struct {
    ipsim_optimize *op;
    opt_progress *pg;
    nlopt_opt nl;
    ipsim_status st;
    char *err;
    size_t errlen;
    double *inc; /* [replicates] */
} search_ctx;

static int grow(void **p, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int c = *cap ? 2 * *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* The cached objective of allocation u, or NaN. */
static double cached(const ipsim_optimize *op, const long *u)
{
    for (int i = 0; i < op->n_cache; i++)
        if (memcmp(op->cache_u + (size_t)i * op->n_vars, u, (size_t)op->n_vars * sizeof *u) == 0)
            return op->cache_f[i];
    return NAN;
}

static double objective_of(const ipsim_optimize *op, double inc, double cost)
{
    return op->per_cny ? (cost > 0 ? inc / cost : NAN) : inc;
}

static double evaluate(unsigned n, const double *x, double *grad, void *data)
{
    search_ctx *c = data;
    ipsim_optimize *op = c->op;
    double a[OPT_MAX_VARS];
    long u[OPT_MAX_VARS];
    (void)grad;
    (void)n;
    if (c->st != IPSIM_OK)
        return -HUGE_VAL;
    ipsim__opt_project(op, x, a, u);
    double f = cached(op, u);
    if (isnan(f)) {
        int cap_c = op->cap_cache;
        if (grow((void **)&op->cache_f, &op->cap_cache, op->n_cache + 1, sizeof *op->cache_f) < 0 ||
            grow((void **)&op->cache_u, &cap_c, op->n_cache + 1,
                 (size_t)op->n_vars * sizeof *op->cache_u) < 0) {
            c->st = IPSIM_ERR_NOMEM;
        } else {
            c->st = ipsim__opt_increments(op, a, 0, op->replicates, c->pg, c->inc, c->err, c->errlen);
        }
        if (c->st == IPSIM_OK) {
            f = objective_of(op, ipsim__opt_stat(c->inc, op->replicates).mean, op->budget);
            memcpy(op->cache_u + (size_t)op->n_cache * op->n_vars, u, (size_t)op->n_vars * sizeof *u);
            op->cache_f[op->n_cache++] = f;
            if (op->n_cache == 1 || f > op->best_search) {
                op->best_search = f;
                memcpy(op->best, a, (size_t)op->n_vars * sizeof *a);
            }
        }
    }
    int cap_x = op->cap_trace;
    if (c->st == IPSIM_OK &&
        (grow((void **)&op->trace, &op->cap_trace, op->n_trace + 1, sizeof *op->trace) < 0 ||
         grow((void **)&op->trace_x, &cap_x, op->n_trace + 1, (size_t)op->n_vars * sizeof *a) < 0))
        c->st = IPSIM_ERR_NOMEM;
    if (c->st != IPSIM_OK) {
        if (c->st == IPSIM_ERR_NOMEM)
            ipsim_set_error(c->err, c->errlen, "%s: out of memory", op->origin);
        nlopt_force_stop(c->nl);
        return -HUGE_VAL;
    }
    op->trace[op->n_trace] = f;
    memcpy(op->trace_x + (size_t)op->n_trace * op->n_vars, a, (size_t)op->n_vars * sizeof *a);
    op->n_trace++;
    return f;
}

static double budget_gap(unsigned n, const double *x, double *grad, void *data)
{
    const ipsim_optimize *op = data;
    double s = 0.0;
    (void)grad;
    for (unsigned v = 0; v < n; v++)
        s += x[v];
    return (s - op->budget) / op->unit;
}

static ipsim_status search(ipsim_optimize *op, opt_progress *pg, char *err, size_t errlen)
{
    static const nlopt_algorithm alg[OPT_N_METHODS] = {NLOPT_LN_COBYLA, NLOPT_LN_SBPLX,
                                                       NLOPT_LN_NELDERMEAD, NLOPT_LN_BOBYQA};
    int n = op->n_vars;
    double lo[OPT_MAX_VARS], hi[OPT_MAX_VARS], x[OPT_MAX_VARS], a[OPT_MAX_VARS];
    long u[OPT_MAX_VARS];
    search_ctx c = {op, pg, NULL, IPSIM_OK, err, errlen, malloc((size_t)op->replicates * sizeof(double))};
    for (int v = 0; v < n; v++) {
        lo[v] = op->vars[v].lo;
        hi[v] = op->vars[v].hi;
        x[v] = op->budget / n;
    }
    ipsim__opt_project(op, x, a, u);
    memcpy(x, a, sizeof(double) * (size_t)n);
    c.nl = c.inc ? nlopt_create(alg[op->method], (unsigned)n) : NULL;
    if (!c.nl) {
        free(c.inc);
        ipsim_set_error(err, errlen, "%s: out of memory", op->origin);
        return IPSIM_ERR_NOMEM;
    }
    /* (no nlopt_srand: it sets NLopt's process-wide state, and none of the
     * four local methods draws random numbers) */
    int fixed = 1; /* only one allocation is feasible: evaluate it, no search */
    for (int v = 0; v < n; v++)
        fixed &= lo[v] == hi[v] || n == 1;
    if (fixed) {
        evaluate((unsigned)n, x, NULL, &c);
        op->nlopt_result = NLOPT_SUCCESS;
    } else {
        double step = INITIAL_STEP_SHARE * op->budget / n;
        nlopt_set_lower_bounds(c.nl, lo);
        nlopt_set_upper_bounds(c.nl, hi);
        nlopt_set_max_objective(c.nl, evaluate, &c);
        if (op->method == OPT_COBYLA)
            nlopt_add_equality_constraint(c.nl, budget_gap, op, 0.5);
        nlopt_set_maxeval(c.nl, op->max_evals);
        nlopt_set_xtol_rel(c.nl, op->xtol_rel);
        nlopt_set_initial_step1(c.nl, step > op->unit ? step : op->unit);
        double fx = 0.0;
        op->nlopt_result = (int)nlopt_optimize(c.nl, x, &fx);
    }
    nlopt_destroy(c.nl);
    free(c.inc);
    if (c.st != IPSIM_OK)
        return c.st;
    if (op->n_cache == 0) {
        ipsim_set_error(err, errlen, "%s: the search evaluated nothing (NLopt result %d)", op->origin,
                        op->nlopt_result);
        return IPSIM_ERR_INTERNAL;
    }
    return IPSIM_OK;
}

/* ---- final comparisons on fresh replicates ------------------------------------------ */

static ipsim_status finals(ipsim_optimize *op, opt_progress *pg, char *err, size_t errlen)
{
    int F = op->final_replicates, first = op->replicates;
    double *inc = malloc((size_t)F * sizeof *inc), *d = malloc((size_t)F * sizeof *d);
    double *z = malloc((size_t)F * sizeof *z);
    op->final_obj = malloc((size_t)F * (size_t)(1 + op->n_plans) * sizeof *op->final_obj);
    ipsim_status st = IPSIM_OK;
    if (!inc || !d || !z || !op->final_obj) {
        st = IPSIM_ERR_NOMEM;
        ipsim_set_error(err, errlen, "%s: out of memory", op->origin);
    }
    pg->phase = "plans";
    if (st == IPSIM_OK)
        st = ipsim__opt_increments(op, op->best, first, F, pg, inc, err, errlen);
    if (st == IPSIM_OK) {
        op->best_inc = ipsim__opt_stat(inc, F);
        for (int r = 0; r < F; r++)
            op->final_obj[r] = objective_of(op, inc[r], op->budget);
        op->best_stat = ipsim__opt_stat(op->final_obj, F);
        st = ipsim__opt_zero(op, first, F, pg, z, err, errlen);
    }
    for (int p = 0; st == IPSIM_OK && p < op->n_plans; p++) {
        double *po = op->final_obj + (size_t)(1 + p) * F;
        st = ipsim__opt_run_outcomes(op, op->plans[p].sc, first, F, NULL, pg, d, err, errlen);
        if (st != IPSIM_OK)
            break;
        for (int r = 0; r < F; r++) {
            d[r] -= z[r];
            po[r] = objective_of(op, d[r], op->plans[p].cost);
        }
        op->plan_inc[p] = ipsim__opt_stat(d, F);
        op->plan_stat[p] = ipsim__opt_stat(po, F);
        for (int r = 0; r < F; r++)
            d[r] = op->final_obj[r] - po[r];
        op->diff[p] = ipsim__opt_stat(d, F);
    }
    pg->phase = "sensitivity";
    for (int v = 0; st == IPSIM_OK && v < op->n_vars; v++) {
        double x[OPT_MAX_VARS];
        memcpy(x, op->best, (size_t)op->n_vars * sizeof *x);
        x[v] += op->sens_step;
        st = ipsim__opt_increments(op, x, first, F, pg, d, err, errlen);
        for (int r = 0; st == IPSIM_OK && r < F; r++)
            d[r] = (d[r] - inc[r]) * OPT_PER_10K / op->sens_step;
        if (st == IPSIM_OK)
            op->sens[v] = ipsim__opt_stat(d, F);
    }
    free(inc);
    free(d);
    free(z);
    return st;
}

/* ---- entry point ------------------------------------------------------------------------ */

void ipsim_optimize_options_init(ipsim_optimize_options *o)
{
    if (o)
        memset(o, 0, sizeof *o);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

ipsim_status ipsim_optimize_run(ipsim_optimize *op, const ipsim_optimize_options *o,
                                ipsim_optimize_progress_fn progress, void *userdata, char *err,
                                size_t errlen)
{
    if (!op || op->ran) {
        ipsim_set_error(err, errlen, "ipsim_optimize_run: %s", op ? "already run" : "no problem");
        return IPSIM_ERR_USAGE;
    }
    op->ran = 1;
    if (o)
        op->opt = *o;
    double t0 = now_seconds();
    long R = op->replicates, F = op->final_replicates;
    opt_progress pg = {progress, userdata, 0,
                       R + R * (long)op->max_evals + F * (2L + op->n_plans + op->n_vars), "search", 0};
    ipsim_status st = search(op, &pg, err, errlen);
    if (st == IPSIM_OK) {
        pg.total = pg.done + F * (2L + op->n_plans + op->n_vars);
        st = finals(op, &pg, err, errlen);
    }
    op->seconds = now_seconds() - t0;
    if (st != IPSIM_OK)
        return st;
    op->ran = 2;
    return IPSIM_OK;
}
