/*
 * summary.c - the results of an allocation problem as a table for people
 * (ipsim_optimize_summary): the best allocation with each variable's
 * marginal return, the objective of the best allocation and of each plan
 * on fresh replicates with 95 % intervals, cost per extra visitor, the
 * paired difference best - plan and whether its interval excludes zero,
 * and the search's figures. Whole numbers carry thousands separators.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "optimize/opt.h"

#define NUM_MAX 48

/* v rounded to a whole number with thousands separators ("-1,234,567");
 * with sign, a leading "+" for v >= 0; "n/a" when not finite. */
static const char *group(double v, int sign, char *buf)
{
    char raw[NUM_MAX];
    if (!isfinite(v)) {
        snprintf(buf, NUM_MAX, "n/a");
        return buf;
    }
    snprintf(raw, sizeof raw, "%.0f", fabs(v));
    if (strcmp(raw, "0") == 0)
        v = 0.0;
    size_t n = strlen(raw), o = 0;
    if (v < 0)
        buf[o++] = '-';
    else if (sign)
        buf[o++] = '+';
    for (size_t i = 0; i < n && o + 2 < NUM_MAX; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
    return buf;
}

/* An objective value: grouped whole numbers, or 4 significant digits for
 * the per-CNY forms. */
static const char *value(const ipsim_optimize *op, double v, int sign, char *buf)
{
    if (!op->per_cny || !isfinite(v))
        return group(v, sign, buf);
    snprintf(buf, NUM_MAX, sign ? "%+.4g" : "%.4g", v);
    return buf;
}

static void stat_cell(ipsim_textbuf *b, const ipsim_optimize *op, opt_stat s, int sign)
{
    char m[NUM_MAX], lo[NUM_MAX], hi[NUM_MAX];
    ipsim_textbuf_printf(b, "%14s [%s, %s]", value(op, s.mean, sign, m), value(op, s.lo, sign, lo),
                         value(op, s.hi, sign, hi));
}

/* CNY per extra unit of outcome (cost / increment), "n/a" when the
 * increment is not positive. */
static const char *per_extra(double cost, double inc, char *buf)
{
    if (!(inc > 0) || !(cost > 0))
        return snprintf(buf, NUM_MAX, "n/a"), buf;
    return group(cost / inc, 0, buf);
}

static void allocation_table(ipsim_textbuf *b, const ipsim_optimize *op)
{
    char x[NUM_MAX], m[NUM_MAX], lo[NUM_MAX], hi[NUM_MAX];
    int w = 8;
    for (int v = 0; v < op->n_vars; v++)
        if ((int)strlen(op->vars[v].name) > w)
            w = (int)strlen(op->vars[v].name);
    ipsim_textbuf_printf(b, "\nBest allocation (CNY) and marginal %s per extra 10,000 CNY\n",
                         ipsim__opt_outcome_names[op->outcome]);
    ipsim_textbuf_printf(b, "  %-*s  %14s  %s\n", w, "variable", "CNY", "marginal [95% interval]");
    for (int v = 0; v < op->n_vars; v++) {
        const opt_stat *s = &op->sens[v];
        snprintf(m, sizeof m, "%+.1f", s->mean);
        snprintf(lo, sizeof lo, "%+.1f", s->lo);
        snprintf(hi, sizeof hi, "%+.1f", s->hi);
        ipsim_textbuf_printf(b, "  %-*s  %14s  %s [%s, %s]\n", w, op->vars[v].name,
                             group(op->best[v], 0, x), m, lo, hi);
    }
}

static void plans_table(ipsim_textbuf *b, const ipsim_optimize *op)
{
    char on[80], c[NUM_MAX], e[NUM_MAX];
    int w = (int)strlen("best allocation");
    for (int p = 0; p < op->n_plans; p++)
        if ((int)strlen(op->plans[p].name) > w)
            w = (int)strlen(op->plans[p].name);
    ipsim_textbuf_printf(b,
                         "\nObjective %s on %d fresh replicates (paired with zero spend; not the %d "
                         "searched on)\n",
                         ipsim__opt_objective_name(op, on, sizeof on), op->final_replicates,
                         op->replicates);
    ipsim_textbuf_printf(b, "  %-*s  %14s  %14s [95%% interval]  %s\n", w, "plan", "cost CNY",
                         "objective", "CNY per extra");
    ipsim_textbuf_printf(b, "  %-*s  %14s  ", w, "best allocation", group(op->budget, 0, c));
    stat_cell(b, op, op->best_stat, 1);
    ipsim_textbuf_printf(b, "  %s\n", per_extra(op->budget, op->best_inc.mean, e));
    for (int p = 0; p < op->n_plans; p++) {
        ipsim_textbuf_printf(b, "  %-*s  %14s  ", w, op->plans[p].name, group(op->plans[p].cost, 0, c));
        stat_cell(b, op, op->plan_stat[p], 1);
        ipsim_textbuf_printf(b, "  %s\n", per_extra(op->plans[p].cost, op->plan_inc[p].mean, e));
    }
    if (op->n_plans == 0)
        return;
    ipsim_textbuf_printf(b, "\nBest allocation - plan (paired, same fresh replicates)\n");
    for (int p = 0; p < op->n_plans; p++) {
        const opt_stat *d = &op->diff[p];
        const char *verdict = d->lo > 0   ? "better (interval excludes 0)"
                              : d->hi < 0 ? "worse (interval excludes 0)"
                                          : "not distinguishable (interval includes 0)";
        ipsim_textbuf_printf(b, "  %-*s  ", w, op->plans[p].name);
        stat_cell(b, op, *d, 1);
        ipsim_textbuf_printf(b, "  %s\n", verdict);
    }
}

char *ipsim_optimize_summary(const ipsim_optimize *op)
{
    ipsim_textbuf b = {0};
    char on[80], v[NUM_MAX], u[NUM_MAX], s[NUM_MAX];
    if (!op || op->ran != 2)
        return NULL;
    ipsim_textbuf_printf(&b, "%s: objective %s, budget %s CNY in units of %s CNY, %d variables\n",
                         op->name, ipsim__opt_objective_name(op, on, sizeof on),
                         group(op->budget, 0, v), group(op->unit, 0, u), op->n_vars);
    allocation_table(&b, op);
    plans_table(&b, op);
    ipsim_textbuf_printf(&b,
                         "\nSearch: NLopt %s, %d evaluations (%d distinct allocations, result %d), "
                         "search objective %s on replicates 0-%d; %s model runs in %.1f s\n",
                         ipsim__opt_method_names[op->method], op->n_trace, op->n_cache,
                         op->nlopt_result, value(op, op->best_search, 1, s), op->replicates - 1,
                         group(op->n_runs, 0, v), op->seconds);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
