/*
 * messages.c - the error messages of scenario validation: one line
 * "ORIGIN: PATH: expected WHAT, found WHAT", with WHAT described from a
 * field descriptor (its type and range) and from the JSON value found.
 * Used by the fill engine (fill.c) and the checks between fields
 * (checks.c).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "scenario/field_table.h"

/* Record "ORIGIN: PATH: text" and return -1 (contract in field_table.h). */
int ipsim__sf_fail(vctx *v, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v->status == IPSIM_OK)
        v->status = IPSIM_ERR_DATA;
    if (v->err && v->errlen) {
        if (v->path.len)
            snprintf(v->err, v->errlen, "%s: %s: %s", v->origin, v->path.s, msg);
        else
            snprintf(v->err, v->errlen, "%s: %s", v->origin, msg);
    }
    if (v->errpath && v->errpathlen)
        snprintf(v->errpath, v->errpathlen, "%s", v->path.s);
    return -1;
}

/* "a number in [0, 1]", "an integer >= 1", "a number > 0" ... (contract
 * in field_table.h). */
void ipsim__sf_describe_range(const char *what, double min, double max, unsigned flags, char *buf,
                              size_t n)
{
    char a[40], b[40];
    ipsim_json_number_text(min, a, sizeof a);
    ipsim_json_number_text(max, b, sizeof b);
    int has_min = min > NO_MIN, has_max = max < NO_MAX;
    if (has_min && has_max)
        snprintf(buf, n, "%s in %c%s, %s%c", what, (flags & F_XMIN) ? '(' : '[', a, b,
                 (flags & F_XMAX) ? ')' : ']');
    else if (has_min)
        snprintf(buf, n, "%s %s %s", what, (flags & F_XMIN) ? ">" : ">=", a);
    else if (has_max)
        snprintf(buf, n, "%s %s %s", what, (flags & F_XMAX) ? "<" : "<=", b);
    else
        snprintf(buf, n, "%s", what);
}

/* What a value of field f must be, as "a number in [0, 1]", "a date
 * \"YYYY-MM-DD\"", "an array of 1 to 16 channels" ... */
static void describe_expected(const field *f, char *buf, size_t n)
{
    char r[128];
    switch (f->type) {
    case FT_NUMBER: ipsim__sf_describe_range("a number", f->min, f->max, f->flags, buf, n); break;
    case FT_INTEGER: ipsim__sf_describe_range("an integer", f->min, f->max, f->flags, buf, n); break;
    case FT_NAME:
        snprintf(buf, n, "a name (a string of 1 to %d bytes without control characters)",
                 IPSIM_NAME_MAX - 1);
        break;
    case FT_IDENT:
        snprintf(buf, n, "a name of 1 to %d characters from A-Z a-z 0-9 _ . -", IPSIM_NAME_MAX - 1);
        break;
    case FT_TEXT: snprintf(buf, n, "a string of at most %d bytes", IPSIM_TEXT_MAX - 1); break;
    case FT_DATE: snprintf(buf, n, "a date \"YYYY-MM-DD\""); break;
    case FT_SEED:
        snprintf(buf, n,
                 "a seed (a string of decimal digits up to %" PRIu64
                 " or an integer from 0 to 9007199254740992)",
                 UINT64_MAX);
        break;
    case FT_NUMBERS:
        ipsim__sf_describe_range("numbers", f->min, f->max, f->flags, r, sizeof r);
        snprintf(buf, n, "an array of %d %s", f->max_items, r);
        break;
    case FT_WEEKDAYS:
        snprintf(buf, n, "an array of distinct ISO weekdays (integers from 1 = Monday to 7 = Sunday)");
        break;
    case FT_DATES:
        snprintf(buf, n, "an array of at most %d distinct dates \"YYYY-MM-DD\"", f->max_items);
        break;
    case FT_OBJECT: snprintf(buf, n, "an object (%s)", f->sub->name); break;
    case FT_ARRAY:
        if (f->min_items > 0)
            snprintf(buf, n, "an array of %d to %d %ss", f->min_items, f->max_items, f->sub->name);
        else
            snprintf(buf, n, "an array of at most %d %ss", f->max_items, f->sub->name);
        break;
    case FT_CHANNEL_MAP:
        ipsim__sf_describe_range("number", f->min, f->max, f->flags, r, sizeof r);
        snprintf(buf, n, "an object {channel name: %s}", r);
        break;
    case FT_MECHANISM: {
        size_t o = (size_t)snprintf(buf, n, "one of");
        for (int m = 0; m < MECH_COUNT && o < n; m++)
            o += (size_t)snprintf(buf + o, n - o, "%s \"%s\"", m ? "," : "", ipsim_mechanism_names[m]);
        break;
    }
    case FT_SEGMENT: snprintf(buf, n, "one of \"cec\", \"mainstream\", \"all\""); break;
    case FT_MARKET: snprintf(buf, n, "a market name or \"*\" (every market)"); break;
    case FT_ASSETS:
        snprintf(buf, n, "an array of at most %d distinct asset names", f->max_items);
        break;
    case FT_BASE: snprintf(buf, n, "a file path"); break;
    }
}

/* "expected WHAT, found WHAT" with WHAT from the field and the value
 * (contract in field_table.h). */
int ipsim__sf_fail_expected(vctx *v, const field *f, const cJSON *found, const char *extra)
{
    char got[160];
    ipsim_json_describe(found, got, sizeof got);
    if (cJSON_IsArray(found))
        snprintf(got, sizeof got, "an array of %d elements", cJSON_GetArraySize(found));
    return ipsim__sf_fail_expected_text(v, f, got, extra);
}

/* "expected WHAT, found found" with WHAT from the field (contract in
 * field_table.h). */
int ipsim__sf_fail_expected_text(vctx *v, const field *f, const char *found, const char *extra)
{
    char want[512];
    describe_expected(f, want, sizeof want);
    return ipsim__sf_fail(v, "expected %s, found %s%s", want, found, extra ? extra : "");
}

/* "expected want, found WHAT" (contract in field_table.h). */
int ipsim__sf_fail_want(vctx *v, const char *want, const cJSON *found, const char *extra)
{
    char got[160];
    ipsim_json_describe(found, got, sizeof got);
    return ipsim__sf_fail(v, "expected %s, found %s%s", want, got, extra ? extra : "");
}
