/*
 * daycost.c - time per simulated day against the agents that acted that
 * day (ODD 3: an event-driven day costs what its active agents cost).
 *
 *   build/tests/bench/ipsim_daycost [SCALE [THREADS [DAYS]]]
 *
 * For three runs of the shipped scenarios at the same scale - the baseline,
 * framework_full and a quiet year (the baseline with its promotion budget
 * 0: only official content, ambient information and word of mouth) -
 * prints one line per run with the agents, the CPU and wall seconds of the
 * steps, and the least-squares fit of CPU seconds per day = a + b x active
 * agents over the days (warm-up included), and with -v as the 4th argument
 * every day's active agents and CPU seconds. Built with the tests, never run by ctest: it times
 * the machine. Defaults: scale 120, 1 thread, the scenario's days.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ipsim/ipsim.h"

/* CPU seconds of the process (all threads): on a shared machine the wall
 * time of a day mostly measures the other users. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Run scenarios/<file> with overrides sets (NULL-terminated); print the fit. */
static int bench(const char *label, const char *file, const char *const *sets, double scale,
                 int threads, int days, int verbose)
{
    char path[1024], err[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", IPSIM_SOURCE_DIR, file);
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load(path, &sc, err, sizeof err) != IPSIM_OK) {
        fprintf(stderr, "daycost: %s: %s\n", path, err);
        return 1;
    }
    for (int i = 0; sets && sets[i]; i++)
        if (ipsim_scenario_set(sc, sets[i], err, sizeof err) != IPSIM_OK) {
            fprintf(stderr, "daycost: %s: %s\n", sets[i], err);
            ipsim_scenario_destroy(sc);
            return 1;
        }
    ipsim_run_options o;
    ipsim_run_options_init(&o);
    o.scale = scale;
    o.threads = threads;
    o.days = days;
    ipsim_model *m = NULL;
    ipsim_status st = ipsim_model_create(sc, &o, &m, err, sizeof err);
    ipsim_scenario_destroy(sc);
    if (st != IPSIM_OK) {
        fprintf(stderr, "daycost: %s: %s\n", file, err);
        return 1;
    }
    double sx = 0, sy = 0, sxx = 0, sxy = 0, total = 0;
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    int n = 0;
    while (st == IPSIM_OK && ipsim_model_days_done(m) < ipsim_model_days_total(m)) {
        double t0 = now();
        st = ipsim_model_step(m);
        double dt = now() - t0;
        double x = (double)ipsim_model_active_agents(m);
        total += dt;
        if (verbose)
            printf("%s %d %.0f %.6f\n", label, ipsim_model_days_done(m), x, dt);
        sx += x;
        sy += dt;
        sxx += x * x;
        sxy += x * dt;
        n++;
    }
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall = (double)(w1.tv_sec - w0.tv_sec) + 1e-9 * (double)(w1.tv_nsec - w0.tv_nsec);
    double var = n * sxx - sx * sx;
    double b = var > 0 ? (n * sxy - sx * sy) / var : 0, a = (sy - b * sx) / n;
    printf("%-10s agents %10llu  days %4d  cpu s %8.3f  wall s %8.3f  active/day %11.0f  "
           "cpu s/day = %.3e + %.3e x active\n",
           label, (unsigned long long)ipsim_model_agent_count(m), n, total, wall, sx / n, a, b);
    ipsim_model_destroy(m);
    return st == IPSIM_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 120;
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    int days = argc > 3 ? atoi(argv[3]) : 0;
    int verbose = argc > 4 && strcmp(argv[4], "-v") == 0;
    static const char *const quiet[] = {"interventions[0].cost_cny=0", NULL};
    int rc = bench("baseline", "jiamusi_baseline.json", NULL, scale, threads, days, verbose);
    rc |= bench("framework", "framework_full.json", NULL, scale, threads, days, verbose);
    rc |= bench("quiet", "jiamusi_baseline.json", quiet, scale, threads, days, verbose);
    return rc;
}
