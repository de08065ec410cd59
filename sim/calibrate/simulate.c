/*
 * simulate.c - one particle of a calibration: the scenario with the
 * particle's parameter values set (ipsim_scenario_set, as --set does), one
 * single-threaded model run per replicate, the targets' values averaged
 * over the replicates, and their distance to the observations.
 *
 * Replicate seeds: with common random numbers (the default) every particle
 * of generation g runs replicates g*R .. g*R+R-1 of the seed, so particles
 * compared within a generation differ by their parameters, not by noise;
 * without, each proposal gets replicates of its own, drawn from its stream.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "calibrate/cal.h"
#include "json/json_path.h"

#define SET_MAX 1200
#define NUM_LEN 40
#define STREAM_REPLICATES 0x80000000u /* attempt bit of the replicate-seed stream */

double ipsim__cal_distance(const ipsim_calibration *c, const double *values)
{
    double s = 0.0;
    for (int t = 0; t < c->n_targets; t++) {
        double z = (values[t] - c->targets[t].value) / c->targets[t].sd;
        if (!isfinite(z))
            return INFINITY;
        s += z * z;
    }
    return sqrt(s);
}

static int poll_stop(void *userdata, int day_done, int days_total)
{
    (void)day_done;
    (void)days_total;
    return *(volatile int *)userdata;
}

ipsim_status ipsim__cal_simulate(const ipsim_calibration *c, const double *theta, int g, int i, int a,
                                 uint64_t seed, volatile int *stop, double *values, double *distance,
                                 char *why, size_t whylen)
{
    char set[SET_MAX], num[NUM_LEN];
    ipsim_status st = IPSIM_OK;
    ipsim_scenario *sc = ipsim_scenario_clone(c->base);
    if (!sc) {
        ipsim_set_error(why, whylen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    for (int k = 0; k < c->n_params && st == IPSIM_OK; k++) {
        ipsim_json_number_text(theta[k], num, sizeof num);
        snprintf(set, sizeof set, "%s=%s", c->params[k].path, num);
        st = ipsim_scenario_set(sc, set, why, whylen);
    }
    if (st != IPSIM_OK) {
        ipsim_scenario_destroy(sc);
        return st == IPSIM_ERR_NOMEM ? st : IPSIM_ERR_DATA;
    }
    for (int t = 0; t < c->n_targets; t++)
        values[t] = 0.0;
    cal_stream rs;
    ipsim__cal_stream_init(&rs, seed, (uint32_t)i, (uint32_t)a | STREAM_REPLICATES, (uint32_t)g);
    int R = c->alg.replicates;
    for (int r = 0; r < R && st == IPSIM_OK; r++) {
        ipsim_run_options opt;
        ipsim_model *m = NULL;
        ipsim_run_options_init(&opt);
        opt.seed_set = 1;
        opt.seed = seed;
        opt.replicate = c->alg.crn ? (uint32_t)(g * R + r) : ipsim__cal_stream_word(&rs);
        opt.threads = 1;
        opt.scale = c->scale;
        st = ipsim_model_create(sc, &opt, &m, why, whylen);
        if (st == IPSIM_OK)
            st = ipsim_model_run(m, poll_stop, (void *)stop);
        for (int t = 0; st == IPSIM_OK && t < c->n_targets; t++)
            values[t] += ipsim__cal_target_value(&c->targets[t], m) / R;
        ipsim_model_destroy(m);
    }
    ipsim_scenario_destroy(sc);
    if (st == IPSIM_OK)
        *distance = ipsim__cal_distance(c, values);
    return st;
}
