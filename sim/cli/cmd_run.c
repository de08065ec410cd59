/*
 * cmd_run.c - `ipsim run SCENARIO.json -o OUT.h5`: refuse to start as one
 * of several MPI ranks, check the output path and hold its lock (OUT.lock)
 * until the file is written, load the scenario with its overrides, build
 * the model under a memory cap, run it with a progress line (stopping
 * cleanly on SIGINT/SIGTERM), write the result file and print the summary
 * (summary.c).
 */
#define _GNU_SOURCE /* sysconf, isatty */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "cli/summary.h"
#include "experiment/thread_rule.h"
#include "io/run_output.h"
#include "io/safe_file.h"

#define MEMORY_CAP_SHARE 0.9 /* default cap: this share of the memory there is */
#define KIB 1024.0
#define MEMINFO_LINE 128

/* Default memory cap: 90% of physical memory, or of the memory available
 * now if less (0 = unknown, no cap). */
static double default_max_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double cap;
    FILE *f;
    char line[MEMINFO_LINE];
    if (pages <= 0 || page <= 0)
        return 0.0;
    cap = MEMORY_CAP_SHARE * (double)pages * (double)page;
    /* not more than what is available now (Linux: MemAvailable), so that
     * a run refuses up front instead of meeting the OOM killer midway */
    f = fopen("/proc/meminfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            unsigned long long kib;
            if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
                double avail = MEMORY_CAP_SHARE * (double)kib * KIB;
                if (avail > 0.0 && avail < cap)
                    cap = avail;
                break;
            }
        }
        fclose(f);
    }
    return cap;
}

/* The run options the command line asks for. */
static void run_options(const cli_options *o, cli_log_state *ls, ipsim_run_options *opt)
{
    memset(opt, 0, sizeof *opt);
    ipsim_run_options_init(opt);
    opt->seed_set = o->seed_set;
    opt->seed = o->seed;
    opt->replicate = o->replicate;
    opt->threads = o->threads;
    if (o->scale > 0.0)
        opt->scale = o->scale;
    if (o->days > 0)
        opt->days = o->days;
    opt->max_memory_bytes = o->max_memory_set ? o->max_memory : default_max_memory();
    ls->verbose = o->verbose;
    ls->quiet = o->quiet;
    opt->log = cli_on_log;
    opt->log_userdata = ls;
}

/* " (SIGTERM)", " (SIGINT)" or "" for the signal that stopped us. */
static const char *stop_note(void)
{
    int sig = cli_stop_signal();
    return sig == SIGTERM ? " (SIGTERM)" : sig == SIGINT ? " (SIGINT)" : "";
}

/* Run m to the end with a progress line; *wall gets the seconds it took. */
static ipsim_status run_model(ipsim_model *m, const cli_options *o, double *wall)
{
    cli_run_progress ps;
    ipsim_status st;
    double t0;
    memset(&ps, 0, sizeof ps);
    ps.show = !o->quiet && isatty(STDERR_FILENO);
    ps.agents = (double)ipsim_model_agent_count(m);
    t0 = ps.t0 = ps.t_days = ps.last_draw = cli_now_seconds();
    ps.last_draw -= 1.0;
    st = cli_stop_signal() ? IPSIM_ERR_INTERRUPTED : ipsim_model_run(m, cli_on_run_progress, &ps);
    *wall = cli_now_seconds() - t0;
    cli_clear_progress_line();
    if (st == IPSIM_OK && cli_stop_signal())
        st = IPSIM_ERR_INTERRUPTED;
    return st;
}

/* The number of processes an MPI launcher (mpirun, mpiexec, srun with an
 * MPI plugin) started this one among, from its environment; 1 if none. */
static long launched_ranks(void)
{
    const char *v = getenv("OMPI_COMM_WORLD_SIZE");
    if (!v)
        v = getenv("PMI_SIZE");
    if (!v && getenv("PMIX_RANK"))
        v = getenv("SLURM_STEP_NUM_TASKS");
    long n = v ? strtol(v, NULL, 10) : 1;
    return n > 1 ? n : 1;
}

/* 1 if this process is rank 0 of its launcher (or the rank is unknown). */
static int launched_rank0(void)
{
    const char *v = getenv("OMPI_COMM_WORLD_RANK");
    if (!v)
        v = getenv("PMI_RANK");
    if (!v)
        v = getenv("PMIX_RANK");
    return !v || strtol(v, NULL, 10) == 0;
}

/* Load, run and write, with the lock of o->output held by the caller. */
static int run_locked(cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    ipsim_status st;
    cli_log_state ls = {0};
    double wall;
    int rc;

    if ((rc = cli_load_scenario(o->args[0], o, 1, &sc)) != 0)
        return rc;
    run_options(o, &ls, &opt);
    /* no --threads: one thread for a small run, every core for a large one
     * (thread_rule.c; README.md, section Threads) */
    opt.threads = ipsim__threads_for_run(sc, &opt);

    cli_install_signal_handlers();
    st = ipsim_model_create(sc, &opt, &m, err, sizeof err);
    if (st != IPSIM_OK) {
        const char *hint = NULL;
        if ((st == IPSIM_ERR_NOMEM || st == IPSIM_ERR_LIMIT) && !strstr(err, "--scale"))
            hint = "use a larger --scale (more people per agent), fewer --days, or raise "
                   "--max-memory";
        rc = cli_fail(st, err, hint);
        ipsim_scenario_destroy(sc);
        return rc;
    }
    /* The file's /scenario must reproduce the run: refuse now, not after
     * the run, if the run's seed, scale and days do not form a scenario. */
    char *json = NULL;
    err[0] = '\0';
    st = ipsim__run_scenario_json(m, &json, err, sizeof err);
    free(json);
    if (st != IPSIM_OK) {
        rc = cli_fail(st, err,
                      st == IPSIM_ERR_DATA ? "the result file's /scenario could not "
                                             "reproduce this run; change --days, --scale or --seed"
                                           : NULL);
        ipsim_model_destroy(m);
        ipsim_scenario_destroy(sc);
        return rc;
    }
    if (o->verbose)
        cli_msg("%s: %llu agents at scale %g, %d days, about %.0f bytes per agent",
                ipsim_scenario_name(sc), (unsigned long long)ipsim_model_agent_count(m),
                ipsim_model_scale(m), ipsim_model_days_total(m), ipsim_model_bytes_per_agent(m));

    st = run_model(m, o, &wall);
    if (st != IPSIM_OK) {
        if (st == IPSIM_ERR_INTERRUPTED)
            cli_msg("interrupted%s, nothing written", stop_note());
        else
            cli_msg("run failed: %s", ipsim_strerror(st));
        ipsim_model_destroy(m);
        ipsim_scenario_destroy(sc);
        return ipsim_status_exit_code(st);
    }

    err[0] = '\0';
    st = ipsim__output_write_locked(m, o->output, o->force, err, sizeof err);
    if (st != IPSIM_OK) {
        rc = cli_fail(st, err, st == IPSIM_ERR_EXISTS ? "use --force to overwrite it" : NULL);
        ipsim_model_destroy(m);
        ipsim_scenario_destroy(sc);
        return rc;
    }
    cli_print_run_summary(m, sc, o, wall);
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
    return 0;
}

int cli_cmd_run(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    long ranks = launched_ranks();
    int rc, lock_fd = -1;

    if (!o->output)
        return cli_usage_error(cmd->name, "missing -o OUT.h5 (where to write the results)");
    if (ranks > 1) {
        /* every rank would run the same model and write the same file */
        if (launched_rank0())
            cli_msg("run: started as one of %ld MPI ranks, but a run is one process (use "
                    "--threads to use more cores); start it without mpirun/srun, or use "
                    "'ipsim sweep' to spread many runs over MPI ranks",
                    ranks);
        return ipsim_status_exit_code(IPSIM_ERR_USAGE);
    }
    if ((rc = cli_check_output_path(o->output, o->force)) != 0)
        return rc;
    /* Held from before the run until the file is written: a second writer
     * of the same output is refused now, not after its whole run. */
    ipsim_status st = ipsim__safe_lock(o->output, &lock_fd, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err, NULL);
    rc = run_locked(o);
    ipsim__safe_unlock(o->output, &lock_fd);
    return rc;
}
