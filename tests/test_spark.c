/*
 * test_spark.c - sparks (issue 12 item 2, ODD 7.2-7.3): a dated piece of
 * content (a food blogger's video, a film, a news story) put in front of
 * chosen market x segment cells.
 *
 * Paired common-random-number comparison over REPLICATES replicates of the
 * baseline with and without a spark reaching Shanghai's CEC on SPARK_DATE:
 *   - every daily output is bitwise identical before the spark's date (the
 *     spark changes nothing before it starts);
 *   - Shanghai's aware people are higher 30 days after it in every replicate;
 *   - Shanghai's arrivals over the 90 days from it rise, paired z >= Z_MIN;
 *   - campaign impressions bought are identical all year (its cost, 0 here,
 *     is not media spend).
 * Label unit (about 10 s at scale 1000).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsim/ipsim.h"
#include "model/results.h"
#include "harness.h"

#define REPLICATES 6
#define SCALE 1000.0
#define SPARK_DAY 90          /* 2025-04-01, day index from 1 January */
#define Z_MIN 3.0

static const char *const SPARK_JSON =
    "{\"base\": \"scenarios/jiamusi_baseline.json\", \"name\": \"spark_test\", \"interventions\": ["
    "{\"name\": \"baseline_promotion\", \"mechanism\": \"promotion\", \"start\": \"2025-01-01\", "
    "\"end\": \"2025-12-31\", \"cost_cny\": 6000000, \"targets\": [{\"market\": \"*\", \"segment\": \"all\"}], "
    "\"channels\": {\"short_video\": 0.25, \"commuter_media\": 0.15, \"hsr_station\": 0.1, \"broadcast\": 0.5}},"
    "{\"name\": \"blogger_video\", \"mechanism\": \"spark\", \"start\": \"2025-04-01\", \"end\": \"2025-12-31\", "
    "\"cost_cny\": 0, \"targets\": [{\"market\": \"Shanghai\", \"segment\": \"cec\"}], "
    "\"views_per_person_day\": 0.3, \"novelty_half_life_days\": 7, \"content_signal\": 0.9}]}";

static ipsim_model *run(ipsim_scenario *sc, int rep) {
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
    if (ipsim_model_run(m, NULL, NULL) != IPSIM_OK) exit(2);
    return m;
}

/* sum of a daily metric over market mk (both segments) and days d0..d1-1 */
static double sum_market(const ipsim_results *r, int metric, int mk, int d0, int d1) {
    double s = 0;
    for (int d = d0; d < d1 && d < r->days; d++)
        for (int g = 0; g < 2; g++) s += results_daily(r, metric)[((size_t)d * r->n_markets + mk) * 2 + g];
    return s;
}

int main(int argc, char **argv) {
    harness_verbose(argc > 1 && !strcmp(argv[1], "--verbose"));
    char err[1024];
    ipsim_scenario *base = NULL, *spark = NULL;
    if (ipsim_scenario_load("scenarios/jiamusi_baseline.json", &base, err, sizeof err) != IPSIM_OK ||
        ipsim_scenario_load_buffer(SPARK_JSON, strlen(SPARK_JSON), "spark_test", &spark, err, sizeof err) !=
            IPSIM_OK) {
        fprintf(stderr, "load: %s\n", err);
        return 2;
    }
    const int shanghai = 9;
    double diff[REPLICATES], mean = 0;
    for (int rep = 0; rep < REPLICATES; rep++) {
        ipsim_model *a = run(base, rep), *b = run(spark, rep);
        const ipsim_results *ra = ipsim_model_results(a), *rb = ipsim_model_results(b);
        size_t per_day = (size_t)ra->n_markets * 2, same = 1, paid_same = 1;
        for (int k = 0; k < MET_COUNT; k++) {
            const double *x = results_daily(ra, k), *y = results_daily(rb, k);
            if (k != MET_SATISFACTION_MEAN)  /* NaN on days without departures */
                same &= memcmp(x, y, SPARK_DAY * per_day * sizeof(double)) == 0;
        }
        const double *pa = results_daily(ra, MET_PAID_IMPRESSIONS), *pb = results_daily(rb, MET_PAID_IMPRESSIONS);
        paid_same = memcmp(pa, pb, (size_t)ra->days * per_day * sizeof(double)) == 0;
        CHECK(same, "replicate %d: every daily output identical before the spark (day %d)", rep, SPARK_DAY);
        CHECK(paid_same, "replicate %d: campaign impressions bought unchanged by a spark", rep);
        double aw_a = sum_market(ra, MET_AWARE, shanghai, SPARK_DAY + 30, SPARK_DAY + 31);
        double aw_b = sum_market(rb, MET_AWARE, shanghai, SPARK_DAY + 30, SPARK_DAY + 31);
        CHECK(aw_b > aw_a, "replicate %d: Shanghai aware 30 days after the spark %.0f > %.0f", rep, aw_b, aw_a);
        double arr_a = sum_market(ra, MET_ARRIVALS, shanghai, SPARK_DAY, SPARK_DAY + 90);
        double arr_b = sum_market(rb, MET_ARRIVALS, shanghai, SPARK_DAY, SPARK_DAY + 90);
        diff[rep] = arr_b - arr_a;
        mean += diff[rep] / REPLICATES;
        if (harness_state.verbose)
            printf("  rep %d: Shanghai aware %.0f -> %.0f, arrivals 90 d %.0f -> %.0f\n", rep, aw_a, aw_b, arr_a,
                   arr_b);
        ipsim_model_destroy(a);
        ipsim_model_destroy(b);
    }
    double v = 0;
    for (int rep = 0; rep < REPLICATES; rep++) v += (diff[rep] - mean) * (diff[rep] - mean);
    double se = sqrt(v / (REPLICATES - 1) / REPLICATES);
    double z = se > 0 ? mean / se : (mean > 0 ? INFINITY : 0);
    CHECK(z >= Z_MIN, "Shanghai arrivals over 90 days after the spark: +%.0f (paired z %.2f >= %.1f)", mean, z,
          Z_MIN);
    ipsim_scenario_destroy(base);
    ipsim_scenario_destroy(spark);
    return harness_summary();
}
