/*
 * platform.c - ODD phase 5 (platform and destination update) of the daily
 * step: the content platform and the destination's slow variables.
 *
 * After the agents have acted, today's posts join each market's live post
 * stock (neutral posts with a reduced weight), old posts decay with the
 * post half-life, and returning visitors' word of mouth joins their home
 * market's word-of-mouth stock. The platform's algorithm amplifies reach
 * when the live stock is large: amplification = 1 + gain x P^h / (P^h + K^h)
 * (the breakout engine, ODD 7.6). Reputation moves toward the mean
 * experience carried by live posts; expected crowding follows today's
 * visitor-weighted occupancy; experiential erosion grows slowly and is
 * repaired by mechanism D's feedback-driven iteration.
 */
#include <math.h>
#include <stdlib.h>
#include "model/state.h"

void ipsim__platform_init(struct ipsim_model *m) {
    m->pf.reputation = m->sc->destination.initial_reputation;
    m->pf.amplification = 1;
    m->pf.crowd_expect = 0;
    m->pf.erosion = 0;
}

static double live_stock(const struct ipsim_model *m, double *signal) {
    double p = 0, s = 0;
    for (int j = 0; j < m->n_markets; j++) {
        p += m->pf.post_stock[j];
        s += m->pf.post_signal[j];
    }
    *signal = s;
    return p;
}

/* Visitor-weighted occupancy / capacity over the assets on internal day tau. */
static double crowding_index(const struct ipsim_model *m, int tau) {
    double num = 0, den = 0;
    for (int a = 0; a < m->n_assets; a++) {
        size_t at = (size_t)tau * m->n_assets + a;   /* overnight and day visitors */
        double people = (double)m->occupancy[at] * m->scale + m->day_load[at];
        num += people * people / m->sc->destination.assets[a].capacity_per_day;
        den += people;
    }
    return den > 0 ? num / den : 0;
}

void ipsim__platform_update(struct ipsim_model *m, int tau, const int64_t *market_posts,
                     const int64_t *market_signal, const int64_t *market_returns,
                     const int64_t *market_wom_signal) {
    const sc_data *sc = m->sc;
    const sc_platform *p = &sc->platform;
    const sc_visit *v = &sc->parameters.visit;
    double nw = p->neutral_post_weight, wom = sc->parameters.exposure.wom_impressions_per_visitor;
    for (int j = 0; j < m->n_markets; j++) {
        const int64_t *n = &market_posts[j * 3];
        const int64_t *s = &market_signal[j * 3];
        double w = (double)n[0] + (double)n[1] + nw * (double)n[2];
        double sig = ((double)s[0] + (double)s[1] + nw * (double)s[2]) / SAT_FIXED;
        m->pf.post_stock[j] = m->pf.post_stock[j] * m->post_decay + m->scale * w;
        m->pf.post_signal[j] = m->pf.post_signal[j] * m->post_decay + m->scale * sig;
        m->pf.wom_stock[j] = m->pf.wom_stock[j] * m->post_decay + m->scale * wom * (double)market_returns[j];
        m->pf.wom_signal[j] = m->pf.wom_signal[j] * m->post_decay +
                              m->scale * wom * (double)market_wom_signal[j] / SAT_FIXED;
    }
    double signal_sum, stock = live_stock(m, &signal_sum);
    double ph = pow(stock, p->trending_hill), kh = pow(p->trending_threshold_posts, p->trending_hill);
    m->pf.amplification = 1 + p->trending_max_gain * (ph + kh > 0 ? ph / (ph + kh) : 0);
    if (stock > 0) m->pf.reputation += v->reputation_learning_rate * (signal_sum / stock - m->pf.reputation);
    m->pf.crowd_expect += (crowding_index(m, tau) - m->pf.crowd_expect) / v->crowding_memory_days;
    double e = m->pf.erosion;
    e += sc->destination.erosion_per_year / 365.0 * (1 - e) - m->dest_days[tau].feedback_improvement * e;
    m->pf.erosion = clamp01(e);
}

/* The mean experience carried by live posts (reputation when there are none). */
double ipsim__platform_ugc_signal(const struct ipsim_model *m) {
    double s, p = live_stock(m, &s);
    return p > 0 ? s / p : m->pf.reputation;
}

double ipsim__platform_post_stock(const struct ipsim_model *m) {
    double s;
    return live_stock(m, &s);
}

void ipsim__platform_free(struct ipsim_model *m) {
    free(m->pf.post_stock);
    free(m->pf.post_signal);
    free(m->pf.wom_stock);
    free(m->pf.wom_signal);
    m->pf.post_stock = m->pf.post_signal = m->pf.wom_stock = m->pf.wom_signal = NULL;
}
