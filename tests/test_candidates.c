/*
 * test_candidates.c - the candidates of a day (ODD 4.9, "impressions and
 * occasions"): gap mode samples the same distribution as direct mode.
 *
 * Each agent-day has two independent events, at least one impression (E)
 * and a trip occasion (O). E is found by geometric gaps over a block's
 * agents (gap mode) or drawn by every agent (direct mode); O of an agent
 * without E by geometric gaps over the considering bitmap's set bits, or
 * drawn by every set bit (direct mode). The test hook ev.cand_direct_all
 * forces direct mode every day. The two modes use different random numbers, so they are
 * compared as distributions, paired by replicate (the same initial state
 * and traits):
 * 1. total arrivals and the people aware on the last day: the mean paired
 *    difference gap - direct is within Z_MODEL standard errors of 0;
 * 2. negative control: the same statistic rejects direct mode with the
 *    occasions of every segment raised by CONTROL_TRIPS (a plausible bug:
 *    occasions dropped or doubled for some agents);
 * 3. gap mode touches fewer agents than direct mode (the point of it), and
 *    is bitwise identical at 1 and 2 threads;
 * 4. the lists of a block's candidates (candidates.c) against their
 *    definition: order, counts, bits, and their totals against the
 *    binomial and Poisson expectations; the agents with impressions and
 *    their counts exactly those of the reference walk of gaps.h
 *    (gap_point, gap_points_until: ODD 4.9 word for word) (test_lists).
 * Usage: test_candidates [--verbose] [--replicates R] [--scenario FILE] [--scale S]
 *        (R <= 64; 12; a file of scenarios/, jiamusi_baseline.json; 1500)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipsim/ipsim.h"
#include "model/results.h"
#include "model/state.h"
#include "model/candidates.h"
#include "model/gaps.h"
#include "harness.h"

#define MAX_REPS 64
static int reps = 12;       /* pairs of runs (--replicates) */
static const char *scenario = "jiamusi_baseline.json"; /* --scenario */
static double model_scale = 1500.0;                     /* --scale: ~80,000 agents */
#define Z_MODEL 4.0         /* |mean paired difference| <= 4 standard errors:
                             * with 12 pairs, t with 11 df exceeds 4 with
                             * probability 0.002 */
#define CONTROL_TRIPS 1.15  /* occasions x 1.15 in the negative control:
                             * measured, it moves arrivals by about 10 paired
                             * standard errors */

typedef struct {
    double arrivals, aware;
    uint64_t touched;
} outcome;

/* The scenario's model for replicate rep (its occasions x trips_mult) and,
 * in *sc, its scenario (the caller destroys both); exits 2 on an error. */
static ipsim_model *create(int rep, int threads, double trips_mult, ipsim_scenario **scp)
{
    char err[1024], path[1024], set[256];
    snprintf(path, sizeof path, "%s/scenarios/%s", IPSIM_SOURCE_DIR, scenario);
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load(path, &sc, err, sizeof err) != IPSIM_OK) {
        fprintf(stderr, "load: %s\n", err);
        exit(2);
    }
    if (trips_mult != 1.0) {
        static const char *seg[IPSIM_N_SEGMENTS] = {"cec", "mainstream"};
        for (int g = 0; g < IPSIM_N_SEGMENTS; g++) {
            double base = ipsim_scenario_data(sc)->segments[g].trips_per_year;
            snprintf(set, sizeof set, "segments.%s.trips_per_year=%.17g", seg[g], base * trips_mult);
            if (ipsim_scenario_set(sc, set, err, sizeof err) != IPSIM_OK) {
                fprintf(stderr, "set: %s\n", err);
                exit(2);
            }
        }
    }
    ipsim_run_options opt;
    ipsim_run_options_init(&opt);
    opt.replicate = (uint32_t)rep;
    opt.scale = model_scale;
    opt.threads = threads;
    ipsim_model *m = NULL;
    if (ipsim_model_create(sc, &opt, &m, err, sizeof err) != IPSIM_OK) {
        fprintf(stderr, "create: %s\n", err);
        exit(2);
    }
    *scp = sc;
    return m;
}

static outcome run(int rep, int threads, int direct, double trips_mult, double **daily, size_t *n)
{
    ipsim_scenario *sc = NULL;
    ipsim_model *m = create(rep, threads, trips_mult, &sc);
    m->ev.cand_direct_all = direct;
    outcome o = {0, 0, 0};
    for (int d = 0; d < m->warmup + m->days; d++) {
        if (ipsim_model_step(m) != IPSIM_OK)
            exit(2);
        o.touched += m->ev.active;
    }
    const ipsim_results *r = ipsim_model_results(m);
    size_t cells = (size_t)r->n_markets * 2, days = (size_t)r->days;
    const double *arr = results_daily(r, MET_ARRIVALS), *aw = results_daily(r, MET_AWARE);
    for (size_t j = 0; j < days * cells; j++)
        o.arrivals += arr[j];
    for (size_t j = 0; j < cells; j++)
        o.aware += aw[(days - 1) * cells + j];
    if (daily) {
        *n = days * cells;
        *daily = malloc(*n * sizeof **daily);
        memcpy(*daily, arr, *n * sizeof **daily);
    }
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
    return o;
}

/* Mean and standard error of x[0..n-1]. */
static void mean_se(const double *x, int n, double *mean, double *se)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++)
        s2 += (x[i] - *mean) * (x[i] - *mean);
    *se = sqrt(s2 / (n - 1) / n);
}

static void test_modes(void)
{
    double d_arr[MAX_REPS], d_aw[MAX_REPS], c_arr[MAX_REPS], gap_arr = 0;
    uint64_t touched_gap = 0, touched_direct = 0;
    for (int rep = 0; rep < reps; rep++) {
        outcome g = run(rep, 1, 0, 1.0, NULL, NULL);
        outcome d = run(rep, 1, 1, 1.0, NULL, NULL);
        outcome c = run(rep, 1, 1, CONTROL_TRIPS, NULL, NULL);
        d_arr[rep] = g.arrivals - d.arrivals;
        d_aw[rep] = g.aware - d.aware;
        c_arr[rep] = g.arrivals - c.arrivals;
        gap_arr += g.arrivals / reps;
        touched_gap += g.touched;
        touched_direct += d.touched;
    }
    double m_arr, se_arr, m_aw, se_aw, m_c, se_c;
    mean_se(d_arr, reps, &m_arr, &se_arr);
    mean_se(d_aw, reps, &m_aw, &se_aw);
    mean_se(c_arr, reps, &m_c, &se_c);
    if (harness_state.verbose)
        printf("arrivals %.0f: gap - direct %.1f (se %.1f); aware: %.1f (se %.1f); control %.1f (se %.1f)\n",
               gap_arr, m_arr, se_arr, m_aw, se_aw, m_c, se_c);
    CHECK(se_arr > 0 && fabs(m_arr) <= Z_MODEL * se_arr,
          "arrivals: gap - direct = %.1f, within %g se (%.1f) of 0", m_arr, Z_MODEL, se_arr);
    CHECK(se_aw > 0 && fabs(m_aw) <= Z_MODEL * se_aw,
          "aware on the last day: gap - direct = %.1f, within %g se (%.1f) of 0", m_aw, Z_MODEL, se_aw);
    CHECK(fabs(m_c) > Z_MODEL * se_c,
          "negative control: occasions x %g are rejected (%.1f, %.1f se)", CONTROL_TRIPS, m_c, fabs(m_c) / se_c);
    CHECK(touched_gap * 4 < touched_direct, "gap mode touches %llu agent-days, direct mode %llu",
          (unsigned long long)touched_gap, (unsigned long long)touched_direct);
}

/* The agents with impressions of block c0..c1-1 of cell on day tau and
 * their counts, by the reference walk of gaps.h, into k and n; their number. */
static uint32_t reference_impressions(const ipsim_model *m, int cell, int tau, uint32_t c0, uint32_t c1,
                                      uint32_t *k, uint16_t *n)
{
    const cell_day *cd = &m->cells[cell];
    gap_stream se;
    gap_start(&se, &m->rng, (uint32_t)cell, c0 / CANDIDATE_BLOCK, (uint32_t)tau, RNG_SKIP, -cd->lambda);
    double span = (double)(c1 - c0);
    gap_expect(&se, cd->lambda * span);
    uint32_t count = 0;
    double x = gap_point(&se, 0);
    while (x < span) {
        uint32_t a = (uint32_t)x;
        n[count] = (uint16_t)gap_points_until(&se, &x, (double)(a + 1), MAX_IMPRESSIONS);
        k[count++] = c0 + a;
    }
    return count;
}

/* The lists of candidates.c against their definition, on the bits and
 * rates of a model after LIST_DAYS days, for LIST_KEYS days' keys: every
 * list is in increasing agent order within its block; an agent listed
 * with impressions has 1..MAX_IMPRESSIONS of them, one listed without has
 * its considering bit set; the same key gives the same list. Summed over
 * the cells in gap mode, the agents with impressions, the impressions and
 * the agents with an occasion but no impression are each within Z_LIST
 * standard deviations of their expectation: sum of N p_e (binomial), sum of
 * N lambda (Poisson), sum of (set bits) p_o e^-lambda (binomial; p_o read
 * as 1 where every set bit draws). */
#define LIST_DAYS 150
#define LIST_KEYS 40
#define Z_LIST 5.0
static void test_lists(void)
{
    ipsim_scenario *sc = NULL;
    ipsim_model *m = create(0, 1, 1.0, &sc);
    for (int d = 0; d < LIST_DAYS; d++)
        if (ipsim_model_step(m) != IPSIM_OK)
            exit(2);
    static cand q[CANDIDATE_BLOCK], q2[CANDIDATE_BLOCK];
    static uint32_t rk[CANDIDATE_BLOCK];
    static uint16_t rn[CANDIDATE_BLOCK];
    long bad_order = 0, bad_e = 0, bad_o = 0, bad_same = 0, bad_ref = 0;
    double got[3] = {0, 0, 0}, want[3] = {0, 0, 0}, var[3] = {0, 0, 0};
    for (int key = 0; key < LIST_KEYS; key++)
        for (int c = 0; c < m->n_cells; c++) {
            const cell_day *cd = &m->cells[c];
            if (cd->direct_expose)
                continue;
            double po = cd->direct_occasion ? 1.0 : cd->p_occasion;
            for (uint32_t c0 = 0; c0 < m->cell_n[c]; c0 += CANDIDATE_BLOCK) {
                uint32_t c1 = m->cell_n[c] - c0 > CANDIDATE_BLOCK ? c0 + CANDIDATE_BLOCK : m->cell_n[c];
                int tau = 1000 + key; /* a key no run uses */
                uint32_t n = ipsim__candidates_gap(m, c, tau, c0, c1, q);
                bad_same += ipsim__candidates_gap(m, c, tau, c0, c1, q2) != n ||
                            memcmp(q, q2, n * sizeof *q) != 0;
                uint32_t nr = reference_impressions(m, c, tau, c0, c1, rk, rn), r = 0;
                for (uint32_t j = 0; j < n; j++)
                    if (q[j].n > 0) {
                        bad_ref += r >= nr || q[j].k != rk[r] || q[j].n != rn[r];
                        r++;
                    }
                bad_ref += r != nr;
                for (uint32_t j = 0; j < n; j++) {
                    bad_order += q[j].k < c0 || q[j].k >= c1 || (j > 0 && q[j].k <= q[j - 1].k);
                    if (q[j].n > 0) {
                        bad_e += q[j].n < 1 || q[j].n > MAX_IMPRESSIONS;
                        got[0] += 1;
                        got[1] += q[j].n;
                    } else {
                        bad_o += q[j].n != 0 || !cons_bit(&m->ev, c, q[j].k);
                        got[2] += 1;
                    }
                }
                double agents = c1 - c0, bits = (cd->p_occasion > 0) ? *cons_count(&m->ev, c, c0) : 0;
                double pe = cd->p_expose, p0 = 1 - pe, lam = cd->lambda;
                want[0] += agents * pe;
                var[0] += agents * pe * p0;
                want[1] += agents * lam;
                var[1] += agents * lam;
                want[2] += bits * po * p0;
                var[2] += bits * po * p0 * (1 - po * p0);
            }
        }
    static const char *what[3] = {"agents with impressions", "impressions", "agents with only an occasion"};
    for (int i = 0; i < 3; i++) {
        if (harness_state.verbose)
            printf("lists: %s %.0f, expected %.1f (sd %.1f)\n", what[i], got[i], want[i], sqrt(var[i]));
        CHECK(want[i] > 100 && fabs(got[i] - want[i]) <= Z_LIST * sqrt(var[i]),
              "lists: %s %.0f, expected %.1f +- %g sd (%.1f)", what[i], got[i], want[i], Z_LIST, sqrt(var[i]));
    }
    CHECK(bad_order == 0, "lists: increasing agents within their block (%ld out of order)", bad_order);
    CHECK(bad_e == 0, "lists: an agent with impressions has 1..%d of them (%ld not)", MAX_IMPRESSIONS, bad_e);
    CHECK(bad_o == 0, "lists: an agent without impressions has its considering bit set (%ld not)", bad_o);
    CHECK(bad_same == 0, "lists: the same key gives the same list (%ld differ)", bad_same);
    CHECK(bad_ref == 0, "lists: the agents with impressions and their counts are the reference walk's (%ld differ)",
          bad_ref);
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
}

static void test_threads(void)
{
    double *a1 = NULL, *a2 = NULL;
    size_t n1 = 0, n2 = 0;
    run(3, 1, 0, 1.0, &a1, &n1);
    run(3, 2, 0, 1.0, &a2, &n2);
    CHECK(n1 == n2 && memcmp(a1, a2, n1 * sizeof *a1) == 0, "gap mode: bitwise identical arrivals at 1 and 2 threads");
    free(a1);
    free(a2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--verbose") == 0)
            harness_verbose(1);
        else if (strcmp(argv[i], "--replicates") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]) < 2 ? 2 : (atoi(argv[i]) > MAX_REPS ? MAX_REPS : atoi(argv[i]));
        else if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc)
            scenario = argv[++i];
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
            model_scale = atof(argv[++i]);
    test_lists();
    test_modes();
    test_threads();
    return harness_summary();
}
