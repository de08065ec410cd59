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
 * child process (see merge_isolated).
 */
#define _GNU_SOURCE /* isatty, fork, pipe, poll, waitpid */

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "cli/summary.h"
#ifdef IPSIM_HAVE_MPI
#include <mpi.h>
#endif

#define PERCENT 100.0
#define MERGE_DONE "ipsim-merge-done" /* ends the child's message of `merge` */
#define EXIT_LEAKS 23                 /* the child of `merge` found leaks (LSan's code) */
#define PIPE_CHUNK 8192
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
    cli_log_state ls = {o->verbose, o->quiet};
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
    rc = run_sweep(e, o);
    ipsim_experiment_destroy(e);
    return rc;
}

/* ---- merge, isolated ------------------------------------------------------ */

/* `ipsim merge` reads shard files nobody vouches for, and the HDF5 library
 * (1.10) can crash, leak or fail to shut down ("infinite loop closing
 * library") on corrupt metadata before ipsim's own checks
 * (experiment/sweep_merge.c) see anything. So the merge runs in a child
 * process: a crash there becomes "not a valid sweep file" (exit 65) here,
 * and the child leaves with _exit, after a leak check of its own under
 * LeakSanitizer when the merge succeeded. The merged file is written by
 * the child, only after every shard was read. */

typedef struct {
    char *p;
    size_t n, cap;
} merge_bytes;

static int bytes_add(merge_bytes *b, const char *data, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? 2 * b->cap : PIPE_CHUNK) + n;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

static void put_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        p += k;
        n -= (size_t)k;
    }
}

/* The child: merge, send the status and message, leave. */
static void merge_child(const cli_options *o, int out, int errfd)
{
    char err[CLI_ERRLEN] = "";
    dup2(errfd, STDERR_FILENO);
    ipsim_status st = ipsim_sweep_merge(o->args[0], (const char *const *)o->args + 1, o->n_args - 1,
                                        o->force, err, sizeof err);
    int32_t code = (int32_t)st;
    uint64_t n = strlen(err);
    put_all(out, &code, sizeof code);
    put_all(out, &n, sizeof n);
    put_all(out, err, n);
    put_all(out, MERGE_DONE, sizeof MERGE_DONE);
#ifdef __SANITIZE_ADDRESS__
    /* only after a clean merge: HDF5 1.10 itself leaks on a corrupt object
     * header, which is no fault of ipsim's */
    if (st == IPSIM_OK && __lsan_do_recoverable_leak_check())
        _exit(EXIT_LEAKS);
#endif
    _exit(0);
}

/* Read both pipes to their end. */
static int drain(int out, int errfd, merge_bytes *res, merge_bytes *errtext)
{
    struct pollfd pf[2] = {{out, POLLIN, 0}, {errfd, POLLIN, 0}};
    merge_bytes *dst[2] = {res, errtext};
    int open_fds = 2;
    char buf[PIPE_CHUNK];
    while (open_fds > 0) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t k = read(pf[i].fd, buf, sizeof buf);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                pf[i].fd = -1;
                open_fds--;
            } else if (bytes_add(dst[i], buf, (size_t)k) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* The child's status and message; -1 if incomplete (it died before the
 * end). */
static int parse_merge(const merge_bytes *r, ipsim_status *st, char *err, size_t errlen)
{
    int32_t code;
    uint64_t n;
    size_t head = sizeof code + sizeof n;
    if (r->n < head)
        return -1;
    memcpy(&code, r->p, sizeof code);
    memcpy(&n, r->p + sizeof code, sizeof n);
    if (n > r->n - head || r->n - head - n != sizeof MERGE_DONE ||
        memcmp(r->p + head + n, MERGE_DONE, sizeof MERGE_DONE) != 0)
        return -1;
    snprintf(err, errlen, "%.*s", (int)(n < errlen ? n : errlen - 1), r->p + head);
    *st = (ipsim_status)code;
    return 0;
}

/* 1 if a sanitizer report blames the HDF5 library (its first frame outside
 * the sanitizer runtime and libc is in libhdf5), or there is none. */
static int blames_hdf5(const char *report)
{
    for (const char *l = report; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *hash = l;
        while (*hash == ' ')
            hash++;
        if (*hash != '#')
            continue;
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        char frame[512];
        snprintf(frame, sizeof frame, "%.*s", (int)(len < sizeof frame ? len : sizeof frame - 1), l);
        if (strstr(frame, "sanitizer") || strstr(frame, "interceptor") || strstr(frame, "libc.so"))
            continue;
        return strstr(frame, "libhdf5") != NULL;
    }
    return 1;
}

/* ipsim_sweep_merge in a child process; as ipsim_sweep_merge, and a crash
 * of the child is IPSIM_ERR_DATA. Falls back to calling it here when no
 * child can be made. */
static ipsim_status merge_isolated(const cli_options *o, char *err, size_t errlen)
{
    int out[2], errp[2];
    if (pipe(out) != 0)
        return ipsim_sweep_merge(o->args[0], (const char *const *)o->args + 1, o->n_args - 1, o->force,
                                 err, errlen);
    if (pipe(errp) != 0) {
        close(out[0]);
        close(out[1]);
        return ipsim_sweep_merge(o->args[0], (const char *const *)o->args + 1, o->n_args - 1, o->force,
                                 err, errlen);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(out[0]);
        close(errp[0]);
        merge_child(o, out[1], errp[1]);
    }
    close(out[1]);
    close(errp[1]);
    if (pid < 0) {
        close(out[0]);
        close(errp[0]);
        return ipsim_sweep_merge(o->args[0], (const char *const *)o->args + 1, o->n_args - 1, o->force,
                                 err, errlen);
    }
    merge_bytes res = {0}, errtext = {0};
    int drained = drain(out[0], errp[0], &res, &errtext);
    close(out[0]);
    close(errp[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    ipsim_status st = IPSIM_ERR_DATA;
    int complete = drained == 0 && parse_merge(&res, &st, err, errlen) == 0;
    if (errtext.n > 0 && (complete || !blames_hdf5(errtext.p)))
        fputs(errtext.p, stderr); /* e.g. a sanitizer report that blames ipsim */
    if (complete && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_LEAKS)
        st = IPSIM_ERR_INTERNAL; /* our own leak, reported above */
    if (!complete) {
        snprintf(err, errlen,
                 "merge: a shard is not a valid sweep file: the HDF5 library "
                 "failed reading it (corrupt data)%s",
                 WIFSIGNALED(status) ? " and crashed" : "");
        st = IPSIM_ERR_DATA;
    }
    free(res.p);
    free(errtext.p);
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
