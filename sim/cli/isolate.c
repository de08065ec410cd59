/*
 * isolate.c - one library call in a child process (see isolate.h): the
 * fork, the two pipes (result and stderr), the framed message
 * (status, message, text, end marker), and how a dead child is read.
 */
#define _GNU_SOURCE /* fork, pipe, poll, waitpid */

#include <errno.h>
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

#include "cli/isolate.h"

#define CHILD_DONE "ipsim-child-done" /* ends the child's message */
#define EXIT_LEAKS 23                 /* the child found leaks (LSan's code) */
#define PIPE_CHUNK 8192               /* bytes read from a pipe at once */
#define CHILD_ERRLEN 2048             /* the child's message buffer */
#define FRAME_LEN 512                 /* one line of a sanitizer report */

typedef struct {
    char *p;
    size_t n, cap;
} bytes;

static int bytes_add(bytes *b, const char *data, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? 2 * b->cap : PIPE_CHUNK) + n;
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

/* The child: make the call, send status, message and text, leave. */
static void child(cli_isolated_call call, void *ctx, int want_text, int out, int errfd)
{
    char err[CHILD_ERRLEN] = "";
    char *text = NULL;
    dup2(errfd, STDERR_FILENO);
    ipsim_status st = call(ctx, want_text ? &text : NULL, err, sizeof err);
    uint64_t n_err = strlen(err), n_text = text ? strlen(text) : 0;
    int32_t code = (int32_t)st;
    write_all(out, &code, sizeof code);
    write_all(out, &n_err, sizeof n_err);
    write_all(out, err, n_err);
    write_all(out, &n_text, sizeof n_text);
    write_all(out, text ? text : "", n_text);
    write_all(out, CHILD_DONE, sizeof CHILD_DONE);
    free(text);
#ifdef __SANITIZE_ADDRESS__
    /* only after a clean call: HDF5 1.10 itself leaks when it meets a
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
    char buf[PIPE_CHUNK];
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

/* Parse the child's message into *st, err and *text (malloc'd, when text
 * is not NULL); -1 if it is incomplete (the child died before the end). */
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
    const char *msg = r->p + at;
    at += n_err;
    memcpy(&n_text, r->p + at, sizeof n_text);
    at += sizeof n_text;
    if (n_text > r->n - at || r->n - at - n_text != sizeof CHILD_DONE ||
        memcmp(r->p + at + n_text, CHILD_DONE, sizeof CHILD_DONE) != 0)
        return -1;
    if (text) {
        *text = malloc(n_text + 1);
        if (!*text)
            return -1;
        memcpy(*text, r->p + at, n_text);
        (*text)[n_text] = '\0';
    }
    snprintf(err, errlen, "%.*s", (int)(n_err < errlen ? n_err : errlen - 1), msg);
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
        char frame[FRAME_LEN];
        snprintf(frame, sizeof frame, "%.*s", (int)(len < sizeof frame ? len : sizeof frame - 1), l);
        if (strstr(frame, "sanitizer") || strstr(frame, "interceptor") || strstr(frame, "libc.so"))
            continue;
        return strstr(frame, "libhdf5") != NULL;
    }
    return 1; /* no report (a plain crash): HDF5 read the file */
}

ipsim_status cli_isolated(cli_isolated_call call, void *ctx, char **text, char *err, size_t errlen,
                          cli_isolation *how)
{
    int out[2], errp[2];
    how->incomplete = how->signaled = 0;
    if (pipe(out) != 0)
        return call(ctx, text, err, errlen);
    if (pipe(errp) != 0) {
        close(out[0]);
        close(out[1]);
        return call(ctx, text, err, errlen);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(out[0]);
        close(errp[0]);
        child(call, ctx, text != NULL, out[1], errp[1]);
    }
    close(out[1]);
    close(errp[1]);
    if (pid < 0) {
        close(out[0]);
        close(errp[0]);
        return call(ctx, text, err, errlen);
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
        how->incomplete = 1;
        how->signaled = WIFSIGNALED(status);
        st = IPSIM_ERR_DATA;
    }
    free(res.p);
    free(errtext.p);
    return st;
}
