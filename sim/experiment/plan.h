/*
 * plan.h - INTERNAL header of libipsim: the inside of an experiment (the
 * struct behind the opaque ipsim_experiment, its points and their
 * overrides, the outcome table) and the functions the sweep runs it with.
 * Only files in sim/ include it ("experiment/plan.h").
 *
 * NOT the public API: programs use include/ipsim/experiment.h
 * (#include "ipsim/experiment.h"), which declares ipsim_experiment opaque
 * and the functions to load, sweep, merge and analyse experiments. This
 * header includes it and adds what only the library may see.
 *
 * An experiment file (JSON) names a base scenario and a design; the design
 * expands into points, each a list of scenario overrides (JSON path ->
 * JSON value) applied with ipsim_scenario_set. Who does what:
 *   experiment.c  reads and checks experiment files; the object's life
 *   designs.c     expands the design into points (plan_build.h, private)
 *   units.c       prepares the points' scenarios, runs one unit
 *   point_check.c checks the points of large designs per distinct override
 *   analysis.c, sampling.c  statistics and design generators (analysis.h)
 *   the sweep (sweep.h) journals units, writes, reads and merges sweep
 *   files (checked: sweep_h5read.c), records what its units depend on
 *   (sweep_identity.c), estimates its memory (sweep_memory.c), and spreads
 *   units over MPI ranks.
 */
#ifndef IPSIM_PLAN_H
#define IPSIM_PLAN_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"
#include "model/results.h"
#include "scenario/scenario.h"

#define XP_DEFAULT_REPLICATES 10
#define XP_MAX_POINTS 1000000
/* Designs of up to this many points are checked point by point when the
 * experiment is loaded; larger ones per distinct override (units.c), their
 * points when their units run. */
#define XP_EAGER_POINTS 1000
/* Bump when a change of the model alters the outcomes of an unchanged
 * scenario: a sweep's identity (sweep_identity.c) holds it with the ipsim
 * version, so --resume and merge refuse units of another model. */
#define XP_MODEL_REVISION 1
#define XP_MAX_PARAMS 20
#define XP_NAME_MAX 128

typedef enum {
    XP_ARMS = 0,
    XP_FACTORIAL,
    XP_GRID,
    XP_LHS,
    XP_SOBOL,
    XP_MORRIS,
    XP_RESPONSE, /* spend levels on one path, paired against the first (response.c) */
    XP_N_DESIGNS
} xp_design;
extern const char *const ipsim__xp_design_names[XP_N_DESIGNS]; /* designs.c */

/* Outcomes of one run, totals over the simulated days. */
enum {
    OUT_ARRIVALS = 0,
    OUT_CEC_ARRIVALS,
    OUT_VISITOR_NIGHTS,
    OUT_SPENDING_CNY,
    OUT_POSITIVE_POST_SHARE,
    OUT_REPEAT_VISIT_SHARE,
    OUT_PEAK_CROWDING,
    OUT_COUNT
};
/* The first XP_N_SPLIT outcomes also exist per market and per segment. */
#define XP_N_SPLIT 6
typedef struct {
    const char *name, *units, *long_name;
} xp_outcome_info;
extern const xp_outcome_info ipsim__xp_outcomes[OUT_COUNT]; /* units.c */

typedef struct {
    char *path;        /* JSON path in the resolved scenario */
    char *value;       /* JSON text */
    const char *where; /* JSON path of its origin in the experiment (static text
                        * or owned by the point's where_buf) */
} xp_set;

typedef struct {
    char name[XP_NAME_MAX];
    char *scenario; /* arms: the arm's own scenario file (opened as given), or NULL */
    xp_set *sets;
    int n_sets;
    char where_buf[96]; /* origin of overrides that are not in design.factors */
} xp_point;

struct ipsim_experiment {
    char *origin;    /* the file, for messages */
    char *json_text; /* the experiment as JSON (stored in /experiment) */
    char name[XP_NAME_MAX];
    xp_design type;
    int replicates;
    int seed_set; /* the file gives "seed" */
    uint64_t seed;
    double scale;          /* 0 = scenario's */
    unsigned outcome_mask; /* bit i: outcome i is written and analysed */
    int n_daily;           /* keep_daily: metrics kept per day */
    int daily[MET_COUNT];
    int n_points;
    xp_point *points;
    int n_params; /* design parameters (factors for factorial) */
    char (*param)[XP_NAME_MAX];
    double *design;        /* [param][point] parameter values (factorial: 0/1) */
    double *lo, *hi;       /* lhs, sobol, morris: [param] ranges */
    signed char *factor_x; /* factorial: [point][factor] -1/+1 */
    int reference;         /* arms: the reference point */
    int resolution;        /* factorial: 0 = full, else achieved resolution */
    int sobol_n;           /* sobol: N */
    int morris_r;          /* morris: trajectories */
    /* From the scenarios (ipsim_experiment_load), or read back from a sweep
     * file (merge). */
    ipsim_scenario *base; /* NULL when every arm has its own scenario, or in merge */
    ipsim_scenario **own; /* [point]: loaded arm scenario files, or NULL */
    double *cost;         /* [point] sum of cost_cny of the interventions (NaN: not
                           * known yet, see ipsim__xp_point_costs) */
    int checked;          /* points checked one by one when loaded (all of them, or
                           * the first XP_EAGER_POINTS of a larger design) */
    uint64_t run_seed;    /* seed every unit runs with */
    int n_markets;
    char (*market)[IPSIM_NAME_MAX];
    int days;
    struct xp_posterior *post; /* --posterior (posterior_draws.h), or NULL */
    struct xp_window *windows; /* outcome windows (windows.h) */
    int n_windows;
    struct xp_ratio *ratios;
    int n_ratios;
    char start_text[16]; /* the reference scenario's start_date (windows) */
    /* The experiment's "set" (variations.c): overrides applied together to
     * the base and to every arm's scenario file, before the points' own. */
    xp_set *gsets;
    int n_gsets;
    /* "variations" (variations.c): point v * n_design + p is design point p
     * under variation v, whose overrides come before the point's own.
     * n_var 0: none (n_design == n_points). */
    int n_var;
    int n_design;
    char (*var_name)[XP_NAME_MAX];
    char **var_desc; /* [n_var], "" when not given */
    char **var_set;  /* [n_var] the variation's "set" as compact JSON */
    char (*var_where)[80];
};

/* The first point of the variation point p belongs to, and the point its
 * paired differences are taken against (arms: the reference arm of the same
 * variation; response: the first level of the same variation). */
static inline int ipsim__xp_block_start(const ipsim_experiment *e, int p)
{
    return e->n_var > 0 ? p / e->n_design * e->n_design : 0;
}
static inline int ipsim__xp_ref_of(const ipsim_experiment *e, int p)
{
    return ipsim__xp_block_start(e, p) + e->reference;
}

/* ---- experiment.c ------------------------------------------------------ */

/* Build an experiment from its JSON (already parsed; label prefixes
 * messages, dir resolves relative paths, NULL = as given). Expands the
 * design; loads no scenario. */
ipsim_status ipsim__xp_from_json(const cJSON *root, const char *label, const char *dir,
                                 ipsim_experiment **out, char *err, size_t errlen);

/* Effective replicates and scale of a sweep with these options. */
int ipsim__xp_replicates(const ipsim_experiment *e, const ipsim_sweep_options *o);
double ipsim__xp_scale(const ipsim_experiment *e, const ipsim_sweep_options *o);

/* Free what the "set" and "variations" of e hold (variations.c). */
void ipsim__xp_free_variations(ipsim_experiment *e);

/* ---- units.c ----------------------------------------------------------- */

/* Load the scenarios and check every point (fills base, own, cost,
 * run_seed, markets, days). */
ipsim_status ipsim__xp_prepare(ipsim_experiment *e, char *err, size_t errlen);

/* Fill the costs of the points not yet known (large designs whose
 * overrides touch interventions: each such point is resolved). */
ipsim_status ipsim__xp_point_costs(ipsim_experiment *e, char *err, size_t errlen);

/* A new scenario for point p: the base (or the arm's file) with the point's
 * overrides applied, checked to have the reference's markets and days
 * (*out NULL on failure; err names the point). */
ipsim_status ipsim__xp_point_scenario(const ipsim_experiment *e, int p, ipsim_scenario **out,
                                      char *err, size_t errlen);

/* Numbers per unit: OUT_COUNT outcomes, then [XP_N_SPLIT][market], then
 * [XP_N_SPLIT][segment], then [n_daily][day][market][segment], then the
 * window outcomes (windows.h). */
size_t ipsim__xp_unit_values(const ipsim_experiment *e);

/* Run unit (point, replicate) with the sweep options; values gets
 * ipsim__xp_unit_values(e) numbers, *seconds the model time. stop (may be NULL)
 * is polled every simulated day. */
ipsim_status ipsim__xp_run_unit(const ipsim_experiment *e, int point, int replicate,
                                const ipsim_sweep_options *o, double *values, double *seconds,
                                int (*stop)(void *), void *stop_data, char *err, size_t errlen);

#endif /* IPSIM_PLAN_H */
