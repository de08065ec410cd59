/*
 * date.c - calendar dates as days since 1970-01-01 (proleptic Gregorian),
 * ISO 8601 "YYYY-MM-DD" parsing and formatting, and the name tables of
 * segments and mechanisms shared by the loader, the model and the output.
 *
 * The day arithmetic follows H. Hinnant's "chrono-compatible low-level date
 * algorithms" (days_from_civil / civil_from_days), exact for every year.
 */
#include <stddef.h>

#include "scenario/scenario.h"

const char *const ipsim_segment_names[IPSIM_N_SEGMENTS] = {"cec", "mainstream"};
const char *const ipsim_mechanism_names[MECH_COUNT] = {
    "promotion", "A", "B", "C", "D", "E", "F", "spark"};

/* Days since 1970-01-01 of the Gregorian date y-m-d; m is 1..12, d 1..31.
 * Out-of-range months or days are not checked (see ipsim_date_parse). */
ipsim_date ipsim_date_from_ymd(int y, int m, int d)
{
    long yy = (long)y - (m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;                                   /* [0, 399] */
    long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
    return (ipsim_date)(era * 146097 + doe - 719468);
}

/* The Gregorian year, month (1..12) and day (1..31) of a day number. */
void ipsim_date_to_ymd(ipsim_date day, int *y, int *m, int *d)
{
    long z = (long)day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;                                      /* [0, 146096] */
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    long mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    long dd = doy - (153 * mp + 2) / 5 + 1;                           /* [1, 31] */
    long mm = mp < 10 ? mp + 3 : mp - 9;                              /* [1, 12] */
    long yy = yoe + era * 400 + (mm <= 2);
    if (y)
        *y = (int)yy;
    if (m)
        *m = (int)mm;
    if (d)
        *d = (int)dd;
}

/* ISO weekday of a day number: 1 = Monday .. 7 = Sunday (1970-01-01 was a
 * Thursday). */
int ipsim_date_iso_weekday(ipsim_date day)
{
    long w = ((long)day % 7 + 7) % 7; /* 0 = Thursday */
    return (int)((w + 3) % 7 + 1);
}

static int days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : len[m - 1];
}

/* Parse exactly "YYYY-MM-DD" (ten characters, year 0001..9999) naming a real
 * calendar date. Returns 0 and sets *out on success, -1 if s is not of the
 * form YYYY-MM-DD, -2 if it is but names no real date (2025-02-29).
 * *out is untouched on failure. */
int ipsim_date_parse(const char *s, ipsim_date *out)
{
    int v[3] = {0, 0, 0};
    static const int start[3] = {0, 5, 8}, width[3] = {4, 2, 2};
    if (s == NULL)
        return -1;
    for (int i = 0; i < 10; i++)
        if (s[i] == '\0')
            return -1;
    if (s[10] != '\0' || s[4] != '-' || s[7] != '-')
        return -1;
    for (int k = 0; k < 3; k++) {
        for (int i = start[k]; i < start[k] + width[k]; i++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            v[k] = v[k] * 10 + (s[i] - '0');
        }
    }
    if (v[0] < 1 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > days_in_month(v[0], v[1]))
        return -2;
    if (out)
        *out = ipsim_date_from_ymd(v[0], v[1], v[2]);
    return 0;
}

static void put_digits(char *p, int value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* Write day as "YYYY-MM-DD" plus NUL into buf (at least 11 bytes). Years
 * outside 0..9999 are clamped to that range. They never occur: the loader
 * keeps every date of a scenario, and its simulated period, within
 * IPSIM_DATE_MIN..IPSIM_DATE_MAX (years 1900..2200), and the days the model
 * adds around the period (at most IPSIM_MAX_DAYS and a booking horizon)
 * stay far inside 0..9999. */
void ipsim_date_format(ipsim_date day, char *buf)
{
    int y, m, d;
    ipsim_date_to_ymd(day, &y, &m, &d);
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    put_digits(buf, y, 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '-';
    put_digits(buf + 8, d, 2);
    buf[10] = '\0';
}
