/*
 * cli.h - the commands of the `ipsim` program and how they find each other.
 *
 * main.c holds the command table and dispatches to the command functions
 * (cmd_run.c, cmd_inspect.c, cmd_sweep.c, cmd_export.c, help.c); help.c holds every help
 * text. The program reaches the simulator only through the public API in
 * include/ipsim/. Functions shared between the program's files start with
 * cli_ (they are the program's, never the library's).
 */
#ifndef IPSIM_CLI_CLI_H
#define IPSIM_CLI_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "cli/options.h"

#define CLI_ERRLEN 2048 /* message buffer handed to the library */

/* One command: its name, the CLI_* bit that selects its options in the
 * option table, its function, how many arguments it takes, and its help. */
struct cli_command {
    const char *name;
    unsigned id; /* CLI_RUN, CLI_VALIDATE, ... (options.h) */
    int (*fn)(const cli_command *cmd, cli_options *o);
    int min_args, max_args;
    const char *arg_name; /* the positional argument, for messages */
    const char *summary;  /* one line for the command list */
    const char *help;     /* the full help text */
};

/* The command table (main.c): the command called name, or NULL; and the
 * whole table in the order of the command list of --help. */
const cli_command *cli_find_command(const char *name);
const cli_command *cli_commands(size_t *n);

/* The commands. Each gets its parsed options and returns the exit code. */
int cli_cmd_run(const cli_command *cmd, cli_options *o);      /* cmd_run.c */
int cli_cmd_validate(const cli_command *cmd, cli_options *o); /* cmd_inspect.c */
int cli_cmd_resolve(const cli_command *cmd, cli_options *o);
int cli_cmd_info(const cli_command *cmd, cli_options *o);
int cli_cmd_schema(const cli_command *cmd, cli_options *o);
int cli_cmd_sweep(const cli_command *cmd, cli_options *o); /* cmd_sweep.c */
int cli_cmd_compare(const cli_command *cmd, cli_options *o);
int cli_cmd_merge(const cli_command *cmd, cli_options *o);
int cli_cmd_help(const cli_command *cmd, cli_options *o);      /* help.c */
int cli_cmd_calibrate(const cli_command *cmd, cli_options *o); /* cmd_calibrate.c */
int cli_cmd_export(const cli_command *cmd, cli_options *o);    /* cmd_export.c */
int cli_cmd_optimize(const cli_command *cmd, cli_options *o);  /* cmd_optimize.c */

/* Help texts (help.c), one per command. */
extern const char cli_help_run[], cli_help_validate[], cli_help_resolve[], cli_help_info[],
    cli_help_schema[], cli_help_sweep[], cli_help_compare[], cli_help_merge[], cli_help_help[],
    cli_help_calibrate[], cli_help_export[], cli_help_optimize[];

/* Print the overview (--help), the help of one command, the version line. */
void cli_print_main_help(FILE *f);
void cli_print_command_help(const cli_command *cmd, FILE *f);
void cli_print_version(void);

#endif /* IPSIM_CLI_CLI_H */
