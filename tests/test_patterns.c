/*
 * test_patterns.c - the ten patterns of the model brief as statistical tests.
 *
 * Each pattern compares paired runs: the same seed and replicate index in
 * two scenarios, so every agent draws the same random numbers in both arms
 * (common random numbers, ODD 4.9), over REPLICATES replicates at a small
 * agent scale. A pattern passes when its paired statistic clears the
 * threshold stated next to it; each threshold is justified by the variance
 * measured with `build/tests/test_patterns --verbose` (figures in comments).
 * Usage: test_patterns [--verbose] [--replicates R] [--scale S] [pattern...]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsim/ipsim.h"
#include "model/results.h"
#include "harness.h"

static int verbose = 0, replicates = 16;
static double scale = 500;

/* ---- running ------------------------------------------------------------ */

typedef struct {
    ipsim_model *m;
    const ipsim_results *r;
    const sc_data *sc;
} run_t;

/* Load a scenario, apply "path=value" overrides (NULL-terminated), run one
 * replicate on one thread; aborts the test on any error. */
static run_t run_now(const char *file, const char *const *sets, int replicate) {
    char err[1024], path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", IPSIM_SOURCE_DIR, file);
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load(path, &sc, err, sizeof err) != IPSIM_OK) {
        fprintf(stderr, "load %s: %s\n", file, err);
        exit(2);
    }
    for (int i = 0; sets && sets[i]; i++)
        if (ipsim_scenario_set(sc, sets[i], err, sizeof err) != IPSIM_OK) {
            fprintf(stderr, "set %s: %s\n", sets[i], err);
            exit(2);
        }
    ipsim_run_options opt;
    ipsim_run_options_init(&opt);
    opt.replicate = (uint32_t)replicate;
    opt.scale = scale;
    opt.threads = 1;
    run_t r = {0};
    if (ipsim_model_create(sc, &opt, &r.m, err, sizeof err) != IPSIM_OK ||
        ipsim_model_run(r.m, NULL, NULL) != IPSIM_OK) {
        fprintf(stderr, "run %s: %s\n", file, err);
        exit(2);
    }
    ipsim_scenario_destroy(sc);
    r.r = ipsim_model_results(r.m);
    r.sc = ipsim_scenario_data(ipsim_model_scenario(r.m));
    return r;
}

/* The arms the patterns compare; each (arm, replicate) runs once. */
static const char *const dist_low[] = {
    "destination.assets[0].distinctiveness=0", "destination.assets[1].distinctiveness=0",
    "destination.assets[2].distinctiveness=0", "destination.assets[3].distinctiveness=0",
    "destination.assets[4].distinctiveness=0", NULL};
static const char *const dist_high[] = {
    "destination.assets[0].distinctiveness=1", "destination.assets[1].distinctiveness=1",
    "destination.assets[2].distinctiveness=1", "destination.assets[3].distinctiveness=1",
    "destination.assets[4].distinctiveness=1", NULL};
/* Overrides giving a digitally fluent destination (breakout patterns), and
 * the same with a quarter of every asset's capacity. */
static const char *const fluent[] = {"destination.digital_fluency=0.9", NULL};
static const char *const fluent_small[] = {
    "destination.digital_fluency=0.9",
    "destination.assets[0].capacity_per_day=2000", "destination.assets[1].capacity_per_day=2500",
    "destination.assets[2].capacity_per_day=2500", "destination.assets[3].capacity_per_day=1500",
    "destination.assets[4].capacity_per_day=2000", NULL};

enum { BASE, CAMP_C, CAMP_DISP, MECH_A_, MECH_B_, MECH_D_, MECH_E_, MECH_F_, DIST_LOW, DIST_HIGH,
       C_FLUENT, C_FLUENT_SMALL, A_RENEWED, ARM_COUNT };
static const char *const renewed[] = {"interventions[popup_installations].renewal_interval_days=60", NULL};
static const struct { const char *file; const char *const *sets; } arms[ARM_COUNT] = {
    [BASE] = {"jiamusi_baseline.json", NULL},
    [CAMP_C] = {"campaign_shanghai_shenzhen.json", NULL},
    [CAMP_DISP] = {"campaign_dispersed.json", NULL},
    [MECH_A_] = {"mechanism_a.json", NULL},
    [MECH_B_] = {"mechanism_b.json", NULL},
    [MECH_D_] = {"mechanism_d.json", NULL},
    [MECH_E_] = {"mechanism_e.json", NULL},
    [MECH_F_] = {"mechanism_f.json", NULL},
    [DIST_LOW] = {"jiamusi_baseline.json", dist_low},
    [DIST_HIGH] = {"jiamusi_baseline.json", dist_high},
    [C_FLUENT] = {"campaign_shanghai_shenzhen.json", fluent},
    [C_FLUENT_SMALL] = {"campaign_shanghai_shenzhen.json", fluent_small},
    [A_RENEWED] = {"mechanism_a.json", renewed},
};
#define MAXR 64
static run_t cache[ARM_COUNT][MAXR];
static int needed[ARM_COUNT];   /* replicates needed of each arm (0: none) */

/* P4's E contrast is small (+0.0075 arrivals per 1,000 aware-days, paired sd
 * 0.0098 measured): it gets three times the replicates (t 3.1 at 16). */
#define E_FACTOR 3

/* Run every needed (arm, replicate) pair, in parallel over pairs. */
static void run_all(void) {
    int n = ARM_COUNT * MAXR;
    #pragma omp parallel for schedule(dynamic, 1)
    for (int j = 0; j < n; j++) {
        int arm = j / MAXR, rep = j % MAXR;
        if (rep < needed[arm]) cache[arm][rep] = run_now(arms[arm].file, arms[arm].sets, rep);
    }
}

static const run_t *run(int arm, int rep) { return &cache[arm][rep]; }

static void free_all(void) {
    for (int a = 0; a < ARM_COUNT; a++)
        for (int r = 0; r < needed[a]; r++) ipsim_model_destroy(cache[a][r].m);
}

static int day_of(const run_t *r, int y, int mo, int d) {
    return ipsim_date_from_ymd(y, mo, d) - r->sc->simulation.start_date;
}

/* Sum of a daily metric over days [d0, d1], a market (-1 all), a segment (-1 all). */
static double sum(const run_t *r, int metric, int d0, int d1, int market, int seg) {
    const double *x = results_daily(r->r, metric);
    int nm = r->r->n_markets;
    double s = 0;
    for (int d = d0; d <= d1 && d < r->r->days; d++)
        for (int m = 0; m < nm; m++)
            for (int g = 0; g < 2; g++)
                if ((market < 0 || m == market) && (seg < 0 || g == seg))
                    s += x[((size_t)d * nm + m) * 2 + g];
    return s;
}
static double year(const run_t *r, int metric, int seg) { return sum(r, metric, 0, r->r->days - 1, -1, seg); }

/* Departure-weighted mean satisfaction of a segment (-1 all) over the year. */
static double satisfaction(const run_t *r, int seg) {
    const double *s = results_daily(r->r, MET_SATISFACTION_MEAN), *n = results_daily(r->r, MET_DEPARTURES);
    double num = 0, den = 0;
    for (size_t i = 0; i < (size_t)r->r->days * r->r->n_markets * 2; i++)
        if ((seg < 0 || (int)(i % 2) == seg) && n[i] > 0) {
            num += s[i] * n[i];
            den += n[i];
        }
    return den > 0 ? num / den : NAN;
}

static double positive_share(const run_t *r, int seg, int d0, int d1) {
    double p = sum(r, MET_POSTS_POSITIVE, d0, d1, -1, seg), n = sum(r, MET_POSTS_NEGATIVE, d0, d1, -1, seg),
           z = sum(r, MET_POSTS_NEUTRAL, d0, d1, -1, seg);
    return p + n + z > 0 ? p / (p + n + z) : 0;
}

static double posts(const run_t *r, int d0, int d1) {
    return sum(r, MET_POSTS_POSITIVE, d0, d1, -1, -1) + sum(r, MET_POSTS_NEGATIVE, d0, d1, -1, -1) +
           sum(r, MET_POSTS_NEUTRAL, d0, d1, -1, -1);
}

/* Conversion: arrivals per 1,000 aware person-days over days [d0, d1]. */
static double conversion(const run_t *r, int d0, int d1) {
    return 1000 * sum(r, MET_ARRIVALS, d0, d1, -1, -1) / sum(r, MET_AWARE, d0, d1, -1, -1);
}

/* ---- statistics ---------------------------------------------------------- */

typedef struct { double mean, sd, se, t; } paired_t;

static paired_t paired(const double *a, const double *b, int n) {
    paired_t p = {0};
    for (int i = 0; i < n; i++) p.mean += (a[i] - b[i]) / n;
    for (int i = 0; i < n; i++) p.sd += (a[i] - b[i] - p.mean) * (a[i] - b[i] - p.mean);
    p.sd = n > 1 ? sqrt(p.sd / (n - 1)) : 0;
    p.se = p.sd / sqrt((double)n);
    p.t = p.se > 0 ? p.mean / p.se : (p.mean != 0 ? copysign(INFINITY, p.mean) : 0);
    return p;
}

static double mean_of(const double *a, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i] / n;
    return s;
}

/* One pattern check (harness.h; every check is listed, passed or not). */
static void check(int ok, const char *pattern, const char *what) {
    CHECK(ok, "%s: %s", pattern, what);
}

/* Report a paired difference a - b and require t >= t_min. */
static void expect_greater(const char *pattern, const char *what, const double *a, const double *b,
                           int n, double t_min) {
    paired_t p = paired(a, b, n);
    char msg[512];
    snprintf(msg, sizeof msg, "%s: mean %.4g vs %.4g, paired diff %.4g (sd %.3g, t %.1f, need t >= %.1f)",
             what, mean_of(a, n), mean_of(b, n), p.mean, p.sd, p.t, t_min);
    check(p.t >= t_min, pattern, msg);
}

/* One-sided paired t; with R = 16 (15 df) t >= 3 means p < 0.005. Measured at
 * scale 500 (238,000 agents) the weakest statistic is P6 renewal (t 4.5: its
 * paired sd, 72 posts/day, is of the order of the effect, 80); at scale 1000
 * and 12 replicates P6 had t 2.1-2.6, hence the finer scale. */
#define T_MIN 3.0

/* ---- the patterns -------------------------------------------------------- */

/* 1. Baseline: the top five source markets in the 2025 May Day window
 * (1-5 May) are Heilongjiang cities, in every replicate. */
static void pattern1(void) {
    int all_ok = 1;
    char worst[256] = "";
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *r = run(BASE, rep);
        int d0 = day_of(r, 2025, 5, 1), d1 = day_of(r, 2025, 5, 5), nm = r->r->n_markets;
        double arr[IPSIM_MAX_MARKETS];
        int order[IPSIM_MAX_MARKETS];
        for (int m = 0; m < nm; m++) {
            arr[m] = sum(r, MET_ARRIVALS, d0, d1, m, -1);
            order[m] = m;
        }
        for (int i = 0; i < nm; i++)          /* selection sort, descending */
            for (int j = i + 1; j < nm; j++)
                if (arr[order[j]] > arr[order[i]]) { int t = order[i]; order[i] = order[j]; order[j] = t; }
        for (int i = 0; i < 5 && i < nm; i++) {
            const sc_market *mk = &r->sc->markets[order[i]];
            if (strcmp(mk->province, "Heilongjiang") != 0) all_ok = 0;
            if (rep == 0 || verbose) {
                char buf[IPSIM_NAME_MAX + 48];
                snprintf(buf, sizeof buf, "%s%s %.0f", i ? ", " : "", mk->name, arr[order[i]]);
                if (rep == 0) strncat(worst, buf, sizeof worst - strlen(worst) - 1);
            }
        }
        if (verbose) printf("    rep %d top: %s ... 6th %s %.0f\n", rep, r->sc->markets[order[0]].name,
                            r->sc->markets[order[5]].name, arr[order[5]]);
    }
    char msg[512];
    snprintf(msg, sizeof msg, "top five May Day markets all in Heilongjiang in %d replicates (rep 0: %s)",
             replicates, worst);
    check(all_ok, "P1", msg);
}

/* 2. At equal budget, the Shanghai/Shenzhen CEC saturation campaign yields
 * more incremental CEC arrivals than the same money spread thinly. */
static void pattern2(void) {
    double c[MAXR], d[MAXR], b[MAXR];
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *rc = run(CAMP_C, rep);
        const run_t *rd = run(CAMP_DISP, rep);
        const run_t *rb = run(BASE, rep);
        c[rep] = year(rc, MET_ARRIVALS, IPSIM_SEG_CEC) - year(rb, MET_ARRIVALS, IPSIM_SEG_CEC);
        d[rep] = year(rd, MET_ARRIVALS, IPSIM_SEG_CEC) - year(rb, MET_ARRIVALS, IPSIM_SEG_CEC);
        b[rep] = 0;
    }
    expect_greater("P2", "incremental CEC arrivals, saturation - dispersed", c, d, replicates, T_MIN);
    expect_greater("P2", "incremental CEC arrivals of the saturation campaign > 0", c, b, replicates, T_MIN);
}

/* 3. Surface replication: CEC less satisfied and less positive than the
 * mainstream, who are content; B raises CEC satisfaction and positive UGC. */
static void pattern3(void) {
    double sc_b[MAXR], sm_b[MAXR], pc_b[MAXR], pm_b[MAXR], sc_B[MAXR], pc_B[MAXR];
    double neutral = 0, content[MAXR];
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *rb = run(BASE, rep);
        const run_t *rB = run(MECH_B_, rep);
        const sc_visit *v = &rb->sc->parameters.visit;
        neutral = 0.5 * (v->satisfaction_positive + v->satisfaction_negative);
        sc_b[rep] = satisfaction(rb, IPSIM_SEG_CEC);
        sm_b[rep] = satisfaction(rb, IPSIM_SEG_MAINSTREAM);
        pc_b[rep] = positive_share(rb, IPSIM_SEG_CEC, 0, rb->r->days - 1);
        pm_b[rep] = positive_share(rb, IPSIM_SEG_MAINSTREAM, 0, rb->r->days - 1);
        sc_B[rep] = satisfaction(rB, IPSIM_SEG_CEC);
        pc_B[rep] = positive_share(rB, IPSIM_SEG_CEC, 0, rB->r->days - 1);
        content[rep] = neutral;
    }
    expect_greater("P3", "baseline satisfaction, mainstream - CEC", sm_b, sc_b, replicates, T_MIN);
    expect_greater("P3", "baseline positive-post share, mainstream - CEC", pm_b, pc_b, replicates, T_MIN);
    expect_greater("P3", "baseline mainstream satisfaction above neutral (content)", sm_b, content, replicates, T_MIN);
    expect_greater("P3", "CEC satisfaction, B - baseline", sc_B, sc_b, replicates, T_MIN);
    expect_greater("P3", "CEC positive-post share, B - baseline", pc_B, pc_b, replicates, T_MIN);
}

/* 4. Distinctiveness: low distinctiveness lets substitutes take aware
 * consumers; B and E raise conversion from awareness to visit. */
static void pattern4(void) {
    double cl[MAXR], ch[MAXR], cb[MAXR], cB[MAXR], cE[MAXR], cbE[MAXR];
    int re = replicates * E_FACTOR > MAXR ? MAXR : replicates * E_FACTOR;
    for (int rep = 0; rep < re; rep++) {
        const run_t *c = run(BASE, rep), *e = run(MECH_E_, rep);
        int end = c->r->days - 1, jun = day_of(c, 2025, 6, 1);
        cE[rep] = conversion(e, jun, end);
        cbE[rep] = conversion(c, jun, end);
    }
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *a = run(DIST_LOW, rep), *b = run(DIST_HIGH, rep);
        const run_t *c = run(BASE, rep), *d = run(MECH_B_, rep);
        /* each mechanism over its active window (B from April, E from June) */
        int end = a->r->days - 1, apr = day_of(a, 2025, 4, 1);
        cl[rep] = conversion(a, 0, end); ch[rep] = conversion(b, 0, end);
        cB[rep] = conversion(d, apr, end); cb[rep] = conversion(c, apr, end);
    }
    expect_greater("P4", "conversion per 1000 aware-days, distinctiveness 1 - 0", ch, cl, replicates, T_MIN);
    expect_greater("P4", "conversion Apr-Dec, B - baseline", cB, cb, replicates, T_MIN);
    expect_greater("P4", "conversion Jun-Dec, E - baseline", cE, cbE, re, T_MIN);
}


/* Largest 7-day mean of a daily metric (summed over cells). */
static double peak_week_of(const run_t *r, int met) {
    double best = 0;
    for (int d = 6; d < r->r->days; d++) best = fmax(best, sum(r, met, d - 6, d, -1, -1) / 7);
    return best;
}

/* 5. Breakout (brief: "UGC-driven diffusion can take off past a threshold,
 * and a destination with weak digital fluency stays below it"): with a spark
 * (the Shanghai/Shenzhen saturation campaign), a digitally fluent
 * destination's UGC diffusion takes off: its busiest week of UGC impressions
 * reaches at least BREAKOUT_X times the baseline's busiest week without the
 * campaign (same replicate), in every replicate; at the baseline's weak
 * fluency the same spark stays below that, in every replicate. The surge in
 * arrivals it causes is tested as a paired difference (fluent > weak).
 *
 * History: before issue 12 the test compared the peak live post stock with
 * the absolute trending_threshold_posts (70,000 posts); trending is now a
 * velocity (ODD 7.6). It then compared the busiest week of arrivals (>= 2x),
 * but capacity that binds (ODD 7.11) caps realised arrivals (fluent 1.59x),
 * so the take-off is now measured where the brief places it, on diffusion.
 * Measured at scale 500, 16 replicates (build/tests/test_patterns 5): UGC
 * impressions' busiest week is 7.3-11.8x the baseline's when fluent and
 * 1.9-2.9x when weak; BREAKOUT_X = 5 lies between the two ranges. */
#define BREAKOUT_X 5.0
static void pattern5(void) {
    double hi[MAXR], lo[MAXR], ahi[MAXR], alo[MAXR];
    int n_hi = 0, n_lo = 0;
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *a = run(C_FLUENT, rep), *b = run(CAMP_C, rep), *base = run(BASE, rep);
        double ref = peak_week_of(base, MET_UGC_IMPRESSIONS);
        hi[rep] = peak_week_of(a, MET_UGC_IMPRESSIONS) / ref;
        lo[rep] = peak_week_of(b, MET_UGC_IMPRESSIONS) / ref;
        n_hi += hi[rep] >= BREAKOUT_X;
        n_lo += lo[rep] >= BREAKOUT_X;
        double aref = peak_week_of(base, MET_ARRIVALS);
        ahi[rep] = peak_week_of(a, MET_ARRIVALS) / aref;
        alo[rep] = peak_week_of(b, MET_ARRIVALS) / aref;
    }
    char msg[300];
    snprintf(msg, sizeof msg, "busiest week of UGC impressions / baseline's: fluent %.2f (>= %.1f in %d/%d), weak %.2f (in %d/%d)",
             mean_of(hi, replicates), BREAKOUT_X, n_hi, replicates, mean_of(lo, replicates), n_lo, replicates);
    check(n_hi == replicates && n_lo == 0, "P5", msg);
    expect_greater("P5", "busiest week of arrivals (x baseline's), fluent - weak", ahi, alo, replicates, T_MIN);
}

/* 6. A alone: a fast UGC spike in its first four weeks that fades without
 * renewal: the excess of posts per day over the baseline is larger in June
 * than in November-December, and renewing the installations every 60 days
 * keeps the late excess higher than without renewal. */
static void pattern6(void) {
    double early[MAXR], late[MAXR], late_renew[MAXR], zero[MAXR] = {0};
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *a = run(MECH_A_, rep), *b = run(BASE, rep), *c = run(A_RENEWED, rep);
        int e0 = day_of(a, 2025, 6, 1), e1 = day_of(a, 2025, 6, 28);
        int l0 = day_of(a, 2025, 11, 1), l1 = day_of(a, 2025, 12, 31);
        early[rep] = (posts(a, e0, e1) - posts(b, e0, e1)) / (e1 - e0 + 1);
        late[rep] = (posts(a, l0, l1) - posts(b, l0, l1)) / (l1 - l0 + 1);
        late_renew[rep] = (posts(c, l0, l1) - posts(b, l0, l1)) / (l1 - l0 + 1);
    }
    expect_greater("P6", "excess posts per day in the first 4 weeks of A", early, zero, replicates, T_MIN);
    expect_greater("P6", "excess posts per day, first 4 weeks - Nov-Dec (fades)", early, late, replicates, T_MIN);
    expect_greater("P6", "excess posts per day in Nov-Dec, renewed every 60 days - never renewed", late_renew, late,
                   replicates, T_MIN);
}

/* 7. D raises repeat visits and sustains UGC (posts in the last quarter). */
static void pattern7(void) {
    double ra[MAXR], rb[MAXR], pa[MAXR], pb[MAXR];
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *a = run(MECH_D_, rep), *b = run(BASE, rep);
        int q0 = day_of(a, 2025, 10, 1), q1 = day_of(a, 2025, 12, 31);
        ra[rep] = year(a, MET_REPEAT_ARRIVALS, -1);
        rb[rep] = year(b, MET_REPEAT_ARRIVALS, -1);
        pa[rep] = posts(a, q0, q1);
        pb[rep] = posts(b, q0, q1);
    }
    expect_greater("P7", "repeat arrivals, D - baseline", ra, rb, replicates, T_MIN);
    expect_greater("P7", "posts in Oct-Dec, D - baseline", pa, pb, replicates, T_MIN);
}

/* 8. F raises satisfaction and the share of positive posts. */
static void pattern8(void) {
    double sa[MAXR], sb[MAXR], pa[MAXR], pb[MAXR];
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *a = run(MECH_F_, rep), *b = run(BASE, rep);
        sa[rep] = satisfaction(a, -1);
        sb[rep] = satisfaction(b, -1);
        pa[rep] = positive_share(a, -1, 0, a->r->days - 1);
        pb[rep] = positive_share(b, -1, 0, b->r->days - 1);
    }
    expect_greater("P8", "mean satisfaction, F - baseline", sa, sb, replicates, T_MIN);
    expect_greater("P8", "positive-post share, F - baseline", pa, pb, replicates, T_MIN);
}

/* 9. Surges beyond capacity degrade experience and damp a breakout: the
 * breakout of pattern 5 with a quarter of every asset's capacity. */
static void pattern9(void) {
    double sa[MAXR], sb[MAXR], pa[MAXR], pb[MAXR];
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *a = run(C_FLUENT, rep), *b = run(C_FLUENT_SMALL, rep);
        sa[rep] = satisfaction(a, -1);
        sb[rep] = satisfaction(b, -1);
        int d0 = day_of(a, 2025, 6, 1);
        pa[rep] = sum(a, MET_ARRIVALS, d0, a->r->days - 1, -1, -1);
        pb[rep] = sum(b, MET_ARRIVALS, d0, b->r->days - 1, -1, -1);
    }
    expect_greater("P9", "mean satisfaction, full capacity - quarter capacity", sa, sb, replicates, T_MIN);
    expect_greater("P9", "arrivals Jun-Dec after the spark, full capacity - quarter capacity", pa, pb, replicates, T_MIN);
}

/* 10. Visits peak in holidays and seasons. */
static void pattern10(void) {
    double hol[MAXR], wd[MAXR], summer[MAXR], winter[MAXR];
    for (int rep = 0; rep < replicates; rep++) {
        const run_t *r = run(BASE, rep);
        const sc_calendar *cal = &r->sc->calendar;
        double sh = 0, sw = 0;
        int nh = 0, nw = 0;
        for (int d = 0; d < r->r->days; d++) {
            ipsim_date date = r->sc->simulation.start_date + d;
            int is_h = 0, wdn = ipsim_date_iso_weekday(date);
            for (int k = 0; k < cal->n_holidays; k++)
                if (date >= cal->holidays[k].start && date <= cal->holidays[k].end) is_h = 1;
            double a = sum(r, MET_ARRIVALS, d, d, -1, -1);
            if (is_h) { sh += a; nh++; }
            else if (wdn <= 5) { sw += a; nw++; }
        }
        hol[rep] = sh / nh;
        wd[rep] = sw / nw;
        summer[rep] = sum(r, MET_ARRIVALS, day_of(r, 2025, 7, 1), day_of(r, 2025, 8, 31), -1, -1) / 62;
        winter[rep] = (sum(r, MET_ARRIVALS, 0, day_of(r, 2025, 2, 28), -1, -1) +
                       sum(r, MET_ARRIVALS, day_of(r, 2025, 11, 1), 364, -1, -1)) / (59 + 61);
    }
    expect_greater("P10", "daily arrivals, public holidays - ordinary weekdays", hol, wd, replicates, T_MIN);
    expect_greater("P10", "daily arrivals, Jul-Aug - Nov-Feb", summer, winter, replicates, T_MIN);
}

int main(int argc, char **argv) {
    void (*patterns[10])(void) = {pattern1, pattern2, pattern3, pattern4, pattern5,
                                  pattern6, pattern7, pattern8, pattern9, pattern10};
    int want[10] = {0}, any = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--verbose")) verbose = 1;
        else if (!strcmp(argv[i], "--replicates") && i + 1 < argc) replicates = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scale") && i + 1 < argc) scale = atof(argv[++i]);
        else {
            int p = atoi(argv[i]);
            if (p >= 1 && p <= 10) { want[p - 1] = 1; any = 1; }
        }
    }
    if (replicates < 2 || replicates > MAXR) replicates = 16;
    static const int uses[10][4] = {
        {BASE, -1}, {CAMP_C, CAMP_DISP, BASE, -1}, {BASE, MECH_B_, -1}, {DIST_LOW, DIST_HIGH, MECH_B_, MECH_E_},
        {C_FLUENT, CAMP_C, BASE, -1}, {MECH_A_, BASE, A_RENEWED, -1}, {MECH_D_, BASE, -1}, {MECH_F_, BASE, -1},
        {C_FLUENT, C_FLUENT_SMALL, -1}, {BASE, -1}};
    for (int p = 0; p < 10; p++)
        if (!any || want[p]) {
            int re = replicates * E_FACTOR > MAXR ? MAXR : replicates * E_FACTOR;
            for (int k = 0; k < 4 && uses[p][k] >= 0; k++)
                if (needed[uses[p][k]] < replicates) needed[uses[p][k]] = replicates;
            if (p == 3) needed[BASE] = needed[MECH_E_] = re;   /* re >= replicates */
        }
    harness_verbose(1);
    printf("patterns at scale %g, %d paired replicates\n", scale, replicates);
    fflush(stdout);
    run_all();
    for (int p = 0; p < 10; p++)
        if (!any || want[p]) {
            printf("pattern %d\n", p + 1);
            fflush(stdout);
            patterns[p]();
        }
    free_all();
    return harness_summary();
}
