/*
 * driver_serial.c - runs a sweep's units one after the other in this
 * process (ipsim_sweep_run), recording each in the journal, relaying
 * progress and stop requests, and writing the file when every unit is
 * done; without MPI, ipsim_sweep_run_mpi is this driver too (the MPI one
 * is driver_mpi.c).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "experiment/sweep.h"
#include "base/textbuf.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the serial driver -------------------------------------------------- */

typedef struct {
    const ipsim_sweep_options *o;
    ipsim_sweep_progress p;
} progress_relay;

static int relay_stop(void *ud)
{
    progress_relay *r = ud;
    return r->o && r->o->progress ? r->o->progress(r->o->userdata, &r->p) : 0;
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
    double *v = malloc(sizeof *v * ipsim__sw_values(s));
    if (!v) {
        ipsim__sw_close(s);
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    progress_relay pr = {o, {ipsim__sw_shard_units(s), ipsim__sw_done(s), 0, 0.0, NAN}};
    int before = pr.p.done, failed = 0, stopped = 0, cursor = 0, u;
    double run = 0.0;
    ipsim_status first_fail = IPSIM_OK;
    char ferr[1024] = "";
    if (res) {
        res->done_before = before;
        res->failed = 0;
    }
    while (!stopped && (u = ipsim__sw_next(s, &cursor)) >= 0) {
        double secs = 0.0;
        char uerr[1024] = "";
        int R = ipsim__sw_replicates(s);
        ipsim_status ust =
            ipsim__xp_run_unit(e, u / R, u % R, o, v, &secs, relay_stop, &pr, uerr, sizeof uerr);
        if (ust == IPSIM_ERR_INTERRUPTED) {
            stopped = 1;
            break;
        }
        st = ipsim__sw_record(s, u, ust == IPSIM_OK ? SW_DONE : SW_FAILED, secs, v, err, errlen);
        if (st != IPSIM_OK)
            break;
        if (ust != IPSIM_OK) {
            failed++;
            if (first_fail == IPSIM_OK) {
                first_fail = ust;
                snprintf(ferr, sizeof ferr, "%s", uerr);
            }
        } else {
            pr.p.done++;
            run += secs;
        }
        pr.p.failed = failed;
        pr.p.elapsed = now_s() - t0;
        int now_done = pr.p.done - before;
        pr.p.eta = now_done > 0 ? pr.p.elapsed / now_done * (pr.p.units - pr.p.done - failed) : NAN;
        if (relay_stop(&pr))
            stopped = 1;
    }
    free(v);
    if (st == IPSIM_OK)
        st = ipsim__sw_finish(s, now_s() - t0, res, err, errlen);
    if (res) {
        res->failed = failed;
        res->left -= 0;
        res->run_seconds = run;
        res->wall_seconds = now_s() - t0;
    }
    if (st == IPSIM_OK && failed > 0) {
        ipsim_set_error(err, errlen, "%d unit%s failed (first: %s); --resume retries them", failed,
                        failed == 1 ? "" : "s", ferr);
        st = first_fail;
    } else if (st == IPSIM_OK && (stopped || (res && res->left > 0))) {
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
