/*
 * exposure.h - ODD phase 4a for one agent: its impressions of today added
 * to its salience (wear-out) and attitude. Inline: the kernel's candidate
 * loop (kernel.c) runs it for every agent with an impression. The day's
 * rates and signal are exposure.c's.
 */
#ifndef IPSIM_MODEL_EXPOSURE_H
#define IPSIM_MODEL_EXPOSURE_H

#include "model/state.h"

/* lround(x) for x in [0, 65535] (or NaN: 0, as lround's LONG_MIN cast):
 * x + 1/2 is exact there but for the largest double below 1/2, whose sum
 * rounds up to 1, hence the test. */
static inline uint16_t round_u16(double x)
{
    return x >= 0.5 ? (uint16_t)(x + 0.5) : 0;
}

/* Agent i (salience already decayed to today) receives n >= 1
 * impressions of cell-day c: each adds 1 / (1 + s / wearout_salience) to
 * its salience s, its attitude moves toward the day's signal by (1 -
 * attitude_learning_rate)^n, and an unaware agent whose salience reaches
 * effective_frequency becomes aware (ODD 7.3). */
static inline void exposure_agent(const struct ipsim_model *m, const cell_day *c, uint64_t i, int n)
{
    const sc_exposure *e = &m->sc->parameters.exposure;
    double s = m->ag.a[i].salience, w = e->wearout_salience;
    for (int j = 0; j < n; j++)
        s += w / (w + s); /* = 1 / (1 + s / w), one division */
    double a = m->ag.a[i].attitude / ATTITUDE_Q;
    a = c->signal + (a - c->signal) * m->att_keep[n]; /* = pow(1 - learning rate, n) */
    m->ag.a[i].attitude = round_u16(clamp01(a) * ATTITUDE_Q);
    if (m->ag.a[i].state == ST_UNAWARE && s >= e->effective_frequency)
        m->ag.a[i].state = ST_AWARE;
    m->ag.a[i].salience = (float)s;
}

#endif /* IPSIM_MODEL_EXPOSURE_H */
