/*
 * fdio.h - whole-buffer reads and writes on file descriptors and path
 * joining (internal to libipsim), shared by the journals
 * (experiment/sweep_journal.c, calibrate/journal.c), the posterior writer
 * and the safe files (io/safe_file.c).
 */
#ifndef IPSIM_IO_FDIO_H
#define IPSIM_IO_FDIO_H

#include <stddef.h>

/* Write all n bytes of buf to fd, retrying short writes and EINTR; 0, or
 * -1 with errno set. */
int ipsim__fd_write_all(int fd, const void *buf, size_t n);

/* Read up to n bytes into buf, retrying short reads and EINTR; returns the
 * bytes read (less than n at end of file or on an error). */
size_t ipsim__fd_read_full(int fd, void *buf, size_t n);

/* a followed by b, malloc'd; NULL when out of memory. */
char *ipsim__str_cat(const char *a, const char *b);

#endif /* IPSIM_IO_FDIO_H */
