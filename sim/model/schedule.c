/*
 * schedule.c - dated parameters (ODD 7.13): destination and asset fields
 * that change on a date or ramp linearly between dates, as the scenario's
 * "schedule" lists them.
 *
 * A model with a schedule reads its scenario data through a private copy
 * (m->sc points to it) whose scheduled fields hold the value in force on
 * one internal day: phase 1 of the daily step sets today's values, and the
 * tabulation of intervention effects (interventions.c) sets each tabulated
 * day's values in turn, so the per-day effective destination (asset
 * attributes, events, service quality) is the scheduled one on every day a
 * decision looks ahead to. Nothing here is random. Without a schedule the
 * model reads the scenario itself and this file does nothing.
 */
#include <stdlib.h>
#include <string.h>
#include "model/state.h"

struct ipsim_schedule {
    sc_data day;   /* the scenario with the scheduled values of one day */
    int n;         /* entries, sorted by (field offset, from, file order) */
    int *order;    /* [n] index into sc->schedule */
    int *first;    /* [n] first sorted entry on the same field */
    double *start; /* [n] value in force on the entry's from date */
    double base[IPSIM_MAX_SCHEDULE]; /* [n] the scenario's own value of the entry's field */
};

static double *field_at(sc_data *d, size_t off)
{
    return (double *)((char *)d + off);
}

/* Whether scenario entry a sorts before entry b. */
static int before(const sc_data *sc, int a, int b)
{
    const sc_schedule *x = &sc->schedule[a], *y = &sc->schedule[b];
    if (x->offset != y->offset)
        return x->offset < y->offset;
    if (x->from != y->from)
        return x->from < y->from;
    return a < b;
}

/* Value on date d of the field whose sorted entries start at lo, from its
 * entries lo..k-1 (their start values known). */
static double value_on(const struct ipsim_schedule *s, const sc_data *sc, int lo, int k,
                       ipsim_date d)
{
    double v = s->base[lo];
    for (int j = lo; j < k; j++) {
        const sc_schedule *e = &sc->schedule[s->order[j]];
        if (d < e->from)
            break;
        if (d >= e->to)
            v = e->value;
        else
            v = s->start[j] +
                (e->value - s->start[j]) * (double)(d - e->from) / (double)(e->to - e->from);
    }
    return v;
}

int ipsim__schedule_create(struct ipsim_model *m)
{
    const sc_data *sc = m->sc;
    m->sched = NULL;
    if (sc->n_schedule == 0)
        return 0;
    struct ipsim_schedule *s = calloc(1, sizeof *s);
    int n = sc->n_schedule;
    if (s == NULL || !(s->order = malloc(sizeof(int) * (size_t)n)) ||
        !(s->first = malloc(sizeof(int) * (size_t)n)) ||
        !(s->start = malloc(sizeof(double) * (size_t)n))) {
        if (s) {
            free(s->order);
            free(s->first);
        }
        free(s);
        return -1;
    }
    memcpy(&s->day, sc, sizeof *sc);
    s->n = n;
    for (int i = 0; i < n; i++) { /* insertion sort: n <= IPSIM_MAX_SCHEDULE */
        int j = i;
        while (j > 0 && before(sc, i, s->order[j - 1])) {
            s->order[j] = s->order[j - 1];
            j--;
        }
        s->order[j] = i;
    }
    for (int k = 0; k < n; k++) {
        const sc_schedule *e = &sc->schedule[s->order[k]];
        s->first[k] = (k > 0 && sc->schedule[s->order[k - 1]].offset == e->offset) ? s->first[k - 1] : k;
        s->base[k] = *field_at(&s->day, e->offset);
    }
    for (int k = 0; k < n; k++)
        s->start[k] = value_on(s, sc, s->first[k], k, sc->schedule[s->order[k]].from);
    m->sched = s;
    m->sc = &s->day;
    return 0;
}

void ipsim__schedule_apply(struct ipsim_model *m, int tau)
{
    struct ipsim_schedule *s = m->sched;
    if (s == NULL)
        return;
    const sc_data *sc = &s->day; /* the schedule itself is never changed */
    ipsim_date d = ipsim__calendar_date(sc, m->warmup, tau);
    for (int k = 0; k < s->n; k++)
        if (k + 1 == s->n || s->first[k + 1] != s->first[k]) /* last entry of a field */
            *field_at(&s->day, sc->schedule[s->order[k]].offset) = value_on(s, sc, s->first[k], k + 1, d);
}

void ipsim__schedule_free(struct ipsim_model *m)
{
    struct ipsim_schedule *s = m->sched;
    if (s == NULL)
        return;
    free(s->order);
    free(s->first);
    free(s->start);
    free(s);
    m->sched = NULL;
}
