/*
 * run_data.c - the results of a run file (see run_write.h): /daily,
 * /summary (each metric reduced over the days), /asset_daily,
 * /destination_daily, /interventions and /cells.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "io/h5util.h"
#include "io/run_write.h"

/* ---- daily, summary, assets, destination -------------------------------- */

int ipsim__rw_daily(run_writer *w)
{
    hid_t g = ipsim__rw_group(w, "/daily");
    if (g < 0)
        return -1;
    const ipsim_results *r = w->r;
    hsize_t dims[3] = {(hsize_t)r->days, (hsize_t)r->n_markets, IPSIM_N_SEGMENTS};
    hid_t scale[3] = {w->scale[SC_DAY], w->scale[SC_MARKET], w->scale[SC_SEGMENT]};
    int rc = 0;
    for (int k = 0; k < MET_COUNT && rc == 0; k++) {
        const ipsim_metric_info *mi = &ipsim_metric_table[k];
        int flags = DS_CHUNKED | (k == MET_SATISFACTION_MEAN ? DS_FILL_NAN : 0);
        rc = ipsim__rw_variable(w, g, mi->name, 3, dims, scale, results_daily(r, k), flags, mi->units,
                                mi->long_name);
    }
    return ipsim__rw_group_close(w, g) < 0 ? -1 : rc;
}

typedef enum { RED_SUM, RED_LAST, RED_WEIGHTED } reduction;

/* How /summary reduces a metric over the days. */
static reduction metric_reduction(int metric)
{
    switch (metric) {
    case MET_AWARE:
    case MET_CONSIDERING:
    case MET_BOOKED:
    case MET_VISITORS_ON_SITE:
    case MET_OFFICIAL_FOLLOWERS: return RED_LAST;
    case MET_SATISFACTION_MEAN: return RED_WEIGHTED;
    default: return RED_SUM;
    }
}

static const char *reduction_phrase(reduction red)
{
    return red == RED_LAST       ? "value on the last day"
           : red == RED_WEIGHTED ? "mean over the run weighted by departures"
                                 : "total over the run";
}

/* out[market][segment] = the reduction of the metric over the days. */
static void reduce_metric(const ipsim_results *r, int metric, double *out)
{
    size_t cells = (size_t)r->n_markets * IPSIM_N_SEGMENTS;
    const double *d = results_daily(r, metric);
    const double *dep = results_daily(r, MET_DEPARTURES);
    reduction red = metric_reduction(metric);
    for (size_t c = 0; c < cells; c++) {
        double sum = 0.0, wsum = 0.0;
        for (int day = 0; day < r->days; day++) {
            size_t i = (size_t)day * cells + c;
            if (red == RED_SUM) {
                sum += d[i];
            } else if (red == RED_WEIGHTED && isfinite(d[i]) && dep[i] > 0) {
                sum += d[i] * dep[i];
                wsum += dep[i];
            }
        }
        if (red == RED_LAST)
            out[c] = r->days > 0 ? d[(size_t)(r->days - 1) * cells + c] : NAN;
        else
            out[c] = red == RED_WEIGHTED ? (wsum > 0 ? sum / wsum : NAN) : sum;
    }
}

static int write_summary_metric(run_writer *w, hid_t g, int k, double *buf)
{
    const ipsim_metric_info *mi = &ipsim_metric_table[k];
    hsize_t dims[2] = {(hsize_t)w->r->n_markets, IPSIM_N_SEGMENTS};
    hid_t scale[2] = {w->scale[SC_MARKET], w->scale[SC_SEGMENT]};
    reduction red = metric_reduction(k);
    char long_name[256];
    snprintf(long_name, sizeof long_name, "%s, %s", mi->long_name, reduction_phrase(red));
    reduce_metric(w->r, k, buf);
    int flags = red == RED_WEIGHTED ? DS_FILL_NAN : 0;
    if (ipsim__rw_variable(w, g, mi->name, 2, dims, scale, buf, flags, mi->units, long_name) < 0)
        return -1;
    hid_t ds = H5Dopen2(g, mi->name, H5P_DEFAULT);
    const char *how = red == RED_LAST ? "last" : red == RED_WEIGHTED ? "weighted_mean" : "sum";
    int rc = ds >= 0 && ipsim_h5_attr_str(ds, "reduction_over_days", how) >= 0
                 ? 0
                 : ipsim__rw_fail(w, mi->name);
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0)
        rc = ipsim__rw_fail(w, mi->name);
    return rc;
}

int ipsim__rw_summary(run_writer *w)
{
    double *buf = malloc((size_t)w->r->n_markets * IPSIM_N_SEGMENTS * sizeof *buf);
    if (!buf)
        return ipsim__rw_fail_nomem(w, "summary");
    hid_t g = ipsim__rw_group(w, "/summary");
    int rc = g < 0 ? -1 : 0;
    for (int k = 0; k < MET_COUNT && rc == 0; k++)
        rc = write_summary_metric(w, g, k, buf);
    free(buf);
    if (g >= 0 && ipsim__rw_group_close(w, g) < 0)
        rc = -1;
    return rc;
}

int ipsim__rw_asset_daily(run_writer *w)
{
    hid_t g = ipsim__rw_group(w, "/asset_daily");
    if (g < 0)
        return -1;
    hsize_t dims[2] = {(hsize_t)w->r->days, (hsize_t)w->r->n_assets};
    hid_t scale[2] = {w->scale[SC_DAY], w->scale[SC_ASSET]};
    int rc = 0;
    for (int k = 0; k < AMET_COUNT && rc == 0; k++) {
        const ipsim_metric_info *mi = &ipsim_asset_metric_table[k];
        rc = ipsim__rw_variable(w, g, mi->name, 2, dims, scale, results_asset(w->r, k), DS_CHUNKED,
                                mi->units, mi->long_name);
    }
    return ipsim__rw_group_close(w, g) < 0 ? -1 : rc;
}

int ipsim__rw_dest_daily(run_writer *w)
{
    hid_t g = ipsim__rw_group(w, "/destination_daily");
    if (g < 0)
        return -1;
    hsize_t dims[1] = {(hsize_t)w->r->days};
    hid_t scale[1] = {w->scale[SC_DAY]};
    int rc = 0;
    for (int k = 0; k < DMET_COUNT && rc == 0; k++) {
        const ipsim_metric_info *mi = &ipsim_dest_metric_table[k];
        rc = ipsim__rw_variable(w, g, mi->name, 1, dims, scale, results_dest(w->r, k), DS_CHUNKED,
                                mi->units, mi->long_name);
    }
    return ipsim__rw_group_close(w, g) < 0 ? -1 : rc;
}

/* ---- interventions and cells -------------------------------------------- */

/* One string column of /interventions on the intervention scale. */
static int write_text_column(run_writer *w, hid_t g, hid_t scale, const char *name, hsize_t n,
                             const char *const *v, const char *long_name)
{
    hid_t ds = ipsim__rw_strings(w, g, name, n, v);
    if (ds < 0)
        return -1;
    int rc = ipsim__rw_attach_scales(w, ds, 1, &scale, name);
    if (rc == 0 && ipsim_h5_attr_str(ds, "long_name", long_name) < 0)
        rc = ipsim__rw_fail(w, name);
    if (H5Dclose(ds) < 0 && rc == 0)
        rc = ipsim__rw_fail(w, name);
    return rc;
}

static int write_intervention_columns(run_writer *w, hid_t g, hid_t scale)
{
    const sc_data *sc = w->sc;
    int n = sc->n_interventions;
    const char *name[IPSIM_MAX_INTERVENTIONS], *mech[IPSIM_MAX_INTERVENTIONS];
    const char *start[IPSIM_MAX_INTERVENTIONS], *end[IPSIM_MAX_INTERVENTIONS];
    char dates[2][IPSIM_MAX_INTERVENTIONS][16];
    double cost[IPSIM_MAX_INTERVENTIONS];
    for (int i = 0; i < n; i++) {
        const sc_intervention *iv = &sc->interventions[i];
        name[i] = iv->name;
        mech[i] = ipsim_mechanism_names[iv->mechanism];
        ipsim_date_format(iv->start, dates[0][i]);
        ipsim_date_format(iv->end, dates[1][i]);
        start[i] = dates[0][i];
        end[i] = dates[1][i];
        cost[i] = iv->cost_cny;
    }
    hsize_t dim = (hsize_t)n;
    if (write_text_column(w, g, scale, "name", dim, name, "intervention name") < 0 ||
        write_text_column(w, g, scale, "mechanism", dim, mech, "mechanism (promotion or A-F)") < 0 ||
        write_text_column(w, g, scale, "start", dim, start, "first day (ISO 8601)") < 0 ||
        write_text_column(w, g, scale, "end", dim, end, "last day, inclusive (ISO 8601)") < 0)
        return -1;
    return ipsim__rw_variable(w, g, "cost_cny", 1, &dim, &scale, cost, 0, "CNY",
                              "cost of the intervention (media budget for campaigns)");
}

int ipsim__rw_interventions(run_writer *w)
{
    const sc_data *sc = w->sc;
    hid_t g = ipsim__rw_group(w, "/interventions");
    if (g < 0)
        return -1;
    const char *names[IPSIM_MAX_INTERVENTIONS];
    for (int i = 0; i < sc->n_interventions; i++)
        names[i] = sc->interventions[i].name;
    hid_t scale = ipsim__rw_strings(w, g, "intervention", (hsize_t)sc->n_interventions, names);
    int rc = scale < 0 ? -1 : 0;
    if (rc == 0 && (H5DSset_scale(scale, "intervention") < 0 ||
                    ipsim_h5_attr_str(scale, "long_name", "intervention") < 0))
        rc = ipsim__rw_fail(w, "intervention");
    if (rc == 0)
        rc = write_intervention_columns(w, g, scale);
    if (scale >= 0 && H5Dclose(scale) < 0 && rc == 0)
        rc = ipsim__rw_fail(w, "intervention");
    return ipsim__rw_group_close(w, g) < 0 ? -1 : rc;
}

int ipsim__rw_cells(run_writer *w)
{
    size_t cells = (size_t)w->r->n_markets * IPSIM_N_SEGMENTS;
    const uint32_t *agents = ipsim_model_cell_agents(w->m);
    double *people = malloc(cells * sizeof *people);
    if (!people)
        return ipsim__rw_fail_nomem(w, "cells");
    double scale_pp = ipsim_model_scale(w->m);
    for (size_t c = 0; c < cells; c++)
        people[c] = agents[c] * scale_pp;
    hid_t g = ipsim__rw_group(w, "/cells");
    hsize_t dims[2] = {(hsize_t)w->r->n_markets, IPSIM_N_SEGMENTS};
    hid_t scale[2] = {w->scale[SC_MARKET], w->scale[SC_SEGMENT]};
    int rc = g < 0 ? -1 : 0;
    hid_t ds = rc == 0 ? ipsim__rw_dataset(w, g, "agents", H5T_NATIVE_UINT32, 2, dims, agents, 0) : -1;
    if (rc == 0 && (ds < 0 || ipsim__rw_attach_scales(w, ds, 2, scale, "agents") < 0 ||
                    ipsim__rw_attr_info(ds, "1", "agents per cell") < 0))
        rc = ipsim__rw_fail(w, "agents");
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0)
        rc = ipsim__rw_fail(w, "agents");
    if (rc == 0)
        rc = ipsim__rw_variable(w, g, "people", 2, dims, scale, people, 0, "1",
                                "people per cell (agents x scale)");
    free(people);
    if (g >= 0 && ipsim__rw_group_close(w, g) < 0)
        rc = -1;
    return rc;
}
