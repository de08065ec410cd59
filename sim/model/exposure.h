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

/* Agent ag (salience already decayed to today) receives n >= 1
 * impressions of cell-day c: each adds 1 / (1 + s / wearout_salience) to
 * its salience s, its attitude moves toward the day's signal by (1 -
 * attitude_learning_rate)^n, and an unaware agent whose salience reaches
 * effective_frequency becomes aware (ODD 7.3). */
static inline void exposure_agent(const struct ipsim_model *m, const cell_day *c, ipsim_agent *ag, int n)
{
    const sc_exposure *e = &m->sc->parameters.exposure;
    const double w = e->wearout_salience, aware_at = e->effective_frequency;
    const double keep = m->att_keep[n], signal = c->signal;
    double s = ag->salience;
    for (int j = 0; j < n; j++)
        s += w / (w + s); /* = 1 / (1 + s / w), one division */
    double a = ag->attitude / ATTITUDE_Q;
    a = signal + (a - signal) * keep; /* keep = pow(1 - learning rate, n) */
    ag->attitude = round_u16(clamp01(a) * ATTITUDE_Q);
    if (ag->state == ST_UNAWARE && s >= aware_at)
        ag->state = ST_AWARE;
    ag->salience = (float)s;
}

#endif /* IPSIM_MODEL_EXPOSURE_H */
