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
 * (cell, block, day), candidates.c) or if the event calendar
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
#include "model/candidates.h"

/* Touched agents are far apart in memory: their state is prefetched
 * CANDIDATE_AHEAD or CANDIDATE_AHEAD_POOL candidates (gap mode), a batch of CANDIDATE_BATCH
 * candidates (direct mode, whose DAILY blocks are computed a batch at a
 * time, philox_batch.c) or LIST_PREFETCH list entries ahead (the first
 * LATE_EARLY_PREFETCH of the LATE list before the candidates). */
#define CANDIDATE_BATCH PHILOX_LANES
#define LIST_PREFETCH 16
#define LATE_EARLY_PREFETCH 64
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((p), 1, 3)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#define PREFETCH(p) ((void)(p))
#define ALWAYS_INLINE inline
#endif

/* 4b's first step for one agent: a finished cooldown frees it. */
static inline void release_cooldown(const ipsim_model *m, ipsim_agent *a, int tau)
{
    if (a->state == ST_RETURNED && a->day_mark <= tau) {
        a->state = ST_AWARE;
        a->day_mark = (uint16_t)(a->day_mark - lround(m->sc->parameters.decision.cooldown_days));
    }
}

/* Candidate sampling of each cell for today (after ipsim__exposure_prepare
 * and ipsim__decision_prepare): direct or gap mode for each event. */
static void candidates_prepare(ipsim_model *m)
{
    for (int c = 0; c < m->n_cells; c++) {
        cell_day *cd = &m->cells[c];
        cd->direct_expose = cd->p_expose >= DIRECT_THRESHOLD || m->ev.cand_direct_all;
        if (cd->direct_expose) /* its agents draw n by inversion (exposure.c) */
            ipsim__exposure_poisson_table(cd);
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

static inline touch touch_begin(const ipsim_model *m, ipsim_agent *a, int tau, thread_acc *ta)
{
    agent_salience_sync(m, a, tau);
    ta->active++;
    touch t = {a->state, a->salience};
    return t;
}

/* Agent k of block b, considering with salience s on day tau: the first
 * day its salience falls below consider_salience goes on the LATE list. */
static void schedule_below(ipsim_model *m, int b, uint32_t k, float s, int tau)
{
    int d = ipsim__salience_below(m, s, tau);
    if (d < m->ev.n_days)
        ipsim__agenda_push(m, 1, d, b, k);
}

/* After a touch of agent k (= i - cell start) of block b: the counts and
 * considering flag follow its transitions (dl: the cell's count changes),
 * and the day its new state ends, or its salience falls below
 * consider_salience, goes on the calendar. */
static NOINLINE void touch_changed(ipsim_model *m, int b, uint32_t k, uint64_t i, int tau, touch t,
                                   int64_t *dl)
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
    if (cons && (!was || s != t.s))
        schedule_below(m, b, k, s, tau);
}

/* touch_changed's case of an AWARE agent that stays AWARE and starts
 * (cons = 1: an impression lifted its salience; outside the small cells'
 * crowd lists, which it would join) or stops considering (any block): its
 * count, flag and bit, and the day its salience falls below
 * consider_salience, without touch_changed's general tests (consider_stop:
 * the stop alone, also inline in the LATE list's loop). */
static inline void consider_stop(ipsim_model *m, int cell, uint32_t k, ipsim_agent *a, int64_t *dl)
{
    dl[CNT_CONSIDERING]--;
    a->flags = (uint8_t)(a->flags & ~AGF_CONSIDERING);
    cons_bit_set(&m->ev, cell, k, 0);
}
static NOINLINE void consider_flip(ipsim_model *m, int b, uint32_t k, uint64_t i, int tau, int cons, int64_t *dl)
{
    ipsim_agent *a = &m->ag.a[i];
    if (!cons) {
        consider_stop(m, m->ev.blk_cell[b], k, a, dl);
        return;
    }
    dl[CNT_CONSIDERING]++;
    a->flags = (uint8_t)(a->flags | AGF_CONSIDERING);
    cons_bit_set(&m->ev, m->ev.blk_cell[b], k, 1);
    schedule_below(m, b, k, a->salience, tau);
}

/* The end of a touch (touch_changed above): most touches are impressions
 * to an agent who neither was nor is considering a trip and keeps its
 * state (not PENDING or RETURNED, which have lists and bits of their own);
 * for those nothing above changes, so they return at once; for an agent
 * that stays considering only its day on the calendar may move. */
static inline void touch_end(ipsim_model *m, int b, uint32_t k, uint64_t i, const ipsim_agent *a, int tau,
                             touch t, int64_t *dl, float consider)
{
    if (a->state == t.st && t.st != ST_PENDING && t.st != ST_RETURNED && !(a->flags & AGF_CONSIDERING) &&
        !(t.st == ST_AWARE && a->salience >= consider))
        return;
    /* next: an agent considering before and after (its flag and bit set),
     * outside the small cells' crowd lists: only the day its salience
     * falls below consider_salience moves, if it rose */
    if (a->state == t.st && t.st == ST_AWARE && !m->ev.blk_crowd[b]) {
        int cons = a->salience >= consider, was = (a->flags & AGF_CONSIDERING) != 0;
        if (cons && was) {
            if (a->salience != t.s)
                schedule_below(m, b, k, a->salience, tau);
        } else {
            consider_flip(m, b, k, i, tau, cons, dl);
        }
        return;
    }
    touch_changed(m, b, k, i, tau, t, dl);
}

/* What every candidate of a cell-day reads, loaded once: the agents'
 * records are written through byte-typed fields, which may alias
 * anything, so the compiler would load these again after every store. */
typedef struct {
    const double *sal_pow;  /* sal_decay^d (state.h) */
    const double *att_keep; /* (1 - attitude_learning_rate)^n */
    double w, aware_at;     /* wearout_salience, effective_frequency */
    double signal;          /* the cell-day's (exposure.c) */
    double consider;        /* consider_salience */
    float consider_f;
    int tau;
} cand_day;

static inline cand_day cand_day_of(const ipsim_model *m, const cell_day *cd, int tau)
{
    const sc_exposure *e = &m->sc->parameters.exposure;
    cand_day d = {m->sal_pow, m->att_keep, e->wearout_salience, e->effective_frequency, cd->signal,
                  e->consider_salience, (float)e->consider_salience, tau};
    return d;
}

/* The start of one candidate's day (ODD 4a-4b), agent a with n
 * impressions: its salience brought to today, its impressions and a
 * finished cool-down; whether it is considering a trip
 * now (it then needs its DAILY block: O from v1 where drawn, its trip
 * choice from v2, v3). The caller counts the touch as active. */
static ALWAYS_INLINE int candidate_begin(const ipsim_model *m, const cand_day *d, ipsim_agent *a, int n,
                                         touch *t)
{
    agent_salience_sync_by(d->sal_pow, a, d->tau);
    t->st = a->state;
    t->s = a->salience;
    if (n > 0)
        exposure_apply(a, n, d->w, d->aware_at, d->att_keep[n], d->signal);
    release_cooldown(m, a, d->tau);
    return a->state == ST_AWARE && a->salience >= d->consider;
}

/* A considering candidate's trip occasion O and decision, v1..v3 words of
 * its DAILY block: O is v1 < p_o for an agent with impressions (e) and, with p_o >=
 * DIRECT_THRESHOLD, for every agent; an agent without impressions was
 * otherwise listed because O landed on its bit (gap mode, candidates.c). */
static ALWAYS_INLINE void candidate_decide(ipsim_model *m, const cell_day *cd, int cell, uint32_t k, uint64_t i,
                                           int e, int tau, uint32_t v1, uint32_t v2, uint32_t v3)
{
    int occasion = e || cd->direct_occasion ? rng_u01(v1) < cd->p_occasion : 1;
    if (occasion)
        ipsim__decision_agent(m, cd, cell, k, i, tau, rng_u01(v2), rng_u01(v3));
}

/* Gap mode's candidates who are considering after their impressions wait
 * here for their DAILY blocks, which are computed PHILOX_GROUP at a time
 * (philox_batch.c: a vector group costs about what one block costs alone);
 * then each makes its decision and its touch ends. The agents are
 * distinct and a decision reads only its own agent and the cell's day, so
 * the wait changes nothing but the order in which their touches end (whose
 * effects are sums and list entries, ODD 4.9). */
typedef struct {
    uint32_t k[PHILOX_GROUP];
    uint8_t e[PHILOX_GROUP];
    touch t[PHILOX_GROUP];
    int n;
    philox_lanes l;
} daily_wait;

static NOINLINE void daily_flush(ipsim_model *m, const cell_day *cd, int cell, int b, uint64_t base, int tau,
                                 int64_t *dl, float consider, daily_wait *w)
{
    for (int j = w->n; j < PHILOX_GROUP; j++) /* unused lanes: defined, ignored */
        philox_lanes_set(&w->l, j, &m->rng, 0, 0, 0, RNG_DAILY, 0);
    ipsim__philox_lanes(&w->l, PHILOX_GROUP, &m->rng.rk);
    for (int j = 0; j < w->n; j++) {
        uint32_t k = w->k[j];
        uint64_t i = base + k;
        candidate_decide(m, cd, cell, k, i, w->e[j], tau, w->l.x[1][j], w->l.x[2][j], w->l.x[3][j]);
        touch_end(m, b, k, i, &m->ag.a[i], tau, w->t[j], dl, consider);
    }
    w->n = 0;
}

/* One candidate's day in gap mode; the DAILY block of an agent
 * considering after its impressions is computed in w's group. */
static ALWAYS_INLINE void candidate_gap(ipsim_model *m, const cell_day *cd, const cand_day *d, int cell, int b,
                                        uint64_t base, ipsim_agent *cell_a, cand c, int tau, int64_t *dl,
                                        daily_wait *w)
{
    uint64_t i = base + c.k;
    ipsim_agent *a = cell_a + c.k; /* = &m->ag.a[i] */
    touch t;
    if (candidate_begin(m, d, a, c.n, &t)) {
        int j = w->n++;
        w->k[j] = c.k;
        w->e[j] = c.n > 0;
        w->t[j] = t;
        philox_lanes_set(&w->l, j, &m->rng, (uint32_t)cell, c.k, (uint32_t)tau, RNG_DAILY, 0);
        if (w->n == PHILOX_GROUP)
            daily_flush(m, cd, cell, b, base, tau, dl, d->consider_f, w);
        return;
    }
    touch_end(m, b, c.k, i, a, tau, t, dl, d->consider_f);
}

/* Gap mode (ODD 4.9): the candidates of each block of candidate sampling
 * (candidates.c) go through a queue, and each agent's record is prefetched
 * `ahead` candidates before its touch (they are far apart in memory); a
 * block's candidates are drawn when the queue runs short. The distance:
 * CANDIDATE_AHEAD on 4 KiB pages, where each prefetch may need a page
 * walk, CANDIDATE_AHEAD_POOL on the pool's 2 MiB pages (bigalloc.c), where
 * none does (baseline at 10 M agents, 7 alternating runs, 2026-12-03: on
 * the pool 64 took 0.929x the user time of 32, 96 1.015x of 64, 128
 * more; on 4 KiB pages 64 took 1.013-1.046x of 32). */
#define CANDIDATE_AHEAD 32
#define CANDIDATE_AHEAD_POOL 64
#define CANDIDATE_AHEAD_MAX CANDIDATE_AHEAD_POOL
static ALWAYS_INLINE void candidates_gap_at(ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1, int tau,
                                            thread_acc *ta, int64_t *dl, const uint32_t ahead)
{
    const cell_day *cd = &m->cells[cell];
    const uint64_t base = m->cell_start[cell];
    ipsim_agent *const a = &m->ag.a[base]; /* the cell's agents */
    const cand_day d = cand_day_of(m, cd, tau);
    /* the queue, and `ahead` entries of agent 0 past its tail, so that the
     * prefetch `ahead` entries ahead needs no bound check */
    cand q[CANDIDATE_BLOCK + 2 * CANDIDATE_AHEAD_MAX];
    daily_wait w;
    w.n = 0;
    uint32_t head = 0, tail = 0, next = k0;
    uint64_t touched = 0;
    for (;;) {
        int more = next < k1;
        if (more) {
            if (head > 0) { /* at most `ahead` left: room for a block */
                memmove(q, q + head, (tail - head) * sizeof *q);
                tail -= head;
                head = 0;
            }
            uint32_t c1 = k1 - next > CANDIDATE_BLOCK ? next + CANDIDATE_BLOCK : k1;
            uint32_t old = tail, listed = ipsim__candidates_gap(m, cell, tau, next, c1, q + tail);
            tail += listed;
            memset(q + tail, 0, ahead * sizeof *q);
            touched += listed;
            next = c1;
            more = next < k1;
            /* the window [head, head + ahead) is prefetched */
            for (uint32_t j = old; j < tail && j < head + ahead; j++)
                PREFETCH(&a[q[j].k]);
        }
        /* while blocks are left, `ahead` candidates stay queued */
        uint32_t stop = !more ? tail : tail >= ahead ? tail - ahead + 1 : 0;
        for (; head < stop; head++) {
            cand c = q[head];
            PREFETCH(&a[q[head + ahead].k]);
            candidate_gap(m, cd, &d, cell, b, base, a, c, tau, dl, &w);
        }
        if (!more)
            break;
    }
    if (w.n > 0)
        daily_flush(m, cd, cell, b, base, tau, dl, d.consider_f, &w);
    ta->active += touched; /* every listed candidate was touched */
}
/* The loop compiled once for each distance (a constant in each). */
static NOINLINE void candidates_gap(ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1, int tau,
                                    thread_acc *ta, int64_t *dl)
{
    if (m->ag.on_pool)
        candidates_gap_at(m, cell, b, k0, k1, tau, ta, dl, CANDIDATE_AHEAD_POOL);
    else
        candidates_gap_at(m, cell, b, k0, k1, tau, ta, dl, CANDIDATE_AHEAD);
}

/* Direct mode (ODD 4.9: p_e >= DIRECT_THRESHOLD): every agent is a
 * candidate and draws its impressions n by Poisson inversion at DAILY v0
 * (n may be 0). The DAILY blocks are computed CANDIDATE_BATCH agents at a
 * time (philox_batch.c), and the records of a batch prefetched, while the
 * batch before is processed. */
static void direct_batch(ipsim_model *m, int cell, uint32_t k, uint32_t k1, int tau, philox_lanes *l)
{
    int nb = k1 - k > CANDIDATE_BATCH ? CANDIDATE_BATCH : (int)(k1 - k);
    int lanes = (nb + PHILOX_GROUP - 1) / PHILOX_GROUP * PHILOX_GROUP;
    for (int j = 0; j < lanes; j++) /* lanes past nb: defined, ignored */
        philox_lanes_set(l, j, &m->rng, j < nb ? (uint32_t)cell : 0, j < nb ? k + (uint32_t)j : 0,
                         j < nb ? (uint32_t)tau : 0, RNG_DAILY, 0);
    ipsim__philox_lanes(l, lanes, &m->rng.rk);
    for (int j = 0; j < nb; j++)
        PREFETCH(&m->ag.a[m->cell_start[cell] + k + (uint32_t)j]);
}

static void candidates_direct(ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1, int tau,
                              thread_acc *ta, int64_t *dl)
{
    const cell_day *cd = &m->cells[cell];
    const uint64_t base = m->cell_start[cell];
    const cand_day d = cand_day_of(m, cd, tau);
    philox_lanes l[2];
    int cur = 0;
    if (k0 < k1)
        direct_batch(m, cell, k0, k1, tau, &l[cur]);
    for (uint32_t k = k0; k < k1; k += CANDIDATE_BATCH, cur ^= 1) {
        if (k1 - k > CANDIDATE_BATCH)
            direct_batch(m, cell, k + CANDIDATE_BATCH, k1, tau, &l[cur ^ 1]);
        int nb = k1 - k > CANDIDATE_BATCH ? CANDIDATE_BATCH : (int)(k1 - k);
        for (int j = 0; j < nb; j++) {
            const philox_lanes *r = &l[cur]; /* agent k + j's DAILY block: lane j */
            uint32_t kj = k + (uint32_t)j;
            uint64_t i = base + kj;
            ipsim_agent *a = &m->ag.a[i];
            int n = ipsim__exposure_count(cd, rng_u01(r->x[0][j]));
            touch t;
            if (candidate_begin(m, &d, a, n, &t))
                candidate_decide(m, cd, cell, kj, i, 1, tau, r->x[1][j], r->x[2][j], r->x[3][j]);
            touch_end(m, b, kj, i, a, tau, t, dl, d.consider_f);
        }
    }
    if (k1 > k0)
        ta->active += k1 - k0; /* every agent is a candidate */
}

/* The candidates of one calendar block (agents k0..k1-1 of a cell), in
 * increasing k (ODD 4.9): each agent-day has two independent events, "at
 * least one impression" E (probability p_e) and "trip occasion" O
 * (probability p_o), which matters only to an agent considering a trip;
 * candidates.c finds them in gap mode, every agent is one in direct mode. */
static void candidates_block(ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1, int tau,
                             thread_acc *ta, int64_t *dl)
{
    if (m->cells[cell].direct_expose)
        candidates_direct(m, cell, b, k0, k1, tau, ta, dl);
    else
        candidates_gap(m, cell, b, k0, k1, tau, ta, dl);
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
    const float consider = (float)m->sc->parameters.exposure.consider_salience;

    ev_list *early = &ev->early[at], *late = &ev->late[at];
    /* the LATE list's first agents are fetched while the candidates are
     * processed; each list's later ones LIST_PREFETCH entries ahead */
    for (uint32_t j = 0; j < LIST_PREFETCH && j < early->n; j++)
        PREFETCH_LIST(m, base, early, j);
    for (uint32_t j = 0; j < LATE_EARLY_PREFETCH && j < late->n; j++)
        PREFETCH_LIST(m, base, late, j);
    for (uint32_t j = 0; j < early->n; j++) {
        PREFETCH_LIST(m, base, early, j + LIST_PREFETCH);
        uint32_t k = early->k[j];
        uint64_t i = base + k;
        ipsim_agent *a = &m->ag.a[i];
        touch t = touch_begin(m, a, tau, ta);
        if (a->state == ST_PENDING)
            ipsim__capacity_confirm(m, cell, k, i, tau, acc);
        release_cooldown(m, a, tau);
        touch_end(m, b, k, i, a, tau, t, dl, consider);
    }
    ipsim__agenda_recycle(m, b, early);

    candidates_block(m, cell, b, k0, k1, tau, ta, dl);

    /* expected bookings of today, for crowding (crowding.c) */
    ipsim__crowding_sample(m, cell, b, k0, k1, tau);

    for (uint32_t j = 0; j < late->n; j++) {
        PREFETCH_LIST(m, base, late, j + LIST_PREFETCH);
        uint32_t k = late->k[j];
        uint64_t i = base + k;
        ipsim_agent *a = &m->ag.a[i];
        touch t = touch_begin(m, a, tau, ta);
        if (a->state == ST_AWARE && (a->flags & AGF_CONSIDERING) && a->salience < consider) {
            /* the most common entry: its salience fell below
             * consider_salience today, so it stops considering */
            consider_stop(m, cell, k, a, dl);
            continue;
        }
        if (a->state == ST_BOOKED && a->day_mark == tau)
            ipsim__visit_arrive(m, cell, k, i, tau, acc);
        else if (a->state == ST_ON_TRIP && a->day_mark == tau) {
            int first = a->visits == 0;
            ipsim__visit_depart(m, cell, k, i, tau, ta, acc);
            if (first)
                ipsim__agenda_visitor(m, b, k);
        }
        touch_end(m, b, k, i, a, tau, t, dl, consider);
    }
    ipsim__agenda_recycle(m, b, late);

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
                touch_end(m, b, k, i, &m->ag.a[i], tau, t, dl, consider);
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
    if (m->dest_days[tau].community_post_rate > 0)
        ipsim__community_prepare(m, tau);
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
