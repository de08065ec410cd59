/*
 * query.c - read-only accessors of a loaded scenario for programs (public
 * API, include/ipsim/ipsim.h): how many markets, assets and interventions
 * it has, the markets' names and adult populations, and its scale. They
 * read the validated data (scenario.h), so a program needs no JSON parsing
 * of its own to describe a scenario.
 */
#include <math.h>

#include "ipsim/ipsim.h"
#include "scenario/scenario.h"

int ipsim_scenario_market_count(const ipsim_scenario *sc)
{
    const sc_data *d = ipsim_scenario_data(sc);
    return d ? d->n_markets : 0;
}

int ipsim_scenario_asset_count(const ipsim_scenario *sc)
{
    const sc_data *d = ipsim_scenario_data(sc);
    return d ? d->destination.n_assets : 0;
}

int ipsim_scenario_intervention_count(const ipsim_scenario *sc)
{
    const sc_data *d = ipsim_scenario_data(sc);
    return d ? d->n_interventions : 0;
}

const char *ipsim_scenario_market_name(const ipsim_scenario *sc, int i)
{
    const sc_data *d = ipsim_scenario_data(sc);
    if (!d || i < 0 || i >= d->n_markets)
        return NULL;
    return d->markets[i].name;
}

double ipsim_scenario_market_adults(const ipsim_scenario *sc, int i)
{
    const sc_data *d = ipsim_scenario_data(sc);
    if (!d || i < 0 || i >= d->n_markets)
        return NAN;
    return d->markets[i].population * d->markets[i].adult_share;
}

double ipsim_scenario_scale(const ipsim_scenario *sc)
{
    const sc_data *d = ipsim_scenario_data(sc);
    return d ? d->simulation.scale : NAN;
}
