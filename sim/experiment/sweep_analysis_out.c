/*
 * sweep_analysis_out.c - the /analysis group of a complete sweep file:
 * mean and sd over replicates of every point (and, for arms, the paired
 * differences against the reference arm by market and segment, and the
 * return per 10,000 CNY of extra cost), factorial main effects and
 * interactions (per-replicate and pooled intervals, Holm-adjusted
 * p-values), Sobol indices (first, total, second order with the design
 * for it; the N/2 convergence check; the replicate noise share and the
 * noise part of each total index), Morris
 * elementary effects, and the attribute "warnings" (one sentence a line)
 * when the design is thin. The statistics are those of analysis.c; this
 * file only lays them out as variables.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "experiment/analysis.h"
#include "experiment/sweep_file.h"
#include "experiment/windows.h"
#include "io/h5util.h"

#define N_BOOT 500
#define BOOT_SEED 20240601u
#define FEW_DF 5         /* fewer replicate-contrast df than this: warn */
#define NOISE_WARN 0.05  /* replicate noise share of a Sobol variance to warn at */
#define NOISE_FACTOR 2.0 /* a total index below this times its noise part: warn */
#define WARN_MAX 4096
#define WARN_LINE 512

/* ---- analysis ----------------------------------------------------------- */

typedef struct {
    sw_h5 *w;
    const sweep_data *d;
    const hid_t *sc;
    hid_t g;
    char warnings[WARN_MAX]; /* sentences, one a line: the /analysis attribute */
    size_t n_warn;
} an_ctx;

/* Add one line to the warnings (dropped when the buffer is full). */
static void warn(an_ctx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(an_ctx *a, const char *fmt, ...)
{
    char line[WARN_LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (a->n_warn + strlen(line) + 2 < sizeof a->warnings)
        a->n_warn += (size_t)snprintf(a->warnings + a->n_warn, sizeof a->warnings - a->n_warn, "%s%s",
                                      a->n_warn ? "\n" : "", line);
}

/* /analysis/<stat>/<metric> with dims given by scales which[0..rank-1]. */
static int an_write(an_ctx *a, const char *stat, const char *metric, int rank, const int *which,
                    const double *v, const char *units, const char *long_name)
{
    hsize_t dims[3];
    hid_t s[3];
    hid_t g;
    int rc;
    for (int i = 0; i < rank; i++) {
        s[i] = a->sc[which[i]];
        hid_t sp = H5Dget_space(s[i]);
        H5Sget_simple_extent_dims(sp, &dims[i], NULL);
        H5Sclose(sp);
    }
    if (H5Lexists(a->g, stat, H5P_DEFAULT) > 0)
        g = H5Gopen2(a->g, stat, H5P_DEFAULT);
    else
        g = ipsim__swf_group(a->w, a->g, stat);
    if (g < 0)
        return -1;
    rc = ipsim__swf_variable(a->w, g, metric, rank, dims, s, v, units, long_name);
    H5Gclose(g);
    return rc;
}

/* Mean and sd over replicates of each point for every outcome; arms: the
 * paired difference against the reference too, per market and segment,
 * and the return per 10,000 CNY of extra intervention cost. */
static int analyse_points(an_ctx *a, double *y)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int P = e->n_points, R = d->R, M = e->n_markets, rc = 0;
    double *m = malloc(sizeof *m * (size_t)P * (M > 2 ? M : 2));
    double *sd = malloc(sizeof *sd * (size_t)P * (M > 2 ? M : 2));
    double *df = malloc(sizeof *df * (size_t)P * (M > 2 ? M : 2));
    double *lo = malloc(sizeof *lo * (size_t)P * (M > 2 ? M : 2));
    double *hi = malloc(sizeof *hi * (size_t)P * (M > 2 ? M : 2));
    double *col = malloc(sizeof *col * (size_t)R * 2);
    static const int pt[1] = {SC_POINT}, ptm[2] = {SC_POINT, SC_MARKET},
                     pts[2] = {SC_POINT, SC_SEGMENT};
    if (!m || !sd || !df || !lo || !hi || !col) {
        rc = ipsim__swf_nomem(a->w, "analysis");
        goto done;
    }
    for (int k = 0; k < ipsim__xp_n_outcomes(e) && rc == 0; k++) {
        xp_outcome_desc od;
        ipsim__xp_outcome_desc(e, k, &od);
        if (!od.on)
            continue;
        const char *name = od.name, *un = od.units;
        /* scope 0: totals; 1: by market; 2: by segment */
        for (int scope = 0; scope < 3 && rc == 0; scope++) {
            int n = scope == 0 ? 1 : scope == 1 ? M : IPSIM_N_SEGMENTS;
            if (scope > 0 && k >= XP_N_SPLIT)
                break;
            if (scope > 0 && e->type != XP_ARMS)
                break;
            ipsim__swf_gather(d,
                              scope == 0   ? od.offset
                              : scope == 1 ? off_market(d, k)
                                           : off_segment(d, k),
                              (size_t)n, y);
            for (int p = 0; p < P; p++)
                for (int i = 0; i < n; i++) {
                    size_t o = (size_t)p * n + i;
                    ipsim__an_mean_sd(y + (size_t)p * R * n + i, R, (size_t)n, &m[o], &sd[o], NULL);
                    if (e->type == XP_ARMS) {
                        for (int r = 0; r < R; r++) {
                            col[r] = y[((size_t)ipsim__xp_ref_of(e, p) * R + r) * n + i];
                            col[R + r] = y[((size_t)p * R + r) * n + i];
                        }
                        an_ci c = ipsim__an_paired_diff(col, col + R, R);
                        df[o] = c.est;
                        lo[o] = c.lo;
                        hi[o] = c.hi;
                    }
                }
            char stat[64];
            const char *pre = scope == 0 ? "" : scope == 1 ? "by_market/" : "by_segment/";
            const int *wh = scope == 0 ? pt : scope == 1 ? ptm : pts;
            int rank = scope == 0 ? 1 : 2;
            if (scope > 0) {
                const char *by = scope == 1 ? "by_market" : "by_segment";
                hid_t g = H5Lexists(a->g, by, H5P_DEFAULT) > 0 ? H5Gopen2(a->g, by, H5P_DEFAULT)
                                                               : ipsim__swf_group(a->w, a->g, by);
                if (g < 0) {
                    rc = -1;
                    break;
                }
                H5Gclose(g);
            }
            snprintf(stat, sizeof stat, "%smean", pre);
            rc = an_write(a, stat, name, rank, wh, m, un, "mean over replicates");
            snprintf(stat, sizeof stat, "%ssd", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, sd, un, "standard deviation over replicates");
            if (e->type != XP_ARMS)
                continue;
            snprintf(stat, sizeof stat, "%sdiff", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, df, un,
                              "mean paired difference against the reference arm");
            snprintf(stat, sizeof stat, "%sdiff_ci_low", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, lo, un, "95% CI of diff, lower (paired t)");
            snprintf(stat, sizeof stat, "%sdiff_ci_high", pre);
            if (rc == 0)
                rc = an_write(a, stat, name, rank, wh, hi, un, "95% CI of diff, upper (paired t)");
            if (scope == 0 && (k == OUT_ARRIVALS || k == OUT_SPENDING_CNY) && rc == 0) {
                /* return per 10,000 CNY of extra intervention cost */
                double *rv[3] = {df, lo, hi};
                const char *sfx[3] = {"", "_ci_low", "_ci_high"};
                for (int q = 0; q < 3 && rc == 0; q++) {
                    double *ret = m; /* reuse as scratch after writing means */
                    for (int p = 0; p < P; p++) {
                        double extra = e->cost[p] - e->cost[ipsim__xp_ref_of(e, p)];
                        ret[p] = extra > 0 ? rv[q][p] / (extra / 10000.0) : NAN;
                    }
                    char nm[64];
                    snprintf(nm, sizeof nm, "extra_%s%s", ipsim__xp_outcomes[k].name, sfx[q]);
                    rc = an_write(a, "per_10k_cny", nm, 1, pt, ret, un,
                                  "paired difference per 10,000 CNY of extra intervention cost");
                }
            }
        }
    }
    if (e->type == XP_ARMS && rc == 0) {
        for (int p = 0; p < P; p++)
            m[p] = e->cost[p] - e->cost[ipsim__xp_ref_of(e, p)];
        rc = an_write(a, "per_10k_cny", "extra_cost_cny", 1, pt, m, "CNY",
                      "intervention cost over the reference arm's");
        if (rc == 0)
            rc = ipsim_h5_attr_str(a->g, "reference", e->points[e->reference].name) < 0 ? -1 : 0;
    }
done:
    free(m);
    free(sd);
    free(df);
    free(lo);
    free(hi);
    free(col);
    return rc;
}

/* /analysis/<stat>/<metric> [parameter][parameter] of the effects c[k][k]:
 * which 0 the estimates, 1 the lower, 2 the upper end of the interval. */
static void ci_field(const an_ci *c, size_t n, int which, double *v)
{
    for (size_t i = 0; i < n; i++)
        v[i] = which == 0 ? c[i].est : which == 1 ? c[i].lo : c[i].hi;
}

/* Holm's adjustment over the pairs j < l of the symmetric p[k][k] into
 * adj[k][k] (diagonal NaN); scratch holds k(k-1)/2 numbers. */
static void holm_pairs(const double *p, int k, double *adj, double *scratch)
{
    int n = 0;
    for (int j = 0; j < k; j++)
        for (int l = j + 1; l < k; l++)
            scratch[n++] = p[j * k + l];
    ipsim__an_holm(scratch, n, scratch);
    n = 0;
    for (int j = 0; j < k; j++) {
        adj[j * k + j] = NAN;
        for (int l = j + 1; l < k; l++, n++)
            adj[j * k + l] = adj[l * k + j] = scratch[n];
    }
}

static int analyse_factorial(an_ctx *a, double *y)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int k = e->n_params, P = e->n_points, R = d->R, rc = 0;
    int with_inter = e->resolution == 0 || e->resolution >= 5;
    size_t kk = (size_t)k * k;
    an_ci *mn = malloc(sizeof *mn * (size_t)k), *in = malloc(sizeof *in * kk);
    an_ci *pm = malloc(sizeof *pm * (size_t)k), *pi = malloc(sizeof *pi * kk);
    double *v = malloc(sizeof *v * kk * 3), *pv = malloc(sizeof *pv * kk * 2);
    double *scratch = malloc(sizeof *scratch * kk);
    static const int pa[2] = {SC_PARAM, SC_PARAM};
    if (!mn || !in || !pm || !pi || !v || !pv || !scratch)
        rc = ipsim__swf_nomem(a->w, "analysis");
    for (int o = 0; o < ipsim__xp_n_outcomes(e) && rc == 0; o++) {
        xp_outcome_desc od;
        ipsim__xp_outcome_desc(e, o, &od);
        if (!od.on)
            continue;
        ipsim__swf_gather(d, od.offset, 1, y);
        ipsim__an_factorial(y, e->factor_x, P, R, k, mn, with_inter ? in : NULL);
        if (ipsim__an_factorial_pooled(y, e->factor_x, P, R, k, with_inter, pm, with_inter ? pi : NULL,
                                       pv, with_inter ? pv + kk : NULL) < 0) {
            rc = ipsim__swf_nomem(a->w, "analysis");
            break;
        }
        const char *nm = od.name, *un = od.units;
        for (int q = 0; q < 3; q++)
            ci_field(mn, (size_t)k, q, v + (size_t)q * k);
        rc = an_write(a, "main_effect", nm, 1, pa, v, un,
                      "mean(on) - mean(off), averaged over replicates (twice the regression "
                      "coefficient of the -1/+1 factor)");
        if (rc == 0)
            rc = an_write(a, "main_effect_ci_low", nm, 1, pa, v + k, un,
                          "95% CI, lower (t over the replicates' contrasts, R - 1 df)");
        if (rc == 0)
            rc = an_write(a, "main_effect_ci_high", nm, 1, pa, v + 2 * k, un,
                          "95% CI, upper (t over the replicates' contrasts, R - 1 df)");
        ci_field(pm, (size_t)k, 1, v);
        ci_field(pm, (size_t)k, 2, v + k);
        if (rc == 0)
            rc = an_write(a, "main_effect_pooled_ci_low", nm, 1, pa, v, un,
                          "95% CI, lower (pooled: blocked OLS over all runs, residual df)");
        if (rc == 0)
            rc = an_write(a, "main_effect_pooled_ci_high", nm, 1, pa, v + k, un,
                          "95% CI, upper (pooled: blocked OLS over all runs, residual df)");
        if (rc == 0)
            rc = an_write(a, "main_effect_p", nm, 1, pa, pv, "1",
                          "p-value of the pooled t test of zero effect");
        ipsim__an_holm(pv, k, v);
        if (rc == 0)
            rc = an_write(a, "main_effect_p_holm", nm, 1, pa, v, "1",
                          "main_effect_p adjusted by Holm over the main effects of this outcome");
        if (!with_inter || rc != 0)
            continue;
        for (int q = 0; q < 3; q++)
            ci_field(in, kk, q, v + (size_t)q * kk);
        rc = an_write(a, "interaction", nm, 2, pa, v, un,
                      "two-way interaction: half the difference of one factor's effect "
                      "with the other on and off (twice the regression coefficient)");
        if (rc == 0)
            rc = an_write(a, "interaction_ci_low", nm, 2, pa, v + kk, un,
                          "95% CI, lower (t over the replicates' contrasts, R - 1 df)");
        if (rc == 0)
            rc = an_write(a, "interaction_ci_high", nm, 2, pa, v + 2 * kk, un,
                          "95% CI, upper (t over the replicates' contrasts, R - 1 df)");
        ci_field(pi, kk, 1, v);
        ci_field(pi, kk, 2, v + kk);
        if (rc == 0)
            rc = an_write(a, "interaction_pooled_ci_low", nm, 2, pa, v, un,
                          "95% CI, lower (pooled: blocked OLS over all runs, residual df)");
        if (rc == 0)
            rc = an_write(a, "interaction_pooled_ci_high", nm, 2, pa, v + kk, un,
                          "95% CI, upper (pooled: blocked OLS over all runs, residual df)");
        if (rc == 0)
            rc = an_write(a, "interaction_p", nm, 2, pa, pv + kk, "1",
                          "p-value of the pooled t test of zero interaction");
        holm_pairs(pv + kk, k, v, scratch);
        if (rc == 0)
            rc = an_write(a, "interaction_p_holm", nm, 2, pa, v, "1",
                          "interaction_p adjusted by Holm over the two-way interactions of "
                          "this outcome");
    }
    int cdf = R - 1, n_eff = k + (with_inter ? k * (k - 1) / 2 : 0), pdf = P * R - R - n_eff;
    if (rc == 0 && (ipsim_h5_attr_num(a->g, "contrast_df", H5T_NATIVE_INT, &cdf) < 0 ||
                    ipsim_h5_attr_num(a->g, "pooled_df", H5T_NATIVE_INT, &pdf) < 0))
        rc = ipsim__swf_fail(a->w, "analysis");
    if (cdf < FEW_DF)
        warn(a,
             "factorial: the replicate-contrast intervals (*_ci_low, *_ci_high) have only %d "
             "degree(s) of freedom (%d replicates); prefer the pooled intervals "
             "(*_pooled_ci_*, %d df) or run at least %d replicates",
             cdf, R, pdf, FEW_DF + 1);
    free(mn);
    free(in);
    free(pm);
    free(pi);
    free(v);
    free(pv);
    free(scratch);
    return rc;
}

/* Replicate means of the outcome at offset o per point into ym (the replicates into y). */
static void point_means(const sweep_data *d, size_t o, double *y, double *ym)
{
    ipsim__swf_gather(d, o, 1, y);
    for (int p = 0; p < d->e->n_points; p++)
        ipsim__an_mean_sd(y + (size_t)p * d->R, d->R, 1, &ym[p], NULL, NULL);
}

/* The indices from the first h rows of each block of N (the Saltelli
 * design of the first h base rows), no bootstrap: the convergence check. */
static int sobol_half(const double *ym, int N, int h, int k, double *buf, an_ci *f1, an_ci *ft)
{
    for (int b = 0; b < k + 2; b++)
        for (int i = 0; i < h; i++)
            buf[(size_t)b * h + i] = ym[(size_t)b * N + i];
    return ipsim__an_sobol(buf, buf + h, buf + 2 * (size_t)h, NULL, h, k, 0, 0, f1, ft, NULL);
}

static int analyse_sobol(an_ctx *a, double *y, double *ym)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int k = e->n_params, N = e->sobol_n, P = e->n_points, R = d->R, rc = 0, h = N / 2;
    int second = k >= 2 && P == N * (2 * k + 2);
    size_t kk = (size_t)k * k;
    an_ci *f1 = malloc(sizeof *f1 * (size_t)k), *ft = malloc(sizeof *ft * (size_t)k);
    an_ci *f2 = malloc(sizeof *f2 * kk);
    double *v = malloc(sizeof *v * (kk > 6 * (size_t)k ? kk * 3 : (size_t)k * 6));
    double *buf = malloc(sizeof *buf * (size_t)(h > 0 ? h : 1) * (k + 2));
    double *stf = malloc(sizeof *stf * (size_t)k), *tn = malloc(sizeof *tn * (size_t)k);
    static const int pa[2] = {SC_PARAM, SC_PARAM};
    if (!f1 || !ft || !f2 || !v || !buf || !stf || !tn)
        rc = ipsim__swf_nomem(a->w, "analysis");
    for (int o = 0; o < ipsim__xp_n_outcomes(e) && rc == 0; o++) {
        xp_outcome_desc od;
        ipsim__xp_outcome_desc(e, o, &od);
        if (!od.on)
            continue;
        const char *nm = od.name;
        point_means(d, od.offset, y, ym);
        if (ipsim__an_sobol(ym, ym + N, ym + 2 * (size_t)N, second ? ym + (size_t)(k + 2) * N : NULL,
                            N, k, N_BOOT, BOOT_SEED, f1, ft, second ? f2 : NULL) != 0) {
            rc = ipsim__swf_nomem(a->w, "analysis");
            break;
        }
        for (int q = 0; q < 3; q++) {
            ci_field(f1, (size_t)k, q, v + (size_t)q * k);
            ci_field(ft, (size_t)k, q, v + (size_t)(3 + q) * k);
        }
        static const char *const st[6] = {"first_order", "first_order_ci_low", "first_order_ci_high",
                                          "total_order", "total_order_ci_low", "total_order_ci_high"};
        for (int q = 0; q < 6 && rc == 0; q++)
            rc = an_write(a, st[q], nm, 1, pa, v + (size_t)q * k, "1",
                          q < 3 ? "Sobol first-order index (Saltelli 2010, outputs centred; "
                                  "bootstrap 95% CI) of the replicate mean"
                                : "Sobol total index (Jansen 1999; bootstrap 95% CI) of the "
                                  "replicate mean");
        if (second && rc == 0) {
            static const char *const s2[3] = {"second_order", "second_order_ci_low",
                                              "second_order_ci_high"};
            for (int q = 0; q < 3; q++)
                ci_field(f2, kk, q, v + (size_t)q * kk);
            for (int q = 0; q < 3 && rc == 0; q++)
                rc = an_write(a, s2[q], nm, 2, pa, v + (size_t)q * kk, "1",
                              "Sobol second-order index (Saltelli 2002, outputs centred; "
                              "bootstrap 95% CI) of the replicate mean");
        }
        for (int j = 0; j < k; j++)
            stf[j] = ft[j].est;
        /* convergence: the same indices from the first N/2 base rows */
        if (rc == 0 && sobol_half(ym, N, h, k, buf, f1, ft) != 0)
            rc = ipsim__swf_nomem(a->w, "analysis");
        for (int j = 0; j < k; j++) {
            v[j] = f1[j].est;
            v[k + j] = ft[j].est;
        }
        if (rc == 0)
            rc = an_write(a, "first_order_half_n", nm, 1, pa, v, "1",
                          "first_order from the first N/2 base rows (convergence check)");
        if (rc == 0)
            rc = an_write(a, "total_order_half_n", nm, 1, pa, v + k, "1",
                          "total_order from the first N/2 base rows (convergence check)");
        /* replicate noise: its share of the variance the indices divide,
         * and the part of each total index it makes */
        double sd_ab, noise = ipsim__an_interaction_var(y, P, R, NULL) / R;
        ipsim__an_mean_sd(ym, 2 * N, 1, NULL, &sd_ab, NULL);
        double share = sd_ab > 0 ? noise / (sd_ab * sd_ab) : NAN;
        if (rc == 0)
            rc = an_write(a, "replicate_noise_share", nm, 0, pa, &share, "1",
                          "share of the variance of the replicate means (A and B) that is "
                          "replicate noise: point x replicate residual variance / R over it");
        ipsim__an_sobol_total_noise(y, N, k, R, sd_ab * sd_ab, tn);
        if (rc == 0)
            rc = an_write(a, "total_order_noise", nm, 1, pa, tn, "1",
                          "the part of total_order that is replicate noise (paired "
                          "differences A - AB_i over replicates)");
        char weak[WARN_LINE / 2] = "";
        size_t wl = 0;
        for (int j = 0; j < k; j++)
            if (stf[j] < NOISE_FACTOR * tn[j] && wl + strlen(e->param[j]) + 3 < sizeof weak)
                wl += (size_t)snprintf(weak + wl, sizeof weak - wl, "%s%s", wl ? ", " : "",
                                       e->param[j]);
        if (wl > 0)
            warn(a,
                 "sobol: %s: replicate noise makes %.0f%% of the variance; not shown to matter, "
                 "as their total index is less than twice its noise part (total_order_noise): "
                 "%s; run more replicates or a finer scale",
                 nm, 100.0 * share, weak);
        else if (share > NOISE_WARN)
            warn(a,
                 "sobol: %s: replicate noise makes %.0f%% of the variance of the replicate "
                 "means; each total index includes its noise part (total_order_noise)",
                 nm, 100.0 * share);
    }
    int sec = second;
    if (rc == 0 && (ipsim_h5_attr_num(a->g, "sobol_n", H5T_NATIVE_INT, &N) < 0 ||
                    ipsim_h5_attr_num(a->g, "sobol_half_n", H5T_NATIVE_INT, &h) < 0 ||
                    ipsim_h5_attr_num(a->g, "second_order", H5T_NATIVE_INT, &sec) < 0))
        rc = ipsim__swf_fail(a->w, "analysis");
    if (N & (N - 1))
        warn(a,
             "sobol: N = %d is not a power of two; Sobol points are balanced only in blocks of "
             "2^m, so the estimates converge more slowly (use N = %d or %d)",
             N, N > 4 ? 1 << (int)floor(log2((double)N)) : 4, 1 << (int)ceil(log2((double)N)));
    free(f1);
    free(ft);
    free(f2);
    free(v);
    free(buf);
    free(stf);
    free(tn);
    return rc;
}

static int analyse_morris(an_ctx *a, double *y, double *ym)
{
    const sweep_data *d = a->d;
    const ipsim_experiment *e = d->e;
    int k = e->n_params, P = e->n_points, rc = 0;
    double *x = malloc(sizeof *x * (size_t)P * k), *v = malloc(sizeof *v * (size_t)k * 3);
    static const int pa[1] = {SC_PARAM};
    if (!x || !v)
        rc = ipsim__swf_nomem(a->w, "analysis");
    for (int p = 0; p < P && rc == 0; p++)
        for (int j = 0; j < k; j++)
            x[(size_t)p * k + j] = (e->design[(size_t)j * P + p] - e->lo[j]) / (e->hi[j] - e->lo[j]);
    for (int o = 0; o < ipsim__xp_n_outcomes(e) && rc == 0; o++) {
        xp_outcome_desc od;
        ipsim__xp_outcome_desc(e, o, &od);
        if (!od.on)
            continue;
        point_means(d, od.offset, y, ym);
        ipsim__an_morris(x, ym, e->morris_r, k, v, v + k, v + 2 * k);
        const char *un = od.units;
        rc = an_write(a, "mu_star", od.name, 1, pa, v, un,
                      "mean absolute elementary effect per unit of the scaled range");
        if (rc == 0)
            rc = an_write(a, "mu", od.name, 1, pa, v + k, un,
                          "mean elementary effect");
        if (rc == 0)
            rc = an_write(a, "sigma", od.name, 1, pa, v + 2 * k, un,
                          "standard deviation of the elementary effects");
    }
    free(x);
    free(v);
    return rc;
}

int ipsim__swf_analysis(sw_h5 *w, const sweep_data *d, const hid_t *sc)
{
    const ipsim_experiment *e = d->e;
    size_t n = (size_t)e->n_points * d->R * (e->n_markets > 2 ? e->n_markets : 2);
    double *y = malloc(sizeof *y * n), *ym = malloc(sizeof *ym * (size_t)e->n_points);
    an_ctx a = {w, d, sc, ipsim__swf_group(w, w->file, "analysis"), "", 0};
    int rc = !y || !ym  ? ipsim__swf_nomem(w, "analysis")
             : a.g >= 0 ? 0
                        : ipsim__swf_fail(w, "analysis");
    if (rc == 0)
        rc = ipsim_h5_attr_str(a.g, "design", ipsim__xp_design_names[e->type]);
    if (rc == 0)
        rc = analyse_points(&a, y);
    if (rc == 0 && e->post)
        rc = ipsim__swf_analysis_posterior(w, d, a.g, sc);
    if (rc == 0 && e->type == XP_FACTORIAL)
        rc = analyse_factorial(&a, y);
    if (rc == 0 && e->type == XP_SOBOL)
        rc = analyse_sobol(&a, y, ym);
    if (rc == 0 && e->type == XP_MORRIS)
        rc = analyse_morris(&a, y, ym);
    if (rc == 0 && (e->n_var > 0 || e->type == XP_RESPONSE))
        rc = ipsim__swf_analysis_plan(w, d, a.g); /* sweep_plan_out.c */
    if (rc == 0 && a.n_warn > 0 && ipsim_h5_attr_str(a.g, "warnings", a.warnings) < 0)
        rc = ipsim__swf_fail(w, "analysis");
    if (a.g >= 0)
        H5Gclose(a.g);
    free(y);
    free(ym);
    return rc;
}
