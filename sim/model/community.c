/*
 * community.c - mechanism D (ODD 7.7): past visitors post as members of the
 * destination's community; part of ODD phase 4d (after the visit), called
 * from the agents' pass (kernel.c) for each block's past visitors.
 *
 * While D is active (today's community_post_rate > 0), a past visitor who
 * is AWARE or cooling down (RETURNED) posts with probability community_post_rate x loyalty per
 * day: Binomial(scale, that probability) of its people post (people.c). The post's sentiment follows
 * the agent's attitude (positive, negative or neutral by the visit's satisfaction thresholds), and
 * posting keeps the destination salient (one impression, with wear-out) to
 * the agent when its own person is among the posters: with probability
 * posters / scale (RNG_COMMUNITY v3), i.e. p per person at any scale.
 * The agents asked are the past visitors of each block of the event
 * calendar (agenda.c), not every agent.
 *
 * Sampling (ODD 3, "Community posting"): with p_max the probability that at
 * least one of a loyalty-1 agent's people posts today, if p_max >
 * COMMUNITY_DIRECT_THRESHOLD every past visitor draws its people count
 * (direct mode); otherwise geometric gaps of parameter p_max pick the past
 * visitors asked, each asked one is kept with probability P(at least one
 * poster | its loyalty, state) / p_max (thinning; states other than AWARE
 * and RETURNED are never kept) and draws its count given at least one
 * (people.c). Both modes give the same joint distribution of who posts and
 * how many.
 */
#include <math.h>
#include "model/state.h"

/* Gaps are capped here (far beyond any list): the pass ends. */
#define GAP_CAP 1e12

/* The next geometric gap (agents skipped) of the pass's stream: four per
 * Philox block of the COMMUNITY_SKIP purpose, agent word = block of the cell
 * + 2^16 floor(j / 256), draw = j mod 256. */
static uint64_t community_gap(community_pass *cp)
{
    if (cp->used == 4) {
        cp->buf = rng_block(cp->rng, cp->cell, cp->block | ((cp->j >> 8) << 16), cp->day,
                            RNG_COMMUNITY_SKIP, cp->j & 0xffu);
        cp->j++;
        cp->used = 0;
    }
    double g = floor(log(rng_u01(cp->buf.v[cp->used++])) / cp->log_q);
    return g < GAP_CAP ? (uint64_t)g : (uint64_t)GAP_CAP;
}

void ipsim__community_prepare(ipsim_model *m, int tau)
{
    ipsim_agenda *ev = &m->ev;
    ev->comm_rate = m->dest_days[tau].community_post_rate;
    ev->comm_p_max = ipsim__people_some(m->scale, ev->comm_rate);
    ev->comm_direct = ev->comm_p_max > COMMUNITY_DIRECT_THRESHOLD || ev->vis_walk_all;
    ev->comm_log_q = log1p(-fmin(ev->comm_p_max, COMMUNITY_DIRECT_THRESHOLD));
}

uint64_t ipsim__community_begin(const ipsim_model *m, int cell, int b, int tau, community_pass *cp)
{
    cp->rate = m->ev.comm_rate; /* today's, from ipsim__community_prepare */
    cp->p_max = m->ev.comm_p_max;
    cp->direct = m->ev.comm_direct;
    cp->log_q = m->ev.comm_log_q;
    cp->rng = &m->rng;
    cp->cell = (uint32_t)cell;
    cp->block = m->ev.blk_k0[b] / EVENT_BLOCK;
    cp->day = (uint32_t)tau;
    cp->j = 0;
    cp->used = 4;
    if (cp->direct)
        return 0;
    return cp->p_max > 0 ? community_gap(cp) : (uint64_t)GAP_CAP;
}

uint64_t ipsim__community_next(community_pass *cp, uint64_t j)
{
    return cp->direct ? j + 1 : j + 1 + community_gap(cp);
}

int ipsim__community_post(ipsim_model *m, const community_pass *cp, int cell, uint32_t k,
                          uint64_t i, int tau, thread_acc *ta, int64_t *acc)
{
    if (cp->rate <= 0 || m->ag.a[i].visits == 0)
        return 0;
    int st = m->ag.a[i].state;
    if (st != ST_AWARE && st != ST_RETURNED)
        return 0;
    double p = cp->rate * (m->ag.a[i].loyalty / LOYALTY_Q);
    philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_COMMUNITY, 0);
    int64_t posters;
    if (cp->direct)
        posters = ipsim__people_count(m->scale, p, r.v[0], r.v[1]);
    else if (p > 0 && rng_u01(r.v[2]) * cp->p_max < ipsim__people_some(m->scale, p))
        posters = ipsim__people_count_pos(m->scale, p, r.v[0], r.v[1]);
    else
        posters = 0;
    if (posters == 0)
        return 0;
    const sc_visit *v = &m->sc->parameters.visit;
    double att = attitude_value(m->ag.a[i].attitude);
    int kind = att >= v->satisfaction_positive ? 0 : (att < v->satisfaction_negative ? 1 : 2);
    int mk = cell_market(cell);
    acc[ACC_POS + kind] += posters;
    ta->market_posts[mk * 3 + kind] += posters;
    ta->market_signal[mk * 3 + kind] += posters * round_i64(att * SAT_FIXED);
    /* posting keeps the destination salient to the people who posted: the
     * agent stands for one of its people, who is among the posters with
     * probability posters / scale (so with probability p, as a person at
     * scale 1). Boosting whenever anyone posted made it 1 - (1 - p)^scale:
     * more salience and more repeat trips the more people an agent stands
     * for (mechanism D's arrivals were 10 % higher at scale 300 than 30). */
    if (!(rng_u01(r.v[3]) * m->scale < (double)posters))
        return 1;
    salience_sync(m, i, tau); /* lazy salience (agenda.c) */
    float s = m->ag.a[i].salience;
    double w = m->sc->parameters.exposure.wearout_salience;
    m->ag.a[i].salience = s + (float)(w / (w + s)); /* = 1 / (1 + s / w) */
    return 1;
}
