/*
 * response.c - the "response" design: one path of the scenario (typically
 * an intervention's cost_cny) at ascending levels, the first of them (0, or
 * the smallest) the point every other level is paired against. Point i
 * sets the path to levels[i]; its spend is its interventions' cost. The
 * analysis (/analysis/response, sweep_plan_out.c) gives the incremental
 * outcome, the marginal return and the cost per extra unit.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

#define RESPONSE_MAX_LEVELS 1000

ipsim_status ipsim__xp_build_response(xp_builder *b, const cJSON *d)
{
    static const char *const keys[] = {"type", "name", "path", "levels", "scenario", NULL};
    ipsim_experiment *e = b->e;
    const char *path = NULL, *scen = NULL;
    ipsim_status st;
    if ((st = ipsim__xp_check_keys(&b->c, d, "design", keys)) != IPSIM_OK)
        return st;
    e->n_params = 1;
    e->param = calloc(1, sizeof *e->param);
    if (!e->param)
        return ipsim__xp_nomem(&b->c);
    if ((st = ipsim__xp_get_name(&b->c, d, "design", e->param[0])) != IPSIM_OK ||
        (st = ipsim__xp_get_string(&b->c, d, "path", "design", 1, IPSIM_JSON_PATH_MAX, &path)) !=
            IPSIM_OK ||
        (st = ipsim__xp_get_string(&b->c, d, "scenario", "design", 0, 4096, &scen)) != IPSIM_OK)
        return st;
    const cJSON *lv = cJSON_GetObjectItemCaseSensitive(d, "levels"), *it;
    if (!cJSON_IsArray(lv) || cJSON_GetArraySize(lv) < 2 ||
        cJSON_GetArraySize(lv) > RESPONSE_MAX_LEVELS)
        return ipsim__xp_expected(&b->c, "design.levels",
                                  "an array of 2 to 1000 ascending numbers (the first, 0 or the "
                                  "smallest, is what the others are paired against)",
                                  lv);
    int n = cJSON_GetArraySize(lv), i = 0;
    double prev = 0.0;
    cJSON_ArrayForEach(it, lv)
    {
        char p[48];
        snprintf(p, sizeof p, "design.levels[%d]", i);
        if (!cJSON_IsNumber(it))
            return ipsim__xp_expected(&b->c, p, "a number", it);
        if (i > 0 && !(it->valuedouble > prev))
            return ipsim__xp_expected(&b->c, p, "a number greater than the level before it", it);
        prev = it->valuedouble;
        i++;
    }
    e->points = calloc((size_t)n, sizeof *e->points);
    e->design = calloc((size_t)n, sizeof *e->design);
    if (!e->points || !e->design)
        return ipsim__xp_nomem(&b->c);
    e->n_points = n;
    e->reference = 0;
    i = 0;
    cJSON_ArrayForEach(it, lv)
    {
        xp_point *pt = &e->points[i];
        char *text = cJSON_PrintUnformatted(it);
        pt->sets = calloc(1, sizeof *pt->sets);
        if (!text || !pt->sets) {
            free(text);
            return ipsim__xp_nomem(&b->c);
        }
        snprintf(pt->name, XP_NAME_MAX, "%.64s=%.40s", e->param[0], text);
        snprintf(pt->where_buf, sizeof pt->where_buf, "design.levels[%d]", i);
        pt->sets[0].path = ipsim__xp_dup_str(path);
        pt->sets[0].value = text;
        pt->sets[0].where = pt->where_buf;
        pt->n_sets = 1;
        if (!pt->sets[0].path)
            return ipsim__xp_nomem(&b->c);
        if (scen && !(pt->scenario = ipsim__xp_join_path(b->dir, scen)))
            return ipsim__xp_nomem(&b->c);
        e->design[i] = it->valuedouble;
        i++;
    }
    return IPSIM_OK;
}
