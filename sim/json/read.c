/*
 * read.c - reading a JSON file whole into memory (see json_path.h).
 *
 * Only regular files are read, at most IPSIM_JSON_MAX_BYTES of them, so a
 * FIFO, a terminal or a device is refused at once instead of hanging or
 * reading without end.
 */
#define _POSIX_C_SOURCE 200809L /* open flags, fdopen */

#include "json/json_path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/textbuf.h"

#define IPSIM_JSON_READ_FIRST 65536 /* bytes of the first read buffer */

/* Open path for reading if it is a regular file. Returns the stream, or
 * NULL with the reason in why (and *st set to the status to return). */
static FILE *open_regular(const char *path, ipsim_status *st, char *why, size_t whylen)
{
    *st = IPSIM_ERR_NOINPUT;
    /* O_NONBLOCK: opening a FIFO (say a "base" naming one) must not wait
     * for a writer; it is cleared again once the file proves regular. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        ipsim_set_error(why, whylen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        ipsim_set_error(why, whylen, "cannot read: %s", strerror(e));
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        ipsim_set_error(why, whylen, "cannot read: %s",
                        S_ISDIR(sb.st_mode) ? "is a directory, not a file"
                                            : "not a regular file (a FIFO, socket or device)");
        return NULL;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags != -1)
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        int e = errno;
        close(fd);
        ipsim_set_error(why, whylen, "cannot open: %s", strerror(e));
        return NULL;
    }
    *st = IPSIM_OK;
    return f;
}

ipsim_status ipsim_json_read_file(const char *path, char **text, size_t *len, char *why, size_t whylen)
{
    *text = NULL;
    *len = 0;
    ipsim_status st;
    FILE *f = open_regular(path, &st, why, whylen);
    if (f == NULL)
        return st;
    size_t cap = IPSIM_JSON_READ_FIRST, n = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        fclose(f);
        ipsim_set_error(why, whylen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    for (;;) {
        if (n == cap) {
            /* one byte past the limit is enough to tell the file is too large */
            if (cap > IPSIM_JSON_MAX_BYTES)
                break;
            size_t ncap = cap * 2;
            if (ncap > (size_t)IPSIM_JSON_MAX_BYTES + 1)
                ncap = (size_t)IPSIM_JSON_MAX_BYTES + 1;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                ipsim_set_error(why, whylen, "out of memory");
                return IPSIM_ERR_NOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                free(buf);
                fclose(f);
                ipsim_set_error(why, whylen, "cannot read: %s", strerror(e));
                return IPSIM_ERR_NOINPUT;
            }
            break;
        }
    }
    fclose(f);
    if (n > IPSIM_JSON_MAX_BYTES) {
        free(buf);
        ipsim_set_error(why, whylen, "file too large (more than %u MiB)", IPSIM_JSON_MAX_BYTES >> 20);
        return IPSIM_ERR_DATA;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return IPSIM_OK;
}
