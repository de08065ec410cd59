/*
 * dayvisits.c - ODD 7.12: visits without an overnight stay, the rest of the
 * official counting basis. Residents of the destination city (markets with
 * "local": 1) make local visits; people of other markets within
 * same_day_max_km make same-day visits. Both are expected values per cell
 * (no agents move, no random numbers): the cell's people considering the
 * destination today x a rate per person per day by day type (holiday,
 * weekend, weekday; x leisure_vacation on school-vacation days) x the
 * destination's appeal today (the assets' seasonal availability and appeal
 * for the segment, exp of the inclusive value of 7.4) x, for same-day
 * visits, exp(-same_day_decay_per_km x distance). Visits are split over the
 * assets by the segment's asset choice of the day and admitted up to each
 * asset's capacity left after the expected confirmed overnight visitors
 * (who booked ahead; capacity.c);
 * the rest are turned away. Exact at any scale and thread count.
 */
#include <math.h>
#include "model/state.h"

/* The rate of a day type in market mk's calendar (7.1), times the vacation
 * multiplier. */
static double day_rate(const struct ipsim_model *m, int mk, int tau, double weekday, double weekend,
                       double holiday)
{
    uint8_t f = m->cal.market_flags[(size_t)mk * m->cal.n + tau];
    double r = (f & CAL_HOLIDAY) ? holiday : (f & CAL_WEEKEND) ? weekend : weekday;
    if (f & CAL_VACATION)
        r *= m->sc->parameters.decision.leisure_vacation;
    return r;
}

void ipsim__day_visits(struct ipsim_model *m, int tau)
{
    const sc_data *sc = m->sc;
    const sc_day_visits *p = &sc->parameters.day_visits;
    int na = m->n_assets;
    double share[IPSIM_N_SEGMENTS][IPSIM_MAX_ASSETS], appeal[IPSIM_N_SEGMENTS];
    for (int g = 0; g < IPSIM_N_SEGMENTS; g++) {
        double w[5], cdf[IPSIM_MAX_ASSETS], distinct, prev = 0;
        ipsim__decision_segment_weights(&sc->segments[g], w);
        double iv = ipsim__decision_asset_choice(m, tau, w, cdf, &distinct);
        double kappa = sc->parameters.decision.asset_choice_scale;
        appeal[g] = isfinite(iv) ? exp(iv * (kappa > 0 ? kappa : 1)) : 0;
        for (int a = 0; a < na; a++) {
            share[g][a] = cdf[a] - prev;
            prev = cdf[a];
        }
    }
    /* demand per cell and asset */
    double demand[IPSIM_MAX_ASSETS] = {0};
    const int64_t *cacc = m->acc[0].cell;
    for (int c = 0; c < m->n_cells; c++) {
        const sc_market *mk = &sc->markets[cell_market(c)];
        cell_day *cd = &m->cells[c];
        double people = m->scale * (double)cacc[(size_t)c * ACC_COUNT + ACC_CONSIDERING];
        double r_local = day_rate(m, cell_market(c), tau, p->local_rate_weekday,
                                  p->local_rate_weekend, p->local_rate_holiday);
        double r_same = day_rate(m, cell_market(c), tau, p->same_day_rate_weekday,
                                 p->same_day_rate_weekend, p->same_day_rate_holiday);
        double rate = mk->local ? r_local
                      : (mk->distance_km <= p->same_day_max_km && p->same_day_max_km > 0)
                          ? r_same * exp(-p->same_day_decay_per_km * mk->distance_km)
                          : 0;
        double v = rate * people * appeal[cell_segment(c)];
        cd->local_visits = mk->local ? v : 0;
        cd->same_day_visits = mk->local ? 0 : v;
        cd->day_turned_away = 0;
        for (int a = 0; a < na; a++)
            demand[a] += v * share[cell_segment(c)][a];
    }
    /* admission at each asset's remaining capacity */
    double admit[IPSIM_MAX_ASSETS];
    double *load = &m->day_load[(size_t)tau * na];
    for (int a = 0; a < na; a++) {
        double room = sc->destination.assets[a].capacity_per_day -
                      m->confirmed[(size_t)tau * na + a]; /* expected: scale-free */
        admit[a] = demand[a] > 0 ? fmin(1, fmax(0, room) / demand[a]) : 1;
        load[a] = demand[a] * admit[a];
    }
    for (int c = 0; c < m->n_cells; c++) {
        cell_day *cd = &m->cells[c];
        double v = cd->local_visits + cd->same_day_visits;
        if (v <= 0)
            continue;
        double s = 0;
        for (int a = 0; a < na; a++)
            s += share[cell_segment(c)][a] * admit[a];
        cd->local_visits *= s;
        cd->same_day_visits *= s;
        cd->day_turned_away = v * (1 - s);
    }
}
