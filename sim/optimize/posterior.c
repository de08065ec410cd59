/*
 * posterior.c - an allocation problem under a calibration's posterior
 * (`ipsim optimize PROBLEM.json --posterior POST.h5 [--draws K]`): replicate
 * r of every run (search, zero spend, fresh re-evaluation, plans,
 * sensitivity) sets the posterior's parameters to those of draw r mod K, a
 * particle picked by weighted resampling keyed by the problem's seed and the
 * draw (experiment/posterior_draws.c, as sweeps do), so every allocation and
 * plan is compared on the same draws (common random numbers and common
 * parameters) and the objective is an expectation over parameter
 * uncertainty as well as over replicates.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "experiment/posterior_draws.h"
#include "optimize/opt.h"

#define SET_TEXT 1024 /* one "path=value" assignment */

/* Free the per-replicate assignment lists of op (NULL: nothing). */
void ipsim__opt_post_free(ipsim_optimize *op)
{
    int total = op->replicates + op->final_replicates;
    if (op->post_sets) {
        for (int r = 0; r < total; r++) {
            if (!op->post_sets[r])
                continue;
            for (int i = 0; op->post_sets[r][i]; i++)
                free(op->post_sets[r][i]);
            free(op->post_sets[r]);
        }
        free(op->post_sets);
    }
    free(op->post_particle);
    ipsim__xp_post_free(op->post);
    op->post_sets = NULL;
    op->post_particle = NULL;
    op->post = NULL;
}

/* The assignments of particle j, NULL-terminated (malloc'd); NULL on OOM. */
static char **assignments(const xp_posterior *p, int j)
{
    char **a = calloc((size_t)p->n_params + 1, sizeof *a);
    for (int i = 0; a && i < p->n_params; i++) {
        char t[SET_TEXT];
        snprintf(t, sizeof t, "%s=%.17g", p->param[i], p->samples[(size_t)j * p->n_params + i]);
        if (!(a[i] = strdup(t))) {
            for (int k = 0; k < i; k++)
                free(a[k]);
            free(a);
            return NULL;
        }
    }
    return a;
}

ipsim_status ipsim_optimize_use_posterior(ipsim_optimize *op, const char *path, int draws, char *err,
                                          size_t errlen)
{
    xp_posterior *p = NULL;
    ipsim_status st;
    if (!op || !path || draws < 0) {
        ipsim_set_error(err, errlen, "ipsim_optimize_use_posterior: no problem, no path or draws < 0");
        return IPSIM_ERR_USAGE;
    }
    if ((st = ipsim__xp_post_load(path, draws, &p, err, errlen)) != IPSIM_OK)
        return st;
    ipsim__opt_post_free(op);
    op->post = p;
    int total = op->replicates + op->final_replicates;
    int K = draws > 0 ? draws : total;
    op->post_draws = K;
    op->post_sets = calloc((size_t)total, sizeof *op->post_sets);
    op->post_particle = calloc((size_t)total, sizeof *op->post_particle);
    if (!op->post_sets || !op->post_particle) {
        ipsim__opt_post_free(op);
        ipsim_set_error(err, errlen, "%s: out of memory", path);
        return IPSIM_ERR_NOMEM;
    }
    for (int r = 0; r < total; r++) {
        int j = ipsim__xp_post_particle(p, op->seed, r % K);
        op->post_particle[r] = ipsim__xp_post_particle_number(p, op->seed, r % K);
        if (!(op->post_sets[r] = assignments(p, j))) {
            ipsim__opt_post_free(op);
            ipsim_set_error(err, errlen, "%s: out of memory", path);
            return IPSIM_ERR_NOMEM;
        }
    }
    /* every parameter must apply to the base scenario */
    char *json = ipsim_scenario_to_json(op->base);
    ipsim_scenario *sc = NULL;
    char why[SET_TEXT] = "";
    if (!json) {
        st = IPSIM_ERR_NOMEM;
        ipsim_set_error(err, errlen, "%s: out of memory", path);
    } else if ((st = ipsim_scenario_load_buffer(json, strlen(json), op->origin, &sc, why, sizeof why)) !=
               IPSIM_OK) {
        ipsim_set_error(err, errlen, "%s: the base scenario: %s", path, why);
    }
    free(json);
    for (int i = 0; st == IPSIM_OK && op->post_sets[0][i]; i++)
        if ((st = ipsim_scenario_set(sc, op->post_sets[0][i], why, sizeof why)) != IPSIM_OK) {
            ipsim_set_error(err, errlen,
                            "%s: /posterior/parameter[%d]: \"%s\" does not apply to the base scenario: %s",
                            path, i, p->param[i], why);
            st = st == IPSIM_ERR_USAGE ? IPSIM_ERR_DATA : st;
        }
    ipsim_scenario_destroy(sc);
    if (st != IPSIM_OK)
        ipsim__opt_post_free(op);
    return st;
}
