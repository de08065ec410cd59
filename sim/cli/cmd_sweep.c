/*
 * cmd_sweep.c - the commands that run experiments (include/ipsim/experiment.h):
 *   ipsim sweep EXPERIMENT.json -o OUT.h5   every point x replicate of a design
 *   ipsim compare BASE.json ARM.json... -o OUT.h5   an arms experiment of files
 *   ipsim merge OUT.h5 SHARD.h5...          join the shard files of a sweep
 * A sweep runs serially, or over MPI ranks when the program was started by
 * an MPI launcher in a build with IPSIM_HAVE_MPI; it shows a progress line,
 * stops cleanly on SIGINT/SIGTERM (resumable), and prints the analysis.
 * Under a Slurm step of several tasks it refuses to start unless MPI joins
 * them into one world (plain srun without --mpi=pmix would run the whole
 * sweep once per task, into the same file). `merge` reads its shards in a
 * child process (see merge_isolated, cli/isolate.c).
 */
#define _GNU_SOURCE /* isatty */

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "cli/isolate.h"
#include "cli/summary.h"
#ifdef IPSIM_HAVE_MPI
#include <mpi.h>
#endif

#define PERCENT 100.0
#define SLURM_FIRST_SPECIAL_STEP 4294967290L /* batch, extern, interactive steps */

#ifdef IPSIM_HAVE_MPI
/* MPI is used when the program was started by an MPI launcher (mpirun,
 * srun). */
static int launched_by_mpi(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK") ||
           getenv("PMI_RANK");
}
#endif

/* The tasks of the Slurm job step this process is one of: srun sets
 * SLURM_STEP_NUM_TASKS; inside a step (SLURM_STEP_ID a real step, not the
 * batch script) SLURM_NTASKS says the same. 1 outside Slurm steps. */
static long slurm_step_tasks(void)
{
    const char *v = getenv("SLURM_STEP_NUM_TASKS");
    const char *step = getenv("SLURM_STEP_ID") ? getenv("SLURM_STEP_ID") : getenv("SLURM_STEPID");
    char *end = NULL;
    if (!v && step) {
        long id = strtol(step, &end, 10);
        if (end != step && *end == '\0' && id >= 0 && id < SLURM_FIRST_SPECIAL_STEP)
            v = getenv("SLURM_NTASKS");
    }
    if (!v)
        return 1;
    long n = strtol(v, &end, 10);
    return end != v && *end == '\0' && n > 1 ? n : 1;
}

/* 0 when Slurm's tasks and the MPI world agree; else the reason on stderr
 * and exit code 64: every task would run the whole sweep into one file. */
static int check_slurm_tasks(int world)
{
    long tasks = slurm_step_tasks();
    if (tasks <= 1 || world > 1)
        return 0;
#ifdef IPSIM_HAVE_MPI
    const char *why = "MPI sees a world of 1 process (srun without an MPI plugin)";
#else
    const char *why = "this ipsim was built without MPI (cmake -DIPSIM_MPI=ON)";
#endif
    cli_msg("Slurm started this job step with %ld tasks, but %s: each task would run the "
            "whole sweep into the same file. Launch an MPI build with 'srun --mpi=pmix' (see "
            "scripts/slurm/sweep-mpi.sbatch), or run one task ('srun -n 1', or no srun)",
            tasks, why);
    return ipsim_status_exit_code(IPSIM_ERR_USAGE);
}

/* The analysis of the sweep file at path on stdout. Returns the exit code. */
static int print_sweep_report(const char *path)
{
    char err[CLI_ERRLEN] = "";
    char *text = NULL;
    ipsim_status st = ipsim_sweep_report(path, &text, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err, NULL);
    fputs(text, stdout);
    free(text);
    return 0;
}

/* The sweep options the command line asks for. */
static void sweep_options(const cli_options *o, cli_log_state *ls, cli_sweep_progress *ps,
                          ipsim_sweep_options *so)
{
    ipsim_sweep_options_init(so);
    so->replicates = o->replicates;
    so->scale = o->scale;
    so->threads = o->threads;
    so->shard_k = o->shard_k;
    so->shard_n = o->shard_n;
    so->resume = o->resume;
    so->force = o->force;
    so->max_memory_bytes = o->max_memory_set ? o->max_memory : 0.0;
    so->log = cli_on_log;
    so->log_userdata = ls;
    so->progress = cli_on_sweep_progress;
    so->userdata = ps;
}

/* What a finished (or stopped) sweep did, on stderr, then the analysis of
 * a complete unsharded sweep on stdout. Returns the exit code. */
static int report_sweep(const cli_options *o, ipsim_status st, const ipsim_sweep_result *res,
                        const char *err)
{
    int rc = ipsim_status_exit_code(st);
    double over;
    if (st != IPSIM_OK && st != IPSIM_ERR_INTERRUPTED && !(res->units > 0))
        return cli_fail(st, err, NULL);
    over = res->run_seconds > 0 ? PERCENT * (res->wall_seconds - res->run_seconds) / res->run_seconds
                                : NAN;
    if (st == IPSIM_OK && o->resume && res->done_before == res->units && res->units > 0) {
        cli_msg("%s: already complete (the same sweep, scenarios included); nothing to run",
                o->output);
        return !o->quiet && o->shard_n <= 1 ? print_sweep_report(o->output) : 0;
    }
    if (o->resume || res->done_before > 0)
        cli_msg("resumed: %d done before this run", res->done_before);
    cli_msg("%s: %d units: %d done, %d failed, %d left; %.1f s (runs %.1f s, overhead "
            "%.1f%%)%s%s",
            o->output, res->units, res->done, res->failed, res->left, res->wall_seconds,
            res->run_seconds, over, st == IPSIM_OK ? " -> " : "", st == IPSIM_OK ? o->output : "");
    if (st == IPSIM_ERR_INTERRUPTED)
        cli_msg("interrupted%s; finished units are kept: continue with --resume",
                cli_stop_signal() == SIGTERM  ? " (SIGTERM)"
                : cli_stop_signal() == SIGINT ? " (SIGINT)"
                                              : "");
    else if (st != IPSIM_OK)
        cli_msg("%s", err);
    else if (!o->quiet && o->shard_n <= 1)
        rc = print_sweep_report(o->output);
    return rc;
}

/* Run the units of e into o->output (serial, or over MPI ranks). */
static int run_sweep(ipsim_experiment *e, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    ipsim_sweep_options so;
    ipsim_sweep_result res;
    cli_sweep_progress ps;
    cli_log_state ls = {o->verbose, o->quiet, 1, 0, {0}};
    int rank = 0, size = 1, rc;
    ipsim_status st;

    if (o->dry_run) {
        int checked = ipsim_experiment_points_checked(e), n = ipsim_experiment_points(e);
        cli_print_experiment_summary(o->args[0], e, o->replicates);
        if (checked < n)
            cli_msg("note: the first %d points were checked one by one, the other %d per "
                    "distinct override; each is checked again when its units run",
                    checked, n - checked);
        return 0;
    }

#ifdef IPSIM_HAVE_MPI
    int mpi = launched_by_mpi(), provided = 0;
    if (mpi) {
        MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
#endif
    if ((rc = check_slurm_tasks(size)) != 0) {
#ifdef IPSIM_HAVE_MPI
        if (mpi)
            MPI_Finalize();
#endif
        return rc;
    }
    memset(&ps, 0, sizeof ps);
    ps.show = rank == 0 && !o->quiet && isatty(STDERR_FILENO);
    ps.last_draw = cli_now_seconds() - 1.0;
    sweep_options(o, &ls, &ps, &so);
    cli_install_signal_handlers();
    if (rank == 0 && !o->quiet)
        cli_msg("%s: %s design, %d points x %d replicate(s)%s%s", ipsim_experiment_name(e),
                ipsim_experiment_design(e), ipsim_experiment_points(e),
                o->replicates ? o->replicates : ipsim_experiment_replicates(e),
                size > 1 ? ", MPI ranks: " : "", size > 1 ? "yes" : "");
    st = size > 1 ? ipsim_sweep_run_mpi(e, o->output, &so, &res, err, sizeof err)
                  : ipsim_sweep_run(e, o->output, &so, &res, err, sizeof err);
    cli_clear_progress_line();
    rc = ipsim_status_exit_code(st);
    if (rank == 0)
        rc = report_sweep(o, st, &res, err);
#ifdef IPSIM_HAVE_MPI
    if (mpi)
        MPI_Finalize();
#endif
    return rc;
}

/* --posterior and --draws: -1 to go on, else the exit code. */
static int use_posterior(const cli_command *cmd, ipsim_experiment *e, const cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    if (!o->posterior)
        return o->draws ? cli_usage_error(cmd->name, "--draws needs --posterior POSTERIOR.h5") : -1;
    ipsim_status st = ipsim_experiment_use_posterior(e, o->posterior, o->draws, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err,
                        st == IPSIM_ERR_NOINPUT
                            ? "check the posterior path (a file written by 'ipsim calibrate -o')"
                            : NULL);
    return -1;
}

int cli_cmd_sweep(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    ipsim_experiment *e = NULL;
    ipsim_status st;
    int rc;
    if (!o->output && !o->dry_run)
        return cli_usage_error(cmd->name, "missing -o OUT.h5 (where to write the results)");
    if (!o->resume && !o->dry_run && (rc = cli_check_output_path(o->output, o->force)) != 0)
        return rc;
    ipsim_experiment_overrides ov = {o->sets, o->n_sets, o->arms, o->n_arms};
    st = ipsim_experiment_load_with(o->args[0], &ov, &e, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err,
                        st == IPSIM_ERR_NOINPUT
                            ? "check the experiment path; experiments live in scenarios/experiments/"
                        : st == IPSIM_ERR_USAGE
                            ? "see 'ipsim sweep --help' (--set PATH=VALUE, --arm NAME:PATH=VALUE)"
                            : "fix the experiment file (see README.md, section Experiments)");
    rc = use_posterior(cmd, e, o);
    if (rc < 0)
        rc = run_sweep(e, o);
    ipsim_experiment_destroy(e);
    return rc;
}

int cli_cmd_compare(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    ipsim_experiment *e = NULL;
    ipsim_status st;
    int rc;
    if (!o->output)
        return cli_usage_error(cmd->name, "missing -o OUT.h5 (where to write the results)");
    if (o->shard_n > 0)
        return cli_usage_error(cmd->name, "--shard is for 'ipsim sweep'; write an experiment file");
    if (!o->resume && (rc = cli_check_output_path(o->output, o->force)) != 0)
        return rc;
    ipsim_experiment_overrides ov = {o->sets, o->n_sets, o->arms, o->n_arms};
    st = ipsim_experiment_compare_with((const char *const *)o->args, o->n_args, &ov, &e, err,
                                       sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err, st == IPSIM_ERR_NOINPUT ? "check the scenario paths" : NULL);
    rc = use_posterior(cmd, e, o);
    if (rc < 0)
        rc = run_sweep(e, o);
    ipsim_experiment_destroy(e);
    return rc;
}

/* ---- merge, isolated ------------------------------------------------------ */

/* `ipsim merge` reads shard files nobody vouches for, so the merge runs in
 * a child process (cli/isolate.c): a crash there becomes "not a valid sweep
 * file" (exit 65) here. The merged file is written by the child, only after
 * every shard was read. */

static ipsim_status merge_call(void *ctx, char **text, char *err, size_t errlen)
{
    const cli_options *o = ctx;
    (void)text;
    return ipsim_sweep_merge(o->args[0], (const char *const *)o->args + 1, o->n_args - 1, o->force,
                             err, errlen);
}

/* ipsim_sweep_merge in a child process; as ipsim_sweep_merge, and a crash
 * of the child is IPSIM_ERR_DATA. */
static ipsim_status merge_isolated(const cli_options *o, char *err, size_t errlen)
{
    cli_isolation how;
    ipsim_status st = cli_isolated(merge_call, (void *)o, NULL, err, errlen, &how);
    if (how.incomplete)
        snprintf(err, errlen,
                 "merge: a shard is not a valid sweep file: the HDF5 library "
                 "failed reading it (corrupt data)%s",
                 how.signaled ? " and crashed" : "");
    return st;
}

int cli_cmd_merge(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    ipsim_status st;
    int rc;
    (void)cmd;
    if ((rc = cli_check_output_path(o->args[0], o->force)) != 0)
        return rc;
    st = merge_isolated(o, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err, st == IPSIM_ERR_DATA ? "give every shard file of one sweep" : NULL);
    if (!o->quiet)
        return print_sweep_report(o->args[0]);
    cli_msg("%s: merged %d shard%s", o->args[0], o->n_args - 1, o->n_args == 2 ? "" : "s");
    return 0;
}
