/*
 * numfmt.c - numbers as the printed sweep report shows them (numfmt.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "experiment/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MILLION 1e6
#define GROUP_FROM 1000.0 /* from here on, whole numbers with separators */

/* The whole number nearest |x| with thousands separators, signed. */
static const char *grouped(double x, char *buf, size_t len)
{
    char digits[400], out[560];
    snprintf(digits, sizeof digits, "%.0f", fabs(x));
    size_t n = strlen(digits), k = 0;
    if (x < 0 && strcmp(digits, "0") != 0)
        out[k++] = '-';
    for (size_t i = 0; i < n && k + 2 < sizeof out; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, len, "%s", out);
    return buf;
}

const char *ipsim__fmt_num(double x, char *buf, size_t len)
{
    if (!isfinite(x))
        snprintf(buf, len, "n/a");
    else if (fabs(x) >= GROUP_FROM)
        grouped(x, buf, len);
    else if (fabs(x) >= 1)
        snprintf(buf, len, "%.2f", x);
    else
        snprintf(buf, len, "%.3g", x);
    return buf;
}

const char *ipsim__fmt_cny(double x, char *buf, size_t len)
{
    char t[64];
    if (!isfinite(x))
        snprintf(buf, len, "n/a");
    else if (fabs(x) >= MILLION) {
        /* millions with one decimal, the whole part grouped */
        double m = fabs(x) / MILLION, whole = floor(m + 0.05);
        int tenth = (int)floor((m + 0.05 - whole) * 10.0);
        if (tenth > 9)
            tenth = 9;
        grouped(whole, t, sizeof t);
        snprintf(buf, len, "%s%s.%d M CNY", x < 0 ? "-" : "", t, tenth);
    } else
        snprintf(buf, len, "%s CNY", ipsim__fmt_num(x, t, sizeof t));
    return buf;
}

const char *ipsim__fmt_in(double x, const char *units, char *buf, size_t len)
{
    return units && strcmp(units, "CNY") == 0 ? ipsim__fmt_cny(x, buf, len)
                                              : ipsim__fmt_num(x, buf, len);
}
