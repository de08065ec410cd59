/*
 * point_check.c - the checks of a large design (more than XP_EAGER_POINTS
 * points) when it is loaded. Checking every point builds its scenario
 * (about a millisecond each), which for 10^6 points took over an hour
 * before --dry-run said anything. Past the first XP_EAGER_POINTS points,
 * which units.c checks one by one, each distinct override (source
 * scenario, path, value) is applied once on its own (lhs, sobol and morris,
 * whose values are all distinct: each parameter at its min and its max), at
 * most XP_EAGER_POINTS of them; the points themselves are checked when
 * their units run (ipsim__xp_point_scenario), and a point that fails then
 * fails its units with a message that names it.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define FIRST_SLOTS 1024
#define INTERVENTIONS "interventions"

/* One override seen: point p's set i, and its hash. */
typedef struct {
    int p, i; /* p < 0: empty slot */
    uint64_t h;
} seen_slot;

typedef struct {
    seen_slot *slot;
    size_t n, cap; /* cap a power of two */
} seen_set;

static uint64_t fnv_str(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= FNV_PRIME;
    }
    return h * FNV_PRIME; /* the terminator separates the strings */
}

static uint64_t set_hash(const ipsim_experiment *e, int p, int i)
{
    const xp_set *s = &e->points[p].sets[i];
    uintptr_t src = (uintptr_t)ipsim__xp_source_scenario(e, p);
    uint64_t h = FNV_OFFSET ^ (uint64_t)src;
    return fnv_str(fnv_str(h * FNV_PRIME, s->path), s->value);
}

static int same_set(const ipsim_experiment *e, int p, int i, int q, int j)
{
    const xp_set *a = &e->points[p].sets[i], *b = &e->points[q].sets[j];
    return ipsim__xp_source_scenario(e, p) == ipsim__xp_source_scenario(e, q) &&
           strcmp(a->path, b->path) == 0 && strcmp(a->value, b->value) == 0;
}

static int seen_grow(seen_set *t)
{
    size_t cap = t->cap ? 2 * t->cap : FIRST_SLOTS;
    seen_slot *s = malloc(cap * sizeof *s);
    if (!s)
        return -1;
    for (size_t k = 0; k < cap; k++)
        s[k].p = -1;
    for (size_t k = 0; k < t->cap; k++)
        if (t->slot[k].p >= 0) {
            size_t at = (size_t)t->slot[k].h & (cap - 1);
            while (s[at].p >= 0)
                at = (at + 1) & (cap - 1);
            s[at] = t->slot[k];
        }
    free(t->slot);
    t->slot = s;
    t->cap = cap;
    return 0;
}

/* 1 if point p's set i was seen before, 0 if it is new (now recorded), -1
 * when out of memory. */
static int seen_add(seen_set *t, const ipsim_experiment *e, int p, int i)
{
    if (2 * (t->n + 1) > t->cap && seen_grow(t) != 0)
        return -1;
    uint64_t h = set_hash(e, p, i);
    size_t at = (size_t)h & (t->cap - 1);
    for (; t->slot[at].p >= 0; at = (at + 1) & (t->cap - 1))
        if (t->slot[at].h == h && same_set(e, p, i, t->slot[at].p, t->slot[at].i))
            return 1;
    t->slot[at] = (seen_slot){p, i, h};
    t->n++;
    return 0;
}

/* Apply one override alone to a copy of the point's source scenario. */
static ipsim_status check_one(const ipsim_experiment *e, const xp_point *pt,
                              const ipsim_scenario *from, const xp_set *set, char *err, size_t errlen)
{
    ipsim_scenario *sc = ipsim_scenario_clone(from);
    if (!sc) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    ipsim_status st = ipsim__xp_apply_set(e, sc, pt, set, err, errlen);
    if (st == IPSIM_OK)
        st = ipsim__xp_check_shape(e, pt, sc, err, errlen);
    ipsim_scenario_destroy(sc);
    return st;
}

/* lhs, sobol, morris: each parameter at its min and max, on the base. */
static ipsim_status check_ranges(const ipsim_experiment *e, char *err, size_t errlen)
{
    const xp_point *p0 = &e->points[0];
    for (int j = 0; j < e->n_params && j < p0->n_sets; j++)
        for (int side = 0; side < 2; side++) {
            char text[40];
            xp_point pt;
            memset(&pt, 0, sizeof pt);
            snprintf(pt.name, sizeof pt.name, "%s at its %s", e->param[j], side ? "max" : "min");
            ipsim_json_number_text(side ? e->hi[j] : e->lo[j], text, sizeof text);
            xp_set set = {p0->sets[j].path, text, p0->sets[j].where};
            ipsim_status st = check_one(e, &pt, ipsim__xp_source_scenario(e, 0), &set, err, errlen);
            if (st != IPSIM_OK)
                return st;
        }
    return IPSIM_OK;
}

/* Is set one of a variation's overrides (variations.c points their origin
 * at e->var_where)? */
static int from_variation(const ipsim_experiment *e, const xp_set *set)
{
    const char *lo = (const char *)e->var_where, *hi = (const char *)(e->var_where + e->n_var);
    return e->n_var > 0 && set->where >= lo && set->where < hi;
}

/* Each variation's overrides, together (they may only be valid together),
 * once on each distinct source scenario of its points. */
static ipsim_status check_variations(const ipsim_experiment *e, char *err, size_t errlen)
{
    for (int v = 0; v < e->n_var; v++) {
        int first = v * e->n_design;
        const xp_point *p0 = &e->points[first];
        int n = 0;
        while (n < p0->n_sets && from_variation(e, &p0->sets[n]))
            n++;
        for (int p = first; p < first + e->n_design; p++) {
            const ipsim_scenario *src = ipsim__xp_source_scenario(e, p);
            int dup = 0;
            for (int q = first; q < p && !dup; q++)
                dup = ipsim__xp_source_scenario(e, q) == src;
            if (dup)
                continue;
            ipsim_scenario *sc = ipsim_scenario_clone(src);
            char who[XP_NAME_MAX + 8];
            snprintf(who, sizeof who, "point %s", e->points[p].name);
            ipsim_status st = sc ? ipsim__xp_apply_sets(e, sc, who, p0->sets, n, err, errlen)
                                 : IPSIM_ERR_NOMEM;
            if (!sc)
                snprintf(err, errlen, "%s: out of memory", e->origin);
            if (st == IPSIM_OK)
                st = ipsim__xp_check_shape(e, &e->points[p], sc, err, errlen);
            ipsim_scenario_destroy(sc);
            if (st != IPSIM_OK)
                return st;
        }
    }
    return IPSIM_OK;
}

/* Grids, factorials, arms: each distinct override once (at most
 * XP_EAGER_POINTS of them); a variation's overrides together, once per
 * variation and source. */
static ipsim_status check_distinct(const ipsim_experiment *e, char *err, size_t errlen)
{
    seen_set t = {NULL, 0, 0};
    ipsim_status st = IPSIM_OK;
    int budget = XP_EAGER_POINTS;
    if ((st = check_variations(e, err, errlen)) != IPSIM_OK)
        return st;
    for (int p = e->checked; p < e->n_points && st == IPSIM_OK && budget > 0; p++)
        for (int i = 0; i < e->points[p].n_sets && st == IPSIM_OK && budget > 0; i++) {
            if (from_variation(e, &e->points[p].sets[i]))
                continue;
            int seen = seen_add(&t, e, p, i);
            if (seen < 0) {
                snprintf(err, errlen, "%s: out of memory", e->origin);
                st = IPSIM_ERR_NOMEM;
            } else if (!seen) {
                budget--;
                st = check_one(e, &e->points[p], ipsim__xp_source_scenario(e, p),
                               &e->points[p].sets[i], err, errlen);
            }
        }
    free(t.slot);
    return st;
}

ipsim_status ipsim__xp_check_rest(ipsim_experiment *e, char *err, size_t errlen)
{
    ipsim_status st = e->type == XP_LHS || e->type == XP_SOBOL || e->type == XP_MORRIS
                          ? check_ranges(e, err, errlen)
                          : check_distinct(e, err, errlen);
    if (st != IPSIM_OK)
        return st;
    /* costs: the source's, unless an override touches the interventions */
    for (int p = e->checked; p < e->n_points; p++) {
        const xp_point *pt = &e->points[p];
        int touches = 0;
        for (int i = 0; i < pt->n_sets && !touches; i++)
            touches = strncmp(pt->sets[i].path, INTERVENTIONS, strlen(INTERVENTIONS)) == 0;
        e->cost[p] = touches ? NAN : ipsim__xp_intervention_cost(ipsim__xp_source_scenario(e, p));
    }
    return IPSIM_OK;
}
