/*
 * isolate.h - run one library call that reads untrusted HDF5 files in a
 * child process (isolate.c).
 *
 * The HDF5 library (1.10) can crash, leak or fail to shut down on corrupt
 * metadata before ipsim's own checks see anything. `info` and `merge`
 * therefore make their call in a forked child, which sends back the status,
 * the message and an optional text, and leaves with _exit. A child that dies
 * before its message is complete means the file was corrupt.
 */
#ifndef IPSIM_CLI_ISOLATE_H
#define IPSIM_CLI_ISOLATE_H

#include <stddef.h>

#include "ipsim/ipsim.h"

/* The call to isolate: fills err (errlen bytes) and, when text is not NULL,
 * *text (malloc'd, may stay NULL); returns its status. */
typedef ipsim_status (*cli_isolated_call)(void *ctx, char **text, char *err, size_t errlen);

/* What the parent learnt about a child that did not finish its message. */
typedef struct {
    int incomplete; /* the child died (or its message was cut) */
    int signaled;   /* ... and it was killed by a signal (a crash) */
} cli_isolation;

/* Runs call(ctx, text, err, errlen) in a child process and returns its
 * status, message and text (text may be NULL when the call has none). A
 * sanitizer report on the child's stderr is shown unless it blames
 * libhdf5 on an incomplete run; under LeakSanitizer a clean call that leaks
 * returns IPSIM_ERR_INTERNAL. When the child's message is incomplete,
 * returns IPSIM_ERR_DATA with how->incomplete set and err untouched: the
 * caller words the message. When no child can be made (pipe or fork
 * failed) the call is made in this process. */
ipsim_status cli_isolated(cli_isolated_call call, void *ctx, char **text, char *err, size_t errlen,
                          cli_isolation *how);

#endif /* IPSIM_CLI_ISOLATE_H */
