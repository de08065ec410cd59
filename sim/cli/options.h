/*
 * options.h - the options of the `ipsim` program: what the command line set
 * (cli_options) and the parser that fills it from the one option table of
 * options.c. Part of the program, not of the library.
 */
#ifndef IPSIM_CLI_OPTIONS_H
#define IPSIM_CLI_OPTIONS_H

#include <stdint.h>

/* One bit per command; the option table says which commands take an option. */
enum {
    CLI_RUN = 1u << 0,
    CLI_VALIDATE = 1u << 1,
    CLI_RESOLVE = 1u << 2,
    CLI_INFO = 1u << 3,
    CLI_SCHEMA = 1u << 4,
    CLI_SWEEP = 1u << 5,
    CLI_COMPARE = 1u << 6,
    CLI_MERGE = 1u << 7,
    CLI_HELP = 1u << 8,
    CLI_CALIBRATE = 1u << 9,
    CLI_EXPORT = 1u << 10,
    CLI_OPTIMIZE = 1u << 11
};

/* Everything the command line of one command set; zero = not given. */
typedef struct {
    const char *output; /* -o */
    int seed_set;
    uint64_t seed;
    uint32_t replicate;
    int threads;
    double scale;
    int days;
    int max_memory_set;
    double max_memory;
    int quiet, verbose, force;
    const char **sets; /* --set assignments, in order (owned; cli_options_free) */
    int n_sets;
    const char **arms; /* sweep, compare: --arm NAME:PATH=VALUE, in order (owned) */
    int n_arms;
    int n_args; /* positional arguments (point into argv) */
    char **args;
    int replicates;       /* sweep, compare: 0 = the experiment's */
    int resume;           /* sweep: continue from the journal */
    int shard_k, shard_n; /* sweep: --shard K/N */
    int dry_run;          /* sweep, compare: check only */
    const char *table;    /* export: --table NAME[,NAME...] */
    int list;             /* export: --list the tables */
    const char *posterior; /* sweep, compare, optimize: --posterior POSTERIOR.h5 */
    int draws;             /* sweep, compare, optimize: --draws K (0 = default) */
} cli_options;

typedef struct cli_command cli_command;

/* Parse the options and arguments of cmd into o (zero-initialised by the
 * caller); argv[0] is the command name. Only the options the table gives
 * to cmd are accepted, and the number of arguments must be within cmd's
 * bounds. Returns -1 to go on, else the exit code to stop with: 0 after
 * --help (the help is printed), 64 after a usage error and 71 when out of
 * memory (both reported on stderr). */
int cli_parse_options(const cli_command *cmd, int argc, char **argv, cli_options *o);

/* Free what cli_parse_options allocated in o (o itself is the caller's). */
void cli_options_free(cli_options *o);

#endif /* IPSIM_CLI_OPTIONS_H */
