/*
 * sweep_report_plan.c - the planner's parts of the printed sweep report
 * (sweep_report.c calls them): how the verdict of an arms experiment holds
 * across its variations (each arm's paired difference against the
 * reference, the cost per extra unit, and per variation the best arm with
 * its paired margin over the runner-up, so the table shows where the
 * verdict flips), and the response curve of a "response" design. Read by
 * name from the file, checked shapes only.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "experiment/analysis.h"
#include "experiment/numfmt.h"
#include "experiment/plan.h"
#include "experiment/sweep_file.h"
#include "io/h5util.h"
#include "json/json_path.h"

#define NAME_COL 22  /* width of the variation / level column */
#define ARM_COL 24   /* width of the arm column */
#define VALUE_COL 40 /* width of "difference [low, high]" */
#define MAX_NAMES 1000000

/* The numbers at path when there are exactly want of them (else NULL). */
static double *read_exact(hid_t f, const char *path, size_t want)
{
    size_t n = 0;
    if (want == 0 || ipsim__swr_count(f, path, 0) != (long long)want)
        return NULL;
    double *v = ipsim_h5_read_doubles(f, path, -1, NULL, &n);
    if (v && n != want) {
        free(v);
        return NULL;
    }
    return v;
}

static char **read_names(hid_t f, const char *path, size_t *n)
{
    long long c = ipsim__swr_count(f, path, 1);
    *n = 0;
    return c >= 1 && c <= MAX_NAMES ? ipsim_h5_read_strings(f, path, 1, n) : NULL;
}

/* "value [low, high]" in the outcome's units. */
static const char *interval(double m, double lo, double hi, const char *units, char *buf, size_t len)
{
    char a[48], b[48], c[48];
    ipsim__fmt_in(m, units, a, sizeof a);
    ipsim__fmt_in(lo, units, b, sizeof b);
    ipsim__fmt_in(hi, units, c, sizeof c);
    if (strcmp(units, "CNY") == 0) { /* "937.4 M CNY [845.9 M, 1,029.0 M]" */
        char *u;
        if ((u = strstr(b, " CNY")) != NULL)
            *u = '\0';
        if ((u = strstr(c, " CNY")) != NULL)
            *u = '\0';
    }
    snprintf(buf, len, "%s [%s, %s]", a, b, c);
    return buf;
}

/* The verdict of variation v: the arm with the largest mean difference,
 * and its paired difference over the runner-up from the replicates (a tie
 * when that interval includes 0). */
static void verdict(ipsim_textbuf *b, const double *y, int R, int v, int A, const double *dm,
                    char **arm, const char *units, int *best_out)
{
    int best = -1, second = -1;
    for (int a = 0; a < A; a++) {
        double x = dm[(size_t)v * A + a];
        if (!isfinite(x))
            continue;
        if (best < 0 || x > dm[(size_t)v * A + best]) {
            second = best;
            best = a;
        } else if (second < 0 || x > dm[(size_t)v * A + second]) {
            second = a;
        }
    }
    *best_out = best;
    if (best < 0 || second < 0) {
        ipsim_textbuf_printf(b, "    -> verdict: n/a\n");
        return;
    }
    an_ci c = ipsim__an_paired_diff(y + ((size_t)v * A + second) * R, y + ((size_t)v * A + best) * R,
                                    R);
    char t[160];
    interval(c.est, c.lo, c.hi, units, t, sizeof t);
    if (c.lo > 0)
        ipsim_textbuf_printf(b, "    -> verdict: %s, by %s over %s\n", arm[best], t, arm[second]);
    else {
        ipsim_textbuf_printf(b, "    -> verdict: a tie between %s and %s (difference %s)\n", arm[best],
                             arm[second], t);
        *best_out = -1;
    }
}

void ipsim__swr_report_variations(ipsim_textbuf *b, hid_t f, char **pn, size_t P)
{
    size_t V = 0;
    char **vn = read_names(f, "variations/name", &V);
    char ref[XP_NAME_MAX] = "?";
    hid_t g = H5Lexists(f, "analysis", H5P_DEFAULT) > 0 &&
                      H5Lexists(f, "analysis/variations", H5P_DEFAULT) > 0
                  ? H5Gopen2(f, "analysis/variations", H5P_DEFAULT)
                  : -1;
    if (g >= 0) {
        ipsim_h5_attr_text(g, "reference", ref, sizeof ref);
        H5Gclose(g);
    }
    if (!vn || V == 0 || g < 0 || P % V != 0) {
        ipsim_h5_free_strings(vn, V);
        return;
    }
    size_t A = P / V;
    char **arm = calloc(A, sizeof *arm);
    for (size_t a = 0; arm && a < A; a++) {
        arm[a] = strdup(pn[a]);
        char *at = arm[a] ? strrchr(arm[a], '@') : NULL;
        if (at)
            *at = '\0';
    }
    for (int k = 0; arm && k < OUT_COUNT; k++) {
        const char *nm = ipsim__xp_outcomes[k].name, *un = ipsim__xp_outcomes[k].units;
        char p[6][160];
        static const char *const st[6] = {"diff_mean",         "diff_lo",
                                          "diff_hi",           "cost_per_extra_mean",
                                          "cost_per_extra_lo", "cost_per_extra_hi"};
        double *v[6];
        int ok = 1;
        for (int q = 0; q < 6; q++) {
            snprintf(p[q], sizeof p[q], "analysis/variations/%s/%s", nm, st[q]);
            v[q] = read_exact(f, p[q], V * A);
            ok = ok && v[q];
        }
        char op[96];
        snprintf(op, sizeof op, "outcomes/%s", nm);
        double *y = NULL;
        long long ny = ipsim__swr_count(f, op, 0);
        int R = ny > 0 && ny % (long long)P == 0 ? (int)(ny / (long long)P) : 0;
        if (ok && R > 0)
            y = read_exact(f, op, (size_t)ny);
        if (ok && y) {
            int *wins = calloc(A + 1, sizeof *wins);
            ipsim_textbuf_printf(b,
                                 "\nhow the verdict holds across the variations: %s, paired "
                                 "difference against \"%s\" (95%% CI) and cost per extra\n",
                                 nm, ref);
            ipsim_textbuf_printf(b, "  %-*s %-*s %-*s %s\n", NAME_COL, "variation", ARM_COL, "arm",
                                 VALUE_COL, "difference [95% CI]", "cost per extra [95% CI]");
            for (size_t vv = 0; vv < V; vv++) {
                int first = 1;
                for (size_t a = 0; a < A; a++) {
                    size_t o = vv * A + a;
                    char d[160], c[160];
                    if (strcmp(arm[a], ref) == 0)
                        continue;
                    interval(v[0][o], v[1][o], v[2][o], un, d, sizeof d);
                    if (isfinite(v[3][o])) {
                        char c1[64], c2[64], c3[64];
                        snprintf(c, sizeof c, "%s [%s, %s]", ipsim__fmt_cny(v[3][o], c1, sizeof c1),
                                 ipsim__fmt_cny(v[4][o], c2, sizeof c2),
                                 ipsim__fmt_cny(v[5][o], c3, sizeof c3));
                    } else {
                        snprintf(c, sizeof c, "n/a (difference not shown to be non-zero)");
                    }
                    ipsim_textbuf_printf(b, "  %-*s %-*s %-*s %s\n", NAME_COL, first ? vn[vv] : "",
                                         ARM_COL, arm[a], VALUE_COL, d, c);
                    first = 0;
                }
                int best = -1;
                verdict(b, y, R, (int)vv, (int)A, v[0], arm, un, &best);
                if (wins)
                    wins[best >= 0 ? (size_t)best : A]++;
            }
            if (wins) {
                ipsim_textbuf_printf(b, "  verdict over %zu variations:", V);
                for (size_t a = 0; a <= A; a++)
                    if (wins[a])
                        ipsim_textbuf_printf(b, " %s %d;", a < A ? arm[a] : "tie", wins[a]);
                ipsim_textbuf_printf(b, "\n");
            }
            free(wins);
        }
        free(y);
        for (int q = 0; q < 6; q++)
            free(v[q]);
    }
    for (size_t a = 0; arm && a < A; a++)
        free(arm[a]);
    free(arm);
    ipsim_h5_free_strings(vn, V);
}

void ipsim__swr_report_response(ipsim_textbuf *b, hid_t f, size_t L)
{
    char name[XP_NAME_MAX] = "?", path[IPSIM_JSON_PATH_MAX] = "?";
    if (H5Lexists(f, "analysis", H5P_DEFAULT) <= 0 ||
        H5Lexists(f, "analysis/response", H5P_DEFAULT) <= 0)
        return;
    hid_t g = H5Gopen2(f, "analysis/response", H5P_DEFAULT);
    if (g < 0)
        return;
    ipsim_h5_attr_text(g, "name", name, sizeof name);
    ipsim_h5_attr_text(g, "path", path, sizeof path);
    H5Gclose(g);
    ipsim_textbuf_printf(b,
                         "\nresponse curve: %s (%s), every level paired against the first "
                         "(95%% CI)\n",
                         name, path);
    static const char *const st[11] = {
        "level",
        "spend_cny",
        "incremental_mean",
        "incremental_lo",
        "incremental_hi",
        "marginal_mean",
        "marginal_lo",
        "marginal_hi",
        "cost_per_extra_mean",
        "cost_per_extra_lo",
        "cost_per_extra_hi"};
    for (int k = 0; k < OUT_COUNT; k++) {
        const char *nm = ipsim__xp_outcomes[k].name, *un = ipsim__xp_outcomes[k].units;
        double *v[11];
        int ok = 1;
        for (int q = 0; q < 11; q++) {
            char p[160];
            snprintf(p, sizeof p, "analysis/response/%s/%s", nm, st[q]);
            v[q] = read_exact(f, p, L);
            ok = ok && v[q];
        }
        if (ok) {
            ipsim_textbuf_printf(b, "  %s\n    %-*s %-*s %-*s %s\n", nm, 16, "spend", VALUE_COL,
                                 "incremental [95% CI]", VALUE_COL, "marginal per 10,000 CNY [95% CI]",
                                 "cost per extra [95% CI]");
            for (size_t l = 0; l < L; l++) {
                char s[64], i[160], m[160], c[160], c1[64], c2[64], c3[64];
                interval(v[2][l], v[3][l], v[4][l], un, i, sizeof i);
                if (l == 0)
                    snprintf(m, sizeof m, "-");
                else
                    interval(v[5][l], v[6][l], v[7][l], un, m, sizeof m);
                if (isfinite(v[8][l]))
                    snprintf(c, sizeof c, "%s [%s, %s]", ipsim__fmt_cny(v[8][l], c1, sizeof c1),
                             ipsim__fmt_cny(v[9][l], c2, sizeof c2),
                             ipsim__fmt_cny(v[10][l], c3, sizeof c3));
                else
                    snprintf(c, sizeof c, "n/a");
                ipsim_textbuf_printf(b, "    %-*s %-*s %-*s %s\n", 16,
                                     ipsim__fmt_cny(v[1][l], s, sizeof s), VALUE_COL, i, VALUE_COL, m,
                                     c);
            }
        }
        for (int q = 0; q < 11; q++)
            free(v[q]);
    }
}
