/*
 * test_capacity.c - capacity that binds (ODD 7.11) and the official
 * counting basis (ODD 7.12).
 *
 *  - counting basis: visits_all = overnight arrivals + same-day + local
 *    visits in every cell and day; overnight_arrivals = arrivals; only
 *    `local` markets make local visits and no overnight trips; only markets
 *    within same_day_max_km make same-day visits; holidays bring more local
 *    visits per day than weekdays; with every day-visit rate 0 there are
 *    none and visits_all = arrivals;
 *  - capacity: the full framework (3x capacity before capacity bound) keeps
 *    each asset's occupancy rate near 1 (expected confirmations fill the
 *    capacity left; only binomial noise exceeds it), turns demand away, and
 *    keeps satisfaction_mean inside [-1, 1]; accommodation limits the
 *    visitors on site per night; the price response lowers arrivals;
 *  - results stay bitwise identical at 1 and 3 threads with capacity
 *    binding everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsim/ipsim.h"
#include "model/state.h"
#include "harness.h"

#define PRICE_REPS 16 /* paired replicates of the price-response check */
#define PRICE_T 2.6    /* one-sided paired t it must reach: p < 0.01 at 15 df */

static ipsim_model *run_rep(const char *file, const char *const *sets, int threads, double scale,
                            unsigned replicate) {
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
    ipsim_run_options o;
    ipsim_run_options_init(&o);
    o.threads = threads;
    o.scale = scale;
    o.replicate = replicate;
    ipsim_model *m = NULL;
    if (ipsim_model_create(sc, &o, &m, err, sizeof err)) {
        printf("create: %s\n", err);
        exit(2);
    }
    ipsim_scenario_destroy(sc);
    if (ipsim_model_run(m, NULL, NULL)) {
        printf("run failed\n");
        exit(2);
    }
    return m;
}

static ipsim_model *run(const char *file, const char *const *sets, int threads, double scale) {
    return run_rep(file, sets, threads, scale, 0);
}

static double total(const ipsim_model *m, int metric) {
    const double *x = results_daily(&m->res, metric);
    double s = 0;
    for (size_t i = 0; i < (size_t)m->days * m->n_cells; i++) s += x[i];
    return s;
}

static void test_counting_basis(void) {
    ipsim_model *m = run("jiamusi_baseline.json", NULL, 2, 1000);
    const sc_data *sc = m->sc;
    const sc_day_visits *p = &sc->parameters.day_visits;
    int bad_sum = 0, bad_local = 0, bad_same = 0, bad_alias = 0;
    double hol = 0, wkd = 0;
    int n_hol = 0, n_wkd = 0;
    for (int day = 0; day < m->days; day++) {
        uint8_t f = m->cal.flags[day + m->warmup];
        double loc = 0;
        for (int c = 0; c < m->n_cells; c++) {
            size_t k = (size_t)day * m->n_cells + c;
            const sc_market *mk = &sc->markets[cell_market(c)];
            double arr = results_daily(&m->res, MET_ARRIVALS)[k];
            double sd = results_daily(&m->res, MET_SAME_DAY_VISITS)[k];
            double lv = results_daily(&m->res, MET_LOCAL_VISITS)[k];
            double all = results_daily(&m->res, MET_VISITS_ALL)[k];
            bad_sum += fabs(all - (arr + sd + lv)) > 1e-6 * fmax(1, all);
            bad_alias += results_daily(&m->res, MET_OVERNIGHT_ARRIVALS)[k] != arr;
            bad_local += mk->local ? (arr != 0 || sd != 0) : lv != 0;
            bad_same += !mk->local && mk->distance_km > p->same_day_max_km && sd != 0;
            loc += lv;
        }
        if (f & CAL_HOLIDAY) { hol += loc; n_hol++; }
        else if (!(f & (CAL_WEEKEND | CAL_VACATION))) { wkd += loc; n_wkd++; }
    }
    CHECK(bad_sum == 0, "visits_all = arrivals + same_day_visits + local_visits (%d bad cell-days)", bad_sum);
    CHECK(bad_alias == 0, "overnight_arrivals = arrivals (%d bad cell-days)", bad_alias);
    CHECK(bad_local == 0, "only local markets make local visits, and they make no trips (%d bad)", bad_local);
    CHECK(bad_same == 0, "no same-day visits beyond same_day_max_km (%d bad)", bad_same);
    double lv = total(m, MET_LOCAL_VISITS), sd = total(m, MET_SAME_DAY_VISITS), arr = total(m, MET_ARRIVALS);
    printf("  baseline: arrivals %.0f, same-day %.0f, local %.0f, visits_all %.0f, turned away %.0f\n", arr,
           sd, lv, total(m, MET_VISITS_ALL), total(m, MET_TURNED_AWAY));
    CHECK(lv > 0 && sd > 0, "the baseline has local (%.0f) and same-day (%.0f) visits", lv, sd);
    CHECK(n_hol > 0 && n_wkd > 0 && hol / n_hol > 2 * wkd / n_wkd,
          "local visits per holiday (%.0f) > 2 x per ordinary weekday (%.0f)", hol / n_hol, wkd / n_wkd);
    ipsim_model_destroy(m);

    static const char *const none[] = {
        "parameters.day_visits.local_rate_weekday=0", "parameters.day_visits.local_rate_weekend=0",
        "parameters.day_visits.local_rate_holiday=0", "parameters.day_visits.same_day_rate_weekday=0",
        "parameters.day_visits.same_day_rate_weekend=0", "parameters.day_visits.same_day_rate_holiday=0",
        NULL};
    m = run("jiamusi_baseline.json", none, 2, 1000);
    CHECK(total(m, MET_LOCAL_VISITS) == 0 && total(m, MET_SAME_DAY_VISITS) == 0 &&
              total(m, MET_VISITS_ALL) == total(m, MET_ARRIVALS),
          "day-visit rates 0: no day visits, visits_all = arrivals");
    ipsim_model_destroy(m);
}

/* Occupancy-rate statistics over asset-days with visitors. */
static void occupancy_stats(const ipsim_model *m, double *mean_top, double *share_over, double *max) {
    const double *o = results_asset(&m->res, AMET_OCCUPANCY_RATE);
    int n = 0, over = 0;
    *max = 0;
    double top = 0;
    for (int day = 0; day < m->days; day++)
        for (int a = 0; a < m->n_assets; a++) {
            double x = o[(size_t)day * m->n_assets + a];
            *max = fmax(*max, x);
            if (x >= 0.9) { top += x; n++; }
            over += x > 1.3;
        }
    *mean_top = n ? top / n : 0;
    *share_over = (double)over / ((double)m->days * m->n_assets);
}

static void test_capacity_binds(void) {
    ipsim_model *m = run("framework_full.json", NULL, 2, 500);
    double mean_top, share_over, max;
    occupancy_stats(m, &mean_top, &share_over, &max);
    printf("  framework_full: occupancy rate on full days %.3f, max %.3f, share > 1.3 %.4f, turned away %.0f\n",
           mean_top, max, share_over, total(m, MET_TURNED_AWAY));
    /* the rule itself: expected confirmed people never exceed capacity (7.11) */
    int above = 0;
    for (int t = 0; t < m->n_days_ext; t++)
        for (int a = 0; a < m->n_assets; a++)
            above += m->confirmed[(size_t)t * m->n_assets + a] >
                     m->sc->destination.assets[a].capacity_per_day * (1 + 1e-9);
    CHECK(above == 0, "expected confirmed people within capacity on every asset-night (%d above)", above);
    /* the realised occupancy (an output) is that plus binomial noise of
     * confirmations: at scale 500 the smallest capacity is 12 agents */
    CHECK(mean_top < 1.1, "occupancy rate on full days about 1 (mean %.3f over days >= 0.9)", mean_top);
    CHECK(share_over < 0.03, "occupancy rate above 1.3 on under 3%% of asset-days (%.4f)", share_over);
    CHECK(total(m, MET_TURNED_AWAY) > 0, "demand beyond capacity is turned away");
    const double *s = results_daily(&m->res, MET_SATISFACTION_MEAN);
    int out = 0;
    for (size_t i = 0; i < (size_t)m->days * m->n_cells; i++) out += isfinite(s[i]) && (s[i] < -1 || s[i] > 1);
    CHECK(out == 0, "satisfaction_mean inside [-1, 1] (%d values outside)", out);

    /* bitwise identical at 1 and 3 threads with capacity binding */
    ipsim_model *m1 = run("framework_full.json", NULL, 1, 500);
    ipsim_model *m3 = run("framework_full.json", NULL, 3, 500);
    size_t n = (size_t)MET_COUNT * m1->days * m1->n_cells;
    size_t na = (size_t)AMET_COUNT * m1->days * m1->n_assets;
    int same = memcmp(m1->res.daily, m3->res.daily, n * sizeof(double)) == 0 &&
               memcmp(m1->res.asset_daily, m3->res.asset_daily, na * sizeof(double)) == 0 &&
               memcmp(m->res.daily, m3->res.daily, n * sizeof(double)) == 0;
    CHECK(same, "framework_full (capacity binding) bitwise identical at 1, 2 and 3 threads");
    ipsim_model_destroy(m);
    ipsim_model_destroy(m1);
    ipsim_model_destroy(m3);
}

static void test_accommodation_and_price(void) {
    static const char *const beds[] = {"destination.accommodation_per_night=6000", NULL};
    static const char *const priced[] = {"destination.accommodation_per_night=6000",
                                         "destination.price_response=1", "destination.price_cap=0.5", NULL};
    static const char *const beds200[] = {"destination.accommodation_per_night=6000", "simulation.days=200",
                                          NULL};
    static const char *const priced200[] = {"destination.accommodation_per_night=6000",
                                            "destination.price_response=1", "destination.price_cap=0.5",
                                            "simulation.days=200", NULL};
    ipsim_model *a = run("framework_full.json", beds, 2, 200);
    ipsim_model *b = run("framework_full.json", priced, 2, 200);
    int over = 0;
    double peak = 0;
    for (int day = 0; day < a->days; day++) {
        double on = 0;
        for (int c = 0; c < a->n_cells; c++)
            on += results_daily(&a->res, MET_VISITORS_ON_SITE)[(size_t)day * a->n_cells + c];
        peak = fmax(peak, on);
        over += on > 6000 * 1.15;
    }
    printf("  6,000 beds: peak visitors on site %.0f, nights over 6,900: %d; arrivals %.0f, with price "
           "response %.0f\n", peak, over, total(a, MET_ARRIVALS), total(b, MET_ARRIVALS));
    int above = 0;
    for (int t = 0; t < a->n_days_ext; t++) {
        double held = 0;
        for (int k = 0; k < a->n_assets; k++) held += a->confirmed[(size_t)t * a->n_assets + k];
        above += held > 6000 * (1 + 1e-9);
    }
    CHECK(above == 0, "expected confirmed people within the beds on every night (%d above)", above);
    /* realised visitors on site: that plus binomial noise (the beds are 30
     * agents at scale 200, one sd about 18 %, so a full night exceeds +15 %
     * about one time in six) */
    CHECK(over <= a->days / 10, "visitors on site within the beds (+15%%) on all but 10%% of nights (%d)", over);
    /* where demand exceeds the beds both runs fill them; the price response
     * shows as fewer requests (arrivals + turned away). Paired runs (common
     * random numbers) over PRICE_REPS replicates of 200 days: measured
     * after the official-audience merge: demand -24,700 per run, paired t
     * -4.63 over 8 replicates (-3.45 over 6); turned away alone t -4.05 over
     * 6. One run pair alone is noise (0.5 %), so the check is paired. The
     * pairs are skewed: on the random streams of issue 13 (ziggurat gaps)
     * one of the first 8 pairs was +43,361 against a mean of -28,881 (t
     * -1.78 over 8, -4.48 over 16), so 16 pairs and p < 0.01 one-sided. */
    double d[PRICE_REPS], sum = 0, ss = 0;
    for (int r = 0; r < PRICE_REPS; r++) {
        ipsim_model *pa = run_rep("framework_full.json", beds200, 2, 200, (unsigned)r);
        ipsim_model *pb = run_rep("framework_full.json", priced200, 2, 200, (unsigned)r);
        d[r] = total(pb, MET_ARRIVALS) + total(pb, MET_TURNED_AWAY) - total(pa, MET_ARRIVALS) -
               total(pa, MET_TURNED_AWAY);
        sum += d[r];
        ipsim_model_destroy(pa);
        ipsim_model_destroy(pb);
    }
    double mean = sum / PRICE_REPS;
    for (int r = 0; r < PRICE_REPS; r++) ss += (d[r] - mean) * (d[r] - mean);
    double t = mean / sqrt(ss / (PRICE_REPS - 1) / PRICE_REPS);
    printf("  price response: demand (arrivals + turned away) %+.0f per run, paired t %.2f over %d replicates\n",
           mean, t, PRICE_REPS);
    CHECK(t <= -PRICE_T, "the price response lowers demand (arrivals + turned away): paired mean %.0f, t %.2f "
          "over %d replicates", mean, t, PRICE_REPS);
    ipsim_model_destroy(a);
    ipsim_model_destroy(b);
}

int main(void) {
    test_counting_basis();
    test_capacity_binds();
    test_accommodation_and_price();
    return harness_summary();
}
