/*
 * model.c - one realisation of a scenario: creation, destruction and access.
 *
 * ipsim_model_create sizes the population and the day tables, builds the
 * calendar, tabulates the interventions (ODD 5, 7.1, 7.2) and sets the
 * platform's initial state; ipsim_model_destroy frees it all. The daily step
 * is in step.c (ODD 3), the agents' fused pass in kernel.c, each submodel in
 * its own file (state.h lists them in the ODD's order).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "model/state.h"

void ipsim_run_options_init(ipsim_run_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

static void logf_(const ipsim_model *m, ipsim_log_level lvl, const char *msg)
{
    if (m->opt.log)
        m->opt.log(m->opt.log_userdata, lvl, msg);
}

/* Longest lead time plus longest trip: how far beyond the last recorded day
 * the tables must reach. */
static int horizon_days(const sc_data *sc)
{
    const sc_decision *d = &sc->parameters.decision;
    double far = 0;
    for (int i = 0; i < sc->n_markets; i++)
        far = fmax(far, sc->markets[i].distance_km);
    double lead = d->lead_days_base + d->lead_days_per_1000km * far / 1000.0;
    return (int)ceil(lead) + MAX_TRIP_NIGHTS + 2;
}

static double effective_scale(const ipsim_scenario *sc, const ipsim_run_options *opt)
{
    return opt && opt->scale > 0 ? opt->scale : ipsim_scenario_data(sc)->simulation.scale;
}

double ipsim_model_memory_estimate(const ipsim_scenario *sc, const ipsim_run_options *opt)
{
    const sc_data *d = ipsim_scenario_data(sc);
    double scale = effective_scale(sc, opt), agents = 0;
    for (int i = 0; i < d->n_markets; i++)
        agents += d->markets[i].population * d->markets[i].adult_share / scale;
    int days = opt && opt->days > 0 ? opt->days : d->simulation.days;
    double ext = days + d->simulation.warmup_days + horizon_days(d);
    double tables = ext * (d->destination.n_assets * (sizeof(asset_day) + 40.0) + sizeof(dest_day) +
                           8.0 * d->n_markets * 8.0 + 9.0 * d->n_markets /* market calendars */) +
                    (double)MET_COUNT * days * d->n_markets * 2 * 8.0 +
                    (d->n_schedule > 0 ? (double)sizeof(sc_data) : 0); /* schedule.c's copy */
    return agents * (ipsim__population_bytes_per_agent() + ipsim__agenda_bytes_per_agent() +
                     2.0 * sizeof(uint32_t) / 8.0) + /* calendar lists, about */
           tables;
}

static int alloc_tables(ipsim_model *m)
{
    size_t ext = (size_t)m->n_days_ext;
    m->asset_days = calloc(ext * (size_t)m->n_assets, sizeof(asset_day));
    m->dest_days = calloc(ext, sizeof(dest_day));
    m->paid_cell = calloc(ext * (size_t)m->n_cells, sizeof(double));
    m->paid_bought = calloc(ext * (size_t)m->n_cells, sizeof(double));
    m->spark_cell = calloc(ext * (size_t)m->n_cells, sizeof(double));
    m->spark_signal = calloc(ext * (size_t)m->n_cells, sizeof(double));
    m->cells = calloc((size_t)m->n_cells, sizeof(cell_day));
    m->occupancy = calloc(ext * (size_t)m->n_assets, sizeof(int64_t));
    m->occ_expect = calloc(ext * (size_t)m->n_assets, sizeof(int64_t));
    m->confirmed = calloc(ext * (size_t)m->n_assets, sizeof(double));
    m->accept = calloc(ext * (size_t)m->n_assets, sizeof(double));
    m->day_load = calloc(ext * (size_t)m->n_assets, sizeof(double));
    m->pf.post_stock = calloc((size_t)m->n_markets, sizeof(double));
    m->pf.post_signal = calloc((size_t)m->n_markets, sizeof(double));
    m->pf.wom_stock = calloc((size_t)m->n_markets, sizeof(double));
    m->pf.wom_signal = calloc((size_t)m->n_markets, sizeof(double));
    m->pf.fatigue = calloc((size_t)m->n_cells, sizeof(double));
    m->pf.followers = calloc((size_t)m->n_cells, sizeof(double));
    m->res.days = m->days;
    m->res.n_markets = m->n_markets;
    m->res.n_assets = m->n_assets;
    m->res.daily = calloc((size_t)MET_COUNT * m->days * m->n_cells, sizeof(double));
    m->res.asset_daily = calloc((size_t)AMET_COUNT * m->days * m->n_assets, sizeof(double));
    m->res.dest_daily = calloc((size_t)DMET_COUNT * m->days, sizeof(double));
    m->acc = calloc((size_t)m->threads, sizeof(thread_acc));
    if (!m->asset_days || !m->dest_days || !m->paid_cell || !m->paid_bought || !m->spark_cell ||
        !m->spark_signal || !m->cells || !m->occupancy || !m->occ_expect || !m->confirmed ||
        !m->accept || !m->day_load || !m->pf.post_stock || !m->pf.post_signal || !m->pf.wom_stock ||
        !m->pf.wom_signal || !m->pf.fatigue || !m->pf.followers || !m->res.daily || !m->res.asset_daily ||
        !m->res.dest_daily || !m->acc)
        return -1;
    for (int t = 0; t < m->threads; t++) {
        thread_acc *a = &m->acc[t];
        a->cell = calloc((size_t)m->n_cells * ACC_COUNT, sizeof(int64_t));
        a->market_posts = calloc((size_t)m->n_markets * 3, sizeof(int64_t));
        a->market_signal = calloc((size_t)m->n_markets * 3, sizeof(int64_t));
        a->market_returns = calloc((size_t)m->n_markets, sizeof(int64_t));
        a->market_wom_signal = calloc((size_t)m->n_markets, sizeof(int64_t));
        a->delta = calloc((size_t)m->n_cells * CNT_COUNT, sizeof(int64_t));
        if (!a->delta || !a->cell || !a->market_posts || !a->market_signal || !a->market_returns ||
            !a->market_wom_signal)
            return -1;
    }
    return 0;
}

static void free_tables(ipsim_model *m)
{
    free(m->asset_days);
    free(m->dest_days);
    free(m->paid_cell);
    free(m->paid_bought);
    free(m->spark_cell);
    free(m->spark_signal);
    free(m->cells);
    free(m->occupancy);
    free(m->occ_expect);
    free(m->confirmed);
    free(m->accept);
    free(m->day_load);
    ipsim__platform_free(m);
    free(m->res.daily);
    free(m->res.asset_daily);
    free(m->res.dest_daily);
    if (m->acc)
        for (int t = 0; t < m->threads; t++) {
            free(m->acc[t].cell);
            free(m->acc[t].market_posts);
            free(m->acc[t].market_signal);
            free(m->acc[t].market_returns);
            free(m->acc[t].market_wom_signal);
            free(m->acc[t].delta);
        }
    free(m->acc);
}

static int resolve_threads(const ipsim_run_options *opt, const sc_data *sc)
{
    int t = opt->threads > 0 ? opt->threads : sc->simulation.threads;
#ifdef _OPENMP
    if (t <= 0)
        t = omp_get_max_threads();
#else
    t = 1;
#endif
    return t < 1 ? 1 : t;
}

/* The model of sc; own (sc itself, or NULL): the model takes it instead of
 * a copy, and it is destroyed with the model or here on failure. */
static ipsim_status create(const ipsim_scenario *sc, ipsim_scenario *own,
                           const ipsim_run_options *opt_in, ipsim_model **out, char *err,
                           size_t errlen)
{
    ipsim_run_options defaults;
    ipsim_run_options_init(&defaults);
    const ipsim_run_options *opt = opt_in ? opt_in : &defaults;
    *out = NULL;
    if (err && errlen)
        err[0] = 0;
    const sc_data *d = ipsim_scenario_data(sc);
    int days = opt->days > 0 ? opt->days : d->simulation.days;
    if (days > IPSIM_MAX_DAYS) {
        if (err)
            snprintf(err, errlen, "--days %d exceeds the limit of %d days", days, IPSIM_MAX_DAYS);
        ipsim_scenario_destroy(own);
        return IPSIM_ERR_LIMIT;
    }
    double scale = effective_scale(sc, opt);
    if (!(scale >= 1)) {
        if (err)
            snprintf(err, errlen, "scale must be >= 1 person per agent, got %g", scale);
        ipsim_scenario_destroy(own);
        return IPSIM_ERR_USAGE;
    }
    double need = ipsim_model_memory_estimate(sc, opt);
    if (opt->max_memory_bytes > 0 && need > opt->max_memory_bytes) {
        if (err)
            snprintf(err, errlen,
                     "the run needs about %.0f MiB, over the limit of %.0f MiB; "
                     "raise --max-memory or use a larger --scale",
                     need / 1048576.0, opt->max_memory_bytes / 1048576.0);
        ipsim_scenario_destroy(own);
        return IPSIM_ERR_NOMEM;
    }
    ipsim_model *m = calloc(1, sizeof *m);
    if (!m) {
        ipsim_scenario_destroy(own);
        return IPSIM_ERR_NOMEM;
    }
    m->scenario = own ? own : ipsim_scenario_clone(sc);
    if (!m->scenario) {
        free(m);
        return IPSIM_ERR_NOMEM;
    }
    m->sc = ipsim_scenario_data(m->scenario);
    m->opt = *opt;
    m->seed = opt->seed_set ? opt->seed : m->sc->simulation.seed;
    rng_init(&m->rng, m->seed, opt->replicate);
    m->scale = scale;
    m->days = days;
    m->warmup = m->sc->simulation.warmup_days;
    m->horizon = horizon_days(m->sc);
    m->n_days_ext = m->warmup + days + m->horizon;
    m->n_markets = m->sc->n_markets;
    m->n_cells = m->n_markets * IPSIM_N_SEGMENTS;
    m->n_assets = m->sc->destination.n_assets;
    m->threads = resolve_threads(opt, m->sc);
    m->sal_decay = (float)pow(0.5, 1.0 / m->sc->parameters.exposure.adstock_half_life_days);
    m->post_decay = pow(0.5, 1.0 / m->sc->platform.post_half_life_days);
    for (int n = 0; n <= MAX_IMPRESSIONS; n++)
        m->att_keep[n] = pow(1 - m->sc->parameters.exposure.attitude_learning_rate, n);

    if (ipsim__schedule_create(m) != 0) {
        ipsim_model_destroy(m);
        return IPSIM_ERR_NOMEM;
    }
    int rc = ipsim__population_create(m);
    if (rc == -2) {
        if (err)
            snprintf(err, errlen,
                     "a market segment would need more than 2^32 agents; use a larger --scale");
        ipsim_model_destroy(m);
        return IPSIM_ERR_LIMIT;
    }
    if (rc != 0 || alloc_tables(m) != 0 || ipsim__agenda_create(m) != 0 ||
        ipsim__calendar_build(&m->cal, m->sc, m->warmup, days, m->n_days_ext,
                              &m->sc->parameters.decision) != 0) {
        ipsim_model_destroy(m);
        if (err)
            snprintf(err, errlen, "out of memory creating the model (about %.0f MiB needed)",
                     need / 1048576.0);
        return IPSIM_ERR_NOMEM;
    }
    ipsim__interventions_tabulate(m);
    ipsim__platform_init(m);
    char msg[160];
    snprintf(msg, sizeof msg, "%llu agents at scale %g, %d days (+%d warm-up), %d threads",
             (unsigned long long)m->n_agents, m->scale, days, m->warmup, m->threads);
    logf_(m, IPSIM_LOG_INFO, msg);
    ipsim__resolution_warn(m);
    *out = m;
    return IPSIM_OK;
}

ipsim_status ipsim_model_create(const ipsim_scenario *sc, const ipsim_run_options *opt,
                                ipsim_model **out, char *err, size_t errlen)
{
    return create(sc, NULL, opt, out, err, errlen);
}

ipsim_status ipsim__model_create_owned(ipsim_scenario *sc, const ipsim_run_options *opt,
                                       ipsim_model **out, char *err, size_t errlen)
{
    return create(sc, sc, opt, out, err, errlen);
}

int ipsim_model_days_done(const ipsim_model *m)
{
    int d = m->tau - m->warmup;
    return d < 0 ? 0 : d;
}
int ipsim_model_days_total(const ipsim_model *m)
{
    return m->days;
}
uint64_t ipsim_model_agent_count(const ipsim_model *m)
{
    return m->n_agents;
}
double ipsim_model_scale(const ipsim_model *m)
{
    return m->scale;
}
uint64_t ipsim_model_seed(const ipsim_model *m)
{
    return m->seed;
}
double ipsim_model_bytes_per_agent(const ipsim_model *m)
{
    (void)m;
    return ipsim__population_bytes_per_agent() + ipsim__agenda_bytes_per_agent();
}
uint64_t ipsim_model_active_agents(const ipsim_model *m)
{
    return m->ev.active;
}
const ipsim_results *ipsim_model_results(const ipsim_model *m)
{
    return &m->res;
}
const ipsim_scenario *ipsim_model_scenario(const ipsim_model *m)
{
    return m->scenario;
}
const uint32_t *ipsim_model_cell_agents(const ipsim_model *m)
{
    return m->cell_n;
}
uint32_t ipsim_model_replicate(const ipsim_model *m)
{
    return m->opt.replicate;
}
double ipsim_model_wall_seconds(const ipsim_model *m)
{
    return m->wall_seconds;
}
double ipsim_model_agent_days(const ipsim_model *m)
{
    return (double)m->n_agents * m->tau;
}

ipsim_status ipsim_model_daily(const ipsim_model *m, const char *metric, const double **data,
                               int *n_markets)
{
    for (int k = 0; k < MET_COUNT; k++)
        if (strcmp(ipsim_metric_table[k].name, metric) == 0) {
            *data = results_daily(&m->res, k);
            *n_markets = m->n_markets;
            return IPSIM_OK;
        }
    return IPSIM_ERR_USAGE;
}

void ipsim_model_destroy(ipsim_model *m)
{
    if (!m)
        return;
    ipsim__agenda_free(m);
    ipsim__population_free(m);
    ipsim__calendar_free(&m->cal);
    free_tables(m);
    ipsim__schedule_free(m);
    ipsim_scenario_destroy(m->scenario);
    free(m);
}
