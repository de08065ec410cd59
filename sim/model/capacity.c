/*
 * capacity.c - ODD 7.10: capacity that binds. Asset capacity (visitors on
 * site per day) and accommodation (guest beds per night) limit bookings.
 *
 * A booking is a request on the day it is made (state PENDING); the
 * requests of a day are tallied per asset and night (integer atomic adds,
 * so the tally does not depend on the order of agents or the number of
 * threads). After the agents' pass (phase 5a) the acceptance probability of
 * each (asset, night) is the remaining capacity over today's requests for
 * it, capped at 1; the next day (first step of 4b) each pending agent is
 * confirmed with the smallest acceptance probability over the nights of its
 * stay (its own TRIP draw 2 word) or turned away. Expected confirmations
 * therefore fill the remaining capacity and never exceed it; binomial noise
 * may exceed it by a few agents, which the next day's remaining capacity
 * (negative) takes back. Every input of the probability is known before the
 * agents act, so results are bitwise identical at any thread count.
 */
#include <math.h>
#include <string.h>
#include "model/state.h"

void ipsim__capacity_request(struct ipsim_model *m, int asset, int arrive, int nights) {
    for (int t = arrive; t < arrive + nights && t < m->n_days_ext; t++) {
        #pragma omp atomic
        m->requests[(size_t)t * m->n_assets + asset] += 1;
    }
}

/* Acceptance probability of a stay at asset a over nights [arrive, arrive+nights). */
static double stay_acceptance(const struct ipsim_model *m, int a, int arrive, int nights) {
    double p = 1;
    for (int t = arrive; t < arrive + nights && t < m->n_days_ext; t++)
        p = fmin(p, m->accept[(size_t)t * m->n_assets + a]);
    return p;
}

void ipsim__capacity_confirm(struct ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                             int64_t *acc) {
    int a = m->ag.asset[i], arrive = m->ag.day_mark[i], nights = m->ag.nights[i];
    double p = stay_acceptance(m, a, arrive, nights);
    int ok = p >= 1;
    if (!ok && p > 0) {
        philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_TRIP, 2);
        ok = rng_u01(r.v[0]) < p;
    }
    if (ok) {
        m->ag.state[i] = ST_BOOKED;
        for (int t = arrive; t < arrive + nights && t < m->n_days_ext; t++) {
            #pragma omp atomic
            m->occupancy[(size_t)t * m->n_assets + a] += 1;
        }
        return;
    }
    /* turned away: free to decide again on a later occasion (another date)
     * or to go elsewhere; loyalty was stored as of the request day */
    m->ag.state[i] = ST_AWARE;
    m->ag.day_mark[i] = (uint16_t)(tau - 1);
    acc[ACC_TURNED_AWAY]++;
}

void ipsim__capacity_update(struct ipsim_model *m, int tau) {
    const sc_destination *d = &m->sc->destination;
    int na = m->n_assets;
    double beds = d->accommodation_per_night / m->scale;   /* in agents */
    int last = tau + m->horizon < m->n_days_ext ? tau + m->horizon : m->n_days_ext - 1;
    for (int t = tau + 1; t <= last; t++) {
        int64_t *req = &m->requests[(size_t)t * na];
        double *acc = &m->accept[(size_t)t * na];
        const int64_t *occ = &m->occupancy[(size_t)t * na];
        double rb = 1;
        if (beds > 0) {
            int64_t asked = 0, held = 0;
            for (int a = 0; a < na; a++) {
                asked += req[a];
                held += occ[a];
            }
            if (asked > 0) rb = fmax(0, beds - (double)held) / (double)asked;
        }
        for (int a = 0; a < na; a++) {
            double ra = 1;
            if (req[a] > 0) {
                double room = d->assets[a].capacity_per_day / m->scale - (double)occ[a];
                ra = fmax(0, room) / (double)req[a];
            }
            acc[a] = fmin(1, fmin(ra, rb));
            req[a] = 0;
        }
    }
}

double ipsim__capacity_price_mult(const struct ipsim_model *m, int tau) {
    const sc_destination *d = &m->sc->destination;
    if (!(d->accommodation_per_night > 0) || d->price_response <= 0) return 1;
    int64_t held = 0;
    for (int a = 0; a < m->n_assets; a++) held += m->occupancy[(size_t)tau * m->n_assets + a];
    double share = (double)held * m->scale / d->accommodation_per_night;
    return 1 + fmin(d->price_cap, d->price_response * fmin(1, share));
}
