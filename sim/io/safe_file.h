/*
 * safe_file.h - safe output and input files (internal to libipsim), shared
 * by the run writer (io/run_write.c), `info` (io/info.c) and the sweep files
 * (experiment/sweep_*.c):
 *
 *  - what may stand at an output path: nothing, or a regular file (never a
 *    symlink, directory, FIFO, device or socket, with force or not);
 *  - an advisory lock OUT.lock (flock, created O_NOFOLLOW, removed again)
 *    so that two writers of one output cannot both proceed;
 *  - temp files OUT.tmp.PID.N created O_CREAT|O_EXCL|O_NOFOLLOW, written,
 *    fsync'ed and renamed over OUT (link(2) without force);
 *  - inputs opened only when they are regular files (O_NONBLOCK open and
 *    fstat, so a FIFO is refused at once instead of hanging).
 *
 * Every function prints nothing; messages go to err (ipsim_set_error) and
 * start with the path concerned.
 */
#ifndef IPSIM_SAFE_FILE_H
#define IPSIM_SAFE_FILE_H

#include <stddef.h>

#include "ipsim/ipsim.h"

/* What may stand at an output path: IPSIM_OK when nothing does, or a
 * regular file and force is set; IPSIM_ERR_EXISTS for a regular file
 * without force; IPSIM_ERR_CANTCREAT (message naming the kind) for a
 * symlink, directory, FIFO, device, socket or anything else. what names
 * the file in messages ("output", "journal", ...). */
ipsim_status ipsim__safe_check_target(const char *path, int force, const char *what, char *err,
                                      size_t errlen);

/* Take the advisory lock of the output path: PATH.lock, created with
 * O_NOFOLLOW (refused unless a regular file) and locked with flock
 * LOCK_EX|LOCK_NB. On success *lock_fd holds it (release with
 * ipsim__safe_unlock). IPSIM_ERR_EXISTS (exit 73) when another process
 * holds it ("another ipsim is writing ..."), IPSIM_ERR_CANTCREAT when the
 * lock file cannot be made. On file systems without flock the lock is
 * skipped (*lock_fd = -1, IPSIM_OK). */
ipsim_status ipsim__safe_lock(const char *path, int *lock_fd, char *err, size_t errlen);

/* Remove PATH.lock (while still holding it) and close *lock_fd; sets it
 * to -1. Does nothing when *lock_fd < 0. */
void ipsim__safe_unlock(const char *path, int *lock_fd);

/* Remove temp files PATH.tmp.* left by crashed writers of path (call with
 * the lock held: no live writer has one then). Best effort. */
void ipsim__safe_remove_stale(const char *path);

/* Create a new unique temp file PATH.tmp.PID.N beside path with
 * O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW; returns the descriptor and the
 * malloc'd name in *tmp (caller frees), or a negative value with the
 * message set and *tmp NULL: IPSIM_SAFE_TMP_NOMEM when memory ran out, -1
 * otherwise. */
#define IPSIM_SAFE_TMP_NOMEM (-2)
int ipsim__safe_tmp_create(const char *path, char **tmp, char *err, size_t errlen);

/* Write size bytes to fd, fsync it and close it (closed on every path).
 * IPSIM_ERR_IO with "PATH: cannot write: reason" on failure. */
ipsim_status ipsim__safe_write_close(int fd, const void *buf, size_t size, const char *path, char *err,
                                     size_t errlen);

/* Publish tmp as path: checks what stands at path again
 * (ipsim__safe_check_target), then link(2) without force (atomic
 * no-overwrite) or rename(2) with force, and syncs the directory. tmp is
 * left in place on failure (the caller removes it). */
ipsim_status ipsim__safe_publish(const char *tmp, const char *path, int force, const char *what,
                                 char *err, size_t errlen);

/* Best effort: fsync the directory holding path. */
void ipsim__safe_sync_dir(const char *path);

/* Open an input file that must be a regular file: open(2) with
 * flags | O_NONBLOCK | O_CLOEXEC (and O_NOFOLLOW when nofollow is set),
 * fstat, O_NONBLOCK cleared again. Returns the descriptor, or -1 with the
 * message set and *status IPSIM_ERR_NOINPUT (missing, unreadable, or not
 * a regular file: FIFO, device, directory, socket, or a symlink when
 * nofollow). what names the file in messages ("result file", ...). */
int ipsim__safe_open_input(const char *path, int flags, int nofollow, const char *what,
                           ipsim_status *status, char *err, size_t errlen);

/* A whole output written safely: ipsim__safe_begin checks the target,
 * takes the lock, removes stale temp files and creates the temp file
 * (ipsim__safe_begin_locked: the same for a caller that already holds the
 * lock with ipsim__safe_lock, which it keeps);
 * ipsim__safe_commit writes the bytes, syncs, publishes and unlocks;
 * ipsim__safe_abort removes the temp file and unlocks (after a failed or
 * no commit; harmless after a successful one). */
typedef struct {
    const char *path; /* the output (not owned) */
    char *tmp;        /* temp file name (malloc'd), NULL when none */
    int fd;           /* temp file descriptor, -1 when closed */
    int lock_fd;      /* PATH.lock taken by ipsim__safe_begin, else -1 */
} ipsim__safe_out;

ipsim_status ipsim__safe_begin(ipsim__safe_out *o, const char *path, int force, char *err,
                               size_t errlen);
ipsim_status ipsim__safe_begin_locked(ipsim__safe_out *o, const char *path, int force, char *err,
                                      size_t errlen);
ipsim_status ipsim__safe_commit(ipsim__safe_out *o, const void *buf, size_t size, int force, char *err,
                                size_t errlen);
void ipsim__safe_abort(ipsim__safe_out *o);

#endif /* IPSIM_SAFE_FILE_H */
