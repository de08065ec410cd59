/*
 * resolution.c - what a run at a given scale cannot resolve (ODD 7.10,
 * issue 12 item 1): one rule (ipsim__resolution_unresolved) that both the
 * warnings given through the log callback when the model is created, before
 * it runs, and the scale-convergence test (tests/test_scale.c) use.
 *
 * One agent stands for `scale` people who book, travel and stay together.
 * Shared stocks are right in expectation at any scale (posts are people
 * counts, people.c; crowding is felt from the expected occupancy,
 * crowding.c; capacity binds on expected people, capacity.c), but three
 * things need many agents and are not resolved when one agent is too big:
 * the realised occupancy output of an asset (one agent a sizeable share of
 * its capacity; where capacity binds, also who is admitted: the segment mix
 * of arrivals), the trending velocity (one agent's posts above its floor)
 * and the timing of daily and weekly peaks (too few agents to fill a day). The limits are the ODD's
 * (section 7.10), measured by the scale study (scripts/scale_study.py).
 */
#include <stdio.h>
#include "model/state.h"

#define CROWD_AGENT_SHARE 0.25 /* one agent above 25 % of an asset's capacity */
#define MIN_AGENTS \
    50000.0 /* fewer agents: daily peaks rest on a few agents a day (at 23,000 \
             * agents the baseline's peak 7-day mean is 13 % high, its busiest \
             * week resting on 3 agent arrivals a day; ODD 7.10) */

static void warn(const struct ipsim_model *m, const char *msg)
{
    if (m->opt.log)
        m->opt.log(m->opt.log_userdata, IPSIM_LOG_WARN, msg);
}

/* Index of the asset with the smallest daily capacity. */
static int smallest_asset(const sc_data *sc)
{
    int small = 0;
    for (int a = 1; a < sc->destination.n_assets; a++)
        if (sc->destination.assets[a].capacity_per_day <
            sc->destination.assets[small].capacity_per_day)
            small = a;
    return small;
}

/* The largest posting propensity of any segment. */
static double max_propensity(const sc_data *sc)
{
    double prop = 0;
    for (int g = 0; g < IPSIM_N_SEGMENTS; g++)
        if (sc->segments[g].post_propensity > prop)
            prop = sc->segments[g].post_propensity;
    return prop;
}

unsigned ipsim__resolution_unresolved(const struct ipsim_model *m)
{
    const sc_data *sc = m->sc;
    unsigned u = 0;
    if (m->scale > CROWD_AGENT_SHARE * sc->destination.assets[smallest_asset(sc)].capacity_per_day)
        u |= IPSIM_UNRESOLVED_OCCUPANCY;
    double prop = max_propensity(sc);
    if (prop > 0 && m->scale * prop > sc->platform.trending_threshold_posts)
        u |= IPSIM_UNRESOLVED_TRENDING;
    if ((double)m->n_agents < MIN_AGENTS)
        u |= IPSIM_UNRESOLVED_TIMING;
    return u;
}

int ipsim__resolution_warn(const struct ipsim_model *m)
{
    const sc_data *sc = m->sc;
    unsigned u = ipsim__resolution_unresolved(m);
    char msg[512];
    int n = 0;
    if (u & IPSIM_UNRESOLVED_OCCUPANCY) {
        int small = smallest_asset(sc);
        double cap = sc->destination.assets[small].capacity_per_day;
        snprintf(
            msg, sizeof msg,
            "scale %g: one agent is %.0f %% of the daily capacity of %s (%g people); "
            "the realised occupancy (asset outputs) and, where capacity binds, who is admitted "
            "(the segment mix of arrivals) move in such blocks above scale %g, while the "
            "crowding visitors feel is the expected occupancy (ODD 7.10)",
            m->scale, 100 * m->scale / cap, sc->destination.assets[small].name, cap,
            CROWD_AGENT_SHARE * cap);
        warn(m, msg);
        n++;
    }
    if (u & IPSIM_UNRESOLVED_TRENDING) {
        double prop = max_propensity(sc), floor_posts = sc->platform.trending_threshold_posts;
        snprintf(msg, sizeof msg,
                 "scale %g: one agent's posts (up to %.0f) exceed the trending floor "
                 "(platform.trending_threshold_posts, %g posts/day); the trending velocity is not "
                 "resolved above scale %g (ODD 7.10)",
                 m->scale, m->scale * prop, floor_posts, floor_posts / prop);
        warn(m, msg);
        n++;
    }
    if (u & IPSIM_UNRESOLVED_TIMING) {
        snprintf(msg, sizeof msg,
                 "scale %g: %llu agents (fewer than %.0f); daily and weekly peaks and "
                 "take-off dates rest on a few agents a day and are not resolved (ODD 7.10)",
                 m->scale, (unsigned long long)m->n_agents, MIN_AGENTS);
        warn(m, msg);
        n++;
    }
    return n;
}
