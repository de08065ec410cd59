/*
 * schedule_check.c - the rules of a scenario's "schedule" (dated
 * parameters, ODD 7.13): each entry's path names a numeric field of the
 * destination or of one of its assets (--set style: "destination.
 * digital_fluency", "destination.assets[Old Town].capacity_per_day" or
 * "destination.assets[0]...."), its value lies in that field's range, its
 * dates start on or after the first simulated day and end on or after they
 * start. The check function of the schedule table (field_tables.c), run by
 * the fill engine after the entry's fields; it stores the field's byte
 * offset in sc_data for the model (sim/model/schedule.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/field_table.h"

#define SEGMENT_MAX 256 /* bytes of one path segment (a key or an element name) */

static int in_range(double x, const field *f)
{
    if ((f->flags & F_XMIN) ? !(x > f->min) : !(x >= f->min))
        return 0;
    if ((f->flags & F_XMAX) ? !(x < f->max) : !(x <= f->max))
        return 0;
    return 1;
}

/* Fail at the entry's "path" with fmt (two %s: a, b); NULL. */
static const field *fail_path(vctx *v, const char *fmt, const char *a, const char *b)
{
    char want[2 * IPSIM_TEXT_MAX + 512]; /* two path parts and the text */
    snprintf(want, sizeof want, fmt, a, b);
    size_t old = ipsim_json_path_push_key(&v->path, "path");
    ipsim__sf_fail(v, "%s", want);
    ipsim_json_path_pop(&v->path, old);
    return NULL;
}

/* The element of array field f (in the struct at base) that sel names: an
 * index or the value of its "name" field; NULL if none. */
static char *element(const field *f, char *base, const char *sel)
{
    int n = *(const int *)(base + f->count_off);
    char *first = base + f->off;
    char *end;
    long i = strtol(sel, &end, 10);
    if (*sel && *end == '\0')
        return (i >= 0 && i < n) ? first + (size_t)i * f->sub->size : NULL;
    const field *nf = ipsim__sf_find_field(f->sub, "name");
    if (nf == NULL)
        return NULL;
    for (int k = 0; k < n; k++) {
        char *e = first + (size_t)k * f->sub->size;
        if (strcmp(e + nf->off, sel) == 0)
            return e;
    }
    return NULL;
}

/* Resolve s->path in the filled data: the number field it names, its
 * offset in *off; NULL after a failure message. */
static const field *resolve(vctx *v, const sc_schedule *s, size_t *off)
{
    const char *p = s->path;
    static const char root[] = "destination.";
    if (strncmp(p, root, sizeof root - 1) != 0)
        return fail_path(v, "expected a path to a number field of the destination or its assets, "
                            "such as destination.digital_fluency, found \"%s\"%s",
                         p, "");
    const table *t = ipsim__sf_find_field(&ipsim__sf_scenario_table, "destination")->sub;
    char *base = (char *)&v->data->destination;
    p += sizeof root - 1;
    for (;;) {
        char key[SEGMENT_MAX], sel[SEGMENT_MAX];
        size_t n = strcspn(p, ".[");
        if (n == 0 || n >= sizeof key)
            return fail_path(v, "expected a field name in the path, found \"%s\"%s", s->path, "");
        memcpy(key, p, n);
        key[n] = '\0';
        p += n;
        const field *f = ipsim__sf_find_field(t, key);
        if (f == NULL)
            return fail_path(v, "expected a field of the %s, found unknown field \"%s\"", t->name,
                             key);
        if (f->type == FT_ARRAY) {
            const char *close = *p == '[' ? strchr(p, ']') : NULL;
            if (close == NULL || (size_t)(close - p - 1) >= sizeof sel)
                return fail_path(v, "expected %s[NAME or INDEX], found \"%s\"", key, s->path);
            memcpy(sel, p + 1, (size_t)(close - p - 1));
            sel[close - p - 1] = '\0';
            p = close + 1;
            char *e = element(f, base, sel);
            if (e == NULL)
                return fail_path(v, "expected the name or index of one of the %ss, found \"%s\"",
                                 f->sub->name, sel);
            base = e;
            t = f->sub;
        } else if (f->type == FT_OBJECT) {
            base += f->off;
            t = f->sub;
        } else if (f->type == FT_NUMBER && *p == '\0') {
            *off = (size_t)(base + f->off - (char *)v->data);
            return f;
        } else {
            return fail_path(v, "expected a path ending at a number field, found \"%s\" (not a "
                                "single number)%s",
                             key, "");
        }
        if (*p == '\0')
            return fail_path(v, "expected a path ending at a number field, found \"%s\" (not a "
                                "single number)%s",
                             key, "");
        if (*p != '.')
            return fail_path(v, "expected '.' after \"%s\" in the path, found \"%s\"", key, p);
        p++;
    }
}

/* A schedule entry (contract in field_table.h): resolves the path, checks
 * the value against the field's range and the dates; an absent "to" becomes
 * "from" (a step). */
int ipsim__sf_check_schedule(vctx *v, char *elem, int index)
{
    (void)index;
    sc_schedule *s = (sc_schedule *)elem;
    const sc_simulation *sim = &v->data->simulation;
    size_t off = 0;
    const field *f = resolve(v, s, &off);
    if (f == NULL)
        return -1;
    s->offset = off;
    if (!in_range(s->value, f)) {
        char want[160], x[40];
        ipsim__sf_describe_range("a number", f->min, f->max, f->flags, want, sizeof want);
        ipsim_json_number_text(s->value, x, sizeof x);
        size_t old = ipsim_json_path_push_key(&v->path, "value");
        ipsim__sf_fail(v, "expected %s (the range of %s), found %s", want, f->key, x);
        ipsim_json_path_pop(&v->path, old);
        return -1;
    }
    char a[16], b[16];
    if (s->from < sim->start_date) {
        ipsim_date_format(sim->start_date, a);
        ipsim_date_format(s->from, b);
        size_t old = ipsim_json_path_push_key(&v->path, "from");
        ipsim__sf_fail(v,
                       "expected a date on or after simulation.start_date %s (the warm-up runs "
                       "with the scenario's values), found \"%s\"",
                       a, b);
        ipsim_json_path_pop(&v->path, old);
        return -1;
    }
    if (s->to == IPSIM_DATE_NONE)
        s->to = s->from;
    if (s->to < s->from) {
        ipsim_date_format(s->from, a);
        ipsim_date_format(s->to, b);
        size_t old = ipsim_json_path_push_key(&v->path, "to");
        ipsim__sf_fail(v, "expected to on or after from %s, found \"%s\"", a, b);
        ipsim_json_path_pop(&v->path, old);
        return -1;
    }
    return 0;
}
