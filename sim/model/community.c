/*
 * community.c - mechanism D (ODD 7.7): past visitors post as members of the
 * destination's community; part of ODD phase 4d (after the visit), called
 * from the agents' pass (kernel.c) for each block's past visitors.
 *
 * While D is active (today's community_post_rate > 0), a past visitor who
 * is AWARE or cooling down (RETURNED) posts with probability community_post_rate x loyalty per
 * day: Binomial(scale, that probability) of its people post (people.c). The post's sentiment follows
 * the agent's attitude (positive, negative or neutral by the visit's satisfaction thresholds), and
 * posting keeps the destination salient (one impression, with wear-out).
 * The agents asked are the past visitors of each block of the event
 * calendar (agenda.c), not every agent.
 */
#include <math.h>
#include "model/state.h"

int ipsim__community_post(ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau, thread_acc *ta,
                          int64_t *acc)
{
    const dest_day *dd = &m->dest_days[tau];
    if (dd->community_post_rate <= 0 || m->ag.visits[i] == 0)
        return 0;
    int st = m->ag.state[i];
    if (st != ST_AWARE && st != ST_RETURNED)
        return 0;
    double L = m->ag.loyalty[i] / LOYALTY_Q;
    philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_COMMUNITY, 0);
    int64_t posters = ipsim__people_count(m->scale, dd->community_post_rate * L, r.v[0], r.v[1]);
    if (posters == 0)
        return 0;
    const sc_visit *v = &m->sc->parameters.visit;
    double att = m->ag.attitude[i] / ATTITUDE_Q;
    int kind = att >= v->satisfaction_positive ? 0 : (att < v->satisfaction_negative ? 1 : 2);
    int mk = cell_market(cell);
    acc[ACC_POS + kind] += posters;
    ta->market_posts[mk * 3 + kind] += posters;
    ta->market_signal[mk * 3 + kind] += posters * llround(att * SAT_FIXED);
    salience_sync(m, i, tau); /* lazy salience (agenda.c) */
    float s = m->ag.salience[i];
    m->ag.salience[i] = s + (float)(1.0 / (1.0 + s / m->sc->parameters.exposure.wearout_salience));
    return 1;
}
