/*
 * cmd_optimize.c - `ipsim optimize PROBLEM.json -o OUT.h5`
 * (include/ipsim/optimize.h): loads and checks the allocation problem
 * (--dry-run stops there and describes it), runs the search and the
 * comparisons with a progress line (runs, elapsed time and ETA) on standard
 * error when it is a terminal, stops cleanly on SIGINT/SIGTERM (nothing is
 * written), writes the allocation file and prints the summary table.
 */
#define _GNU_SOURCE /* isatty */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "ipsim/optimize.h"

typedef struct {
    cli_sweep_progress line; /* the sweep's progress line, counting model runs */
    double t0;
} opt_progress_state;

static int on_progress(void *userdata, long done, long total, const char *phase)
{
    opt_progress_state *s = userdata;
    ipsim_sweep_progress p;
    (void)phase;
    p.units = (int)total;
    p.done = (int)done;
    p.failed = 0;
    p.elapsed = cli_now_seconds() - s->t0;
    p.eta = done > 0 ? p.elapsed * (double)(total - done) / (double)done : NAN;
    return cli_on_sweep_progress(&s->line, &p);
}

int cli_cmd_optimize(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    ipsim_optimize *op = NULL;
    ipsim_optimize_options oo;
    cli_log_state ls = {o->verbose, o->quiet, 1, 0, {0}};
    opt_progress_state ps = {{0, 0.0}, 0.0};
    int rc;
    if (!o->output && !o->dry_run)
        return cli_usage_error(cmd->name, "missing -o OUT.h5 (where to write the allocation)");
    if (!o->dry_run && (rc = cli_check_output_path(o->output, o->force)) != 0)
        return rc;
    ipsim_status st = ipsim_optimize_load_with(o->args[0], (const char *const *)o->sets, o->n_sets, &op,
                                               err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err,
                        st == IPSIM_ERR_NOINPUT ? "check the problem path"
                                                : "fix the problem file (see "
                                                  "scenarios/experiments/OPTIMIZE.md)");
    if (o->posterior &&
        (st = ipsim_optimize_use_posterior(op, o->posterior, o->draws, err, sizeof err)) != IPSIM_OK) {
        ipsim_optimize_destroy(op);
        return cli_fail(st, err, "give a posterior file written by 'ipsim calibrate -o'");
    }
    char *what = NULL;
    if ((o->dry_run || !o->quiet) && !(what = ipsim_optimize_describe(op))) {
        ipsim_optimize_destroy(op);
        return cli_fail(IPSIM_ERR_NOMEM, "out of memory describing the problem", NULL);
    }
    if (o->dry_run)
        printf("%s: %s\n", o->args[0], what);
    else if (what)
        cli_msg("%s", what);
    free(what);
    if (o->dry_run) {
        ipsim_optimize_destroy(op);
        return 0;
    }
    ipsim_optimize_options_init(&oo);
    oo.threads = o->threads;
    oo.max_memory_bytes = o->max_memory_set ? o->max_memory : 0;
    oo.log = cli_on_log;
    oo.log_userdata = &ls;
    ps.line.show = !o->quiet && isatty(STDERR_FILENO);
    ps.t0 = cli_now_seconds();
    ps.line.last_draw = ps.t0 - 1.0;
    cli_install_signal_handlers();
    st = ipsim_optimize_run(op, &oo, on_progress, &ps, err, sizeof err);
    cli_clear_progress_line();
    if (st == IPSIM_OK)
        st = ipsim_optimize_write(op, o->output, o->force, err, sizeof err);
    if (st != IPSIM_OK) {
        ipsim_optimize_destroy(op);
        if (st == IPSIM_ERR_INTERRUPTED) {
            cli_msg("interrupted; nothing written");
            return ipsim_status_exit_code(st);
        }
        return cli_fail(st, err, st == IPSIM_ERR_EXISTS ? "use --force to replace it" : NULL);
    }
    if (!o->quiet) {
        char *text = ipsim_optimize_summary(op);
        if (text)
            fputs(text, stdout);
        free(text);
        cli_msg("wrote %s", o->output);
    }
    ipsim_optimize_destroy(op);
    return 0;
}
