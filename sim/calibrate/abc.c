/*
 * abc.c - the ABC-SMC of a calibration (ipsim_calibrate_run), after
 * Beaumont, Cornuet, Marin and Robert (2009) with the adaptive tolerance of
 * Del Moral, Doucet and Jasra (2012):
 *
 *   generation 0: N particles drawn from the prior, all accepted
 *                 (tolerance infinite), weights 1/N;
 *   generation g: tolerance eps_g = the weighted alpha-quantile of the
 *                 distances of generation g-1; particle slot i proposes
 *                 theta* = theta_j + L z (j drawn by the weights of g-1, z
 *                 standard normal, L L' = 2 x the weighted covariance of
 *                 g-1, GSL's Cholesky), rejects it outside the prior's
 *                 support, simulates it and accepts it when its distance is
 *                 <= eps_g, else proposes again; the accepted particle gets
 *                 the weight prior(theta) / sum_j w_j K(theta | theta_j).
 *
 * Stopping rule, checked after each generation: the most generations; an
 * acceptance rate below min_acceptance; a tolerance that would fall by less
 * than min_tolerance_change (relative); a tolerance at or below
 * min_tolerance; and a slot that finds no particle within max_attempts
 * proposals (that generation is dropped). The effective sample size
 * 1 / sum w^2 is recorded per generation.
 *
 * Determinism: the draws of attempt a of slot i in generation g come from a
 * Philox stream keyed by (seed, i, a, g) and each model runs on one
 * thread, so the slots run in parallel (OpenMP, dynamic schedule) and the
 * result is the same at any thread count. Each finished generation is
 * appended to OUT.journal; a resumed run reads them back and continues
 * exactly where the killed one was. GSL's error handler is switched off
 * for the duration of the call (restored after), as HDF5's printing is.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <omp.h>
#include <stdarg.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "base/textbuf.h"
#include "calibrate/cal.h"

#define JITTER_TRIES 12
#define JITTER_START 1e-10 /* relative to the mean variance */
#define REASON_LEN 160

typedef struct {
    const ipsim_calibration *c;
    const ipsim_calibrate_options *o;
    uint64_t seed;
    volatile int stop;
    int N, P, T;
    int threads;
    int rank, size; /* MPI: slot i runs on rank i mod size (mpi_share.c) */
} abc_run;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ipsim_calibrate_options_init(ipsim_calibrate_options *o)
{
    memset(o, 0, sizeof *o);
}

int ipsim__cal_generation_alloc(cal_generation *gen, int N, int P, int T)
{
    memset(gen, 0, sizeof *gen);
    gen->theta = calloc((size_t)N * (size_t)P, sizeof(double));
    gen->weight = calloc((size_t)N, sizeof(double));
    gen->distance = calloc((size_t)N, sizeof(double));
    gen->values = calloc((size_t)N * (size_t)(T > 0 ? T : 1), sizeof(double));
    if (!gen->theta || !gen->weight || !gen->distance || !gen->values) {
        ipsim__cal_generation_free(gen);
        return -1;
    }
    return 0;
}

void ipsim__cal_generation_free(cal_generation *gen)
{
    free(gen->theta);
    free(gen->weight);
    free(gen->distance);
    free(gen->values);
    memset(gen, 0, sizeof *gen);
}

static void say(const abc_run *r, ipsim_log_level lv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(const abc_run *r, ipsim_log_level lv, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (!r->o->log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->o->log(r->o->log_userdata, lv, msg);
}

/* ---- statistics of a population ------------------------------------------ */

typedef struct {
    double d, w;
} dw_pair;

static int by_distance(const void *a, const void *b)
{
    double x = ((const dw_pair *)a)->d, y = ((const dw_pair *)b)->d;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Weighted alpha-quantile of the distances: the smallest d with at least
 * alpha of the weight at or below it. */
static double weighted_quantile(const cal_generation *gen, int N, double alpha)
{
    dw_pair *v = malloc((size_t)N * sizeof *v);
    double cum = 0.0, q = INFINITY;
    if (!v)
        return NAN;
    for (int i = 0; i < N; i++) {
        v[i].d = gen->distance[i];
        v[i].w = gen->weight[i];
    }
    qsort(v, (size_t)N, sizeof *v, by_distance);
    for (int i = 0; i < N; i++) {
        cum += v[i].w;
        if (cum >= alpha * (1.0 - 1e-12)) {
            q = v[i].d;
            break;
        }
    }
    free(v);
    return q;
}

/* L (P x P, row-major, lower) with L L' = 2 x the weighted covariance of
 * gen, jittered on the diagonal until positive definite. -1 if it never is. */
static int kernel_factor(const cal_generation *gen, int N, int P, double *L)
{
    double *mu = calloc((size_t)P, sizeof *mu);
    gsl_matrix *A = gsl_matrix_alloc((size_t)P, (size_t)P);
    int ok = -1;
    if (!mu || !A)
        goto done;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < P; k++)
            mu[k] += gen->weight[i] * gen->theta[(size_t)i * P + k];
    double trace = 0.0;
    for (int k = 0; k < P; k++)
        for (int l = 0; l < P; l++) {
            double s = 0.0;
            for (int i = 0; i < N; i++)
                s += gen->weight[i] * (gen->theta[(size_t)i * P + k] - mu[k]) *
                     (gen->theta[(size_t)i * P + l] - mu[l]);
            L[k * P + l] = 2.0 * s;
            if (k == l)
                trace += 2.0 * s;
        }
    double base = trace / P > 0 ? trace / P : 1.0, jitter = 0.0;
    for (int t = 0; t < JITTER_TRIES && ok != 0; t++) {
        for (int k = 0; k < P; k++)
            for (int l = 0; l < P; l++)
                gsl_matrix_set(A, (size_t)k, (size_t)l, L[k * P + l] + (k == l ? jitter : 0.0));
        if (gsl_linalg_cholesky_decomp1(A) == GSL_SUCCESS)
            ok = 0;
        jitter = jitter > 0 ? jitter * 100.0 : JITTER_START * base;
    }
    if (ok == 0)
        for (int k = 0; k < P; k++)
            for (int l = 0; l < P; l++)
                L[k * P + l] = l <= k ? gsl_matrix_get(A, (size_t)k, (size_t)l) : 0.0;
done:
    free(mu);
    if (A)
        gsl_matrix_free(A);
    return ok;
}

/* |L^-1 x|^2 by forward substitution. */
static double mahalanobis2(const double *L, int P, const double *x, double *y)
{
    double s = 0.0;
    for (int k = 0; k < P; k++) {
        double v = x[k];
        for (int l = 0; l < k; l++)
            v -= L[k * P + l] * y[l];
        y[k] = v / L[k * P + k];
        s += y[k] * y[k];
    }
    return s;
}

static double prior_density(const ipsim_calibration *c, const double *theta)
{
    double p = 1.0;
    for (int k = 0; k < c->n_params; k++)
        p *= ipsim__cal_prior_pdf(&c->params[k].prior, theta[k]);
    return p;
}

/* ---- one generation ---------------------------------------------------- */

typedef struct {
    const cal_generation *prev; /* NULL: generation 0 */
    const double *L;            /* kernel factor */
    const double *cum;          /* cumulative weights of prev */
    double eps;
    int g;
    int done;
    long sims;
    int capped;
    ipsim_status hard;
    char why[512];
    double t0;
} gen_state;

/* Propose attempt a of slot i into theta; 0 if inside the prior support. */
static int propose(const abc_run *r, const gen_state *s, int i, int a, double *theta)
{
    const ipsim_calibration *c = r->c;
    cal_stream st;
    ipsim__cal_stream_init(&st, r->seed, (uint32_t)i, (uint32_t)a, (uint32_t)s->g);
    if (!s->prev) {
        for (int k = 0; k < r->P; k++)
            theta[k] = ipsim__cal_prior_quantile(&c->params[k].prior, ipsim__cal_stream_u01(&st));
        return prior_density(c, theta) > 0 ? 0 : -1;
    }
    double u = ipsim__cal_stream_u01(&st);
    int lo = 0, hi = r->N - 1;
    while (lo < hi) { /* first j with cum[j] >= u */
        int mid = (lo + hi) / 2;
        if (s->cum[mid] >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    double z[CAL_MAX_PARAMS];
    for (int k = 0; k < r->P; k++)
        z[k] = ipsim__cal_stream_normal(&st);
    for (int k = 0; k < r->P; k++) {
        double v = s->prev->theta[(size_t)lo * r->P + k];
        for (int l = 0; l <= k; l++)
            v += s->L[k * r->P + l] * z[l];
        theta[k] = v;
    }
    return prior_density(c, theta) > 0 ? 0 : -1;
}

static void report(abc_run *r, gen_state *s, cal_generation *out)
{
    if (!r->o->progress)
        return;
    ipsim_calibrate_progress p = {s->g,           r->c->alg.generations, s->done, r->N, s->sims,
                                  out->tolerance, now_seconds() - s->t0};
    if (r->o->progress(r->o->userdata, &p))
        r->stop = 1;
}

/* Fill slot i of out; returns the simulations it took. */
static long run_slot(abc_run *r, gen_state *s, int i, cal_generation *out)
{
    const ipsim_calibration *c = r->c;
    double theta[CAL_MAX_PARAMS], dist = INFINITY;
    double *vals = out->values + (size_t)i * r->T;
    char why[512];
    long sims = 0;
    for (long a = 0; !r->stop; a++) {
        if (a >= c->alg.max_attempts) {
#pragma omp atomic write
            s->capped = 1;
            r->stop = 1;
            break;
        }
        if (propose(r, s, i, (int)a, theta) != 0)
            continue;
        ipsim_status st = ipsim__cal_simulate(c, theta, s->g, i, (int)a, r->seed, &r->stop, vals,
                                              &dist, why, sizeof why);
        if (st == IPSIM_ERR_DATA) /* the scenario refuses theta: like outside the prior */
            continue;
        if (st == IPSIM_ERR_INTERRUPTED)
            break;
        if (st != IPSIM_OK) {
#pragma omp critical
            if (s->hard == IPSIM_OK) {
                s->hard = st;
                snprintf(s->why, sizeof s->why, "%s", why);
            }
            r->stop = 1;
            break;
        }
        sims++;
        if (!s->prev || dist <= s->eps) {
            memcpy(out->theta + (size_t)i * r->P, theta, (size_t)r->P * sizeof(double));
            out->distance[i] = dist;
#pragma omp critical
            {
                s->done++;
                s->sims += sims;
                report(r, s, out);
            }
            return sims;
        }
    }
#pragma omp critical
    s->sims += sims;
    return sims;
}

/* Importance weights of out (normalised), its ESS. */
static void weigh(const abc_run *r, const gen_state *s, cal_generation *out)
{
    int N = r->N, P = r->P;
    double total = 0.0;
    if (!s->prev) {
        for (int i = 0; i < N; i++)
            out->weight[i] = 1.0 / N;
    } else {
#pragma omp parallel for schedule(static) num_threads(r->threads)
        for (int i = 0; i < N; i++) {
            double x[CAL_MAX_PARAMS], y[CAL_MAX_PARAMS], den = 0.0;
            for (int j = 0; j < N; j++) {
                for (int k = 0; k < P; k++)
                    x[k] = out->theta[(size_t)i * P + k] - s->prev->theta[(size_t)j * P + k];
                den += s->prev->weight[j] * exp(-0.5 * mahalanobis2(s->L, P, x, y));
            }
            out->weight[i] = den > 0 ? prior_density(r->c, out->theta + (size_t)i * P) / den : 0.0;
        }
    }
    for (int i = 0; i < N; i++)
        total += out->weight[i];
    for (int i = 0; i < N; i++)
        out->weight[i] = total > 0 ? out->weight[i] / total : 1.0 / N;
    double s2 = 0.0;
    for (int i = 0; i < N; i++)
        s2 += out->weight[i] * out->weight[i];
    out->ess = 1.0 / s2;
}

/* Run generation s->g into out (allocated). IPSIM_ERR_LIMIT when a slot
 * found no particle within max_attempts proposals. */
static ipsim_status run_generation(abc_run *r, gen_state *s, cal_generation *out, char *err,
                                   size_t errlen)
{
    int N = r->N;
    out->g = s->g;
    out->tolerance = s->prev ? s->eps : INFINITY;
    s->t0 = now_seconds();
    s->hard = IPSIM_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->threads)
    for (int i = 0; i < N; i++)
        if (!r->stop && i % r->size == r->rank)
            run_slot(r, s, i, out);
    if (r->size > 1) {
        int hard = (int)s->hard;
        if (ipsim__cal_mpi_share(r->rank, r->size, N, r->P, r->T, out, &s->done, &s->sims,
                                 &s->capped, &hard, &r->stop) != 0) {
            ipsim_set_error(err, errlen, "out of memory");
            return IPSIM_ERR_NOMEM;
        }
        if (hard != IPSIM_OK && s->hard == IPSIM_OK) {
            s->hard = (ipsim_status)hard;
            snprintf(s->why, sizeof s->why, "a simulation failed on another MPI rank");
        }
    }
    out->simulations = s->sims;
    if (s->hard != IPSIM_OK) {
        ipsim_set_error(err, errlen, "%s: generation %d: %s", r->c->origin, s->g, s->why);
        return s->hard;
    }
    if (s->capped) {
        r->stop = 0;
        return IPSIM_ERR_LIMIT;
    }
    if (r->stop || s->done < N)
        return IPSIM_ERR_INTERRUPTED;
    out->acceptance = s->sims > 0 ? (double)N / (double)s->sims : 0.0;
    weigh(r, s, out);
    return IPSIM_OK;
}

/* After n generations: 1 and a reason to stop, else 0 with the next
 * tolerance in *eps. */
static int should_stop(const abc_run *r, const cal_generation *gens, int n, double *eps, char *why,
                       size_t len)
{
    const cal_algorithm *al = &r->c->alg;
    const cal_generation *last = &gens[n - 1];
    if (n >= al->generations) {
        snprintf(why, len, "reached the most generations (%d)", al->generations);
        return 1;
    }
    if (n > 1 && last->acceptance < al->min_acceptance) {
        snprintf(why, len, "acceptance rate %.4g below min_acceptance %g", last->acceptance,
                 al->min_acceptance);
        return 1;
    }
    if (n > 1 && last->tolerance <= al->min_tolerance) {
        snprintf(why, len, "tolerance %.4g at or below min_tolerance %g", last->tolerance,
                 al->min_tolerance);
        return 1;
    }
    *eps = weighted_quantile(last, r->N, al->quantile);
    if (n > 1 && isfinite(last->tolerance) && last->tolerance > 0 &&
        (last->tolerance - *eps) / last->tolerance < al->min_tol_change) {
        snprintf(why, len, "the tolerance would fall by less than %g%% (%.4g to %.4g)",
                 100.0 * al->min_tol_change, last->tolerance, *eps);
        return 1;
    }
    return 0;
}

/* Prepare the kernel of generation g from prev. */
static ipsim_status prepare(abc_run *r, gen_state *s, const cal_generation *prev, double *L,
                            double *cum, char *err, size_t errlen)
{
    if (!prev)
        return IPSIM_OK;
    if (kernel_factor(prev, r->N, r->P, L) != 0) {
        ipsim_set_error(err, errlen,
                        "%s: generation %d: the perturbation kernel's covariance is "
                        "not positive definite",
                        r->c->origin, s->g);
        return IPSIM_ERR_INTERNAL;
    }
    double c = 0.0;
    for (int i = 0; i < r->N; i++)
        cum[i] = (c += prev->weight[i]);
    cum[r->N - 1] = 1.0 + 1e-12;
    s->prev = prev;
    s->L = L;
    s->cum = cum;
    return IPSIM_OK;
}

static void fill_result(ipsim_calibrate_result *res, const cal_generation *gens, int n)
{
    long sims = 0;
    res->generations = n;
    for (int g = 0; g < n; g++)
        sims += gens[g].simulations;
    res->simulations = sims;
    if (n > 0) {
        res->tolerance = gens[n - 1].tolerance;
        res->acceptance_rate = gens[n - 1].acceptance;
        res->ess = gens[n - 1].ess;
    }
}

/* The generations loop, journalled; gens holds n_gens read back. */
static ipsim_status iterate(abc_run *r, cal_journal *j, cal_generation *gens, int *n_gens,
                            char *reason, size_t rlen, char *err, size_t errlen)
{
    int P = r->P;
    double *L = malloc((size_t)P * (size_t)P * sizeof *L), *cum = malloc((size_t)r->N * sizeof *cum);
    ipsim_status st = L && cum ? IPSIM_OK : IPSIM_ERR_NOMEM;
    if (st != IPSIM_OK)
        ipsim_set_error(err, errlen, "out of memory");
    while (st == IPSIM_OK) {
        int n = *n_gens;
        gen_state s;
        memset(&s, 0, sizeof s);
        s.g = n;
        if (n > 0 && should_stop(r, gens, n, &s.eps, reason, rlen))
            break;
        if ((st = prepare(r, &s, n > 0 ? &gens[n - 1] : NULL, L, cum, err, errlen)) != IPSIM_OK)
            break;
        if (ipsim__cal_generation_alloc(&gens[n], r->N, P, r->T) != 0) {
            ipsim_set_error(err, errlen, "out of memory");
            st = IPSIM_ERR_NOMEM;
            break;
        }
        say(r, IPSIM_LOG_INFO, "generation %d: tolerance %.6g", n, n ? s.eps : INFINITY);
        st = run_generation(r, &s, &gens[n], err, errlen);
        if (st == IPSIM_ERR_LIMIT) {
            ipsim__cal_generation_free(&gens[n]);
            snprintf(reason, rlen,
                     "generation %d found no particle within max_attempts (%ld) "
                     "proposals at tolerance %.4g",
                     n, r->c->alg.max_attempts, s.eps);
            st = IPSIM_OK;
            if (n == 0)
                st = IPSIM_ERR_DATA;
            break;
        }
        if (st != IPSIM_OK) {
            ipsim__cal_generation_free(&gens[n]);
            if (st == IPSIM_ERR_INTERRUPTED)
                ipsim_set_error(err, errlen, "interrupted in generation %d", n);
            break;
        }
        if (r->rank == 0)
            st = ipsim__cal_journal_append(j, &gens[n], err, errlen);
        if ((st = (ipsim_status)ipsim__cal_mpi_bcast_int(r->size, (int)st)) != IPSIM_OK) {
            ipsim__cal_generation_free(&gens[n]);
            break;
        }
        *n_gens = n + 1;
        say(r, IPSIM_LOG_INFO, "generation %d: %ld simulations, acceptance %.4g, ESS %.1f", n,
            gens[n].simulations, gens[n].acceptance, gens[n].ess);
    }
    if (st == IPSIM_ERR_DATA && *n_gens == 0)
        ipsim_set_error(err, errlen,
                        "%s: the prior generation found no particle the scenario "
                        "accepts within max_attempts proposals",
                        r->c->origin);
    free(L);
    free(cum);
    return st;
}

static int file_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* The calibration on this rank of a world of size ranks (1: serial). */
static ipsim_status calibrate(const ipsim_calibration *c, const char *out,
                              const ipsim_calibrate_options *o, ipsim_calibrate_result *res,
                              char *err, size_t errlen, int rank, int size)
{
    ipsim_calibrate_options dflt;
    ipsim_calibrate_result local;
    char reason[REASON_LEN] = "", *jpath = NULL;
    cal_journal *j = NULL;
    cal_generation *read = NULL, *gens = NULL;
    int n_read = 0, n_gens = 0;
    ipsim_status st = IPSIM_OK;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (!o) {
        ipsim_calibrate_options_init(&dflt);
        o = &dflt;
    }
    if (!c || !out || !*out) {
        ipsim_set_error(err, errlen, "ipsim_calibrate_run: no calibration or no output path");
        return IPSIM_ERR_USAGE;
    }
    abc_run r = {c,
                 o,
                 o->seed_set ? o->seed : c->alg.seed,
                 0,
                 c->alg.particles,
                 c->n_params,
                 c->n_targets,
                 o->threads > 0 ? o->threads : omp_get_max_threads(),
                 rank,
                 size};
    double t0 = now_seconds();
    if (ipsim__cal_mpi_bcast_int(size, rank == 0 && !o->force && file_exists(out))) {
        ipsim_set_error(err, errlen, "%s: exists; use --force to overwrite it", out);
        return IPSIM_ERR_EXISTS;
    }
    size_t n = strlen(out);
    if (!(jpath = malloc(n + 9)) || !(gens = calloc((size_t)c->alg.generations + 1, sizeof *gens))) {
        free(jpath);
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(jpath, out, n);
    memcpy(jpath + n, ".journal", 9);
    gsl_error_handler_t *old_handler = gsl_set_error_handler_off();
    if (rank == 0)
        st = ipsim__cal_journal_open(c, r.seed, jpath, o->resume, o->force, &j, &read, &n_read, err,
                                     errlen);
    st = (ipsim_status)ipsim__cal_mpi_bcast_int(size, (int)st);
    if (st == IPSIM_OK &&
        ipsim__cal_mpi_bcast_generations(rank, size, r.N, r.P, r.T, &read, &n_read) != 0) {
        ipsim_set_error(err, errlen, "out of memory");
        st = IPSIM_ERR_NOMEM;
    }
    for (int g = 0; g < n_read; g++) {
        if (g < c->alg.generations)
            gens[n_gens++] = read[g];
        else
            ipsim__cal_generation_free(&read[g]);
    }
    free(read);
    res->generations_before = n_gens;
    if (st == IPSIM_OK)
        st = iterate(&r, j, gens, &n_gens, reason, sizeof reason, err, errlen);
    fill_result(res, gens, n_gens);
    res->wall_seconds = now_seconds() - t0;
    snprintf(res->stop_reason, sizeof res->stop_reason, "%s", reason);
    if (st == IPSIM_OK) {
        cal_run_info info = {r.seed, res->simulations, res->wall_seconds, reason};
        if (rank == 0)
            st = ipsim__cal_write_posterior(c, gens, n_gens, &info, out, o->force, err, errlen);
        st = (ipsim_status)ipsim__cal_mpi_bcast_int(size, (int)st);
    }
    if (j)
        ipsim__cal_journal_close(j, st == IPSIM_OK);
    gsl_set_error_handler(old_handler);
    for (int g = 0; g < n_gens; g++)
        ipsim__cal_generation_free(&gens[g]);
    free(gens);
    free(jpath);
    return st;
}

ipsim_status ipsim_calibrate_run(const ipsim_calibration *c, const char *out,
                                 const ipsim_calibrate_options *o, ipsim_calibrate_result *res,
                                 char *err, size_t errlen)
{
    return calibrate(c, out, o, res, err, errlen, 0, 1);
}

#ifdef IPSIM_HAVE_MPI
ipsim_status ipsim_calibrate_run_mpi(const ipsim_calibration *c, const char *out,
                                     const ipsim_calibrate_options *o, ipsim_calibrate_result *res,
                                     char *err, size_t errlen)
{
    int rank, size;
    ipsim__cal_mpi_world(&rank, &size);
    return calibrate(c, out, o, res, err, errlen, rank, size);
}
#endif
