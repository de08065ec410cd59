/*
 * crowding.c - the crowding people meet at an asset (ODD 7.4-7.6; issue 12
 * item 1, scale convergence).
 *
 * One agent stands for `scale` people who book, travel and stay together, so
 * the realised occupancy of an asset moves in blocks of `scale`; crowding
 * felt is convex in occupancy (nothing below the threshold, linear above),
 * so a lumpier occupancy of the same mean would cost more satisfaction at a
 * coarse scale (Jensen), and a lumpy one moves satisfaction across the
 * post-sentiment thresholds. Crowding is therefore computed from the
 * EXPECTED occupancy: each day, every agent that could book (considering
 * after today's impressions, or booked today) adds scale x the trip-occasion
 * probability x its booking probability x each asset's choice probability
 * x the probability its stay covers the night. Its expectation is the
 * realised occupancy's, but the occasion, booking, asset and nights draws
 * no longer make it lumpy, so it is the same at any scale. Where a cell has
 * more than CROWD_SAMPLE agents, a systematic sample (every stride-th agent
 * from a random offset, RNG_CROWD) stands in for all, weighted by the
 * stride (Horvitz-Thompson: unbiased; with thousands of agents sampled a
 * day its noise is far below that of the realised occupancy). A smaller
 * cell is evaluated whole, from the list of its agents that may book
 * (agenda.c), so that it costs what those agents cost. The sums are
 * fixed-point integers (order-independent: bitwise identical at any thread
 * count). The realised occupancy stays the output (/asset_daily/visitors).
 *
 * Capacity (ODD 7.11, capacity.c) binds on the people on site, so what
 * the agents add here are expected booking REQUESTS of today (confirmed
 * tomorrow); capacity.c turns them into acceptance probabilities and the
 * expected confirmed people of each night. The people felt on site on a
 * night are those expected confirmed overnight visitors plus the day
 * visitors admitted (dayvisits.c, ODD 7.12, already expected values), at
 * most the capacity: crowding felt never exceeds capacity / capacity = 1.
 */
#include <math.h>
#include "model/state.h"

/* expected people x OCC_FIXED (2^20: a contribution of 1e-6 people counts) */
#define OCC_FIXED 1048576.0

/* The nights a booking of cell-day c covers: `full` whole ones from its
 * arrival day, and night `full` by the returned fraction (nights =
 * floor(mean + u), at most MAX_TRIP_NIGHTS). */
static double booked_nights(const cell_day *c, int *full)
{
    *full = (int)floor(c->nights_mean);
    if (*full >= MAX_TRIP_NIGHTS) {
        *full = MAX_TRIP_NIGHTS;
        return 0;
    }
    return c->nights_mean - *full;
}

void ipsim__crowding_request_days(const struct ipsim_model *m, int *lo, int *hi)
{
    *lo = m->n_days_ext;
    *hi = -1;
    for (int c = 0; c < m->n_cells; c++) {
        int full, t0 = m->cells[c].arrival_tau;
        (void)booked_nights(&m->cells[c], &full);
        int t1 = t0 + full < m->n_days_ext ? t0 + full : m->n_days_ext - 1;
        if (t0 < *lo)
            *lo = t0;
        if (t1 > *hi)
            *hi = t1;
    }
}

/* Add `weight` bookings of cell-day c (expected people = weight x scale) to
 * the expected occupancy of every asset and night they would cover. */
static void expect_add(struct ipsim_model *m, const cell_day *c, double weight)
{
    if (!(weight > 0))
        return;
    int full;
    double frac = booked_nights(c, &full);
    /* nights arrival_tau + j, j < full, are covered whole, night full by
     * frac; none from n_days_ext on */
    int t0 = c->arrival_tau, whole_end = t0 + full < m->n_days_ext ? t0 + full : m->n_days_ext;
    int part = frac > 0 && t0 + full < m->n_days_ext;
    double prev = 0;
    for (int a = 0; a < m->n_assets; a++) {
        double pa = (a == m->n_assets - 1 ? 1.0 : c->asset_cdf[a]) - prev;
        prev = c->asset_cdf[a];
        if (!(pa > 0))
            continue;
        double people = m->scale * weight * pa;
        /* people x cover x OCC_FIXED rounded as llround; cover 1 is exact,
         * so every whole night adds the same amount */
        int64_t whole = round_i64(people * OCC_FIXED);
        for (int t = t0; t < whole_end; t++)
            shared_add(m, &m->occ_expect[(size_t)t * m->n_assets + a], whole);
        if (part)
            shared_add(m, &m->occ_expect[(size_t)(t0 + full) * m->n_assets + a],
                       round_i64(people * frac * OCC_FIXED));
    }
}

/* Agent i's expected booking requests of today (w x its booking
 * probability), if it may book: booked today (PENDING since today), or
 * considering (after today's decay); else 0. */
static double sample_agent(struct ipsim_model *m, const cell_day *c, int cell, uint32_t k, uint64_t i,
                           int tau, double w, float consider, long cool, const double *intercept)
{
    uint8_t st = m->ag.a[i].state;
    int last;
    if (st == ST_PENDING && m->ag.a[i].day_mark == c->arrival_tau)
        last = c->arrival_tau; /* booked today */
    else if (!(m->ag.a[i].flags & AGF_CONSIDERING) && st != ST_RETURNED)
        return 0; /* not considering at its last touch (kernel.c): its
                 * salience was below consider_salience then, and has
                 * only decayed since */
    else if (salience_now(m, i, tau) < consider) /* lazy salience (agenda.c) */
        return 0;
    else if (st == ST_AWARE)
        last = m->ag.a[i].day_mark;
    else if (st == ST_RETURNED && m->ag.a[i].day_mark <= tau)
        last = m->ag.a[i].day_mark - (int)cool;
    else
        return 0;
    return w * ipsim__decision_probability(m, c, cell, k, i, tau, last, intercept);
}

void ipsim__crowding_sample(struct ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1, int tau)
{
    const cell_day *c = &m->cells[cell];
    if (!(c->p_occasion > 0))
        return;
    const float consider = (float)m->sc->parameters.exposure.consider_salience;
    long cool = (long)round_i64(m->sc->parameters.decision.cooldown_days);
    uint64_t base = m->cell_start[cell];
    /* the block's expected requests, summed in the block's own order (one
     * thread a block: the same at any thread count), go to the occupancy
     * once: every agent of a cell-day covers the same assets and nights */
    double sum = 0;
    if (m->ev.blk_crowd[b]) {
        /* a small cell, evaluated whole: only the agents on the crowd list
         * can book (agenda.c); those that no longer can leave it. The sums
         * are integers, so the list's order does not matter. */
        ev_list *l = &m->ev.crowd[b];
        double *icpt = m->ev.crowd_icpt[b];
        uint32_t kept = 0;
        for (uint32_t j = 0; j < l->n; j++) {
            uint32_t k = l->k[j];
            uint64_t i = base + k;
            sum += sample_agent(m, c, cell, k, i, tau, c->p_occasion, consider, cool, &icpt[j]);
            uint8_t st = m->ag.a[i].state;
            if ((m->ag.a[i].flags & AGF_CONSIDERING) || st == ST_PENDING || st == ST_RETURNED) {
                icpt[kept] = icpt[j];
                l->k[kept++] = k;
            } else
                m->ag.a[i].flags &= (uint8_t)~AGF_CROWD_LISTED;
        }
        l->n = kept;
        expect_add(m, c, sum);
        return;
    }
    uint32_t stride = m->cell_n[cell] / CROWD_SAMPLE;
    if (stride < 1)
        stride = 1;
    uint32_t off = 0;
    if (stride > 1) {
        philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, 0, (uint32_t)tau, RNG_CROWD, 0);
        off = (uint32_t)(rng_u01(r.v[0]) * stride);
    }
    uint32_t k = k0 + (off + stride - k0 % stride) % stride;
    double w = c->p_occasion * stride;
    /* only an agent with its bit set (considering or PENDING, state.h) can
     * add anything: the others are passed without reading their record */
    for (; k < k1; k += stride)
        if (cons_bit(&m->ev, cell, k))
            sum += sample_agent(m, c, cell, k, base + k, tau, w, consider, cool, NULL);
    expect_add(m, c, sum);
}

double ipsim__crowding_requested(struct ipsim_model *m, int tau, int a)
{
    int64_t *q = &m->occ_expect[(size_t)tau * m->n_assets + a];
    double people = (double)*q / OCC_FIXED;
    *q = 0;
    return people;
}

double ipsim__crowding_expected(const struct ipsim_model *m, int tau, int a)
{
    size_t at = (size_t)tau * m->n_assets + a;
    return fmin(m->confirmed[at] + m->day_load[at], m->sc->destination.assets[a].capacity_per_day);
}

double ipsim__crowding_trip(const struct ipsim_model *m, int a, int arrive, int nights)
{
    const sc_visit *v = &m->sc->parameters.visit;
    double cap = m->sc->destination.assets[a].capacity_per_day, sum = 0;
    for (int t = arrive; t < arrive + nights; t++)
        sum += fmax(0, ipsim__crowding_expected(m, t, a) / cap - v->crowding_threshold);
    return sum / nights;
}

double ipsim__crowding_index(const struct ipsim_model *m, int tau)
{
    double num = 0, den = 0;
    for (int a = 0; a < m->n_assets; a++) {
        double people = ipsim__crowding_expected(m, tau, a);
        num += people * people / m->sc->destination.assets[a].capacity_per_day;
        den += people;
    }
    return den > 0 ? num / den : 0;
}
