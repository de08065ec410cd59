/*
 * pretty.c - values as text (see json_path.h): exact numbers, the short
 * descriptions messages quote after "found", and the pretty printer behind
 * `ipsim resolve`, all written into the shared growing text buffer of
 * base/textbuf.h.
 */
#include "json/json_path.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textbuf.h"
#include "json/json_internal.h"

#define IPSIM_JSON_INLINE_MAX 100 /* longest object printed on one line */
#define IPSIM_JSON_NUMBER_BUF 40  /* buffer for ipsim_json_number_text */
#define IPSIM_JSON_PREC_MIN 15    /* digits tried first for a number ... */
#define IPSIM_JSON_PREC_MAX 17    /* ... and enough for any double */

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
    for (int prec = IPSIM_JSON_PREC_MIN; prec <= IPSIM_JSON_PREC_MAX; prec++) {
        snprintf(buf, buflen, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* Append the n bytes at s as JSON string content (no quotes): runs of
 * plain bytes as they are, the rest escaped. */
static void put_escaped(ipsim_textbuf *b, const char *s, size_t n)
{
    size_t run = 0; /* start of the pending run of plain bytes */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default: esc = c < 0x20 ? "" : NULL;
        }
        if (esc == NULL)
            continue;
        ipsim_textbuf_printf(b, "%.*s", (int)(i - run), s + run);
        if (*esc)
            ipsim_textbuf_printf(b, "%s", esc);
        else
            ipsim_textbuf_printf(b, "\\u%04x", c);
        run = i + 1;
    }
    ipsim_textbuf_printf(b, "%.*s", (int)(n - run), s + run);
}

/* Append s as a JSON string in double quotes. */
static void put_string(ipsim_textbuf *b, const char *s)
{
    ipsim_textbuf_printf(b, "\"");
    put_escaped(b, s, strlen(s));
    ipsim_textbuf_printf(b, "\"");
}

void ipsim_json_describe(const cJSON *v, char *buf, size_t buflen)
{
    if (buflen == 0)
        return;
    if (v == NULL) {
        snprintf(buf, buflen, "nothing");
    } else if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        size_t k = ipsim__json_utf8_cut(v->valuestring, n, IPSIM_JSON_FOUND_MAX);
        ipsim_textbuf b = {0};
        ipsim_textbuf_printf(&b, "\"");
        put_escaped(&b, v->valuestring, k);
        ipsim_textbuf_printf(&b, k < n ? "...\"" : "\"");
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

/* ------------------------------------------------------------------------ */
/* the pretty printer                                                        */
/* ------------------------------------------------------------------------ */

static void indent(ipsim_textbuf *b, int level)
{
    for (int i = 0; i < level; i++)
        ipsim_textbuf_printf(b, "  ");
}

/* 1 if v (an array or object) holds no array or object. */
static int all_scalars(const cJSON *v)
{
    for (const cJSON *c = v->child; c; c = c->next)
        if (cJSON_IsArray(c) || cJSON_IsObject(c))
            return 0;
    return 1;
}

static void print_value(ipsim_textbuf *b, const cJSON *v, int level);

/* Print an object of scalars on one line if that stays short; 1 if done. */
static int print_inline(ipsim_textbuf *b, const cJSON *v)
{
    if (!all_scalars(v))
        return 0;
    ipsim_textbuf t = {0};
    ipsim_textbuf_printf(&t, "{");
    for (const cJSON *c = v->child; c; c = c->next) {
        put_string(&t, c->string);
        ipsim_textbuf_printf(&t, ": ");
        print_value(&t, c, 0);
        if (c->next)
            ipsim_textbuf_printf(&t, ", ");
    }
    ipsim_textbuf_printf(&t, "}");
    if (t.oom) {    /* out of memory: the whole print fails, not just */
        b->oom = 1; /* this layout (another layout would differ) */
        free(t.p);
        return 1;
    }
    int ok = t.len <= IPSIM_JSON_INLINE_MAX;
    if (ok)
        ipsim_textbuf_printf(b, "%s", t.p);
    free(t.p);
    return ok;
}

/* Print the members of a container (keys when keyed), one per line. */
static void print_lines(ipsim_textbuf *b, const cJSON *v, int level, int keyed, const char *open,
                        const char *close)
{
    ipsim_textbuf_printf(b, "%s\n", open);
    for (const cJSON *c = v->child; c; c = c->next) {
        indent(b, level + 1);
        if (keyed) {
            put_string(b, c->string);
            ipsim_textbuf_printf(b, ": ");
        }
        print_value(b, c, level + 1);
        ipsim_textbuf_printf(b, c->next ? ",\n" : "\n");
    }
    indent(b, level);
    ipsim_textbuf_printf(b, "%s", close);
}

static void print_value(ipsim_textbuf *b, const cJSON *v, int level)
{
    char num[IPSIM_JSON_NUMBER_BUF];
    if (cJSON_IsNull(v)) {
        ipsim_textbuf_printf(b, "null");
    } else if (cJSON_IsTrue(v)) {
        ipsim_textbuf_printf(b, "true");
    } else if (cJSON_IsFalse(v)) {
        ipsim_textbuf_printf(b, "false");
    } else if (cJSON_IsNumber(v)) {
        ipsim_json_number_text(v->valuedouble, num, sizeof num);
        ipsim_textbuf_printf(b, "%s", num);
    } else if (cJSON_IsString(v)) {
        put_string(b, v->valuestring);
    } else if (cJSON_IsRaw(v)) {
        ipsim_textbuf_printf(b, "%s", v->valuestring);
    } else if (cJSON_IsArray(v)) {
        if (v->child == NULL) {
            ipsim_textbuf_printf(b, "[]");
        } else if (all_scalars(v)) {
            ipsim_textbuf_printf(b, "[");
            for (const cJSON *c = v->child; c; c = c->next) {
                print_value(b, c, level + 1);
                if (c->next)
                    ipsim_textbuf_printf(b, ", ");
            }
            ipsim_textbuf_printf(b, "]");
        } else {
            print_lines(b, v, level, 0, "[", "]");
        }
    } else if (cJSON_IsObject(v)) {
        if (v->child == NULL)
            ipsim_textbuf_printf(b, "{}");
        else if (!print_inline(b, v))
            print_lines(b, v, level, 1, "{", "}");
    } else {
        ipsim_textbuf_printf(b, "null");
    }
}

char *ipsim_json_print(const cJSON *root)
{
    ipsim_textbuf b = {0};
    print_value(&b, root, 0);
    ipsim_textbuf_printf(&b, "\n");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
