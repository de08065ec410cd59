/*
 * evaluate.c - an allocation on the model: the scenario of an allocation
 * (the base plus one mechanism C campaign per variable with money), runs of
 * a scenario for a range of replicates reduced to the problem's outcome
 * over the objective window, the zero-spend runs of the base (cached), and
 * paired increments and their interval. Every run of replicate r uses the
 * problem's seed and replicate index r, whatever the scenario: the random
 * streams are common to all allocations (common random numbers), so an
 * increment compares like with like.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "base/textbuf.h"
#include "json/json_path.h"
#include "optimize/opt.h"

#define CI_LEVEL 0.975 /* two-sided 95 % */
#define NUM_LEN 40

/* ---- the scenario of an allocation ----------------------------------------- */

static void add_campaign(const ipsim_optimize *op, const opt_var *v, int index, double cny,
                         ipsim_textbuf *b)
{
    char num[NUM_LEN], d0[16], d1[16];
    ipsim_date from = v->month >= 0 ? op->month_from[v->month] : op->from;
    ipsim_date to = v->month >= 0 ? op->month_to[v->month] : op->to;
    ipsim_date_format(from, d0);
    ipsim_date_format(to, d1);
    ipsim_json_number_text(cny, num, sizeof num);
    ipsim_textbuf_printf(b,
                         "interventions[+]={\"name\": \"optimize_%d\", \"mechanism\": \"C\", "
                         "\"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": %s, \"targets\": [",
                         index, d0, d1, num);
    const char *seg = v->segment >= 0        ? ipsim_segment_names[v->segment]
                      : op->n_segments == 2 ? "all"
                                            : ipsim_segment_names[op->segments[0]];
    if (v->market >= 0)
        ipsim_textbuf_printf(b, "{\"market\": \"%s\", \"segment\": \"%s\"}",
                             op->bd->markets[v->market].name, seg);
    else if (op->all_markets)
        ipsim_textbuf_printf(b, "{\"market\": \"*\", \"segment\": \"%s\"}", seg);
    else
        for (int i = 0; i < op->n_markets; i++)
            ipsim_textbuf_printf(b, "%s{\"market\": \"%s\", \"segment\": \"%s\"}", i ? ", " : "",
                                 op->bd->markets[op->markets[i]].name, seg);
    ipsim_textbuf_printf(b, "], \"channels\": {");
    if (v->channel >= 0) {
        ipsim_textbuf_printf(b, "\"%s\": 1", op->bd->channels[v->channel].name);
    } else {
        ipsim_json_number_text(1.0 / op->n_channels, num, sizeof num);
        for (int i = 0; i < op->n_channels; i++)
            ipsim_textbuf_printf(b, "%s\"%s\": %s", i ? ", " : "",
                                 op->bd->channels[op->channels[i]].name, num);
    }
    ipsim_textbuf_printf(b, "}}");
}

ipsim_status ipsim__opt_allocation_scenario(const ipsim_optimize *op, const double *x,
                                            ipsim_scenario **out, char *err, size_t errlen)
{
    ipsim_status st = IPSIM_OK;
    *out = ipsim_scenario_clone(op->base);
    if (!*out) {
        ipsim_set_error(err, errlen, "%s: out of memory", op->origin);
        return IPSIM_ERR_NOMEM;
    }
    for (int v = 0; v < op->n_vars && st == IPSIM_OK; v++) {
        if (!(x[v] > 0))
            continue;
        ipsim_textbuf b = {0};
        char why[2048] = "";
        add_campaign(op, &op->vars[v], v, x[v], &b);
        st = b.oom || !b.p ? IPSIM_ERR_NOMEM : ipsim_scenario_set(*out, b.p, why, sizeof why);
        if (st == IPSIM_ERR_NOMEM)
            ipsim_set_error(err, errlen, "%s: out of memory", op->origin);
        else if (st != IPSIM_OK) /* a bug: the loader checked every part */
            ipsim_set_error(err, errlen, "%s: variable %s: the campaign is refused: %s", op->origin,
                            op->vars[v].name, why);
        free(b.p);
    }
    if (st != IPSIM_OK) {
        ipsim_scenario_destroy(*out);
        *out = NULL;
        return st == IPSIM_ERR_NOMEM ? st : IPSIM_ERR_INTERNAL;
    }
    return IPSIM_OK;
}

/* ---- runs -------------------------------------------------------------------- */

int ipsim__opt_tick(opt_progress *pg)
{
    if (!pg)
        return 0;
    pg->done++;
    if (pg->done > pg->total)
        pg->total = pg->done;
    if (pg->fn && pg->fn(pg->ud, pg->done, pg->total, pg->phase))
        pg->stopped = 1;
    return pg->stopped;
}

/* The outcome of a finished model over the objective window. */
static ipsim_status outcome_of(const ipsim_optimize *op, const ipsim_model *m, double *out, char *err,
                               size_t errlen)
{
    static const char *const metric[OPT_N_OUTCOMES] = {"arrivals", "arrivals", "visitor_nights",
                                                       "spending_cny"};
    const double *d = NULL;
    int nm = 0;
    if (ipsim_model_daily(m, metric[op->outcome], &d, &nm) != IPSIM_OK) {
        ipsim_set_error(err, errlen, "%s: the model has no daily %s", op->origin, metric[op->outcome]);
        return IPSIM_ERR_INTERNAL;
    }
    int t0 = op->obj_from - op->bd->simulation.start_date;
    int t1 = op->obj_to - op->bd->simulation.start_date;
    double s = 0.0;
    for (int t = t0; t <= t1; t++)
        for (int k = 0; k < nm; k++)
            for (int g = 0; g < IPSIM_N_SEGMENTS; g++) {
                if (op->outcome == OPT_CEC_ARRIVALS && g != IPSIM_SEG_CEC)
                    continue;
                double x = d[((size_t)t * (size_t)nm + (size_t)k) * IPSIM_N_SEGMENTS + (size_t)g];
                if (isfinite(x))
                    s += x;
            }
    *out = s;
    return IPSIM_OK;
}

/* One run of sc (replicate r), with optional overrides applied first. */
static ipsim_status one_run(ipsim_optimize *op, const ipsim_scenario *sc, int r,
                            const char *const *overrides, double *out, char *err, size_t errlen)
{
    ipsim_scenario *own = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options o;
    ipsim_status st = IPSIM_OK;
    if (overrides) {
        if (!(own = ipsim_scenario_clone(sc))) {
            ipsim_set_error(err, errlen, "%s: out of memory", op->origin);
            return IPSIM_ERR_NOMEM;
        }
        for (int i = 0; overrides[i] && st == IPSIM_OK; i++)
            st = ipsim_scenario_set(own, overrides[i], err, errlen);
        sc = own;
    }
    memset(&o, 0, sizeof o);
    ipsim_run_options_init(&o);
    o.seed_set = 1;
    o.seed = op->seed;
    o.replicate = (uint32_t)r;
    o.scale = op->scale;
    o.threads = op->opt.threads > 0 ? op->opt.threads : 1; /* small runs: one thread each */
    o.max_memory_bytes = op->opt.max_memory_bytes;
    o.log = op->n_runs == 0 ? op->opt.log : NULL; /* the scale warnings once, not per run */
    o.log_userdata = op->opt.log_userdata;
    if (st == IPSIM_OK)
        st = ipsim_model_create(sc, &o, &m, err, errlen);
    if (st == IPSIM_OK)
        st = ipsim_model_run(m, NULL, NULL);
    if (st == IPSIM_OK)
        st = outcome_of(op, m, out, err, errlen);
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(own);
    op->n_runs++;
    return st;
}

ipsim_status ipsim__opt_run_outcomes(ipsim_optimize *op, const ipsim_scenario *sc, int first, int n,
                                     const char *const *const *overrides, opt_progress *pg,
                                     double *out, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        const char *const *ov = overrides ? overrides[i]
                                : op->post_sets ? (const char *const *)op->post_sets[first + i]
                                                : NULL;
        ipsim_status st = one_run(op, sc, first + i, ov, &out[i], err, errlen);
        if (st != IPSIM_OK)
            return st;
        if (ipsim__opt_tick(pg)) {
            ipsim_set_error(err, errlen, "%s: stopped on request", op->origin);
            return IPSIM_ERR_INTERRUPTED;
        }
    }
    return IPSIM_OK;
}

ipsim_status ipsim__opt_zero(ipsim_optimize *op, int first, int n, opt_progress *pg, double *out,
                             char *err, size_t errlen)
{
    int total = op->replicates + op->final_replicates;
    if (!op->zero) {
        if (!(op->zero = malloc((size_t)total * sizeof *op->zero))) {
            ipsim_set_error(err, errlen, "%s: out of memory", op->origin);
            return IPSIM_ERR_NOMEM;
        }
        for (int i = 0; i < total; i++)
            op->zero[i] = NAN;
    }
    for (int i = 0; i < n; i++) {
        int r = first + i;
        if (r < total && !isnan(op->zero[r])) {
            out[i] = op->zero[r];
            continue;
        }
        ipsim_status st = ipsim__opt_run_outcomes(op, op->base, r, 1, NULL, pg, &out[i], err, errlen);
        if (st != IPSIM_OK)
            return st;
        if (r < total)
            op->zero[r] = out[i];
    }
    return IPSIM_OK;
}

ipsim_status ipsim__opt_increments(ipsim_optimize *op, const double *x, int first, int n,
                                   opt_progress *pg, double *inc, char *err, size_t errlen)
{
    ipsim_scenario *sc = NULL;
    double *z = malloc((size_t)n * sizeof *z);
    ipsim_status st = z ? ipsim__opt_zero(op, first, n, pg, z, err, errlen) : IPSIM_ERR_NOMEM;
    if (!z)
        ipsim_set_error(err, errlen, "%s: out of memory", op->origin);
    if (st == IPSIM_OK)
        st = ipsim__opt_allocation_scenario(op, x, &sc, err, errlen);
    if (st == IPSIM_OK)
        st = ipsim__opt_run_outcomes(op, sc, first, n, NULL, pg, inc, err, errlen);
    for (int i = 0; st == IPSIM_OK && i < n; i++)
        inc[i] -= z[i];
    ipsim_scenario_destroy(sc);
    free(z);
    return st;
}

opt_stat ipsim__opt_stat(const double *v, int n)
{
    opt_stat s = {NAN, NAN, NAN, n};
    double sum = 0.0, ss = 0.0;
    if (n < 1)
        return s;
    for (int i = 0; i < n; i++)
        sum += v[i];
    s.mean = sum / n;
    if (n < 2)
        return s;
    for (int i = 0; i < n; i++)
        ss += (v[i] - s.mean) * (v[i] - s.mean);
    double half = gsl_cdf_tdist_Pinv(CI_LEVEL, n - 1) * sqrt(ss / (n - 1) / n);
    s.lo = s.mean - half;
    s.hi = s.mean + half;
    return s;
}
