/*
 * options.c - the one option table of the `ipsim` program and its parser.
 *
 * Each row of option_table gives an option's long name, its short form (if
 * any), whether it takes a value, and the commands that accept it. The
 * getopt_long tables of a command are made from the rows it accepts, so an
 * option is declared once for every command. Values are parsed strictly
 * (no sign, no trailing text, range-checked); a bad one is a usage error
 * naming the option, the value and what was expected.
 */
#define _GNU_SOURCE /* getopt_long */

#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "ipsim/ipsim.h"

/* Values getopt_long returns for options without a short form. */
enum {
    OPT_SEED = 1000,
    OPT_REPLICATE,
    OPT_THREADS,
    OPT_SCALE,
    OPT_DAYS,
    OPT_SET,
    OPT_MAX_MEMORY,
    OPT_FORCE,
    OPT_REPLICATES,
    OPT_RESUME,
    OPT_SHARD,
    OPT_DRY_RUN,
    OPT_TABLE,
    OPT_LIST,
    OPT_POSTERIOR,
    OPT_DRAWS,
    OPT_ARM
};

#define RUNS (CLI_RUN | CLI_SWEEP | CLI_COMPARE) /* commands that run models */
#define SWEEPS (CLI_SWEEP | CLI_COMPARE)         /* commands that run experiments */
#define ALL_COMMANDS \
    (CLI_RUN | CLI_VALIDATE | CLI_RESOLVE | CLI_INFO | CLI_SCHEMA | CLI_SWEEP | CLI_COMPARE | \
     CLI_MERGE | CLI_HELP | CLI_CALIBRATE | CLI_EXPORT | CLI_OPTIMIZE)

#define MAX_LONG_OPTIONS 32 /* rows of option_table, plus the terminator */
#define OPTSTRING_LEN 64    /* ":" + short forms + their ':' marks */
#define NAME_LEN 64         /* an option's name in a message */

#define MAX_THREADS 4096
#define MAX_REPLICATES 100000
#define MAX_SHARDS 1000000

typedef struct {
    const char *name;  /* long form: --name */
    char short_name;   /* short form -c, or 0 */
    int has_arg;       /* no_argument or required_argument */
    int val;           /* what getopt_long returns: short_name, or an OPT_* */
    unsigned commands; /* CLI_* bits of the commands that accept it */
} option_spec;

static const option_spec option_table[] = {
    {"output", 'o', required_argument, 'o', RUNS | CLI_CALIBRATE | CLI_EXPORT | CLI_OPTIMIZE},
    {"seed", 0, required_argument, OPT_SEED, CLI_RUN | CLI_CALIBRATE},
    {"replicate", 0, required_argument, OPT_REPLICATE, CLI_RUN},
    {"replicates", 0, required_argument, OPT_REPLICATES, SWEEPS},
    {"threads", 0, required_argument, OPT_THREADS, RUNS | CLI_CALIBRATE | CLI_OPTIMIZE},
    {"scale", 0, required_argument, OPT_SCALE, RUNS},
    {"days", 0, required_argument, OPT_DAYS, CLI_RUN},
    {"set", 0, required_argument, OPT_SET, CLI_RUN | CLI_VALIDATE | CLI_RESOLVE | SWEEPS | CLI_OPTIMIZE},
    {"max-memory", 0, required_argument, OPT_MAX_MEMORY, RUNS | CLI_OPTIMIZE},
    {"resume", 0, no_argument, OPT_RESUME, SWEEPS | CLI_CALIBRATE},
    {"dry-run", 0, no_argument, OPT_DRY_RUN, SWEEPS | CLI_CALIBRATE | CLI_OPTIMIZE},
    {"shard", 0, required_argument, OPT_SHARD, SWEEPS},
    {"force", 0, no_argument, OPT_FORCE, RUNS | CLI_MERGE | CLI_CALIBRATE | CLI_EXPORT | CLI_OPTIMIZE},
    {"table", 0, required_argument, OPT_TABLE, CLI_EXPORT},
    {"list", 0, no_argument, OPT_LIST, CLI_EXPORT},
    {"posterior", 0, required_argument, OPT_POSTERIOR, SWEEPS | CLI_OPTIMIZE},
    {"draws", 0, required_argument, OPT_DRAWS, SWEEPS | CLI_OPTIMIZE},
    {"arm", 0, required_argument, OPT_ARM, SWEEPS},
    {"quiet", 'q', no_argument, 'q', ALL_COMMANDS},
    {"verbose", 'v', no_argument, 'v', ALL_COMMANDS & ~CLI_MERGE},
    {"help", 'h', no_argument, 'h', ALL_COMMANDS},
};
#define N_OPTIONS (sizeof option_table / sizeof option_table[0])

_Static_assert(N_OPTIONS < MAX_LONG_OPTIONS, "MAX_LONG_OPTIONS too small for option_table");

/* ------------------------------------------------------------------------ */
/* Strict number parsing                                                     */
/* ------------------------------------------------------------------------ */

/* Decimal unsigned integer without sign or spaces, <= max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v > max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* Finite decimal number > 0. */
static int parse_positive_double(const char *s, double *out)
{
    char *end;
    double v;
    if (!s || !(*s == '.' || (*s >= '0' && *s <= '9')))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno == ERANGE || *end != '\0' || !isfinite(v) || v <= 0.0)
        return -1;
    *out = v;
    return 0;
}

/* Bytes with an optional binary suffix K, M, G, T (optionally followed by
 * "B" or "iB", any case): "512M", "2G", "1.5GiB", "1000000". */
static int parse_bytes(const char *s, double *out)
{
    char *end;
    double v, mult = 1.0;
    if (!s || !(*s == '.' || (*s >= '0' && *s <= '9')))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno == ERANGE || !isfinite(v) || v < 0.0)
        return -1;
    switch (*end) {
    case 'k':
    case 'K':
        mult = 1024.0;
        end++;
        break;
    case 'm':
    case 'M':
        mult = 1024.0 * 1024.0;
        end++;
        break;
    case 'g':
    case 'G':
        mult = 1024.0 * 1024.0 * 1024.0;
        end++;
        break;
    case 't':
    case 'T':
        mult = 1024.0 * 1024.0 * 1024.0 * 1024.0;
        end++;
        break;
    default: break;
    }
    if (mult > 1.0) {
        if ((end[0] == 'i' || end[0] == 'I') && (end[1] == 'b' || end[1] == 'B'))
            end += 2;
        else if (end[0] == 'b' || end[0] == 'B')
            end++;
    } else if (end[0] == 'b' || end[0] == 'B') {
        end++;
    }
    if (*end != '\0')
        return -1;
    *out = v * mult;
    return 0;
}

/* "K/N" with 1 <= K <= N <= MAX_SHARDS. */
static int parse_shard(const char *s, int *k_out, int *n_out)
{
    unsigned long long k = 0, n = 0;
    char tail = 0;
    if (sscanf(s, "%llu/%llu%c", &k, &n, &tail) != 2 || n < 1 || n > MAX_SHARDS || k < 1 || k > n ||
        s[0] < '0' || s[0] > '9')
        return -1;
    *k_out = (int)k;
    *n_out = (int)n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The getopt tables of one command                                          */
/* ------------------------------------------------------------------------ */

/* The long options and the short-option string (":" first, so that a
 * missing value is reported as ':') of the rows that command id accepts. */
static void command_tables(unsigned id, struct option *longs, char *optstr)
{
    size_t i, n = 0, k = 0;
    optstr[k++] = ':';
    for (i = 0; i < N_OPTIONS; i++) {
        const option_spec *sp = &option_table[i];
        if (!(sp->commands & id))
            continue;
        longs[n].name = sp->name;
        longs[n].has_arg = sp->has_arg;
        longs[n].flag = NULL;
        longs[n].val = sp->val;
        n++;
        if (sp->short_name) {
            optstr[k++] = sp->short_name;
            if (sp->has_arg == required_argument)
                optstr[k++] = ':';
        }
    }
    memset(&longs[n], 0, sizeof longs[n]);
    optstr[k] = '\0';
}

/* Name of option c as the user typed it (for messages). */
static const char *option_name(const struct option *longs, int c, char *buf, size_t len)
{
    const struct option *lo;
    for (lo = longs; lo->name; lo++)
        if (lo->val == c) {
            snprintf(buf, len, "--%s", lo->name);
            return buf;
        }
    snprintf(buf, len, "-%c", c);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */
/* ------------------------------------------------------------------------ */

/* Store the value of option c in o. Returns -1 to go on, else an exit code. */
static int take_option(const cli_command *cmd, int c, const char *arg, cli_options *o)
{
    uint64_t u;
    switch (c) {
    case 'q': o->quiet = 1; break;
    case 'v': o->verbose++; break;
    case 'o': o->output = arg; break;
    case OPT_FORCE: o->force = 1; break;
    case OPT_SET: o->sets[o->n_sets++] = arg; break;
    case OPT_ARM: o->arms[o->n_arms++] = arg; break;
    case OPT_SEED:
        if (parse_u64(arg, UINT64_MAX, &o->seed) != 0)
            return cli_usage_error(cmd->name,
                                   "--seed '%s': expected a decimal integer from 0 to "
                                   "18446744073709551615",
                                   arg);
        o->seed_set = 1;
        break;
    case OPT_REPLICATE:
        if (parse_u64(arg, UINT32_MAX, &u) != 0)
            return cli_usage_error(cmd->name,
                                   "--replicate '%s': expected a decimal integer from 0 "
                                   "to 4294967295",
                                   arg);
        o->replicate = (uint32_t)u;
        break;
    case OPT_THREADS:
        if (parse_u64(arg, MAX_THREADS, &u) != 0)
            return cli_usage_error(cmd->name,
                                   "--threads '%s': expected a whole number from 0 "
                                   "(OpenMP default) to 4096",
                                   arg);
        o->threads = (int)u;
        break;
    case OPT_SCALE:
        if (parse_positive_double(arg, &o->scale) != 0)
            return cli_usage_error(cmd->name,
                                   "--scale '%s': expected a number of people per "
                                   "agent > 0, such as 1000",
                                   arg);
        break;
    case OPT_DAYS:
        if (parse_u64(arg, INT_MAX, &u) != 0 || u == 0)
            return cli_usage_error(cmd->name, "--days '%s': expected a whole number of days >= 1",
                                   arg);
        o->days = (int)u;
        break;
    case OPT_REPLICATES:
        if (parse_u64(arg, MAX_REPLICATES, &u) != 0 || u == 0)
            return cli_usage_error(cmd->name,
                                   "--replicates '%s': expected a whole number from 1 "
                                   "to 100000",
                                   arg);
        o->replicates = (int)u;
        break;
    case OPT_RESUME: o->resume = 1; break;
    case OPT_POSTERIOR: o->posterior = arg; break;
    case OPT_DRAWS:
        if (parse_u64(arg, MAX_REPLICATES, &u) != 0 || u == 0)
            return cli_usage_error(cmd->name,
                                   "--draws '%s': expected a whole number of posterior draws "
                                   "from 1 to 100000",
                                   arg);
        o->draws = (int)u;
        break;
    case OPT_DRY_RUN: o->dry_run = 1; break;
    case OPT_TABLE: o->table = arg; break;
    case OPT_LIST: o->list = 1; break;
    case OPT_SHARD:
        if (parse_shard(arg, &o->shard_k, &o->shard_n) != 0)
            return cli_usage_error(cmd->name,
                                   "--shard '%s': expected K/N with 1 <= K <= N, such "
                                   "as 2/8",
                                   arg);
        break;
    case OPT_MAX_MEMORY:
        if (parse_bytes(arg, &o->max_memory) != 0)
            return cli_usage_error(cmd->name,
                                   "--max-memory '%s': expected bytes with an optional "
                                   "K, M, G or T suffix, such as 8G (0 = no limit)",
                                   arg);
        o->max_memory_set = 1;
        break;
    default: break;
    }
    return -1;
}

int cli_parse_options(const cli_command *cmd, int argc, char **argv, cli_options *o)
{
    struct option longs[MAX_LONG_OPTIONS];
    char optstr[OPTSTRING_LEN];
    char name[NAME_LEN];
    int c, rc;

    command_tables(cmd->id, longs, optstr);
    opterr = 0;
    optind = 1;
    o->sets = calloc((size_t)argc + 1, sizeof *o->sets);
    o->arms = calloc((size_t)argc + 1, sizeof *o->arms);
    if (!o->sets || !o->arms) {
        cli_msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    while ((c = getopt_long(argc, argv, optstr, longs, NULL)) != -1) {
        switch (c) {
        case 'h': cli_print_command_help(cmd, stdout); return 0;
        case ':':
            return cli_usage_error(cmd->name, "option %s needs a value",
                                   optopt ? option_name(longs, optopt, name, sizeof name)
                                          : argv[optind - 1]);
        case '?':
            if (optopt && optopt < 256)
                return cli_usage_error(cmd->name, "unknown option '-%c'", optopt);
            return cli_usage_error(cmd->name, "unknown option '%s'", argv[optind - 1]);
        default:
            if ((rc = take_option(cmd, c, optarg, o)) >= 0)
                return rc;
            break;
        }
    }
    if ((cmd->id & RUNS) && o->output && (rc = cli_refuse_csv_output(o->output)) != 0)
        return rc; /* run, sweep, compare write HDF5: CSV is 'ipsim export' */
    o->args = argv + optind;
    o->n_args = argc - optind;
    if (o->n_args < cmd->min_args)
        return cli_usage_error(cmd->name, "missing %s", cmd->arg_name);
    if (o->n_args > cmd->max_args)
        return cli_usage_error(cmd->name, "unexpected argument '%s'", o->args[cmd->max_args]);
    return -1;
}

void cli_options_free(cli_options *o)
{
    free(o->sets);
    o->sets = NULL;
    free(o->arms);
    o->arms = NULL;
}
