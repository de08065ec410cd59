/*
 * sweep_analysis_post.c - /analysis/posterior of a sweep run under
 * --posterior: for every outcome, each point's mean and, for arms, each
 * arm's paired difference against the reference arm, with a replicate-only
 * 95% interval (within-draw variation) and a total one that includes
 * parameter uncertainty (between-draw variation of the draw means), as
 * ipsim__an_draws computes them (analysis.h; the estimator is documented
 * in scenarios/experiments/README.md).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>

#include <hdf5.h>

#include "experiment/analysis.h"
#include "experiment/posterior_draws.h"
#include "experiment/sweep_file.h"
#include "experiment/windows.h"
#include "io/h5util.h"

enum { ST_EST, ST_REP_LO, ST_REP_HI, ST_TOT_LO, ST_TOT_HI, N_ST };

static const char *const mean_names[N_ST] = {"mean", "rep_lo", "rep_hi", "total_lo", "total_hi"};
static const char *const diff_names[N_ST] = {"diff_mean", "diff_rep_lo", "diff_rep_hi",
                                             "diff_total_lo", "diff_total_hi"};
static const char *const long_names[N_ST] = {
    "estimate (mean over every replicate)",
    "95% interval, low: replicate noise only (pooled within-draw variance)",
    "95% interval, high: replicate noise only (pooled within-draw variance)",
    "95% interval, low: with parameter uncertainty (spread of the draw means)",
    "95% interval, high: with parameter uncertainty (spread of the draw means)"};

static void store(const an_ci *rep, const an_ci *tot, int p, int P, double *v)
{
    v[(size_t)ST_EST * P + p] = rep->est;
    v[(size_t)ST_REP_LO * P + p] = rep->lo;
    v[(size_t)ST_REP_HI * P + p] = rep->hi;
    v[(size_t)ST_TOT_LO * P + p] = tot->lo;
    v[(size_t)ST_TOT_HI * P + p] = tot->hi;
}

/* The variables of one outcome (values at offset off of each unit). */
static int one_outcome(sw_h5 *w, const sweep_data *d, const hid_t *sc, hid_t g, const char *name,
                       const char *units, size_t off, double *y, double *col, double *v)
{
    const ipsim_experiment *e = d->e;
    int P = e->n_points, R = d->R, K = ipsim__xp_post_draws(e->post, R), rc = 0;
    hsize_t dim = (hsize_t)P;
    an_ci rep, tot;
    hid_t og = ipsim__swf_group(w, g, name);
    if (og < 0)
        return -1;
    ipsim__swf_gather(d, off, 1, y);
    for (int p = 0; p < P; p++) {
        ipsim__an_draws(y + (size_t)p * R, R, K, &rep, &tot);
        store(&rep, &tot, p, P, v);
        if (e->type == XP_ARMS) {
            for (int r = 0; r < R; r++)
                col[r] = y[(size_t)p * R + r] - y[(size_t)e->reference * R + r];
            ipsim__an_draws(col, R, K, &rep, &tot);
            store(&rep, &tot, p, P, v + (size_t)N_ST * P);
        }
    }
    for (int s = 0; s < N_ST && rc == 0; s++)
        rc = ipsim__swf_variable(w, og, mean_names[s], 1, &dim, &sc[SC_POINT], v + (size_t)s * P,
                                 units, long_names[s]);
    for (int s = 0; s < N_ST && rc == 0 && e->type == XP_ARMS; s++)
        rc = ipsim__swf_variable(w, og, diff_names[s], 1, &dim, &sc[SC_POINT],
                                 v + (size_t)(N_ST + s) * P, units, long_names[s]);
    H5Gclose(og);
    return rc;
}

int ipsim__swf_analysis_posterior(sw_h5 *w, const sweep_data *d, hid_t analysis, const hid_t *sc)
{
    const ipsim_experiment *e = d->e;
    int P = e->n_points, R = d->R, K = ipsim__xp_post_draws(e->post, R), m = R / K, rc;
    double *y = malloc(sizeof *y * (size_t)P * R), *col = malloc(sizeof *col * (size_t)R);
    double *v = malloc(sizeof *v * (size_t)2 * N_ST * P);
    hid_t g = y && col && v ? ipsim__swf_group(w, analysis, "posterior") : -1;
    rc = !y || !col || !v ? ipsim__swf_nomem(w, "analysis/posterior") : g >= 0 ? 0 : -1;
    if (rc == 0 && (ipsim_h5_attr_num(g, "draws", H5T_NATIVE_INT, &K) < 0 ||
                    ipsim_h5_attr_num(g, "replicates_per_draw", H5T_NATIVE_INT, &m) < 0))
        rc = ipsim__swf_fail(w, "analysis/posterior");
    for (int k = 0; k < ipsim__xp_n_outcomes(e) && rc == 0; k++) {
        xp_outcome_desc od;
        ipsim__xp_outcome_desc(e, k, &od);
        if (od.on)
            rc = one_outcome(w, d, sc, g, od.name, od.units, od.offset, y, col, v);
    }
    if (g >= 0)
        H5Gclose(g);
    free(y);
    free(col);
    free(v);
    return rc;
}
