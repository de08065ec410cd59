/*
 * checks.c - the rules of a scenario that one field cannot express: the
 * simulated period inside the date range, date order, intervention
 * windows, satisfaction thresholds, targets named once, someone to
 * simulate. Each is the check function of a table in
 * field_tables.c, run by the fill engine (fill.c) after the table's fields
 * are filled. (Unique names, channel shares summing to 1 and every channel
 * priced are flags of the tables, checked in fill.c.)
 */
#include <stdio.h>
#include <string.h>

#include "scenario/field_table.h"

/* key's date value must be on or after (after = 1) or before bound, the
 * date of the key named what. */
static int check_order(vctx *v, const char *key, const char *what, ipsim_date bound, ipsim_date value,
                       int after)
{
    if (after ? value >= bound : value <= bound)
        return 0;
    char b[16], x[16];
    ipsim_date_format(bound, b);
    ipsim_date_format(value, x);
    size_t old = ipsim_json_path_push_key(&v->path, key);
    ipsim__sf_fail(v, "expected %s on or %s %s %s, found \"%s\"", key, after ? "after" : "before",
                   what, b, x);
    ipsim_json_path_pop(&v->path, old);
    return -1;
}

/* A period ends on or after its start. */
int ipsim__sf_check_period(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_period *p = (const sc_period *)elem;
    return check_order(v, "end", "start", p->start, p->end, 1);
}

/* An event ends on or after its start. */
int ipsim__sf_check_event(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_event *e = (const sc_event *)elem;
    return check_order(v, "end", "start", e->start, e->end, 1);
}

/* The simulated period, from the first warm-up day to the last recorded
 * day, lies in the date range (start_date itself was checked when read). */
int ipsim__sf_check_simulation(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_simulation *s = (const sc_simulation *)elem;
    const char *key, *why;
    long least, most, found;
    if ((long)s->start_date - s->warmup_days < IPSIM_DATE_MIN) {
        key = "warmup_days";
        why = "the warm-up starts on or after " IPSIM_DATE_MIN_TEXT;
        least = 0;
        most = (long)s->start_date - IPSIM_DATE_MIN;
        found = s->warmup_days;
    } else if ((long)s->start_date + s->days - 1 > IPSIM_DATE_MAX) {
        key = "days";
        why = "the simulated period ends on or before " IPSIM_DATE_MAX_TEXT;
        least = 1;
        most = (long)IPSIM_DATE_MAX - s->start_date + 1;
        found = s->days;
    } else {
        return 0;
    }
    size_t old = ipsim_json_path_push_key(&v->path, key);
    ipsim__sf_fail(v, "expected an integer in [%ld, %ld] (so that %s), found %ld", least, most, why,
                   found);
    ipsim_json_path_pop(&v->path, old);
    return -1;
}

/* satisfaction_negative <= satisfaction_positive. */
int ipsim__sf_check_visit(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_visit *p = (const sc_visit *)elem;
    if (p->satisfaction_negative <= p->satisfaction_positive)
        return 0;
    char a[40], b[40];
    ipsim_json_number_text(p->satisfaction_positive, a, sizeof a);
    ipsim_json_number_text(p->satisfaction_negative, b, sizeof b);
    size_t old = ipsim_json_path_push_key(&v->path, "satisfaction_negative");
    ipsim__sf_fail(v, "expected a number <= satisfaction_positive %s, found %s", a, b);
    ipsim_json_path_pop(&v->path, old);
    return -1;
}

/* Target index of an array names a market and segment cell no earlier
 * target named (elem is element index of the array, so the earlier ones
 * precede it in memory). */
int ipsim__sf_check_target(vctx *v, char *elem, int index)
{
    const sc_target *t = (const sc_target *)elem;
    for (int k = 0; k < index; k++) {
        const sc_target *o = t - (index - k);
        if (o->market == t->market && o->segment == t->segment) {
            const char *m = t->market < 0 ? "*" : v->data->markets[t->market].name;
            const char *s = t->segment < 0 ? "all" : ipsim_segment_names[t->segment];
            return ipsim__sf_fail(v,
                                  "expected a market and segment not targeted before, found "
                                  "market \"%s\" and segment \"%s\" again (as in targets[%d])",
                                  m, s, k);
        }
    }
    return 0;
}

/* A market's calendar, when named, is one of calendars[] (resolved to
 * calendar_index; -1 without one). */
int ipsim__sf_check_market(vctx *v, char *elem, int index)
{
    (void)index;
    sc_market *mk = (sc_market *)elem;
    mk->calendar_index = -1;
    if (mk->calendar[0] == '\0')
        return 0;
    for (int i = 0; i < v->data->n_calendars; i++)
        if (strcmp(v->data->calendars[i].name, mk->calendar) == 0) {
            mk->calendar_index = i;
            return 0;
        }
    size_t old = ipsim_json_path_push_key(&v->path, "calendar");
    ipsim__sf_fail(v, "expected the name of one of calendars[] (%d defined), found \"%s\"",
                   v->data->n_calendars, mk->calendar);
    ipsim_json_path_pop(&v->path, old);
    return -1;
}

/* An intervention ends on or after its start, starts on or after the
 * first simulated day (one that starts after the last day has no effect:
 * a run shortened with days, --days or --set simulation.days keeps the
 * scenario's calendar) and, for mechanism E, has its event window inside
 * [start, end]; for the other mechanisms the event window is set to
 * [start, end]. */
int ipsim__sf_check_intervention(vctx *v, char *elem, int index)
{
    (void)index;
    sc_intervention *iv = (sc_intervention *)elem;
    const sc_simulation *sim = &v->data->simulation;
    if (check_order(v, "end", "start", iv->start, iv->end, 1))
        return -1;
    if (iv->start < sim->start_date) {
        char a[16], x[16];
        ipsim_date_format(sim->start_date, a);
        ipsim_date_format(iv->start, x);
        size_t old = ipsim_json_path_push_key(&v->path, "start");
        ipsim__sf_fail(v, "expected a date on or after the first simulated day %s, found \"%s\"", a,
                       x);
        ipsim_json_path_pop(&v->path, old);
        return -1;
    }
    if (iv->mechanism == MECH_E) {
        if (check_order(v, "event_start", "start", iv->start, iv->event_start, 1))
            return -1;
        if (check_order(v, "event_end", "event_start", iv->event_start, iv->event_end, 1))
            return -1;
        if (check_order(v, "event_end", "end", iv->end, iv->event_end, 0))
            return -1;
    } else {
        iv->event_start = iv->start;
        iv->event_end = iv->end;
    }
    return 0;
}

/* A scenario must have someone to simulate: at least one market with
 * adults (population x adult_share > 0). */
int ipsim__sf_check_scenario(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_data *d = (const sc_data *)elem;
    for (int m = 0; m < d->n_markets; m++)
        if (d->markets[m].population * d->markets[m].adult_share > 0.0)
            return 0;
    size_t old = ipsim_json_path_push_key(&v->path, "markets");
    ipsim__sf_fail(v, "expected at least one market with adults (population x adult_share > 0), "
                      "found none: nobody to simulate");
    ipsim_json_path_pop(&v->path, old);
    return -1;
}
