/*
 * test_model.c - invariants and determinism of the model (ODD 3, 4.9).
 *
 *  - every day, every agent is in one of the funnel states (a state byte
 *    out of range fails), the model's own end-of-day count (ODD 3, 4e)
 *    matches a recount of the state array and covers every agent once, and
 *    the reported funnel stocks nest: aware >= considering + booked +
 *    visitors on site;
 *  - counts are non-negative and finite; visitor-nights = visitors on site;
 *    the nights recorded equal the nights of the trips that arrived;
 *  - zero budget gives zero paid impressions; a market of population 0 has
 *    no agents and no arrivals;
 *  - the event-driven core (ODD 3): the incremental count of considering
 *    agents matches a recount of AWARE agents whose lazily decayed salience
 *    is >= consider_salience, and the agents acted on a day
 *    (ipsim_model_active_agents) are some but not all agents;
 *  - results are bitwise identical at 1, 2, 3 and 8 threads (also with
 *    mechanism D, whose posters are found on past-visitor lists), and for the same
 *    seed twice; a different replicate gives different results;
 *  - common random numbers (ODD 4.9): a mechanism intervention inside the
 *    run whose effects are all zero leaves every daily output bitwise equal
 *    to the baseline, and the same intervention with a tiny effect changes
 *    at least one (so the equality check can fail);
 *  - calendar: 2025 holidays, adjusted workdays, leisure normalised to mean 1;
 *  - the day a salience falls below consider_salience (from the calendar's guess
 *    and steps) is the first a linear scan finds.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsim/ipsim.h"
#include "model/state.h"
#include "harness.h"

#define BASELINE "jiamusi_baseline.json"

/* Load scenarios/<file> and apply "path=value" overrides (NULL-terminated);
 * exits 2 on any error. */
static ipsim_scenario *load(const char *file, const char *const *sets) {
    char err[1024], path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", IPSIM_SOURCE_DIR, file);
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load(path, &sc, err, sizeof err)) {
        printf("load %s: %s\n", file, err);
        exit(2);
    }
    for (int i = 0; sets && sets[i]; i++)
        if (ipsim_scenario_set(sc, sets[i], err, sizeof err)) {
            printf("set: %s\n", err);
            exit(2);
        }
    return sc;
}

static ipsim_model *make_from(const char *file, const char *const *sets, int threads, int replicate,
                              double scale) {
    ipsim_scenario *sc = load(file, sets);
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

/* A model of the baseline scenario. */
static ipsim_model *make(const char *const *sets, int threads, int replicate, double scale) {
    return make_from(BASELINE, sets, threads, replicate, scale);
}

static size_t daily_len(const ipsim_model *m) {
    return (size_t)MET_COUNT * m->days * m->n_cells;
}

/* Step through the run checking the funnel every day: each agent's state
 * byte is a valid state, and the model's own end-of-day count (phase 4e,
 * summed over threads into acc[0]) equals a recount of the state array. */
static void test_funnel(void) {
    /* PENDING (a request awaiting confirmation) counts as booked */
    static const int acc_of_state[ST_COUNT] = {ACC_UNAWARE, ACC_AWARE, ACC_BOOKED, ACC_ON_TRIP, ACC_RETURNED,
                                               ACC_BOOKED};
    ipsim_model *m = make(NULL, 2, 0, 2000);
    int bad_state_days = 0, bad_count_days = 0, bad_nest = 0, bad_cons_days = 0;
    int active_some = 0, active_all = 0;
    const float consider = (float)m->sc->parameters.exposure.consider_salience;
    int first_day = -1, first_state = 0;
    uint64_t first_agent = 0;
    while (ipsim_model_days_done(m) < m->days) {
        ipsim_model_step(m);
        int tau = m->tau - 1;
        uint64_t count[ST_COUNT] = {0}, out_of_range = 0, considering = 0;
        uint64_t active = ipsim_model_active_agents(m);
        active_some += active > 0;
        active_all += active >= m->n_agents;
        for (uint64_t i = 0; i < m->n_agents; i++) {
            uint8_t st = m->ag.a[i].state;
            considering += st == ST_AWARE && salience_now(m, i, tau) >= consider;
            if (st < ST_COUNT) {
                count[st]++;
                continue;
            }
            out_of_range++;
            if (first_day < 0) {
                first_day = tau;
                first_agent = i;
                first_state = st;
            }
        }
        if (out_of_range) bad_state_days++;
        uint64_t counted = 0;
        int agree = 1;
        count[ST_BOOKED] += count[ST_PENDING];
        for (int st = 0; st < ST_COUNT; st++) {
            if (st == ST_PENDING) continue;
            uint64_t model_count = 0;
            for (int c = 0; c < m->n_cells; c++)
                model_count += (uint64_t)m->acc[0].cell[(size_t)c * ACC_COUNT + acc_of_state[st]];
            counted += model_count;
            agree &= model_count == count[st];
        }
        if (!agree || counted != m->n_agents) bad_count_days++;
        uint64_t model_cons = 0;
        for (int c = 0; c < m->n_cells; c++)
            model_cons += (uint64_t)m->acc[0].cell[(size_t)c * ACC_COUNT + ACC_CONSIDERING];
        if (model_cons != considering) bad_cons_days++;
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
    CHECK(bad_state_days == 0, "every agent's state is a funnel state 0..%d (%d bad days; first: day %d, "
          "agent %llu, state %d)", ST_COUNT - 1, bad_state_days, first_day, (unsigned long long)first_agent,
          first_state);
    CHECK(bad_count_days == 0, "the end-of-day count matches a recount and covers all %llu agents "
          "(%d bad days)", (unsigned long long)m->n_agents, bad_count_days);
    CHECK(bad_nest == 0, "aware >= considering + booked + on site (%d bad days)", bad_nest);
    CHECK(bad_cons_days == 0, "the incremental count of considering agents matches a recount of "
          "AWARE agents with salience >= consider_salience (%d bad days)", bad_cons_days);
    CHECK(active_some > m->days / 2 && active_all == 0, "some but never all agents act on a day "
          "(%d days with active agents, %d with all of them)", active_some, active_all);

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
    ipsim_model *m8 = make(busy, 8, 0, 3000);
    ipsim_model *d1 = make_from("framework_full.json", NULL, 1, 0, 3000);
    ipsim_model *d8 = make_from("framework_full.json", NULL, 8, 0, 3000);
    ipsim_model *all[] = {m1, m2, m3, again, other, m8, d1, d8};
    for (int i = 0; i < 8; i++) ipsim_model_run(all[i], NULL, NULL);
    CHECK(same_results(m1, m2), "1 and 2 threads give bitwise identical results");
    CHECK(same_results(m1, m3), "1 and 3 threads give bitwise identical results");
    CHECK(same_results(m1, m8), "1 and 8 threads give bitwise identical results");
    CHECK(same_results(d1, d8), "framework_full (with community posting) at 1 and 8 threads: identical");
    CHECK(same_results(m2, again), "the same seed twice gives identical results");
    CHECK(!same_results(m2, other), "another replicate gives different results");
    for (int i = 0; i < 8; i++) ipsim_model_destroy(all[i]);
}

/* Common random numbers (ODD 4.9): every draw is keyed by what it is for,
 * so an intervention inside the run whose effects are all zero (mechanism
 * A: nothing added, no cost) must leave every daily output bitwise equal to
 * the baseline. The same intervention with a tiny effect must change at
 * least one output: otherwise the equality would prove nothing. */
static void test_common_random_numbers(void) {
    static const char *const zero[] = {"interventions[popup_installations].cost_cny=0",
                                       "interventions[popup_installations].shareability_add=0",
                                       "interventions[popup_installations].emotional_add=0",
                                       "interventions[popup_installations].aesthetics_add=0", NULL};
    static const char *const tiny[] = {"interventions[popup_installations].cost_cny=0",
                                       "interventions[popup_installations].shareability_add=0.001",
                                       "interventions[popup_installations].emotional_add=0",
                                       "interventions[popup_installations].aesthetics_add=0", NULL};
    ipsim_model *base = make(NULL, 0, 0, 3000);
    ipsim_model *z = make_from("mechanism_a.json", zero, 0, 0, 3000);
    ipsim_model *t = make_from("mechanism_a.json", tiny, 0, 0, 3000);
    const sc_intervention *iv = &z->sc->interventions[1];
    ipsim_date first = z->sc->simulation.start_date, last = first + z->days - 1;
    CHECK(z->sc->n_interventions == 2 && iv->mechanism == MECH_A && iv->start > first && iv->end <= last,
          "the zero-effect intervention is a mechanism A intervention inside the run");
    ipsim_model_run(base, NULL, NULL);
    ipsim_model_run(z, NULL, NULL);
    ipsim_model_run(t, NULL, NULL);
    CHECK(same_results(base, z), "an intervention with zero effects leaves every output bitwise equal");
    CHECK(!same_results(base, t), "the same intervention with shareability_add 0.001 changes an output");
    ipsim_model_destroy(base);
    ipsim_model_destroy(z);
    ipsim_model_destroy(t);
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

/* The day a considering agent's salience falls below consider_salience
 * (ipsim__salience_below, agenda.c: a table of the least salience kept at
 * the level for each number of days, searched from a bucket of the
 * salience's float bits) is the first day a linear scan with the decay the
 * touches apply (salience_decay) finds below it, or INT_MAX if none before
 * the run's end: for saliences from just below the level to far above it,
 * every starting day, the table's edges (each entry, the float below and
 * above it), and adstock half-lives from a day (buckets of one octave) to
 * years (many buckets an octave) with levels from tiny to large. */
static int first_below_scan(const ipsim_model *m, float s, int from, float level)
{
    for (int d = from + 1; d < m->ev.n_days; d++)
        if (salience_decay(m, s, from, d) < level)
            return d;
    return INT_MAX;
}

static void check_salience_below(const char *half_life, const char *level_set)
{
    const char *const sets[] = {half_life, level_set, NULL};
    ipsim_model *m = make(sets, 1, 0, 100000);
    const float level = (float)m->sc->parameters.exposure.consider_salience;
    long tried = 0, bad = 0, never = 0;
    uint64_t x = 20261203;
    for (int j = 0; j < 1500; j++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(x >> 11) * 0x1p-53;
        /* log-uniform over [level / 2, level * 1e4] */
        float s = (float)(level * 0.5 * pow(2e4, u));
        for (int from = -1; from < m->ev.n_days - 1; from += 1 + (j % 13)) {
            int want = first_below_scan(m, s, from, level), got = ipsim__salience_below(m, s, from);
            bad += got != want;
            never += want == INT_MAX;
            tried++;
        }
    }
    /* the table's edges: each entry n is the least salience still at the
     * level n days later, so it and the float below it fall on different
     * days, as the decay itself says */
    long edges = 0, bad_edge = 0, split = 0;
    for (int n = 1; n <= m->ev.n_days; n += 1 + n / 20) {
        float t = m->sal_keep_at[n];
        if (!(t > 0) || isinf(t))
            continue;
        const float near[3] = {nextafterf(t, 0.0f), t, nextafterf(t, INFINITY)};
        int days[3];
        for (int e = 0; e < 3; e++)
            for (int from = -1; from < m->ev.n_days - 1; from += 37) {
                int want = first_below_scan(m, near[e], from, level), got = ipsim__salience_below(m, near[e], from);
                bad_edge += got != want;
                edges++;
                if (from == -1)
                    days[e] = got;
            }
        split += days[0] < days[1];
    }
    CHECK(bad == 0 && never > 0 && never < tried,
          "%s, %s: the first day below consider_salience = a linear scan's (%ld of %ld differ; %ld never fall)",
          half_life, level_set, bad, tried, never);
    CHECK(bad_edge == 0 && split > 0,
          "%s, %s: at the table's edges the same (%ld of %ld differ; %ld entries split their neighbours' days)",
          half_life, level_set, bad_edge, edges, split);
    ipsim_model_destroy(m);
}

static void test_salience_below(void) {
    check_salience_below("parameters.exposure.adstock_half_life_days=14", "parameters.exposure.consider_salience=2");
    check_salience_below("parameters.exposure.adstock_half_life_days=1", "parameters.exposure.consider_salience=0.05");
    check_salience_below("parameters.exposure.adstock_half_life_days=0.3", "parameters.exposure.consider_salience=3");
    check_salience_below("parameters.exposure.adstock_half_life_days=700", "parameters.exposure.consider_salience=0.8");
    check_salience_below("parameters.exposure.adstock_half_life_days=90", "parameters.exposure.consider_salience=400");
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
    test_salience_below();
    test_funnel();
    test_zero_budget_and_population();
    test_determinism();
    test_common_random_numbers();
    return harness_summary();
}
