/*
 * results.h - the model's recorded outputs (internal to libipsim). The
 * daily step (step.c) runs the phases in the ODD's order, each in its own
 * file (state.h); its Observation phase fills the structures below.
 */
#ifndef IPSIM_MODEL_INTERNAL_H
#define IPSIM_MODEL_INTERNAL_H

#include <stdint.h>
#include "ipsim/ipsim.h"
#include "scenario/scenario.h"

/* ---- recorded outputs ---------------------------------------------------- */

/* Daily metrics with index [day][market][segment]; people (agents x scale)
 * unless the unit says otherwise. The order here is the order in /daily. */
typedef enum {
    MET_AWARE = 0,        /* people aware of the destination (all states but unaware) */
    MET_CONSIDERING,      /* aware, salience >= consider_salience, free to decide */
    MET_BOOKED,           /* holding a booking, not yet arrived */
    MET_ARRIVALS,         /* trips starting today */
    MET_REPEAT_ARRIVALS,  /* arrivals by people who visited before */
    MET_VISITORS_ON_SITE, /* people at the destination tonight */
    MET_VISITOR_NIGHTS,   /* nights spent tonight (= visitors_on_site) */
    MET_DEPARTURES,       /* trips ending today */
    MET_SPENDING_CNY,     /* on-site spend of trips ending today, CNY */
    MET_POSTS_POSITIVE,   /* UGC posts made today by departing visitors and community */
    MET_POSTS_NEGATIVE,
    MET_POSTS_NEUTRAL,
    MET_SATISFACTION_MEAN,  /* mean satisfaction of departures (NaN if none), 1 */
    MET_PAID_IMPRESSIONS,   /* campaign impressions bought for the cell today */
    MET_UGC_IMPRESSIONS,    /* effective UGC impressions received */
    MET_OVERNIGHT_ARRIVALS, /* = arrivals: every agent trip has at least one night */
    MET_SAME_DAY_VISITS,    /* visits without a night from other markets (7.12) */
    MET_LOCAL_VISITS,       /* residents' local visits (local markets, 7.12) */
    MET_VISITS_ALL,         /* overnight arrivals + same-day + local visits: the official basis */
    MET_TURNED_AWAY,        /* booking requests and day visits refused for lack of capacity */
    MET_OFFICIAL_FOLLOWERS, /* people following the destination's official accounts (7.3) */
    MET_COUNT
} ipsim_metric;

typedef struct {
    const char *name;  /* dataset name under /daily */
    const char *units; /* CF-style units */
    const char *long_name;
} ipsim_metric_info;

extern const ipsim_metric_info ipsim_metric_table[MET_COUNT];

/* Per-asset daily outputs [day][asset]. */
typedef enum {
    AMET_VISITORS = 0,   /* overnight visitors on site */
    AMET_CROWDING,       /* overnight visitors / capacity */
    AMET_DAY_VISITORS,   /* local and same-day visitors admitted (7.12) */
    AMET_OCCUPANCY_RATE, /* (overnight + day visitors) / capacity: what visitors experience */
    AMET_COUNT
} ipsim_asset_metric;
extern const ipsim_metric_info ipsim_asset_metric_table[AMET_COUNT];

/* Destination daily outputs [day]. */
typedef enum {
    DMET_REPUTATION = 0, /* expected experience quality carried by reputation, 1 */
    DMET_AMPLIFICATION,  /* platform reach multiplier (1 = no trending), 1 */
    DMET_POST_STOCK,     /* live (decayed) UGC post stock, posts */
    DMET_UGC_SIGNAL,     /* mean experience carried by live posts, 1 */
    DMET_COUNT
} ipsim_dest_metric;
extern const ipsim_metric_info ipsim_dest_metric_table[DMET_COUNT];

typedef struct {
    int days, n_markets, n_assets;
    double *daily;       /* [MET_COUNT][days][n_markets][2] */
    double *asset_daily; /* [AMET_COUNT][days][n_assets] */
    double *dest_daily;  /* [DMET_COUNT][days] */
} ipsim_results;

static inline double *results_daily(const ipsim_results *r, int metric)
{
    return r->daily + (size_t)metric * (size_t)r->days * (size_t)r->n_markets * IPSIM_N_SEGMENTS;
}
static inline double *results_asset(const ipsim_results *r, int metric)
{
    return r->asset_daily + (size_t)metric * (size_t)r->days * (size_t)r->n_assets;
}
static inline double *results_dest(const ipsim_results *r, int metric)
{
    return r->dest_daily + (size_t)metric * (size_t)r->days;
}

/* Accessors the output writer uses (model.c). */
const ipsim_results *ipsim_model_results(const ipsim_model *m);
const ipsim_scenario *ipsim_model_scenario(const ipsim_model *m);
/* Agents per cell [market][segment] (people = agents x scale). */
const uint32_t *ipsim_model_cell_agents(const ipsim_model *m);
uint32_t ipsim_model_replicate(const ipsim_model *m);
double ipsim_model_wall_seconds(const ipsim_model *m);

/* ipsim_model_create without the copy of sc: the model takes sc (the
 * caller must not use it again; it is destroyed with the model, or before
 * this returns on failure). For the units of a sweep, which build a
 * scenario for one run. */
ipsim_status ipsim__model_create_owned(ipsim_scenario *sc, const ipsim_run_options *opt,
                                       ipsim_model **out, char *err, size_t errlen);

#endif /* IPSIM_MODEL_INTERNAL_H */
