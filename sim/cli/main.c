/*
 * main.c - the `ipsim` command-line program: the command table and the
 * dispatch of argv[1] to a command.
 *
 * The program is sim/cli/ and reaches the simulator only through the public
 * API (include/ipsim/). Data go to stdout, diagnostics to stderr prefixed
 * "ipsim: " (console.c), and the exit status is a sysexits(3) code
 * (ipsim_status_exit_code). Options are declared once, in the option table
 * of options.c; the commands live in cmd_run.c (run), cmd_inspect.c
 * (validate, resolve, info, schema), cmd_sweep.c (sweep, compare, merge),
 * cmd_export.c (export), cmd_optimize.c (optimize) and help.c (help, with every help text); summary.c prints their summaries.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cli.h"
#include "cli/console.h"

/* Memory that a run frees is kept for the next one: a sweep creates and
 * destroys a model per unit, and glibc gave each of its tables (the
 * outputs, 1.7 MB at one year; a scenario, 0.9 MB) fresh pages from the
 * kernel (mmap above 128 KiB, and the heap's top trimmed at each free),
 * so every unit paid its page faults again: a sixth of the CPU of a sweep
 * of 60-agent units (issue 13). Blocks up to MALLOC_KEEP_BYTES come from
 * the heap and up to twice that stays free in it; larger ones (the agents
 * of a big run) are still mapped and returned at once. */
#define MALLOC_KEEP_BYTES (32 * 1024 * 1024)
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, MALLOC_KEEP_BYTES);
    mallopt(M_TRIM_THRESHOLD, 2 * MALLOC_KEEP_BYTES);
#endif
}

/* OpenMP threads wait passively (sleep in the kernel) at the end of a
 * parallel region unless the user set OMP_WAIT_POLICY (or GOMP_SPINCOUNT):
 * spinning threads burn a core each between a run's days and compete with
 * the other runs of a sweep or of the machine (README.md, section Threads;
 * measured on the loaded 2-core machine, 1 M agents on 2 threads: 9-11 s
 * passive, 20-21 s spinning, 10.4 s on 1 thread). libgomp
 * reads its environment when it is loaded, before main, so this is set
 * from the program's .preinit_array, which runs before the constructors
 * of the shared libraries (ELF; glibc). */
static void passive_wait_default(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    (void)envp;
    if (!getenv("GOMP_SPINCOUNT")) /* the user tuned libgomp's spinning: keep it */
        setenv("OMP_WAIT_POLICY", "passive", 0); /* 0: a user's setting wins */
}
#if defined(__ELF__) && defined(__GNUC__)
__attribute__((section(".preinit_array"), used)) static void (*const preinit_wait_policy)(
    int, char **, char **) = passive_wait_default;
#endif

static const cli_command commands[] = {
    {"run", CLI_RUN, cli_cmd_run, 1, 1, "the scenario file (SCENARIO.json)",
     "run a scenario and write the results to an HDF5 file", cli_help_run},
    {"validate", CLI_VALIDATE, cli_cmd_validate, 1, 1, "the scenario file (SCENARIO.json)",
     "check a scenario and print a one-line summary", cli_help_validate},
    {"resolve", CLI_RESOLVE, cli_cmd_resolve, 1, 1, "the scenario file (SCENARIO.json)",
     "print the resolved scenario (base merged, defaults filled) as JSON", cli_help_resolve},
    {"info", CLI_INFO, cli_cmd_info, 1, 1, "the result file (OUT.h5)", "describe a result file",
     cli_help_info},
    {"schema", CLI_SCHEMA, cli_cmd_schema, 0, 0, "", "print the JSON Schema of scenario files",
     cli_help_schema},
    {"sweep", CLI_SWEEP, cli_cmd_sweep, 1, 1, "the experiment file (EXPERIMENT.json)",
     "run an experiment (design x replicates), analyse it, write a sweep file", cli_help_sweep},
    {"compare", CLI_COMPARE, cli_cmd_compare, 2, INT_MAX, "the scenario files (BASE.json ARM.json...)",
     "paired comparison of scenario files against the first", cli_help_compare},
    {"merge", CLI_MERGE, cli_cmd_merge, 2, INT_MAX, "the output and shard files (OUT.h5 SHARD.h5...)",
     "join the shard files of a sweep", cli_help_merge},
    {"calibrate", CLI_CALIBRATE, cli_cmd_calibrate, 1, 1, "the calibration file (CALIBRATION.json)",
     "fit scenario parameters to observed figures (ABC-SMC), write a posterior file",
     cli_help_calibrate},
    {"export", CLI_EXPORT, cli_cmd_export, 1, 1, "the result file (OUT.h5)",
     "write a run or sweep file as CSV tables (pandas, R, spreadsheets, EMA Workbench)",
     cli_help_export},
    {"optimize", CLI_OPTIMIZE, cli_cmd_optimize, 1, 1, "the allocation problem (PROBLEM.json)",
     "split a campaign budget to maximise an outcome (NLopt), compare with plans",
     cli_help_optimize},
    {"help", CLI_HELP, cli_cmd_help, 0, 1, "", "show the help of a command", cli_help_help},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

const cli_command *cli_find_command(const char *name)
{
    size_t i;
    for (i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

const cli_command *cli_commands(size_t *n)
{
    *n = N_COMMANDS;
    return commands;
}

/* rc, or an I/O error if stdout could not be written (a full disk, a
 * closed pipe). */
static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_msg("error writing to standard output: %s", strerror(errno));
        if (rc == 0)
            rc = ipsim_status_exit_code(IPSIM_ERR_IO);
    }
    return rc;
}

int main(int argc, char **argv)
{
    const cli_command *cmd;
    cli_options o;
    int rc;

    keep_freed_memory();
    if (argc < 2) {
        fputs("Usage: ipsim COMMAND [OPTION]... [ARGUMENT]...\n", stderr);
        return cli_usage_error(NULL, "missing command (run, validate, resolve, info, schema, sweep, "
                                     "compare, merge, export, optimize, help)");
    }
    if (argv[1][0] == '-') {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            cli_print_main_help(stdout);
            return finish(0);
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
            cli_print_version();
            return finish(0);
        }
        return cli_usage_error(NULL, "unknown option '%s' (options go after the command)", argv[1]);
    }
    cmd = cli_find_command(argv[1]);
    if (!cmd)
        return cli_usage_error(NULL,
                               "unknown command '%s' (commands: run, validate, resolve, info, "
                               "schema, sweep, compare, merge, export, optimize, help)",
                               argv[1]);

    memset(&o, 0, sizeof o);
    rc = cli_parse_options(cmd, argc - 1, argv + 1, &o);
    if (rc < 0)
        rc = cmd->fn(cmd, &o);
    cli_options_free(&o);
    return finish(rc);
}
