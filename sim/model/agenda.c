/*
 * agenda.c - the event calendar of the daily step (ODD 3, "scheduling"):
 * what lets a day cost what the agents who act that day cost.
 *
 * Agents of each cell are cut into blocks of EVENT_BLOCK agents. Each block
 * has, for every simulated day, an EARLY list (agents to process before
 * the day's candidates: confirmation of yesterday's booking request,
 * end of a cool-down) and a LATE list (after them: arrival, departure,
 * salience falling below consider_salience), plus the list of its past
 * visitors (mechanism D). An agent is put on the list of the day its
 * scheduled state ends when it enters that state (kernel.c), so no pass
 * over all agents is needed to find them. Salience is lazy: it is stored
 * with the day it was last brought up to date (state.h, salience_sync)
 * and decayed by sal_decay^days (a table, sal_pow) when the agent is
 * touched, and the day it falls below
 * consider_salience is computed and put on the calendar. The per-cell
 * counts of each state and of considering agents are kept at each
 * transition (kernel.c) instead of recounted every day.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/state.h"

double ipsim__agenda_bytes_per_agent(void)
{
    /* the considering bitmap: one bit per agent, and a count per
     * CONS_LINE_BITS agents (state.h) */
    return 1.0 / 8 + (double)sizeof(uint16_t) / CONS_LINE_BITS;
}

/* Room for more entries in full list l: a new list takes the buffer of a
 * processed one when sp (its block's spares, or NULL) holds one, else the
 * buffer doubles (16 entries at first); 0, or -1 out of memory. */
static int list_grow(ev_list *l, ev_spares *sp)
{
    if (l->cap == 0 && sp && sp->n > 0) {
        sp->n--;
        l->k = sp->k[sp->n];
        l->cap = sp->cap[sp->n];
        return 0;
    }
    uint32_t cap = l->cap ? 2 * l->cap : 16;
    uint32_t *p = realloc(l->k, (size_t)cap * sizeof *p);
    if (!p)
        return -1;
    l->k = p;
    l->cap = cap;
    return 0;
}

/* Append k to list l (sp: as list_grow); 0 on success, -1 out of memory. */
static inline int list_push(ev_list *l, ev_spares *sp, uint32_t k)
{
    if (l->n == l->cap && list_grow(l, sp) != 0)
        return -1;
    l->k[l->n++] = k;
    return 0;
}

void ipsim__agenda_push(struct ipsim_model *m, int late, int tau, int b, uint32_t k)
{
    ipsim_agenda *ev = &m->ev;
    if (tau < 0 || tau >= ev->n_days)
        return;
    ev_list *l = &(late ? ev->late : ev->early)[ev_at(ev, tau, b)];
    if (list_push(l, &ev->spares[b], k) != 0) {
#pragma omp atomic write
        ev->ok = 0; /* read after the parallel pass */
    }
}

/* A block's spares keep the largest buffers offered: l's goes in while
 * there is room, else in place of the smallest if larger; what is left
 * out is freed. */
void ipsim__agenda_recycle(struct ipsim_model *m, int b, ev_list *l)
{
    ev_spares *sp = &m->ev.spares[b];
    uint32_t *drop = l->k;
    if (l->k && sp->n < EV_SPARES) {
        sp->k[sp->n] = l->k;
        sp->cap[sp->n++] = l->cap;
        drop = NULL;
    } else if (l->k) {
        int least = 0;
        for (int j = 1; j < EV_SPARES; j++)
            if (sp->cap[j] < sp->cap[least])
                least = j;
        if (sp->cap[least] < l->cap) {
            drop = sp->k[least];
            sp->k[least] = l->k;
            sp->cap[least] = l->cap;
        }
    }
    free(drop);
    memset(l, 0, sizeof *l);
}

void ipsim__agenda_visitor(struct ipsim_model *m, int b, uint32_t k)
{
    if (list_push(&m->ev.visitors[b], NULL, k) != 0) {
#pragma omp atomic write
        m->ev.ok = 0;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void ipsim__agenda_crowd(struct ipsim_model *m, int b, uint32_t k, uint64_t i)
{
    if (m->ag.a[i].flags & AGF_CROWD_LISTED)
        return;
    ev_list *l = &m->ev.crowd[b];
    uint32_t cap = l->cap;
    if (list_push(l, NULL, k) != 0)
        goto nomem;
    if (l->cap != cap) { /* the list grew: so do the intercepts */
        double *p = realloc(m->ev.crowd_icpt[b], (size_t)l->cap * sizeof(double));
        if (!p) {
            l->n--;
            l->cap = cap; /* the intercepts still hold cap */
            goto nomem;
        }
        m->ev.crowd_icpt[b] = p;
    }
    m->ev.crowd_icpt[b][l->n - 1] = ipsim__decision_intercept(m, m->ev.blk_cell[b], k);
    m->ag.a[i].flags |= AGF_CROWD_LISTED;
    return;
nomem:
#pragma omp atomic write
    m->ev.ok = 0;
}

int ipsim__agenda_sort_visitors(struct ipsim_model *m, int b)
{
    ev_list *l = &m->ev.visitors[b];
    uint32_t s = m->ev.vis_sorted[b], n = l->n;
    if (s == n)
        return 0;
    /* sort the new tail, then merge it with the sorted prefix */
    qsort(l->k + s, n - s, sizeof(uint32_t), cmp_u32);
    uint32_t *out = malloc((size_t)n * sizeof(uint32_t));
    if (!out)
        return -1;
    uint32_t i = 0, j = s, o = 0;
    while (i < s && j < n)
        out[o++] = l->k[i] <= l->k[j] ? l->k[i++] : l->k[j++];
    while (i < s)
        out[o++] = l->k[i++];
    while (j < n)
        out[o++] = l->k[j++];
    memcpy(l->k, out, (size_t)n * sizeof(uint32_t));
    free(out);
    m->ev.vis_sorted[b] = n;
    return 0;
}

/* A float's bits, whose order is the float's for non-negative floats. */
static inline uint32_t float_bits(float x)
{
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

int ipsim__salience_below(const struct ipsim_model *m, float s, int from)
{
    /* salience_decay_days is non-decreasing in s and non-increasing in the
     * days: n days after `from`, s is below consider_salience exactly when
     * s < sal_keep_at[n] (keep_at_table), so the answer is from + the first
     * such n, at most hi - from. Between the first and the last entry the
     * search starts at sal_keep_first of s's bucket (a lower bound, at most
     * a day's decay short) and steps up (once, or not at all, mostly) */
    int lo = from + 1, hi = m->ev.n_days - 1;
    if (lo > hi)
        return INT_MAX;
    const float *keep = m->sal_keep_at;
    if (s < keep[1])
        return lo;
    if (!(s < keep[hi - from])) /* still at the level on the last day (or NaN) */
        return INT_MAX;
    int n = m->sal_keep_first[(float_bits(s) - m->sal_keep_base) >> m->sal_keep_shift];
    while (!(s < keep[n]))
        n++;
    return from + n;
}

/* sal_keep_at[n] for n = 0..n_days: the least float salience s >= 0 whose
 * salience_decay_days(s, n) is still >= level (n = 0: level itself), or
 * +inf if no float's is; by bisection over the positive floats' bit
 * patterns, whose order is their values' (salience_decay_days is
 * non-decreasing in s). So "decayed below level after n days" is one
 * comparison, s < sal_keep_at[n], for the same answer as the decay.
 *
 * Then the buckets of sal_keep_first: the floats from sal_keep_at[1] to
 * sal_keep_at[n_days] by their bits, 2^p buckets an octave with 2^p at
 * least the days a salience takes to halve (so a bucket spans at most a
 * day's decay); each holds the first n with sal_keep_at[n] above the
 * bucket's least float, the least n of any salience in it. -1: out of
 * memory. */
static int keep_at_table(struct ipsim_model *m, float level)
{
    const int N = m->ev.n_days;
    m->sal_keep_at = malloc((size_t)(N + 1) * sizeof(float));
    if (!m->sal_keep_at)
        return -1;
    m->sal_keep_at[0] = level;
    for (int n = 1; n <= N; n++) {
        uint32_t lo = 0, hi = 0x7f800000u; /* 0 .. +inf */
        while (lo < hi) {                  /* the least bits whose float keeps the level */
            uint32_t mid = lo + (hi - lo) / 2;
            float x;
            memcpy(&x, &mid, sizeof x);
            if (salience_decay_days(m->sal_pow, x, n) >= level)
                hi = mid;
            else
                lo = mid + 1;
        }
        float t;
        memcpy(&t, &lo, sizeof t); /* +inf when even FLT_MAX falls below */
        m->sal_keep_at[n] = t;
    }
    if (N < 1)
        return 0; /* no day to fall on (ipsim__salience_below reads no table) */
    /* days to halve: -1 / log2(sal_decay) (without decay -inf: one bucket,
     * and no salience between the first and last entry to look up) */
    double halve = -1.0 / log2((double)m->sal_decay);
    int p = 0;
    while (p < 23 && !((double)(1u << p) >= halve))
        p++;
    m->sal_keep_shift = 23 - p;
    float last = m->sal_keep_at[N] < FLT_MAX ? m->sal_keep_at[N] : FLT_MAX;
    m->sal_keep_base = float_bits(m->sal_keep_at[1]);
    size_t size = ((size_t)(float_bits(last) - m->sal_keep_base) >> m->sal_keep_shift) + 1;
    m->sal_keep_first = malloc(size * sizeof(int));
    if (!m->sal_keep_first)
        return -1;
    int n = 1;
    for (size_t j = 0; j < size; j++) {
        uint32_t b = m->sal_keep_base + (uint32_t)(j << m->sal_keep_shift);
        float least;
        memcpy(&least, &b, sizeof least);
        while (n <= N && !(least < m->sal_keep_at[n]))
            n++;
        m->sal_keep_first[j] = n; /* N + 1: none (such saliences end above the level) */
    }
    return 0;
}

int ipsim__agenda_create(struct ipsim_model *m)
{
    ipsim_agenda *ev = &m->ev;
    ev->ok = 1;
    ev->n_days = m->warmup + m->days;
    m->sal_pow = malloc((size_t)(ev->n_days + 1) * sizeof(double));
    if (!m->sal_pow)
        return -1;
    for (int d = 0; d <= ev->n_days; d++)
        m->sal_pow[d] = pow((double)m->sal_decay, d);
    if (keep_at_table(m, (float)m->sc->parameters.exposure.consider_salience) != 0)
        return -1;
    ev->count = calloc((size_t)m->n_cells * CNT_COUNT, sizeof(int64_t));
    ev->cons_word0 = calloc((size_t)m->n_cells + 1, sizeof(size_t));
    if (!ev->count || !ev->cons_word0)
        return -1;
    size_t words = 0;
    for (int c = 0; c < m->n_cells; c++) {
        ev->cons_word0[c] = words;
        uint64_t lines = ((uint64_t)m->cell_n[c] + CONS_LINE_BITS - 1) / CONS_LINE_BITS;
        words += (size_t)lines * (CONS_LINE_BITS / 64);
    }
    ev->cons_word0[m->n_cells] = words;
    ev->cons_bits = calloc(words ? words : 1, sizeof(uint64_t));
    ev->cons_count = calloc(words / CONS_COUNT_WORDS + 1, sizeof(uint16_t));
    if (!ev->cons_bits || !ev->cons_count)
        return -1;
    int nb = 0;
    for (int c = 0; c < m->n_cells; c++)
        nb += (int)(((uint64_t)m->cell_n[c] + EVENT_BLOCK - 1) / EVENT_BLOCK);
    ev->n_blocks = nb;
    size_t nbs = nb ? (size_t)nb : 1;
    ev->blk_cell = calloc(nbs, sizeof(int));
    ev->blk_k0 = calloc(nbs, sizeof(uint32_t));
    ev->blk_k1 = calloc(nbs, sizeof(uint32_t));
    ev->visitors = calloc(nbs, sizeof(ev_list));
    ev->vis_sorted = calloc(nbs, sizeof(uint32_t));
    ev->blk_crowd = calloc(nbs, sizeof(uint8_t));
    ev->crowd = calloc(nbs, sizeof(ev_list));
    ev->crowd_icpt = calloc(nbs, sizeof(double *));
    ev->early = calloc((size_t)(ev->n_days > 0 ? ev->n_days : 1) * nbs, sizeof(ev_list));
    ev->late = calloc((size_t)(ev->n_days > 0 ? ev->n_days : 1) * nbs, sizeof(ev_list));
    ev->spares = calloc(nbs, sizeof(ev_spares));
    if (!ev->blk_cell || !ev->blk_k0 || !ev->blk_k1 || !ev->visitors || !ev->vis_sorted ||
        !ev->blk_crowd || !ev->crowd || !ev->crowd_icpt || !ev->early || !ev->late || !ev->spares)
        return -1;
    int b = 0;
    for (int c = 0; c < m->n_cells; c++)
        for (uint64_t k0 = 0; k0 < m->cell_n[c]; k0 += EVENT_BLOCK, b++) {
            uint64_t k1 = k0 + EVENT_BLOCK;
            ev->blk_cell[b] = c;
            ev->blk_k0[b] = (uint32_t)k0;
            ev->blk_k1[b] = (uint32_t)(k1 < m->cell_n[c] ? k1 : m->cell_n[c]);
            ev->blk_crowd[b] = m->cell_n[c] < CROWD_WHOLE;
        }
    /* initial counts, considering flags and the days salience falls below
     * consider_salience (the initial salience is as of the day before day 0) */
    const float consider = (float)m->sc->parameters.exposure.consider_salience;
    for (b = 0; b < nb; b++) {
        int c = ev->blk_cell[b];
        uint64_t base = m->cell_start[c];
        int64_t *cnt = &ev->count[(size_t)c * CNT_COUNT];
        for (uint32_t k = ev->blk_k0[b]; k < ev->blk_k1[b]; k++) {
            uint64_t i = base + k;
            uint8_t st = m->ag.a[i].state;
            cnt[st]++;
            if (st == ST_AWARE && m->ag.a[i].salience >= consider) {
                m->ag.a[i].flags = AGF_CONSIDERING;
                cons_bit_set(ev, c, k, 1);
                cnt[CNT_CONSIDERING]++;
                int d = ipsim__salience_below(m, m->ag.a[i].salience, -1);
                if (d != INT_MAX)
                    ipsim__agenda_push(m, 1, d, b, k);
                if (ev->blk_crowd[b])
                    ipsim__agenda_crowd(m, b, k, i);
            }
        }
    }
    return ev->ok ? 0 : -1;
}

void ipsim__agenda_free(struct ipsim_model *m)
{
    ipsim_agenda *ev = &m->ev;
    size_t lists = (size_t)(ev->n_days > 0 ? ev->n_days : 0) * (size_t)ev->n_blocks;
    for (size_t j = 0; ev->early && j < lists; j++)
        free(ev->early[j].k);
    for (size_t j = 0; ev->late && j < lists; j++)
        free(ev->late[j].k);
    for (int b = 0; ev->spares && b < ev->n_blocks; b++)
        for (int j = 0; j < ev->spares[b].n; j++)
            free(ev->spares[b].k[j]);
    free(ev->spares);
    for (int b = 0; ev->visitors && b < ev->n_blocks; b++)
        free(ev->visitors[b].k);
    for (int b = 0; ev->crowd && b < ev->n_blocks; b++)
        free(ev->crowd[b].k);
    for (int b = 0; ev->crowd_icpt && b < ev->n_blocks; b++)
        free(ev->crowd_icpt[b]);
    free(ev->crowd);
    free(ev->crowd_icpt);
    free(ev->blk_crowd);
    free(ev->early);
    free(ev->late);
    free(ev->visitors);
    free(ev->vis_sorted);
    free(ev->blk_cell);
    free(ev->blk_k0);
    free(ev->blk_k1);
    free(ev->count);
    free(ev->cons_bits);
    free(ev->cons_count);
    free(ev->cons_word0);
    free(m->sal_pow);
    m->sal_pow = NULL;
    free(m->sal_keep_at);
    m->sal_keep_at = NULL;
    free(m->sal_keep_first);
    m->sal_keep_first = NULL;
    memset(ev, 0, sizeof *ev);
}
