/*
 * optimize.h - budget allocation on the model (`ipsim optimize`): split a
 * total campaign budget across markets, segments, channels and months so
 * as to maximise an incremental outcome (CEC arrivals, arrivals,
 * visitor-nights, spending, or their per-CNY forms), searched with NLopt's
 * derivative-free methods, and compared with the user's own plans.
 *
 * An allocation problem (a JSON file; scenarios/experiments/OPTIMIZE.md and
 * optimize.schema.json) names a base scenario, the budget, the campaign
 * window, the objective, the decision variables with their bounds and
 * minimum unit, replicates, scale and seed, the plans to compare and the
 * search algorithm. Every allocation considered is turned into mechanism C
 * campaigns added to the base scenario and run on the same replicates as
 * the base itself (common random numbers): its objective is the mean
 * paired increment over those zero-spend runs. The best allocation and each
 * plan are then re-evaluated on fresh replicates (never the ones searched
 * on, so the winner's curse does not inflate the reported figure).
 *
 * Conventions are those of ipsim.h: status codes, an err buffer naming the
 * file and the JSON path, create/destroy pairs, no printing, no globals.
 * ipsim_optimize_write uses HDF5 (see the Threads note of ipsim.h).
 */
#ifndef IPSIM_OPTIMIZE_H
#define IPSIM_OPTIMIZE_H

#include <stddef.h>

#include "ipsim/ipsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ipsim_optimize ipsim_optimize;

/* Load and check an allocation problem (and its base scenario and plans,
 * paths relative to the problem file). On failure *out is NULL and err
 * reads "FILE: json.path: expected ..., found ...": IPSIM_ERR_NOINPUT (a
 * file missing), IPSIM_ERR_DATA (bad content), IPSIM_ERR_NOMEM. */
ipsim_status ipsim_optimize_load(const char *path, ipsim_optimize **out, char *err, size_t errlen);

/* As ipsim_optimize_load, with n_sets "PATH=VALUE" overrides (as
 * ipsim_scenario_set_all: applied together, validated once) applied to the
 * base scenario and to every plan's scenario before the problem is
 * checked against them; the output file records them (attribute "set").
 * A bad override gives IPSIM_ERR_DATA naming it. */
ipsim_status ipsim_optimize_load_with(const char *path, const char *const *sets, int n_sets,
                                      ipsim_optimize **out, char *err, size_t errlen);

/* Run the problem under a calibration's posterior (the file of ipsim
 * calibrate -o): replicate r of every run sets the posterior's parameters
 * (--set paths) to those of draw r mod K, a particle picked by weighted
 * resampling keyed by the problem's seed and the draw, so the objective is
 * an expectation over parameter uncertainty and every allocation and plan
 * is compared on the same draws. draws = K, or 0 for one draw per
 * replicate. The output file records the file, its fingerprint and each
 * replicate's particle. IPSIM_ERR_NOINPUT when the file cannot be read,
 * IPSIM_ERR_DATA when it is not a posterior file or a parameter does not
 * apply to the base scenario. Call before ipsim_optimize_run. */
ipsim_status ipsim_optimize_use_posterior(ipsim_optimize *op, const char *path, int draws, char *err,
                                          size_t errlen);

/* Options of ipsim_optimize_run; zero-initialise, then call
 * ipsim_optimize_options_init. 0 keeps the problem's value. */
typedef struct ipsim_optimize_options {
    int threads;             /* OpenMP threads per model, 0 = 1 (results do not depend on it) */
    double max_memory_bytes; /* per model; 0 = no limit */
    ipsim_log_fn log;
    void *log_userdata;
} ipsim_optimize_options;

void ipsim_optimize_options_init(ipsim_optimize_options *o);

/* Progress: runs done and an upper bound of the runs to do (the search may
 * converge before its evaluation budget is used up); phase is "zero",
 * "search", "plans" or "sensitivity". Return non-zero to stop
 * (ipsim_optimize_run then returns IPSIM_ERR_INTERRUPTED). */
typedef int (*ipsim_optimize_progress_fn)(void *userdata, long runs_done, long runs_total,
                                          const char *phase);

/* Search, re-evaluate and compare (the whole job). May be called once per
 * handle (IPSIM_ERR_USAGE after that). o and progress may be NULL. */
ipsim_status ipsim_optimize_run(ipsim_optimize *op, const ipsim_optimize_options *o,
                                ipsim_optimize_progress_fn progress, void *userdata, char *err,
                                size_t errlen);

/* Write the results (after a successful run) to an HDF5 file through the
 * safe output path (lock, temp file, rename): IPSIM_ERR_EXISTS for an
 * existing path without force, IPSIM_ERR_CANTCREAT, IPSIM_ERR_IO,
 * IPSIM_ERR_USAGE before a run. */
ipsim_status ipsim_optimize_write(const ipsim_optimize *op, const char *path, int force, char *err,
                                  size_t errlen);

/* The results as a table for people (thousands separators); caller frees.
 * NULL on OOM or before a run. */
char *ipsim_optimize_summary(const ipsim_optimize *op);

/* A one-line description of the problem (name, variables, budget,
 * evaluations); caller frees; NULL on OOM. */
char *ipsim_optimize_describe(const ipsim_optimize *op);

/* Free op and everything it owns. NULL: no-op. */
void ipsim_optimize_destroy(ipsim_optimize *op);

#ifdef __cplusplus
}
#endif
#endif /* IPSIM_OPTIMIZE_H */
