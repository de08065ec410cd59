/*
 * capacity.c - ODD 7.11: capacity that binds. Asset capacity (visitors on
 * site per day) and accommodation (guest beds per night) limit bookings.
 *
 * A booking is a request on the day it is made (state PENDING). The
 * acceptance probability of each (asset, night) is computed from EXPECTED
 * people, not from agents, so that capacity binds the same at any scale
 * (ODD 7.10: one agent of `scale` people may be larger than an asset's
 * whole capacity): crowding.c adds each day the expected people whose
 * requests of today cover the night (every agent that could book, weighted
 * by its booking probability: right in expectation, not lumpy); after the
 * agents' pass (phase 5a) the acceptance probability is the capacity left
 * after the expected confirmed people over today's expected requests,
 * capped at 1, and the expected confirmed people grow by acceptance x
 * requests. The next day (first step of 4b) each pending agent is confirmed
 * with the smallest acceptance probability over the nights of its stay (its
 * own TRIP draw 2 word) or turned away. Expected confirmations fill the
 * capacity and never exceed it; the realised occupancy (agents, an output)
 * may exceed it by binomial noise, by whole agents at a coarse scale (a
 * resolution limit, ODD 7.10). Every input of the probability is a
 * fixed-point sum or computed serially, so results are bitwise identical
 * at any thread count.
 */
#include <math.h>
#include <string.h>
#include "model/state.h"

/* Acceptance probability of a stay at asset a over nights [arrive, arrive+nights). */
static double stay_acceptance(const struct ipsim_model *m, int a, int arrive, int nights)
{
    double p = 1;
    for (int t = arrive; t < arrive + nights && t < m->n_days_ext; t++)
        p = fmin(p, m->accept[(size_t)t * m->n_assets + a]);
    return p;
}

void ipsim__capacity_confirm(struct ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                             int64_t *acc)
{
    int a = m->ag.a[i].asset, arrive = m->ag.a[i].day_mark, nights = m->ag.a[i].nights;
    double p = stay_acceptance(m, a, arrive, nights);
    int ok = p >= 1;
    if (!ok && p > 0) {
        philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_TRIP, 2);
        ok = rng_u01(r.v[0]) < p;
    }
    if (ok) {
        m->ag.a[i].state = ST_BOOKED;
        for (int t = arrive; t < arrive + nights && t < m->n_days_ext; t++) {
            shared_add(m, &m->occupancy[(size_t)t * m->n_assets + a], 1);
        }
        return;
    }
    /* turned away: free to decide again on a later occasion (another date)
     * or to go elsewhere; loyalty was stored as of the request day */
    m->ag.a[i].state = ST_AWARE;
    m->ag.a[i].day_mark = (uint16_t)(tau - 1);
    acc[ACC_TURNED_AWAY]++;
}

void ipsim__capacity_update(struct ipsim_model *m, int tau)
{
    const sc_destination *d = &m->sc->destination;
    int na = m->n_assets;
    double beds = d->accommodation_per_night; /* people */
    int last = tau + m->horizon < m->n_days_ext ? tau + m->horizon : m->n_days_ext - 1;
    int lo, hi; /* the nights that may have requests today (crowding.c) */
    ipsim__crowding_request_days(m, &lo, &hi);
    for (int t = tau + 1; t <= last; t++) {
        double req[IPSIM_MAX_ASSETS];
        double *acc = &m->accept[(size_t)t * na];
        double *conf = &m->confirmed[(size_t)t * na];
        if (t < lo || t > hi) { /* none requested: as below, without reading */
            for (int a = 0; a < na; a++)
                acc[a] = 1;
            continue;
        }
        double asked = 0, held = 0, rb = 1;
        int none = 1;
        for (int a = 0; a < na; a++) {
            req[a] = ipsim__crowding_requested(m, t, a);
            asked += req[a];
            held += conf[a];
            none &= req[a] == 0;
        }
        if (none) { /* no request for day t today: what the rule below gives */
            for (int a = 0; a < na; a++)
                acc[a] = 1;
            continue;
        }
        if (beds > 0 && asked > 0)
            rb = fmax(0, beds - held) / asked;
        for (int a = 0; a < na; a++) {
            double ra = 1;
            if (req[a] > 0)
                ra = fmax(0, d->assets[a].capacity_per_day - conf[a]) / req[a];
            acc[a] = fmin(1, fmin(ra, rb));
            conf[a] += acc[a] * req[a];
        }
    }
}

double ipsim__capacity_price_mult(const struct ipsim_model *m, int tau)
{
    const sc_destination *d = &m->sc->destination;
    if (!(d->accommodation_per_night > 0) || d->price_response <= 0)
        return 1;
    double held = 0; /* expected confirmed people (scale-free) */
    for (int a = 0; a < m->n_assets; a++)
        held += m->confirmed[(size_t)tau * m->n_assets + a];
    double share = held / d->accommodation_per_night;
    return 1 + fmin(d->price_cap, d->price_response * fmin(1, share));
}
