/*
 * kernel.c - ODD phase 4 (Agents, 4a-4e) of the daily step, as one fused
 * pass over the agents.
 *
 * The ODD lists each agent's day as five sub-phases: 4a exposure (salience
 * decay and impressions, exposure.c), 4b decision (cool-down release and
 * booking, decision.c), 4c visit (arrival, visit.c), 4d after the visit
 * (departure, judgement, posting, loyalty: visit.c; community posting,
 * mechanism D: community.c) and 4e the end-of-day count. Each agent's result
 * depends only on its own state and on the per-cell inputs of phases 2-3, so
 * the sub-phases are fused here into ONE pass per block of CANDIDATE_BLOCK
 * agents, run in parallel (OpenMP): a block's agent arrays (13 bytes per
 * agent, ODD 2) pass through the cache once a day instead of once per
 * sub-phase, and each thread works through its own blocks without a barrier
 * between sub-phases. The order of sub-phases within an agent is the
 * ODD's; the order between agents does not matter (ODD 4.9).
 *
 * Only candidate agent-days (an impression or a trip occasion: a few per
 * cent) draw random numbers; they are found by geometric skips keyed by
 * (cell, block, day), and each candidate's draws are keyed by (cell, agent,
 * day, purpose). Every reduction is an integer sum, so results are bitwise
 * identical at any thread count.
 */
#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "model/state.h"

/* 4b's first step for one agent: a finished cooldown frees it. */
static inline void release_cooldown(ipsim_model *m, uint64_t i, int tau)
{
    if (m->ag.state[i] == ST_RETURNED && m->ag.day_mark[i] <= tau) {
        m->ag.state[i] = ST_AWARE;
        m->ag.day_mark[i] =
            (uint16_t)(m->ag.day_mark[i] - lround(m->sc->parameters.decision.cooldown_days));
    }
}

/* A candidate agent-day after its salience decayed: n impressions (4a)
 * and, with an occasion, the decision (4b). */
static void candidate_day(ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau, int n,
                          int occasion, const philox4x32_ctr_t *r)
{
    const cell_day *c = &m->cells[cell];
    if (n > 0)
        ipsim__exposure_agent(m, c, i, n);
    release_cooldown(m, i, tau);
    if (occasion && m->ag.state[i] == ST_AWARE &&
        m->ag.salience[i] >= m->sc->parameters.exposure.consider_salience)
        ipsim__decision_agent(m, c, cell, k, i, tau, rng_u01(r->v[2]), rng_u01(r->v[3]));
}

/* The rest of an agent's day: release (4b, if not done), arrival (4c),
 * departure and community posting (4d). */
static void scheduled_day(ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau, thread_acc *ta,
                          int64_t *acc)
{
    release_cooldown(m, i, tau);
    if (m->ag.state[i] == ST_BOOKED && m->ag.day_mark[i] == tau)
        ipsim__visit_arrive(m, cell, k, i, tau, acc);
    if (m->ag.state[i] == ST_ON_TRIP && m->ag.day_mark[i] == tau)
        ipsim__visit_depart(m, cell, k, i, tau, ta, acc);
    ipsim__community_post(m, cell, k, i, tau, ta, acc);
}

/* Candidate probabilities of each cell for today (after ipsim__exposure_prepare
 * and ipsim__decision_prepare). */
static void candidates_prepare(ipsim_model *m)
{
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

static uint64_t skip_gap(skipper *sk)
{
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
static void process_block(ipsim_model *m, int cell, uint32_t k0, uint32_t k1, int tau, thread_acc *ta)
{
    const cell_day *cd = &m->cells[cell];
    int64_t *acc = &ta->cell[(size_t)cell * ACC_COUNT];
    uint64_t base = m->cell_start[cell];
    float *sal = m->ag.salience + base;
    const uint8_t *state = m->ag.state + base;

    /* 4a, all agents: salience decays (a vectorisable pass) */
    const float decay = m->sal_decay;
#pragma omp simd
    for (uint32_t k = k0; k < k1; k++) {
        float s = sal[k] * decay;
        sal[k] = s < SALIENCE_FLOOR ? 0.0f : s;
    }

    /* 4b step 0, pending agents: yesterday's booking requests are confirmed
     * or turned away against capacity (capacity.c) */
    for (uint32_t k = k0; k < k1; k++)
        if (state[k] == ST_PENDING)
            ipsim__capacity_confirm(m, cell, k, base + k, tau, acc);

    /* 4a-4b, candidates: impressions, cooldown release, decision */
    skipper sk = {&m->rng, (uint32_t)cell,       k0 / CANDIDATE_BLOCK, (uint32_t)tau, 0,
                  4,       cd->log_no_candidate, {{0, 0, 0, 0}}};
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
            n = (u < e_only || u >= e_only + o_only)
                    ? ipsim__exposure_count_given_one(cd, rng_u01(r.v[1]))
                    : 0;
            next = next + 1 + skip_gap(&sk);
        }
        candidate_day(m, cell, k, base + k, tau, n, occasion, &r);
    }

    /* expected bookings of today, for crowding (crowding.c) */
    ipsim__crowding_sample(m, cell, k0, k1, tau);

    /* 4b-4d for agents with something scheduled */
    int community = m->dest_days[tau].community_post_rate > 0;
    const uint8_t *visits = m->ag.visits + base;
    for (uint32_t k = k0; k < k1; k++)
        if (state[k] >= ST_BOOKED || (community && visits[k]))
            scheduled_day(m, cell, k, base + k, tau, ta, acc);

    /* 4e, the end-of-day count (a vectorisable reduction) */
    const float consider = (float)m->sc->parameters.exposure.consider_salience;
    uint32_t n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, nc = 0;
#pragma omp simd reduction(+ : n0, n1, n2, n3, n4, nc)
    for (uint32_t k = k0; k < k1; k++) {
        uint8_t st = state[k];
        n0 += st == ST_UNAWARE;
        n1 += st == ST_AWARE;
        n2 += (st == ST_BOOKED) | (st == ST_PENDING);
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

static void zero_acc(ipsim_model *m, thread_acc *a)
{
    memset(a->cell, 0, (size_t)m->n_cells * ACC_COUNT * sizeof(int64_t));
    memset(a->market_posts, 0, (size_t)m->n_markets * 3 * sizeof(int64_t));
    memset(a->market_signal, 0, (size_t)m->n_markets * 3 * sizeof(int64_t));
    memset(a->market_returns, 0, (size_t)m->n_markets * sizeof(int64_t));
    memset(a->market_wom_signal, 0, (size_t)m->n_markets * sizeof(int64_t));
}

/* Sum threads 1..T-1 into thread 0 (integer sums: order does not matter). */
static void reduce_acc(ipsim_model *m)
{
    thread_acc *a0 = &m->acc[0];
    for (int t = 1; t < m->threads; t++) {
        thread_acc *a = &m->acc[t];
        for (int j = 0; j < m->n_cells * ACC_COUNT; j++)
            a0->cell[j] += a->cell[j];
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

void ipsim__kernel_agents(ipsim_model *m, int tau)
{
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
                if (k1 > m->cell_n[c])
                    k1 = m->cell_n[c];
                process_block(m, c, (uint32_t)k0, (uint32_t)k1, tau, ta);
            }
        }
    }
    reduce_acc(m);
}
