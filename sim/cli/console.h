/*
 * console.h - what the `ipsim` program writes to standard error: messages
 * ("ipsim: ..."), usage errors, library failures with a hint, the library's
 * log, progress lines; and the SIGINT/SIGTERM handling that stops a run.
 */
#ifndef IPSIM_CLI_CONSOLE_H
#define IPSIM_CLI_CONSOLE_H

#include <stdint.h>

#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"

#define CLI_EXIT_USAGE 64 /* = ipsim_status_exit_code(IPSIM_ERR_USAGE) */

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* "ipsim: " + message + newline on stderr (clearing any progress line). */
void cli_msg(const char *fmt, ...) CLI_PRINTF(1, 2);

/* A usage error of command (NULL: of the program): the message and where
 * to find the help on stderr. Returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) CLI_PRINTF(2, 3);

/* A library failure: err (or the status name when err is empty) and the
 * hint (may be NULL) on stderr. Returns the exit code of st. */
int cli_fail(ipsim_status st, const char *err, const char *hint);

/* Erase the progress line from stderr if one is shown. */
void cli_clear_progress_line(void);

/* Monotonic clock, seconds. */
double cli_now_seconds(void);

/* Catch SIGINT and SIGTERM (once: a second one kills at once); afterwards
 * cli_stop_signal() is the signal that asked to stop, 0 if none. */
void cli_install_signal_handlers(void);
int cli_stop_signal(void);

/* The library's log callback; userdata is a cli_log_state. With once set
 * (commands that run many models: sweep, compare, optimize), a warning is
 * printed the first time only: every unit of a sweep warns the same (e.g.
 * ODD 7.10's resolution limits). Calls must not overlap (the sweep drivers
 * serialise them). */
#define CLI_LOG_SEEN 64 /* distinct warnings remembered */
typedef struct {
    int verbose; /* 0: warnings; 1: + info; 2: + debug */
    int quiet;   /* nothing */
    int once;    /* each distinct warning once */
    int n_seen;
    uint64_t seen[CLI_LOG_SEEN]; /* FNV-1a hashes of the warnings printed */
} cli_log_state;
void cli_on_log(void *userdata, ipsim_log_level level, const char *message);

/* Progress line of `ipsim run` (ipsim_progress_fn; userdata is a
 * cli_run_progress): bar, day, speed and ETA, redrawn at most every 0.1 s
 * when show is set. Returns non-zero once a stop signal arrived. */
typedef struct {
    int show;             /* draw the progress line */
    double t0, last_draw; /* monotonic seconds */
    double t_days;        /* when the simulated days began (after any warm-up) */
    double agents;
} cli_run_progress;
int cli_on_run_progress(void *userdata, int day_done, int days_total);

/* Progress line of a sweep (ipsim_sweep_progress_fn; userdata is a
 * cli_sweep_progress): bar, units, elapsed time and ETA, redrawn at most
 * every 0.2 s when show is set. Returns non-zero once a stop signal arrived. */
typedef struct {
    int show; /* draw the progress line */
    double last_draw;
} cli_sweep_progress;
int cli_on_sweep_progress(void *userdata, const ipsim_sweep_progress *p);

#endif /* IPSIM_CLI_CONSOLE_H */
