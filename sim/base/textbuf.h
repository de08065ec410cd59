/*
 * textbuf.h - a growing text buffer and the error-message setter shared by
 * the modules that build messages or summaries (internal to libipsim).
 */
#ifndef IPSIM_TEXTBUF_H
#define IPSIM_TEXTBUF_H

#include <stddef.h>

/* Zero-initialise; p is NUL-terminated once anything was appended. After an
 * allocation failure oom is set and further appends are ignored; the caller
 * owns p (free). */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} ipsim_textbuf;

/* Append printf-style text. */
void ipsim_textbuf_printf(ipsim_textbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Format a message into err (at most errlen bytes, NUL-terminated); a NULL
 * err or errlen 0 is a no-op. */
void ipsim_set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* IPSIM_TEXTBUF_H */
