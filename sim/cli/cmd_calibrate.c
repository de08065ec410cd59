/*
 * cmd_calibrate.c - `ipsim calibrate CALIBRATION.json -o POSTERIOR.h5`
 * (include/ipsim/calibrate.h): loads and checks the calibration file, runs
 * its ABC-SMC with a progress line (generation, particles, simulations,
 * elapsed time and ETA of the generation) on standard error when it is a
 * terminal, stops cleanly on SIGINT/SIGTERM (resumable with --resume), and
 * prints the summary of the posterior file. Under an MPI launcher (builds
 * with IPSIM_HAVE_MPI) the ranks share the particles of each generation
 * and rank 0 writes and prints.
 */
#define _GNU_SOURCE /* isatty */

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "ipsim/calibrate.h"
#ifdef IPSIM_HAVE_MPI
#include <mpi.h>

/* MPI is used when the program was started by an MPI launcher (mpirun,
 * srun), as for sweeps (cmd_sweep.c). */
static int launched_by_mpi(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK") ||
           getenv("PMI_RANK");
}
#endif

#define REDRAW_SECONDS 0.2
#define BAR_WIDTH 20

typedef struct {
    int show;
    double last_draw;
    int drawn;
} cal_progress;

static void fmt_seconds(double s, char *buf, size_t len)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, len, "--");
    else if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

static int on_progress(void *userdata, const ipsim_calibrate_progress *p)
{
    cal_progress *ps = userdata;
    if (cli_stop_signal())
        return 1;
    double t = cli_now_seconds();
    if (ps->show && (t - ps->last_draw >= REDRAW_SECONDS || p->particles_done == p->particles)) {
        char bar[BAR_WIDTH + 1], el[32], eta[32];
        int fill = p->particles > 0 ? p->particles_done * BAR_WIDTH / p->particles : 0;
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fmt_seconds(p->elapsed, el, sizeof el);
        fmt_seconds(p->particles_done > 0
                        ? p->elapsed * (p->particles - p->particles_done) / p->particles_done
                        : NAN,
                    eta, sizeof eta);
        fprintf(stderr,
                "\rgeneration %d/%d [%s] %d/%d particles, %ld simulations, tolerance "
                "%.4g  %s  ETA %s\033[K",
                p->generation, p->max_generations, bar, p->particles_done, p->particles,
                p->simulations, p->tolerance, el, eta);
        fflush(stderr);
        ps->drawn = 1;
        ps->last_draw = t;
    }
    return 0;
}

static int print_info(const char *path)
{
    char err[CLI_ERRLEN] = "";
    char *text = NULL;
    ipsim_status st = ipsim_output_info(path, &text, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(st, err, NULL);
    fputs(text, stdout);
    free(text);
    return 0;
}

static void print_plan(const char *path, const ipsim_calibration *c)
{
    printf("%s: calibration %s: %d parameter(s), %d target(s), %d particles, at most %d "
           "generations\n",
           path, ipsim_calibration_name(c), ipsim_calibration_parameter_count(c),
           ipsim_calibration_target_count(c), ipsim_calibration_particles(c),
           ipsim_calibration_max_generations(c));
    for (int i = 0; i < ipsim_calibration_parameter_count(c); i++)
        printf("  parameter %s\n", ipsim_calibration_parameter_path(c, i));
    for (int i = 0; i < ipsim_calibration_target_count(c); i++)
        printf("  target    %s\n", ipsim_calibration_target_label(c, i));
}

int cli_cmd_calibrate(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    ipsim_calibration *c = NULL;
    ipsim_calibrate_options co;
    ipsim_calibrate_result res;
    cli_log_state ls = {o->verbose, o->quiet, 1, 0, {0}};
    cal_progress ps = {0, 0.0, 0};
    int rc;
    if (!o->output && !o->dry_run)
        return cli_usage_error(cmd->name, "missing -o POSTERIOR.h5 (where to write the posterior)");
    if (!o->resume && !o->dry_run && (rc = cli_check_output_path(o->output, o->force)) != 0)
        return rc;
    ipsim_status st = ipsim_calibration_load(o->args[0], &c, err, sizeof err);
    if (st != IPSIM_OK)
        return cli_fail(
            st, err,
            st == IPSIM_ERR_NOINPUT
                ? "check the calibration path; calibrations live in scenarios/calibrations/"
                : "fix the calibration file (see scenarios/calibrations/README.md)");
    if (o->dry_run) {
        print_plan(o->args[0], c);
        ipsim_calibration_destroy(c);
        return 0;
    }
    int rank = 0, size = 1;
#ifdef IPSIM_HAVE_MPI
    int mpi = launched_by_mpi(), provided = 0;
    if (mpi) {
        MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
#endif
    ipsim_calibrate_options_init(&co);
    co.threads = o->threads;
    co.resume = o->resume;
    co.force = o->force;
    co.seed_set = o->seed_set;
    co.seed = o->seed;
    co.log = rank == 0 ? cli_on_log : NULL;
    co.log_userdata = &ls;
    co.progress = on_progress;
    co.userdata = &ps;
    ps.show = rank == 0 && !o->quiet && isatty(STDERR_FILENO);
    ps.last_draw = cli_now_seconds() - 1.0;
    cli_install_signal_handlers();
    if (!o->quiet && rank == 0)
        cli_msg("%s: %d parameter(s), %d target(s), %d particles, at most %d generations%s",
                ipsim_calibration_name(c), ipsim_calibration_parameter_count(c),
                ipsim_calibration_target_count(c), ipsim_calibration_particles(c),
                ipsim_calibration_max_generations(c), size > 1 ? ", MPI ranks: yes" : "");
#ifdef IPSIM_HAVE_MPI
    st = size > 1 ? ipsim_calibrate_run_mpi(c, o->output, &co, &res, err, sizeof err)
                  : ipsim_calibrate_run(c, o->output, &co, &res, err, sizeof err);
    if (mpi)
        MPI_Finalize();
    if (rank != 0) {
        ipsim_calibration_destroy(c);
        return ipsim_status_exit_code(st);
    }
#else
    st = ipsim_calibrate_run(c, o->output, &co, &res, err, sizeof err);
#endif
    if (ps.drawn)
        fputs("\r\033[K", stderr);
    ipsim_calibration_destroy(c);
    rc = ipsim_status_exit_code(st);
    if (res.generations_before > 0 && !o->quiet)
        cli_msg("resumed: %d generation(s) read back from the journal", res.generations_before);
    if (st == IPSIM_ERR_INTERRUPTED) {
        cli_msg("interrupted%s after %d generation(s); they are kept in %s.journal: continue "
                "with --resume",
                cli_stop_signal() == SIGTERM  ? " (SIGTERM)"
                : cli_stop_signal() == SIGINT ? " (SIGINT)"
                                              : "",
                res.generations, o->output);
        return rc;
    }
    if (st != IPSIM_OK)
        return cli_fail(st, err, st == IPSIM_ERR_EXISTS ? "use --resume or --force" : NULL);
    if (!o->quiet) {
        cli_msg("%s: %d generation(s), %ld simulations, %.1f s; stopped: %s -> %s", o->output,
                res.generations, res.simulations, res.wall_seconds, res.stop_reason, o->output);
        rc = print_info(o->output);
    }
    return rc;
}
