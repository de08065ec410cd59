/*
 * strict.c - the strict JSON parser (ipsim_json_parse; see json_path.h).
 *
 * cJSON is lenient (it accepts "01", "1.", raw control characters in
 * strings, duplicate keys, 1e999 as infinity, and any bytes) and reports
 * syntax errors imprecisely. Before cJSON builds a tree, a byte scan checks
 * UTF-8, NUL bytes, control characters and nesting depth, and a
 * recursive-descent pass checks the grammar; both report the first problem
 * by line and column, and both walk the bodies of strings with one routine,
 * string_step. After parsing, strict_tree.c rejects duplicate keys and
 * non-finite numbers by JSON path, and numbers that read as another integer
 * than the one written keep their text (ipsim__json_inexact_integer).
 *
 * Quoting: a message about a document (a file) quotes its text ("near
 * '...'") only when the document starts like JSON, with '{' or '['. Any
 * other file that fails to parse (a "base" naming /etc/shadow, a key file)
 * gets one message that shows none of its bytes.
 */
#include "json/json_path.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "json/json_internal.h"

#define IPSIM_JSON_EXCERPT_MAX 24 /* bytes of text quoted in "near '...'" */
#define IPSIM_JSON_NEAR_BUF 64    /* buffer for that excerpt */
#define IPSIM_JSON_WHITESPACE " \t\r\n"
#define IPSIM_JSON_BOM "\xEF\xBB\xBF" /* skipped at the start, as cJSON does */
#define IPSIM_JSON_EXACT_DIGITS 15    /* integers of at most 15 digits are exact doubles */
#define IPSIM_JSON_INT_TEXT 400       /* "%.0f" of any finite double fits */
#define IPSIM_JSON_EXP_CAP \
    1000000000000L /* exponents are read up to this (files hold < 2^24 digits) */
#define IPSIM_JSON_NOT_A_DOCUMENT "not a JSON document (the first character is not '{' or '[')"

/* ------------------------------------------------------------------------ */
/* positions and characters                                                  */
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
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < k)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return k;
}

size_t ipsim__json_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* A short excerpt of the text at pos for "near '...'": at most
 * IPSIM_JSON_EXCERPT_MAX bytes, not past the end of the line, cut on a
 * character boundary, tabs shown as spaces. */
static void excerpt(const char *text, size_t len, size_t pos, char *buf, size_t buflen)
{
    size_t end = pos;
    while (end < len && end - pos < IPSIM_JSON_EXCERPT_MAX && text[end] != '\n' && text[end] != '\r')
        end++;
    size_t n = end - pos;
    if (end < len)
        n = ipsim__json_utf8_cut(text + pos, len - pos, n);
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < buflen; i++) {
        char ch = text[pos + i];
        buf[o++] = (ch == '\t') ? ' ' : ch;
    }
    if (buflen)
        buf[o] = '\0';
}

/* Length of a JSON number at s (n bytes left), 0 if it is not one. */
static size_t number_len(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return 0;
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    if (i < n && strchr("0123456789.eE+-", s[i]) != NULL)
        return 0;
    return i;
}

/* ------------------------------------------------------------------------ */
/* walking strings                                                           */
/* ------------------------------------------------------------------------ */

/* Four hex digits at s (n bytes left) into *v; -1 if they are not there. */
static int hex4(const char *s, size_t n, unsigned *v)
{
    if (n < 4)
        return -1;
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

/* What comes next in the body of a string (after its opening quote). */
typedef enum {
    STR_CLOSE,      /* '"': the string ends with this byte */
    STR_BYTE,       /* any other byte but a backslash, taken as it is */
    STR_ESCAPE,     /* a valid escape sequence */
    STR_NUL,        /* the escape \u0000, valid JSON that strict JSON refuses */
    STR_BAD_ESCAPE, /* a backslash starting no valid escape */
    STR_CUT         /* a backslash as the last byte of the text */
} str_step;

/* The one routine by which both passes walk a string: classify the step at
 * s[i] (n bytes in all, i < n). *step is its length in bytes (1 unless an
 * escape: 2, 6, or 12 for a UTF-16 surrogate pair); for STR_BAD_ESCAPE
 * *want says what was expected. An escape is all ASCII, holds no quote and
 * no line break. */
static str_step string_step(const char *s, size_t n, size_t i, size_t *step, const char **want)
{
    *step = 1;
    if (s[i] == '"')
        return STR_CLOSE;
    if (s[i] != '\\')
        return STR_BYTE;
    if (i + 1 >= n)
        return STR_CUT;
    char e = s[i + 1];
    if (e == 'u' && n - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0) {
        *step = 6;
        return STR_NUL;
    }
    if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
        *step = 2;
        return STR_ESCAPE;
    }
    unsigned u, lo;
    if (e != 'u' || hex4(s + i + 2, n - i - 2, &u)) {
        *want = "a valid escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)";
        return STR_BAD_ESCAPE;
    }
    if (u >= 0xDC00 && u <= 0xDFFF) {
        *want = "a UTF-16 high surrogate before a low one";
        return STR_BAD_ESCAPE;
    }
    *step = 6;
    if (u >= 0xD800 && u <= 0xDBFF) {
        if (i + 7 >= n || s[i + 6] != '\\' || s[i + 7] != 'u' || hex4(s + i + 8, n - i - 8, &lo) ||
            lo < 0xDC00 || lo > 0xDFFF) {
            *step = 1;
            *want = "a UTF-16 low surrogate after a high one";
            return STR_BAD_ESCAPE;
        }
        *step = 12;
    }
    return STR_ESCAPE;
}

/* ------------------------------------------------------------------------ */
/* the byte scan                                                             */
/* ------------------------------------------------------------------------ */

/* Check the bytes: UTF-8, no NUL, no raw control characters or \u0000 in
 * strings, nesting depth. Returns 0, or -1 with "line L, column C: ..." in
 * why. Invalid escapes are left to the grammar check: the scan steps over
 * the backslash and the printable ASCII character after it. */
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
            ipsim_set_error(why, whylen, "line %ld, column %ld: NUL byte in the file", line, col);
            return -1;
        }
        if (c >= 0x80) {
            k = utf8_seq(s + i, len - i);
            if (k == 0) {
                ipsim_set_error(why, whylen, "line %ld, column %ld: invalid UTF-8 (byte 0x%02X)", line,
                                col, c);
                return -1;
            }
        } else if (in_string) {
            const char *want;
            switch (string_step(text, len, i, &k, &want)) {
            case STR_CLOSE: in_string = 0; break;
            case STR_NUL:
                ipsim_set_error(why, whylen, "line %ld, column %ld: \\u0000 (NUL) in a string", line,
                                col);
                return -1;
            case STR_BAD_ESCAPE: k = (s[i + 1] >= 0x20 && s[i + 1] < 0x80) ? 2 : 1; break;
            case STR_BYTE:
                if (c < 0x20) {
                    ipsim_set_error(
                        why, whylen,
                        "line %ld, column %ld: control character 0x%02X in a string (write it as an escape such as \\n)",
                        line, col, c);
                    return -1;
                }
                break;
            case STR_ESCAPE:
            case STR_CUT: break;
            }
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > IPSIM_JSON_MAX_DEPTH) {
                ipsim_set_error(why, whylen, "line %ld, column %ld: nesting deeper than %d levels",
                                line, col, IPSIM_JSON_MAX_DEPTH);
                return -1;
            }
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
        }
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col += c >= 0x80 ? 1 : (long)k; /* a UTF-8 sequence is one character */
        }
        i += k;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* the grammar check                                                         */
/* ------------------------------------------------------------------------ */

/* A recursive-descent check of the JSON grammar (RFC 8259), which cJSON
 * applies loosely and reports imprecisely. On error, i is where the text
 * stops making sense and want what was expected there. */
typedef struct {
    const char *s;
    size_t n, i;
    const char *want;
} syntax;

static void skip_ws(syntax *p)
{
    while (p->i < p->n && strchr(IPSIM_JSON_WHITESPACE, p->s[p->i]) != NULL && p->s[p->i] != '\0')
        p->i++;
}

static int syn_string(syntax *p)
{
    if (p->i >= p->n || p->s[p->i] != '"') {
        p->want = "a string in double quotes";
        return -1;
    }
    p->i++;
    while (p->i < p->n) {
        size_t k;
        const char *want;
        str_step st = string_step(p->s, p->n, p->i, &k, &want);
        if (st == STR_CLOSE) {
            p->i++;
            return 0;
        }
        if (st == STR_CUT)
            break;
        if (st == STR_BAD_ESCAPE) {
            p->want = want;
            return -1;
        }
        p->i += k; /* a byte or an escape (\u0000 never comes here: the scan refused it) */
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
            if (syn_string(p))
                return -1;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                p->want = "':' after the key";
                return -1;
            }
            p->i++;
            skip_ws(p);
        }
        if (syn_value(p))
            return -1;
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
    if (c == '{' || c == '[')
        return syn_container(p, c == '{' ? '}' : ']');
    if (c == '"')
        return syn_string(p);
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
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t k = strlen(words[w]);
        if (p->n - p->i >= k && memcmp(p->s + p->i, words[w], k) == 0) {
            p->i += k;
            return 0;
        }
    }
    p->want = "a value (object, array, string, number, true, false or null)";
    return -1;
}

/* Check the whole text: one value, nothing after it. Returns 0, or -1 with
 * the byte offset of the problem in *pos and what was expected in *want. */
static int syntax_check(const char *text, size_t len, size_t *pos, const char **want)
{
    syntax p = {text, len, 0, NULL};
    if (len >= 3 && memcmp(text, IPSIM_JSON_BOM, 3) == 0)
        p.i = 3;
    skip_ws(&p);
    if (syn_value(&p) == 0) {
        skip_ws(&p);
        if (p.i >= p.n)
            return 0;
        p.want = "nothing after the JSON value";
    }
    *pos = p.i;
    *want = p.want;
    return -1;
}

/* Say in why where and why the grammar check failed: at pos, or at the end
 * of the file when only whitespace follows pos. */
static void syntax_message(const char *text, size_t len, size_t pos, const char *want, char *why,
                           size_t whylen)
{
    long line, col;
    line_col(text, pos, &line, &col);
    size_t rest = pos;
    while (rest < len && strchr(IPSIM_JSON_WHITESPACE, text[rest]) != NULL)
        rest++;
    if (rest >= len) {
        size_t last = len;
        while (last > 0 && strchr(IPSIM_JSON_WHITESPACE, text[last - 1]) != NULL)
            last--;
        if (last == 0) {
            ipsim_set_error(why, whylen, "line 1, column 1: invalid JSON: the file is empty");
        } else {
            line_col(text, len, &line, &col);
            ipsim_set_error(why, whylen,
                            "line %ld, column %ld: invalid JSON: unexpected end of file (expected %s)",
                            line, col, want);
        }
        return;
    }
    char near[IPSIM_JSON_NEAR_BUF];
    excerpt(text, len, pos, near, sizeof near);
    ipsim_set_error(why, whylen, "line %ld, column %ld: invalid JSON near '%s' (expected %s)", line,
                    col, near, want);
}

/* ------------------------------------------------------------------------ */
/* numbers that read as another integer                                      */
/* ------------------------------------------------------------------------ */

/* Find the next number literal at or after *i outside strings, in text that
 * passed the grammar check: 1 with *i at it and its length in *n, or 0. */
static int next_number(const char *s, size_t len, size_t *i, size_t *n)
{
    while (*i < len) {
        char c = s[*i];
        if (c == '"') {
            (*i)++;
            while (*i < len) {
                size_t k;
                const char *want;
                str_step st = string_step(s, len, *i, &k, &want);
                *i += k;
                if (st == STR_CLOSE)
                    break;
            }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            *n = number_len(s + *i, len - *i);
            return *n > 0;
        } else {
            (*i)++;
        }
    }
    return 0;
}

/* Whether the number literal s (n bytes, valid JSON) has exactly the value
 * d, a finite integer-valued double. The literal's digits, point and
 * exponent are compared with the decimal digits of |d| (exact with "%.0f"),
 * so 9007199254740993, 9007199254740993.0 and 9.007199254740993e15, which
 * all read as 9007199254740992, are told apart from it. */
static int literal_is(const char *s, size_t n, double d)
{
    size_t i = s[0] == '-';
    size_t i0 = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t ni = i - i0, f0 = i, nf = 0;
    if (i < n && s[i] == '.') {
        f0 = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        nf = i - f0;
    }
    if (i == n && nf == 0 && ni <= IPSIM_JSON_EXACT_DIGITS)
        return 1; /* small plain integer */
    long e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int neg = s[++i] == '-';
        if (s[i] == '+' || s[i] == '-')
            i++;
        for (; i < n; i++)
            if (e < IPSIM_JSON_EXP_CAP)
                e = e * 10 + (s[i] - '0');
        if (neg)
            e = -e;
    }
    /* the mantissa digits: ni of the integer part, then nf of the fraction */
#define MANTISSA(k) ((k) < ni ? s[i0 + (k)] : s[f0 + (k)-ni])
    size_t lead = 0, end = ni + nf;
    while (lead < end && MANTISSA(lead) == '0')
        lead++;
    while (end > lead && MANTISSA(end - 1) == '0')
        end--;
    if (lead == end)
        return d == 0;
    /* value = the digits [lead, end) times 10^zeros */
    long zeros = e - (long)nf + (long)(ni + nf - end);
    char ref[IPSIM_JSON_INT_TEXT];
    snprintf(ref, sizeof ref, "%.0f", fabs(d));
    size_t rl = strlen(ref), sig = end - lead;
    if (zeros < 0 || (long)rl - (long)sig != zeros)
        return 0;
    for (size_t k = 0; k < sig; k++)
        if (ref[k] != MANTISSA(lead + k))
            return 0;
    for (size_t k = sig; k < rl; k++)
        if (ref[k] != '0')
            return 0;
    return 1;
#undef MANTISSA
}

/* Give every number below node that reads as an integer other than the
 * value written its literal text as valuestring (numbers have none
 * otherwise; cJSON frees and copies it with the node). *pos walks the
 * number literals of text in document order, as the tree is walked. */
static ipsim_status mark_inexact(cJSON *node, const char *text, size_t len, size_t *pos)
{
    if (cJSON_IsNumber(node)) {
        size_t n = 0;
        if (!next_number(text, len, pos, &n))
            return IPSIM_OK; /* cannot happen */
        const char *lit = text + *pos;
        *pos += n;
        double d = node->valuedouble;
        if (isfinite(d) && d == floor(d) && !literal_is(lit, n, d)) {
            char *copy = malloc(n + 1);
            if (copy == NULL)
                return IPSIM_ERR_NOMEM;
            memcpy(copy, lit, n);
            copy[n] = '\0';
            node->valuestring = copy;
        }
        return IPSIM_OK;
    }
    for (cJSON *c = node->child; c; c = c->next) {
        ipsim_status st = mark_inexact(c, text, len, pos);
        if (st != IPSIM_OK)
            return st;
    }
    return IPSIM_OK;
}

const char *ipsim__json_inexact_integer(const cJSON *node)
{
    return cJSON_IsNumber(node) ? node->valuestring : NULL;
}

/* ------------------------------------------------------------------------ */
/* parsing                                                                   */
/* ------------------------------------------------------------------------ */

/* Whether text starts like a JSON document: its first character after a
 * BOM and whitespace is '{' or '[', or there is none (an empty file). */
static int starts_like_document(const char *text, size_t len)
{
    size_t i = len >= 3 && memcmp(text, IPSIM_JSON_BOM, 3) == 0 ? 3 : 0;
    while (i < len && strchr(IPSIM_JSON_WHITESPACE, text[i]) != NULL && text[i] != '\0')
        i++;
    return i == len || text[i] == '{' || text[i] == '[';
}

/* The strict parse; document: text is a whole file, whose bytes messages
 * quote only when it starts like JSON. */
static ipsim_status parse(const char *text, size_t len, int document, cJSON **out, char *why,
                          size_t whylen)
{
    *out = NULL;
    size_t pos = 0;
    const char *want = NULL;
    if (scan(text, len, why, whylen) != 0 || syntax_check(text, len, &pos, &want) != 0) {
        if (document && !starts_like_document(text, len))
            ipsim_set_error(why, whylen, "%s", IPSIM_JSON_NOT_A_DOCUMENT);
        else if (want)
            syntax_message(text, len, pos, want, why, whylen);
        return IPSIM_ERR_DATA;
    }
    /* len + 1: cJSON demands the terminating NUL inside the buffer to
     * reject trailing text; the scan guaranteed there is no earlier NUL.
     * After the checks above cJSON can only fail for want of memory. */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    if (root == NULL) {
        ipsim_set_error(why, whylen, "out of memory while parsing JSON");
        return IPSIM_ERR_NOMEM;
    }
    ipsim_status st = ipsim__json_check_tree(root, why, whylen);
    if (st == IPSIM_OK) {
        pos = 0;
        st = mark_inexact(root, text, len, &pos);
        if (st != IPSIM_OK)
            ipsim_set_error(why, whylen, "out of memory");
    }
    if (st != IPSIM_OK) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return IPSIM_OK;
}

ipsim_status ipsim_json_parse(const char *text, size_t len, cJSON **out, char *why, size_t whylen)
{
    return parse(text, len, 1, out, why, whylen);
}

ipsim_status ipsim__json_parse_value(const char *text, size_t len, cJSON **out, char *why,
                                     size_t whylen)
{
    return parse(text, len, 0, out, why, whylen);
}
