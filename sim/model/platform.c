/*
 * platform.c - ODD phase 5 (platform and destination update) of the daily
 * step: the content platform and the destination's slow variables.
 *
 * After the agents have acted, today's posts join each market's live post
 * stock (neutral posts with a reduced weight), old posts decay with the
 * post half-life, and returning visitors' word of mouth joins their home
 * market's word-of-mouth stock. The platform's algorithm amplifies reach
 * when the destination's post flow rises fast against its own recent
 * baseline (velocity; complaints weigh less than praise): amplification =
 * 1 + gain x x^h / (x^h + X^h), x = (recent + K) / (baseline + K) - 1, the
 * breakout engine (ODD 7.6); as the baseline catches up, platform attention
 * moves on. Reputation moves toward the mean
 * experience carried by live posts; expected crowding follows today's
 * visitor-weighted occupancy; experiential erosion grows slowly and is
 * repaired by mechanism D's feedback-driven iteration.
 */
#include <math.h>
#include <stdlib.h>
#include "model/state.h"

void ipsim__platform_init(struct ipsim_model *m)
{
    m->pf.reputation = m->sc->destination.initial_reputation;
    m->pf.amplification = 1;
    m->pf.flow_short = m->pf.weight_short = m->pf.flow_base = m->pf.weight_base = 0;
    m->pf.crowd_expect = 0;
    m->pf.erosion = 0;
}

static double live_stock(const struct ipsim_model *m, double *signal)
{
    double p = 0, s = 0;
    for (int j = 0; j < m->n_markets; j++) {
        p += m->pf.post_stock[j];
        s += m->pf.post_signal[j];
    }
    *signal = s;
    return p;
}

/* Trending velocity (ODD 7.6): exponentially weighted recent and baseline
 * flows, each divided by its weight (the mean over the days so far, so the
 * first days need no start value), compared with the floor K added. */
static double trending(struct ipsim_model *m, double flow)
{
    const sc_platform *p = &m->sc->platform;
    double ds = pow(0.5, 1 / p->trending_short_half_life_days);
    double db = pow(0.5, 1 / p->trending_baseline_half_life_days);
    ipsim_platform *pf = &m->pf;
    pf->flow_short = ds * pf->flow_short + (1 - ds) * flow;
    pf->weight_short = ds * pf->weight_short + (1 - ds);
    pf->flow_base = db * pf->flow_base + (1 - db) * flow;
    pf->weight_base = db * pf->weight_base + (1 - db);
    double k = p->trending_threshold_posts;
    double v = (pf->flow_short / pf->weight_short + k) / (pf->flow_base / pf->weight_base + k) - 1;
    if (!(v > 0))
        return 1;
    double xh = pow(v, p->trending_hill), kh = pow(p->trending_velocity, p->trending_hill);
    return 1 + p->trending_max_gain * xh / (xh + kh);
}

void ipsim__platform_update(struct ipsim_model *m, int tau, const int64_t *market_posts,
                            const int64_t *market_signal, const int64_t *market_returns,
                            const int64_t *market_wom_signal)
{
    const sc_data *sc = m->sc;
    const sc_platform *p = &sc->platform;
    const sc_visit *v = &sc->parameters.visit;
    double nw = p->neutral_post_weight, wom = sc->parameters.exposure.wom_impressions_per_visitor;
    double flow = 0; /* today's trending post flow (people's posts, sentiment-weighted) */
    for (int j = 0; j < m->n_markets; j++) {
        const int64_t *n = &market_posts[j * 3];
        flow += (double)n[0] + p->trending_negative_weight * (double)n[1] + nw * (double)n[2];
        const int64_t *s = &market_signal[j * 3];
        double w = (double)n[0] + (double)n[1] + nw * (double)n[2];
        double sig = ((double)s[0] + (double)s[1] + nw * (double)s[2]) / SAT_FIXED;
        m->pf.post_stock[j] = m->pf.post_stock[j] * m->post_decay + w; /* people's posts */
        m->pf.post_signal[j] = m->pf.post_signal[j] * m->post_decay + sig;
        m->pf.wom_stock[j] = m->pf.wom_stock[j] * m->post_decay +
                             m->scale * wom * (double)market_returns[j];
        m->pf.wom_signal[j] = m->pf.wom_signal[j] * m->post_decay +
                              m->scale * wom * (double)market_wom_signal[j] / SAT_FIXED;
    }
    double signal_sum, stock = live_stock(m, &signal_sum);
    m->pf.amplification = trending(m, flow);
    if (stock > 0)
        m->pf.reputation += v->reputation_learning_rate * (signal_sum / stock - m->pf.reputation);
    m->pf.crowd_expect += (ipsim__crowding_index(m, tau) - m->pf.crowd_expect) /
                          v->crowding_memory_days;
    double e = m->pf.erosion;
    e += sc->destination.erosion_per_year / 365.0 * (1 - e) -
         m->dest_days[tau].feedback_improvement * e;
    m->pf.erosion = clamp01(e);
}

/* The mean experience carried by live posts (reputation when there are none). */
double ipsim__platform_ugc_signal(const struct ipsim_model *m)
{
    double s, p = live_stock(m, &s);
    return p > 0 ? s / p : m->pf.reputation;
}

double ipsim__platform_post_stock(const struct ipsim_model *m)
{
    double s;
    return live_stock(m, &s);
}

void ipsim__platform_free(struct ipsim_model *m)
{
    free(m->pf.post_stock);
    free(m->pf.post_signal);
    free(m->pf.wom_stock);
    free(m->pf.wom_signal);
    free(m->pf.fatigue);
    free(m->pf.followers);
    m->pf.followers = NULL;
    m->pf.post_stock = m->pf.post_signal = m->pf.wom_stock = m->pf.wom_signal = m->pf.fatigue = NULL;
}
