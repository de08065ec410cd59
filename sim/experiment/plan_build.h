/*
 * plan_build.h - what the files that build an experiment share (private to
 * sim/experiment: experiment.c, designs.c, units.c, point_check.c;
 * everything else uses plan.h).
 *
 * Messages go into the caller's buffer in the scenarios' style,
 * "FILE: json.path: expected X, found Y"; the readers below check one key
 * of an experiment object and say what is wrong. experiment.c implements
 * them and reads the top level of an experiment file; designs.c expands
 * its "design" into points.
 */
#ifndef IPSIM_PLAN_BUILD_H
#define IPSIM_PLAN_BUILD_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "experiment/plan.h"

/* Where messages go. */
typedef struct {
    const char *label; /* file name for messages */
    char *err;
    size_t errlen;
} xp_msg;

/* An experiment being built from its JSON. */
typedef struct {
    ipsim_experiment *e;
    const char *dir; /* directory of the experiment file, NULL = as given */
    xp_msg c;
} xp_builder;

/* ---- messages and readers (experiment.c) ------------------------------- */

/* Write "LABEL: " and the formatted text into c's buffer; returns st. */
ipsim_status ipsim__xp_say(xp_msg *c, ipsim_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "PATH: expected WHAT, found VALUE" (IPSIM_ERR_DATA). */
ipsim_status ipsim__xp_expected(xp_msg *c, const char *path, const char *what, const cJSON *found);

/* "out of memory" (IPSIM_ERR_NOMEM). */
ipsim_status ipsim__xp_nomem(xp_msg *c);

/* Keys of obj must be among allowed (NULL-terminated); path is obj's JSON
 * path ("" at the top level). */
ipsim_status ipsim__xp_check_keys(xp_msg *c, const cJSON *obj, const char *path,
                                  const char *const *allowed);

/* String obj[key] of 1 to max-1 bytes into *out (NULL when absent and not
 * required); *out points into obj. */
ipsim_status ipsim__xp_get_string(xp_msg *c, const cJSON *obj, const char *key, const char *path,
                                  int required, size_t max, const char **out);

/* Whole number obj[key] in [lo, hi]; *out keeps its value when the key is
 * absent. */
ipsim_status ipsim__xp_get_int(xp_msg *c, const cJSON *obj, const char *key, const char *path,
                               int required, long lo, long hi, long *out);

/* obj["name"] (required) into out[XP_NAME_MAX]: it becomes a dataset name,
 * so letters, digits, '_', '-', '.' only. */
ipsim_status ipsim__xp_get_name(xp_msg *c, const cJSON *obj, const char *path, char *out);

/* A malloc'ed copy of s; NULL when out of memory. */
char *ipsim__xp_dup_str(const char *s);

/* rel joined to dir (rel itself when dir is NULL or empty or rel is
 * absolute), malloc'ed; NULL when out of memory. */
char *ipsim__xp_join_path(const char *dir, const char *rel);

/* ---- designs (designs.c) ------------------------------------------------ */

/* Expand the design object d of type b->e->type into b->e's points,
 * parameters and design matrix (the "design" keys are checked here). */
ipsim_status ipsim__xp_build_design(xp_builder *b, const cJSON *d);

/* ---- the points' scenarios (units.c, point_check.c) --------------------- */

/* Sum of cost_cny of sc's interventions. */
double ipsim__xp_intervention_cost(const ipsim_scenario *sc);

/* The scenario point p starts from: its arm's file, else the base. */
const ipsim_scenario *ipsim__xp_source_scenario(const ipsim_experiment *e, int p);

/* Apply one override of point pt to sc; err says "ORIGIN: WHERE: "PATH" =
 * VALUE (point NAME): why". */
ipsim_status ipsim__xp_apply_set(const ipsim_experiment *e, ipsim_scenario *sc, const xp_point *pt,
                                 const xp_set *set, char *err, size_t errlen);

/* sc has the reference's markets (same order) and days; else err names pt. */
ipsim_status ipsim__xp_check_shape(const ipsim_experiment *e, const xp_point *pt,
                                   const ipsim_scenario *sc, char *err, size_t errlen);

/* The points after the first XP_EAGER_POINTS of a large design: each
 * distinct override applied once (lhs, sobol, morris: each parameter at its
 * min and max), costs set (NaN where overrides touch interventions); the
 * points themselves are checked when their units run (point_check.c). */
ipsim_status ipsim__xp_check_rest(ipsim_experiment *e, char *err, size_t errlen);

/* ---- "set" and "variations" (variations.c) ----------------------------- */

/* Read the experiment's "set" and "variations" (root is the experiment
 * object) after its design is built: the points become the cross product
 * of variations and design points. */
ipsim_status ipsim__xp_build_variations(xp_builder *b, const cJSON *root);

/* Apply the n overrides sets to sc together, validated once; err says
 * "ORIGIN: WHERE: "PATH" = VALUE (WHO): why" (who: "point NAME", ...). */
ipsim_status ipsim__xp_apply_sets(const ipsim_experiment *e, ipsim_scenario *sc, const char *who,
                                  const xp_set *sets, int n, char *err, size_t errlen);

/* A new scenario (*out): src with the n overrides sets applied, as a copy
 * of src and ipsim__xp_apply_sets give (same result, same messages), but
 * without copying src's data when the overrides apply. */
ipsim_status ipsim__xp_derive_sets(const ipsim_experiment *e, const ipsim_scenario *src,
                                   const char *who, const xp_set *sets, int n, ipsim_scenario **out,
                                   char *err, size_t errlen);

/* Apply the experiment's "set" to the base and to every arm's scenario
 * (after they are loaded). */
ipsim_status ipsim__xp_apply_global_sets(ipsim_experiment *e, char *err, size_t errlen);

/* Write the command line's overrides ov (NULL: none) into the experiment
 * root (overrides.c): "set" and design.arms[NAME].set. */
ipsim_status ipsim__xp_apply_overrides(cJSON *root, const ipsim_experiment_overrides *ov, char *err,
                                       size_t errlen);

/* ---- the response design (response.c) ---------------------------------- */

/* Expand a design {"type": "response", ...} into its levels. */
ipsim_status ipsim__xp_build_response(xp_builder *b, const cJSON *d);

#endif /* IPSIM_PLAN_BUILD_H */
