/*
 * json_path.c - strict JSON reading, JSON paths and value descriptions for
 * the scenario loader.
 *
 * cJSON is lenient (it accepts "01", "1.", raw control characters in
 * strings, duplicate keys, 1e999 as infinity, and any bytes) and reports
 * syntax errors imprecisely. Before cJSON builds a tree, a byte scanner
 * checks UTF-8, NUL bytes, control characters and nesting depth, and a
 * recursive-descent pass checks the grammar; both report the first problem
 * by line and column. After parsing, a walk rejects duplicate keys and
 * non-finite numbers by JSON path. The rest of the file names values
 * for messages: paths, short descriptions, spelling suggestions, and an
 * exact pretty printer.
 */
#define _POSIX_C_SOURCE 200809L /* open flags, fdopen */

#include "json/json_path.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* small helpers                                                             */
/* ------------------------------------------------------------------------ */

static void say(char *why, size_t whylen, const char *fmt, ...)
{
    if (why == NULL || whylen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

/* Length of the longest prefix of s (at most max bytes) that ends on a
 * UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    return k;
}

/* ------------------------------------------------------------------------ */
/* reading files                                                             */
/* ------------------------------------------------------------------------ */

ipsim_status ipsim_json_read_file(const char *path, char **text, size_t *len,
                                  char *why, size_t whylen)
{
    *text = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO (say a "base" naming one) must not wait
     * for a writer; only regular files are read, so a FIFO, a terminal or
     * a device such as /dev/zero is refused at once instead of hanging or
     * reading without end. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        say(why, whylen, "cannot open: %s", strerror(errno));
        return IPSIM_ERR_NOINPUT;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        say(why, whylen, "cannot read: %s", strerror(e));
        return IPSIM_ERR_NOINPUT;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        say(why, whylen, "cannot read: %s", S_ISDIR(st.st_mode)
            ? "is a directory, not a file" : "not a regular file (a FIFO, socket or device)");
        return IPSIM_ERR_NOINPUT;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags != -1) (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        int e = errno;
        close(fd);
        say(why, whylen, "cannot open: %s", strerror(e));
        return IPSIM_ERR_NOINPUT;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        fclose(f);
        say(why, whylen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    for (;;) {
        if (n == cap) {
            if (cap > IPSIM_JSON_MAX_BYTES) break;
            size_t ncap = cap * 2;
            if (ncap > (size_t)IPSIM_JSON_MAX_BYTES + 1) ncap = (size_t)IPSIM_JSON_MAX_BYTES + 1;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                say(why, whylen, "out of memory");
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
                say(why, whylen, "cannot read: %s", strerror(e));
                return IPSIM_ERR_NOINPUT;
            }
            break;
        }
    }
    fclose(f);
    if (n > IPSIM_JSON_MAX_BYTES) {
        free(buf);
        say(why, whylen, "file too large (more than %u MiB)", IPSIM_JSON_MAX_BYTES >> 20);
        return IPSIM_ERR_DATA;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return IPSIM_OK;
}

/* ------------------------------------------------------------------------ */
/* the scanner                                                               */
/* ------------------------------------------------------------------------ */

/* Line and column (characters, from 1) of byte offset pos. */
static void line_col(const char *text, size_t pos, long *line, long *col)
{
    long l = 1, c = 1;
    for (size_t i = 0; i < pos; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) k = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        if (c == 0xE0) lo = 0xA0;      /* no overlong forms */
        if (c == 0xED) hi = 0x9F;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;      /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < k) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < k; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return k;
}

/* A short excerpt of the text at pos for "near '...'": at most 24 bytes,
 * not past the end of the line, cut on a character boundary. */
static void excerpt(const char *text, size_t len, size_t pos, char *buf, size_t buflen)
{
    size_t end = pos;
    while (end < len && end - pos < 24 && text[end] != '\n' && text[end] != '\r') end++;
    size_t n = end - pos;
    if (end < len) n = utf8_cut(text + pos, len - pos, n);
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < buflen; i++) {
        char ch = text[pos + i];
        buf[o++] = (ch == '\t') ? ' ' : ch;
    }
    if (buflen) buf[o] = '\0';
}

/* Length of a JSON number at s (n bytes left), 0 if it is not one. */
static size_t number_len(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return 0;
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return 0;
    }
    if (i < n && strchr("0123456789.eE+-", s[i]) != NULL) return 0;
    return i;
}

/* Check the bytes: UTF-8, no NUL, no raw control characters or \u0000 in
 * strings, nesting depth. Returns 0, or -1 with "line L, column C: ..." in
 * why. */
static int scan(const char *text, size_t len, char *why, size_t whylen)
{
    const unsigned char *s = (const unsigned char *)text;
    int depth = 0, in_string = 0;
    long line = 1, col = 1;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t k = 1;
        if (c == 0) {
            say(why, whylen, "line %ld, column %ld: NUL byte in the file", line, col);
            return -1;
        }
        if (c >= 0x80) {
            k = utf8_seq(s + i, len - i);
            if (k == 0) {
                say(why, whylen, "line %ld, column %ld: invalid UTF-8 (byte 0x%02X)", line, col, c);
                return -1;
            }
        } else if (in_string) {
            if (c == '"') {
                in_string = 0;
            } else if (c == '\\') {
                if (i + 1 < len && s[i + 1] == 'u' && len - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0) {
                    say(why, whylen, "line %ld, column %ld: \\u0000 (NUL) in a string", line, col);
                    return -1;
                }
                if (i + 1 < len && s[i + 1] >= 0x20 && s[i + 1] < 0x80) k = 2; /* skip escaped char */
            } else if (c < 0x20) {
                say(why, whylen,
                    "line %ld, column %ld: control character 0x%02X in a string (write it as an escape such as \\n)",
                    line, col, c);
                return -1;
            }
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > IPSIM_JSON_MAX_DEPTH) {
                say(why, whylen, "line %ld, column %ld: nesting deeper than %d levels", line, col,
                    IPSIM_JSON_MAX_DEPTH);
                return -1;
            }
        } else if (c == '}' || c == ']') {
            if (depth > 0) depth--;
        }
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col += (k == 2 && c == '\\') ? 2 : (c >= 0x80 ? 1 : (long)k);
        }
        i += k;
    }
    return 0;
}

/* A recursive-descent check of the JSON grammar (RFC 8259), which cJSON
 * applies loosely and reports imprecisely. On error, pos is where the text
 * stops making sense and want what was expected there. */
typedef struct {
    const char *s;
    size_t n, i;
    const char *want;
} syntax;

static void skip_ws(syntax *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) != NULL && p->s[p->i] != '\0') p->i++;
}

static int hex4(const char *s, size_t n, unsigned *v)
{
    if (n < 4) return -1;
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        unsigned d;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
        else return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

static int syn_string(syntax *p)
{
    if (p->i >= p->n || p->s[p->i] != '"') {
        p->want = "a string in double quotes";
        return -1;
    }
    p->i++;
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return 0;
        }
        if (c != '\\') {
            p->i++;
            continue;
        }
        if (p->i + 1 >= p->n) break;
        char e = p->s[p->i + 1];
        if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
            p->i += 2;
            continue;
        }
        unsigned u, lo;
        if (e != 'u' || hex4(p->s + p->i + 2, p->n - p->i - 2, &u)) {
            p->want = "a valid escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)";
            return -1;
        }
        if (u >= 0xDC00 && u <= 0xDFFF) {
            p->want = "a UTF-16 high surrogate before a low one";
            return -1;
        }
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (p->i + 7 >= p->n || p->s[p->i + 6] != '\\' || p->s[p->i + 7] != 'u' ||
                hex4(p->s + p->i + 8, p->n - p->i - 8, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                p->want = "a UTF-16 low surrogate after a high one";
                return -1;
            }
            p->i += 6;
        }
        p->i += 6;
    }
    p->i = p->n;
    p->want = "a closing '\"'";
    return -1;
}

static int syn_value(syntax *p);

static int syn_container(syntax *p, char close)
{
    p->i++; /* the opening bracket */
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return 0;
    }
    for (;;) {
        skip_ws(p);
        if (close == '}') {
            if (p->i >= p->n || p->s[p->i] != '"') {
                p->want = "a key in double quotes";
                return -1;
            }
            if (syn_string(p)) return -1;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                p->want = "':' after the key";
                return -1;
            }
            p->i++;
            skip_ws(p);
        }
        if (syn_value(p)) return -1;
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return 0;
        }
        p->want = close == '}' ? "',' or '}'" : "',' or ']'";
        return -1;
    }
}

static int syn_value(syntax *p)
{
    if (p->i >= p->n) {
        p->want = "a value";
        return -1;
    }
    char c = p->s[p->i];
    if (c == '{' || c == '[') return syn_container(p, c == '{' ? '}' : ']');
    if (c == '"') return syn_string(p);
    if (c == '-' || (c >= '0' && c <= '9')) {
        size_t k = number_len(p->s + p->i, p->n - p->i);
        if (k == 0) {
            p->want = "a JSON number (no leading zeros, digits after '.' and 'e')";
            return -1;
        }
        p->i += k;
        return 0;
    }
    static const char *const words[] = {"true", "false", "null"};
    for (int w = 0; w < 3; w++) {
        size_t k = strlen(words[w]);
        if (p->n - p->i >= k && memcmp(p->s + p->i, words[w], k) == 0) {
            p->i += k;
            return 0;
        }
    }
    p->want = "a value (object, array, string, number, true, false or null)";
    return -1;
}

static int syntax_check(const char *text, size_t len, size_t *pos, const char **want)
{
    syntax p = {text, len, 0, NULL};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) p.i = 3; /* a BOM, skipped as cJSON does */
    skip_ws(&p);
    if (syn_value(&p) == 0) {
        skip_ws(&p);
        if (p.i >= p.n) return 0;
        p.want = "nothing after the JSON value";
    }
    *pos = p.i;
    *want = p.want;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* paths                                                                     */
/* ------------------------------------------------------------------------ */

static size_t path_append(ipsim_json_path *p, const char *s)
{
    size_t old = p->len;
    size_t n = strlen(s);
    if (p->len + n >= sizeof p->s) n = sizeof p->s - 1 - p->len;
    memcpy(p->s + p->len, s, n);
    p->len += n;
    p->s[p->len] = '\0';
    return old;
}

size_t ipsim_json_path_push_key(ipsim_json_path *p, const char *key)
{
    size_t old = p->len;
    if (p->len > 0) path_append(p, ".");
    path_append(p, key);
    return old;
}

size_t ipsim_json_path_push_index(ipsim_json_path *p, int index)
{
    char b[24];
    snprintf(b, sizeof b, "[%d]", index);
    return path_append(p, b) /* returns the old length */;
}

void ipsim_json_path_pop(ipsim_json_path *p, size_t len)
{
    if (len < p->len) {
        p->len = len;
        p->s[len] = '\0';
    }
}

static const char *path_or_top(const ipsim_json_path *p)
{
    return p->len ? p->s : "(top level)";
}

/* Duplicate keys and non-finite numbers, depth first in document order. */
typedef struct {
    const cJSON *node;
    size_t order; /* position in the object */
} keyed;

static int cmp_keys(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->node->string, y->node->string);
    if (c) return c;
    return (x->order > y->order) - (x->order < y->order);
}

/* The repeated key that comes first in the object, or NULL. */
static ipsim_status first_duplicate(const cJSON *obj, const cJSON **dup)
{
    size_t n = 0;
    *dup = NULL;
    for (const cJSON *c = obj->child; c; c = c->next) n++;
    if (n < 2) return IPSIM_OK;
    keyed *k = malloc(n * sizeof *k);
    if (k == NULL) return IPSIM_ERR_NOMEM;
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) {
        k[i].node = c;
        k[i].order = i;
    }
    qsort(k, n, sizeof *k, cmp_keys);
    size_t best = n;
    for (i = 1; i < n; i++)
        if (strcmp(k[i - 1].node->string, k[i].node->string) == 0 && k[i].order < best) {
            best = k[i].order;
            *dup = k[i].node;
        }
    free(k);
    return IPSIM_OK;
}

static ipsim_status check_tree(const cJSON *node, ipsim_json_path *p, char *why, size_t whylen)
{
    if (cJSON_IsNumber(node)) {
        if (!isfinite(node->valuedouble)) {
            say(why, whylen, "%s: expected a finite number, found a number beyond the range of a double",
                path_or_top(p));
            return IPSIM_ERR_DATA;
        }
        return IPSIM_OK;
    }
    if (cJSON_IsObject(node)) {
        const cJSON *dup;
        size_t members = 0;
        for (const cJSON *c = node->child; c; c = c->next) members++;
        if (members > IPSIM_JSON_MAX_MEMBERS) {
            /* merging base chains looks keys up one by one: bound the work */
            say(why, whylen, "%s: expected an object of at most %d keys, found %zu keys",
                path_or_top(p), IPSIM_JSON_MAX_MEMBERS, members);
            return IPSIM_ERR_DATA;
        }
        if (first_duplicate(node, &dup) != IPSIM_OK) {
            say(why, whylen, "out of memory");
            return IPSIM_ERR_NOMEM;
        }
        if (dup) {
            size_t old = ipsim_json_path_push_key(p, dup->string);
            say(why, whylen, "%s: duplicate key (a key may appear only once in an object)", p->s);
            ipsim_json_path_pop(p, old);
            return IPSIM_ERR_DATA;
        }
        for (const cJSON *c = node->child; c; c = c->next) {
            size_t old = ipsim_json_path_push_key(p, c->string);
            ipsim_status st = check_tree(c, p, why, whylen);
            ipsim_json_path_pop(p, old);
            if (st != IPSIM_OK) return st;
        }
        return IPSIM_OK;
    }
    if (cJSON_IsArray(node)) {
        int i = 0;
        for (const cJSON *c = node->child; c; c = c->next, i++) {
            size_t old = ipsim_json_path_push_index(p, i);
            ipsim_status st = check_tree(c, p, why, whylen);
            ipsim_json_path_pop(p, old);
            if (st != IPSIM_OK) return st;
        }
    }
    return IPSIM_OK;
}

ipsim_status ipsim_json_parse(const char *text, size_t len, cJSON **out, char *why, size_t whylen)
{
    *out = NULL;
    if (scan(text, len, why, whylen) != 0) return IPSIM_ERR_DATA;
    size_t pos = 0;
    const char *want = NULL;
    if (syntax_check(text, len, &pos, &want) != 0) {
        long line, col;
        line_col(text, pos, &line, &col);
        size_t rest = pos;
        while (rest < len && strchr(" \t\r\n", text[rest]) != NULL) rest++;
        if (rest >= len) {
            size_t last = len;
            while (last > 0 && strchr(" \t\r\n", text[last - 1]) != NULL) last--;
            if (last == 0) {
                say(why, whylen, "line 1, column 1: invalid JSON: the file is empty");
            } else {
                line_col(text, len, &line, &col);
                say(why, whylen, "line %ld, column %ld: invalid JSON: unexpected end of file (expected %s)",
                    line, col, want);
            }
            return IPSIM_ERR_DATA;
        }
        char near[64];
        excerpt(text, len, pos, near, sizeof near);
        say(why, whylen, "line %ld, column %ld: invalid JSON near '%s' (expected %s)", line, col, near, want);
        return IPSIM_ERR_DATA;
    }
    /* len + 1: cJSON demands the terminating NUL inside the buffer to
     * reject trailing text; the scan guaranteed there is no earlier NUL.
     * After the checks above cJSON can only fail for want of memory. */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    if (root == NULL) {
        say(why, whylen, "out of memory while parsing JSON");
        return IPSIM_ERR_NOMEM;
    }
    ipsim_json_path p = {{0}, 0};
    ipsim_status st = check_tree(root, &p, why, whylen);
    if (st != IPSIM_OK) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return IPSIM_OK;
}

/* ------------------------------------------------------------------------ */
/* suggestions                                                               */
/* ------------------------------------------------------------------------ */

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Case-insensitive Levenshtein distance of ASCII-ish words up to 64 bytes. */
static int distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 1000;
    int row[65];
    for (size_t j = 0; j <= m; j++) row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j];
            int cost = lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

void ipsim_suggest_init(ipsim_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_distance = 1000;
}

void ipsim_suggest_offer(ipsim_suggest *s, const char *candidate)
{
    if (candidate == NULL || s->word == NULL) return;
    size_t n = strlen(s->word);
    int limit = n < 4 ? 1 : (n < 12 ? 2 : 3);
    int d = distance(s->word, candidate);
    if (d <= limit && d < (int)n && d < s->best_distance) {
        s->best = candidate;
        s->best_distance = d;
    }
}

/* ------------------------------------------------------------------------ */
/* finding values by path                                                    */
/* ------------------------------------------------------------------------ */

/* Walk path from root. Returns 0 found, 1 missing, 2 malformed path; on
 * 1 and 2 why says why and *owned tells whether the miss lies below an
 * array or scalar. */
static int walk(const cJSON *root, const char *path, const cJSON **node, const cJSON **parent,
                int *owned, char *why, size_t whylen)
{
    const cJSON *cur = root, *par = NULL;
    const char *p = path;
    int through_array = 0;
    *owned = 0;
    if (*p == '\0' || *p == '.' || *p == '[') {
        say(why, whylen, "expected a path such as markets[2].population");
        return 2;
    }
    while (*p) {
        const char *start = p;
        const cJSON *next = NULL;
        if (*p == '[') {
            const char *close = strchr(p, ']');
            if (close == NULL || close == p + 1) {
                say(why, whylen, "malformed path at '%s' (expected [INDEX] or [NAME])", p);
                return 2;
            }
            size_t n = (size_t)(close - p - 1);
            char key[IPSIM_JSON_PATH_MAX];
            if (n >= sizeof key) n = sizeof key - 1;
            memcpy(key, p + 1, n);
            key[n] = '\0';
            int numeric = 1;
            for (size_t i = 0; i < n; i++)
                if (key[i] < '0' || key[i] > '9') numeric = 0;
            if (!cJSON_IsArray(cur)) {
                *owned = through_array || !cJSON_IsObject(cur);
                say(why, whylen, "%.*s is not an array", (int)(start - path), path);
                return 1;
            }
            int count = cJSON_GetArraySize(cur);
            if (numeric) {
                long idx = n > 9 ? -1 : strtol(key, NULL, 10);
                if (idx >= 0 && idx < count) next = cJSON_GetArrayItem(cur, (int)idx);
                if (next == NULL) {
                    *owned = 1;
                    say(why, whylen, "no such element (%.*s has %d entr%s)", (int)(start - path), path, count,
                        count == 1 ? "y" : "ies");
                    return 1;
                }
            } else {
                ipsim_suggest sg;
                ipsim_suggest_init(&sg, key);
                for (const cJSON *e = cur->child; e; e = e->next) {
                    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
                    if (cJSON_IsString(nm)) {
                        if (strcmp(nm->valuestring, key) == 0) {
                            next = e;
                            break;
                        }
                        ipsim_suggest_offer(&sg, nm->valuestring);
                    }
                }
                if (next == NULL) {
                    *owned = 1;
                    if (sg.best)
                        say(why, whylen, "no element named \"%s\" in %.*s (did you mean \"%s\"?)", key,
                            (int)(start - path), path, sg.best);
                    else
                        say(why, whylen, "no element named \"%s\" in %.*s", key, (int)(start - path), path);
                    return 1;
                }
            }
            through_array = 1;
            p = close + 1;
            if (*p != '\0' && *p != '.' && *p != '[') {
                say(why, whylen, "malformed path at '%s' (expected '.', '[' or the end)", p);
                return 2;
            }
        } else {
            if (p != path) {
                if (*p != '.') {
                    say(why, whylen, "malformed path at '%s'", p);
                    return 2;
                }
                p++;
            }
            size_t n = strcspn(p, ".[]");
            if (n == 0) {
                say(why, whylen, "malformed path at '%s' (empty key)", p);
                return 2;
            }
            char key[IPSIM_JSON_PATH_MAX];
            if (n >= sizeof key) n = sizeof key - 1;
            memcpy(key, p, n);
            key[n] = '\0';
            if (!cJSON_IsObject(cur)) {
                *owned = 1;
                if (cJSON_IsArray(cur))
                    say(why, whylen, "%.*s is an array (select an element with [INDEX] or [NAME])",
                        (int)(start - path), path);
                else
                    say(why, whylen, "%.*s is not an object", (int)(start - path), path);
                return 1;
            }
            next = cJSON_GetObjectItemCaseSensitive(cur, key);
            if (next == NULL) {
                *owned = through_array;
                ipsim_suggest sg;
                ipsim_suggest_init(&sg, key);
                for (const cJSON *e = cur->child; e; e = e->next) ipsim_suggest_offer(&sg, e->string);
                if (sg.best)
                    say(why, whylen, "no such key \"%s\" (did you mean \"%s\"?)", key, sg.best);
                else
                    say(why, whylen, "no such key \"%s\"", key);
                return 1;
            }
            p += n;
            if (*p == ']') {
                say(why, whylen, "malformed path at '%s'", p);
                return 2;
            }
        }
        par = cur;
        cur = next;
    }
    *node = cur;
    *parent = par;
    return 0;
}

ipsim_status ipsim_json_path_find(cJSON *root, const char *path, cJSON **node, cJSON **parent,
                                  char *why, size_t whylen)
{
    const cJSON *n = NULL, *par = NULL;
    int owned;
    *node = NULL;
    *parent = NULL;
    if (walk(root, path, &n, &par, &owned, why, whylen) != 0) return IPSIM_ERR_DATA;
    /* the tree belongs to the caller, who passed it mutable */
    *node = (cJSON *)(size_t)n;
    *parent = (cJSON *)(size_t)par;
    return IPSIM_OK;
}

ipsim_json_probe ipsim_json_path_probe(const cJSON *root, const char *path)
{
    const cJSON *n = NULL, *par = NULL;
    int owned;
    char why[8];
    int r = walk(root, path, &n, &par, &owned, why, sizeof why);
    if (r == 0) return IPSIM_JSON_PROBE_FOUND;
    return owned ? IPSIM_JSON_PROBE_OWNED : IPSIM_JSON_PROBE_ABSENT;
}

/* ------------------------------------------------------------------------ */
/* describing and printing values                                            */
/* ------------------------------------------------------------------------ */

void ipsim_json_number_text(double d, char *buf, size_t buflen)
{
    if (!isfinite(d)) {
        snprintf(buf, buflen, "null");
        return;
    }
    if (d == 0) {
        snprintf(buf, buflen, "0");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, buflen, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}

/* Append s as JSON string content (without quotes) to out. */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > ncap) ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (np == NULL) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_string(sbuf *b, const char *s, size_t n)
{
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '"': sb_put(b, "\\\"", 2); break;
        case '\\': sb_put(b, "\\\\", 2); break;
        case '\n': sb_put(b, "\\n", 2); break;
        case '\r': sb_put(b, "\\r", 2); break;
        case '\t': sb_put(b, "\\t", 2); break;
        case '\b': sb_put(b, "\\b", 2); break;
        case '\f': sb_put(b, "\\f", 2); break;
        default:
            if (c < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                sb_put(b, esc, 6);
            } else {
                sb_put(b, (const char *)s + i, 1);
            }
        }
    }
    sb_put(b, "\"", 1);
}

void ipsim_json_describe(const cJSON *v, char *buf, size_t buflen)
{
    if (buflen == 0) return;
    if (v == NULL) {
        snprintf(buf, buflen, "nothing");
    } else if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        size_t k = utf8_cut(v->valuestring, n, IPSIM_JSON_FOUND_MAX);
        sbuf b = {NULL, 0, 0, 0};
        sb_string(&b, v->valuestring, k);
        if (k < n && b.p) {
            b.len--; /* drop the closing quote */
            sb_puts(&b, "...\"");
        }
        snprintf(buf, buflen, "%s", b.oom || b.p == NULL ? "a string" : b.p);
        free(b.p);
    } else if (cJSON_IsNumber(v)) {
        if (!isfinite(v->valuedouble))
            snprintf(buf, buflen, "a number beyond the range of a double");
        else
            ipsim_json_number_text(v->valuedouble, buf, buflen);
    } else if (cJSON_IsTrue(v)) {
        snprintf(buf, buflen, "true");
    } else if (cJSON_IsFalse(v)) {
        snprintf(buf, buflen, "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(buf, buflen, "null");
    } else if (cJSON_IsObject(v)) {
        snprintf(buf, buflen, "an object");
    } else if (cJSON_IsArray(v)) {
        snprintf(buf, buflen, "an array");
    } else {
        snprintf(buf, buflen, "an unknown value");
    }
}

#define IPSIM_JSON_INLINE_MAX 100 /* longest object printed on one line */

static void indent(sbuf *b, int level)
{
    for (int i = 0; i < level; i++) sb_put(b, "  ", 2);
}

static void print_value(sbuf *b, const cJSON *v, int level);

/* Print an object of scalars on one line if that stays short; 1 if done. */
static int print_inline(sbuf *b, const cJSON *v)
{
    for (const cJSON *c = v->child; c; c = c->next)
        if (cJSON_IsArray(c) || cJSON_IsObject(c)) return 0;
    sbuf t = {NULL, 0, 0, 0};
    sb_puts(&t, "{");
    for (const cJSON *c = v->child; c; c = c->next) {
        sb_string(&t, c->string, strlen(c->string));
        sb_puts(&t, ": ");
        print_value(&t, c, 0);
        if (c->next) sb_puts(&t, ", ");
    }
    sb_puts(&t, "}");
    int ok = !t.oom && t.len <= IPSIM_JSON_INLINE_MAX;
    if (ok) sb_put(b, t.p, t.len);
    free(t.p);
    return ok;
}

static void print_value(sbuf *b, const cJSON *v, int level)
{
    char num[40];
    if (cJSON_IsNull(v)) {
        sb_puts(b, "null");
    } else if (cJSON_IsTrue(v)) {
        sb_puts(b, "true");
    } else if (cJSON_IsFalse(v)) {
        sb_puts(b, "false");
    } else if (cJSON_IsNumber(v)) {
        ipsim_json_number_text(v->valuedouble, num, sizeof num);
        sb_puts(b, num);
    } else if (cJSON_IsString(v)) {
        sb_string(b, v->valuestring, strlen(v->valuestring));
    } else if (cJSON_IsRaw(v)) {
        sb_puts(b, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        if (v->child == NULL) {
            sb_puts(b, "[]");
            return;
        }
        int scalars = 1;
        for (const cJSON *c = v->child; c; c = c->next)
            if (cJSON_IsArray(c) || cJSON_IsObject(c)) scalars = 0;
        if (scalars) {
            sb_puts(b, "[");
            for (const cJSON *c = v->child; c; c = c->next) {
                print_value(b, c, level + 1);
                if (c->next) sb_puts(b, ", ");
            }
            sb_puts(b, "]");
            return;
        }
        sb_puts(b, "[\n");
        for (const cJSON *c = v->child; c; c = c->next) {
            indent(b, level + 1);
            print_value(b, c, level + 1);
            sb_puts(b, c->next ? ",\n" : "\n");
        }
        indent(b, level);
        sb_puts(b, "]");
    } else if (cJSON_IsObject(v)) {
        if (v->child == NULL) {
            sb_puts(b, "{}");
            return;
        }
        if (print_inline(b, v)) return;
        sb_puts(b, "{\n");
        for (const cJSON *c = v->child; c; c = c->next) {
            indent(b, level + 1);
            sb_string(b, c->string, strlen(c->string));
            sb_puts(b, ": ");
            print_value(b, c, level + 1);
            sb_puts(b, c->next ? ",\n" : "\n");
        }
        indent(b, level);
        sb_puts(b, "}");
    } else {
        sb_puts(b, "null");
    }
}

char *ipsim_json_print(const cJSON *root)
{
    sbuf b = {NULL, 0, 0, 0};
    print_value(&b, root, 0);
    sb_puts(&b, "\n");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
