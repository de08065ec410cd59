/*
 * console.c - the `ipsim` program's standard error: messages prefixed
 * "ipsim: ", usage errors pointing to the help, library failures with a
 * hint, the library's log, the progress lines of runs and sweeps; and the
 * signal handling that stops them.
 *
 * Its two variables are the program's only mutable state, and both are
 * static: the signal that asked to stop (a signal handler has nowhere else
 * to put it) and whether a progress line is on stderr (every message must
 * erase it first, wherever the message comes from).
 */
#define _GNU_SOURCE /* sigaction, clock_gettime */

#include "cli/console.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/summary.h"

#define BAR_WIDTH 20             /* characters of a progress bar */
#define RUN_REDRAW_SECONDS 0.1   /* a run's progress line is redrawn at most this often */
#define SWEEP_REDRAW_SECONDS 0.2 /* and a sweep's */
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR 3600

static volatile sig_atomic_t g_stop; /* signal number that asked us to stop */
static int g_progress_shown;         /* a progress line is on stderr and must be cleared */

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

void cli_clear_progress_line(void)
{
    if (g_progress_shown) {
        fputs("\r\033[K", stderr);
        g_progress_shown = 0;
    }
}

void cli_msg(const char *fmt, ...)
{
    va_list ap;
    cli_clear_progress_line();
    fputs("ipsim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *command, const char *fmt, ...)
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
    return CLI_EXIT_USAGE;
}

int cli_fail(ipsim_status st, const char *err, const char *hint)
{
    if (err && *err)
        cli_msg("%s", err);
    else
        cli_msg("%s", ipsim_strerror(st));
    if (hint && *hint)
        cli_msg("%s", hint);
    return ipsim_status_exit_code(st);
}

/* 1 if l prints each warning once and has printed this one (and remembers
 * it otherwise, while there is room). */
static int seen_before(cli_log_state *l, const char *message)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    if (!l->once)
        return 0;
    for (const unsigned char *c = (const unsigned char *)message; *c; c++)
        h = (h ^ *c) * 1099511628211ULL;
    for (int i = 0; i < l->n_seen; i++)
        if (l->seen[i] == h)
            return 1;
    if (l->n_seen < CLI_LOG_SEEN)
        l->seen[l->n_seen++] = h;
    return 0;
}

void cli_on_log(void *userdata, ipsim_log_level level, const char *message)
{
    cli_log_state *l = userdata;
    if (l->quiet)
        return;
    if (level == IPSIM_LOG_WARN) {
        if (!seen_before(l, message))
            cli_msg("warning: %s", message);
    }
    else if (level == IPSIM_LOG_INFO && l->verbose >= 1)
        cli_msg("%s", message);
    else if (level == IPSIM_LOG_DEBUG && l->verbose >= 2)
        cli_msg("debug: %s", message);
}

/* ------------------------------------------------------------------------ */
/* Clock and signals                                                         */
/* ------------------------------------------------------------------------ */

double cli_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void on_signal(int signo)
{
    g_stop = signo;
}

void cli_install_signal_handlers(void)
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

int cli_stop_signal(void)
{
    return g_stop;
}

/* ------------------------------------------------------------------------ */
/* Progress lines                                                            */
/* ------------------------------------------------------------------------ */

/* BAR_WIDTH characters: '#' for the first filled, '.' for the rest. */
static void draw_bar(char *bar, int filled)
{
    int i;
    for (i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
}

int cli_on_run_progress(void *userdata, int day_done, int days_total)
{
    cli_run_progress *p = userdata;
    if (g_stop)
        return 1;
    if (p->show && days_total > 0) {
        double t = cli_now_seconds();
        if (day_done <= 0)
            p->t_days = t; /* still warming up */
        if (t - p->last_draw >= RUN_REDRAW_SECONDS || day_done == days_total) {
            char bar[BAR_WIDTH + 1];
            double el = t - p->t_days, frac = (double)day_done / days_total;
            double rate = el > 0.0 ? p->agents * day_done / el : 0.0;
            double eta = day_done > 0 ? el * (days_total - day_done) / day_done : 0.0;
            char rbuf[32];
            draw_bar(bar, (int)(frac * BAR_WIDTH + 0.5));
            if (day_done <= 0)
                fprintf(stderr, "\r[%s] %3d%%  day 0/%d  warming up\033[K", bar, 0, days_total);
            else
                fprintf(stderr, "\r[%s] %3d%%  day %d/%d  %s agent-days/s  ETA %.0fs\033[K", bar,
                        (int)(100.0 * frac), day_done, days_total,
                        cli_fmt_rate(rate, rbuf, sizeof rbuf), eta);
            fflush(stderr);
            g_progress_shown = 1;
            p->last_draw = t;
        }
    }
    return 0;
}

/* "45s", "3m07s", "2h05m"; "?" when unknown. */
static void fmt_duration(double s, char *buf, size_t len)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, len, "?");
    else if (s < SECONDS_PER_MINUTE)
        snprintf(buf, len, "%.0fs", s);
    else if (s < SECONDS_PER_HOUR)
        snprintf(buf, len, "%dm%02ds", (int)(s / SECONDS_PER_MINUTE), (int)s % SECONDS_PER_MINUTE);
    else
        snprintf(buf, len, "%dh%02dm", (int)(s / SECONDS_PER_HOUR),
                 ((int)s % SECONDS_PER_HOUR) / SECONDS_PER_MINUTE);
}

int cli_on_sweep_progress(void *userdata, const ipsim_sweep_progress *p)
{
    cli_sweep_progress *ps = userdata;
    if (g_stop)
        return 1;
    if (ps->show) {
        double t = cli_now_seconds();
        if (t - ps->last_draw >= SWEEP_REDRAW_SECONDS || p->done + p->failed == p->units) {
            char bar[BAR_WIDTH + 1], eta[32], el[32];
            draw_bar(bar, p->units > 0 ? (int)((double)p->done / p->units * BAR_WIDTH + 0.5) : 0);
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
