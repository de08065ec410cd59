/*
 * ipsim.h - public API of libipsim, an agent-based simulator of visitor flows
 * to a cultural-tourism destination (default: Jiamusi, Heilongjiang).
 *
 * Everything a program needs is reached through two opaque handles:
 *   ipsim_scenario  a validated scenario (markets, destination, interventions,
 *                   parameters), loaded from JSON and optionally overridden;
 *   ipsim_model     one stochastic realisation of a scenario (agents, calendar,
 *                   platform, daily outputs), stepped one day at a time.
 *
 * Conventions (as in GSL, libuv, SQLite):
 *   - every fallible function returns an ipsim_status; ipsim_strerror() names it;
 *   - functions that can fail on user data also fill a caller-provided message
 *     buffer (err, errlen) naming the file, the JSON path, what was expected
 *     and what was found; err may be NULL;
 *   - every create or load function has a destroy function, and destroy(NULL) is a no-op;
 *   - the library never prints and never exits; diagnostics go through an
 *     optional log callback;
 *   - there is no global state: two models may run side by side in one process.
 *
 * Returned strings. Unless a function says "caller frees", a returned string
 * belongs to the library: the names of statuses, metrics, the version and
 * the commit are static and valid for the life of the process; a scenario's
 * name, origin and market names belong to that scenario and stay valid until
 * it is destroyed (ipsim_scenario_set may change their text in place).
 *
 * Threads. Functions on different handles may run in different threads at
 * the same time; one handle must not be used by two threads at once, except
 * that functions taking a const handle may run concurrently with each other
 * on it. The functions that read or write HDF5 files - ipsim_output_write,
 * ipsim_output_info, and in ipsim/experiment.h ipsim_sweep_run,
 * ipsim_sweep_run_mpi, ipsim_sweep_merge and ipsim_sweep_report - are the
 * exception: Debian's libhdf5 is built without thread safety, so at most one
 * of them may run at a time in a process, and not while the program itself
 * calls HDF5 (they also switch HDF5's process-wide automatic error printing
 * off while they run). Serialise them with a lock of your own; every other
 * function of the library may be called concurrently as described above.
 */
#ifndef IPSIM_IPSIM_H
#define IPSIM_IPSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IPSIM_VERSION_MAJOR 0
#define IPSIM_VERSION_MINOR 3
#define IPSIM_VERSION_PATCH 0
#define IPSIM_VERSION_STRING "0.3.0"

/* Status codes. Each maps to one sysexits(3) code in ipsim_status_exit_code. */
typedef enum ipsim_status {
    IPSIM_OK = 0,
    IPSIM_ERR_USAGE,       /* bad call or command line (EX_USAGE 64)            */
    IPSIM_ERR_DATA,        /* malformed or invalid scenario data (EX_DATAERR 65) */
    IPSIM_ERR_NOINPUT,     /* input file missing or unreadable (EX_NOINPUT 66)   */
    IPSIM_ERR_CANTCREAT,   /* output cannot be created (EX_CANTCREAT 73)         */
    IPSIM_ERR_EXISTS,      /* output exists and overwriting was not allowed (73) */
    IPSIM_ERR_IO,          /* read or write failed midway (EX_IOERR 74)          */
    IPSIM_ERR_NOMEM,       /* allocation failed or over the memory limit (EX_OSERR 71) */
    IPSIM_ERR_LIMIT,       /* request exceeds a hard limit (EX_DATAERR 65)       */
    IPSIM_ERR_INTERRUPTED, /* stopped on request, nothing written (EX_TEMPFAIL 75) */
    IPSIM_ERR_INTERNAL     /* a bug (EX_SOFTWARE 70)                             */
} ipsim_status;

/* Human-readable name of a status ("invalid scenario data", ...); "unknown
 * status" for a value outside the enum. Never NULL; static. */
const char *ipsim_strerror(ipsim_status status);

/* The sysexits(3) exit code a command-line program should use for status
 * (the table above; 70 for a value outside the enum). */
int ipsim_status_exit_code(ipsim_status status);

/* Version string of the library ("0.3.0"); static, never NULL. */
const char *ipsim_version(void);

/* The git commit the library was built from ("1eb3e83...", with "-dirty"
 * for uncommitted changes; "unknown" outside a checkout); static. */
const char *ipsim_git_commit(void);

/* Log levels and callback. The library calls it with a complete message
 * (no trailing newline), valid only during the call; a NULL callback
 * silences the library. */
typedef enum ipsim_log_level {
    IPSIM_LOG_DEBUG = 0,
    IPSIM_LOG_INFO = 1,
    IPSIM_LOG_WARN = 2
} ipsim_log_level;
typedef void (*ipsim_log_fn)(void *userdata, ipsim_log_level level, const char *message);

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct ipsim_scenario ipsim_scenario;

/* Load and validate a scenario file. On success *out owns a new scenario.
 * On failure *out is NULL, the status is IPSIM_ERR_NOINPUT (missing or
 * unreadable file) or IPSIM_ERR_DATA (syntax, type, range, reference or
 * unknown-key error), and err holds one line such as
 *   scenarios/x.json: markets[3].population: expected a number >= 0, found "abc"
 * A scenario may name a "base" scenario (path relative to its own file);
 * the base is loaded first and this file's objects are merged into it. */
ipsim_status ipsim_scenario_load(const char *path, ipsim_scenario **out, char *err, size_t errlen);

/* Same from a buffer; origin names the buffer in messages. A "base" key is
 * resolved relative to the current directory. */
ipsim_status ipsim_scenario_load_buffer(const char *json, size_t len, const char *origin,
                                        ipsim_scenario **out, char *err, size_t errlen);

/* Apply one override "json.path=value" (e.g. "markets[2].population=100",
 * "destination.digital_fluency=0.8", "simulation.seed=\"42\""). The value is
 * JSON; a bare word that is not JSON is taken as a string. The path must
 * name an existing key or array element of the resolved scenario; a path
 * "ARRAY[+]" appends the value to that array. The whole
 * scenario is re-validated; on failure the scenario is left unchanged. */
ipsim_status ipsim_scenario_set(ipsim_scenario *sc, const char *assignment, char *err, size_t errlen);

/* Apply n overrides together and validate the scenario once, so their
 * order never matters (simulation.start and simulation.end may both move
 * past each other's old value). Each assignment is as for
 * ipsim_scenario_set, applied in order to the resolved document (a later
 * one may name what an earlier one added); a path that is found nowhere or
 * a malformed value fails at once, with *failed (may be NULL) its index;
 * when the result is not a valid scenario *failed is -1 and err names
 * every assignment ("--set a=1 --set b=2: json.path: expected ..."). On
 * failure sc is unchanged. n == 0 is a no-op. */
ipsim_status ipsim_scenario_set_all(ipsim_scenario *sc, const char *const *assignments, int n,
                                    int *failed, char *err, size_t errlen);

/* The resolved scenario (base merged, overrides applied, every default
 * filled in) as JSON text; the caller frees it with free(). NULL on OOM
 * or for a NULL sc. */
char *ipsim_scenario_to_json(const ipsim_scenario *sc);

/* Scenario name ("jiamusi_baseline", the "name" key) and origin (the file
 * it came from, or the origin given to ipsim_scenario_load_buffer). Owned
 * by sc, valid until sc is destroyed; NULL for a NULL sc. */
const char *ipsim_scenario_name(const ipsim_scenario *sc);
const char *ipsim_scenario_origin(const ipsim_scenario *sc);

/* Sizes of the resolved scenario: markets[], destination.assets[] and
 * interventions[] (a loaded scenario has at least one market and one
 * asset). 0 for a NULL sc. */
int ipsim_scenario_market_count(const ipsim_scenario *sc);
int ipsim_scenario_asset_count(const ipsim_scenario *sc);
int ipsim_scenario_intervention_count(const ipsim_scenario *sc);

/* markets[i].name, for 0 <= i < ipsim_scenario_market_count(sc): the market
 * axis of the daily metrics (ipsim_model_daily) is in this order. Owned by
 * sc, valid until sc is destroyed; NULL when i is out of range. */
const char *ipsim_scenario_market_name(const ipsim_scenario *sc, int i);

/* Adults of market i: markets[i].population x markets[i].adult_share
 * (people; a model has about this many / scale agents of the market). NaN
 * when i is out of range. */
double ipsim_scenario_market_adults(const ipsim_scenario *sc, int i);

/* simulation.scale: people per agent (>= 1). NaN for a NULL sc. */
double ipsim_scenario_scale(const ipsim_scenario *sc);

/* Deep copy, independent of sc; NULL on OOM or for a NULL sc. */
ipsim_scenario *ipsim_scenario_clone(const ipsim_scenario *sc);

/* Free sc and everything it owns (its strings become invalid). NULL: no-op. */
void ipsim_scenario_destroy(ipsim_scenario *sc);

/* The JSON Schema (2020-12) every scenario satisfies, generated from the
 * same field tables the loader uses; caller frees. NULL on OOM. */
char *ipsim_scenario_schema_json(void);

/* ------------------------------------------------------------------------ */
/* Models                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct ipsim_model ipsim_model;

/* Run options. Zero-initialise, then call ipsim_run_options_init. A value
 * of 0 / NaN in seed_set, scale or days keeps the scenario's value. */
typedef struct ipsim_run_options {
    int seed_set; /* non-zero: use seed below instead of the scenario's */
    uint64_t seed;
    uint32_t replicate;      /* replicate index: a separate, reproducible stream */
    int threads;             /* OpenMP threads; 0 = the scenario/OpenMP default */
    double scale;            /* people per agent; 0 = scenario value */
    int days;                /* simulated days; 0 = scenario value */
    double max_memory_bytes; /* refuse to create a model needing more; 0 = no limit */
    ipsim_log_fn log;
    void *log_userdata;
} ipsim_run_options;

/* Set every field of opt to its default (all zero: the scenario's values,
 * no memory limit, no log). */
void ipsim_run_options_init(ipsim_run_options *opt);

/* Build a model from a scenario: sample agents, set the calendar, schedule
 * interventions. The model keeps its own copy of the scenario, so sc may
 * be changed or destroyed afterwards; opt may be NULL (the defaults). On
 * failure *out is NULL and err says why: IPSIM_ERR_NOMEM (out of memory,
 * or over opt->max_memory_bytes), IPSIM_ERR_LIMIT (more days than allowed,
 * or more than 2^32 agents in one market segment), IPSIM_ERR_USAGE (a
 * scale below 1 person per agent). */
ipsim_status ipsim_model_create(const ipsim_scenario *sc, const ipsim_run_options *opt,
                                ipsim_model **out, char *err, size_t errlen);

/* Estimated bytes a model of this scenario and options would allocate
 * (what ipsim_model_create compares with max_memory_bytes); sc must not be
 * NULL, opt may be. */
double ipsim_model_memory_estimate(const ipsim_scenario *sc, const ipsim_run_options *opt);

/* Advance one simulated day (warm-up days first). IPSIM_ERR_USAGE for a
 * NULL model or once the last day is done. */
ipsim_status ipsim_model_step(ipsim_model *m);

/* Progress callback for ipsim_model_run: return non-zero to stop early,
 * in which case ipsim_model_run returns IPSIM_ERR_INTERRUPTED. */
typedef int (*ipsim_progress_fn)(void *userdata, int day_done, int days_total);

/* Step to the end, calling progress (may be NULL) after each day.
 * IPSIM_OK when the last day is done (at once if it already was),
 * IPSIM_ERR_INTERRUPTED when progress asked to stop, IPSIM_ERR_USAGE for a
 * NULL model. */
ipsim_status ipsim_model_run(ipsim_model *m, ipsim_progress_fn progress, void *userdata);

/* Recorded days done so far (warm-up days not counted) and in total; the
 * agents of the model, its scale (people per agent) and its seed, after
 * the options were applied. m must not be NULL. */
int ipsim_model_days_done(const ipsim_model *m);
int ipsim_model_days_total(const ipsim_model *m);
uint64_t ipsim_model_agent_count(const ipsim_model *m);
double ipsim_model_scale(const ipsim_model *m);
uint64_t ipsim_model_seed(const ipsim_model *m);

/* Agent-days simulated so far, warm-up days included, and the wall-clock
 * seconds spent in ipsim_model_step: their ratio is the model's speed.
 * m must not be NULL. */
double ipsim_model_agent_days(const ipsim_model *m);
double ipsim_model_wall_seconds(const ipsim_model *m);
/* Agents that acted on the last day stepped (0 before the first step): the
 * agent-days the event-driven core processed that day (ODD 3), counting an
 * agent once per event, candidate draw or community post that touched it.
 * The cost of a day grows with this number, not with the population.
 * m must not be NULL. */
uint64_t ipsim_model_active_agents(const ipsim_model *m);

/* Bytes of per-agent state (the headline memory figure). */
double ipsim_model_bytes_per_agent(const ipsim_model *m);

/* The daily metrics ipsim_model_daily knows, in the order of /daily in the
 * output: ipsim_metric_count() of them, named ipsim_metric_name(0) ...
 * ipsim_metric_name(count - 1) ("aware", "considering", ..., "arrivals",
 * ...). The names are static strings; NULL when i is out of range. */
int ipsim_metric_count(void);
const char *ipsim_metric_name(int i);

/* Read a daily metric by name (one of ipsim_metric_name, as in /daily of the
 * output). On success *data points to days_total*n_markets*2 doubles, index
 * [day][market][segment], owned by the model and valid until it is
 * destroyed (the values of days not yet simulated are meaningless);
 * *n_markets is set.
 * An unknown name gives IPSIM_ERR_USAGE and leaves *data and *n_markets
 * unchanged. m, metric, data and n_markets must not be NULL. */
ipsim_status ipsim_model_daily(const ipsim_model *m, const char *metric, const double **data,
                               int *n_markets);

/* Write the run to an HDF5 file following the output contract (README).
 * The file is written to PATH.tmp and renamed on success; with force == 0
 * an existing PATH gives IPSIM_ERR_EXISTS and is not touched;
 * IPSIM_ERR_CANTCREAT when it cannot be created, IPSIM_ERR_IO when writing
 * fails midway (nothing is left behind). Uses HDF5: not concurrently with
 * other HDF5 use (see Threads above). */
ipsim_status ipsim_output_write(const ipsim_model *m, const char *path, int force, char *err,
                                size_t errlen);

/* A readable multi-line summary of any ipsim result or sweep file in *text
 * (caller frees; NULL on failure). IPSIM_ERR_NOINPUT if it cannot be
 * opened, IPSIM_ERR_DATA if it is not an ipsim file. Uses HDF5: not
 * concurrently with other HDF5 use (see Threads above). */
ipsim_status ipsim_output_info(const char *path, char **text, char *err, size_t errlen);

/* Free m and everything it owns (its daily data become invalid). NULL: no-op. */
void ipsim_model_destroy(ipsim_model *m);

#ifdef __cplusplus
}
#endif
#endif /* IPSIM_IPSIM_H */
