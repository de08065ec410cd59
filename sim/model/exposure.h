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

/* round_u16(clamp01(a) * ATTITUDE_Q): the same value for every a, NaN
 * included (each select keeps a NaN as clamp01 does, and the last maps it
 * to 0; test_attitude_q), as flat selects, which GCC 12 compiles to half
 * the instructions of the nested clamp and the rounding's own test (the
 * candidate touch's attitude, exposure_apply below). */
static inline uint16_t attitude_q(double a)
{
    double c = a > 1 ? 1 : a;
    c = c < 0 ? 0 : c;
    double y = c * ATTITUDE_Q;
    double r = y >= 0.5 ? y + 0.5 : 0.0;
    return (uint16_t)r;
}

/* Agent ag (salience already decayed to today) receives n >= 1
 * impressions: each adds 1 / (1 + s / w) to its salience s (w =
 * wearout_salience), its attitude moves toward the day's signal by keep =
 * (1 - attitude_learning_rate)^n, and an unaware agent whose salience
 * reaches aware_at (effective_frequency) becomes aware (ODD 7.3). The
 * values as arguments: the kernel's candidate loop loads them once a
 * cell-day (kernel.c). */
static inline void exposure_apply(ipsim_agent *ag, int n, double w, double aware_at, double keep,
                                  double signal)
{
    double s = ag->salience;
    s += w / (w + s); /* = 1 / (1 + s / w), one division; n >= 1 */
    for (int j = 1; j < n; j++) /* most agents have one impression */
        s += w / (w + s);
    double a = attitude_value(ag->attitude);
    a = signal + (a - signal) * keep;
    ag->attitude = attitude_q(a);
    if (ag->state == ST_UNAWARE && s >= aware_at)
        ag->state = ST_AWARE;
    ag->salience = (float)s;
}

#endif /* IPSIM_MODEL_EXPOSURE_H */
