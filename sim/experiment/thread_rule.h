/*
 * thread_rule.h - INTERNAL header of libipsim: how many threads a run, and
 * how many units at once a sweep, use when the user does not say
 * (thread_rule.c; the rule is documented in README.md, section Threads,
 * and in scenarios/experiments/README.md). Used by the command line
 * (sim/cli/cmd_run.c, cmd_inspect.c) and the sweep drivers.
 */
#ifndef IPSIM_THREAD_RULE_H
#define IPSIM_THREAD_RULE_H

#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"

/* A run of fewer agents than this is "small": one thread pays better than
 * two, because a day's work is shorter than the cost of the OpenMP barriers
 * between the day's passes. Measured on the event-driven core (issue 13,
 * `scripts/bench --no-ref --crossover --repeat 5`, quiet 2-core machine,
 * 1 thread / 2 threads): 0.79 at 10 k agents, 0.89 at 30 k, 1.23 at 100 k,
 * 1.31 at 300 k, 1.43 at 1 M; the crossing is near 46 k (thread_rule.c). */
#define IPSIM_SMALL_RUN_AGENTS 50000.0

/* A sweep's unit of fewer agents than this runs on one thread, several
 * units at once; a larger one alone with every thread. Side by side, units
 * share nothing but the machine's caches and memory bandwidth: at 6,000
 * agents they beat threads inside a unit by far (those spend the day at
 * barriers), at 930 k agents threads inside one unit took 0.90x the time
 * (median paired ratio; thread_rule.c). */
#define IPSIM_SWEEP_UNIT_AGENTS 250000.0

/* The cores this process may use: OpenMP's default team size
 * (OMP_NUM_THREADS, else the CPUs of the affinity mask); 1 without OpenMP.
 * Reads settings only: no thread is started. */
int ipsim__threads_cores(void);

/* About how many agents a run of sc at scale (people per agent; <= 0: the
 * scenario's) has: the markets' adults / scale (the model rounds per
 * segment). NaN when the scale is not positive. */
double ipsim__threads_run_agents(const ipsim_scenario *sc, double scale);

/* The threads a run of sc with opt uses: opt->threads when > 0, else the
 * scenario's simulation.threads when > 0, else 1 for a small run (fewer
 * than IPSIM_SMALL_RUN_AGENTS agents) and every core for a large one. */
int ipsim__threads_for_run(const ipsim_scenario *sc, const ipsim_run_options *opt);

/* How a sweep spends its threads: threads (the user's --threads; 0 = every
 * core) go to units run at once (*workers, each unit on one thread) when a
 * unit has fewer than IPSIM_SWEEP_UNIT_AGENTS agents and more than one unit
 * is left, else to one unit at a time (*unit_threads threads inside it,
 * chosen as for a run when only one unit is left). workers never exceeds
 * todo (the units left, >= 1). */
void ipsim__threads_for_sweep(int threads, double unit_agents, int todo, int *workers,
                              int *unit_threads);

/* About how many agents a unit of sweep e with options o has (its first
 * point's scenario at the sweep's scale); NaN when unknown (the scenarios
 * are not loaded yet), which the sweep treats as a large unit. */
double ipsim__xp_unit_agents(const ipsim_experiment *e, const ipsim_sweep_options *o);

#endif /* IPSIM_THREAD_RULE_H */
