/*
 * main.c - the `ipsim` command-line program.
 *
 * Only the command line lives here: argument parsing, messages, progress and
 * signals. Everything else goes through the public API in ipsim/ipsim.h.
 * Data goes to stdout, diagnostics to stderr prefixed "ipsim: ", and the exit
 * status is a sysexits(3) code (ipsim_status_exit_code).
 *
 * Commands (see the table `commands` below): run, validate, resolve, info,
 * schema, help; sweep, compare and merge run experiments (ipsim/experiment.h).
 */
#define _GNU_SOURCE /* getopt_long, sigaction, isatty, mkstemp, clock_gettime */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"
#ifdef IPSIM_HAVE_MPI
#include <mpi.h>
#endif

#define EXIT_USAGE 64   /* = ipsim_status_exit_code(IPSIM_ERR_USAGE) */
#define ERRLEN 2048
#define N_SEGMENTS 2    /* the [segment] axis of daily metrics: cec, mainstream */

static const char *const segment_labels[N_SEGMENTS] = {"CEC", "mainstream"};

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

static int g_progress_shown; /* a progress line is on stderr and must be cleared */

static void clear_progress_line(void)
{
    if (g_progress_shown) {
        fputs("\r\033[K", stderr);
        g_progress_shown = 0;
    }
}

/* "ipsim: " + message + newline on stderr. */
static void msg(const char *fmt, ...)
{
    va_list ap;
    clear_progress_line();
    fputs("ipsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A usage error of COMMAND: message, pointer to the help, exit code 64. */
static int usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fputs("ipsim: ", stderr);
    if (command)
        fprintf(stderr, "%s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (command)
        fprintf(stderr, "\nipsim: see 'ipsim help %s'\n", command);
    else
        fputs("\nipsim: see 'ipsim --help'\n", stderr);
    return EXIT_USAGE;
}

/* Library failure: the library's message (or the status name) and a hint. */
static int fail(ipsim_status st, const char *err, const char *hint)
{
    if (err && *err)
        msg("%s", err);
    else
        msg("%s", ipsim_strerror(st));
    if (hint && *hint)
        msg("%s", hint);
    return ipsim_status_exit_code(st);
}

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
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = 1024.0 * 1024.0; end++; break;
    case 'g': case 'G': mult = 1024.0 * 1024.0 * 1024.0; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024.0 * 1024.0 * 1024.0; end++; break;
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

/* ------------------------------------------------------------------------ */
/* Formatting                                                                */
/* ------------------------------------------------------------------------ */

/* Round to an integer and group thousands: 1234567.4 -> "1,234,567". */
static const char *fmt_int(double x, char *buf, size_t len)
{
    char digits[64];
    size_t n, i, o = 0, lead;
    int neg;
    if (!isfinite(x)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    neg = x < 0.0;
    snprintf(digits, sizeof digits, "%.0f", fabs(x));
    n = strlen(digits);
    if (neg && strcmp(digits, "0") != 0 && o + 1 < len)
        buf[o++] = '-';
    lead = n % 3 ? n % 3 : 3;
    for (i = 0; i < n && o + 2 < len; i++) {
        if (i > 0 && i >= lead && (i - lead) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *fmt_share(double num, double den, char *buf, size_t len)
{
    if (den > 0.0 && isfinite(num) && isfinite(den))
        snprintf(buf, len, "%.1f%%", 100.0 * num / den);
    else
        snprintf(buf, len, "n/a");
    return buf;
}

/* Compact scientific notation: 3.1e8, 7.3e5, 0 */
static const char *fmt_rate(double x, char *buf, size_t len)
{
    char tmp[32], *e;
    if (!(x > 0.0) || !isfinite(x)) {
        snprintf(buf, len, "0");
        return buf;
    }
    snprintf(tmp, sizeof tmp, "%.1e", x);
    e = strchr(tmp, 'e');
    if (e)
        snprintf(buf, len, "%.*se%d", (int)(e - tmp), tmp, atoi(e + 1));
    else
        snprintf(buf, len, "%s", tmp);
    return buf;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* Signals, progress, log                                                    */
/* ------------------------------------------------------------------------ */

static volatile sig_atomic_t g_stop; /* signal number that asked us to stop */

static void on_signal(int signo)
{
    g_stop = signo;
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* A second Ctrl-C kills at once (default action restored). */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct {
    int show;             /* draw the progress line */
    double t0, last_draw; /* monotonic seconds */
    double t_days;        /* when the simulated days began (after any warm-up) */
    double agents;
} progress_state;

static int on_progress(void *userdata, int day_done, int days_total)
{
    progress_state *p = userdata;
    if (g_stop)
        return 1;
    if (p->show && days_total > 0) {
        double t = now_seconds();
        if (day_done <= 0)
            p->t_days = t; /* still warming up */
        if (t - p->last_draw >= 0.1 || day_done == days_total) {
            enum { WIDTH = 20 };
            char bar[WIDTH + 1];
            double el = t - p->t_days, frac = (double)day_done / days_total;
            double rate = el > 0.0 ? p->agents * day_done / el : 0.0;
            double eta = day_done > 0 ? el * (days_total - day_done) / day_done : 0.0;
            int filled = (int)(frac * WIDTH + 0.5), i;
            for (i = 0; i < WIDTH; i++)
                bar[i] = i < filled ? '#' : '.';
            bar[WIDTH] = '\0';
            char rbuf[32];
            if (day_done <= 0)
                fprintf(stderr, "\r[%s] %3d%%  day 0/%d  warming up\033[K", bar, 0, days_total);
            else
                fprintf(stderr, "\r[%s] %3d%%  day %d/%d  %s agent-days/s  ETA %.0fs\033[K", bar,
                        (int)(100.0 * frac), day_done, days_total,
                        fmt_rate(rate, rbuf, sizeof rbuf), eta);
            fflush(stderr);
            g_progress_shown = 1;
            p->last_draw = t;
        }
    }
    return 0;
}

typedef struct {
    int verbose; /* 0: warnings; 1: + info; 2: + debug */
    int quiet;   /* nothing */
} log_state;

static void on_log(void *userdata, ipsim_log_level level, const char *message)
{
    const log_state *l = userdata;
    if (l->quiet)
        return;
    if (level == IPSIM_LOG_WARN)
        msg("warning: %s", message);
    else if (level == IPSIM_LOG_INFO && l->verbose >= 1)
        msg("%s", message);
    else if (level == IPSIM_LOG_DEBUG && l->verbose >= 2)
        msg("debug: %s", message);
}

/* ------------------------------------------------------------------------ */
/* Options shared by the commands                                            */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *output;
    int seed_set;
    uint64_t seed;
    uint32_t replicate;
    int threads;
    double scale;
    int days;
    int max_memory_set;
    double max_memory;
    int quiet, verbose, force;
    const char **sets;
    int n_sets;
    int n_args;
    char **args;
    int replicates;         /* sweep, compare: 0 = the experiment's */
    int resume;             /* sweep: continue from the journal */
    int shard_k, shard_n;   /* sweep: --shard K/N */
    int dry_run;            /* sweep, compare: check only */
} cli_options;

enum {
    OPT_SEED = 1000, OPT_REPLICATE, OPT_THREADS, OPT_SCALE, OPT_DAYS, OPT_SET, OPT_MAX_MEMORY,
    OPT_FORCE, OPT_REPLICATES, OPT_RESUME, OPT_SHARD, OPT_DRY_RUN
};

typedef struct command command;
struct command {
    const char *name;
    int (*fn)(const command *cmd, cli_options *o);
    const char *short_opts;
    const struct option *long_opts;
    int min_args, max_args;
    const char *arg_name; /* the positional argument, for messages */
    const char *summary; /* one line for the command list */
    const char *help;    /* the full help text */
};

static const struct option run_long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"seed", required_argument, NULL, OPT_SEED},
    {"replicate", required_argument, NULL, OPT_REPLICATE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"days", required_argument, NULL, OPT_DAYS},
    {"set", required_argument, NULL, OPT_SET},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"force", no_argument, NULL, OPT_FORCE},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const struct option sweep_long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"replicates", required_argument, NULL, OPT_REPLICATES},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"force", no_argument, NULL, OPT_FORCE},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const struct option merge_long_opts[] = {
    {"force", no_argument, NULL, OPT_FORCE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const struct option set_long_opts[] = {
    {"set", required_argument, NULL, OPT_SET},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const struct option plain_long_opts[] = {
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static void print_command_help(const command *cmd, FILE *f);

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

/* Parse argv (argv[0] is the command name). Returns -1 to go on, else an
 * exit code (0 after --help). */
static int parse_options(const command *cmd, int argc, char **argv, cli_options *o)
{
    char optstr[64];
    char name[64];
    int c;
    uint64_t u;

    snprintf(optstr, sizeof optstr, ":%s", cmd->short_opts);
    opterr = 0;
    optind = 1;
    o->sets = calloc((size_t)argc + 1, sizeof *o->sets);
    if (!o->sets) {
        msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    while ((c = getopt_long(argc, argv, optstr, cmd->long_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            print_command_help(cmd, stdout);
            return 0;
        case 'q': o->quiet = 1; break;
        case 'v': o->verbose++; break;
        case 'o': o->output = optarg; break;
        case OPT_FORCE: o->force = 1; break;
        case OPT_SET: o->sets[o->n_sets++] = optarg; break;
        case OPT_SEED:
            if (parse_u64(optarg, UINT64_MAX, &o->seed) != 0)
                return usage_error(cmd->name, "--seed '%s': expected a decimal integer from 0 to "
                                   "18446744073709551615", optarg);
            o->seed_set = 1;
            break;
        case OPT_REPLICATE:
            if (parse_u64(optarg, UINT32_MAX, &u) != 0)
                return usage_error(cmd->name, "--replicate '%s': expected a decimal integer from 0 "
                                   "to 4294967295", optarg);
            o->replicate = (uint32_t)u;
            break;
        case OPT_THREADS:
            if (parse_u64(optarg, 4096, &u) != 0)
                return usage_error(cmd->name, "--threads '%s': expected a whole number from 0 "
                                   "(OpenMP default) to 4096", optarg);
            o->threads = (int)u;
            break;
        case OPT_SCALE:
            if (parse_positive_double(optarg, &o->scale) != 0)
                return usage_error(cmd->name, "--scale '%s': expected a number of people per "
                                   "agent > 0, such as 1000", optarg);
            break;
        case OPT_DAYS:
            if (parse_u64(optarg, INT_MAX, &u) != 0 || u == 0)
                return usage_error(cmd->name, "--days '%s': expected a whole number of days >= 1",
                                   optarg);
            o->days = (int)u;
            break;
        case OPT_REPLICATES:
            if (parse_u64(optarg, 100000, &u) != 0 || u == 0)
                return usage_error(cmd->name, "--replicates '%s': expected a whole number from 1 "
                                   "to 100000", optarg);
            o->replicates = (int)u;
            break;
        case OPT_RESUME: o->resume = 1; break;
        case OPT_DRY_RUN: o->dry_run = 1; break;
        case OPT_SHARD: {
            unsigned long long k = 0, n = 0;
            char tail = 0;
            if (sscanf(optarg, "%llu/%llu%c", &k, &n, &tail) != 2 || n < 1 || n > 1000000 ||
                k < 1 || k > n || optarg[0] < '0' || optarg[0] > '9')
                return usage_error(cmd->name, "--shard '%s': expected K/N with 1 <= K <= N, such "
                                   "as 2/8", optarg);
            o->shard_k = (int)k;
            o->shard_n = (int)n;
            break;
        }
        case OPT_MAX_MEMORY:
            if (parse_bytes(optarg, &o->max_memory) != 0)
                return usage_error(cmd->name, "--max-memory '%s': expected bytes with an optional "
                                   "K, M, G or T suffix, such as 8G (0 = no limit)", optarg);
            o->max_memory_set = 1;
            break;
        case ':':
            return usage_error(cmd->name, "option %s needs a value",
                               optopt ? option_name(cmd->long_opts, optopt, name, sizeof name)
                                      : argv[optind - 1]);
        case '?':
        default:
            if (optopt && optopt < 256)
                return usage_error(cmd->name, "unknown option '-%c'", optopt);
            return usage_error(cmd->name, "unknown option '%s'", argv[optind - 1]);
        }
    }
    o->args = argv + optind;
    o->n_args = argc - optind;
    if (o->n_args < cmd->min_args)
        return usage_error(cmd->name, "missing %s", cmd->arg_name);
    if (o->n_args > cmd->max_args)
        return usage_error(cmd->name, "unexpected argument '%s'", o->args[cmd->max_args]);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Scenario helpers                                                          */
/* ------------------------------------------------------------------------ */

/* Load PATH and apply the --set overrides. Returns 0 or an exit code. */
static int load_scenario(const char *path, const cli_options *o, int hint_validate,
                         ipsim_scenario **out)
{
    char err[ERRLEN] = "";
    ipsim_scenario *sc = NULL;
    ipsim_status st = ipsim_scenario_load(path, &sc, err, sizeof err);
    int i;
    if (st != IPSIM_OK) {
        char hint[512] = "";
        if (st == IPSIM_ERR_NOINPUT)
            snprintf(hint, sizeof hint, "check the scenario path ('%s'); scenarios live in scenarios/",
                     path);
        else if (hint_validate)
            snprintf(hint, sizeof hint, "run 'ipsim validate %s' for details, and see "
                     "scenarios/ipsim.schema.json", path);
        else
            snprintf(hint, sizeof hint, "fix the file (see scenarios/ipsim.schema.json, or "
                     "'ipsim schema')");
        return fail(st, err, hint);
    }
    for (i = 0; i < o->n_sets; i++) {
        err[0] = '\0';
        st = ipsim_scenario_set(sc, o->sets[i], err, sizeof err);
        if (st != IPSIM_OK) {
            if (*err)
                msg("%s", err);   /* the library names the assignment */
            else
                msg("--set %s: %s", o->sets[i], ipsim_strerror(st));
            msg("use --set json.path=value with a path of the resolved scenario "
                "(see 'ipsim resolve %s')", path);
            ipsim_scenario_destroy(sc);
            return ipsim_status_exit_code(st == IPSIM_ERR_USAGE ? IPSIM_ERR_DATA : st);
        }
    }
    *out = sc;
    return 0;
}

/* The resolved scenario as a cJSON tree (caller deletes), or NULL. */
static cJSON *scenario_json(const ipsim_scenario *sc)
{
    char *text = ipsim_scenario_to_json(sc);
    cJSON *root;
    if (!text)
        return NULL;
    root = cJSON_Parse(text);
    free(text);
    return root;
}

static int json_array_size(const cJSON *root, const char *a, const char *b)
{
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(root, a);
    if (b)
        node = cJSON_GetObjectItemCaseSensitive(node, b);
    return cJSON_IsArray(node) ? cJSON_GetArraySize(node) : 0;
}

static double json_number(const cJSON *root, const char *a, const char *b)
{
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(root, a);
    if (b)
        node = cJSON_GetObjectItemCaseSensitive(node, b);
    return cJSON_IsNumber(node) ? node->valuedouble : NAN;
}

/* ------------------------------------------------------------------------ */
/* Output path checks (before any work)                                      */
/* ------------------------------------------------------------------------ */

static int check_output_path(const char *path, int force)
{
    struct stat st;
    char *dir, *slash, *probe;
    size_t len;
    int fd;

    if (!*path) {
        msg("-o: empty output path; give a file name such as results/run.h5");
        return ipsim_status_exit_code(IPSIM_ERR_USAGE);
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            msg("%s: is a directory; give a file name such as %s/run.h5", path, path);
            return ipsim_status_exit_code(IPSIM_ERR_CANTCREAT);
        }
        if (!force) {
            msg("%s: already exists; use --force to overwrite it, or choose another -o", path);
            return ipsim_status_exit_code(IPSIM_ERR_EXISTS);
        }
    }
    /* The directory must exist and take a new file: try one. */
    len = strlen(path);
    dir = malloc(len + 2);
    probe = malloc(len + 48);
    if (!dir || !probe) {
        free(dir);
        free(probe);
        msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    memcpy(dir, path, len + 1);
    slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int e = errno;
        if (stat(dir, &st) == 0)
            msg("%s: cannot create the output: '%s' is not a directory; choose another -o", path,
                dir);
        else
            msg("%s: cannot create the output: directory '%s' does not exist (%s); create it "
                "first (mkdir -p '%s') or choose another -o", path, dir, strerror(e), dir);
        free(dir);
        free(probe);
        return ipsim_status_exit_code(IPSIM_ERR_CANTCREAT);
    }
    snprintf(probe, len + 48, "%s/.ipsim-probe-XXXXXX", dir);
    fd = mkstemp(probe);
    if (fd < 0) {
        msg("%s: cannot create the output in '%s' (%s); choose a writable directory with -o",
            path, dir, strerror(errno));
        free(dir);
        free(probe);
        return ipsim_status_exit_code(IPSIM_ERR_CANTCREAT);
    }
    close(fd);
    unlink(probe);
    free(dir);
    free(probe);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* run                                                                       */
/* ------------------------------------------------------------------------ */

/* Sum of a daily metric over days: out[market * 2 + segment]. */
static int sum_daily(const ipsim_model *m, const char *metric, double *out, int n_markets)
{
    const double *d;
    int nm, days = ipsim_model_days_total(m), t, k;
    if (ipsim_model_daily(m, metric, &d, &nm) != IPSIM_OK || nm != n_markets)
        return -1;
    for (k = 0; k < n_markets * N_SEGMENTS; k++)
        out[k] = 0.0;
    for (t = 0; t < days; t++)
        for (k = 0; k < n_markets * N_SEGMENTS; k++) {
            double v = d[(size_t)t * (size_t)n_markets * N_SEGMENTS + (size_t)k];
            if (isfinite(v))
                out[k] += v;
        }
    return 0;
}

static double total_of(const double *x, int n)
{
    double s = 0.0;
    int i;
    for (i = 0; i < n; i++)
        s += x[i];
    return s;
}

/* Departure-weighted mean satisfaction over the run. */
static double mean_satisfaction(const ipsim_model *m)
{
    const double *sat, *dep;
    int nm, nm2, days = ipsim_model_days_total(m);
    size_t i, n;
    double num = 0.0, den = 0.0;
    if (ipsim_model_daily(m, "satisfaction_mean", &sat, &nm) != IPSIM_OK ||
        ipsim_model_daily(m, "departures", &dep, &nm2) != IPSIM_OK || nm != nm2)
        return NAN;
    n = (size_t)days * (size_t)nm * N_SEGMENTS;
    for (i = 0; i < n; i++)
        if (isfinite(sat[i]) && dep[i] > 0.0) {
            num += sat[i] * dep[i];
            den += dep[i];
        }
    return den > 0.0 ? num / den : NAN;
}

static void print_summary(const ipsim_model *m, const ipsim_scenario *sc, const cli_options *o,
                          double wall)
{
    char a[64], b[64], c[64], d[64];
    cJSON *root = scenario_json(sc);
    const cJSON *markets = cJSON_GetObjectItemCaseSensitive(root, "markets");
    const double *dummy;
    int nm = 0, i, width;
    double agents = (double)ipsim_model_agent_count(m);
    int days = ipsim_model_days_total(m);
    double *arr = NULL, *nights = NULL, *spend = NULL, *pos = NULL, *neg = NULL, *neu = NULL;
    double tot_arr, cec_arr = 0.0, pp, pn, pu;

    if (ipsim_model_daily(m, "arrivals", &dummy, &nm) != IPSIM_OK || nm <= 0)
        goto minimal;
    arr = calloc((size_t)nm * N_SEGMENTS, sizeof *arr);
    nights = calloc((size_t)nm * N_SEGMENTS, sizeof *nights);
    spend = calloc((size_t)nm * N_SEGMENTS, sizeof *spend);
    pos = calloc((size_t)nm * N_SEGMENTS, sizeof *pos);
    neg = calloc((size_t)nm * N_SEGMENTS, sizeof *neg);
    neu = calloc((size_t)nm * N_SEGMENTS, sizeof *neu);
    if (!arr || !nights || !spend || !pos || !neg || !neu || sum_daily(m, "arrivals", arr, nm))
        goto minimal;
    tot_arr = total_of(arr, nm * N_SEGMENTS);
    for (i = 0; i < nm; i++)
        cec_arr += arr[i * N_SEGMENTS + 0];

    if (o->quiet) {
        printf("%s: %s arrivals in %d days (%s agents at scale %g) -> %s\n",
               ipsim_scenario_name(sc), fmt_int(tot_arr, a, sizeof a), days,
               fmt_int(agents, b, sizeof b), ipsim_model_scale(m), o->output);
        goto done;
    }

    printf("scenario     %s (%s)\n", ipsim_scenario_name(sc), ipsim_scenario_origin(sc));
    printf("agents       %s at scale %g (people per agent), seed %llu, replicate %u\n",
           fmt_int(agents, a, sizeof a), ipsim_model_scale(m),
           (unsigned long long)ipsim_model_seed(m), (unsigned)o->replicate);
    printf("days         %d\n", days);
    double step_s = ipsim_model_step_seconds(m);
    printf("wall time    %.2f s (model %.2f s: %s agent-days/s, warm-up included)\n", wall, step_s,
           fmt_rate(step_s > 0.0 ? ipsim_model_agent_days(m) / step_s : 0.0, b, sizeof b));
    printf("output       %s\n\n", o->output);

    width = (int)strlen("arrivals (people)");
    for (i = 0; i < nm; i++) {
        const cJSON *nmj = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(markets, i), "name");
        int l = cJSON_IsString(nmj) ? (int)strlen(nmj->valuestring) : 0;
        if (l > width)
            width = l;
    }
    printf("%-*s  %14s  %14s  %14s\n", width, "arrivals (people)", segment_labels[0],
           segment_labels[1], "total");
    for (i = 0; i < nm; i++) {
        const cJSON *nmj = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(markets, i), "name");
        char fallback[32];
        snprintf(fallback, sizeof fallback, "market %d", i);
        printf("%-*s  %14s  %14s  %14s\n", width,
               cJSON_IsString(nmj) ? nmj->valuestring : fallback,
               fmt_int(arr[i * N_SEGMENTS], a, sizeof a),
               fmt_int(arr[i * N_SEGMENTS + 1], b, sizeof b),
               fmt_int(arr[i * N_SEGMENTS] + arr[i * N_SEGMENTS + 1], c, sizeof c));
    }
    printf("%-*s  %14s  %14s  %14s\n\n", width, "total", fmt_int(cec_arr, a, sizeof a),
           fmt_int(tot_arr - cec_arr, b, sizeof b), fmt_int(tot_arr, c, sizeof c));

    printf("CEC share of arrivals   %s\n", fmt_share(cec_arr, tot_arr, a, sizeof a));
    if (sum_daily(m, "visitor_nights", nights, nm) == 0)
        printf("visitor-nights          %s\n", fmt_int(total_of(nights, nm * N_SEGMENTS), a, sizeof a));
    if (sum_daily(m, "spending_cny", spend, nm) == 0)
        printf("spending                %s CNY\n", fmt_int(total_of(spend, nm * N_SEGMENTS), a, sizeof a));
    if (sum_daily(m, "posts_positive", pos, nm) == 0 && sum_daily(m, "posts_negative", neg, nm) == 0 &&
        sum_daily(m, "posts_neutral", neu, nm) == 0) {
        double all;
        pp = total_of(pos, nm * N_SEGMENTS);
        pn = total_of(neg, nm * N_SEGMENTS);
        pu = total_of(neu, nm * N_SEGMENTS);
        all = pp + pn + pu;
        printf("posts                   %s (positive %s, negative %s, neutral %s)\n",
               fmt_int(all, a, sizeof a), fmt_share(pp, all, b, sizeof b),
               fmt_share(pn, all, c, sizeof c), fmt_share(pu, all, d, sizeof d));
    }
    {
        double s = mean_satisfaction(m);
        if (isfinite(s))
            printf("mean satisfaction       %.3f\n", s);
        else
            printf("mean satisfaction       n/a (no departures)\n");
    }
    goto done;

minimal:
    printf("%s: %d days, %s agents at scale %g -> %s\n", ipsim_scenario_name(sc), days,
           fmt_int(agents, a, sizeof a), ipsim_model_scale(m), o->output);
done:
    free(arr);
    free(nights);
    free(spend);
    free(pos);
    free(neg);
    free(neu);
    cJSON_Delete(root);
}

/* Default memory cap: 90% of physical memory, or of the memory available
 * now if less (0 = unknown, no cap). */
static double default_max_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double cap;
    FILE *f;
    char line[128];
    if (pages <= 0 || page <= 0)
        return 0.0;
    cap = 0.9 * (double)pages * (double)page;
    /* not more than what is available now (Linux: MemAvailable), so that
     * a run refuses up front instead of meeting the OOM killer midway */
    f = fopen("/proc/meminfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            unsigned long long kib;
            if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
                double avail = 0.9 * (double)kib * 1024.0;
                if (avail > 0.0 && avail < cap)
                    cap = avail;
                break;
            }
        }
        fclose(f);
    }
    return cap;
}

static int cmd_run(const command *cmd, cli_options *o)
{
    char err[ERRLEN] = "";
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    ipsim_status st;
    log_state ls;
    progress_state ps;
    double t0, wall;
    int rc;

    if (!o->output)
        return usage_error(cmd->name, "missing -o OUT.h5 (where to write the results)");
    if ((rc = check_output_path(o->output, o->force)) != 0)
        return rc;
    if ((rc = load_scenario(o->args[0], o, 1, &sc)) != 0)
        return rc;

    memset(&opt, 0, sizeof opt);
    ipsim_run_options_init(&opt);
    opt.seed_set = o->seed_set;
    opt.seed = o->seed;
    opt.replicate = o->replicate;
    opt.threads = o->threads;
    if (o->scale > 0.0)
        opt.scale = o->scale;
    if (o->days > 0)
        opt.days = o->days;
    opt.max_memory_bytes = o->max_memory_set ? o->max_memory : default_max_memory();
    ls.verbose = o->verbose;
    ls.quiet = o->quiet;
    opt.log = on_log;
    opt.log_userdata = &ls;

    install_signal_handlers();
    st = ipsim_model_create(sc, &opt, &m, err, sizeof err);
    if (st != IPSIM_OK) {
        const char *hint = NULL;
        if ((st == IPSIM_ERR_NOMEM || st == IPSIM_ERR_LIMIT) && !strstr(err, "--scale"))
            hint = "use a larger --scale (more people per agent), fewer --days, or raise "
                   "--max-memory";
        rc = fail(st, err, hint);
        ipsim_scenario_destroy(sc);
        return rc;
    }
    if (o->verbose)
        msg("%s: %llu agents at scale %g, %d days, about %.0f bytes per agent",
            ipsim_scenario_name(sc), (unsigned long long)ipsim_model_agent_count(m),
            ipsim_model_scale(m), ipsim_model_days_total(m), ipsim_model_bytes_per_agent(m));

    memset(&ps, 0, sizeof ps);
    ps.show = !o->quiet && isatty(STDERR_FILENO);
    ps.agents = (double)ipsim_model_agent_count(m);
    t0 = ps.t0 = ps.t_days = ps.last_draw = now_seconds();
    ps.last_draw -= 1.0;
    st = g_stop ? IPSIM_ERR_INTERRUPTED : ipsim_model_run(m, on_progress, &ps);
    wall = now_seconds() - t0;
    clear_progress_line();
    if (st == IPSIM_OK && g_stop)
        st = IPSIM_ERR_INTERRUPTED;
    if (st != IPSIM_OK) {
        if (st == IPSIM_ERR_INTERRUPTED)
            msg("interrupted%s, nothing written", g_stop == SIGTERM ? " (SIGTERM)"
                                                  : g_stop == SIGINT ? " (SIGINT)" : "");
        else
            msg("run failed: %s", ipsim_strerror(st));
        ipsim_model_destroy(m);
        ipsim_scenario_destroy(sc);
        return ipsim_status_exit_code(st);
    }

    err[0] = '\0';
    st = ipsim_output_write(m, o->output, o->force, err, sizeof err);
    if (st != IPSIM_OK) {
        rc = fail(st, err, st == IPSIM_ERR_EXISTS ? "use --force to overwrite it" : NULL);
        ipsim_model_destroy(m);
        ipsim_scenario_destroy(sc);
        return rc;
    }
    print_summary(m, sc, o, wall);
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* validate, resolve, info, schema                                           */
/* ------------------------------------------------------------------------ */

static int cmd_validate(const command *cmd, cli_options *o)
{
    const char *path = o->args[0];
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    log_state ls = {o->verbose, o->quiet};
    cJSON *root;
    char err[ERRLEN] = "", agents[64], extra[128] = "";
    double scale, est;
    int rc;
    (void)cmd;

    if ((rc = load_scenario(path, o, 0, &sc)) != 0)
        return rc;
    root = scenario_json(sc);
    scale = json_number(root, "simulation", "scale");

    /* The agent count comes from building the model when that is cheap. */
    memset(&opt, 0, sizeof opt);
    ipsim_run_options_init(&opt);
    opt.log = on_log;
    opt.log_userdata = &ls;
    est = ipsim_model_memory_estimate(sc, &opt);
    if (isfinite(est) && est <= 1024.0 * 1024.0 * 1024.0) {
        ipsim_status st = ipsim_model_create(sc, &opt, &m, err, sizeof err);
        if (st != IPSIM_OK) {
            rc = fail(st, err, NULL);
            cJSON_Delete(root);
            ipsim_scenario_destroy(sc);
            return rc;
        }
        fmt_int((double)ipsim_model_agent_count(m), agents, sizeof agents);
        scale = ipsim_model_scale(m);
        ipsim_model_destroy(m);
    } else {
        /* Too big to build just to count: estimate (adults / scale). */
        const cJSON *mk;
        double adults = 0.0;
        cJSON_ArrayForEach(mk, cJSON_GetObjectItemCaseSensitive(root, "markets"))
        {
            double p = json_number(mk, "population", NULL), s = json_number(mk, "adult_share", NULL);
            if (isfinite(p) && isfinite(s))
                adults += p * s;
        }
        agents[0] = '~';
        fmt_int(scale > 0.0 ? adults / scale : NAN, agents + 1, sizeof agents - 1);
        if (isfinite(est))
            snprintf(extra, sizeof extra, ", needs about %.1f GiB",
                     est / (1024.0 * 1024.0 * 1024.0));
    }
    printf("%s: OK (%s; %d markets, %d assets, %d interventions, %s agents at scale %g%s)\n", path,
           ipsim_scenario_name(sc), json_array_size(root, "markets", NULL),
           json_array_size(root, "destination", "assets"),
           json_array_size(root, "interventions", NULL), agents, scale, extra);
    cJSON_Delete(root);
    ipsim_scenario_destroy(sc);
    return 0;
}

static int cmd_resolve(const command *cmd, cli_options *o)
{
    ipsim_scenario *sc = NULL;
    char *text;
    int rc;
    (void)cmd;
    if ((rc = load_scenario(o->args[0], o, 1, &sc)) != 0)
        return rc;
    text = ipsim_scenario_to_json(sc);
    ipsim_scenario_destroy(sc);
    if (!text) {
        msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    fputs(text, stdout);
    if (*text && text[strlen(text) - 1] != '\n')
        fputc('\n', stdout);
    free(text);
    return 0;
}

static int cmd_info(const command *cmd, cli_options *o)
{
    char err[ERRLEN] = "";
    char *text = NULL;
    ipsim_status st;
    (void)cmd;
    st = ipsim_output_info(o->args[0], &text, err, sizeof err);
    if (st != IPSIM_OK)
        return fail(st, err, st == IPSIM_ERR_DATA
                                 ? "give a file written by 'ipsim run', 'ipsim sweep' or 'ipsim compare'"
                                 : "check the path; result files are written by 'ipsim run SCENARIO -o OUT.h5'");
    if (text) {
        fputs(text, stdout);
        if (*text && text[strlen(text) - 1] != '\n')
            fputc('\n', stdout);
    }
    free(text);
    return 0;
}

static int cmd_schema(const command *cmd, cli_options *o)
{
    char *text = ipsim_scenario_schema_json();
    (void)cmd;
    (void)o;
    if (!text) {
        msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    fputs(text, stdout);
    if (*text && text[strlen(text) - 1] != '\n')
        fputc('\n', stdout);
    free(text);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* sweep, compare, merge                                                     */
/* ------------------------------------------------------------------------ */

typedef struct {
    int show;          /* draw the progress line */
    double last_draw;
    const char *resume_note; /* printed once, before the first unit */
} sweep_progress_state;

static void fmt_duration(double s, char *buf, size_t len)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, len, "?");
    else if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, len, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
}

static int on_sweep_progress(void *userdata, const ipsim_sweep_progress *p)
{
    sweep_progress_state *ps = userdata;
    if (g_stop)
        return 1;
    if (ps->show) {
        double t = now_seconds();
        if (t - ps->last_draw >= 0.2 || p->done + p->failed == p->units) {
            enum { WIDTH = 20 };
            char bar[WIDTH + 1], eta[32], el[32];
            int filled = p->units > 0 ? (int)((double)p->done / p->units * WIDTH + 0.5) : 0, i;
            for (i = 0; i < WIDTH; i++)
                bar[i] = i < filled ? '#' : '.';
            bar[WIDTH] = '\0';
            fmt_duration(p->eta, eta, sizeof eta);
            fmt_duration(p->elapsed, el, sizeof el);
            fprintf(stderr, "\r[%s] %d/%d units%s%s  %s  ETA %s\033[K", bar, p->done, p->units,
                    p->failed ? ", failed " : "", p->failed ? "yes" : "", el, eta);
            fflush(stderr);
            g_progress_shown = 1;
            ps->last_draw = t;
        }
    }
    return 0;
}

#ifdef IPSIM_HAVE_MPI
/* MPI is used when the program was started by an MPI launcher (mpirun,
 * srun). */
static int launched_by_mpi(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK") ||
           getenv("PMI_RANK");
}
#endif

static int print_sweep_report(const char *path)
{
    char err[ERRLEN] = "";
    char *text = NULL;
    ipsim_status st = ipsim_sweep_report(path, &text, err, sizeof err);
    if (st != IPSIM_OK)
        return fail(st, err, NULL);
    fputs(text, stdout);
    free(text);
    return 0;
}

/* Run the units of e into o->output (serial, or over MPI ranks). */
static int run_sweep(ipsim_experiment *e, cli_options *o)
{
    char err[ERRLEN] = "";
    ipsim_sweep_options so;
    ipsim_sweep_result res;
    sweep_progress_state ps;
    log_state ls = {o->verbose, o->quiet};
    int rank = 0, size = 1, rc;
    ipsim_status st;

    if (o->dry_run) {
        int r = o->replicates ? o->replicates : ipsim_experiment_replicates(e);
        printf("%s: OK (%s; %s design, %d points x %d replicate%s = %d units)\n",
               o->args[0], ipsim_experiment_name(e), ipsim_experiment_design(e),
               ipsim_experiment_points(e), r, r == 1 ? "" : "s", ipsim_experiment_points(e) * r);
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
    ipsim_sweep_options_init(&so);
    so.replicates = o->replicates;
    so.scale = o->scale;
    so.threads = o->threads;
    so.shard_k = o->shard_k;
    so.shard_n = o->shard_n;
    so.resume = o->resume;
    so.force = o->force;
    so.max_memory_bytes = o->max_memory_set ? o->max_memory : 0.0;
    so.log = on_log;
    so.log_userdata = &ls;
    memset(&ps, 0, sizeof ps);
    ps.show = rank == 0 && !o->quiet && isatty(STDERR_FILENO);
    ps.last_draw = now_seconds() - 1.0;
    so.progress = on_sweep_progress;
    so.userdata = &ps;
    install_signal_handlers();
    if (rank == 0 && !o->quiet)
        msg("%s: %s design, %d points x %d replicate(s)%s%s", ipsim_experiment_name(e),
            ipsim_experiment_design(e), ipsim_experiment_points(e),
            o->replicates ? o->replicates : ipsim_experiment_replicates(e),
            size > 1 ? ", MPI ranks: " : "", size > 1 ? "yes" : "");
    st = size > 1 ? ipsim_sweep_run_mpi(e, o->output, &so, &res, err, sizeof err)
                  : ipsim_sweep_run(e, o->output, &so, &res, err, sizeof err);
    clear_progress_line();
    rc = ipsim_status_exit_code(st);
    if (rank == 0) {
        if (st != IPSIM_OK && st != IPSIM_ERR_INTERRUPTED && !(res.units > 0))
            rc = fail(st, err, NULL);
        else {
            double over = res.run_seconds > 0 ? 100.0 * (res.wall_seconds - res.run_seconds) /
                                                    res.run_seconds : NAN;
            if (o->resume || res.done_before > 0)
                msg("resumed: %d done before this run", res.done_before);
            msg("%s: %d units: %d done, %d failed, %d left; %.1f s (runs %.1f s, overhead "
                "%.1f%%)%s%s", o->output, res.units, res.done, res.failed, res.left,
                res.wall_seconds, res.run_seconds, over, st == IPSIM_OK ? " -> " : "",
                st == IPSIM_OK ? o->output : "");
            if (st == IPSIM_ERR_INTERRUPTED)
                msg("interrupted%s; finished units are kept: continue with --resume",
                    g_stop == SIGTERM ? " (SIGTERM)" : g_stop == SIGINT ? " (SIGINT)" : "");
            else if (st != IPSIM_OK)
                msg("%s", err);
            else if (!o->quiet && o->shard_n <= 1)
                rc = print_sweep_report(o->output);
        }
    }
#ifdef IPSIM_HAVE_MPI
    if (mpi)
        MPI_Finalize();
#endif
    return rc;
}

static int cmd_sweep(const command *cmd, cli_options *o)
{
    char err[ERRLEN] = "";
    ipsim_experiment *e = NULL;
    ipsim_status st;
    int rc;
    if (!o->output && !o->dry_run)
        return usage_error(cmd->name, "missing -o OUT.h5 (where to write the results)");
    if (!o->resume && !o->dry_run && (rc = check_output_path(o->output, o->force)) != 0)
        return rc;
    st = ipsim_experiment_load(o->args[0], &e, err, sizeof err);
    if (st != IPSIM_OK)
        return fail(st, err, st == IPSIM_ERR_NOINPUT
                                 ? "check the experiment path; experiments live in scenarios/experiments/"
                                 : "fix the experiment file (see README.md, section Experiments)");
    rc = run_sweep(e, o);
    ipsim_experiment_destroy(e);
    return rc;
}

static int cmd_compare(const command *cmd, cli_options *o)
{
    char err[ERRLEN] = "";
    ipsim_experiment *e = NULL;
    ipsim_status st;
    int rc;
    if (!o->output)
        return usage_error(cmd->name, "missing -o OUT.h5 (where to write the results)");
    if (o->shard_n > 0)
        return usage_error(cmd->name, "--shard is for 'ipsim sweep'; write an experiment file");
    if (!o->resume && (rc = check_output_path(o->output, o->force)) != 0)
        return rc;
    st = ipsim_experiment_compare((const char *const *)o->args, o->n_args, &e, err, sizeof err);
    if (st != IPSIM_OK)
        return fail(st, err, st == IPSIM_ERR_NOINPUT ? "check the scenario paths" : NULL);
    rc = run_sweep(e, o);
    ipsim_experiment_destroy(e);
    return rc;
}

static int cmd_merge(const command *cmd, cli_options *o)
{
    char err[ERRLEN] = "";
    ipsim_status st;
    int rc;
    (void)cmd;
    if ((rc = check_output_path(o->args[0], o->force)) != 0)
        return rc;
    st = ipsim_sweep_merge(o->args[0], (const char *const *)o->args + 1, o->n_args - 1, o->force,
                           err, sizeof err);
    if (st != IPSIM_OK)
        return fail(st, err, st == IPSIM_ERR_DATA ? "give every shard file of one sweep" : NULL);
    if (!o->quiet)
        return print_sweep_report(o->args[0]);
    msg("%s: merged %d shard%s", o->args[0], o->n_args - 1, o->n_args == 2 ? "" : "s");
    return 0;
}

static int cmd_help(const command *cmd, cli_options *o);

/* ------------------------------------------------------------------------ */
/* Help texts and the command table                                          */
/* ------------------------------------------------------------------------ */

#define EXIT_STATUS_TEXT                                                            \
    "Exit status:\n"                                                                \
    "  0    success\n"                                                              \
    "  64   usage error: unknown command or option, missing or bad argument (EX_USAGE)\n" \
    "  65   invalid scenario data, bad --set, or a request over a hard limit (EX_DATAERR)\n" \
    "  66   input file missing or unreadable (EX_NOINPUT)\n"                        \
    "  70   internal error, a bug: please report it (EX_SOFTWARE)\n"                \
    "  71   out of memory or over --max-memory (EX_OSERR)\n"                        \
    "  73   output cannot be created, or exists and --force was not given (EX_CANTCREAT)\n" \
    "  74   read or write error midway (EX_IOERR)\n"                                \
    "  75   interrupted by SIGINT or SIGTERM, nothing written (EX_TEMPFAIL)\n"

static const char help_run[] =
    "Usage: ipsim run SCENARIO.json -o OUT.h5 [OPTION]...\n"
    "Run one stochastic realisation of a scenario and write the results to an HDF5\n"
    "file, then print a summary (arrivals by market and segment, CEC share,\n"
    "visitor-nights, spending, post sentiment, mean satisfaction).\n"
    "\n"
    "Options:\n"
    "  -o, --output=OUT.h5       result file to write (required); written to OUT.h5.tmp\n"
    "                            and renamed when complete\n"
    "      --force               overwrite OUT.h5 if it exists\n"
    "      --seed=N              random seed, a decimal integer 0..18446744073709551615\n"
    "                            (default: simulation.seed of the scenario)\n"
    "      --replicate=R         replicate index: an independent, reproducible random\n"
    "                            stream for the same seed (default 0)\n"
    "      --threads=N           OpenMP threads (default: simulation.threads, 0 = all\n"
    "                            cores); results do not depend on N\n"
    "      --scale=PEOPLE        people per agent (default: simulation.scale); larger is\n"
    "                            faster and coarser\n"
    "      --days=N              simulated days from simulation.start_date (default:\n"
    "                            simulation.days)\n"
    "      --set=PATH=VALUE      override one value of the scenario, e.g.\n"
    "                            --set 'markets[Shanghai].cec_share=0.4'; VALUE is JSON,\n"
    "                            a bare word is a string; may be repeated\n"
    "      --max-memory=BYTES    refuse to build a model needing more memory; suffixes K,\n"
    "                            M, G, T (binary); 0 = no limit (default: 90% of the\n"
    "                            available RAM)\n"
    "  -q, --quiet               no progress, no warnings, a one-line summary\n"
    "  -v, --verbose             also print informational messages (-vv: debug)\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "A progress line is shown on standard error when it is a terminal. SIGINT\n"
    "(Ctrl-C) or SIGTERM stops the run after the current day without writing\n"
    "anything (exit 75); a second Ctrl-C kills at once.\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o results/jiamusi_baseline.h5\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o /tmp/quick.h5 --scale 20000 --days 90\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o results/r3.h5 --seed 7 --replicate 3\n"
    "  ipsim run scenarios/jiamusi_baseline.json -o results/fluent.h5 \\\n"
    "      --set destination.digital_fluency=0.8\n";

static const char help_validate[] =
    "Usage: ipsim validate SCENARIO.json [--set PATH=VALUE]...\n"
    "Load and check a scenario (syntax, types, ranges, references, unknown keys, its\n"
    "base scenario) and print one line:\n"
    "  SCENARIO.json: OK (name; N markets, N assets, N interventions, N agents at scale S)\n"
    "or the first error, naming the file and the JSON path (exit 65).\n"
    "\n"
    "Options:\n"
    "      --set=PATH=VALUE      apply an override before checking; may be repeated\n"
    "  -v, --verbose             print informational messages\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim validate scenarios/jiamusi_baseline.json\n"
    "  ipsim validate scenarios/jiamusi_baseline.json --set simulation.scale=100\n";

static const char help_resolve[] =
    "Usage: ipsim resolve SCENARIO.json [--set PATH=VALUE]...\n"
    "Print the resolved scenario as JSON: its base merged in, the overrides applied\n"
    "and every default filled in. This is what 'ipsim run' simulates, and it is\n"
    "stored in the /scenario attribute of every result file.\n"
    "\n"
    "Options:\n"
    "      --set=PATH=VALUE      apply an override; may be repeated\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim resolve scenarios/jiamusi_baseline.json > resolved.json\n"
    "  ipsim resolve scenarios/jiamusi_baseline.json --set 'markets[Harbin].population=0'\n";

static const char help_info[] =
    "Usage: ipsim info OUT.h5\n"
    "Describe a result file written by 'ipsim run': scenario, seed, scale, days,\n"
    "version and commit that wrote it, datasets, and headline totals.\n"
    "\n"
    "Options:\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim info results/jiamusi_baseline.h5\n";

static const char help_schema[] =
    "Usage: ipsim schema\n"
    "Print the JSON Schema (2020-12) that every scenario file satisfies. It is made\n"
    "from the same field tables the loader uses; scenarios/ipsim.schema.json is a\n"
    "copy of it.\n"
    "\n"
    "Options:\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim schema > ipsim.schema.json\n";

static const char help_sweep[] =
    "Usage: ipsim sweep EXPERIMENT.json -o OUT.h5 [OPTION]...\n"
    "Run an experiment: every point of its design (arms, factorial, grid, lhs, sobol,\n"
    "morris) times every replicate, with common random numbers (replicate r of every\n"
    "point uses the same seed and random streams, so point differences are paired).\n"
    "Write the outcomes and their analysis to OUT.h5 and print the analysis.\n"
    "\n"
    "Options:\n"
    "  -o, --output=OUT.h5       sweep file to write (required)\n"
    "      --replicates=R        replicates per point (default: the experiment's)\n"
    "      --scale=PEOPLE        people per agent (default: the experiment's, else the\n"
    "                            scenario's)\n"
    "      --threads=N           OpenMP threads inside each run (results do not depend\n"
    "                            on N)\n"
    "      --resume              continue an interrupted sweep from OUT.h5.journal; prints\n"
    "                            how many units were done, failed and left\n"
    "      --shard=K/N           run only units u with u % N == K-1 into OUT.h5 (a shard;\n"
    "                            join the shards with 'ipsim merge')\n"
    "      --max-memory=BYTES    refuse models needing more memory (0 = no limit)\n"
    "      --force               overwrite OUT.h5 and discard any journal\n"
    "      --dry-run             load and check the experiment and every point's\n"
    "                            scenario, print one line, run nothing (-o not needed)\n"
    "  -q, --quiet               no progress, no analysis, the one-line summary only\n"
    "  -v, --verbose             also print informational messages\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "Each finished unit (point, replicate) is appended to OUT.h5.journal and synced,\n"
    "so a sweep killed at any moment (even with SIGKILL) loses only the units in\n"
    "flight; --resume skips the finished ones, and the file it writes has the same\n"
    "datasets as an uninterrupted sweep. SIGINT or SIGTERM stops after the current\n"
    "unit (exit 75). Under mpirun (build with -DIPSIM_MPI=ON) rank 0 hands units to\n"
    "the other ranks; the file is the same for any number of ranks.\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim sweep scenarios/experiments/shanghai_shenzhen_vs_dispersed.json \\\n"
    "      -o results/ssd.h5 --replicates 12 --scale 5000\n"
    "  ipsim sweep scenarios/experiments/mechanisms_factorial.json -o results/f.h5 --resume\n"
    "  ipsim sweep scenarios/experiments/sensitivity_sobol.json -o results/s.3.h5 --shard 3/8\n"
    "  mpirun -np 8 ipsim sweep scenarios/experiments/mechanisms_factorial.json -o results/f.h5\n";

static const char help_compare[] =
    "Usage: ipsim compare BASE.json ARM.json... -o OUT.h5 [OPTION]...\n"
    "Paired comparison of scenario files: a shortcut for an arms experiment in which\n"
    "each file is an arm (named after its scenario) and the first is the reference.\n"
    "Prints each outcome's mean per arm, the paired difference against the reference\n"
    "with a 95% confidence interval, and the return per 10,000 CNY of extra cost.\n"
    "\n"
    "Options: -o, --replicates, --scale, --threads, --resume, --max-memory, --force,\n"
    "-q, -v, -h as for 'ipsim sweep'.\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim compare scenarios/jiamusi_baseline.json scenarios/campaign_dispersed.json \\\n"
    "      scenarios/campaign_shanghai_shenzhen.json -o results/cmp.h5 --replicates 8\n";

static const char help_merge[] =
    "Usage: ipsim merge OUT.h5 SHARD.h5...\n"
    "Join the shard files of one sweep (written with --shard K/N) into OUT.h5, with\n"
    "the analysis; its datasets are those of the same sweep run unsharded. Every\n"
    "unit must be in some shard, and the shards must come from the same experiment,\n"
    "replicates and scale (exit 65 otherwise).\n"
    "\n"
    "Options:\n"
    "      --force               overwrite OUT.h5 if it exists\n"
    "  -q, --quiet               do not print the analysis\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    EXIT_STATUS_TEXT
    "\n"
    "Examples:\n"
    "  ipsim merge results/f.h5 results/f.1.h5 results/f.2.h5 results/f.3.h5\n";

static const char help_help[] =
    "Usage: ipsim help [COMMAND]\n"
    "Show the help of COMMAND, or the overview without one.\n";

static const command commands[] = {
    {"run", cmd_run, "qvho:", run_long_opts, 1, 1, "the scenario file (SCENARIO.json)",
     "run a scenario and write the results to an HDF5 file", help_run},
    {"validate", cmd_validate, "qvh", set_long_opts, 1, 1, "the scenario file (SCENARIO.json)",
     "check a scenario and print a one-line summary", help_validate},
    {"resolve", cmd_resolve, "qvh", set_long_opts, 1, 1, "the scenario file (SCENARIO.json)",
     "print the resolved scenario (base merged, defaults filled) as JSON", help_resolve},
    {"info", cmd_info, "qvh", plain_long_opts, 1, 1, "the result file (OUT.h5)", "describe a result file", help_info},
    {"schema", cmd_schema, "qvh", plain_long_opts, 0, 0, "",
     "print the JSON Schema of scenario files", help_schema},
    {"sweep", cmd_sweep, "qvho:", sweep_long_opts, 1, 1, "the experiment file (EXPERIMENT.json)",
     "run an experiment (design x replicates), analyse it, write a sweep file", help_sweep},
    {"compare", cmd_compare, "qvho:", sweep_long_opts, 2, INT_MAX,
     "the scenario files (BASE.json ARM.json...)",
     "paired comparison of scenario files against the first", help_compare},
    {"merge", cmd_merge, "qh", merge_long_opts, 2, INT_MAX, "the output and shard files (OUT.h5 SHARD.h5...)",
     "join the shard files of a sweep", help_merge},
    {"help", cmd_help, "qvh", plain_long_opts, 0, 1, "", "show the help of a command", help_help},
};
static const size_t n_commands = sizeof commands / sizeof commands[0];

static const command *find_command(const char *name)
{
    size_t i;
    for (i = 0; i < n_commands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_command_help(const command *cmd, FILE *f)
{
    fputs(cmd->help, f);
}

static void print_main_help(FILE *f)
{
    size_t i;
    fputs("Usage: ipsim COMMAND [OPTION]... [ARGUMENT]...\n"
          "  or:  ipsim --help | --version\n"
          "Simulate visitor flows to a cultural-tourism destination with an agent-based\n"
          "model: consumers in source markets become aware of the destination through\n"
          "campaigns, official content and user-generated short video, decide whether to\n"
          "visit, visit, judge the experience, post about it and may return. The default\n"
          "scenario is Jiamusi, Heilongjiang.\n"
          "\n"
          "Commands:\n",
          f);
    for (i = 0; i < n_commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help       show this help and exit ('ipsim help COMMAND' or\n"
          "                   'ipsim COMMAND --help' for a command's options)\n"
          "  -V, --version    print the version and the git commit and exit\n"
          "\n"
          "Options of run, validate and resolve (details: 'ipsim help run'):\n"
          "  -o, --output=OUT.h5       run: result file to write (required)\n"
          "      --force               run: overwrite OUT.h5 if it exists\n"
          "      --seed=N              run: random seed (0..18446744073709551615)\n"
          "      --replicate=R         run: replicate index (independent stream)\n"
          "      --threads=N           run: OpenMP threads (results do not depend on it)\n"
          "      --scale=PEOPLE        run: people per agent\n"
          "      --days=N              run: simulated days\n"
          "      --max-memory=BYTES    run: memory cap, suffixes K, M, G, T; 0 = none\n"
          "      --set=PATH=VALUE      override a scenario value, e.g.\n"
          "                            --set 'markets[Shanghai].cec_share=0.4'\n"
          "  -q, --quiet               run: no progress or warnings, one-line summary\n"
          "  -v, --verbose             print informational messages (-vv: debug)\n"
          "\n"
          "Data go to standard output, messages to standard error.\n"
          "\n"
          EXIT_STATUS_TEXT
          "\n"
          "Examples:\n"
          "  ipsim validate scenarios/jiamusi_baseline.json\n"
          "\n"
          "  ipsim run scenarios/jiamusi_baseline.json -o results/jiamusi_baseline.h5\n"
          "\n"
          "  ipsim run scenarios/jiamusi_baseline.json -o /tmp/q.h5 --scale 20000 "
          "--set 'markets[Shanghai].cec_share=0.4'\n"
          "\n"
          "  ipsim info results/jiamusi_baseline.h5\n"
          "\n"
          "  ipsim resolve scenarios/jiamusi_baseline.json | less\n"
          "\n"
          "  ipsim sweep scenarios/experiments/shanghai_shenzhen_vs_dispersed.json -o results/ssd.h5\n"
          "\n"
          "The HDF5 output contract and the scenario format are described in README.md;\n"
          "the model in sim/ODD.md.\n",
          f);
}

static void print_version(void)
{
    printf("ipsim %s (git %s)\n", ipsim_version(), ipsim_git_commit());
}

static int cmd_help(const command *cmd, cli_options *o)
{
    const command *target;
    (void)cmd;
    if (o->n_args == 0) {
        print_main_help(stdout);
        return 0;
    }
    target = find_command(o->args[0]);
    if (!target)
        return usage_error(NULL, "help: unknown command '%s'", o->args[0]);
    print_command_help(target, stdout);
    return 0;
}

/* ------------------------------------------------------------------------ */

static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg("error writing to standard output: %s", strerror(errno));
        if (rc == 0)
            rc = ipsim_status_exit_code(IPSIM_ERR_IO);
    }
    return rc;
}

int main(int argc, char **argv)
{
    const command *cmd;
    cli_options o;
    int rc;

    if (argc < 2) {
        fputs("Usage: ipsim COMMAND [OPTION]... [ARGUMENT]...\n", stderr);
        return usage_error(NULL, "missing command (run, validate, resolve, info, schema, sweep, "
                           "compare, merge, help)");
    }
    if (argv[1][0] == '-') {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            print_main_help(stdout);
            return finish(0);
        }
        if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
            print_version();
            return finish(0);
        }
        return usage_error(NULL, "unknown option '%s' (options go after the command)", argv[1]);
    }
    cmd = find_command(argv[1]);
    if (!cmd)
        return usage_error(NULL, "unknown command '%s' (commands: run, validate, resolve, info, "
                           "schema, sweep, compare, merge, help)", argv[1]);

    memset(&o, 0, sizeof o);
    rc = parse_options(cmd, argc - 1, argv + 1, &o);
    if (rc < 0)
        rc = cmd->fn(cmd, &o);
    free(o.sets);
    return finish(rc);
}
