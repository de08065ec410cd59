/*
 * decision.c - ODD phases 3 (decision preparation) and 4b (each agent's
 * decision) of the daily step: whether to make a trip here.
 *
 * A considering agent (aware, salience >= consider_salience, not booked,
 * travelling or cooling down) has a leisure-trip occasion today with
 * probability trips_per_year / 365 x leisure(arrival day). On an occasion it
 * chooses among the destination, the substitute destinations (whose pull
 * falls with the destination's distinctiveness) and everything else (the
 * outside option, utility 0) by multinomial logit (ODD 7.4). A booking fixes
 * the arrival day (lead time grows with distance), the main asset (a logit
 * over assets by season, events and the segment's tastes) and the nights.
 */
#include <math.h>
#include <string.h>
#include "model/state.h"

static int lead_days(const sc_decision *d, double km)
{
    long L = (long)round_i64(d->lead_days_base + d->lead_days_per_1000km * km / 1000.0);
    return L < 1 ? 1 : (int)L;
}

static double mean_nights(const sc_decision *d, double km)
{
    double n = d->nights_base + d->nights_per_1000km * km / 1000.0;
    return n < 1 ? 1 : (n > MAX_TRIP_NIGHTS ? MAX_TRIP_NIGHTS : n);
}

/* Mean taste weights of a segment (the mean of the lognormal multipliers is 1). */
void ipsim__decision_segment_weights(const sc_segment *g, double w[5])
{
    w[0] = g->w_authenticity;
    w[1] = g->w_emotional;
    w[2] = g->w_aesthetic;
    w[3] = g->w_digital;
    w[4] = g->w_service;
}

/* The log-sum's reference: every asset fully open and unmodified. */
static double asset_reference(const struct ipsim_model *m)
{
    const sc_destination *d = &m->sc->destination;
    double ref = 0;
    for (int a = 0; a < m->n_assets; a++)
        ref += exp(m->sc->parameters.decision.asset_choice_scale * d->assets[a].appeal);
    return ref;
}

/* ipsim__decision_asset_choice with its reference (asset_reference) given. */
static double asset_choice(const struct ipsim_model *m, int tau, const double w[5], double ref,
                           double cdf[], double *distinct)
{
    const sc_destination *d = &m->sc->destination;
    const sc_decision *dp = &m->sc->parameters.decision;
    const asset_day *ad = &m->asset_days[(size_t)tau * m->n_assets];
    int month = m->cal.month[tau];
    double sum = 0, dsum = 0;
    for (int a = 0; a < m->n_assets; a++) {
        double season = d->assets[a].seasonal[month];
        double u = d->assets[a].appeal + ad[a].appeal_bonus + ipsim__visit_quality(m, w, tau, a);
        double x = season > 0 ? season * exp(dp->asset_choice_scale * u) : 0;
        sum += x;
        dsum += x * ad[a].distinctiveness;
        cdf[a] = sum;
    }
    for (int a = 0; a < m->n_assets; a++)
        cdf[a] = sum > 0 ? cdf[a] / sum : 1.0;
    *distinct = sum > 0 ? dsum / sum : 0;
    return sum > 0 ? log(sum / ref) / (dp->asset_choice_scale > 0 ? dp->asset_choice_scale : 1)
                   : -INFINITY;
}

/* Asset utilities on internal day tau for segment weights w: appeal + event
 * appeal + log(seasonal availability) + taste-weighted quality. Returns the
 * log-sum over open assets relative to all assets fully open and unmodified
 * (the inclusive value entering the trip utility), fills the cumulative
 * choice probabilities and the choice-weighted distinctiveness. */
double ipsim__decision_asset_choice(const struct ipsim_model *m, int tau, const double w[5],
                                    double cdf[], double *distinct)
{
    return asset_choice(m, tau, w, asset_reference(m), cdf, distinct);
}

/* Travel cost reduction of E and F interventions with targets (per-market
 * cuts such as a special train) for cell c on internal day tau: the sum over
 * active interventions of reduction x weight of the targets covering c. */
static double cell_cost_cut(const struct ipsim_model *m, int c, int tau)
{
    const sc_data *sc = m->sc;
    ipsim_date date = ipsim__calendar_date(sc, m->warmup, tau);
    double cut = 0;
    for (int j = 0; j < sc->n_interventions; j++) {
        const sc_intervention *iv = &sc->interventions[j];
        if (iv->n_targets == 0 || (iv->mechanism != MECH_E && iv->mechanism != MECH_F))
            continue;
        int on = iv->mechanism == MECH_E ? date >= iv->event_start && date <= iv->event_end
                                         : date >= iv->start && date <= iv->end;
        for (int t = 0; on && t < iv->n_targets; t++) {
            const sc_target *tg = &iv->targets[t];
            if ((tg->market < 0 || tg->market == cell_market(c)) &&
                (tg->segment < 0 || tg->segment == cell_segment(c)))
                cut += tg->weight * iv->travel_cost_reduction_cny;
        }
    }
    return cut;
}

void ipsim__decision_prepare(struct ipsim_model *m, int tau)
{
    const sc_data *sc = m->sc;
    const sc_decision *dp = &sc->parameters.decision;
    const sc_visit *vp = &sc->parameters.visit;
    double choice_iv[IPSIM_MAX_MARKETS * IPSIM_N_SEGMENTS];
    double choice_distinct[IPSIM_MAX_MARKETS * IPSIM_N_SEGMENTS];
    double ref = asset_reference(m); /* the same for every cell today */
    for (int c = 0; c < m->n_cells; c++) {
        const sc_market *mk = &sc->markets[cell_market(c)];
        const sc_segment *g = &sc->segments[cell_segment(c)];
        cell_day *cd = &m->cells[c];
        int arr = tau + lead_days(dp, mk->distance_km);
        if (arr >= m->n_days_ext)
            arr = m->n_days_ext - 1;
        cd->arrival_tau = arr;
        cd->nights_mean = mean_nights(dp, mk->distance_km);
        double w[5], distinct, iv;
        /* the asset choice depends on the segment and the arrival day only:
         * cells of one segment arriving the same day share it (cells of a
         * segment are every IPSIM_N_SEGMENTS-th; the earlier one is done) */
        int same = cell_segment(c);
        while (same < c && m->cells[same].arrival_tau != arr)
            same += IPSIM_N_SEGMENTS;
        if (same < c) {
            memcpy(cd->asset_cdf, m->cells[same].asset_cdf, sizeof(double) * (size_t)m->n_assets);
            iv = choice_iv[same];
            distinct = choice_distinct[same];
        } else {
            ipsim__decision_segment_weights(g, w);
            iv = asset_choice(m, arr, w, ref, cd->asset_cdf, &distinct);
        }
        choice_iv[c] = iv;
        choice_distinct[c] = distinct;
        if (!isfinite(iv)) { /* every asset closed on the arrival day */
            cd->p_occasion = 0;
            cd->v_cell = -INFINITY;
            cd->sub_weight = 0;
            continue;
        }
        double cost = fmax(0, mk->travel_cost_cny - m->dest_days[arr].travel_cost_reduction -
                                  cell_cost_cut(m, c, arr)) +
                      cd->nights_mean * dp->stay_cost_per_night_cny * sc->destination.price_level *
                          ipsim__capacity_price_mult(m, arr);
        double common = -g->beta_distance_per_km * mk->distance_km -
                        g->beta_cost_per_income * cost / mk->income_cny_month;
        double crowd = fmax(0, m->pf.crowd_expect - vp->crowding_threshold);
        cd->v_cell = dp->asc_destination + dp->beta_season * iv + common - dp->beta_crowding * crowd;
        double subs = 0;
        for (int k = 0; k < sc->destination.n_substitutes; k++)
            subs += exp_memo_get(&cd->sub_exp[k], sc->destination.substitutes[k].utility + common);
        cd->sub_weight = exp_memo_get(&cd->distinct_exp, -dp->beta_distinctiveness * distinct) * subs;
        /* residents of the destination make local visits, not trips (7.12) */
        cd->p_occasion = mk->local ? 0
                                   : g->trips_per_year / 365.0 *
                                         m->cal.market_leisure[(size_t)cell_market(c) * m->cal.n + arr];
    }
}

/* Loyalty of agent i on day tau: the stored value (at the end of its last
 * trip) decayed by loyalty_decay_per_year per year since then. */
static double loyalty_now(const struct ipsim_model *m, uint64_t i, int tau)
{
    double L = m->ag.a[i].loyalty / LOYALTY_Q;
    if (L <= 0 || m->ag.a[i].visits == 0)
        return 0;
    double years = (tau - (int)m->ag.a[i].day_mark) / 365.0;
    return L * pow(1 - m->sc->parameters.visit.loyalty_decay_per_year, years > 0 ? years : 0);
}

double ipsim__decision_intercept(const struct ipsim_model *m, int cell, uint32_t k)
{
    philox4x32_ctr_t b = rng_block(&m->rng, (uint32_t)cell, k, 0, RNG_TRAIT, 1);
    double z4, z5;
    rng_normal2(b.v[0], b.v[1], &z4, &z5);
    return m->sc->segments[cell_segment(cell)].taste_sd_utility * z5;
}

/* Trip probability of agent i of cell-day c on an occasion (the logit of
 * ODD 7.4) with loyalty L and random intercept `intercept`. */
static double booking_logit(const struct ipsim_model *m, const cell_day *c, uint64_t i, double L,
                            double intercept)
{
    const sc_decision *dp = &m->sc->parameters.decision;
    double penalty = m->ag.a[i].visits ? dp->revisit_penalty *
                                           (1 - m->dest_days[c->arrival_tau].revisit_penalty_reduction)
                                     : 0;
    double v = c->v_cell + dp->beta_attitude * attitude_value(m->ag.a[i].attitude) +
               dp->beta_loyalty * L - penalty + intercept;
    double ev = exp(v);
    return ev / (1 + ev + c->sub_weight);
}

/* The same with the agent's own intercept, the TRAIT draw-1 z1. */
static double booking_probability(const struct ipsim_model *m, const cell_day *c, int cell, uint32_t k,
                                  uint64_t i, double L)
{
    return booking_logit(m, c, i, L, ipsim__decision_intercept(m, cell, k));
}

double ipsim__decision_probability(const struct ipsim_model *m, const cell_day *c, int cell,
                                   uint32_t k, uint64_t i, int tau, int last_trip_end,
                                   const double *intercept)
{
    double L = m->ag.a[i].loyalty / LOYALTY_Q;
    if (L > 0 && m->ag.a[i].visits) {
        double years = (tau - last_trip_end) / 365.0;
        L *= pow(1 - m->sc->parameters.visit.loyalty_decay_per_year, years > 0 ? years : 0);
    } else {
        L = 0;
    }
    return intercept ? booking_logit(m, c, i, L, *intercept) : booking_probability(m, c, cell, k, i, L);
}

int ipsim__decision_agent(struct ipsim_model *m, const cell_day *c, int cell, uint32_t k, uint64_t i,
                          int tau, double u_choice, double u_asset)
{
    double L = loyalty_now(m, i, tau);
    double p = booking_probability(m, c, cell, k, i, L);
    if (u_choice >= p)
        return 0;

    int a = 0;
    while (a < m->n_assets - 1 && u_asset > c->asset_cdf[a])
        a++;
    philox4x32_ctr_t r = rng_block(&m->rng, (uint32_t)cell, k, (uint32_t)tau, RNG_TRIP, 0);
    int nights = (int)floor(c->nights_mean + rng_u01(r.v[0]));
    if (nights < 1)
        nights = 1;
    if (nights > MAX_TRIP_NIGHTS)
        nights = MAX_TRIP_NIGHTS;

    m->ag.a[i].loyalty = (uint8_t)lround(L * LOYALTY_Q);
    m->ag.a[i].state = ST_PENDING; /* confirmed or refused tomorrow (7.11) */
    m->ag.a[i].day_mark = (uint16_t)c->arrival_tau;
    m->ag.a[i].asset = (uint8_t)a;
    m->ag.a[i].nights = (uint8_t)nights;
    return 1;
}
