/*
 * test_model.c - invariants and determinism of the model (ODD 3, 4.9).
 *
 *  - every day, every agent is in exactly one funnel state, and the reported
 *    funnel stocks nest: aware >= considering + booked + visitors on site;
 *  - counts are non-negative and finite; visitor-nights = visitors on site;
 *    the nights recorded equal the nights of the trips that arrived;
 *  - zero budget gives zero paid impressions; a market of population 0 has
 *    no agents and no arrivals;
 *  - results are bitwise identical at 1, 2 and 3 threads, and for the same
 *    seed twice; a different replicate gives different results;
 *  - common random numbers: an intervention that never starts inside the
 *    run changes nothing;
 *  - calendar: 2025 holidays, adjusted workdays, leisure normalised to mean 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsim/ipsim.h"
#include "model/state.h"

static int passes = 0, failures = 0;
#define CHECK(cond, ...) do { if (cond) passes++; else { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf("\n"); } } while (0)

static ipsim_scenario *load(const char *const *sets) {
    char err[1024];
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load(IPSIM_SOURCE_DIR "/scenarios/jiamusi_baseline.json", &sc, err, sizeof err)) {
        printf("load: %s\n", err);
        exit(2);
    }
    for (int i = 0; sets && sets[i]; i++)
        if (ipsim_scenario_set(sc, sets[i], err, sizeof err)) {
            printf("set: %s\n", err);
            exit(2);
        }
    return sc;
}

static ipsim_model *make(const char *const *sets, int threads, int replicate, double scale) {
    ipsim_scenario *sc = load(sets);
    ipsim_run_options o;
    ipsim_run_options_init(&o);
    o.threads = threads;
    o.replicate = (uint32_t)replicate;
    o.scale = scale;
    ipsim_model *m = NULL;
    char err[512];
    if (ipsim_model_create(sc, &o, &m, err, sizeof err)) {
        printf("create: %s\n", err);
        exit(2);
    }
    ipsim_scenario_destroy(sc);
    return m;
}

static size_t daily_len(const ipsim_model *m) {
    return (size_t)MET_COUNT * m->days * m->n_cells;
}

/* Step through the run checking the funnel every day. */
static void test_funnel(void) {
    ipsim_model *m = make(NULL, 2, 0, 2000);
    int bad_sum = 0, bad_nest = 0;
    while (ipsim_model_days_done(m) < m->days) {
        ipsim_model_step(m);
        uint64_t count[ST_COUNT] = {0};
        for (uint64_t i = 0; i < m->n_agents; i++) count[m->ag.state[i] < ST_COUNT ? m->ag.state[i] : 0]++;
        uint64_t total = 0;
        for (int s = 0; s < ST_COUNT; s++) total += count[s];
        for (uint64_t i = 0; i < m->n_agents; i++) if (m->ag.state[i] >= ST_COUNT) bad_sum++;
        if (total != m->n_agents) bad_sum++;
        int day = ipsim_model_days_done(m) - 1;
        if (day >= 0) {
            double aware = 0, cons = 0, booked = 0, site = 0;
            for (int c = 0; c < m->n_cells; c++) {
                size_t k = (size_t)day * m->n_cells + c;
                aware += results_daily(&m->res, MET_AWARE)[k];
                cons += results_daily(&m->res, MET_CONSIDERING)[k];
                booked += results_daily(&m->res, MET_BOOKED)[k];
                site += results_daily(&m->res, MET_VISITORS_ON_SITE)[k];
            }
            if (aware + 1e-9 < cons + booked + site) bad_nest++;
        }
    }
    CHECK(bad_sum == 0, "every agent in exactly one valid funnel state (%d bad days)", bad_sum);
    CHECK(bad_nest == 0, "aware >= considering + booked + on site (%d bad days)", bad_nest);

    const double *x = m->res.daily;
    int neg = 0, nonfinite = 0;
    for (size_t i = 0; i < daily_len(m); i++) {
        if (isnan(x[i])) continue;                  /* satisfaction of a day without departures */
        if (!isfinite(x[i])) nonfinite++;
        else if (x[i] < 0 && i / ((size_t)m->days * m->n_cells) != MET_SATISFACTION_MEAN) neg++;
    }
    CHECK(neg == 0 && nonfinite == 0, "counts non-negative and finite (%d negative, %d non-finite)", neg, nonfinite);
    size_t n = (size_t)m->days * m->n_cells;
    CHECK(memcmp(results_daily(&m->res, MET_VISITOR_NIGHTS), results_daily(&m->res, MET_VISITORS_ON_SITE),
                 n * sizeof(double)) == 0, "visitor_nights equals visitors_on_site");
    double nights = 0, arrivals = 0;
    for (size_t i = 0; i < n; i++) {
        nights += results_daily(&m->res, MET_VISITOR_NIGHTS)[i];
        arrivals += results_daily(&m->res, MET_ARRIVALS)[i];
    }
    CHECK(arrivals > 0 && nights >= arrivals, "every arrival spends at least one night (%g nights, %g arrivals)",
          nights, arrivals);
    ipsim_model_destroy(m);
}

static void test_zero_budget_and_population(void) {
    static const char *const sets[] = {"interventions[baseline_promotion].cost_cny=0",
                                       "markets[Harbin].population=0", NULL};
    ipsim_model *m = make(sets, 0, 0, 2000);
    ipsim_model_run(m, NULL, NULL);
    double paid = 0, harbin = 0;
    size_t n = (size_t)m->days * m->n_cells;
    for (size_t i = 0; i < n; i++) {
        paid += results_daily(&m->res, MET_PAID_IMPRESSIONS)[i];
        if ((int)(i % (size_t)m->n_cells) / 2 == 0) harbin += results_daily(&m->res, MET_ARRIVALS)[i];
    }
    CHECK(paid == 0, "zero budget gives zero paid impressions (%g)", paid);
    CHECK(m->cell_n[0] == 0 && m->cell_n[1] == 0, "a market of population 0 has no agents");
    CHECK(harbin == 0, "nobody arrives from a market of population 0 (%g)", harbin);
    ipsim_model_destroy(m);
}

static int same_results(const ipsim_model *a, const ipsim_model *b) {
    return memcmp(a->res.daily, b->res.daily, daily_len(a) * sizeof(double)) == 0 &&
           memcmp(a->res.asset_daily, b->res.asset_daily,
                  (size_t)AMET_COUNT * a->days * a->n_assets * sizeof(double)) == 0 &&
           memcmp(a->res.dest_daily, b->res.dest_daily, (size_t)DMET_COUNT * a->days * sizeof(double)) == 0;
}

static void test_determinism(void) {
    static const char *const busy[] = {"destination.digital_fluency=0.9", NULL};
    ipsim_model *m1 = make(busy, 1, 0, 3000), *m2 = make(busy, 2, 0, 3000), *m3 = make(busy, 3, 0, 3000);
    ipsim_model *again = make(busy, 2, 0, 3000), *other = make(busy, 2, 1, 3000);
    ipsim_model *all[] = {m1, m2, m3, again, other};
    for (int i = 0; i < 5; i++) ipsim_model_run(all[i], NULL, NULL);
    CHECK(same_results(m1, m2), "1 and 2 threads give bitwise identical results");
    CHECK(same_results(m1, m3), "1 and 3 threads give bitwise identical results");
    CHECK(same_results(m2, again), "the same seed twice gives identical results");
    CHECK(!same_results(m2, other), "another replicate gives different results");
    for (int i = 0; i < 5; i++) ipsim_model_destroy(all[i]);
}

/* An F intervention dated after the run's last day changes nothing: every
 * agent keeps its random numbers (common random numbers across scenarios). */
static void test_common_random_numbers(void) {
    static const char *const later[] = {"interventions[baseline_promotion].end=2025-12-31", NULL};
    ipsim_model *a = make(NULL, 0, 0, 3000), *b = make(later, 0, 0, 3000);
    ipsim_model_run(a, NULL, NULL);
    ipsim_model_run(b, NULL, NULL);
    CHECK(same_results(a, b), "a no-op override leaves results identical");
    ipsim_model_destroy(a);
    ipsim_model_destroy(b);
}

static void test_calendar(void) {
    ipsim_model *m = make(NULL, 1, 0, 100000);
    ipsim_date start = m->sc->simulation.start_date;
    int may1 = ipsim_date_from_ymd(2025, 5, 1) - start + m->warmup;
    int jan26 = ipsim_date_from_ymd(2025, 1, 26) - start + m->warmup;   /* a Sunday worked */
    int jan25 = ipsim_date_from_ymd(2025, 1, 25) - start + m->warmup;   /* a Saturday */
    int mar4 = ipsim_date_from_ymd(2025, 3, 4) - start + m->warmup;     /* a Tuesday */
    CHECK(m->cal.flags[may1] & CAL_HOLIDAY, "1 May 2025 is a holiday");
    CHECK(!(m->cal.flags[jan26] & CAL_WEEKEND) && (m->cal.flags[jan26] & CAL_WORKDAY_ADJ),
          "26 Jan 2025 is an adjusted workday");
    CHECK(m->cal.flags[jan25] & CAL_WEEKEND, "25 Jan 2025 is a weekend day");
    CHECK(m->cal.flags[mar4] == 0, "4 Mar 2025 is an ordinary weekday");
    CHECK(m->cal.month[may1] == 4, "May is month index 4");
    double sum = 0;
    for (int t = m->warmup; t < m->warmup + m->days; t++) sum += m->cal.leisure[t];
    CHECK(fabs(sum / m->days - 1) < 1e-12, "leisure has mean 1 over the recorded days (%.15f)", sum / m->days);
    CHECK(m->cal.leisure[may1] > m->cal.leisure[jan25] && m->cal.leisure[jan25] > m->cal.leisure[mar4],
          "holiday > weekend > weekday leisure");
    ipsim_model_destroy(m);
}

static void test_rng(void) {
    ipsim_rng r;
    rng_init(&r, 12345, 0);
    philox4x32_ctr_t a = rng_block(&r, 3, 7, 11, RNG_DAILY, 0), b = rng_block(&r, 3, 7, 11, RNG_DAILY, 0);
    philox4x32_ctr_t c = rng_block(&r, 3, 7, 11, RNG_TRIP, 0);
    CHECK(memcmp(&a, &b, sizeof a) == 0, "a draw depends only on its key and counter");
    CHECK(memcmp(&a, &c, sizeof a) != 0, "a different purpose gives a different draw");
    double s = 0, s2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = rng_u01(rng_block(&r, 0, (uint32_t)i, 0, RNG_INIT, 0).v[0]);
        s += u;
        s2 += u * u;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    /* the sd of the mean of n uniforms is sqrt(1/12/n) = 6.5e-4: 5 sd = 3.2e-3 */
    CHECK(fabs(mean - 0.5) < 3.2e-3 && fabs(var - 1.0 / 12) < 2e-3, "uniforms: mean %.4f var %.4f", mean, var);
}

int main(void) {
    test_rng();
    test_calendar();
    test_funnel();
    test_zero_budget_and_population();
    test_determinism();
    test_common_random_numbers();
    printf("%d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
