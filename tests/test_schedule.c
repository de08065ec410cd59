/*
 * test_schedule.c - dated parameters (issue 12 item 4, ODD 7.13): the
 * scenario's "schedule" changes a destination or asset field on a date or
 * ramps it between dates.
 *
 *   - a step of destination.digital_fluency on STEP_DAY changes no daily
 *     output before that day (bitwise, common random numbers) and raises
 *     the UGC impressions of every market from that day (a fresh post
 *     reaches more people at a higher fluency, 7.3): on the step day itself
 *     yesterday's state is identical, so the rise is deterministic;
 *   - a ramp of service_quality gives the linearly interpolated value on
 *     every day, the scenario value before it and the target after it, both
 *     as the model reads it on the day and in the per-day effective
 *     destination tabulated for days a decision looks ahead to; a second
 *     entry on the same path ramps from the value in force on its date;
 *   - an asset field named by the asset's name ("assets[NAME]") changes on
 *     its date.
 * Bad schedules are cases of tests/bad_inputs/ (test_bad_inputs.py).
 * Label unit (a few seconds at scale 20000).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsim/ipsim.h"
#include "model/state.h"
#include "harness.h"

#define REPLICATES 3
#define SCALE 20000.0
#define STEP_DAY 120 /* 2025-05-01, day index from 1 January 2025 */
#define RAMP_FROM 31 /* 2025-02-01 */
#define RAMP_TO 59   /* 2025-03-01 */
#define SECOND_FROM 45 /* 2025-02-15: a second ramp starting inside the first */
#define SECOND_TO 73   /* 2025-03-15 */
#define TOL 1e-12

static const char *const STEP_JSON =
    "{\"base\": \"scenarios/jiamusi_baseline.json\", \"name\": \"schedule_step\", \"schedule\": ["
    "{\"path\": \"destination.digital_fluency\", \"from\": \"2025-05-01\", \"value\": 0.8}]}";

static const char *const RAMP_JSON =
    "{\"base\": \"scenarios/jiamusi_baseline.json\", \"name\": \"schedule_ramp\", \"schedule\": ["
    "{\"path\": \"destination.service_quality\", \"from\": \"2025-02-15\", \"to\": \"2025-03-15\", "
    "\"value\": 0.35},"
    "{\"path\": \"destination.service_quality\", \"from\": \"2025-02-01\", \"to\": \"2025-03-01\", "
    "\"value\": 0.95},"
    "{\"path\": \"destination.assets[heixiazi_island].capacity_per_day\", \"from\": \"2025-06-01\", "
    "\"value\": 1234}]}";

static ipsim_scenario *load(const char *json, const char *origin)
{
    char err[1024];
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load_buffer(json, strlen(json), origin, &sc, err, sizeof err) != IPSIM_OK) {
        fprintf(stderr, "load %s: %s\n", origin, err);
        exit(2);
    }
    return sc;
}

static ipsim_model *create(const ipsim_scenario *sc, int rep)
{
    char err[1024];
    ipsim_run_options opt;
    ipsim_run_options_init(&opt);
    opt.replicate = (uint32_t)rep;
    opt.scale = SCALE;
    opt.threads = 1;
    ipsim_model *m = NULL;
    if (ipsim_model_create(sc, &opt, &m, err, sizeof err) != IPSIM_OK) {
        fprintf(stderr, "create: %s\n", err);
        exit(2);
    }
    return m;
}

/* The first ramp alone on recorded day d (the second ramp starts later). */
static double first_ramp(double base, int d)
{
    if (d < RAMP_FROM)
        return base;
    if (d >= RAMP_TO)
        return 0.95;
    return base + (0.95 - base) * (d - RAMP_FROM) / (double)(RAMP_TO - RAMP_FROM);
}

/* Both entries: the second ramps from the first's value on its from. */
static double expected_service(double base, int d)
{
    if (d < SECOND_FROM)
        return first_ramp(base, d);
    double s = first_ramp(base, SECOND_FROM);
    if (d >= SECOND_TO)
        return 0.35;
    return s + (0.35 - s) * (d - SECOND_FROM) / (double)(SECOND_TO - SECOND_FROM);
}

static void test_step(const ipsim_scenario *base, const ipsim_scenario *step)
{
    for (int rep = 0; rep < REPLICATES; rep++) {
        ipsim_model *a = create(base, rep), *b = create(step, rep);
        if (ipsim_model_run(a, NULL, NULL) != IPSIM_OK || ipsim_model_run(b, NULL, NULL) != IPSIM_OK)
            exit(2);
        const ipsim_results *ra = ipsim_model_results(a), *rb = ipsim_model_results(b);
        size_t per_day = (size_t)ra->n_markets * 2;
        int same = 1;
        for (int k = 0; k < MET_COUNT; k++)
            if (k != MET_SATISFACTION_MEAN) /* NaN on days without departures */
                same &= memcmp(results_daily(ra, k), results_daily(rb, k),
                               STEP_DAY * per_day * sizeof(double)) == 0;
        CHECK(same, "replicate %d: every daily output identical before the step (day %d)", rep,
              STEP_DAY);
        const double *ua = results_daily(ra, MET_UGC_IMPRESSIONS),
                     *ub = results_daily(rb, MET_UGC_IMPRESSIONS);
        int higher = 1, cells = 0;
        for (size_t c = 0; c < per_day; c++) {
            size_t i = (size_t)STEP_DAY * per_day + c;
            if (ua[i] > 0) {
                cells++;
                higher &= ub[i] > ua[i];
            }
        }
        CHECK(cells > 0 && higher,
              "replicate %d: UGC impressions higher in all %d reached cells on the step day", rep,
              cells);
        double sa = 0, sb = 0;
        for (size_t i = (size_t)STEP_DAY * per_day; i < (size_t)ra->days * per_day; i++) {
            sa += ua[i];
            sb += ub[i];
        }
        CHECK(sb > 1.5 * sa, "replicate %d: UGC impressions after the step %.3g > 1.5 x %.3g", rep, sb,
              sa);
        ipsim_model_destroy(a);
        ipsim_model_destroy(b);
    }
}

static void test_ramp(const ipsim_scenario *ramp)
{
    double base = ipsim_scenario_data(ramp)->destination.service_quality;
    double cap0 = ipsim_scenario_data(ramp)->destination.assets[1].capacity_per_day;
    ipsim_model *m = create(ramp, 0);
    /* the tabulated per-day destination, as decisions look ahead to it */
    int bad_tab = 0;
    for (int d = 0; d < m->days; d++) {
        double want = expected_service(base, d);
        double got = m->dest_days[m->warmup + d].service_quality;
        if (fabs(got - want) > TOL) {
            if (!bad_tab)
                printf("  day %d: tabulated service %.15g, expected %.15g\n", d, got, want);
            bad_tab++;
        }
    }
    CHECK(bad_tab == 0, "tabulated service quality follows both ramps on every day (%d wrong)",
          bad_tab);
    CHECK(fabs(m->dest_days[m->warmup + 38].service_quality - (base + (0.95 - base) * 7 / 28.0)) < TOL,
          "a quarter into the first ramp the value is a quarter of the way (%.4f)",
          m->dest_days[m->warmup + 38].service_quality);
    int bad_day = 0, bad_cap = 0;
    while (m->tau < m->warmup + m->days) {
        int d = m->tau - m->warmup;
        if (ipsim_model_step(m) != IPSIM_OK)
            exit(2);
        double want = d < 0 ? base : expected_service(base, d);
        bad_day += fabs(m->sc->destination.service_quality - want) > TOL;
        double cap = m->sc->destination.assets[1].capacity_per_day;
        bad_cap += cap != (d < 151 ? cap0 : 1234.0); /* 2025-06-01 is day 151 */
    }
    CHECK(bad_day == 0, "the model reads the scheduled service quality on each day (%d wrong)", bad_day);
    CHECK(bad_cap == 0, "assets[heixiazi_island].capacity_per_day steps on 2025-06-01 (%d wrong)",
          bad_cap);
    CHECK(ipsim_scenario_data(ipsim_model_scenario(m))->destination.service_quality == base,
          "the model's scenario keeps its own value (the schedule changes a private copy)");
    ipsim_model_destroy(m);
}

int main(int argc, char **argv)
{
    harness_verbose(argc > 1 && !strcmp(argv[1], "--verbose"));
    char err[1024];
    ipsim_scenario *base = NULL;
    if (ipsim_scenario_load("scenarios/jiamusi_baseline.json", &base, err, sizeof err) != IPSIM_OK) {
        fprintf(stderr, "load: %s\n", err);
        return 2;
    }
    ipsim_scenario *step = load(STEP_JSON, "schedule_step"), *ramp = load(RAMP_JSON, "schedule_ramp");
    test_step(base, step);
    test_ramp(ramp);
    ipsim_scenario_destroy(base);
    ipsim_scenario_destroy(step);
    ipsim_scenario_destroy(ramp);
    return harness_summary();
}
