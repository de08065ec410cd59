/*
 * calendar.c - ODD phase 1 (Calendar) of the daily step: what kind of day it is.
 *
 * For every internal day the calendar records weekend / public holiday /
 * school vacation / adjusted workday flags, the month (for the assets'
 * seasonal profiles) and the relative rate of leisure-trip occasions
 * (ODD 7.1). The table is built once at model creation because it is
 * data, not state.
 */
#include <stdlib.h>
#include "model/state.h"

ipsim_date ipsim__calendar_date(const sc_data *sc, int warmup, int tau)
{
    return sc->simulation.start_date + (ipsim_date)(tau - warmup);
}

static int in_periods(const sc_period *p, int n, ipsim_date day)
{
    for (int i = 0; i < n; i++)
        if (day >= p[i].start && day <= p[i].end)
            return 1;
    return 0;
}

static uint8_t day_flags(const sc_calendar *c, ipsim_date day)
{
    uint8_t f = 0;
    int wd = ipsim_date_iso_weekday(day);
    for (int i = 0; i < c->n_weekend_days; i++)
        if (c->weekend_days[i] == wd)
            f |= CAL_WEEKEND;
    for (int i = 0; i < c->n_adjusted_workdays; i++)
        if (c->adjusted_workdays[i] == day)
            f = (uint8_t)((f & ~CAL_WEEKEND) | CAL_WORKDAY_ADJ);
    if (in_periods(c->holidays, c->n_holidays, day))
        f |= CAL_HOLIDAY;
    if (in_periods(c->vacations, c->n_vacations, day))
        f |= CAL_VACATION;
    return f;
}

/* Leisure rate of a day before normalisation: the holiday rate on public
 * holidays, else the weekend rate on (non-adjusted) weekend days, else the
 * weekday rate; times the vacation multiplier on school-vacation days. */
static double raw_leisure(const sc_decision *d, uint8_t f)
{
    double r = (f & CAL_HOLIDAY)   ? d->leisure_holiday
               : (f & CAL_WEEKEND) ? d->leisure_weekend
                                   : d->leisure_weekday;
    if (f & CAL_VACATION)
        r *= d->leisure_vacation;
    return r;
}

int ipsim__calendar_build(ipsim_calendar *cal, const sc_data *sc, int warmup, int days, int n_days_ext,
                          const sc_decision *d)
{
    cal->n = n_days_ext;
    cal->flags = calloc((size_t)n_days_ext, 1);
    cal->month = calloc((size_t)n_days_ext, 1);
    cal->leisure = calloc((size_t)n_days_ext, sizeof(double));
    if (!cal->flags || !cal->month || !cal->leisure) {
        ipsim__calendar_free(cal);
        return -1;
    }
    for (int t = 0; t < n_days_ext; t++) {
        ipsim_date day = ipsim__calendar_date(sc, warmup, t);
        int y, mo, dd;
        ipsim_date_to_ymd(day, &y, &mo, &dd);
        cal->flags[t] = day_flags(&sc->calendar, day);
        cal->month[t] = (uint8_t)(mo - 1);
        cal->leisure[t] = raw_leisure(d, cal->flags[t]);
    }
    /* Normalise so that the mean over the recorded period is 1: the
     * segment's trips_per_year is then the expected number of occasions in
     * a year of this calendar. */
    double sum = 0;
    for (int t = warmup; t < warmup + days; t++)
        sum += cal->leisure[t];
    double mean = sum / days;
    for (int t = 0; t < n_days_ext; t++)
        cal->leisure[t] = mean > 0 ? cal->leisure[t] / mean : 0;
    return 0;
}

void ipsim__calendar_free(ipsim_calendar *cal)
{
    if (!cal)
        return;
    free(cal->flags);
    free(cal->month);
    free(cal->leisure);
    cal->flags = cal->month = NULL;
    cal->leisure = NULL;
}

/* Whether event e runs on date d (contract in state.h). */
int ipsim__event_on(const sc_event *e, ipsim_date d)
{
    if (d >= e->start && d <= e->end) {
        if (e->n_weekdays == 0)
            return 1;
        int wd = ipsim_date_iso_weekday(d);
        for (int i = 0; i < e->n_weekdays; i++)
            if (e->weekdays[i] == wd)
                return 1;
    }
    for (int i = 0; i < e->n_dates; i++)
        if (e->dates[i] == d)
            return 1;
    return 0;
}
