/*
 * exposure.c - ODD phases 2 (exposure preparation) and 4a (each agent's
 * exposure) of the daily step: who sees what about the destination.
 *
 * Per market x segment cell, the expected number of effective impressions a
 * person receives today is the sum of six sources (ODD 7.3): paid campaign
 * impressions, sparks (dated content such as a blogger's video), official
 * content seen by the official accounts' followers (an audience that the
 * other sources, events and marketing grow and that wears off), user-generated
 * content on the platform, offline word of mouth from returned visitors of the same market, and an
 * ambient regional-information rate that decays with distance. Each source
 * carries a quality signal; the cell's signal is their rate-weighted mean.
 * An agent's count of impressions today is Poisson with that rate; each
 * impression adds to a decaying salience stock with diminishing returns
 * (wear-out) and pulls the attitude toward the signal. Reaching the
 * effective frequency makes an unaware agent aware.
 */
#include <math.h>
#include "model/state.h"

static double market_people(const struct ipsim_model *m, int mk)
{
    return m->cell_people[mk * IPSIM_N_SEGMENTS] + m->cell_people[mk * IPSIM_N_SEGMENTS + 1];
}

/* The platform's totals over every market today (for ugc_rate). */
typedef struct {
    double users, stock, signal;
} ugc_totals;

static ugc_totals ugc_sum(const struct ipsim_model *m)
{
    ugc_totals t = {0, 0, 0};
    for (int j = 0; j < m->n_markets; j++) {
        t.users += market_people(m, j) * m->sc->markets[j].platform_penetration;
        t.stock += m->pf.post_stock[j];
        t.signal += m->pf.post_signal[j];
    }
    return t;
}

/* UGC impressions per platform user in market mk today, and the
 * corresponding signal-weighted rate, from the live post stock: a share
 * home_share of every market's post views stays in that market, the rest
 * is spread over all platform users (totals: ugc_sum of today). */
static void ugc_rate(const struct ipsim_model *m, int mk, double views, const ugc_totals *tot,
                     double *rate, double *signal_rate)
{
    const sc_platform *p = &m->sc->platform;
    double users_total = tot->users, stock_total = tot->stock, signal_total = tot->signal;
    double users = market_people(m, mk) * m->sc->markets[mk].platform_penetration;
    *rate = 0;
    *signal_rate = 0;
    if (users <= 0 || users_total <= 0)
        return;
    *rate = views * (p->home_share * m->pf.post_stock[mk] / users +
                     (1 - p->home_share) * stock_total / users_total);
    *signal_rate = views * (p->home_share * m->pf.post_signal[mk] / users +
                            (1 - p->home_share) * signal_total / users_total);
}

/* Whether internal day tau is an event day: an asset event, mechanism B's
 * weekend and holiday events or E's festival window adds a bonus (7.2). */
static int event_day(const struct ipsim_model *m, int tau)
{
    const asset_day *ad = &m->asset_days[(size_t)tau * m->n_assets];
    for (int a = 0; a < m->n_assets; a++)
        if (ad[a].appeal_bonus > 0 || ad[a].experience_bonus > 0)
            return 1;
    return 0;
}

/* The official audience of cell c (7.3): today's share phi of the cell's
 * platform users following the destination's official accounts (on day 0
 * the steady state of that day's follow probability), then tomorrow's:
 * phi <- phi k + (1 - phi k) p, with p the probability that a non-follower
 * follows today and k = 0.5^(1 / official_follower_half_life_days). */
static double audience(struct ipsim_model *m, int tau, int c, double p, double k)
{
    double *phi = &m->pf.followers[c];
    if (tau == 0)
        *phi = p / (1 - k + k * p);
    double today = *phi;
    *phi = *phi * k + (1 - *phi * k) * p;
    return today;
}

void ipsim__exposure_poisson_table(cell_day *cd)
{
    double p = cd->p0, cdf = cd->p0;
    int n = 0;
    cd->pois_cdf[0] = cdf;
    cd->pois_stop = 0;
    /* the table ends where P(n) underflows or F(n) reaches 1: every target
     * (at most 1) is at or below that F(n), so the recurrence would stop
     * there or before; the later steps of a small lambda are not computed */
    while (n + 1 < POISSON_TABLE && !(cdf >= 1)) {
        n++;
        p *= cd->lambda / n;
        cdf += p;
        cd->pois_cdf[n] = cdf;
        if (p <= 0) {
            cd->pois_stop = 1;
            break;
        }
    }
    if (cdf >= 1)
        cd->pois_stop = 1;
    cd->pois_n = n + 1;
    cd->pois_p_last = p;
}

void ipsim__exposure_prepare(struct ipsim_model *m, int tau)
{
    const sc_data *sc = m->sc;
    const sc_exposure *e = &sc->parameters.exposure;
    const dest_day *dd = &m->dest_days[tau];
    double fluency = sc->destination.digital_fluency;
    double views = sc->platform.views_per_post_day * (1 + sc->platform.fluency_reach_gain * fluency) *
                   m->pf.amplification;
    double reach = (e->official_min_fluency_share + (1 - e->official_min_fluency_share) * fluency) *
                   dd->official_reach_mult; /* official content's reach and pull */
    double follow_base =
        e->official_follow_rate * (1 + (event_day(m, tau) ? e->official_event_follow_gain : 0));
    const double *paid = &m->paid_cell[(size_t)tau * m->n_cells];
    double fatigue_keep = pow(0.5, 1 / sc->platform.fatigue_half_life_days);
    double follow_keep = pow(0.5, 1 / e->official_follower_half_life_days); /* audience's k */
    /* the platform totals do not change in this loop: summed once (UGC) */
    ugc_totals tot = ugc_sum(m);
    double l_amb = 0; /* the ambient rate, per market: computed at its first cell */
    for (int c = 0; c < m->n_cells; c++) {
        int mk = cell_market(c), s = cell_segment(c);
        const sc_market *mkt = &sc->markets[mk];
        cell_day *cd = &m->cells[c];
        double people = m->cell_people[c], mpeople = market_people(m, mk);
        double dep = sc->segments[s].digital_dependency * mkt->platform_penetration;
        double ugc, ugc_sig;
        ugc_rate(m, mk, views, &tot, &ugc, &ugc_sig);
        if (dd->fatigue_renewal != 1) /* renewed content is new again (A, D) */
            m->pf.fatigue[c] *= dd->fatigue_renewal;
        ugc_sig *= 1 / (1 + m->pf.fatigue[c] / sc->platform.fatigue_impressions);
        double wom_out = m->pf.wom_stock[mk] * (1 - m->post_decay);
        double wom_sig = m->pf.wom_signal[mk] * (1 - m->post_decay);

        double l_paid = people > 0 ? paid[c] / people : 0;
        double l_off = 0; /* below, once the other sources are known */
        /* novelty wears off: UGC's pull falls with the UGC impressions a
         * person of this cell has seen recently (7.3) */
        double fresh = 1 / (1 + m->pf.fatigue[c] / sc->platform.fatigue_impressions);
        double l_ugc = ugc * dep * fresh;
        m->pf.fatigue[c] = m->pf.fatigue[c] * fatigue_keep + l_ugc;
        double l_wom = mpeople > 0 ? wom_out / mpeople : 0;
        if (s == 0 || c == 0)
            l_amb = e->ambient_rate_at_zero_km *
                    exp_memo_get(&cd->ambient_exp, -e->ambient_decay_per_km * mkt->distance_km);

        size_t td = (size_t)tau * m->n_cells + c;
        double l_spark = m->spark_cell[td];
        /* the official audience: followers see official content; its own
         * presence (more on event days), paid campaigns and sparks win new
         * followers (7.3) */
        double p_follow =
            fmin(1, follow_base + e->official_follow_per_impression * (l_paid + l_spark));
        double phi = audience(m, tau, c, p_follow, follow_keep);
        l_off = e->official_rate * reach * dep * phi;
        cd->official_followers = phi * people * mkt->platform_penetration;
        double lambda = l_paid + l_spark + l_off + l_ugc + l_wom + l_amb;
        double signal_rate = (l_paid + l_off) * sc->destination.official_claim + m->spark_signal[td] +
                             ugc_sig * dep + (mpeople > 0 ? wom_sig / mpeople : 0) +
                             l_amb * m->pf.reputation;
        cd->lambda = lambda;
        cd->p0 = exp(-lambda);
        cd->signal = lambda > 0 ? signal_rate / lambda : m->pf.reputation;
        cd->ugc_lambda = l_ugc;
        cd->p_expose = 1 - cd->p0;
        /* the Poisson table is built for direct mode only (kernel.c) */
        cd->paid_impressions = m->paid_bought[(size_t)tau * m->n_cells + c];
    }
}

/* Poisson(lambda) by inversion of its CDF: the smallest n with
 * target <= F(n), starting from n0 with F(n0) = cdf and P(n0) = p. */
static int poisson_from(double target, double lambda, int n, double p, double cdf)
{
    while (target > cdf && n < MAX_IMPRESSIONS) {
        n++;
        p *= lambda / n;
        cdf += p;
        if (p <= 0)
            break;
    }
    return n;
}

/* poisson_from(target, lambda, 0, p0, p0), reading the first steps from
 * the cell's table (ipsim__exposure_poisson_table): the same n, without a division a step. */
static int poisson_inverse(const cell_day *c, double target)
{
    int last = c->pois_n - 1;
    for (int n = 0; n < last; n++)
        if (target <= c->pois_cdf[n])
            return n;
    if (target <= c->pois_cdf[last] || c->pois_stop)
        return last;
    return poisson_from(target, c->lambda, last, c->pois_p_last, c->pois_cdf[last]);
}

int ipsim__exposure_count(const cell_day *c, double u)
{
    return u <= c->p0 ? 0 : poisson_inverse(c, u);
}
