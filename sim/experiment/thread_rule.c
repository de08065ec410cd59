/*
 * thread_rule.c - the default thread counts (README.md, section Threads):
 * a small run (fewer than IPSIM_SMALL_RUN_AGENTS agents) uses one thread,
 * a large one every core; a sweep of small units runs that many units at
 * once, each on one thread, and a sweep of large units one unit at a time
 * with every thread inside it. An explicit --threads N is exact: N threads.
 *
 * Why: a run spends a few OpenMP barriers per simulated day. Before the
 * event-driven core (issue 13), in a quiet window of the 2-core machine, 2
 * threads ran 1.5x faster than 1 at 1 M agents but used 27x the CPU at
 * 6,000 agents. On the event-driven core (scripts/bench --no-ref
 * --crossover --repeat 5, quiet, 2026-12-02) 1 thread / 2 threads is 0.79
 * at 10 k agents, 0.89 at 30 k, 1.23 at 100 k, 1.31 at 300 k, 1.43 at 1 M:
 * the crossing is near 46 k agents, hence 50,000. Units of a sweep share
 * nothing but the caches and the memory bandwidth: side by side they win
 * for small units, but 8 units of 930 k agents (mechanisms_factorial
 * --scale 130 --shard 1/8, farm-bench -n 4) took 5.36 s two at a time on
 * one thread each against 4.69 s one at a time on 2 threads (medians;
 * median of the paired ratios 1.11). Hence
 * threads inside a unit from 250,000 agents on (IPSIM_SWEEP_UNIT_AGENTS),
 * and for a sweep's last unit as for a run.
 */
#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "experiment/thread_rule.h"
#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "scenario/scenario.h"

int ipsim__threads_cores(void)
{
#ifdef _OPENMP
    int n = omp_get_max_threads(); /* ICVs only: starts no thread */
    return n < 1 ? 1 : n;
#else
    return 1;
#endif
}

double ipsim__threads_run_agents(const ipsim_scenario *sc, double scale)
{
    double adults = 0.0;
    int n = ipsim_scenario_market_count(sc);
    if (!(scale > 0.0))
        scale = ipsim_scenario_scale(sc);
    if (!(scale > 0.0))
        return NAN;
    for (int i = 0; i < n; i++) {
        double a = ipsim_scenario_market_adults(sc, i);
        if (isfinite(a))
            adults += a;
    }
    return adults / scale;
}

int ipsim__threads_for_run(const ipsim_scenario *sc, const ipsim_run_options *opt)
{
    if (opt && opt->threads > 0)
        return opt->threads;
    int own = ipsim_scenario_data(sc)->simulation.threads;
    if (own > 0)
        return own;
    double agents = ipsim__threads_run_agents(sc, opt ? opt->scale : 0.0);
    return agents < IPSIM_SMALL_RUN_AGENTS ? 1 : ipsim__threads_cores();
}

void ipsim__threads_for_sweep(int threads, double unit_agents, int todo, int *workers,
                              int *unit_threads)
{
    int t = threads > 0 ? threads : ipsim__threads_cores();
    if (todo <= 1) { /* one unit: as a run */
        *workers = 1;
        *unit_threads = unit_agents < IPSIM_SMALL_RUN_AGENTS ? 1 : t;
    } else if (unit_agents < IPSIM_SWEEP_UNIT_AGENTS) {
        *workers = t < todo ? t : todo;
        *unit_threads = 1;
    } else {
        *workers = 1;
        *unit_threads = t;
    }
}

double ipsim__xp_unit_agents(const ipsim_experiment *e, const ipsim_sweep_options *o)
{
    const ipsim_scenario *sc = e && e->n_points > 0 ? ipsim__xp_source_scenario(e, 0) : NULL;
    return sc ? ipsim__threads_run_agents(sc, ipsim__xp_scale(e, o)) : NAN;
}
