/*
 * sweep_plan_out.c - the parts of a sweep file that answer a planner's
 * questions: the variations of an experiment (/variations, /point_variation)
 * and, in /analysis, the paired comparison of every arm with the reference
 * within each variation (/analysis/variations/<outcome>/...) and the
 * response curve of a "response" design (/analysis/response/<outcome>/...).
 * Intervals are 95 % paired t intervals over replicates (common random
 * numbers: replicate r of every point shares its random streams).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "experiment/analysis.h"
#include "experiment/sweep_file.h"
#include "io/h5util.h"

#define CRT_ORDER (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)
#define PER_10K 10000.0 /* marginal returns are per 10,000 CNY of spend */

/* Strings dataset loc/name [n] with a long_name; 0 or -1. */
static int strings(sw_h5 *w, hid_t loc, const char *name, int n, const char *const *v,
                   const char *long_name)
{
    hid_t t = ipsim_h5_str_type();
    hsize_t dim = (hsize_t)n;
    hid_t ds = t >= 0 ? ipsim__swf_dataset(w, loc, name, t, 1, &dim, v) : -1;
    int rc = ds >= 0 && ipsim_h5_attr_str(ds, "long_name", long_name) >= 0 ? 0 : -1;
    if (t >= 0)
        H5Tclose(t);
    if (ds >= 0)
        H5Dclose(ds);
    return rc == 0 ? 0 : ipsim__swf_fail(w, name);
}

/* Attribute name of loc: a list of n strings; 0 or -1. */
static int attr_strings(hid_t loc, const char *name, int n, const char *const *v)
{
    hid_t t = ipsim_h5_str_type();
    hsize_t dim = (hsize_t)n;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t a = t >= 0 && sp >= 0 ? H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int rc = a >= 0 && H5Awrite(a, t, v) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

/* Float64 dataset loc/name (rank 1 or 2) with units and long_name; 0/-1. */
static int numbers(sw_h5 *w, hid_t loc, const char *name, int rank, const hsize_t *dims,
                   const double *v, const char *units, const char *long_name)
{
    hid_t ds = ipsim__swf_dataset(w, loc, name, H5T_NATIVE_DOUBLE, rank, dims, v);
    int rc = ds >= 0 && (!units || ipsim_h5_attr_str(ds, "units", units) >= 0) &&
                     ipsim_h5_attr_str(ds, "long_name", long_name) >= 0
                 ? 0
                 : -1;
    if (ds >= 0)
        H5Dclose(ds);
    return rc == 0 ? 0 : ipsim__swf_fail(w, name);
}

int ipsim__swf_variations(sw_h5 *w, const sweep_data *d, hid_t point_scale)
{
    const ipsim_experiment *e = d->e;
    int V = e->n_var, P = e->n_points;
    const char **v = malloc(sizeof *v * (size_t)V);
    int32_t *pv = malloc(sizeof *pv * (size_t)P);
    hid_t g = ipsim__swf_group(w, w->file, "variations");
    int rc = v && pv ? (g >= 0 ? 0 : -1) : ipsim__swf_nomem(w, "variations");
    for (int i = 0; rc == 0 && i < V; i++)
        v[i] = e->var_name[i];
    if (rc == 0)
        rc = strings(w, g, "name", V, v, "name of the variation");
    for (int i = 0; rc == 0 && i < V; i++)
        v[i] = e->var_desc[i];
    if (rc == 0)
        rc = strings(w, g, "description", V, v, "description of the variation (\"\" if none)");
    for (int i = 0; rc == 0 && i < V; i++)
        v[i] = e->var_set[i];
    if (rc == 0)
        rc = strings(w, g, "set", V, v,
                     "the variation's overrides (JSON), applied before each point's own");
    for (int p = 0; rc == 0 && p < P; p++)
        pv[p] = (int32_t)(p / e->n_design);
    if (rc == 0) {
        hsize_t dim = (hsize_t)P;
        hid_t ds = ipsim__swf_dataset(w, w->file, "point_variation", H5T_NATIVE_INT32, 1, &dim, pv);
        if (ds < 0 || H5DSattach_scale(ds, point_scale, 0) < 0 || H5DSset_label(ds, 0, "point") < 0 ||
            ipsim_h5_attr_str(ds, "long_name",
                              "index of the point's variation in /variations/name (point v * "
                              "design points + p is design point p under variation v)") < 0)
            rc = ipsim__swf_fail(w, "point_variation");
        if (ds >= 0)
            H5Dclose(ds);
    }
    if (g >= 0)
        H5Gclose(g);
    free(v);
    free(pv);
    return rc;
}

/* extra / paired difference with its interval: NaN when the interval
 * includes 0 (or is not known) or extra is 0. */
static void cost_per_extra(double extra, an_ci c, double *m, double *lo, double *hi)
{
    if (!(extra != 0.0) || !isfinite(extra) || !(c.lo > 0 || c.hi < 0) || !isfinite(c.lo) ||
        !isfinite(c.hi)) {
        *m = *lo = *hi = NAN;
        return;
    }
    double a = extra / c.lo, b = extra / c.hi;
    *m = extra / c.est;
    *lo = a < b ? a : b;
    *hi = a < b ? b : a;
}

/* The group loc/name, created (0) or -1. */
static hid_t group(sw_h5 *w, hid_t loc, const char *name)
{
    return ipsim__swf_group(w, loc, name);
}

/* Design-point names (without the "@variation" suffix). */
static void design_names(const ipsim_experiment *e, char (*out)[XP_NAME_MAX], const char **ptr)
{
    for (int p = 0; p < e->n_design; p++) {
        snprintf(out[p], XP_NAME_MAX, "%s", e->points[p].name);
        char *at = e->n_var > 0 ? strrchr(out[p], '@') : NULL;
        if (at)
            *at = '\0';
        ptr[p] = out[p];
    }
}

static int analyse_variations(sw_h5 *w, const sweep_data *d, hid_t an, double *y, double *col)
{
    const ipsim_experiment *e = d->e;
    int V = e->n_var, A = e->n_design, R = d->R, rc = 0;
    size_t VA = (size_t)V * A;
    double *buf = malloc(sizeof *buf * VA * 6);
    char(*dn)[XP_NAME_MAX] = malloc(sizeof *dn * (size_t)A);
    const char **an_names = malloc(sizeof *an_names * (size_t)A);
    const char **vn = malloc(sizeof *vn * (size_t)V);
    if (!buf || !dn || !an_names || !vn) {
        rc = ipsim__swf_nomem(w, "analysis/variations");
        goto done;
    }
    design_names(e, dn, an_names);
    for (int v = 0; v < V; v++)
        vn[v] = e->var_name[v];
    hid_t g = group(w, an, "variations");
    if (g < 0 || attr_strings(g, "arms", A, an_names) < 0 ||
        attr_strings(g, "variations", V, vn) < 0 ||
        ipsim_h5_attr_str(g, "reference", an_names[e->reference]) < 0)
        rc = ipsim__swf_fail(w, "analysis/variations");
    hsize_t dims[2] = {(hsize_t)V, (hsize_t)A};
    for (int k = 0; k < OUT_COUNT && rc == 0; k++) {
        if (!(e->outcome_mask & (1u << k)))
            continue;
        const char *name = ipsim__xp_outcomes[k].name, *un = ipsim__xp_outcomes[k].units;
        ipsim__swf_gather(d, (size_t)k, 1, y);
        for (int v = 0; v < V; v++)
            for (int a = 0; a < A; a++) {
                int p = v * A + a, ref = ipsim__xp_ref_of(e, p);
                size_t o = (size_t)v * A + a;
                for (int r = 0; r < R; r++) {
                    col[r] = y[(size_t)ref * R + r];
                    col[R + r] = y[(size_t)p * R + r];
                }
                an_ci c = ipsim__an_paired_diff(col, col + R, R);
                if (p == ref)
                    c.est = c.lo = c.hi = 0.0;
                buf[o] = c.est;
                buf[VA + o] = c.lo;
                buf[2 * VA + o] = c.hi;
                cost_per_extra(e->cost[p] - e->cost[ref], c, &buf[3 * VA + o], &buf[4 * VA + o],
                               &buf[5 * VA + o]);
            }
        hid_t go = group(w, g, name);
        if (go < 0 || attr_strings(go, "arms", A, an_names) < 0 ||
            attr_strings(go, "variations", V, vn) < 0) {
            rc = ipsim__swf_fail(w, name);
        } else {
            static const char *const sn[6] = {"diff_mean",         "diff_lo",
                                              "diff_hi",           "cost_per_extra_mean",
                                              "cost_per_extra_lo", "cost_per_extra_hi"};
            static const char *const ln[6] = {
                "paired mean difference of the arm minus the reference arm in the same "
                "variation [variation][arm]",
                "95% paired t interval of diff_mean, lower",
                "95% paired t interval of diff_mean, upper",
                "extra intervention cost over the reference / diff_mean (NaN when the "
                "interval of diff includes 0 or the extra cost is 0)",
                "cost_per_extra from the upper end of the interval of diff",
                "cost_per_extra from the lower end of the interval of diff"};
            char cu[64];
            snprintf(cu, sizeof cu, "CNY per %s", strcmp(un, "1") == 0 ? "unit" : un);
            for (int q = 0; q < 6 && rc == 0; q++)
                rc = numbers(w, go, sn[q], 2, dims, buf + (size_t)q * VA, q < 3 ? un : cu, ln[q]);
        }
        if (go >= 0)
            H5Gclose(go);
    }
    if (g >= 0)
        H5Gclose(g);
done:
    free(buf);
    free(dn);
    free(an_names);
    free(vn);
    return rc;
}

static int analyse_response(sw_h5 *w, const sweep_data *d, hid_t an, double *y, double *col)
{
    const ipsim_experiment *e = d->e;
    int L = e->n_points, R = d->R, rc = 0;
    double *buf = malloc(sizeof *buf * (size_t)L * 11);
    hid_t g = group(w, an, "response");
    if (!buf)
        rc = ipsim__swf_nomem(w, "analysis/response");
    else if (g < 0 || ipsim_h5_attr_str(g, "name", e->param[0]) < 0 ||
             ipsim_h5_attr_str(g, "path", e->points[0].sets[0].path) < 0)
        rc = ipsim__swf_fail(w, "analysis/response");
    hsize_t dim = (hsize_t)L;
    for (int k = 0; k < OUT_COUNT && rc == 0; k++) {
        if (!(e->outcome_mask & (1u << k)))
            continue;
        const char *name = ipsim__xp_outcomes[k].name, *un = ipsim__xp_outcomes[k].units;
        double *lv = buf, *sp = buf + L, *inc = buf + 2 * (size_t)L, *mar = buf + 5 * (size_t)L,
               *cpe = buf + 8 * (size_t)L;
        ipsim__swf_gather(d, (size_t)k, 1, y);
        for (int p = 0; p < L; p++) {
            lv[p] = e->design[p];
            sp[p] = e->cost[p] - e->cost[0];
            for (int r = 0; r < R; r++) {
                col[r] = y[r];
                col[R + r] = y[(size_t)p * R + r];
            }
            an_ci c = ipsim__an_paired_diff(col, col + R, R);
            if (p == 0)
                c.est = c.lo = c.hi = 0.0;
            inc[p] = c.est;
            inc[L + p] = c.lo;
            inc[2 * L + p] = c.hi;
            double step = p > 0 ? (sp[p] - sp[p - 1]) / PER_10K : NAN;
            an_ci m = {NAN, NAN, NAN, NAN, 0};
            if (p > 0 && step > 0) {
                for (int r = 0; r < R; r++)
                    col[r] = y[(size_t)(p - 1) * R + r];
                m = ipsim__an_paired_diff(col, col + R, R);
                m.est /= step;
                m.lo /= step;
                m.hi /= step;
            }
            mar[p] = m.est;
            mar[L + p] = m.lo;
            mar[2 * L + p] = m.hi;
            cost_per_extra(sp[p], c, &cpe[p], &cpe[L + p], &cpe[2 * L + p]);
        }
        hid_t go = group(w, g, name);
        char mu[64], cu[64];
        snprintf(mu, sizeof mu, "%s per 10,000 CNY", un);
        snprintf(cu, sizeof cu, "CNY per %s", strcmp(un, "1") == 0 ? "unit" : un);
        if (go < 0)
            rc = -1;
        if (rc == 0)
            rc = numbers(w, go, "level", 1, &dim, lv, NULL, "the level of the design's path");
        if (rc == 0)
            rc = numbers(w, go, "spend_cny", 1, &dim, sp, "CNY",
                         "intervention cost over the first level's (the spend)");
        static const char *const sfx[3] = {"mean", "lo", "hi"};
        for (int q = 0; q < 3 && rc == 0; q++) {
            char nm[48];
            snprintf(nm, sizeof nm, "incremental_%s", sfx[q]);
            rc = numbers(w, go, nm, 1, &dim, inc + (size_t)q * L, un,
                         q == 0 ? "paired mean difference against the first level"
                                : "95% paired t interval of incremental_mean");
            snprintf(nm, sizeof nm, "marginal_%s", sfx[q]);
            if (rc == 0)
                rc = numbers(w, go, nm, 1, &dim, mar + (size_t)q * L, mu,
                             q == 0 ? "paired difference to the previous level per 10,000 CNY "
                                      "of extra spend (NaN at the first level)"
                                    : "95% paired t interval of marginal_mean");
            snprintf(nm, sizeof nm, "cost_per_extra_%s", sfx[q]);
            if (rc == 0)
                rc = numbers(w, go, nm, 1, &dim, cpe + (size_t)q * L, cu,
                             q == 0 ? "spend / incremental_mean (NaN when the interval of "
                                      "incremental includes 0 or the spend is 0)"
                                    : "cost_per_extra from the other end of the interval of "
                                      "incremental");
        }
        if (go >= 0)
            H5Gclose(go);
    }
    if (g >= 0)
        H5Gclose(g);
    free(buf);
    return rc;
}

int ipsim__swf_analysis_plan(sw_h5 *w, const sweep_data *d, hid_t analysis)
{
    const ipsim_experiment *e = d->e;
    double *y = malloc(sizeof *y * (size_t)e->n_points * d->R);
    double *col = malloc(sizeof *col * (size_t)d->R * 2);
    int rc = y && col ? 0 : ipsim__swf_nomem(w, "analysis");
    if (rc == 0 && e->n_var > 0)
        rc = analyse_variations(w, d, analysis, y, col);
    if (rc == 0 && e->type == XP_RESPONSE)
        rc = analyse_response(w, d, analysis, y, col);
    free(y);
    free(col);
    return rc;
}
