/*
 * safe_file.c - safe output and input files (see safe_file.h): nothing but
 * a regular file is ever replaced, temp files are new and unique, one
 * writer per output at a time (flock on OUT.lock), inputs must be regular
 * files. Used by the run writer, `info` and the sweep files.
 */
#define _GNU_SOURCE /* flock, O_NOFOLLOW, O_CLOEXEC, openat */

#include "io/safe_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/textbuf.h"
#include "io/fdio.h"

#define LOCK_SUFFIX ".lock"
#define TMP_SUFFIX ".tmp."
#define TMP_NAME_EXTRA 64 /* room for ".tmp.PID.N" and the NUL */
#define TMP_ATTEMPTS 64   /* unique names tried before giving up */
#define LOCK_ATTEMPTS 16  /* lock files that vanished under us before giving up */
#define DIR_MAX 4096

/* ---- names -------------------------------------------------------------- */

/* The kind of a non-regular file, for messages. */
static const char *kind_of(mode_t m)
{
    if (S_ISLNK(m))
        return "a symbolic link";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* The directory part of path into dir ("." or "/" when it has none). */
static int dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return snprintf(dir, len, ".") < (int)len ? 0 : -1;
    if (slash == path)
        return snprintf(dir, len, "/") < (int)len ? 0 : -1;
    if ((size_t)(slash - path) >= len)
        return -1;
    snprintf(dir, len, "%.*s", (int)(slash - path), path);
    return 0;
}

/* ---- the output path ---------------------------------------------------- */

ipsim_status ipsim__safe_check_target(const char *path, int force, const char *what, char *err,
                                      size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return IPSIM_OK; /* absent (or unreachable: creating it will say why) */
    if (S_ISREG(st.st_mode)) {
        if (force)
            return IPSIM_OK;
        ipsim_set_error(err, errlen, "%s: already exists; use --force to overwrite it", path);
        return IPSIM_ERR_EXISTS;
    }
    ipsim_set_error(err, errlen,
                    "%s: is %s, not a regular file; ipsim writes its %s only as a "
                    "new file or over a regular file (--force does not change that): remove it "
                    "or choose another name",
                    path, kind_of(st.st_mode), what ? what : "output");
    return IPSIM_ERR_CANTCREAT;
}

void ipsim__safe_sync_dir(const char *path)
{
    char dir[DIR_MAX];
    if (dir_of(path, dir, sizeof dir) != 0)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* ---- the lock ----------------------------------------------------------- */

/* Open (creating) the lock file; -1 with the message set. */
static int open_lock(const char *lock, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(lock, &st) == 0 && !S_ISREG(st.st_mode)) {
        ipsim_set_error(err, errlen, "%s: the lock file is %s, not a regular file; remove it", lock,
                        kind_of(st.st_mode));
        return -1;
    }
    int fd = open(lock, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == ELOOP)
            ipsim_set_error(err, errlen, "%s: the lock file is a symbolic link; remove it", lock);
        else
            ipsim_set_error(err, errlen, "%s: cannot create the lock file: %s", lock, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ipsim_set_error(err, errlen, "%s: the lock file is not a regular file; remove it", lock);
        close(fd);
        return -1;
    }
    return fd;
}

/* 1 if fd is still the file named lock (not removed or replaced since). */
static int still_named(int fd, const char *lock)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && lstat(lock, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

ipsim_status ipsim__safe_lock(const char *path, int *lock_fd, char *err, size_t errlen)
{
    char *lock = ipsim__str_cat(path, LOCK_SUFFIX);
    ipsim_status st = IPSIM_ERR_CANTCREAT;
    *lock_fd = -1;
    if (!lock) {
        ipsim_set_error(err, errlen, "%s: out of memory", path);
        return IPSIM_ERR_NOMEM;
    }
    for (int attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
        int fd = open_lock(lock, err, errlen);
        if (fd < 0)
            break;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK || e == EINTR) {
                ipsim_set_error(err, errlen,
                                "%s: another ipsim process is writing this output "
                                "now (it holds %s); wait for it to finish, or choose another "
                                "name",
                                path, lock);
                st = IPSIM_ERR_EXISTS;
                break;
            }
            if (e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS) {
                st = IPSIM_OK; /* no locks on this file system: go on without */
                break;
            }
            ipsim_set_error(err, errlen, "%s: cannot lock: %s", lock, strerror(e));
            break;
        }
        if (still_named(fd, lock)) {
            *lock_fd = fd;
            st = IPSIM_OK;
            break;
        }
        close(fd); /* the holder removed it as we locked it: take the new one */
        ipsim_set_error(err, errlen, "%s: the lock file keeps changing; try again", lock);
    }
    free(lock);
    return st;
}

void ipsim__safe_unlock(const char *path, int *lock_fd)
{
    if (*lock_fd < 0)
        return;
    /* no allocation for the usual path lengths: unlocking must not fail and
     * leave PATH.lock behind when memory is short */
    char local[DIR_MAX + sizeof LOCK_SUFFIX];
    char *lock = local;
    if (strlen(path) + sizeof LOCK_SUFFIX <= sizeof local)
        snprintf(local, sizeof local, "%s" LOCK_SUFFIX, path);
    else
        lock = ipsim__str_cat(path, LOCK_SUFFIX);
    if (lock && still_named(*lock_fd, lock))
        unlink(lock);
    if (lock != local)
        free(lock);
    close(*lock_fd);
    *lock_fd = -1;
}

/* ---- temp files --------------------------------------------------------- */

/* 1 if name is base ".tmp." digits "." digits (a temp file of ours). */
static int is_our_tmp(const char *name, const char *base)
{
    size_t lb = strlen(base), ls = strlen(TMP_SUFFIX);
    if (strncmp(name, base, lb) != 0 || strncmp(name + lb, TMP_SUFFIX, ls) != 0)
        return 0;
    const char *p = name + lb + ls;
    int dots = 0, digits = 0;
    for (; *p; p++) {
        if (*p == '.') {
            if (!digits || dots++)
                return 0;
            digits = 0;
        } else if (*p >= '0' && *p <= '9') {
            digits++;
        } else {
            return 0;
        }
    }
    return dots == 1 && digits > 0;
}

void ipsim__safe_remove_stale(const char *path)
{
    char dir[DIR_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || dir_of(path, dir, sizeof dir) != 0)
        return;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (is_our_tmp(de->d_name, base))
            unlinkat(dfd, de->d_name, 0); /* never follows a link */
    closedir(d);
}

int ipsim__safe_tmp_create(const char *path, char **tmp, char *err, size_t errlen)
{
    size_t len = strlen(path) + TMP_NAME_EXTRA;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long n = ((unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20)) & 0xffffffUL;
    int e = EEXIST;
    *tmp = malloc(len);
    if (!*tmp) {
        ipsim_set_error(err, errlen, "%s: out of memory", path);
        return IPSIM_SAFE_TMP_NOMEM;
    }
    for (int attempt = 0; attempt < TMP_ATTEMPTS; attempt++, n++) {
        snprintf(*tmp, len, "%s" TMP_SUFFIX "%ld.%lu", path, (long)getpid(), n);
        int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        e = errno;
        if (e != EEXIST)
            break;
    }
    ipsim_set_error(err, errlen, "%s: cannot create: %s", path, strerror(e));
    free(*tmp);
    *tmp = NULL;
    return -1;
}

ipsim_status ipsim__safe_write_close(int fd, const void *buf, size_t size, const char *path, char *err,
                                     size_t errlen)
{
    const char *p = buf;
    int ok = 1;
    while (ok && size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (n == 0)
            errno = ENOSPC;
        if (ok) {
            p += n;
            size -= (size_t)n;
        }
    }
    ok = ok && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok)
        return IPSIM_OK;
    ipsim_set_error(err, errlen, "%s: cannot write: %s", path, strerror(e));
    return IPSIM_ERR_IO;
}

ipsim_status ipsim__safe_publish(const char *tmp, const char *path, int force, const char *what,
                                 char *err, size_t errlen)
{
    ipsim_status st = ipsim__safe_check_target(path, force, what, err, errlen);
    if (st != IPSIM_OK)
        return st;
    if (!force) {
        if (link(tmp, path) == 0) {
            unlink(tmp);
            ipsim__safe_sync_dir(path);
            return IPSIM_OK;
        }
        if (errno == EEXIST) {
            ipsim_set_error(err, errlen, "%s: already exists; use --force to overwrite it", path);
            return IPSIM_ERR_EXISTS;
        }
        /* no hard links here: fall back to the checked rename below */
    }
    if (rename(tmp, path) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return IPSIM_ERR_CANTCREAT;
    }
    ipsim__safe_sync_dir(path);
    return IPSIM_OK;
}

/* ---- inputs ------------------------------------------------------------- */

int ipsim__safe_open_input(const char *path, int flags, int nofollow, const char *what,
                           ipsim_status *status, char *err, size_t errlen)
{
    struct stat st;
    int fd = -1;
    *status = IPSIM_ERR_NOINPUT;
    if ((nofollow ? lstat(path, &st) : stat(path, &st)) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISREG(st.st_mode))
        fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    else
        errno = 0;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
        errno = 0;
    }
    if (fd < 0) {
        if (errno)
            ipsim_set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        else
            ipsim_set_error(err, errlen, "%s: is %s, not a regular file; give the %s itself", path,
                            kind_of(st.st_mode), what ? what : "file");
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *status = IPSIM_OK;
    return fd;
}

/* ---- a whole output ----------------------------------------------------- */

void ipsim__safe_abort(ipsim__safe_out *o)
{
    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
    }
    if (o->tmp) {
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    if (o->path)
        ipsim__safe_unlock(o->path, &o->lock_fd);
}

/* Begin an output; take_lock: take PATH.lock first (else the caller holds
 * it). */
static ipsim_status begin(ipsim__safe_out *o, const char *path, int force, int take_lock, char *err,
                          size_t errlen)
{
    o->path = path;
    o->tmp = NULL;
    o->fd = -1;
    o->lock_fd = -1;
    ipsim_status st = ipsim__safe_check_target(path, force, "output", err, errlen);
    if (st == IPSIM_OK && take_lock) {
        st = ipsim__safe_lock(path, &o->lock_fd, err, errlen);
        if (st == IPSIM_OK) /* again: it may have changed before we had the lock */
            st = ipsim__safe_check_target(path, force, "output", err, errlen);
    }
    if (st == IPSIM_OK) {
        if (!take_lock || o->lock_fd >= 0) /* no live writer can own one now */
            ipsim__safe_remove_stale(path);
        o->fd = ipsim__safe_tmp_create(path, &o->tmp, err, errlen);
        if (o->fd < 0)
            st = o->fd == IPSIM_SAFE_TMP_NOMEM ? IPSIM_ERR_NOMEM : IPSIM_ERR_CANTCREAT;
    }
    if (st != IPSIM_OK)
        ipsim__safe_abort(o);
    return st;
}

ipsim_status ipsim__safe_begin(ipsim__safe_out *o, const char *path, int force, char *err,
                               size_t errlen)
{
    return begin(o, path, force, 1, err, errlen);
}

ipsim_status ipsim__safe_begin_locked(ipsim__safe_out *o, const char *path, int force, char *err,
                                      size_t errlen)
{
    return begin(o, path, force, 0, err, errlen);
}

ipsim_status ipsim__safe_commit(ipsim__safe_out *o, const void *buf, size_t size, int force, char *err,
                                size_t errlen)
{
    ipsim_status st = ipsim__safe_write_close(o->fd, buf, size, o->path, err, errlen);
    o->fd = -1;
    if (st == IPSIM_OK)
        st = ipsim__safe_publish(o->tmp, o->path, force, "output", err, errlen);
    if (st == IPSIM_OK) {
        free(o->tmp); /* published: nothing to remove */
        o->tmp = NULL;
    }
    ipsim__safe_abort(o);
    return st;
}
