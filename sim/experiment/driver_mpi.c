/*
 * driver_mpi.c - sweeps over MPI ranks (built only with IPSIM_HAVE_MPI, i.e.
 * cmake -DIPSIM_MPI=ON): rank 0 opens the journal, hands units of work out
 * one at a time to whichever rank is free (dynamic scheduling), records
 * each result as it arrives and writes the file; the other ranks only run
 * units. Outcomes of a unit do not depend on the rank that ran it, and the
 * file is written from the same unit records as a serial sweep, so its
 * datasets are the same for any number of ranks.
 *
 * Messages: rank 0 -> worker, tag TAG_WORK, one int (unit, or -1 to stop);
 * worker -> rank 0, tag TAG_RESULT, doubles [unit, status, seconds,
 * values...].
 */
#ifdef IPSIM_HAVE_MPI

#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "experiment/sweep.h"
#include "experiment/thread_rule.h"

enum { TAG_WORK = 101, TAG_RESULT = 102 };

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int worker_stop(void *ud)
{
    const ipsim_sweep_options *o = ud;
    ipsim_sweep_progress p;
    memset(&p, 0, sizeof p);
    p.eta = NAN;
    return o && o->progress ? o->progress(o->userdata, &p) : 0;
}

static ipsim_status worker(ipsim_experiment *e, const ipsim_sweep_options *o, int R, size_t nv)
{
    double *buf = malloc(sizeof *buf * (3 + nv));
    char err[1024];
    /* each rank runs one unit at a time: without --threads, a small unit on
     * one thread, a large one on every core (thread_rule.c) */
    ipsim_sweep_options uo;
    int workers = 1, unit_threads = 1;
    if (o)
        uo = *o;
    else
        ipsim_sweep_options_init(&uo);
    ipsim__threads_for_sweep(uo.threads, ipsim__xp_unit_agents(e, o), 1, &workers, &unit_threads);
    uo.threads = uo.threads > 0 ? uo.threads : unit_threads;
    for (;;) {
        int unit;
        MPI_Recv(&unit, 1, MPI_INT, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (unit < 0)
            break;
        double secs = 0.0;
        ipsim_status st = IPSIM_ERR_NOMEM;
        if (buf) {
            for (size_t i = 0; i < nv; i++)
                buf[3 + i] = NAN;
            st = ipsim__xp_run_unit(e, unit / R, unit % R, &uo, buf + 3, &secs, worker_stop, (void *)o,
                                    err, sizeof err);
        }
        double head[3] = {unit, (double)st, secs};
        if (buf) {
            memcpy(buf, head, sizeof head);
            MPI_Send(buf, (int)(3 + nv), MPI_DOUBLE, 0, TAG_RESULT, MPI_COMM_WORLD);
        } else {
            MPI_Send(head, 3, MPI_DOUBLE, 0, TAG_RESULT, MPI_COMM_WORLD);
        }
    }
    free(buf);
    return IPSIM_OK;
}

ipsim_status ipsim_sweep_run_mpi(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                                 ipsim_sweep_result *res, char *err, size_t errlen)
{
    int rank = 0, size = 1, inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        if (err && errlen)
            snprintf(err, errlen, "ipsim_sweep_run_mpi: MPI is not initialised");
        return IPSIM_ERR_USAGE;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1)
        return ipsim_sweep_run(e, out, o, res, err, errlen);
    if (res)
        memset(res, 0, sizeof *res);
    int R = ipsim__xp_replicates(e, o);
    size_t nv = ipsim__xp_unit_values(e);
    sw_state *s = NULL;
    ipsim_status st = IPSIM_OK;
    int ok = 1;
    if (rank == 0) {
        st = ipsim__sw_open(e, out, o, &s, err, errlen);
        ok = st == IPSIM_OK;
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok)
        return rank == 0 ? st : IPSIM_OK;
    if (rank != 0)
        return worker(e, o, R, nv);

    double t0 = mono(), run = 0.0;
    double *buf = malloc(sizeof *buf * (3 + nv));
    ipsim_sweep_progress p = {ipsim__sw_shard_units(s), ipsim__sw_done(s), 0, 0.0, NAN};
    int before = p.done, cursor = 0, outstanding = 0, stopped = 0, failed = 0;
    ipsim_status first_fail = IPSIM_OK;
    if (res)
        res->done_before = before;
    for (int w = 1; w < size; w++) {
        int u = buf ? ipsim__sw_next(s, &cursor) : -1;
        MPI_Send(&u, 1, MPI_INT, w, TAG_WORK, MPI_COMM_WORLD);
        outstanding += u >= 0;
    }
    while (outstanding > 0) {
        MPI_Status ms;
        int count = 0;
        MPI_Recv(buf, (int)(3 + nv), MPI_DOUBLE, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &ms);
        MPI_Get_count(&ms, MPI_DOUBLE, &count);
        outstanding--;
        int unit = (int)buf[0];
        ipsim_status ust = (ipsim_status)(int)buf[1];
        if (ust == IPSIM_ERR_INTERRUPTED) {
            stopped = 1;
        } else if (st == IPSIM_OK) {
            int good = ust == IPSIM_OK && count == (int)(3 + nv);
            st = ipsim__sw_record(s, unit, good ? SW_DONE : SW_FAILED, buf[2], buf + 3, err, errlen);
            if (good) {
                p.done++;
                run += buf[2];
            } else {
                failed++;
                if (first_fail == IPSIM_OK)
                    first_fail = ust == IPSIM_OK ? IPSIM_ERR_INTERNAL : ust;
            }
        }
        p.failed = failed;
        p.elapsed = mono() - t0;
        p.eta = p.done > before ? p.elapsed / (p.done - before) * (p.units - p.done - failed) : NAN;
        if (o && o->progress && o->progress(o->userdata, &p))
            stopped = 1;
        int next = stopped || st != IPSIM_OK ? -1 : ipsim__sw_next(s, &cursor);
        MPI_Send(&next, 1, MPI_INT, ms.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
        outstanding += next >= 0;
    }
    free(buf);
    if (st == IPSIM_OK)
        st = ipsim__sw_finish(s, mono() - t0, res, err, errlen);
    if (res) {
        res->failed = failed;
        res->run_seconds = run;
        res->wall_seconds = mono() - t0;
    }
    if (st == IPSIM_OK && failed > 0) {
        if (err && errlen)
            snprintf(err, errlen, "%d unit%s failed on worker ranks (%s); --resume retries them",
                     failed, failed == 1 ? "" : "s", ipsim_strerror(first_fail));
        st = first_fail;
    } else if (st == IPSIM_OK && (stopped || (res && res->left > 0))) {
        if (err && errlen)
            snprintf(err, errlen, "interrupted");
        st = IPSIM_ERR_INTERRUPTED;
    }
    ipsim__sw_close(s);
    return st;
}

#endif /* IPSIM_HAVE_MPI */
