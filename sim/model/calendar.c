/*
 * calendar.c - ODD phase 1 (Calendar) of the daily step: what kind of day it is.
 *
 * For every internal day the calendar records weekend / public holiday /
 * school vacation / adjusted workday flags, the month (for the assets'
 * seasonal profiles) and the relative rate of leisure-trip occasions
 * (ODD 7.1), for the scenario's calendar (the destination's) and for each
 * market (its own calendar if it names one, else the scenario's). The
 * tables are built once at model creation because they are data, not state.
 */
#include <stdlib.h>
#include <string.h>
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

/* Flags and normalised leisure rate of calendar c for every internal day.
 * The leisure rate is normalised so that its mean over the recorded period
 * is 1: the segment's trips_per_year is then the expected number of
 * occasions in a year of this calendar. */
static void build_one(const sc_calendar *c, const sc_data *sc, int warmup, int days, int n,
                      const sc_decision *d, uint8_t *flags, double *leisure)
{
    for (int t = 0; t < n; t++) {
        flags[t] = day_flags(c, ipsim__calendar_date(sc, warmup, t));
        leisure[t] = raw_leisure(d, flags[t]);
    }
    double sum = 0;
    for (int t = warmup; t < warmup + days; t++)
        sum += leisure[t];
    double mean = sum / days;
    for (int t = 0; t < n; t++)
        leisure[t] = mean > 0 ? leisure[t] / mean : 0;
}

int ipsim__calendar_build(ipsim_calendar *cal, const sc_data *sc, int warmup, int days, int n_days_ext,
                          const sc_decision *d)
{
    size_t n = (size_t)n_days_ext, nm = (size_t)sc->n_markets;
    cal->n = n_days_ext;
    cal->flags = calloc(n, 1);
    cal->month = calloc(n, 1);
    cal->leisure = calloc(n, sizeof(double));
    cal->market_flags = calloc(nm * n, 1);
    cal->market_leisure = calloc(nm * n, sizeof(double));
    if (!cal->flags || !cal->month || !cal->leisure || !cal->market_flags || !cal->market_leisure) {
        ipsim__calendar_free(cal);
        return -1;
    }
    for (int t = 0; t < n_days_ext; t++) {
        int y, mo, dd;
        ipsim_date_to_ymd(ipsim__calendar_date(sc, warmup, t), &y, &mo, &dd);
        cal->month[t] = (uint8_t)(mo - 1);
    }
    build_one(&sc->calendar, sc, warmup, days, n_days_ext, d, cal->flags, cal->leisure);
    /* each market: the scenario's calendar or its own (7.1) */
    for (size_t k = 0; k < nm; k++) {
        int ci = sc->markets[k].calendar_index;
        if (ci < 0) {
            memcpy(&cal->market_flags[k * n], cal->flags, n);
            memcpy(&cal->market_leisure[k * n], cal->leisure, n * sizeof(double));
        } else {
            build_one(&sc->calendars[ci].c, sc, warmup, days, n_days_ext, d, &cal->market_flags[k * n],
                      &cal->market_leisure[k * n]);
        }
    }
    return 0;
}

void ipsim__calendar_free(ipsim_calendar *cal)
{
    if (!cal)
        return;
    free(cal->flags);
    free(cal->month);
    free(cal->leisure);
    free(cal->market_flags);
    free(cal->market_leisure);
    cal->flags = cal->month = cal->market_flags = NULL;
    cal->leisure = cal->market_leisure = NULL;
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
