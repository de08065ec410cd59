/*
 * cmd_inspect.c - the commands that look at files without running anything:
 *   ipsim validate SCENARIO.json   check a scenario, print a one-line verdict
 *   ipsim resolve SCENARIO.json    print the resolved scenario as JSON
 *   ipsim info OUT.h5              describe a result or sweep file (read in a
 *                                  child process, see info_isolated)
 *   ipsim schema                   print the JSON Schema of scenario files
 */
#define _GNU_SOURCE /* fork, pipe, poll, waitpid */

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "cli/cli.h"
#include "cli/console.h"
#include "cli/files.h"
#include "cli/summary.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
#define BUILD_TO_COUNT_BYTES GIB /* validate builds models up to this size to count agents */
#define AGENTS_LEN 64
#define EXTRA_LEN 128
#define INFO_DONE "ipsim-info-done" /* ends the child's message of `info` */
#define EXIT_LEAKS 23               /* the child of `info` found leaks (LSan's code) */

/* text on stdout, followed by a newline unless it ends in one. */
static void put_text(const char *text)
{
    fputs(text, stdout);
    if (*text && text[strlen(text) - 1] != '\n')
        fputc('\n', stdout);
}

/* About how many agents sc needs (adults / scale) when it is too big to
 * build just to count them: "~N" into agents, the memory into extra. */
static void estimate_agents(const ipsim_scenario *sc, double est, double scale, char *agents,
                            size_t agents_len, char *extra, size_t extra_len)
{
    double adults = 0.0;
    int i, n = ipsim_scenario_market_count(sc);
    for (i = 0; i < n; i++) {
        double a = ipsim_scenario_market_adults(sc, i);
        if (isfinite(a))
            adults += a;
    }
    agents[0] = '~';
    cli_fmt_int(scale > 0.0 ? adults / scale : NAN, agents + 1, agents_len - 1);
    if (isfinite(est))
        snprintf(extra, extra_len, ", needs about %.1f GiB", est / GIB);
}

int cli_cmd_validate(const cli_command *cmd, cli_options *o)
{
    const char *path = o->args[0];
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    cli_log_state ls = {o->verbose, o->quiet};
    char err[CLI_ERRLEN] = "", agents[AGENTS_LEN], extra[EXTRA_LEN] = "";
    double scale, est;
    int rc;
    (void)cmd;

    if ((rc = cli_load_scenario(path, o, 0, &sc)) != 0)
        return rc;
    scale = ipsim_scenario_scale(sc);

    /* The agent count comes from building the model when that is cheap. */
    memset(&opt, 0, sizeof opt);
    ipsim_run_options_init(&opt);
    opt.log = cli_on_log;
    opt.log_userdata = &ls;
    opt.threads = 1; /* building to count needs no threads: validate starts none */
    est = ipsim_model_memory_estimate(sc, &opt);
    if (isfinite(est) && est <= BUILD_TO_COUNT_BYTES) {
        ipsim_status st = ipsim_model_create(sc, &opt, &m, err, sizeof err);
        if (st != IPSIM_OK) {
            rc = cli_fail(st, err, NULL);
            ipsim_scenario_destroy(sc);
            return rc;
        }
        cli_fmt_int((double)ipsim_model_agent_count(m), agents, sizeof agents);
        scale = ipsim_model_scale(m);
        ipsim_model_destroy(m);
    } else {
        estimate_agents(sc, est, scale, agents, sizeof agents, extra, sizeof extra);
    }
    cli_print_scenario_summary(path, sc, agents, scale, extra);
    ipsim_scenario_destroy(sc);
    return 0;
}

int cli_cmd_resolve(const cli_command *cmd, cli_options *o)
{
    ipsim_scenario *sc = NULL;
    char *text;
    int rc;
    (void)cmd;
    if ((rc = cli_load_scenario(o->args[0], o, 1, &sc)) != 0)
        return rc;
    text = ipsim_scenario_to_json(sc);
    ipsim_scenario_destroy(sc);
    if (!text) {
        cli_msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    put_text(text);
    free(text);
    return 0;
}

/* ---- info, isolated ------------------------------------------------------ */

/* `ipsim info` reads files nobody vouches for, and the HDF5 library (1.10)
 * can crash or fail to shut down on corrupt metadata before ipsim's own
 * checks (io/info_check.c) see anything. So the file is read in a child
 * process: a crash there becomes "not a valid result file" (exit 65) here,
 * and HDF5's failed shutdown never happens, as the child leaves with _exit
 * (after a leak check of its own under LeakSanitizer when the file was
 * read cleanly; on a corrupt file HDF5 1.10 leaks by itself). */

typedef struct {
    char *p;
    size_t n, cap;
} bytes;

static int bytes_add(bytes *b, const char *data, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? 2 * b->cap : 4096) + n;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

static void write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        p += k;
        n -= (size_t)k;
    }
}

/* The child: read the file, send status, message and text, leave. */
static void info_child(const char *path, int out, int errfd)
{
    char err[CLI_ERRLEN] = "";
    char *text = NULL;
    dup2(errfd, STDERR_FILENO);
    ipsim_status st = ipsim_output_info(path, &text, err, sizeof err);
    uint64_t n_err = strlen(err), n_text = text ? strlen(text) : 0;
    int32_t code = (int32_t)st;
    write_all(out, &code, sizeof code);
    write_all(out, &n_err, sizeof n_err);
    write_all(out, err, n_err);
    write_all(out, &n_text, sizeof n_text);
    write_all(out, text ? text : "", n_text);
    write_all(out, INFO_DONE, sizeof INFO_DONE);
    free(text);
#ifdef __SANITIZE_ADDRESS__
    /* only after a clean read: HDF5 1.10 itself leaks when it meets a
     * corrupt object header (H5C_protect), which is no fault of ipsim's */
    if (st == IPSIM_OK && __lsan_do_recoverable_leak_check())
        _exit(EXIT_LEAKS);
#endif
    _exit(0);
}

/* Read both pipes to their end. */
static int drain(int out, int errfd, bytes *res, bytes *errtext)
{
    struct pollfd pf[2] = {{out, POLLIN, 0}, {errfd, POLLIN, 0}};
    bytes *dst[2] = {res, errtext};
    int open_fds = 2;
    char buf[8192];
    while (open_fds > 0) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t k = read(pf[i].fd, buf, sizeof buf);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                pf[i].fd = -1;
                open_fds--;
            } else if (bytes_add(dst[i], buf, (size_t)k) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* Parse the child's message into *st, err and *text (malloc'd); -1 if it
 * is incomplete (the child died before the end). */
static int parse_result(const bytes *r, ipsim_status *st, char *err, size_t errlen, char **text)
{
    int32_t code;
    uint64_t n_err, n_text;
    size_t at = 0;
    if (r->n < sizeof code + sizeof n_err)
        return -1;
    memcpy(&code, r->p, sizeof code);
    memcpy(&n_err, r->p + sizeof code, sizeof n_err);
    at = sizeof code + sizeof n_err;
    if (n_err > r->n - at || r->n - at - n_err < sizeof n_text)
        return -1;
    snprintf(err, errlen, "%.*s", (int)(n_err < errlen ? n_err : errlen - 1), r->p + at);
    at += n_err;
    memcpy(&n_text, r->p + at, sizeof n_text);
    at += sizeof n_text;
    if (n_text > r->n - at || r->n - at - n_text != sizeof INFO_DONE ||
        memcmp(r->p + at + n_text, INFO_DONE, sizeof INFO_DONE) != 0)
        return -1;
    *text = malloc(n_text + 1);
    if (!*text)
        return -1;
    memcpy(*text, r->p + at, n_text);
    (*text)[n_text] = '\0';
    *st = (ipsim_status)code;
    return 0;
}

/* 1 if a sanitizer report on the child's stderr blames the HDF5 library:
 * its first stack frame outside the sanitizer runtime and libc is in
 * libhdf5. Reports that blame ipsim are shown, not hidden. */
static int blames_hdf5(const char *report)
{
    for (const char *l = report; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *hash = l;
        while (*hash == ' ')
            hash++;
        if (*hash != '#')
            continue;
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        char frame[512];
        snprintf(frame, sizeof frame, "%.*s", (int)(len < sizeof frame ? len : sizeof frame - 1), l);
        if (strstr(frame, "sanitizer") || strstr(frame, "interceptor") || strstr(frame, "libc.so"))
            continue;
        return strstr(frame, "libhdf5") != NULL;
    }
    return 1; /* no report (a plain crash): HDF5 read the file */
}

/* ipsim_output_info in a child process; as ipsim_output_info, and a crash
 * of the child is IPSIM_ERR_DATA. Falls back to calling it here when no
 * child can be made. */
static ipsim_status info_isolated(const char *path, char **text, char *err, size_t errlen)
{
    int out[2], errp[2];
    if (pipe(out) != 0)
        return ipsim_output_info(path, text, err, errlen);
    if (pipe(errp) != 0) {
        close(out[0]);
        close(out[1]);
        return ipsim_output_info(path, text, err, errlen);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(out[0]);
        close(errp[0]);
        info_child(path, out[1], errp[1]);
    }
    close(out[1]);
    close(errp[1]);
    if (pid < 0) {
        close(out[0]);
        close(errp[0]);
        return ipsim_output_info(path, text, err, errlen);
    }
    bytes res = {0}, errtext = {0};
    int drained = drain(out[0], errp[0], &res, &errtext);
    close(out[0]);
    close(errp[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    ipsim_status st = IPSIM_ERR_DATA;
    int complete = drained == 0 && parse_result(&res, &st, err, errlen, text) == 0;
    if (errtext.n > 0 && (complete || !blames_hdf5(errtext.p)))
        fputs(errtext.p, stderr); /* e.g. a sanitizer report that blames ipsim */
    if (complete && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_LEAKS)
        st = IPSIM_ERR_INTERNAL; /* our own leak, reported above */
    if (!complete) {
        snprintf(err, errlen,
                 "%s: not a valid ipsim result file: the HDF5 library failed "
                 "reading it (corrupt data)",
                 path);
        st = IPSIM_ERR_DATA;
    }
    free(res.p);
    free(errtext.p);
    return st;
}

int cli_cmd_info(const cli_command *cmd, cli_options *o)
{
    char err[CLI_ERRLEN] = "";
    char *text = NULL;
    ipsim_status st;
    (void)cmd;
    st = info_isolated(o->args[0], &text, err, sizeof err);
    if (st != IPSIM_OK) {
        free(text);
        return cli_fail(
            st, err,
            st == IPSIM_ERR_DATA
                ? "give a file written by 'ipsim run', 'ipsim sweep' or 'ipsim compare'"
                : "check the path; result files are written by 'ipsim run SCENARIO -o OUT.h5'");
    }
    if (text)
        put_text(text);
    free(text);
    return 0;
}

int cli_cmd_schema(const cli_command *cmd, cli_options *o)
{
    char *text = ipsim_scenario_schema_json();
    (void)cmd;
    (void)o;
    if (!text) {
        cli_msg("out of memory");
        return ipsim_status_exit_code(IPSIM_ERR_NOMEM);
    }
    put_text(text);
    free(text);
    return 0;
}
