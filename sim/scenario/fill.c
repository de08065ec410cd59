/*
 * fill.c - the fill engine: validate a resolved scenario document (base
 * merged) against the field tables (field_tables.c) and fill an sc_data.
 *
 * Every key is checked for type, range, references by name and duplicates;
 * unknown keys are errors (with a "did you mean" when one is close). The
 * fields of a table are filled in table order, then its check function
 * (checks.c) runs. The first failure stops the walk, leaving one message
 * (messages.c) and the JSON path of the offending value.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scenario/field_table.h"
#include "scenario/fields.h"

#define SHARE_SUM_TOLERANCE 1e-6     /* |sum of channel shares - 1| allowed */
#define SEED_READS_DIGITS_BELOW 1e21 /* inexact seeds below this are shown with every digit */

static int fill_object(vctx *v, const table *t, const cJSON *obj, char *base, int index);

static int in_range(double x, double min, double max, unsigned flags)
{
    if ((flags & F_XMIN) ? !(x > min) : !(x >= min))
        return 0;
    if ((flags & F_XMAX) ? !(x < max) : !(x <= max))
        return 0;
    return 1;
}

static void copy_string(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int fill_name(vctx *v, const field *f, const cJSON *item, char *dst)
{
    if (!cJSON_IsString(item))
        return ipsim__sf_fail_expected(v, f, item, NULL);
    const char *s = item->valuestring;
    size_t n = strlen(s);
    if (n < 1 || n > IPSIM_NAME_MAX - 1)
        return ipsim__sf_fail_expected(v, f, item, NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = f->type == FT_IDENT ? ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
                                     : (c >= 0x20 && c != 0x7F);
        if (!ok)
            return ipsim__sf_fail_expected(v, f, item, NULL);
    }
    if (dst)
        copy_string(dst, s, IPSIM_NAME_MAX);
    return 0;
}

static int fill_date(vctx *v, const field *f, const cJSON *item, ipsim_date *dst)
{
    if (!cJSON_IsString(item))
        return ipsim__sf_fail_expected(v, f, item, NULL);
    int r = ipsim_date_parse(item->valuestring, dst);
    if (r == -2)
        return ipsim__sf_fail_want(v, "a real calendar date \"YYYY-MM-DD\"", item, NULL);
    if (r != 0)
        return ipsim__sf_fail_expected(v, f, item, NULL);
    if (*dst < IPSIM_DATE_MIN || *dst > IPSIM_DATE_MAX)
        return ipsim__sf_fail_want(v, "a date from " IPSIM_DATE_MIN_TEXT " to " IPSIM_DATE_MAX_TEXT,
                                   item, NULL);
    return 0;
}

/* A JSON number seed that reads as another value than the one written: the
 * message quotes what was written and, when it is a seed the loader takes
 * as a string of digits, says to write it so. */
static int fail_seed_inexact(vctx *v, const field *f, const cJSON *item, const char *written)
{
    char found[IPSIM_JSON_FOUND_MAX + 4], reads[40], extra[IPSIM_JSON_FOUND_MAX + 160];
    size_t n = strlen(written); /* the text of a JSON number: ASCII */
    int k = n > IPSIM_JSON_FOUND_MAX ? IPSIM_JSON_FOUND_MAX : (int)n;
    snprintf(found, sizeof found, "%.*s%s", k, written, (size_t)k < n ? "..." : "");
    if (fabs(item->valuedouble) < SEED_READS_DIGITS_BELOW) /* all its digits: 18446744073709551616 */
        snprintf(reads, sizeof reads, "%.0f", item->valuedouble);
    else
        ipsim_json_number_text(item->valuedouble, reads, sizeof reads);
    int digits = n >= 1 && n <= SEED_TEXT_DIGITS_MAX && strspn(written, "0123456789") == n &&
                 (n < SEED_TEXT_DIGITS_MAX || strcmp(written, SEED_TEXT_MAX) <= 0);
    if (digits)
        snprintf(extra, sizeof extra,
                 " (a JSON number cannot hold it exactly and reads as %s: write the seed as a "
                 "string, \"%s\")",
                 reads, written);
    else
        snprintf(extra, sizeof extra, " (a JSON number cannot hold it exactly and reads as %s)",
                 reads);
    return ipsim__sf_fail_expected_text(v, f, found, extra);
}

static int fill_seed(vctx *v, const field *f, const cJSON *item, uint64_t *dst)
{
    if (cJSON_IsString(item)) {
        const char *s = item->valuestring;
        size_t n = strlen(s);
        uint64_t x = 0;
        if (n < 1 || n > SEED_TEXT_DIGITS_MAX)
            return ipsim__sf_fail_expected(v, f, item, NULL);
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return ipsim__sf_fail_expected(v, f, item, NULL);
            unsigned d = (unsigned)(s[i] - '0');
            if (x > (UINT64_MAX - d) / 10)
                return ipsim__sf_fail_expected(v, f, item, " (too large)");
            x = x * 10 + d;
        }
        *dst = x;
        return 0;
    }
    if (cJSON_IsNumber(item)) {
        /* 9007199254740993 reads as the double 9007199254740992: refuse a
         * number written as another value than the one it reads as */
        const char *written = ipsim__json_inexact_integer(item);
        if (written)
            return fail_seed_inexact(v, f, item, written);
        double x = item->valuedouble;
        if (x == floor(x) && x >= 0 && x <= SEED_INT_MAX) {
            *dst = (uint64_t)x;
            return 0;
        }
        if (x == floor(x) && x > SEED_INT_MAX)
            return ipsim__sf_fail_expected(
                v, f, item, " (integers above 2^53 are inexact in JSON: quote the seed)");
    }
    return ipsim__sf_fail_expected(v, f, item, NULL);
}

/* Element i of a list, with the path pointing at it on failure. */
static int fill_numbers(vctx *v, const field *f, const cJSON *item, double *dst)
{
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != f->max_items)
        return ipsim__sf_fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        if (!cJSON_IsNumber(e) || !in_range(e->valuedouble, f->min, f->max, f->flags)) {
            char want[128];
            ipsim__sf_describe_range("a number", f->min, f->max, f->flags, want, sizeof want);
            ipsim_json_path_push_index(&v->path, i);
            return ipsim__sf_fail_want(v, want, e, NULL);
        }
        dst[i] = e->valuedouble + 0.0;
    }
    return 0;
}

static int fill_weekdays(vctx *v, const field *f, const cJSON *item, int *dst, int *count)
{
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > f->max_items)
        return ipsim__sf_fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        size_t old = ipsim_json_path_push_index(&v->path, i);
        if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
            !in_range(e->valuedouble, f->min, f->max, 0))
            return ipsim__sf_fail_want(v, "an ISO weekday (an integer from 1 = Monday to 7 = Sunday)",
                                       e, NULL);
        int d = (int)e->valuedouble;
        for (int k = 0; k < i; k++)
            if (dst[k] == d)
                return ipsim__sf_fail_want(v, "a weekday not listed before", e, NULL);
        dst[i] = d;
        ipsim_json_path_pop(&v->path, old);
    }
    *count = i;
    return 0;
}

static int fill_dates(vctx *v, const field *f, const cJSON *item, ipsim_date *dst, int *count)
{
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > f->max_items)
        return ipsim__sf_fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        size_t old = ipsim_json_path_push_index(&v->path, i);
        field df = {.key = f->key, .type = FT_DATE};
        if (fill_date(v, &df, e, &dst[i]))
            return -1;
        for (int k = 0; k < i; k++)
            if (dst[k] == dst[i])
                return ipsim__sf_fail_want(v, "a date not listed before", e, NULL);
        ipsim_json_path_pop(&v->path, old);
    }
    *count = i;
    return 0;
}

static int channel_index(const sc_data *d, const char *name)
{
    for (int c = 0; c < d->n_channels; c++)
        if (strcmp(d->channels[c].name, name) == 0)
            return c;
    return -1;
}

static int fail_unknown_channel(vctx *v, const char *name)
{
    ipsim_suggest sg;
    ipsim_suggest_init(&sg, name);
    for (int c = 0; c < v->data->n_channels; c++)
        ipsim_suggest_offer(&sg, v->data->channels[c].name);
    if (sg.best)
        return ipsim__sf_fail(v, "unknown channel (did you mean \"%s\"?)", sg.best);
    char list[1024];
    size_t o = 0;
    list[0] = '\0';
    for (int c = 0; c < v->data->n_channels && o < sizeof list; c++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", c ? ", " : "",
                              v->data->channels[c].name);
    return ipsim__sf_fail(v, "unknown channel (channels: %s)", list);
}

static int fill_channel_map(vctx *v, const field *f, const cJSON *item, double *dst)
{
    if (!cJSON_IsObject(item))
        return ipsim__sf_fail_expected(v, f, item, NULL);
    char want[128];
    ipsim__sf_describe_range("a number", f->min, f->max, f->flags, want, sizeof want);
    double sum = 0;
    for (const cJSON *e = item->child; e; e = e->next) {
        size_t old = ipsim_json_path_push_key(&v->path, e->string);
        int c = channel_index(v->data, e->string);
        if (c < 0)
            return fail_unknown_channel(v, e->string);
        if (!cJSON_IsNumber(e) || !in_range(e->valuedouble, f->min, f->max, f->flags))
            return ipsim__sf_fail_want(v, want, e, NULL);
        dst[c] = e->valuedouble + 0.0;
        sum += dst[c];
        ipsim_json_path_pop(&v->path, old);
    }
    if (f->flags & F_ALL_CHANNELS) {
        for (int c = 0; c < v->data->n_channels; c++) {
            if (cJSON_GetObjectItemCaseSensitive(item, v->data->channels[c].name) == NULL) {
                ipsim_json_path_push_key(&v->path, v->data->channels[c].name);
                return ipsim__sf_fail_want(v, want, NULL, " (every channel must be priced)");
            }
        }
    }
    if ((f->flags & F_SUM_ONE) && fabs(sum - 1) > SHARE_SUM_TOLERANCE) {
        char s[40];
        ipsim_json_number_text(sum, s, sizeof s);
        return ipsim__sf_fail(v, "expected channel shares summing to 1, found shares summing to %s",
                              s);
    }
    return 0;
}

static int fill_mechanism(vctx *v, const field *f, const cJSON *item, sc_mechanism *dst)
{
    if (cJSON_IsString(item))
        for (int m = 0; m < MECH_COUNT; m++)
            if (strcmp(item->valuestring, ipsim_mechanism_names[m]) == 0) {
                *dst = (sc_mechanism)m;
                return 0;
            }
    return ipsim__sf_fail_expected(v, f, item, NULL);
}

static int fill_segment(vctx *v, const field *f, const cJSON *item, int *dst)
{
    if (cJSON_IsString(item)) {
        if (strcmp(item->valuestring, "all") == 0) {
            *dst = -1;
            return 0;
        }
        for (int s = 0; s < IPSIM_N_SEGMENTS; s++)
            if (strcmp(item->valuestring, ipsim_segment_names[s]) == 0) {
                *dst = s;
                return 0;
            }
    }
    return ipsim__sf_fail_expected(v, f, item, NULL);
}

static int fill_market(vctx *v, const field *f, const cJSON *item, int *dst)
{
    if (!cJSON_IsString(item))
        return ipsim__sf_fail_expected(v, f, item, NULL);
    if (strcmp(item->valuestring, "*") == 0) {
        *dst = -1;
        return 0;
    }
    ipsim_suggest sg;
    ipsim_suggest_init(&sg, item->valuestring);
    for (int m = 0; m < v->data->n_markets; m++) {
        if (strcmp(v->data->markets[m].name, item->valuestring) == 0) {
            *dst = m;
            return 0;
        }
        ipsim_suggest_offer(&sg, v->data->markets[m].name);
    }
    char extra[128];
    if (sg.best)
        snprintf(extra, sizeof extra, " (no such market; did you mean \"%s\"?)", sg.best);
    else
        snprintf(extra, sizeof extra, " (no such market)");
    return ipsim__sf_fail_expected(v, f, item, extra);
}

static int fill_assets(vctx *v, const field *f, const cJSON *item, int *dst, int *count)
{
    const sc_destination *d = &v->data->destination;
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > f->max_items)
        return ipsim__sf_fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        size_t old = ipsim_json_path_push_index(&v->path, i);
        if (!cJSON_IsString(e))
            return ipsim__sf_fail_want(v, "an asset name", e, NULL);
        int found = -1;
        ipsim_suggest sg;
        ipsim_suggest_init(&sg, e->valuestring);
        for (int a = 0; a < d->n_assets && found < 0; a++) {
            if (strcmp(d->assets[a].name, e->valuestring) == 0)
                found = a;
            ipsim_suggest_offer(&sg, d->assets[a].name);
        }
        if (found < 0) {
            char extra[128];
            if (sg.best)
                snprintf(extra, sizeof extra, " (no such asset; did you mean \"%s\"?)", sg.best);
            else
                snprintf(extra, sizeof extra, " (no such asset in destination.assets)");
            return ipsim__sf_fail_want(v, "an asset name", e, extra);
        }
        for (int k = 0; k < i; k++)
            if (dst[k] == found)
                return ipsim__sf_fail_want(v, "an asset not listed before", e, NULL);
        dst[i] = found;
        ipsim_json_path_pop(&v->path, old);
    }
    *count = i;
    if (i == 0) {
        for (int a = 0; a < d->n_assets; a++)
            dst[a] = a;
        *count = d->n_assets;
    }
    return 0;
}

static int fill_array(vctx *v, const field *f, const cJSON *item, char *base)
{
    const table *t = f->sub;
    int *count = (int *)(base + f->count_off);
    if (!cJSON_IsArray(item))
        return ipsim__sf_fail_expected(v, f, item, NULL);
    int n = cJSON_GetArraySize(item);
    if (n < f->min_items || n > f->max_items)
        return ipsim__sf_fail_expected(v, f, item, NULL);
    const field *namef = (t->flags & T_UNIQUE_NAME) ? ipsim__sf_find_field(t, "name") : NULL;
    char arr[IPSIM_JSON_PATH_MAX];
    snprintf(arr, sizeof arr, "%s", v->path.s);
    int i = 0;
    *count = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        char *elem = base + f->off + (size_t)i * t->size;
        size_t old = ipsim_json_path_push_index(&v->path, i);
        if (!cJSON_IsObject(e)) {
            char want[128];
            snprintf(want, sizeof want, "an object (a %s)", t->name);
            return ipsim__sf_fail_want(v, want, e, NULL);
        }
        if (fill_object(v, t, e, elem, i))
            return -1;
        if (namef) {
            const char *name = elem + namef->off;
            for (int k = 0; k < i; k++) {
                if (strcmp(base + f->off + (size_t)k * t->size + namef->off, name) == 0) {
                    ipsim_json_path_push_key(&v->path, "name");
                    char want[128], extra[IPSIM_JSON_PATH_MAX + 32];
                    snprintf(want, sizeof want, "a unique %s name", t->name);
                    snprintf(extra, sizeof extra, " (also the name of %s[%d])", arr, k);
                    return ipsim__sf_fail_want(v, want, cJSON_GetObjectItemCaseSensitive(e, "name"),
                                               extra);
                }
            }
        }
        *count = i + 1;
        ipsim_json_path_pop(&v->path, old);
    }
    return 0;
}

static void fill_default(vctx *v, const field *f, char *base)
{
    if (f->flags & F_NOSTORE)
        return;
    switch (f->type) {
    case FT_NUMBER: *(double *)(base + f->off) = f->def; break;
    case FT_DATE: *(ipsim_date *)(base + f->off) = IPSIM_DATE_NONE; break; /* the check decides */
    case FT_INTEGER: *(int *)(base + f->off) = (int)f->def; break;
    case FT_ASSETS: {
        int *dst = (int *)(base + f->off);
        for (int a = 0; a < v->data->destination.n_assets; a++)
            dst[a] = a;
        *(int *)(base + f->count_off) = v->data->destination.n_assets;
        break;
    }
    default: break; /* zeroed by the caller: "", empty lists */
    }
}

/* Fill one field from item (NULL: absent); the path names the key. */
static int fill_field(vctx *v, const field *f, const cJSON *item, char *base, int required)
{
    if (item == NULL) {
        if (required)
            return ipsim__sf_fail_expected(v, f, NULL, " (required key missing)");
        fill_default(v, f, base);
        return 0;
    }
    char *at = base + f->off;
    switch (f->type) {
    case FT_NUMBER:
        if (!cJSON_IsNumber(item) || !in_range(item->valuedouble, f->min, f->max, f->flags))
            return ipsim__sf_fail_expected(v, f, item, NULL);
        if (!(f->flags & F_NOSTORE))
            *(double *)at = item->valuedouble + 0.0; /* no -0 */
        return 0;
    case FT_INTEGER:
        if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) ||
            !in_range(item->valuedouble, f->min, f->max, f->flags))
            return ipsim__sf_fail_expected(v, f, item, NULL);
        *(int *)at = (int)item->valuedouble;
        return 0;
    case FT_NAME:
    case FT_IDENT: return fill_name(v, f, item, (f->flags & F_NOSTORE) ? NULL : at);
    case FT_TEXT:
        if (!cJSON_IsString(item) || strlen(item->valuestring) > IPSIM_TEXT_MAX - 1)
            return ipsim__sf_fail_expected(v, f, item, NULL);
        if (!(f->flags & F_NOSTORE))
            copy_string(at, item->valuestring, IPSIM_TEXT_MAX);
        return 0;
    case FT_DATE: return fill_date(v, f, item, (ipsim_date *)at);
    case FT_SEED: return fill_seed(v, f, item, (uint64_t *)at);
    case FT_NUMBERS: return fill_numbers(v, f, item, (double *)at);
    case FT_WEEKDAYS: return fill_weekdays(v, f, item, (int *)at, (int *)(base + f->count_off));
    case FT_DATES: return fill_dates(v, f, item, (ipsim_date *)at, (int *)(base + f->count_off));
    case FT_OBJECT:
        if (!cJSON_IsObject(item))
            return ipsim__sf_fail_expected(v, f, item, NULL);
        return fill_object(v, f->sub, item, at, -1);
    case FT_ARRAY: return fill_array(v, f, item, base);
    case FT_CHANNEL_MAP: return fill_channel_map(v, f, item, (double *)at);
    case FT_MECHANISM: return fill_mechanism(v, f, item, (sc_mechanism *)at);
    case FT_SEGMENT: return fill_segment(v, f, item, (int *)at);
    case FT_MARKET: return fill_market(v, f, item, (int *)at);
    case FT_ASSETS: return fill_assets(v, f, item, (int *)at, (int *)(base + f->count_off));
    case FT_BASE: return 0; /* resolved by the loader */
    }
    return 0;
}

/* "a, b, c" of the keys valid for mech (-1: not a mechanism table); with
 * only_specific, just the mechanism-specific ones. */
static void key_list(const table *t, int mech, int only_specific, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n_fields && o < n; i++) {
        const field *f = &t->fields[i];
        if (f->type == FT_BASE)
            continue;
        if (only_specific ? (f->mechs == 0 || !ipsim__sf_applies(f, mech))
                          : !ipsim__sf_applies(f, mech))
            continue;
        o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", f->key);
    }
}

static int check_keys(vctx *v, const table *t, const cJSON *obj, int mech)
{
    for (const cJSON *e = obj->child; e; e = e->next) {
        const field *f = ipsim__sf_find_field(t, e->string);
        if (f && ipsim__sf_applies(f, mech))
            continue;
        size_t old = ipsim_json_path_push_key(&v->path, e->string);
        char list[1024];
        if (f) {
            key_list(t, mech, 1, list, sizeof list);
            ipsim__sf_fail(v, "not a parameter of mechanism \"%s\" (allowed: %s)",
                           ipsim_mechanism_names[mech], list[0] ? list : "none");
            ipsim_json_path_pop(&v->path, old);
            return -1;
        }
        ipsim_suggest sg;
        ipsim_suggest_init(&sg, e->string);
        for (int i = 0; i < t->n_fields; i++)
            if (ipsim__sf_applies(&t->fields[i], mech))
                ipsim_suggest_offer(&sg, t->fields[i].key);
        if (sg.best) {
            ipsim__sf_fail(v, "unknown key (did you mean \"%s\"?)", sg.best);
        } else {
            key_list(t, mech, 0, list, sizeof list);
            ipsim__sf_fail(v, "unknown key (valid keys: %s)", list);
        }
        ipsim_json_path_pop(&v->path, old);
        return -1;
    }
    return 0;
}

static int fill_object(vctx *v, const table *t, const cJSON *obj, char *base, int index)
{
    int mech = -1;
    const field *mf = NULL;
    if (t->flags & T_MECHANISM) {
        mf = ipsim__sf_find_field(t, "mechanism");
        size_t old = ipsim_json_path_push_key(&v->path, mf->key);
        if (fill_field(v, mf, cJSON_GetObjectItemCaseSensitive(obj, mf->key), base, 1))
            return -1;
        ipsim_json_path_pop(&v->path, old);
        mech = (int)*(sc_mechanism *)(base + mf->off);
    }
    if (check_keys(v, t, obj, mech))
        return -1;
    for (int i = 0; i < t->n_fields; i++) {
        const field *f = &t->fields[i];
        if (f == mf)
            continue;
        if (!ipsim__sf_applies(f, mech)) {
            if (f->type == FT_NUMBER)
                fill_default(v, f, base); /* neutral: *_mult 1, else 0 */
            continue;
        }
        int required = !(f->flags & F_OPT) || (mech >= 0 && (f->req_mechs & MB(mech)));
        size_t old = ipsim_json_path_push_key(&v->path, f->key);
        if (fill_field(v, f, cJSON_GetObjectItemCaseSensitive(obj, f->key), base, required))
            return -1;
        ipsim_json_path_pop(&v->path, old);
    }
    if (t->check && t->check(v, base, index))
        return -1;
    return 0;
}

/* Validate doc and fill *data (contract in fields.h). */
ipsim_status ipsim_scenario_fields_fill(const cJSON *doc, const char *origin, sc_data *data, char *err,
                                        size_t errlen, char *errpath, size_t errpathlen)
{
    vctx v;
    memset(&v, 0, sizeof v);
    v.origin = origin ? origin : "(scenario)";
    v.err = err;
    v.errlen = errlen;
    v.errpath = errpath;
    v.errpathlen = errpathlen;
    v.data = data;
    v.status = IPSIM_OK;
    if (errpath && errpathlen)
        errpath[0] = '\0';
    if (!cJSON_IsObject(doc)) {
        ipsim__sf_fail_want(&v, "a JSON object at the top level", doc, NULL);
        return v.status;
    }
    if (fill_object(&v, &ipsim__sf_scenario_table, doc, (char *)data, -1))
        return v.status;
    return IPSIM_OK;
}
