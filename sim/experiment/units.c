/*
 * units.c - the points' scenarios and the units of work. ipsim__xp_prepare
 * loads the base and arm scenarios and checks that every point's overrides
 * apply (one by one up to XP_EAGER_POINTS points; the rest of a larger
 * design per distinct override, point_check.c); ipsim__xp_run_unit runs one
 * unit (point, replicate), checking its point again, and reduces the
 * model's results to the outcomes (totals, per market, per segment, and
 * the daily series kept).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "experiment/posterior_draws.h"
#include "experiment/windows.h"

const xp_outcome_info ipsim__xp_outcomes[OUT_COUNT] = {
    {"arrivals", "1", "trips started (people)"},
    {"cec_arrivals", "1", "trips started by core experiential consumers (people)"},
    {"visitor_nights", "1", "nights spent at the destination (people x nights)"},
    {"spending_cny", "CNY", "on-site spending"},
    {"positive_post_share", "1", "share of posts that are positive"},
    {"repeat_visit_share", "1", "share of arrivals by people who visited before"},
    {"peak_crowding", "1", "highest visitors / capacity over days and assets"},
};

/* ---- scenarios ---------------------------------------------------------- */

double ipsim__xp_intervention_cost(const ipsim_scenario *sc)
{
    const sc_data *d = ipsim_scenario_data(sc);
    double c = 0.0;
    for (int i = 0; i < d->n_interventions; i++)
        c += d->interventions[i].cost_cny;
    return c;
}

/* The message of ipsim_scenario_set without its "--set PATH: " prefix. */
static const char *strip_set_prefix(const char *m)
{
    if (strncmp(m, "--set ", 6) == 0) {
        const char *c = strstr(m, ": ");
        if (c)
            return c + 2;
    }
    return m;
}

ipsim_status ipsim__xp_apply_set(const ipsim_experiment *e, ipsim_scenario *sc, const xp_point *pt,
                                 const xp_set *set, char *err, size_t errlen)
{
    char why[2048];
    size_t n = strlen(set->path) + strlen(set->value) + 2;
    char *a = malloc(n);
    if (!a) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    snprintf(a, n, "%s=%s", set->path, set->value);
    why[0] = '\0';
    ipsim_status st = ipsim_scenario_set(sc, a, why, sizeof why);
    free(a);
    if (st != IPSIM_OK) {
        snprintf(err, errlen, "%s: %s: \"%s\" = %s (point %s): %s", e->origin,
                 set->where ? set->where : "design", set->path, set->value, pt->name,
                 strip_set_prefix(why));
        return st == IPSIM_ERR_USAGE ? IPSIM_ERR_DATA : st;
    }
    return IPSIM_OK;
}

ipsim_status ipsim__xp_check_shape(const ipsim_experiment *e, const xp_point *pt,
                                   const ipsim_scenario *sc, char *err, size_t errlen)
{
    const sc_data *d = ipsim_scenario_data(sc);
    int same = d->n_markets == e->n_markets && d->simulation.days == e->days;
    for (int m = 0; same && m < d->n_markets; m++)
        same = strcmp(d->markets[m].name, e->market[m]) == 0;
    if (same)
        return IPSIM_OK;
    snprintf(err, errlen,
             "%s: point %s: expected the same markets (in the same order) "
             "and simulation.days as the reference, found others",
             e->origin, pt->name);
    return IPSIM_ERR_DATA;
}

/* A new scenario for point p: the base or the arm's file with the point's
 * overrides applied (not checked against the reference). */
static ipsim_status point_scenario(const ipsim_experiment *e, int p, ipsim_scenario **out, char *err,
                                   size_t errlen)
{
    const xp_point *pt = &e->points[p];
    const ipsim_scenario *src = ipsim__xp_source_scenario(e, p);
    *out = NULL;
    if (!src) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    char who[XP_NAME_MAX + 8];
    snprintf(who, sizeof who, "point %s", pt->name);
    return ipsim__xp_derive_sets(e, src, who, pt->sets, pt->n_sets, out, err, errlen);
}

ipsim_status ipsim__xp_point_scenario(const ipsim_experiment *e, int p, ipsim_scenario **out,
                                      char *err, size_t errlen)
{
    ipsim_status st = point_scenario(e, p, out, err, errlen);
    if (st == IPSIM_OK &&
        (st = ipsim__xp_check_shape(e, &e->points[p], *out, err, errlen)) != IPSIM_OK) {
        ipsim_scenario_destroy(*out);
        *out = NULL;
    }
    return st;
}

const ipsim_scenario *ipsim__xp_source_scenario(const ipsim_experiment *e, int p)
{
    return e->own && e->own[p] ? e->own[p] : e->base;
}

ipsim_status ipsim__xp_point_costs(ipsim_experiment *e, char *err, size_t errlen)
{
    for (int p = 0; e->cost && p < e->n_points; p++)
        if (isnan(e->cost[p])) {
            ipsim_scenario *sc = NULL;
            ipsim_status st = point_scenario(e, p, &sc, err, errlen);
            if (st != IPSIM_OK)
                return st;
            e->cost[p] = ipsim__xp_intervention_cost(sc);
            ipsim_scenario_destroy(sc);
        }
    return IPSIM_OK;
}

static ipsim_status load_inline_base(ipsim_experiment *e, const cJSON *obj, const char *dir, char *err,
                                     size_t errlen)
{
    cJSON *copy = cJSON_Duplicate(obj, 1);
    ipsim_status st = IPSIM_ERR_NOMEM;
    char label[600];
    snprintf(label, sizeof label, "%s: base", e->origin);
    if (copy) {
        cJSON *b = cJSON_GetObjectItemCaseSensitive(copy, "base");
        if (cJSON_IsString(b) && b->valuestring[0] != '/' && dir && *dir) {
            char *j = ipsim__xp_join_path(dir, b->valuestring);
            if (j)
                cJSON_ReplaceItemInObjectCaseSensitive(copy, "base", cJSON_CreateString(j));
            free(j);
        }
        char *text = cJSON_PrintUnformatted(copy);
        if (text) {
            st = ipsim_scenario_load_buffer(text, strlen(text), label, &e->base, err, errlen);
            free(text);
        }
        cJSON_Delete(copy);
    }
    if (st == IPSIM_ERR_NOMEM)
        snprintf(err, errlen, "%s: out of memory", e->origin);
    return st;
}

ipsim_status ipsim__xp_prepare(ipsim_experiment *e, char *err, size_t errlen)
{
    cJSON *root = cJSON_Parse(e->json_text);
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "base");
    char *dir = NULL;
    ipsim_status st = IPSIM_OK;
    const char *slash = strrchr(e->origin, '/');
    if (slash) {
        dir = malloc((size_t)(slash - e->origin) + 1);
        if (dir)
            snprintf(dir, (size_t)(slash - e->origin) + 1, "%s", e->origin);
    }
    if (!root || (slash && !dir)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "%s: out of memory", e->origin);
        free(dir);
        return IPSIM_ERR_NOMEM;
    }
    if (cJSON_IsString(base)) {
        char *p = ipsim__xp_join_path(dir, base->valuestring);
        char why[2048] = "";
        st = p ? ipsim_scenario_load(p, &e->base, why, sizeof why) : IPSIM_ERR_NOMEM;
        if (st != IPSIM_OK)
            snprintf(err, errlen, "%s: base: %s", e->origin, why);
        free(p);
    } else if (cJSON_IsObject(base)) {
        st = load_inline_base(e, base, dir, err, errlen);
    }
    cJSON_Delete(root);
    free(dir);
    if (st != IPSIM_OK)
        return st;
    e->own = calloc((size_t)e->n_points, sizeof *e->own);
    e->cost = calloc((size_t)e->n_points, sizeof *e->cost);
    if (!e->own || !e->cost) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    for (int p = 0; p < e->n_points; p++)
        if (e->points[p].scenario) {
            char why[2048] = "";
            st = ipsim_scenario_load(e->points[p].scenario, &e->own[p], why, sizeof why);
            if (st != IPSIM_OK) {
                snprintf(err, errlen, "%s: design.arms[%d].scenario: %s", e->origin, p, why);
                return st;
            }
        }
    if ((st = ipsim__xp_apply_global_sets(e, err, errlen)) != IPSIM_OK)
        return st;
    int ref = e->type == XP_ARMS ? e->reference : 0;
    const ipsim_scenario *rs = e->own[ref] ? e->own[ref] : e->base;
    const sc_data *rd = ipsim_scenario_data(rs);
    e->run_seed = e->seed_set ? e->seed : rd->simulation.seed;
    if (e->scale <= 0)
        e->scale = rd->simulation.scale;
    e->days = rd->simulation.days;
    e->n_markets = rd->n_markets;
    e->market = calloc((size_t)rd->n_markets, sizeof *e->market);
    if (!e->market) {
        snprintf(err, errlen, "%s: out of memory", e->origin);
        return IPSIM_ERR_NOMEM;
    }
    for (int m = 0; m < rd->n_markets; m++)
        snprintf(e->market[m], IPSIM_NAME_MAX, "%s", rd->markets[m].name);
    if ((st = ipsim__xp_windows_resolve(e, rd->simulation.start_date, err, errlen)) != IPSIM_OK)
        return st;
    /* every point (or the first XP_EAGER_POINTS), one by one */
    int eager = e->n_points < XP_EAGER_POINTS ? e->n_points : XP_EAGER_POINTS;
    for (int p = 0; p < eager; p++) {
        ipsim_scenario *sc = NULL;
        if ((st = point_scenario(e, p, &sc, err, errlen)) != IPSIM_OK)
            return st;
        e->cost[p] = ipsim__xp_intervention_cost(sc);
        st = ipsim__xp_check_shape(e, &e->points[p], sc, err, errlen);
        ipsim_scenario_destroy(sc);
        if (st != IPSIM_OK)
            return st;
    }
    e->checked = eager;
    return e->n_points > eager ? ipsim__xp_check_rest(e, err, errlen) : IPSIM_OK;
}

/* ---- one unit ----------------------------------------------------------- */

size_t ipsim__xp_unit_values(const ipsim_experiment *e)
{
    size_t m = (size_t)e->n_markets;
    return OUT_COUNT + XP_N_SPLIT * m + XP_N_SPLIT * IPSIM_N_SEGMENTS +
           (size_t)e->n_daily * (size_t)e->days * m * IPSIM_N_SEGMENTS + (size_t)ipsim__xp_n_extra(e);
}

typedef struct {
    int (*stop)(void *);
    void *data;
} stop_relay;

static int unit_progress(void *ud, int day, int total)
{
    const stop_relay *s = ud;
    (void)day;
    (void)total;
    return s->stop ? s->stop(s->data) : 0;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double share(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

/* The outcomes of a finished model into v (layout: ipsim__xp_unit_values). */
static void reduce_outcomes(const ipsim_experiment *e, const ipsim_model *m, double *v)
{
    const ipsim_results *r = ipsim_model_results(m);
    int M = r->n_markets, D = r->days, S = IPSIM_N_SEGMENTS;
    double *split = v + OUT_COUNT;        /* [XP_N_SPLIT][M] */
    double *seg = split + XP_N_SPLIT * M; /* [XP_N_SPLIT][S] */
    double *daily = seg + XP_N_SPLIT * S;
    /* per cell totals of the flows used */
    enum { C_ARR, C_REP, C_NIGHTS, C_SPEND, C_POS, C_NEG, C_NEU, C_N };
    static const int met[C_N] = {MET_ARRIVALS,     MET_REPEAT_ARRIVALS, MET_VISITOR_NIGHTS,
                                 MET_SPENDING_CNY, MET_POSTS_POSITIVE,  MET_POSTS_NEGATIVE,
                                 MET_POSTS_NEUTRAL};
    double cell[C_N][IPSIM_MAX_MARKETS][IPSIM_N_SEGMENTS];
    memset(cell, 0, sizeof cell);
    for (int k = 0; k < C_N; k++) {
        const double *d = results_daily(r, met[k]);
        for (int t = 0; t < D; t++)
            for (int mk = 0; mk < M; mk++)
                for (int s = 0; s < S; s++) {
                    double x = d[((size_t)t * M + mk) * S + s];
                    if (isfinite(x))
                        cell[k][mk][s] += x;
                }
    }
    /* sums over a set of cells: market mk (or -1 all), segment s (or -1) */
    for (int scope = 0; scope < 1 + M + S; scope++) {
        double t[C_N] = {0}, cec = 0.0;
        for (int mk = 0; mk < M; mk++)
            for (int s = 0; s < S; s++) {
                if (scope >= 1 && scope <= M && mk != scope - 1)
                    continue;
                if (scope > M && s != scope - 1 - M)
                    continue;
                for (int k = 0; k < C_N; k++)
                    t[k] += cell[k][mk][s];
                if (s == IPSIM_SEG_CEC)
                    cec += cell[C_ARR][mk][s];
            }
        double o[XP_N_SPLIT] = {t[C_ARR],
                                cec,
                                t[C_NIGHTS],
                                t[C_SPEND],
                                share(t[C_POS], t[C_POS] + t[C_NEG] + t[C_NEU]),
                                share(t[C_REP], t[C_ARR])};
        for (int k = 0; k < XP_N_SPLIT; k++) {
            if (scope == 0)
                v[k] = o[k];
            else if (scope <= M)
                split[(size_t)k * M + (scope - 1)] = o[k];
            else
                seg[(size_t)k * S + (scope - 1 - M)] = o[k];
        }
    }
    double peak = 0.0;
    const double *c = results_asset(r, AMET_CROWDING);
    for (size_t i = 0; i < (size_t)D * (size_t)r->n_assets; i++)
        if (isfinite(c[i]) && c[i] > peak)
            peak = c[i];
    v[OUT_PEAK_CROWDING] = peak;
    size_t block = (size_t)D * M * S;
    for (int k = 0; k < e->n_daily; k++)
        memcpy(daily + (size_t)k * block, results_daily(r, e->daily[k]), block * sizeof *daily);
    if (e->n_windows > 0)
        ipsim__xp_windows_reduce(e, r, daily + (size_t)e->n_daily * block);
}

ipsim_status ipsim__xp_run_unit(const ipsim_experiment *e, int point, int replicate,
                                const ipsim_sweep_options *o, double *values, double *seconds,
                                int (*stop)(void *), void *stop_data, char *err, size_t errlen)
{
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    stop_relay relay = {stop, stop_data};
    ipsim_status st = ipsim__xp_point_scenario(e, point, &sc, err, errlen);
    double t0 = wall_now(); /* model time: create, run, reduce, destroy */
    *seconds = 0.0;
    if (st == IPSIM_OK && e->post) {
        /* the replicate's posterior draw, on top of the point's overrides */
        int particle = ipsim__xp_post_particle_of(e, ipsim__xp_replicates(e, o), replicate);
        st = ipsim__xp_post_apply(e, particle, sc, e->points[point].name, err, errlen);
        if (st != IPSIM_OK)
            ipsim_scenario_destroy(sc);
    }
    if (st != IPSIM_OK)
        return st;
    memset(&opt, 0, sizeof opt);
    ipsim_run_options_init(&opt);
    opt.seed_set = 1;
    opt.seed = e->run_seed;
    opt.replicate = (uint32_t)replicate;
    opt.threads = o ? o->threads : 0;
    opt.scale = ipsim__xp_scale(e, o);
    opt.max_memory_bytes = o ? o->max_memory_bytes : 0;
    opt.log = o ? o->log : NULL;
    opt.log_userdata = o ? o->log_userdata : NULL;
    st = ipsim__model_create_owned(sc, &opt, &m, err, errlen); /* m takes sc */
    sc = NULL;
    if (st == IPSIM_OK)
        st = ipsim_model_run(m, unit_progress, &relay);
    if (st == IPSIM_OK) {
        const ipsim_results *r = ipsim_model_results(m);
        if (r->n_markets != e->n_markets || r->days != e->days) {
            snprintf(err, errlen,
                     "%s: point %s: the run has %d markets and %d days, expected "
                     "%d and %d",
                     e->origin, e->points[point].name, r->n_markets, r->days, e->n_markets, e->days);
            st = IPSIM_ERR_INTERNAL;
        } else {
            reduce_outcomes(e, m, values);
        }
    }
    ipsim_model_destroy(m); /* and sc, which it took */
    *seconds = wall_now() - t0;
    return st;
}
