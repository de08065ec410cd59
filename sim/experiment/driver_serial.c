/*
 * driver_serial.c - runs a sweep's units in this process (ipsim_sweep_run):
 * one after the other, or several at once on threads of their own when the
 * units are small (the rule of thread_rule.c: --threads N gives N units at
 * once of one thread each, or one unit at a time on N threads). Each unit
 * is recorded in the journal in the order of the units, whatever order
 * they finish in: a finished unit waits until the units before it are
 * recorded, so the journal (and the file, and a resumed sweep) is the same
 * at any number of workers. Relays progress and stop requests (the
 * callbacks are never called by two threads at once), and writes the file
 * when every unit is done; without MPI, ipsim_sweep_run_mpi is this driver
 * too (the MPI one is driver_mpi.c).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "experiment/sweep.h"
#include "experiment/thread_rule.h"
#include "base/textbuf.h"

#define ERR_LEN 1024
#define AHEAD_PER_WORKER 4 /* finished units that may wait for an earlier one, per worker */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const ipsim_sweep_options *o;
    ipsim_sweep_progress p;
} progress_relay;

static int relay_stop(void *ud)
{
    progress_relay *r = ud;
    return r->o && r->o->progress ? r->o->progress(r->o->userdata, &r->p) : 0;
}

/* A unit taken by a worker: its result waits here until it is its turn to
 * be recorded. */
enum { SLOT_RUNNING = 0, SLOT_READY, SLOT_ABANDONED };
typedef struct {
    int state;
    ipsim_status st;
    double secs;
    double *v;
    char *err; /* the unit's message when it failed (malloc'd) */
} unit_slot;

/* What the workers share; every field below mu is guarded by it. */
typedef struct {
    ipsim_experiment *e;
    const ipsim_sweep_options *o; /* the caller's (progress, log) */
    ipsim_sweep_options uo;       /* each unit's (threads inside it) */
    sw_state *s;
    int R;
    size_t nv;
    int *todo, n_todo, window;
    double t0;
    pthread_mutex_t log_mu; /* the caller's log callback, one thread at a time */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unit_slot *slot;
    int next, recorded, stop, failed, before;
    double run;
    ipsim_status st, first_fail; /* st: the journal's status */
    progress_relay pr;
    char *err;
    size_t errlen;
    char ferr[ERR_LEN];
} sweep_pool;

/* After a unit: counts, progress, and the callback (which may ask to stop). */
static void after_unit(sweep_pool *p, ipsim_status ust, double secs, const char *uerr)
{
    if (ust != IPSIM_OK) {
        p->failed++;
        if (p->first_fail == IPSIM_OK) {
            p->first_fail = ust;
            snprintf(p->ferr, sizeof p->ferr, "%s", uerr ? uerr : "");
        }
    } else {
        p->pr.p.done++;
        p->run += secs;
    }
    p->pr.p.failed = p->failed;
    p->pr.p.elapsed = now_s() - p->t0;
    int now_done = p->pr.p.done - p->before;
    p->pr.p.eta = now_done > 0 ? p->pr.p.elapsed / now_done * (p->pr.p.units - p->pr.p.done - p->failed)
                               : NAN;
    if (relay_stop(&p->pr))
        p->stop = 1;
}

/* One after the other in this thread (one worker). */
static void run_serial(sweep_pool *p)
{
    double *v = malloc(sizeof *v * p->nv);
    if (!v) {
        ipsim_set_error(p->err, p->errlen, "out of memory");
        p->st = IPSIM_ERR_NOMEM;
        return;
    }
    for (int k = 0; k < p->n_todo && !p->stop; k++) {
        int u = p->todo[k];
        double secs = 0.0;
        char uerr[ERR_LEN] = "";
        ipsim_status ust = ipsim__xp_run_unit(p->e, u / p->R, u % p->R, &p->uo, v, &secs, relay_stop,
                                              &p->pr, uerr, sizeof uerr);
        if (ust == IPSIM_ERR_INTERRUPTED) {
            p->stop = 1;
            break;
        }
        p->st = ipsim__sw_record(p->s, u, ust == IPSIM_OK ? SW_DONE : SW_FAILED, secs, v, p->err,
                                 p->errlen);
        if (p->st != IPSIM_OK)
            break;
        after_unit(p, ust, secs, uerr);
    }
    free(v);
}

/* Record, in the order of the units, every finished unit whose turn has
 * come (mu held). */
static void record_ready(sweep_pool *p)
{
    while (p->recorded < p->next && p->slot[p->recorded].state != SLOT_RUNNING) {
        unit_slot *sl = &p->slot[p->recorded];
        if (sl->state == SLOT_READY && p->st == IPSIM_OK) {
            p->st = ipsim__sw_record(p->s, p->todo[p->recorded],
                                     sl->st == IPSIM_OK ? SW_DONE : SW_FAILED, sl->secs, sl->v,
                                     p->err, p->errlen);
            if (p->st != IPSIM_OK)
                p->stop = 1;
            else
                after_unit(p, sl->st, sl->secs, sl->err);
        }
        free(sl->v);
        free(sl->err);
        sl->v = NULL;
        sl->err = NULL;
        p->recorded++;
    }
    pthread_cond_broadcast(&p->cv);
}

/* A unit's log message, to the caller's callback one at a time. */
static void pool_log(void *ud, ipsim_log_level level, const char *message)
{
    sweep_pool *p = ud;
    pthread_mutex_lock(&p->log_mu);
    p->o->log(p->o->log_userdata, level, message);
    pthread_mutex_unlock(&p->log_mu);
}

/* A unit's stop check: the caller's callback, one thread at a time. */
static int pool_stop(void *ud)
{
    sweep_pool *p = ud;
    pthread_mutex_lock(&p->mu);
    if (!p->stop && relay_stop(&p->pr))
        p->stop = 1;
    int stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

static void *worker(void *ud)
{
    sweep_pool *p = ud;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->next < p->n_todo && p->next >= p->recorded + p->window)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || p->next >= p->n_todo)
            break;
        int k = p->next++;
        unit_slot *sl = &p->slot[k];
        pthread_mutex_unlock(&p->mu);

        char uerr[ERR_LEN] = "";
        double secs = 0.0;
        double *v = malloc(sizeof *v * p->nv);
        ipsim_status ust = v ? ipsim__xp_run_unit(p->e, p->todo[k] / p->R, p->todo[k] % p->R, &p->uo,
                                                  v, &secs, pool_stop, p, uerr, sizeof uerr)
                             : IPSIM_ERR_NOMEM;
        if (!v)
            snprintf(uerr, sizeof uerr, "out of memory");

        pthread_mutex_lock(&p->mu);
        sl->v = v;
        sl->st = ust;
        sl->secs = secs;
        sl->err = ust != IPSIM_OK && ust != IPSIM_ERR_INTERRUPTED ? strdup(uerr) : NULL;
        sl->state = ust == IPSIM_ERR_INTERRUPTED ? SLOT_ABANDONED : SLOT_READY;
        if (ust == IPSIM_ERR_INTERRUPTED)
            p->stop = 1;
        record_ready(p);
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* workers threads (this one included) over the units. */
static void run_parallel(sweep_pool *p, int workers)
{
    pthread_t *tid = calloc((size_t)workers, sizeof *tid);
    p->slot = calloc((size_t)p->n_todo, sizeof *p->slot);
    if (!tid || !p->slot || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(tid);
        free(p->slot);
        p->slot = NULL;
        run_serial(p); /* no memory for the pool: one at a time */
        return;
    }
    pthread_mutex_init(&p->log_mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (p->o && p->o->log) {
        p->uo.log = pool_log;
        p->uo.log_userdata = p;
    }
    p->window = AHEAD_PER_WORKER * workers;
    int started = 0;
    for (int w = 1; w < workers; w++)
        if (pthread_create(&tid[w], NULL, worker, p) == 0)
            started++;
        else
            break; /* fewer workers: the ones there are do every unit */
    worker(p);
    for (int w = 1; w <= started; w++)
        pthread_join(tid[w], NULL);
    record_ready(p); /* nothing is running now */
    for (int k = 0; k < p->n_todo; k++) {
        free(p->slot[k].v);
        free(p->slot[k].err);
    }
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->log_mu);
    free(p->slot);
    free(tid);
}

/* The units of this shard not done yet, in order (malloc'd; *n of them). */
static int *units_to_do(const sw_state *s, int *n)
{
    int cursor = 0, u, cap = ipsim__sw_shard_units(s) + 1;
    int *todo = malloc(sizeof *todo * (size_t)cap);
    *n = 0;
    if (!todo)
        return NULL;
    while ((u = ipsim__sw_next(s, &cursor)) >= 0 && *n < cap)
        todo[(*n)++] = u;
    return todo;
}

ipsim_status ipsim_sweep_run(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                             ipsim_sweep_result *res, char *err, size_t errlen)
{
    sw_state *s = NULL;
    double t0 = now_s();
    if (res)
        memset(res, 0, sizeof *res);
    if (!e || !out || !*out) {
        ipsim_set_error(err, errlen, "ipsim_sweep_run: no experiment or no output path");
        return IPSIM_ERR_USAGE;
    }
    ipsim_status st = ipsim__sw_open(e, out, o, &s, err, errlen);
    if (st != IPSIM_OK)
        return st;
    sweep_pool p;
    memset(&p, 0, sizeof p);
    p.e = e;
    p.o = o;
    if (o)
        p.uo = *o;
    else
        ipsim_sweep_options_init(&p.uo);
    p.s = s;
    p.R = ipsim__sw_replicates(s);
    p.nv = ipsim__sw_values(s);
    p.t0 = t0;
    p.err = err;
    p.errlen = errlen;
    p.st = IPSIM_OK;
    p.first_fail = IPSIM_OK;
    p.pr = (progress_relay){o, {ipsim__sw_shard_units(s), ipsim__sw_done(s), 0, 0.0, NAN}};
    p.before = p.pr.p.done;
    p.todo = units_to_do(s, &p.n_todo);
    if (!p.todo) {
        ipsim__sw_close(s);
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    if (res) {
        res->done_before = p.before;
        res->failed = 0;
    }
    int workers = 1, unit_threads = 1;
    ipsim__threads_for_sweep(o ? o->threads : 0, ipsim__xp_unit_agents(e, o), p.n_todo, &workers,
                             &unit_threads);
    p.uo.threads = unit_threads;
    if (workers > 1)
        run_parallel(&p, workers);
    else
        run_serial(&p);
    free(p.todo);
    st = p.st;
    if (st == IPSIM_OK)
        st = ipsim__sw_finish(s, now_s() - t0, res, err, errlen);
    if (res) {
        res->failed = p.failed;
        res->run_seconds = p.run;
        res->wall_seconds = now_s() - t0;
    }
    if (st == IPSIM_OK && p.failed > 0) {
        ipsim_set_error(err, errlen, "%d unit%s failed (first: %s); --resume retries them", p.failed,
                        p.failed == 1 ? "" : "s", p.ferr);
        st = p.first_fail;
    } else if (st == IPSIM_OK && (p.stop || (res && res->left > 0))) {
        ipsim_set_error(err, errlen, "interrupted");
        st = IPSIM_ERR_INTERRUPTED;
    }
    ipsim__sw_close(s);
    return st;
}

#ifndef IPSIM_HAVE_MPI
ipsim_status ipsim_sweep_run_mpi(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                                 ipsim_sweep_result *res, char *err, size_t errlen)
{
    return ipsim_sweep_run(e, out, o, res, err, errlen);
}
#endif
