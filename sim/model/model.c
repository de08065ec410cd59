/*
 * model.c - one realisation of a scenario: creation, the daily step, access.
 *
 * ipsim_model_step runs the ODD's process overview for one day, in order:
 *   1 calendar       (tabulated at creation: calendar.c, interventions.c)
 *   2 exposure       ipsim__exposure_prepare, then per agent salience decay and
 *                    (candidates) ipsim__exposure_agent
 *   3 decision       ipsim__decision_prepare, then per candidate with an occasion
 *                    ipsim__decision_agent
 *   4 visit          per agent ipsim__visit_arrive
 *   5 after visit    per agent ipsim__visit_depart (judge, spend, post, loyalty)
 *   6 platform       ipsim__platform_update (posts, trending, reputation, crowding)
 * Agents are processed in parallel over fixed blocks of CANDIDATE_BLOCK
 * agents of a cell. Only candidate agent-days (an impression or a trip
 * occasion: a few per cent) draw random numbers; they are found by
 * geometric skips keyed by (cell, block, day), and each candidate's draws
 * are keyed by (cell, agent, day, purpose). Every reduction is an integer
 * sum, so results are bitwise identical at any thread count.
 */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "model/state.h"

void ipsim_run_options_init(ipsim_run_options *opt) {
    memset(opt, 0, sizeof *opt);
}

static void logf_(const ipsim_model *m, ipsim_log_level lvl, const char *msg) {
    if (m->opt.log) m->opt.log(m->opt.log_userdata, lvl, msg);
}

/* Longest lead time plus longest trip: how far beyond the last recorded day
 * the tables must reach. */
static int horizon_days(const sc_data *sc) {
    const sc_decision *d = &sc->parameters.decision;
    double far = 0;
    for (int i = 0; i < sc->n_markets; i++) far = fmax(far, sc->markets[i].distance_km);
    double lead = d->lead_days_base + d->lead_days_per_1000km * far / 1000.0;
    return (int)ceil(lead) + MAX_TRIP_NIGHTS + 2;
}

static double effective_scale(const ipsim_scenario *sc, const ipsim_run_options *opt) {
    return opt && opt->scale > 0 ? opt->scale : ipsim_scenario_data(sc)->simulation.scale;
}

double ipsim_model_memory_estimate(const ipsim_scenario *sc, const ipsim_run_options *opt) {
    const sc_data *d = ipsim_scenario_data(sc);
    double scale = effective_scale(sc, opt), agents = 0;
    for (int i = 0; i < d->n_markets; i++)
        agents += d->markets[i].population * d->markets[i].adult_share / scale;
    int days = opt && opt->days > 0 ? opt->days : d->simulation.days;
    double ext = days + d->simulation.warmup_days + horizon_days(d);
    double tables = ext * (d->destination.n_assets * (sizeof(asset_day) + 8.0) + sizeof(dest_day) +
                           4.0 * d->n_markets * 8.0) +
                    (double)MET_COUNT * days * d->n_markets * 2 * 8.0;
    return agents * ipsim__population_bytes_per_agent() + tables;
}

static int alloc_tables(ipsim_model *m) {
    size_t ext = (size_t)m->n_days_ext;
    m->asset_days = calloc(ext * (size_t)m->n_assets, sizeof(asset_day));
    m->dest_days = calloc(ext, sizeof(dest_day));
    m->paid_cell = calloc(ext * (size_t)m->n_cells, sizeof(double));
    m->paid_bought = calloc(ext * (size_t)m->n_cells, sizeof(double));
    m->cells = calloc((size_t)m->n_cells, sizeof(cell_day));
    m->occupancy = calloc(ext * (size_t)m->n_assets, sizeof(int64_t));
    m->pf.post_stock = calloc((size_t)m->n_markets, sizeof(double));
    m->pf.post_signal = calloc((size_t)m->n_markets, sizeof(double));
    m->pf.wom_stock = calloc((size_t)m->n_markets, sizeof(double));
    m->pf.wom_signal = calloc((size_t)m->n_markets, sizeof(double));
    m->res.days = m->days;
    m->res.n_markets = m->n_markets;
    m->res.n_assets = m->n_assets;
    m->res.daily = calloc((size_t)MET_COUNT * m->days * m->n_cells, sizeof(double));
    m->res.asset_daily = calloc((size_t)AMET_COUNT * m->days * m->n_assets, sizeof(double));
    m->res.dest_daily = calloc((size_t)DMET_COUNT * m->days, sizeof(double));
    m->acc = calloc((size_t)m->threads, sizeof(thread_acc));
    if (!m->asset_days || !m->dest_days || !m->paid_cell || !m->paid_bought || !m->cells ||
        !m->occupancy || !m->pf.post_stock || !m->pf.post_signal || !m->pf.wom_stock ||
        !m->pf.wom_signal || !m->res.daily || !m->res.asset_daily || !m->res.dest_daily || !m->acc)
        return -1;
    for (int t = 0; t < m->threads; t++) {
        thread_acc *a = &m->acc[t];
        a->cell = calloc((size_t)m->n_cells * ACC_COUNT, sizeof(int64_t));
        a->market_posts = calloc((size_t)m->n_markets * 3, sizeof(int64_t));
        a->market_signal = calloc((size_t)m->n_markets * 3, sizeof(int64_t));
        a->market_returns = calloc((size_t)m->n_markets, sizeof(int64_t));
        a->market_wom_signal = calloc((size_t)m->n_markets, sizeof(int64_t));
        if (!a->cell || !a->market_posts || !a->market_signal || !a->market_returns ||
            !a->market_wom_signal)
            return -1;
    }
    return 0;
}

static void free_tables(ipsim_model *m) {
    free(m->asset_days);
    free(m->dest_days);
    free(m->paid_cell);
    free(m->paid_bought);
    free(m->cells);
    free(m->occupancy);
    ipsim__platform_free(m);
    free(m->res.daily);
    free(m->res.asset_daily);
    free(m->res.dest_daily);
    if (m->acc)
        for (int t = 0; t < m->threads; t++) {
            free(m->acc[t].cell);
            free(m->acc[t].market_posts);
            free(m->acc[t].market_signal);
            free(m->acc[t].market_returns);
            free(m->acc[t].market_wom_signal);
        }
    free(m->acc);
}

static int resolve_threads(const ipsim_run_options *opt, const sc_data *sc) {
    int t = opt->threads > 0 ? opt->threads : sc->simulation.threads;
#ifdef _OPENMP
    if (t <= 0) t = omp_get_max_threads();
#else
    t = 1;
#endif
    return t < 1 ? 1 : t;
}

ipsim_status ipsim_model_create(const ipsim_scenario *sc, const ipsim_run_options *opt_in,
                                ipsim_model **out, char *err, size_t errlen) {
    ipsim_run_options defaults;
    ipsim_run_options_init(&defaults);
    const ipsim_run_options *opt = opt_in ? opt_in : &defaults;
    *out = NULL;
    if (err && errlen) err[0] = 0;
    const sc_data *d = ipsim_scenario_data(sc);
    int days = opt->days > 0 ? opt->days : d->simulation.days;
    if (days > IPSIM_MAX_DAYS) {
        if (err) snprintf(err, errlen, "--days %d exceeds the limit of %d days", days, IPSIM_MAX_DAYS);
        return IPSIM_ERR_LIMIT;
    }
    double scale = effective_scale(sc, opt);
    if (!(scale >= 1)) {
        if (err) snprintf(err, errlen, "scale must be >= 1 person per agent, got %g", scale);
        return IPSIM_ERR_USAGE;
    }
    double need = ipsim_model_memory_estimate(sc, opt);
    if (opt->max_memory_bytes > 0 && need > opt->max_memory_bytes) {
        if (err) snprintf(err, errlen, "the run needs about %.0f MiB, over the limit of %.0f MiB; "
                          "raise --max-memory or use a larger --scale", need / 1048576.0,
                          opt->max_memory_bytes / 1048576.0);
        return IPSIM_ERR_NOMEM;
    }
    ipsim_model *m = calloc(1, sizeof *m);
    if (!m) return IPSIM_ERR_NOMEM;
    m->scenario = ipsim_scenario_clone(sc);
    if (!m->scenario) { free(m); return IPSIM_ERR_NOMEM; }
    m->sc = ipsim_scenario_data(m->scenario);
    m->opt = *opt;
    m->seed = opt->seed_set ? opt->seed : m->sc->simulation.seed;
    rng_init(&m->rng, m->seed, opt->replicate);
    m->scale = scale;
    m->days = days;
    m->warmup = m->sc->simulation.warmup_days;
    m->n_days_ext = m->warmup + days + horizon_days(m->sc);
    m->n_markets = m->sc->n_markets;
    m->n_cells = m->n_markets * IPSIM_N_SEGMENTS;
    m->n_assets = m->sc->destination.n_assets;
    m->threads = resolve_threads(opt, m->sc);
    m->sal_decay = (float)pow(0.5, 1.0 / m->sc->parameters.exposure.adstock_half_life_days);
    m->post_decay = pow(0.5, 1.0 / m->sc->platform.post_half_life_days);

    int rc = ipsim__population_create(m);
    if (rc == -2) {
        if (err) snprintf(err, errlen, "a market segment would need more than 2^32 agents; use a larger --scale");
        ipsim_model_destroy(m);
        return IPSIM_ERR_LIMIT;
    }
    if (rc != 0 || alloc_tables(m) != 0 ||
        ipsim__calendar_build(&m->cal, m->sc, m->warmup, days, m->n_days_ext, &m->sc->parameters.decision) != 0) {
        ipsim_model_destroy(m);
        if (err) snprintf(err, errlen, "out of memory creating the model (about %.0f MiB needed)", need / 1048576.0);
        return IPSIM_ERR_NOMEM;
    }
    ipsim__interventions_tabulate(m);
    ipsim__platform_init(m);
    char msg[160];
    snprintf(msg, sizeof msg, "%llu agents at scale %g, %d days (+%d warm-up), %d threads",
             (unsigned long long)m->n_agents, m->scale, days, m->warmup, m->threads);
    logf_(m, IPSIM_LOG_INFO, msg);
    *out = m;
    return IPSIM_OK;
}

/* Mechanism D: a past visitor in the community posts with probability
 * community_post_rate x loyalty per day; the post's sentiment follows its
 * attitude; posting keeps the destination salient (one impression). */
static void community_post(ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                           thread_acc *ta, int64_t *acc) {
    const dest_day *dd = &m->dest_days[tau];
    if (dd->community_post_rate <= 0 || m->ag.visits[i] == 0) return;
    int st = m->ag.state[i];
    if (st != ST_AWARE && st != ST_RETURNED) return;
    double L = m->ag.loyalty[i] / LOYALTY_Q;
    philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_COMMUNITY, 0);
    if (rng_u01(r.v[0]) >= dd->community_post_rate * L) return;
    const sc_visit *v = &m->sc->parameters.visit;
    double att = m->ag.attitude[i] / ATTITUDE_Q;
    int kind = att >= v->satisfaction_positive ? 0 : (att < v->satisfaction_negative ? 1 : 2);
    int mk = cell_market(cell);
    acc[ACC_POS + kind]++;
    ta->market_posts[mk * 3 + kind]++;
    ta->market_signal[mk * 3 + kind] += llround(att * SAT_FIXED);
    float s = m->ag.salience[i];
    m->ag.salience[i] = s + (float)(1.0 / (1.0 + s / m->sc->parameters.exposure.wearout_salience));
}

/* Phase 3's first step for one agent: a finished cooldown frees it. */
static inline void release_cooldown(ipsim_model *m, uint64_t i, int tau) {
    if (m->ag.state[i] == ST_RETURNED && m->ag.day_mark[i] <= tau) {
        m->ag.state[i] = ST_AWARE;
        m->ag.day_mark[i] = (uint16_t)(m->ag.day_mark[i] - lround(m->sc->parameters.decision.cooldown_days));
    }
}

/* A candidate agent-day after its salience decayed: n impressions (phase 2)
 * and, with an occasion, the decision (phase 3). */
static void candidate_day(ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau, int n, int occasion,
                          const philox4x32_ctr_t *r) {
    const cell_day *c = &m->cells[cell];
    if (n > 0) ipsim__exposure_agent(m, c, i, n);
    release_cooldown(m, i, tau);
    if (occasion && m->ag.state[i] == ST_AWARE &&
        m->ag.salience[i] >= m->sc->parameters.exposure.consider_salience)
        ipsim__decision_agent(m, c, cell, k, i, tau, rng_u01(r->v[2]), rng_u01(r->v[3]));
}

/* The rest of an agent's day: release (if not done), arrival (phase 4),
 * departure and community posting (phase 5). */
static void scheduled_day(ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau, thread_acc *ta,
                          int64_t *acc) {
    release_cooldown(m, i, tau);
    if (m->ag.state[i] == ST_BOOKED && m->ag.day_mark[i] == tau) ipsim__visit_arrive(m, cell, k, i, tau, acc);
    if (m->ag.state[i] == ST_ON_TRIP && m->ag.day_mark[i] == tau) ipsim__visit_depart(m, cell, k, i, tau, ta, acc);
    community_post(m, cell, k, i, tau, ta, acc);
}

/* Candidate probabilities of each cell for today (after ipsim__exposure_prepare
 * and ipsim__decision_prepare). */
static void candidates_prepare(ipsim_model *m) {
    for (int c = 0; c < m->n_cells; c++) {
        cell_day *cd = &m->cells[c];
        cd->p_candidate = 1 - (1 - cd->p_expose) * (1 - cd->p_occasion);
        cd->direct = cd->p_candidate >= DIRECT_THRESHOLD;
        cd->log_no_candidate = log1p(-fmin(cd->p_candidate, 0.5));
    }
}

/* Geometric gaps between candidates of one block on one day, from the SKIP
 * stream keyed by (cell, block, day): four gaps per Philox block. */
typedef struct {
    const ipsim_rng *rng;
    uint32_t cell, block, day, j, used;
    double log_q;
    philox4x32_ctr_t buf;
} skipper;

static uint64_t skip_gap(skipper *sk) {
    if (sk->used == 4) {
        sk->buf = rng_block(sk->rng, sk->cell, sk->block | ((sk->j >> 8) << 20), sk->day, RNG_SKIP,
                            sk->j & 0xffu);
        sk->j++;
        sk->used = 0;
    }
    double g = floor(log(rng_u01(sk->buf.v[sk->used++])) / sk->log_q);
    return g < 1e12 ? (uint64_t)g : (uint64_t)1e12;
}

/* Agents k0..k1-1 of a cell, one block of candidate sampling. Each agent-day
 * has independent events "at least one impression" (prob p_e) and "trip
 * occasion" (prob p_o). In direct mode every agent draws both from its DAILY
 * words v0 (impressions, Poisson inversion) and v1 (occasion). Otherwise the
 * candidates (at least one event, prob p_c = 1-(1-p_e)(1-p_o)) are found by
 * geometric skips and each draws which events it has from v0 (E only with
 * prob p_e(1-p_o)/p_c, O only (1-p_e)p_o/p_c, else both) and its impressions
 * given at least one from v1. Both give the same joint distribution. */
static void process_block(ipsim_model *m, int cell, uint32_t k0, uint32_t k1, int tau, thread_acc *ta) {
    const cell_day *cd = &m->cells[cell];
    int64_t *acc = &ta->cell[(size_t)cell * ACC_COUNT];
    uint64_t base = m->cell_start[cell];
    float *sal = m->ag.salience + base;
    const uint8_t *state = m->ag.state + base;

    /* phase 2, all agents: salience decays (a vectorisable pass) */
    const float decay = m->sal_decay;
    #pragma omp simd
    for (uint32_t k = k0; k < k1; k++) {
        float s = sal[k] * decay;
        sal[k] = s < SALIENCE_FLOOR ? 0.0f : s;
    }

    /* phases 2-3, candidates: impressions, cooldown release, decision */
    skipper sk = {&m->rng, (uint32_t)cell, k0 / CANDIDATE_BLOCK, (uint32_t)tau, 0, 4,
                  cd->log_no_candidate, {{0, 0, 0, 0}}};
    uint64_t next = cd->direct ? k0 : (cd->p_candidate > 0 ? k0 + skip_gap(&sk) : k1);
    double pe = cd->p_expose, po = cd->p_occasion;
    double e_only = pe * (1 - po), o_only = (1 - pe) * po;
    while (next < k1) {
        uint32_t k = (uint32_t)next;
        philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_DAILY, 0);
        int n, occasion;
        if (cd->direct) {
            n = ipsim__exposure_count(cd, rng_u01(r.v[0]));
            occasion = rng_u01(r.v[1]) < po;
            next = next + 1;
        } else {
            double u = rng_u01(r.v[0]) * cd->p_candidate;
            occasion = u >= e_only;
            n = (u < e_only || u >= e_only + o_only) ? ipsim__exposure_count_given_one(cd, rng_u01(r.v[1])) : 0;
            next = next + 1 + skip_gap(&sk);
        }
        candidate_day(m, cell, k, base + k, tau, n, occasion, &r);
    }

    /* phases 3-5 for agents with something scheduled */
    int community = m->dest_days[tau].community_post_rate > 0;
    const uint8_t *visits = m->ag.visits + base;
    for (uint32_t k = k0; k < k1; k++)
        if (state[k] >= ST_BOOKED || (community && visits[k])) scheduled_day(m, cell, k, base + k, tau, ta, acc);

    /* the end-of-day count (a vectorisable reduction) */
    const float consider = (float)m->sc->parameters.exposure.consider_salience;
    uint32_t n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, nc = 0;
    #pragma omp simd reduction(+ : n0, n1, n2, n3, n4, nc)
    for (uint32_t k = k0; k < k1; k++) {
        uint8_t st = state[k];
        n0 += st == ST_UNAWARE;
        n1 += st == ST_AWARE;
        n2 += st == ST_BOOKED;
        n3 += st == ST_ON_TRIP;
        n4 += st == ST_RETURNED;
        nc += (st == ST_AWARE) & (sal[k] >= consider);
    }
    acc[ACC_UNAWARE] += n0;
    acc[ACC_AWARE] += n1;
    acc[ACC_BOOKED] += n2;
    acc[ACC_ON_TRIP] += n3;
    acc[ACC_RETURNED] += n4;
    acc[ACC_CONSIDERING] += nc;
}

static void zero_acc(ipsim_model *m, thread_acc *a) {
    memset(a->cell, 0, (size_t)m->n_cells * ACC_COUNT * sizeof(int64_t));
    memset(a->market_posts, 0, (size_t)m->n_markets * 3 * sizeof(int64_t));
    memset(a->market_signal, 0, (size_t)m->n_markets * 3 * sizeof(int64_t));
    memset(a->market_returns, 0, (size_t)m->n_markets * sizeof(int64_t));
    memset(a->market_wom_signal, 0, (size_t)m->n_markets * sizeof(int64_t));
}

/* Sum threads 1..T-1 into thread 0 (integer sums: order does not matter). */
static void reduce_acc(ipsim_model *m) {
    thread_acc *a0 = &m->acc[0];
    for (int t = 1; t < m->threads; t++) {
        thread_acc *a = &m->acc[t];
        for (int j = 0; j < m->n_cells * ACC_COUNT; j++) a0->cell[j] += a->cell[j];
        for (int j = 0; j < m->n_markets * 3; j++) {
            a0->market_posts[j] += a->market_posts[j];
            a0->market_signal[j] += a->market_signal[j];
        }
        for (int j = 0; j < m->n_markets; j++) {
            a0->market_returns[j] += a->market_returns[j];
            a0->market_wom_signal[j] += a->market_wom_signal[j];
        }
    }
}

static void record_day(ipsim_model *m, int tau) {
    int day = tau - m->warmup;
    if (day < 0 || day >= m->days) return;
    const int64_t *cacc = m->acc[0].cell;
    for (int c = 0; c < m->n_cells; c++) {
        const int64_t *a = &cacc[(size_t)c * ACC_COUNT];
        double s = m->scale;
        size_t idx = (size_t)day * m->n_cells + c;
        double v[MET_COUNT];
        v[MET_AWARE] = s * (double)(m->cell_n[c] - a[ACC_UNAWARE]);
        v[MET_CONSIDERING] = s * (double)a[ACC_CONSIDERING];
        v[MET_BOOKED] = s * (double)a[ACC_BOOKED];
        v[MET_ARRIVALS] = s * (double)a[ACC_ARRIVALS];
        v[MET_REPEAT_ARRIVALS] = s * (double)a[ACC_REPEAT];
        v[MET_VISITORS_ON_SITE] = s * (double)a[ACC_ON_TRIP];
        v[MET_VISITOR_NIGHTS] = s * (double)a[ACC_ON_TRIP];
        v[MET_DEPARTURES] = s * (double)a[ACC_DEPARTURES];
        v[MET_SPENDING_CNY] = s * (double)a[ACC_SPEND];
        v[MET_POSTS_POSITIVE] = s * (double)a[ACC_POS];
        v[MET_POSTS_NEGATIVE] = s * (double)a[ACC_NEG];
        v[MET_POSTS_NEUTRAL] = s * (double)a[ACC_NEU];
        v[MET_SATISFACTION_MEAN] = a[ACC_DEPARTURES] > 0
            ? (double)a[ACC_SAT_SUM] / SAT_FIXED / (double)a[ACC_DEPARTURES] : NAN;
        v[MET_PAID_IMPRESSIONS] = m->cells[c].paid_impressions;
        v[MET_UGC_IMPRESSIONS] = m->cells[c].ugc_lambda * m->cell_people[c];
        for (int k = 0; k < MET_COUNT; k++) results_daily(&m->res, k)[idx] = v[k];
    }
    for (int a = 0; a < m->n_assets; a++) {
        double people = (double)m->occupancy[(size_t)tau * m->n_assets + a] * m->scale;
        results_asset(&m->res, AMET_VISITORS)[(size_t)day * m->n_assets + a] = people;
        results_asset(&m->res, AMET_CROWDING)[(size_t)day * m->n_assets + a] =
            people / m->sc->destination.assets[a].capacity_per_day;
    }
    results_dest(&m->res, DMET_REPUTATION)[day] = m->pf.reputation;
    results_dest(&m->res, DMET_AMPLIFICATION)[day] = m->pf.amplification;
    results_dest(&m->res, DMET_POST_STOCK)[day] = ipsim__platform_post_stock(m);
    results_dest(&m->res, DMET_UGC_SIGNAL)[day] = ipsim__platform_ugc_signal(m);
}

ipsim_status ipsim_model_step(ipsim_model *m) {
    if (!m || m->tau >= m->warmup + m->days) return IPSIM_ERR_USAGE;
    int tau = m->tau;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* 1 calendar: tabulated; 2-3 per-cell inputs from yesterday's platform */
    ipsim__exposure_prepare(m, tau);
    ipsim__decision_prepare(m, tau);
    candidates_prepare(m);
    #pragma omp parallel num_threads(m->threads)
    {
#ifdef _OPENMP
        int tid = omp_get_thread_num();
#else
        int tid = 0;
#endif
        thread_acc *ta = &m->acc[tid];
        zero_acc(m, ta);
        for (int c = 0; c < m->n_cells; c++) {
            int64_t nb = ((int64_t)m->cell_n[c] + CANDIDATE_BLOCK - 1) / CANDIDATE_BLOCK;
            #pragma omp for schedule(static) nowait
            for (int64_t b = 0; b < nb; b++) {
                uint64_t k0 = (uint64_t)b * CANDIDATE_BLOCK, k1 = k0 + CANDIDATE_BLOCK;
                if (k1 > m->cell_n[c]) k1 = m->cell_n[c];
                process_block(m, c, (uint32_t)k0, (uint32_t)k1, tau, ta);
            }
        }
    }
    reduce_acc(m);
    /* 6 platform and destination update, then record */
    const thread_acc *a0 = &m->acc[0];
    ipsim__platform_update(m, tau, a0->market_posts, a0->market_signal, a0->market_returns,
                    a0->market_wom_signal);
    record_day(m, tau);
    m->tau++;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    m->wall_seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return IPSIM_OK;
}

ipsim_status ipsim_model_run(ipsim_model *m, ipsim_progress_fn progress, void *userdata) {
    if (!m) return IPSIM_ERR_USAGE;
    while (m->tau < m->warmup + m->days) {
        ipsim_status st = ipsim_model_step(m);
        if (st != IPSIM_OK) return st;
        if (progress && progress(userdata, ipsim_model_days_done(m), m->days)) return IPSIM_ERR_INTERRUPTED;
    }
    return IPSIM_OK;
}

int ipsim_model_days_done(const ipsim_model *m) {
    int d = m->tau - m->warmup;
    return d < 0 ? 0 : d;
}
int ipsim_model_days_total(const ipsim_model *m) { return m->days; }
uint64_t ipsim_model_agent_count(const ipsim_model *m) { return m->n_agents; }
double ipsim_model_scale(const ipsim_model *m) { return m->scale; }
uint64_t ipsim_model_seed(const ipsim_model *m) { return m->seed; }
double ipsim_model_bytes_per_agent(const ipsim_model *m) { (void)m; return ipsim__population_bytes_per_agent(); }
const ipsim_results *ipsim_model_results(const ipsim_model *m) { return &m->res; }
const ipsim_scenario *ipsim_model_scenario(const ipsim_model *m) { return m->scenario; }
const uint32_t *ipsim_model_cell_agents(const ipsim_model *m) { return m->cell_n; }
uint32_t ipsim_model_replicate(const ipsim_model *m) { return m->opt.replicate; }
double ipsim_model_wall_seconds(const ipsim_model *m) { return m->wall_seconds; }
double ipsim_model_agent_days(const ipsim_model *m) { return (double)m->n_agents * m->tau; }

ipsim_status ipsim_model_daily(const ipsim_model *m, const char *metric, const double **data,
                               int *n_markets) {
    for (int k = 0; k < MET_COUNT; k++)
        if (strcmp(ipsim_metric_table[k].name, metric) == 0) {
            *data = results_daily(&m->res, k);
            *n_markets = m->n_markets;
            return IPSIM_OK;
        }
    return IPSIM_ERR_USAGE;
}

void ipsim_model_destroy(ipsim_model *m) {
    if (!m) return;
    ipsim__population_free(m);
    ipsim__calendar_free(&m->cal);
    free_tables(m);
    ipsim_scenario_destroy(m->scenario);
    free(m);
}
