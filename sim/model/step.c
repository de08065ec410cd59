/*
 * step.c - the daily step: ODD section 3 (process overview and scheduling).
 *
 * ipsim_model_step runs one internal day τ as the ODD's phases, with the
 * ODD's numbers and names, in the ODD's order (like OpenABM-Covid19's
 * one_time_step); each phase is one call into the file that implements it.
 * ipsim_model_run steps until the last recorded day.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <time.h>
#include "model/state.h"

/* Phase 6 (Observation, ODD 4.11): store day tau's outputs if it is a
 * recorded day (not warm-up), from the reduced accumulators of phase 4, the
 * per-cell inputs of phases 2-3 and the state phase 5 left. */
static void observe(ipsim_model *m, int tau)
{
    int day = tau - m->warmup;
    if (day < 0 || day >= m->days)
        return;
    const int64_t *cacc = m->acc[0].cell;
    for (int c = 0; c < m->n_cells; c++) {
        const int64_t *a = &cacc[(size_t)c * ACC_COUNT];
        double s = m->scale;
        size_t idx = (size_t)day * m->n_cells + c;
        double v[MET_COUNT];
        v[MET_AWARE] = s * (double)(m->cell_n[c] - a[ACC_UNAWARE]);
        v[MET_CONSIDERING] = s * (double)a[ACC_CONSIDERING];
        v[MET_BOOKED] = s * (double)a[ACC_BOOKED];
        v[MET_ARRIVALS] = s * (double)a[ACC_ARRIVALS];
        v[MET_REPEAT_ARRIVALS] = s * (double)a[ACC_REPEAT];
        v[MET_VISITORS_ON_SITE] = s * (double)a[ACC_ON_TRIP];
        v[MET_VISITOR_NIGHTS] = s * (double)a[ACC_ON_TRIP];
        v[MET_DEPARTURES] = s * (double)a[ACC_DEPARTURES];
        const cell_day *cd = &m->cells[c];
        double day_visits = cd->local_visits + cd->same_day_visits;
        v[MET_SPENDING_CNY] = s * (double)a[ACC_SPEND] +
                              day_visits * m->sc->parameters.day_visits.spend_per_visit_cny;
        v[MET_POSTS_POSITIVE] = (double)a[ACC_POS]; /* already people (ODD 4.9) */
        v[MET_POSTS_NEGATIVE] = (double)a[ACC_NEG];
        v[MET_POSTS_NEUTRAL] = (double)a[ACC_NEU];
        v[MET_SATISFACTION_MEAN] = a[ACC_DEPARTURES] > 0
                                       ? (double)a[ACC_SAT_SUM] / SAT_FIXED / (double)a[ACC_DEPARTURES]
                                       : NAN;
        v[MET_PAID_IMPRESSIONS] = m->cells[c].paid_impressions;
        v[MET_UGC_IMPRESSIONS] = m->cells[c].ugc_lambda * m->cell_people[c];
        v[MET_OVERNIGHT_ARRIVALS] = v[MET_ARRIVALS];
        v[MET_SAME_DAY_VISITS] = cd->same_day_visits;
        v[MET_LOCAL_VISITS] = cd->local_visits;
        v[MET_VISITS_ALL] = v[MET_ARRIVALS] + day_visits;
        v[MET_TURNED_AWAY] = s * (double)a[ACC_TURNED_AWAY] + cd->day_turned_away;
        v[MET_OFFICIAL_FOLLOWERS] = cd->official_followers;
        for (int k = 0; k < MET_COUNT; k++)
            results_daily(&m->res, k)[idx] = v[k];
    }
    for (int a = 0; a < m->n_assets; a++) {
        double people = (double)m->occupancy[(size_t)tau * m->n_assets + a] * m->scale;
        results_asset(&m->res, AMET_VISITORS)[(size_t)day * m->n_assets + a] = people;
        double cap = m->sc->destination.assets[a].capacity_per_day;
        double dv = m->day_load[(size_t)tau * m->n_assets + a];
        results_asset(&m->res, AMET_CROWDING)[(size_t)day * m->n_assets + a] = people / cap;
        results_asset(&m->res, AMET_DAY_VISITORS)[(size_t)day * m->n_assets + a] = dv;
        results_asset(&m->res,
                      AMET_OCCUPANCY_RATE)[(size_t)day * m->n_assets + a] = (people + dv) / cap;
    }
    results_dest(&m->res, DMET_REPUTATION)[day] = m->pf.reputation;
    results_dest(&m->res, DMET_AMPLIFICATION)[day] = m->pf.amplification;
    results_dest(&m->res, DMET_POST_STOCK)[day] = ipsim__platform_post_stock(m);
    results_dest(&m->res, DMET_UGC_SIGNAL)[day] = ipsim__platform_ugc_signal(m);
}

/* Advance one internal day (public, include/ipsim/ipsim.h): the six phases
 * of ODD 3 below; IPSIM_ERR_USAGE once the last recorded day is done. The
 * wall-clock time of each call adds to m->wall_seconds. */
ipsim_status ipsim_model_step(ipsim_model *m)
{
    if (!m || m->tau >= m->warmup + m->days)
        return IPSIM_ERR_USAGE;
    int tau = m->tau;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    /* 1 Calendar (7.1, 7.2): nothing to do today; the day's flags, leisure
     *   rate, effective assets, destination settings and paid impressions
     *   were tabulated at creation (calendar.c, interventions.c). */

    ipsim__schedule_apply(m, tau); /* 1 (7.13): today's dated parameters */

    /* 2 Exposure preparation (7.3): per cell, today's impressions and their
     *   signal, from yesterday's platform and destination state. */
    ipsim__exposure_prepare(m, tau);

    /* 3 Decision preparation (7.4): per cell, arrival day, trip-occasion
     *   probability, trip utility, substitutes, asset choice. */
    ipsim__decision_prepare(m, tau);

    /* 4 Agents, in parallel, each in the order a exposure, b decision,
     *   c visit, d after the visit (with community posting, 7.7), e the
     *   end-of-day count: one fused pass over the agents (kernel.c). */
    if (ipsim__kernel_agents(m, tau) != 0)
        return IPSIM_ERR_NOMEM;

    /* 5 Platform and destination update (7.6): today's posts and word of
     *   mouth join the stocks; amplification, reputation, crowding, erosion. */
    /* 5a Capacity (7.11): acceptance of today's booking requests.
     * 5b Day visits (7.12): local and same-day visits at the capacity left. */
    ipsim__capacity_update(m, tau);
    ipsim__day_visits(m, tau);
    const thread_acc *a0 = &m->acc[0];
    ipsim__platform_update(m, tau, a0->market_posts, a0->market_signal, a0->market_returns,
                           a0->market_wom_signal);

    /* 6 Observation (4.11): store the outputs of a recorded day. */
    observe(m, tau);

    m->tau++;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    m->wall_seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return IPSIM_OK;
}

/* Step to the end (public, include/ipsim/ipsim.h), calling progress (may be
 * NULL) after each day; IPSIM_ERR_INTERRUPTED when progress asks to stop. */
ipsim_status ipsim_model_run(ipsim_model *m, ipsim_progress_fn progress, void *userdata)
{
    if (!m)
        return IPSIM_ERR_USAGE;
    while (m->tau < m->warmup + m->days) {
        ipsim_status st = ipsim_model_step(m);
        if (st != IPSIM_OK)
            return st;
        if (progress && progress(userdata, ipsim_model_days_done(m), m->days))
            return IPSIM_ERR_INTERRUPTED;
    }
    return IPSIM_OK;
}
