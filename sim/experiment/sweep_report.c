/*
 * sweep_report.c - the printed report of a sweep file's analysis
 * (ipsim_sweep_report, shown by `ipsim sweep`, `ipsim compare`, `ipsim
 * merge` and `ipsim info`): identity and size of the sweep, then by design
 * the paired differences of arms, the means by point, factorial main
 * effects (replicate-contrast and pooled intervals, Holm-adjusted p) and
 * notable interactions, Sobol indices (with second order, the N/2
 * convergence check and the replicate noise share) or Morris effects, and
 * the analysis's warnings.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "experiment/numfmt.h"
#include "experiment/plan.h"
#include "experiment/sweep_file.h"
#include "experiment/windows.h"
#include "io/h5util.h"
#include "io/safe_file.h"
#include "base/textbuf.h"

/* ---- report ------------------------------------------------------------- */

typedef ipsim_textbuf sbuf;

#define SIGNIFICANT 0.05 /* adjusted p-value below which an interaction is shown */
#define WARN_TEXT 4096   /* the longest "warnings" attribute read */

/* Readable numbers: people grouped ("1,620,000"), small numbers with 3
 * significant digits (numfmt.c). */
static const char *num(double x, char *buf, size_t len)
{
    return ipsim__fmt_num(x, buf, len);
}

/* analysis/STAT/METRIC when it holds exactly want numbers (else NULL, *n
 * 0): a corrupt or hostile file is never read past what the report uses. */
static double *an_read(hid_t f, const char *stat, const char *metric, size_t want, size_t *n)
{
    char p[160];
    *n = 0;
    snprintf(p, sizeof p, "analysis/%s/%s", stat, metric);
    if (want == 0 || ipsim__swr_count(f, p, 0) != (long long)want)
        return NULL;
    return ipsim_h5_read_doubles(f, p, -1, NULL, n);
}

/* The strings of path when there are 1 to max of them (else NULL, *n 0). */
static char **names_read(hid_t f, const char *path, size_t max, size_t *n)
{
    long long c = ipsim__swr_count(f, path, 1);
    *n = 0;
    return c >= 1 && c <= (long long)max ? ipsim_h5_read_strings(f, path, 1, n) : NULL;
}

/* The names of every outcome of the file: the built-in ones, then those
 * its windows add (/windows/outcome); free with ipsim_h5_free_strings. */
static char **outcome_list(hid_t f, size_t *n)
{
    size_t nx = 0;
    char **x = H5Lexists(f, "windows", H5P_DEFAULT) > 0
                   ? names_read(f, "windows/outcome", XP_MAX_WINDOWS * WM_COUNT + XP_MAX_RATIOS, &nx)
                   : NULL;
    char **all = calloc(OUT_COUNT + nx + 1, sizeof *all);
    *n = 0;
    if (!all) {
        ipsim_h5_free_strings(x, nx);
        return NULL;
    }
    for (size_t k = 0; k < OUT_COUNT + nx; k++) {
        const char *src = k < OUT_COUNT ? ipsim__xp_outcomes[k].name : x[k - OUT_COUNT];
        if (!(all[k] = strdup(src)))
            break;
        *n = k + 1;
    }
    ipsim_h5_free_strings(x, nx);
    return all;
}

/* Is point name pn the reference arm ref (of any variation: "ref@VAR")? */
static int is_ref(const char *pn, const char *ref)
{
    size_t n = strlen(ref);
    return strncmp(pn, ref, n) == 0 && (pn[n] == '\0' || pn[n] == '@');
}

/* The units of outcome `name` (built-in, or a window's "WINDOW.metric"):
 * "CNY" for money, so the report prints it as such; "" otherwise. */
static const char *units_of(const char *name)
{
    static const char cny[] = "spending_cny";
    for (int k = 0; k < OUT_COUNT; k++)
        if (strcmp(name, ipsim__xp_outcomes[k].name) == 0)
            return ipsim__xp_outcomes[k].units;
    size_t n = strlen(name), m = sizeof cny - 1;
    return n > m && name[n - m - 1] == '.' && strcmp(name + n - m, cny) == 0 ? "CNY" : "";
}

static void report_arms(sbuf *b, hid_t f, char **pn, size_t P)
{
    size_t no = 0;
    char **on = outcome_list(f, &no);
    char ref[XP_NAME_MAX] = "?", x1[48], x2[48], x3[48], x4[48], x5[48];
    hid_t g = H5Gopen2(f, "analysis", H5P_DEFAULT);
    if (g >= 0) {
        ipsim_h5_attr_text(g, "reference", ref, sizeof ref);
        H5Gclose(g);
    }
    int by_variation = H5Lexists(f, "point_variation", H5P_DEFAULT) > 0 && strchr(ref, '@');
    if (by_variation)
        *strchr(ref, '@') = '\0'; /* the reference arm of each variation */
    ipsim_textbuf_printf(
        b, "\npaired differences against the reference arm \"%s\"%s (mean over replicates, 95%% CI)\n",
        ref, by_variation ? " of the same variation" : "");
    for (size_t k = 0; k < no; k++) {
        size_t n1, n2, n3, n4;
        double *m = an_read(f, "mean", on[k], P, &n1);
        double *d = an_read(f, "diff", on[k], P, &n2);
        double *lo = an_read(f, "diff_ci_low", on[k], P, &n3);
        double *hi = an_read(f, "diff_ci_high", on[k], P, &n4);
        if (m && d && lo && hi && n1 == P && n2 == P && n3 == P && n4 == P) {
            ipsim_textbuf_printf(b, "  %s\n", on[k]);
            const char *un = units_of(on[k]);
            for (size_t p = 0; p < P; p++)
                ipsim_textbuf_printf(b, "    %-34s %16s   diff %14s  [%s, %s]\n", pn[p],
                                     ipsim__fmt_in(m[p], un, x1, sizeof x1),
                                     ipsim__fmt_in(d[p], un, x2, sizeof x2),
                                     ipsim__fmt_in(lo[p], un, x3, sizeof x3),
                                     ipsim__fmt_in(hi[p], un, x4, sizeof x4));
        }
        free(m);
        free(d);
        free(lo);
        free(hi);
    }
    size_t nc, na, nal, nah, ns;
    double *c = an_read(f, "per_10k_cny", "extra_cost_cny", P, &nc);
    double *a = an_read(f, "per_10k_cny", "extra_arrivals", P, &na);
    double *al = an_read(f, "per_10k_cny", "extra_arrivals_ci_low", P, &nal);
    double *ah = an_read(f, "per_10k_cny", "extra_arrivals_ci_high", P, &nah);
    double *s = an_read(f, "per_10k_cny", "extra_spending_cny", P, &ns);
    if (c && a && al && ah && s && nc == P && na == P && nal == P && nah == P && ns == P) {
        ipsim_textbuf_printf(
            b, "\nreturn per 10,000 CNY of extra intervention cost (vs the reference)\n");
        for (size_t p = 0; p < P; p++)
            ipsim_textbuf_printf(
                b,
                "    %-34s extra cost %14s   arrivals %10s [%s, %s]   visitors' gross on-site "
                "spending %14s\n",
                pn[p], ipsim__fmt_cny(c[p], x1, sizeof x1), num(a[p], x2, sizeof x2),
                num(al[p], x3, sizeof x3), num(ah[p], x4, sizeof x4),
                ipsim__fmt_cny(s[p], x5, sizeof x5));
    }
    free(c);
    free(a);
    free(al);
    free(ah);
    free(s);
    size_t nm = 0, n1, n2, n3;
    char **mk = names_read(f, "market", IPSIM_MAX_MARKETS, &nm);
    double *d = an_read(f, "by_market/diff", "cec_arrivals", P * nm, &n1);
    double *lo = an_read(f, "by_market/diff_ci_low", "cec_arrivals", P * nm, &n2);
    double *hi = an_read(f, "by_market/diff_ci_high", "cec_arrivals", P * nm, &n3);
    if (mk && d && lo && hi && n1 == P * nm && n2 == P * nm && n3 == P * nm) {
        ipsim_textbuf_printf(b,
                             "\nCEC arrivals by market: paired difference against \"%s\" (95%% CI)\n",
                             ref);
        for (size_t p = 0; p < P; p++) {
            if (is_ref(pn[p], ref))
                continue;
            ipsim_textbuf_printf(b, "  %s\n", pn[p]);
            for (size_t m = 0; m < nm; m++)
                ipsim_textbuf_printf(b, "    %-20s %14s  [%s, %s]\n", mk[m],
                                     num(d[p * nm + m], x1, sizeof x1),
                                     num(lo[p * nm + m], x2, sizeof x2),
                                     num(hi[p * nm + m], x3, sizeof x3));
        }
    }
    free(d);
    free(lo);
    free(hi);
    d = an_read(f, "by_segment/diff", "arrivals", P * IPSIM_N_SEGMENTS, &n1);
    lo = an_read(f, "by_segment/diff_ci_low", "arrivals", P * IPSIM_N_SEGMENTS, &n2);
    hi = an_read(f, "by_segment/diff_ci_high", "arrivals", P * IPSIM_N_SEGMENTS, &n3);
    if (d && lo && hi && n1 == P * IPSIM_N_SEGMENTS && n2 == n1 && n3 == n1) {
        ipsim_textbuf_printf(b, "\narrivals by segment: paired difference against \"%s\" (95%% CI)\n",
                             ref);
        for (size_t p = 0; p < P; p++)
            for (int sg = 0; sg < IPSIM_N_SEGMENTS && !is_ref(pn[p], ref); sg++)
                ipsim_textbuf_printf(b, "    %-34s %-11s %14s  [%s, %s]\n", pn[p],
                                     ipsim_segment_names[sg], num(d[p * 2 + sg], x1, sizeof x1),
                                     num(lo[p * 2 + sg], x2, sizeof x2),
                                     num(hi[p * 2 + sg], x3, sizeof x3));
    }
    free(d);
    free(lo);
    free(hi);
    ipsim_h5_free_strings(mk, nm);
    ipsim_h5_free_strings(on, no);
}

/* Rows of stat[0..ns-1] per parameter for every outcome present. */
static void report_params(sbuf *b, hid_t f, const char *title, const char *const *stat, int ns,
                          const char *const *head)
{
    size_t no = 0;
    char **on = outcome_list(f, &no);
    size_t np = 0;
    char **pn = names_read(f, "parameter", XP_MAX_PARAMS, &np);
    char x[48];
    ipsim_textbuf_printf(b, "\n%s\n", title);
    for (size_t k = 0; k < no && pn; k++) {
        double *v[8] = {0};
        size_t n;
        int ok = 1;
        for (int s = 0; s < ns; s++) {
            v[s] = an_read(f, stat[s], on[k], np, &n);
            ok = ok && v[s] && n == np;
        }
        if (ok) {
            ipsim_textbuf_printf(b, "  %-24s", on[k]);
            for (int s = 0; s < ns; s++)
                ipsim_textbuf_printf(b, " %14s", head[s]);
            ipsim_textbuf_printf(b, "\n");
            for (size_t j = 0; j < np; j++) {
                ipsim_textbuf_printf(b, "    %-22s", pn[j]);
                for (int s = 0; s < ns; s++)
                    ipsim_textbuf_printf(b, " %14s", num(v[s][j], x, sizeof x));
                ipsim_textbuf_printf(b, "\n");
            }
        }
        for (int s = 0; s < ns; s++)
            free(v[s]);
    }
    ipsim_h5_free_strings(pn, np);
    ipsim_h5_free_strings(on, no);
}

/* Does /analysis/<stat> exist (a file written before it was added may
 * lack it)? */
static int an_has(hid_t f, const char *stat)
{
    char p[160];
    snprintf(p, sizeof p, "analysis/%s", stat);
    return H5Lexists(f, "analysis", H5P_DEFAULT) > 0 && H5Lexists(f, p, H5P_DEFAULT) > 0;
}

/* Two-way interactions worth a look: Holm-adjusted pooled p < 0.05, or
 * (files without the pooled test) a replicate-contrast CI excluding 0. */
static void report_interactions(sbuf *b, hid_t f)
{
    size_t no = 0;
    char **on = outcome_list(f, &no);
    size_t np = 0, n1, n2, n3, n4, n5, n6;
    char **pn = names_read(f, "parameter", XP_MAX_PARAMS, &np);
    char x1[48], x2[48], x3[48], x4[48], x5[48], x6[48];
    int any = 0, shown = 0, pooled = an_has(f, "interaction_p_holm");
    for (size_t k = 0; k < no && pn; k++) {
        const char *nm = on[k];
        double *v = an_read(f, "interaction", nm, np * np, &n1);
        double *lo = an_read(f, "interaction_ci_low", nm, np * np, &n2);
        double *hi = an_read(f, "interaction_ci_high", nm, np * np, &n3);
        double *plo = pooled ? an_read(f, "interaction_pooled_ci_low", nm, np * np, &n4) : NULL;
        double *phi = pooled ? an_read(f, "interaction_pooled_ci_high", nm, np * np, &n5) : NULL;
        double *ph = pooled ? an_read(f, "interaction_p_holm", nm, np * np, &n6) : NULL;
        int with_p = plo && phi && ph && n4 == np * np && n5 == np * np && n6 == np * np;
        if (v && lo && hi && n1 == np * np && n2 == np * np && n3 == np * np) {
            if (!any)
                ipsim_textbuf_printf(
                    b,
                    with_p ? "\ntwo-way interactions (twice the regression coefficient) with "
                             "Holm-adjusted pooled p < 0.05\n  %-22s %-28s %14s  %-32s %-32s "
                             "%10s\n"
                           : "\ntwo-way interactions whose 95%% CI excludes 0\n",
                    "outcome", "pair", "interaction", "95% CI (replicate contrasts)",
                    "95% CI (pooled)", "p (Holm)");
            any = 1;
            for (size_t i = 0; i < np; i++)
                for (size_t j = i + 1; j < np; j++) {
                    size_t q = i * np + j;
                    char pair[96], c1[80], c2[80];
                    if (!with_p) {
                        if (lo[q] > 0 || hi[q] < 0)
                            ipsim_textbuf_printf(b, "  %-22s %s x %s: %s [%s, %s]\n", nm, pn[i], pn[j],
                                                 num(v[q], x1, sizeof x1), num(lo[q], x2, sizeof x2),
                                                 num(hi[q], x3, sizeof x3));
                        continue;
                    }
                    if (!(ph[q] < SIGNIFICANT))
                        continue;
                    snprintf(pair, sizeof pair, "%s x %s", pn[i], pn[j]);
                    snprintf(c1, sizeof c1, "[%s, %s]", num(lo[q], x2, sizeof x2),
                             num(hi[q], x3, sizeof x3));
                    snprintf(c2, sizeof c2, "[%s, %s]", num(plo[q], x4, sizeof x4),
                             num(phi[q], x5, sizeof x5));
                    ipsim_textbuf_printf(b, "  %-22s %-28s %14s  %-32s %-32s %10s\n", nm, pair,
                                         num(v[q], x1, sizeof x1), c1, c2, num(ph[q], x6, sizeof x6));
                    shown++;
                }
        }
        free(v);
        free(lo);
        free(hi);
        free(plo);
        free(phi);
        free(ph);
    }
    if (any && pooled && shown == 0)
        ipsim_textbuf_printf(b, "  none\n");
    ipsim_h5_free_strings(pn, np);
    ipsim_h5_free_strings(on, no);
}

/* Second-order Sobol indices whose bootstrap 95% CI excludes 0. */
static void report_second_order(sbuf *b, hid_t f)
{
    size_t no = 0;
    char **on = outcome_list(f, &no);
    size_t np = 0, n1, n2, n3;
    char **pn = names_read(f, "parameter", XP_MAX_PARAMS, &np);
    char x1[48], x2[48], x3[48];
    ipsim_textbuf_printf(b, "\nsecond-order Sobol indices (Saltelli 2002) whose bootstrap 95%% CI "
                            "excludes 0\n");
    for (size_t k = 0; k < no && pn; k++) {
        const char *nm = on[k];
        double *v = an_read(f, "second_order", nm, np * np, &n1);
        double *lo = an_read(f, "second_order_ci_low", nm, np * np, &n2);
        double *hi = an_read(f, "second_order_ci_high", nm, np * np, &n3);
        if (v && lo && hi && n1 == np * np && n2 == n1 && n3 == n1)
            for (size_t i = 0; i < np; i++)
                for (size_t j = i + 1; j < np; j++) {
                    size_t q = i * np + j;
                    if (lo[q] > 0 || hi[q] < 0)
                        ipsim_textbuf_printf(b, "  %-22s %s x %s: %s [%s, %s]\n", nm, pn[i], pn[j],
                                             num(v[q], x1, sizeof x1), num(lo[q], x2, sizeof x2),
                                             num(hi[q], x3, sizeof x3));
                }
        free(v);
        free(lo);
        free(hi);
    }
    ipsim_h5_free_strings(pn, np);
    ipsim_h5_free_strings(on, no);
}

/* The Sobol convergence check and the replicate noise of each outcome. */
static void report_sobol_checks(sbuf *b, hid_t f)
{
    size_t no = 0;
    char **on = outcome_list(f, &no);
    int N = 0, h = 0;
    char title[160], x[48];
    hid_t g = H5Gopen2(f, "analysis", H5P_DEFAULT);
    if (g >= 0) {
        ipsim_h5_attr_value(g, "sobol_n", H5T_NATIVE_INT, &N);
        ipsim_h5_attr_value(g, "sobol_half_n", H5T_NATIVE_INT, &h);
        H5Gclose(g);
    }
    static const char *const st[4] = {"first_order_half_n", "first_order", "total_order_half_n",
                                      "total_order"};
    static const char *const hd[4] = {"S1 N/2", "S1 N", "ST N/2", "ST N"};
    snprintf(title, sizeof title,
             "convergence: the indices from the first N/2 = %d base rows against all N = %d "
             "(large changes: increase n)",
             h, N);
    report_params(b, f, title, st, 4, hd);
    static const char *const sn[2] = {"total_order", "total_order_noise"};
    static const char *const hn[2] = {"ST", "noise part"};
    if (an_has(f, "total_order_noise"))
        report_params(b, f,
                      "replicate noise: the part of each total index it makes (a parameter whose ST "
                      "is not well above it is not shown to matter)",
                      sn, 2, hn);
    ipsim_textbuf_printf(b, "\nreplicate noise: its share of the variance of the replicate "
                            "means\n");
    for (size_t k = 0; k < no; k++) {
        size_t n;
        double *v = an_read(f, "replicate_noise_share", on[k], 1, &n);
        if (v && n == 1)
            ipsim_textbuf_printf(b, "  %-24s %14s\n", on[k],
                                 num(v[0], x, sizeof x));
        free(v);
    }
    ipsim_h5_free_strings(on, no);
}

/* The /analysis attribute "warnings", one line each. */
static void report_warnings(sbuf *b, hid_t f)
{
    char w[WARN_TEXT];
    hid_t g = H5Gopen2(f, "analysis", H5P_DEFAULT);
    if (g < 0)
        return;
    if (ipsim_h5_attr_text(g, "warnings", w, sizeof w) == 0 && *w) {
        ipsim_textbuf_printf(b, "\n");
        for (char *line = w, *end; line && *line; line = end ? end + 1 : NULL) {
            end = strchr(line, '\n');
            if (end)
                *end = '\0';
            ipsim_textbuf_printf(b, "warning: %s\n", line);
        }
    }
    H5Gclose(g);
}

#define MEAN_COLUMN_MIN 14  /* width of a column of the means table */
#define POINT_COLUMN_MIN 30 /* width of its column of point names, at least */

static void report_means(sbuf *b, hid_t f, char **pn, size_t P)
{
    char x[48];
    ipsim_textbuf_printf(b, "\nmeans over replicates by point%s\n", P > 20 ? " (first 20)" : "");
    int w[OUT_COUNT];          /* a column is as wide as its header: never cut a name */
    int wp = POINT_COLUMN_MIN; /* nor a point's name */
    for (size_t p = 0; p < P && p < 20; p++)
        if ((int)strlen(pn[p]) > wp)
            wp = (int)strlen(pn[p]);
    ipsim_textbuf_printf(b, "  %-*s", wp, "point");
    for (int k = 0; k < OUT_COUNT; k++) {
        size_t len = strlen(ipsim__xp_outcomes[k].name);
        w[k] = len > MEAN_COLUMN_MIN ? (int)len : MEAN_COLUMN_MIN;
        ipsim_textbuf_printf(b, " %*s", w[k], ipsim__xp_outcomes[k].name);
    }
    ipsim_textbuf_printf(b, "\n");
    double *m[OUT_COUNT];
    size_t n[OUT_COUNT];
    for (int k = 0; k < OUT_COUNT; k++)
        m[k] = an_read(f, "mean", ipsim__xp_outcomes[k].name, P, &n[k]);
    for (size_t p = 0; p < P && p < 20; p++) {
        ipsim_textbuf_printf(b, "  %-*s", wp, pn[p]);
        for (int k = 0; k < OUT_COUNT; k++)
            ipsim_textbuf_printf(b, " %*s", w[k],
                                 m[k] && n[k] == P
                                     ? ipsim__fmt_in(m[k][p], ipsim__xp_outcomes[k].units, x, sizeof x)
                                     : "-");
        ipsim_textbuf_printf(b, "\n");
    }
    for (int k = 0; k < OUT_COUNT; k++)
        free(m[k]);
    size_t no = 0;
    char **on = outcome_list(f, &no);
    if (no > OUT_COUNT)
        ipsim_textbuf_printf(b, "\nwindow outcomes: means over replicates by point%s\n",
                             P > 20 ? " (first 20)" : "");
    for (size_t k = OUT_COUNT; k < no; k++) {
        size_t nm = 0;
        double *v = an_read(f, "mean", on[k], P, &nm);
        ipsim_textbuf_printf(b, "  %s\n", on[k]);
        for (size_t p = 0; p < P && p < 20; p++)
            ipsim_textbuf_printf(b, "    %-34.34s %16s\n", pn[p],
                                 v && nm == P ? num(v[p], x, sizeof x) : "-");
        free(v);
    }
    ipsim_h5_free_strings(on, no);
}

/* Sweeps under --posterior: each outcome's estimate (arms: the paired
 * difference against the reference) with the replicate-only and the total
 * 95% interval, and how much wider the total one is. */
static void report_posterior(sbuf *b, hid_t f, char **pn, size_t P, int arms)
{
    size_t no = 0;
    char **on = outcome_list(f, &no);
    static const char *const mean_st[5] = {"mean", "rep_lo", "rep_hi", "total_lo", "total_hi"};
    static const char *const diff_st[5] = {"diff_mean", "diff_rep_lo", "diff_rep_hi",
                                           "diff_total_lo", "diff_total_hi"};
    const char *const *st = arms ? diff_st : mean_st;
    char src[1200] = "?", x[5][48], w[32];
    int K = 0, m = 0;
    hid_t g = H5Lexists(f, "analysis/posterior", H5P_DEFAULT) > 0
                  ? H5Gopen2(f, "analysis/posterior", H5P_DEFAULT)
                  : -1;
    if (g < 0) {
        ipsim_h5_free_strings(on, no);
        return;
    }
    ipsim_h5_attr_value(g, "draws", H5T_NATIVE_INT, &K);
    ipsim_h5_attr_value(g, "replicates_per_draw", H5T_NATIVE_INT, &m);
    H5Gclose(g);
    char *s = ipsim__swr_text(f, "posterior_draws/source", sizeof src);
    if (s)
        snprintf(src, sizeof src, "%s", s);
    free(s);
    ipsim_textbuf_printf(b,
                         "\nwith parameter uncertainty: posterior %s\n  %d draws x %d replicates "
                         "each; %s, 95%% CI from replicate noise only (within draws) and total "
                         "(with the spread of the draw means); widen = total / replicate-only "
                         "half-width\n",
                         src, K, m,
                         arms ? "paired difference against the reference arm" : "mean by point");
    for (size_t k = 0; k < no; k++) {
        char grp[96];
        double *v[5] = {NULL};
        size_t n[5] = {0}, ok = 1;
        snprintf(grp, sizeof grp, "posterior/%s", on[k]);
        for (int i = 0; i < 5; i++) {
            v[i] = an_read(f, grp, st[i], P, &n[i]);
            ok &= v[i] && n[i] == P;
        }
        if (ok) {
            ipsim_textbuf_printf(b, "  %s\n", on[k]);
            for (size_t p = 0; p < P; p++) {
                double hr = (v[2][p] - v[1][p]) / 2, ht = (v[4][p] - v[3][p]) / 2;
                if (isfinite(hr) && isfinite(ht) && hr > 0)
                    snprintf(w, sizeof w, "%.2fx", ht / hr);
                else
                    snprintf(w, sizeof w, "n/a");
                ipsim_textbuf_printf(b, "    %-34s %14s   replicates [%s, %s]   total [%s, %s]   "
                                        "widen %s\n",
                                     pn[p], num(v[0][p], x[0], sizeof x[0]),
                                     num(v[1][p], x[1], sizeof x[1]), num(v[2][p], x[2], sizeof x[2]),
                                     num(v[3][p], x[3], sizeof x[3]), num(v[4][p], x[4], sizeof x[4]),
                                     w);
            }
        }
        for (int i = 0; i < 5; i++)
            free(v[i]);
    }
    ipsim_h5_free_strings(on, no);
}

static void report(sbuf *b, hid_t f, const char *path)
{
    char name[XP_NAME_MAX] = "?", design[32] = "?", ver[64] = "?", git[64] = "?", seed[32] = "?",
         shard[32] = "";
    int R = 0, P = 0, units = 0, done = 0, res = 0, days = 0;
    double scale = NAN, wall = NAN;
    ipsim_h5_attr_text(f, "experiment_name", name, sizeof name);
    ipsim_h5_attr_text(f, "design", design, sizeof design);
    ipsim_h5_attr_text(f, "ipsim_version", ver, sizeof ver);
    ipsim_h5_attr_text(f, "git_commit", git, sizeof git);
    ipsim_h5_attr_text(f, "seed_string", seed, sizeof seed);
    ipsim_h5_attr_text(f, "shard", shard, sizeof shard);
    ipsim_h5_attr_value(f, "replicates", H5T_NATIVE_INT, &R);
    ipsim_h5_attr_value(f, "points", H5T_NATIVE_INT, &P);
    ipsim_h5_attr_value(f, "units", H5T_NATIVE_INT, &units);
    ipsim_h5_attr_value(f, "units_done", H5T_NATIVE_INT, &done);
    ipsim_h5_attr_value(f, "resolution", H5T_NATIVE_INT, &res);
    ipsim_h5_attr_value(f, "days", H5T_NATIVE_INT, &days);
    ipsim_h5_attr_value(f, "scale", H5T_NATIVE_DOUBLE, &scale);
    ipsim_h5_attr_value(f, "wall_seconds", H5T_NATIVE_DOUBLE, &wall);
    ipsim_textbuf_printf(b, "ipsim sweep file %s\n", path);
    ipsim_textbuf_printf(b, "  %-22s %s\n", "experiment", name);
    ipsim_textbuf_printf(b, "  %-22s %s%s", "design", design,
                         strcmp(design, "factorial") == 0 ? "" : "\n");
    if (strcmp(design, "factorial") == 0) {
        if (res)
            ipsim_textbuf_printf(b, " (regular fraction, resolution %d)\n", res);
        else
            ipsim_textbuf_printf(b, " (full)\n");
    }
    ipsim_textbuf_printf(b, "  %-22s %d points x %d replicates = %d units (%d present)%s%s\n", "units",
                         P, R, units, done, *shard ? ", shard " : "", shard);
    ipsim_textbuf_printf(
        b, "  %-22s %s (common random numbers: replicate r of every point shares streams)\n", "seed",
        seed);
    ipsim_textbuf_printf(b, "  %-22s %g people per agent, %d days\n", "scale", scale, days);
    ipsim_textbuf_printf(b, "  %-22s ipsim %s (git %s)\n", "written by", ver, git);
    if (isfinite(wall))
        ipsim_textbuf_printf(b, "  %-22s %.1f s\n", "wall time", wall);
    if (H5Lexists(f, "analysis", H5P_DEFAULT) <= 0) {
        ipsim_textbuf_printf(b,
                             "\nno analysis in this file (%s); join the shards with 'ipsim merge'\n",
                             *shard ? "a shard" : "incomplete");
        return;
    }
    size_t np = 0;
    char **pn = names_read(f, "point_name", XP_MAX_POINTS, &np);
    if (!pn || np == 0) {
        ipsim_h5_free_strings(pn, np);
        return;
    }
    if (strcmp(design, "arms") == 0) {
        report_arms(b, f, pn, np);
        if (an_has(f, "variations"))
            ipsim__swr_report_variations(b, f, pn, np);
    } else if (strcmp(design, "response") == 0) {
        report_means(b, f, pn, np);
        ipsim__swr_report_response(b, f, np);
    } else {
        report_means(b, f, pn, np);
        if (strcmp(design, "factorial") == 0) {
            static const char *const st[6] = {
                "main_effect",
                "main_effect_ci_low",
                "main_effect_ci_high",
                "main_effect_pooled_ci_low",
                "main_effect_pooled_ci_high",
                "main_effect_p_holm"};
            static const char *const hd[6] = {"effect",     "CI low",      "CI high",
                                              "pooled low", "pooled high", "p (Holm)"};
            int cdf = -1, pdf = -1;
            hid_t g = H5Gopen2(f, "analysis", H5P_DEFAULT);
            if (g >= 0) {
                ipsim_h5_attr_value(g, "contrast_df", H5T_NATIVE_INT, &cdf);
                ipsim_h5_attr_value(g, "pooled_df", H5T_NATIVE_INT, &pdf);
                H5Gclose(g);
            }
            if (an_has(f, "main_effect_pooled_ci_low")) {
                char title[320];
                snprintf(title, sizeof title,
                         "main effects: mean(on) - mean(off) (twice the regression coefficient "
                         "of the -1/+1 factor), 95%% CI\n  over the replicates' contrasts (t, %d "
                         "df) and pooled (blocked OLS over all runs, t, %d df); p of the pooled "
                         "test, Holm-adjusted",
                         cdf, pdf);
                report_params(b, f, title, st, 6, hd);
            } else {
                report_params(b, f, "main effects: mean(on) - mean(off), 95% CI", st, 3, hd);
            }
            report_interactions(b, f);
        } else if (strcmp(design, "sobol") == 0) {
            static const char *const st[6] = {"first_order",         "first_order_ci_low",
                                              "first_order_ci_high", "total_order",
                                              "total_order_ci_low",  "total_order_ci_high"};
            static const char *const hd[6] = {"S1", "low", "high", "ST", "low", "high"};
            report_params(b, f,
                          an_has(f, "first_order_half_n")
                              ? "Sobol indices of the replicate means (outputs centred; bootstrap "
                                "95% CI)"
                              : "Sobol indices of the replicate means (bootstrap 95% CI)",
                          st, 6, hd);
            if (an_has(f, "second_order"))
                report_second_order(b, f);
            if (an_has(f, "first_order_half_n"))
                report_sobol_checks(b, f);
        } else if (strcmp(design, "morris") == 0) {
            static const char *const st[3] = {"mu_star", "mu", "sigma"};
            static const char *const hd[3] = {"mu*", "mu", "sigma"};
            report_params(b, f, "Morris elementary effects (per unit of the scaled range)", st, 3, hd);
        }
    }
    report_posterior(b, f, pn, np, strcmp(design, "arms") == 0);
    report_warnings(b, f);
    ipsim_h5_free_strings(pn, np);
}

ipsim_status ipsim_sweep_report(const char *path, char **text, char *err, size_t errlen)
{
    if (text)
        *text = NULL;
    if (!path || !text) {
        ipsim_set_error(err, errlen, "ipsim_sweep_report: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    ipsim_status ost;
    int fd = ipsim__safe_open_input(path, O_RDONLY, 0, "sweep file", &ost, err, errlen);
    if (fd < 0)
        return ost; /* a FIFO or device is refused at once */
    close(fd);
    ipsim_h5_quiet quiet;
    ipsim_h5_quiet_begin(&quiet);
    hid_t f = ipsim_h5_open_readonly(path);
    char kind[32] = "";
    ipsim_status st = IPSIM_OK;
    sbuf b = {0};
    if (f < 0 || ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) != 0 ||
        strcmp(kind, "sweep")) {
        ipsim_set_error(err, errlen, "%s: not an ipsim sweep file", path);
        st = IPSIM_ERR_DATA;
    } else {
        report(&b, f, path);
    }
    if (f >= 0)
        H5Fclose(f);
    ipsim_h5_quiet_end(&quiet);
    if (st == IPSIM_OK && (b.oom || !b.p)) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
    }
    if (st == IPSIM_OK)
        *text = b.p;
    else
        free(b.p);
    return st;
}
