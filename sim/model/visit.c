/*
 * visit.c - ODD phases 4c (visit) and 4d (after the visit) of the daily
 * step: the trip and what follows it.
 *
 * Arrival puts the agent on site at its main asset for its nights (its
 * occupancy was counted when its booking was confirmed, capacity.c). On the departure day
 * the agent judges the trip (ODD 7.5): experience = its taste-weighted
 * quality of the asset (authenticity & participation, emotional value,
 * aesthetics, shareability, service) minus crowding beyond the threshold,
 * plus event and hospitality bonuses; satisfaction follows Oliver's
 * expectation-disconfirmation: experience + weight x (experience - the
 * expectation it arrived with). Then it spends, may post (sentiment from
 * satisfaction), updates loyalty, attitude and salience, and cools down.
 */
#include <math.h>
#include "model/state.h"

void ipsim__visit_taste(const struct ipsim_model *m, int cell, uint32_t k, agent_taste *t)
{
    const sc_segment *g = &m->sc->segments[cell_segment(cell)];
    philox4x32_ctr_t a = rng_block(&m->rng, (uint32_t)cell, k, 0, RNG_TRAIT, 0);
    philox4x32_ctr_t b = rng_block(&m->rng, (uint32_t)cell, k, 0, RNG_TRAIT, 1);
    double z[6];
    rng_normal2(a.v[0], a.v[1], &z[0], &z[1]);
    rng_normal2(a.v[2], a.v[3], &z[2], &z[3]);
    rng_normal2(b.v[0], b.v[1], &z[4], &z[5]);
    /* lognormal multipliers with mean 1 and coefficient of variation taste_cv */
    double sigma = sqrt(log(1 + g->taste_cv * g->taste_cv));
    const double mean[5] = {g->w_authenticity, g->w_emotional, g->w_aesthetic, g->w_digital,
                            g->w_service};
    for (int j = 0; j < 5; j++)
        t->w[j] = mean[j] * exp(sigma * z[j] - 0.5 * sigma * sigma);
    t->intercept = g->taste_sd_utility * z[5];
}

double ipsim__visit_quality(const struct ipsim_model *m, const double w[5], int tau, int asset)
{
    const asset_day *x = &m->asset_days[(size_t)tau * m->n_assets + asset];
    double keep = 1 - m->pf.erosion;
    double q[5] = {0.5 * (x->authenticity + x->participation) * keep, x->emotional * keep,
                   x->aesthetics, x->shareability, m->dest_days[tau].service_quality};
    double num = 0, den = 0;
    for (int j = 0; j < 5; j++) {
        num += w[j] * q[j];
        den += w[j];
    }
    return den > 0 ? num / den : 0;
}

void ipsim__visit_arrive(struct ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                         int64_t *acc)
{
    (void)cell;
    (void)k;
    int nights = m->ag.a[i].nights, a = m->ag.a[i].asset;
    m->ag.a[i].state = ST_ON_TRIP;
    m->ag.a[i].day_mark = (uint16_t)(tau + nights);
    (void)a; /* occupancy was counted when the booking was confirmed (7.11) */
    acc[ACC_ARRIVALS]++;
    if (m->ag.a[i].visits)
        acc[ACC_REPEAT]++;
}

void ipsim__visit_depart(struct ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                         thread_acc *ta, int64_t *acc)
{
    const sc_data *sc = m->sc;
    const sc_visit *v = &sc->parameters.visit;
    const sc_segment *g = &sc->segments[cell_segment(cell)];
    int mk = cell_market(cell), a = m->ag.a[i].asset, nights = m->ag.a[i].nights;
    int arrive = tau - nights;
    const asset_day *ad = &m->asset_days[(size_t)arrive * m->n_assets + a];
    const dest_day *dd = &m->dest_days[arrive];

    agent_taste t;
    ipsim__visit_taste(m, cell, k, &t);
    double expect = attitude_value(m->ag.a[i].attitude);
    double exper = ipsim__visit_quality(m, t.w, arrive, a) -
                   g->crowding_sensitivity * ipsim__crowding_trip(m, a, arrive, nights) +
                   ad->experience_bonus + dd->hospitality_bonus;
    /* satisfaction is a rating on [-1, 1] (7.5) */
    double sat = fmax(-1, fmin(1, exper + v->disconfirmation_weight * (exper - expect)));
    double neutral = sat_neutral(v);

    acc[ACC_DEPARTURES]++;
    acc[ACC_SAT_SUM] += llround(sat * SAT_FIXED);
    acc[ACC_SPEND] += llround(nights * g->spend_per_night_cny * sc->destination.price_level);

    /* posting: propensity x shareability x multipliers, more likely the
     * further satisfaction is from neutral */
    philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_TRIP, 1);
    double p_post = g->post_propensity * ad->shareability * ad->post_mult *
                    m->dest_days[tau].post_mult * (1 + v->post_extremity_gain * fabs(sat - neutral));
    int64_t posters = ipsim__people_count(m->scale, p_post, r.v[0], r.v[1]);
    if (posters > 0) { /* people, not agents (ODD 4.9) */
        int kind = sat >= v->satisfaction_positive ? 0 : (sat < v->satisfaction_negative ? 1 : 2);
        acc[ACC_POS + kind] += posters;
        ta->market_posts[mk * 3 + kind] += posters;
        ta->market_signal[mk * 3 + kind] += posters * llround(clamp01(exper) * SAT_FIXED);
    }
    ta->market_returns[mk]++;
    ta->market_wom_signal[mk] += llround(clamp01(exper) * SAT_FIXED);

    /* loyalty (stored at booking, already decayed), attitude, salience */
    double L = m->ag.a[i].loyalty / LOYALTY_Q +
               v->loyalty_gain * m->dest_days[tau].loyalty_gain_mult * (sat - neutral);
    m->ag.a[i].loyalty = (uint8_t)lround(clamp01(L) * LOYALTY_Q);
    double att = (1 - v->experience_learning) * expect + v->experience_learning * clamp01(exper);
    m->ag.a[i].attitude = (uint16_t)lround(clamp01(att) * ATTITUDE_Q);
    double liking = clamp01((sat - v->satisfaction_negative) /
                            (v->satisfaction_positive - v->satisfaction_negative));
    m->ag.a[i].salience += (float)(v->repeat_salience_boost * liking);
    if (m->ag.a[i].visits < 255)
        m->ag.a[i].visits++;

    long cool = lround(sc->parameters.decision.cooldown_days);
    m->ag.a[i].state = cool > 0 ? ST_RETURNED : ST_AWARE;
    m->ag.a[i].day_mark = (uint16_t)(tau + cool);
}
