/*
 * kernel.c - ODD phase 4 (Agents, 4a-4e) of the daily step, event-driven:
 * only the agents who act today are visited.
 *
 * The ODD lists each agent's day as five sub-phases: 4a exposure (salience
 * decay and impressions, exposure.c), 4b decision (confirmation, cool-down
 * release and booking, capacity.c, decision.c), 4c visit (arrival,
 * visit.c), 4d after the visit (departure, judgement, posting, loyalty:
 * visit.c; community posting, mechanism D: community.c) and 4e the
 * end-of-day count. An agent acts today if it is a candidate (an
 * impression, or a trip occasion while it is considering: a few per cent
 * of agent-days, found by exponential spacings (impressions) and geometric
 * skips (occasions, over a bitmap of the considering agents) keyed by
 * (cell, block, day)) or if the event calendar
 * (agenda.c) lists it today; every other agent's day would change only its
 * salience (decayed lazily when next touched) and nothing counted. Each
 * block of the calendar is processed by one thread in the ODD's order of
 * sub-phases (early events, candidates, expected bookings, late events,
 * community posting); threads take blocks of all cells dynamically in one
 * parallel loop a day. Each touch keeps the per-cell counts of 4e and puts
 * the agent's next dated event on its block's calendar. Each candidate's
 * draws are keyed by (cell, agent, day, purpose) and every reduction is an
 * integer sum, so results are bitwise identical at any thread count and to
 * a daily pass over every agent (ODD 3).
 */
#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdlib.h>
#include "model/state.h"
#include "model/exposure.h"
#include "model/philox_batch.h"
#include "model/gaps.h"

/* Touched agents are far apart in memory: their state is prefetched
 * a batch of CANDIDATE_BATCH candidates, or LIST_PREFETCH list entries,
 * ahead (the first LATE_EARLY_PREFETCH of the LATE list before the
 * candidates). The
 * candidates' DAILY blocks are computed a batch at a time (philox_batch.c). */
#define CANDIDATE_BATCH PHILOX_LANES
#define LIST_PREFETCH 16
#define LATE_EARLY_PREFETCH 64
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((p), 1, 3)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PREFETCH(p) ((void)(p))
#define ALWAYS_INLINE inline
#endif

/* 4b's first step for one agent: a finished cooldown frees it. */
static inline void release_cooldown(ipsim_model *m, uint64_t i, int tau)
{
    if (m->ag.a[i].state == ST_RETURNED && m->ag.a[i].day_mark <= tau) {
        m->ag.a[i].state = ST_AWARE;
        m->ag.a[i].day_mark =
            (uint16_t)(m->ag.a[i].day_mark - lround(m->sc->parameters.decision.cooldown_days));
    }
}

/* Candidate sampling of each cell for today (after ipsim__exposure_prepare
 * and ipsim__decision_prepare): direct or gap mode for each event. */
static void candidates_prepare(ipsim_model *m)
{
    for (int c = 0; c < m->n_cells; c++) {
        cell_day *cd = &m->cells[c];
        cd->direct_expose = cd->p_expose >= DIRECT_THRESHOLD || m->ev.cand_direct_all;
        cd->direct_occasion = cd->p_occasion >= DIRECT_THRESHOLD || m->ev.cand_direct_all;
        cd->log_no_occasion = log1p(-fmin(cd->p_occasion, DIRECT_THRESHOLD));
    }
}

/* An agent touched today: its state and salience when the touch began
 * (after today's decay). */
typedef struct {
    uint8_t st;
    float s;
} touch;

static inline touch touch_begin(ipsim_model *m, uint64_t i, int tau, thread_acc *ta)
{
    salience_sync(m, i, tau);
    ta->active++;
    touch t = {m->ag.a[i].state, m->ag.a[i].salience};
    return t;
}

/* After a touch of agent k (= i - cell start) of block b: the counts and
 * considering flag follow its transitions (dl: the cell's count changes),
 * and the day its new state ends, or its salience falls below
 * consider_salience, goes on the calendar. */
static void touch_changed(ipsim_model *m, int b, uint32_t k, uint64_t i, int tau, touch t, int64_t *dl)
{
    uint8_t st = m->ag.a[i].state;
    if (st != t.st) {
        dl[t.st]--;
        dl[st]++;
        if (st == ST_PENDING)
            ipsim__agenda_push(m, 0, tau + 1, b, k); /* confirmed or refused tomorrow */
        else if (st == ST_BOOKED || st == ST_ON_TRIP)
            ipsim__agenda_push(m, 1, m->ag.a[i].day_mark, b, k); /* arrival, departure */
        else if (st == ST_RETURNED)
            ipsim__agenda_push(m, 0, m->ag.a[i].day_mark, b, k); /* end of cool-down */
    }
    const float consider = (float)m->sc->parameters.exposure.consider_salience;
    float s = m->ag.a[i].salience;
    int cons = st == ST_AWARE && s >= consider;
    int was = m->ag.a[i].flags & AGF_CONSIDERING;
    if (cons != was) {
        dl[CNT_CONSIDERING] += cons - was;
        m->ag.a[i].flags = (uint8_t)((m->ag.a[i].flags & ~AGF_CONSIDERING) | (cons ? AGF_CONSIDERING : 0));
    }
    /* the agent's bit: considering or PENDING (state.h, cons_bit) */
    int bit = cons || st == ST_PENDING, had = was || t.st == ST_PENDING;
    if (bit != had)
        cons_bit_set(&m->ev, m->ev.blk_cell[b], k, bit);
    /* an agent that may book or has booked goes on the crowd list of a
     * small cell (crowding.c) */
    if (m->ev.blk_crowd[b] && (cons || st == ST_PENDING || st == ST_RETURNED))
        ipsim__agenda_crowd(m, b, k, i);
    /* an agent still considering with the salience it had keeps the day
     * already on the calendar; stale days are harmless (checked then) */
    if (cons && (!was || s != t.s)) {
        int d = ipsim__salience_below(m, s, tau, consider);
        if (d < m->ev.n_days)
            ipsim__agenda_push(m, 1, d, b, k);
    }
}

/* The end of a touch (touch_changed above): most touches are impressions
 * to an agent who neither was nor is considering a trip and keeps its
 * state (not PENDING or RETURNED, which have lists and bits of their own);
 * for those nothing above changes, so they return at once. */
static inline void touch_end(ipsim_model *m, int b, uint32_t k, uint64_t i, int tau, touch t, int64_t *dl)
{
    const ipsim_agent *a = &m->ag.a[i];
    if (a->state == t.st && t.st != ST_PENDING && t.st != ST_RETURNED &&
        !(a->flags & AGF_CONSIDERING) &&
        !(t.st == ST_AWARE && a->salience >= (float)m->sc->parameters.exposure.consider_salience))
        return;
    touch_changed(m, b, k, i, tau, t, dl);
}

/* The candidates of one calendar block (agents k0..k1-1 of a cell), in
 * increasing k (ODD 4.9). Candidate sampling is done in blocks of
 * CANDIDATE_BLOCK agents. Each agent-day has two independent events: "at
 * least one impression" E (prob p_e) and "trip occasion" O (prob p_o), which
 * matters only to an agent considering a trip.
 * - E: in each candidate block, the impressions are the points of a
 *   Poisson process of rate lambda per agent along the block's agents
 *   (gaps.h; exponential spacings from SKIP words keyed by (cell, candidate
 *   block, day)): an agent's count is that of the points in its unit
 *   interval, and the agents with none are skipped; with p_e >=
 *   DIRECT_THRESHOLD every agent draws its impressions n by Poisson
 *   inversion at DAILY v0 (n may be 0).
 * - O of an agent with E: DAILY v1 < p_o.
 * - O of an agent without E: only agents considering at the start of the
 *   candidates can use it, and each has its bit set in the considering
 *   bitmap (set by the touches before; a set bit may be stale, and is
 *   checked on the agent). Bits ahead of the walk are not changed by the
 *   touches behind it, so the agents with O are found by geometric gaps
 *   over the set bits of the block (OCCASION_SKIP words), or, with p_o >=
 *   DIRECT_THRESHOLD, every set bit draws O as DAILY v1 < p_o. An agent
 *   landed on that has E takes its O from v1 as above.
 * A candidate (E, or O landed on a set bit) that is considering after its
 * impressions draws its DAILY block (in direct mode every candidate draws
 * it, a batch at a time, for v0): O from v1 as above, its trip choice from
 * v2, v3. */
typedef struct {
    const uint64_t *w; /* the candidate block's words */
    uint32_t wi, nw;   /* the word being walked, the block's words */
    uint32_t left;     /* set bits of the block not yet passed */
    uint64_t mask;     /* the word's set bits not yet passed */
} bit_walk;

/* Set bits of x (portable: no popcnt instruction is assumed). */
static inline uint64_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (x * 0x0101010101010101u) >> 56;
}

/* The agent (offset from the block's first agent) at the (g+1)-th set bit
 * from the walk's position, or `none` if the block has fewer; the walk
 * then stands after it. */
static inline uint32_t bits_skip(bit_walk *bw, uint64_t g, uint32_t none)
{
    if (g >= bw->left) {
        bw->left = 0;
        return none;
    }
    bw->left -= (uint32_t)g + 1;
    for (;;) {
        uint64_t c = bw->mask ? popcount64(bw->mask) : 0;
        if (g < c) {
            uint64_t mk = bw->mask;
            for (; g > 0; g--)
                mk &= mk - 1;
            bw->mask = mk & (mk - 1);
            return bw->wi * 64u + (uint32_t)__builtin_ctzll(mk);
        }
        g -= c;
        if (++bw->wi >= bw->nw)
            return none;
        bw->mask = bw->w[bw->wi];
    }
}

typedef struct {
    const ipsim_model *m;
    const cell_day *cd;
    int cell, tau, de, dov;
    uint32_t c0, c1, k1;  /* candidate block [c0, c1) of the calendar block's [.., k1) */
    uint64_t next_e, next_o;
    double xe;            /* gap mode: the next impression's position (from c0) */
    double span;          /* c1 - c0 */
    gap_stream se, so;
    bit_walk bw;
} cand_walk;

typedef struct {
    int nb;
    uint32_t k[CANDIDATE_BATCH];
    uint16_t n[CANDIDATE_BATCH]; /* gap mode: impressions (0: O without E) */
    uint8_t e[CANDIDATE_BATCH];
    philox_lanes daily; /* direct mode: the candidates' DAILY blocks */
} cand_batch;

/* The next agent with O without E from the bit walk (the block's end if
 * none). */
static inline uint64_t walk_next_o(cand_walk *w)
{
    uint64_t g = w->dov ? 0 : gap_next(&w->so);
    uint32_t none = CANDIDATE_BLOCK;
    uint32_t off = bits_skip(&w->bw, g, none);
    return off == none ? w->c1 : (uint64_t)w->c0 + off;
}

/* Gap mode: the agent of the impression at w->xe (gaps.h, gap_point), or
 * the block's end. */
static inline uint64_t impression_agent(const cand_walk *w)
{
    return w->xe < w->span ? w->c0 + (uint32_t)w->xe : w->c1; /* xe < span <= CANDIDATE_BLOCK */
}

/* Start the candidate block beginning at c0. */
static void walk_block(cand_walk *w, uint32_t c0)
{
    const cell_day *cd = w->cd;
    const ipsim_agenda *ev = &w->m->ev;
    uint32_t blk = c0 / CANDIDATE_BLOCK;
    w->c0 = c0;
    w->c1 = c0 + CANDIDATE_BLOCK < w->k1 ? c0 + CANDIDATE_BLOCK : w->k1;
    w->span = (double)(w->c1 - c0);
    gap_start(&w->se, &w->m->rng, (uint32_t)w->cell, blk, (uint32_t)w->tau, RNG_SKIP, -cd->lambda);
    gap_expect(&w->se, cd->lambda * (double)(w->c1 - c0)); /* a word a point */
    w->next_e = w->de ? c0 : w->c1;
    if (!w->de && cd->p_expose > 0) {
        w->xe = gap_point(&w->se, 0);
        w->next_e = impression_agent(w);
    }
    w->next_o = w->c1;
    if (!w->de && cd->p_occasion > 0) { /* direct E: every agent has its O from v1 */
        gap_start(&w->so, &w->m->rng, (uint32_t)w->cell, blk, (uint32_t)w->tau, RNG_OCCASION_SKIP,
                  cd->log_no_occasion);
        w->bw.w = &ev->cons_bits[ev->cons_word0[w->cell] + c0 / 64];
        w->bw.nw = (w->c1 - c0 + 63) / 64;
        w->bw.wi = 0;
        w->bw.mask = w->bw.w[0];
        w->bw.left = *cons_count(ev, w->cell, c0); /* no agent of the block touched yet */
        w->next_o = walk_next_o(w);
    }
}

/* The next (up to) CANDIDATE_BATCH candidates: their records prefetched
 * and their DAILY blocks computed. */
static ALWAYS_INLINE void walk_batch(cand_walk *w, cand_batch *bt, const int de)
{
    const ipsim_model *m = w->m;
    uint64_t base = m->cell_start[w->cell];
    int nb = 0;
    while (nb < CANDIDATE_BATCH) {
        uint64_t next = w->next_e < w->next_o ? w->next_e : w->next_o;
        if (next >= w->c1) {
            if (w->c1 >= w->k1)
                break;
            walk_block(w, w->c1);
            continue;
        }
        uint32_t k = (uint32_t)next;
        int e = next == w->next_e, n = 0;
        if (e && de)
            w->next_e = next + 1;
        else if (e) { /* the agent's impressions: the points before k + 1 */
            n = gap_points_until(&w->se, &w->xe, (double)(k - w->c0 + 1), MAX_IMPRESSIONS);
            w->next_e = impression_agent(w);
        }
        if (next == w->next_o)
            w->next_o = walk_next_o(w);
        if (de)
            philox_lanes_set(&bt->daily, nb, &m->rng, (uint32_t)w->cell, k, (uint32_t)w->tau, RNG_DAILY, 0);
        PREFETCH(&m->ag.a[base + k]); /* the agent's record: one line */
        bt->k[nb] = k;
        bt->n[nb] = (uint16_t)n;
        bt->e[nb] = (uint8_t)e;
        nb++;
    }
    bt->nb = nb;
    if (nb == 0 || !de)
        return;
    int lanes = (nb + PHILOX_GROUP - 1) / PHILOX_GROUP * PHILOX_GROUP;
    for (int j = nb; j < lanes; j++) /* unused lanes of the last group: defined, ignored */
        philox_lanes_set(&bt->daily, j, &m->rng, 0, 0, 0, RNG_DAILY, 0);
    ipsim__philox_lanes(&bt->daily, lanes, &m->rng.rk);
}

/* Candidates are found a batch at a time, their records prefetched and
 * their DAILY blocks computed while the batch before is processed: their
 * agents are far apart in memory. */
static ALWAYS_INLINE void candidates_run(ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1,
                                          int tau, thread_acc *ta, int64_t *dl, const int de)
{
    const cell_day *cd = &m->cells[cell];
    uint64_t base = m->cell_start[cell];
    double po = cd->p_occasion;
    const double consider = m->sc->parameters.exposure.consider_salience;
    cand_walk w = {.m = m, .cd = cd, .cell = cell, .tau = tau, .de = de,
                   .dov = cd->direct_occasion, .k1 = k1};
    walk_block(&w, k0);
    cand_batch bt[2];
    int cur = 0;
    walk_batch(&w, &bt[cur], de);
    while (bt[cur].nb > 0) {
        walk_batch(&w, &bt[cur ^ 1], de);
        const cand_batch *c = &bt[cur];
        for (int j = 0; j < c->nb; j++) {
            uint32_t k = c->k[j];
            uint64_t i = base + k;
            philox4x32_ctr_t r = {{0, 0, 0, 0}};
            if (de) {
                r = (philox4x32_ctr_t){{c->daily.x[0][j], c->daily.x[1][j], c->daily.x[2][j],
                                        c->daily.x[3][j]}};
            }
            int n = de ? ipsim__exposure_count(cd, rng_u01(r.v[0])) : c->n[j];
            touch t = touch_begin(m, i, tau, ta);
            /* 4a impressions, 4b: a finished cool-down, then the decision of
             * an agent considering a trip who has a trip occasion (O) */
            if (n > 0)
                exposure_agent(m, cd, i, n);
            release_cooldown(m, i, tau);
            if (m->ag.a[i].state == ST_AWARE && m->ag.a[i].salience >= consider) {
                if (!de) /* gap mode: the DAILY block only when it is used */
                    r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_DAILY, 0);
                /* O: its own v1 with E or in direct mode; O landed on a set
                 * bit in gap mode */
                int occasion = c->e[j] || w.dov ? rng_u01(r.v[1]) < po : 1;
                if (occasion)
                    ipsim__decision_agent(m, cd, cell, k, i, tau, rng_u01(r.v[2]), rng_u01(r.v[3]));
            }
            touch_end(m, b, k, i, tau, t, dl);
        }
        cur ^= 1;
    }
}

/* The candidates of one calendar block: gap mode and direct mode
 * (candidates_run) compiled apart, each without the other's tests. */
static void candidates_block(ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1, int tau,
                             thread_acc *ta, int64_t *dl)
{
    if (m->cells[cell].direct_expose)
        candidates_run(m, cell, b, k0, k1, tau, ta, dl, 1);
    else
        candidates_run(m, cell, b, k0, k1, tau, ta, dl, 0);
}

/* Prefetch the state of the agent at position j of list l, if any. A
 * macro: GCC judges a function that only prefetches free of side effects
 * and deletes its calls before inlining them (GCC 12, -O2: the lists had no
 * prefetch at all while this was a static inline function). */
#define PREFETCH_LIST(m, base, l, j)                                                               \
    do {                                                                                           \
        if ((j) < (l)->n)                                                                          \
            PREFETCH(&(m)->ag.a[(base) + (l)->k[(j)]]);                                            \
    } while (0)

/* One block of the calendar on day tau, each agent in the ODD's order of
 * sub-phases: the EARLY list (4b step 0: yesterday's requests confirmed or
 * refused against capacity, capacity.c; cool-downs that end today), the
 * candidates (4a-4b), the expected bookings for crowding (crowding.c), the
 * LATE list (4c-4d: arrivals, departures; and salience that fell below
 * consider_salience today, for the counts of 4e) and community posting
 * (4d, mechanism D) by the block's past visitors. */
static void run_block(ipsim_model *m, int b, int tau, thread_acc *ta)
{
    ipsim_agenda *ev = &m->ev;
    int cell = ev->blk_cell[b];
    uint32_t k0 = ev->blk_k0[b], k1 = ev->blk_k1[b];
    int64_t *acc = &ta->cell[(size_t)cell * ACC_COUNT];
    int64_t *dl = &ta->delta[(size_t)cell * CNT_COUNT];
    uint64_t base = m->cell_start[cell];
    size_t at = ev_at(ev, tau, b);

    ev_list *early = &ev->early[at], *late = &ev->late[at];
    /* the LATE list's first agents are fetched while the candidates are
     * processed; each list's later ones LIST_PREFETCH entries ahead */
    for (uint32_t j = 0; j < LIST_PREFETCH; j++)
        PREFETCH_LIST(m, base, early, j);
    for (uint32_t j = 0; j < LATE_EARLY_PREFETCH; j++)
        PREFETCH_LIST(m, base, late, j);
    for (uint32_t j = 0; j < early->n; j++) {
        PREFETCH_LIST(m, base, early, j + LIST_PREFETCH);
        uint32_t k = early->k[j];
        uint64_t i = base + k;
        touch t = touch_begin(m, i, tau, ta);
        if (m->ag.a[i].state == ST_PENDING)
            ipsim__capacity_confirm(m, cell, k, i, tau, acc);
        release_cooldown(m, i, tau);
        touch_end(m, b, k, i, tau, t, dl);
    }
    free(early->k);
    memset(early, 0, sizeof *early);

    candidates_block(m, cell, b, k0, k1, tau, ta, dl);

    /* expected bookings of today, for crowding (crowding.c) */
    ipsim__crowding_sample(m, cell, b, k0, k1, tau);

    for (uint32_t j = 0; j < late->n; j++) {
        PREFETCH_LIST(m, base, late, j + LIST_PREFETCH);
        uint32_t k = late->k[j];
        uint64_t i = base + k;
        touch t = touch_begin(m, i, tau, ta);
        if (m->ag.a[i].state == ST_BOOKED && m->ag.a[i].day_mark == tau)
            ipsim__visit_arrive(m, cell, k, i, tau, acc);
        else if (m->ag.a[i].state == ST_ON_TRIP && m->ag.a[i].day_mark == tau) {
            int first = m->ag.a[i].visits == 0;
            ipsim__visit_depart(m, cell, k, i, tau, ta, acc);
            if (first)
                ipsim__agenda_visitor(m, b, k);
        }
        touch_end(m, b, k, i, tau, t, dl);
    }
    free(late->k);
    memset(late, 0, sizeof *late);

    if (m->dest_days[tau].community_post_rate > 0) {
        if (ipsim__agenda_sort_visitors(m, b) != 0) {
#pragma omp atomic write
            ev->ok = 0;
        }
        const ev_list *v = &ev->visitors[b];
        community_pass cp; /* every past visitor, or those landed on by skips */
        uint64_t asked = 0;
        for (uint64_t j = ipsim__community_begin(m, cell, b, tau, &cp); j < v->n;
             j = ipsim__community_next(&cp, j), asked++) {
            uint32_t k = v->k[j];
            uint64_t i = base + k;
            touch t = {m->ag.a[i].state, 0.0f};
            if (ipsim__community_post(m, &cp, cell, k, i, tau, ta, acc)) {
                ta->active++;
                t.s = -1.0f; /* salience went up */
                touch_end(m, b, k, i, tau, t, dl);
            }
        }
#pragma omp atomic
        ev->vis_listed += v->n;
#pragma omp atomic
        ev->vis_asked += asked;
    }
}

static void zero_acc(ipsim_model *m, thread_acc *a)
{
    memset(a->cell, 0, (size_t)m->n_cells * ACC_COUNT * sizeof(int64_t));
    memset(a->market_posts, 0, (size_t)m->n_markets * 3 * sizeof(int64_t));
    memset(a->market_signal, 0, (size_t)m->n_markets * 3 * sizeof(int64_t));
    memset(a->market_returns, 0, (size_t)m->n_markets * sizeof(int64_t));
    memset(a->market_wom_signal, 0, (size_t)m->n_markets * sizeof(int64_t));
    memset(a->delta, 0, (size_t)m->n_cells * CNT_COUNT * sizeof(int64_t));
    a->active = 0;
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
        for (int j = 0; j < m->n_cells * CNT_COUNT; j++)
            a0->delta[j] += a->delta[j];
        a0->active += a->active;
    }
    /* 4e, the end-of-day count: the persistent counts plus today's changes */
    for (int c = 0; c < m->n_cells; c++) {
        int64_t *cnt = &m->ev.count[(size_t)c * CNT_COUNT];
        for (int j = 0; j < CNT_COUNT; j++)
            cnt[j] += a0->delta[(size_t)c * CNT_COUNT + j];
        int64_t *acc = &a0->cell[(size_t)c * ACC_COUNT];
        acc[ACC_UNAWARE] = cnt[ST_UNAWARE];
        acc[ACC_AWARE] = cnt[ST_AWARE];
        acc[ACC_BOOKED] = cnt[ST_BOOKED] + cnt[ST_PENDING];
        acc[ACC_ON_TRIP] = cnt[ST_ON_TRIP];
        acc[ACC_RETURNED] = cnt[ST_RETURNED];
        acc[ACC_CONSIDERING] = cnt[CNT_CONSIDERING];
    }
    m->ev.active = (uint64_t)a0->active;
}

int ipsim__kernel_agents(ipsim_model *m, int tau)
{
    candidates_prepare(m);
    int nb = m->ev.n_blocks;
#pragma omp parallel num_threads(m->threads)
    {
#ifdef _OPENMP
        int tid = omp_get_thread_num();
#else
        int tid = 0;
#endif
        thread_acc *ta = &m->acc[tid];
        zero_acc(m, ta);
#pragma omp for schedule(dynamic, 1)
        for (int b = 0; b < nb; b++)
            run_block(m, b, tau, ta);
    }
    reduce_acc(m);
    return m->ev.ok ? 0 : -1;
}
