/*
 * opt.h - the allocation room's shared state (internal to libipsim): the
 * problem as loaded (problem.c), the evaluation of an allocation on the
 * model with common random numbers (evaluate.c), the NLopt search and the
 * final comparisons (search.c), and the output file and summary table
 * (output.c, summary.c).
 */
#ifndef IPSIM_OPT_H
#define IPSIM_OPT_H

#include <stddef.h>
#include <stdint.h>

#include "ipsim/optimize.h"
#include "scenario/scenario.h"

#define OPT_MAX_VARS 63 /* one campaign each, beside the base's interventions */
#define OPT_MAX_PLANS 16
#define OPT_MAX_MONTHS 12
#define OPT_MAX_REPLICATES 10000
#define OPT_MAX_EVALUATIONS 100000
#define OPT_VAR_NAME_MAX 160
#define OPT_PLAN_NAME_MAX 128
#define OPT_PER_10K 10000.0 /* sensitivity unit: CNY */

enum { OPT_DIM_MARKET, OPT_DIM_SEGMENT, OPT_DIM_CHANNEL, OPT_DIM_MONTH, OPT_N_DIMS };
extern const char *const ipsim__opt_dim_names[OPT_N_DIMS];

/* Outcomes an objective may name (each also "_per_cny"). */
enum { OPT_CEC_ARRIVALS, OPT_ARRIVALS, OPT_VISITOR_NIGHTS, OPT_SPENDING, OPT_N_OUTCOMES };
extern const char *const ipsim__opt_outcome_names[OPT_N_OUTCOMES];

/* NLopt local derivative-free methods accepted by algorithm.method. */
enum { OPT_COBYLA, OPT_SBPLX, OPT_NELDERMEAD, OPT_BOBYQA, OPT_N_METHODS };
extern const char *const ipsim__opt_method_names[OPT_N_METHODS];

/* One decision variable: the CNY one campaign receives. -1 in a dimension
 * means pooled (every selected value of it). */
typedef struct {
    char name[OPT_VAR_NAME_MAX];
    int market, segment, channel, month;
    double lo, hi; /* CNY, multiples of the unit */
} opt_var;

/* A user's plan: a whole scenario compared with the base. */
typedef struct {
    char name[OPT_PLAN_NAME_MAX];
    char *path;
    ipsim_scenario *sc;
    double cost; /* its interventions' cost minus the base's, CNY */
} opt_plan;

/* A mean over paired replicates with its 95 % t interval. */
typedef struct {
    double mean, lo, hi;
    int n;
} opt_stat;

/* Runs done / to do, for the progress callback. */
typedef struct {
    ipsim_optimize_progress_fn fn;
    void *ud;
    long done, total;
    const char *phase;
    int stopped;
} opt_progress;

struct ipsim_optimize {
    char *origin, *json_text, *description, *base_path;
    const char *const *sets; /* --set overrides of base and plans (the caller's, during load only) */
    int n_sets;
    char *set_text; /* the same, one per line, for the output file ("" when none) */
    struct xp_posterior *post; /* --posterior (experiment/posterior_draws.h), or NULL */
    int post_draws;            /* K: replicate r runs draw r mod K */
    char ***post_sets;         /* [replicate] "path=value" list (NULL-terminated) of its draw */
    int *post_particle;        /* [replicate] the particle number in the posterior file */
    char name[OPT_PLAN_NAME_MAX];
    ipsim_scenario *base;
    const sc_data *bd; /* the base's data */
    double budget, unit;
    ipsim_date from, to, obj_from, obj_to; /* campaign and objective windows */
    int outcome, per_cny;
    /* selected values of each dimension */
    int markets[IPSIM_MAX_MARKETS], n_markets, all_markets;
    int segments[IPSIM_N_SEGMENTS], n_segments;
    int channels[IPSIM_MAX_CHANNELS], n_channels;
    ipsim_date month_from[OPT_MAX_MONTHS], month_to[OPT_MAX_MONTHS]; /* clipped to the window */
    char month_name[OPT_MAX_MONTHS][16];
    int months[OPT_MAX_MONTHS], n_months;
    int split[OPT_N_DIMS];
    opt_var vars[OPT_MAX_VARS];
    int n_vars;
    int replicates, final_replicates;
    double scale;
    uint64_t seed;
    int method, max_evals;
    double xtol_rel, sens_step;
    opt_plan plans[OPT_MAX_PLANS];
    int n_plans;
    /* options and state of the run */
    ipsim_optimize_options opt;
    int ran;
    double *zero;     /* outcome of the base per replicate (search then fresh), NaN = not yet */
    double *trace;    /* objective per evaluation, in order */
    int n_trace, cap_trace;
    double *trace_x;  /* allocation per evaluation [n_trace][n_vars], CNY */
    long *cache_u;    /* distinct allocations evaluated, in units [n_cache][n_vars] */
    double *cache_f;  /* their objectives */
    int n_cache, cap_cache;
    double best[OPT_MAX_VARS], best_search;
    int nlopt_result, n_runs;
    double seconds;
    double *final_obj; /* objective per fresh replicate: best, then each plan [1 + n_plans][final] */
    opt_stat best_stat, best_inc; /* objective; incremental outcome */
    opt_stat plan_stat[OPT_MAX_PLANS], plan_inc[OPT_MAX_PLANS], diff[OPT_MAX_PLANS];
    opt_stat sens[OPT_MAX_VARS]; /* marginal outcome per extra 10,000 CNY */
};

/* ---- problem.c ---------------------------------------------------------- */

/* The objective's name ("cec_arrivals", "spending_cny_per_cny", ...). */
const char *ipsim__opt_objective_name(const ipsim_optimize *op, char *buf, size_t len);

/* ---- posterior.c -------------------------------------------------------- */

/* Free op's posterior draws (nothing when it has none). */
void ipsim__opt_post_free(ipsim_optimize *op);

/* ---- evaluate.c --------------------------------------------------------- */

/* The outcome (the problem's outcome over the objective window) of
 * scenario sc for replicates first .. first+n-1 into out[n]. overrides,
 * when not NULL, holds for each of those replicates a NULL-terminated list
 * of "path=value" assignments applied to a copy of sc before that run
 * (NULL: the replicates' posterior draws when the problem has a posterior,
 * posterior.c, else none). */
ipsim_status ipsim__opt_run_outcomes(ipsim_optimize *op, const ipsim_scenario *sc, int first, int n,
                                     const char *const *const *overrides, opt_progress *pg,
                                     double *out, char *err, size_t errlen);

/* A new scenario: the base plus one mechanism C campaign per variable with
 * money (x[v] CNY). */
ipsim_status ipsim__opt_allocation_scenario(const ipsim_optimize *op, const double *x,
                                            ipsim_scenario **out, char *err, size_t errlen);

/* The base's outcome for replicates first .. first+n-1 (cached in
 * op->zero) into out[n]. */
ipsim_status ipsim__opt_zero(ipsim_optimize *op, int first, int n, opt_progress *pg, double *out,
                             char *err, size_t errlen);

/* Paired increments inc[r] = outcome(x, r) - zero(r) for replicates
 * first .. first+n-1 of allocation x (CNY). */
ipsim_status ipsim__opt_increments(ipsim_optimize *op, const double *x, int first, int n,
                                   opt_progress *pg, double *inc, char *err, size_t errlen);

/* Mean and 95 % t interval of v[n] (n >= 1; no interval for n < 2). */
opt_stat ipsim__opt_stat(const double *v, int n);

/* Call the progress callback after one run; returns non-zero to stop. */
int ipsim__opt_tick(opt_progress *pg);

/* ---- search.c ----------------------------------------------------------- */

/* The allocation nearest x that spends exactly the budget within the
 * bounds, in whole units (into out, CNY; units into u). */
void ipsim__opt_project(const ipsim_optimize *op, const double *x, double *out, long *u);

/* ---- output.c ----------------------------------------------------------- */

/* Contracts in optimize.h (ipsim_optimize_write). */

#endif /* IPSIM_OPT_H */
