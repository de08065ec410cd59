/*
 * info_run.c - the summary of a run file (written by io/run_write.c) that
 * `ipsim info` prints: the run's identity (scenario, version, seed, scale,
 * agents, period), totals over the run, the top markets by arrivals, each
 * asset's peak crowding, the destination's reputation and platform series
 * and the interventions with their cost. Any dataset or attribute that is
 * missing is reported as "(not present)", so older or partial files still
 * get a summary.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "ipsim/ipsim.h"
#include "scenario/scenario.h"
#include "io/h5util.h"
#include "io/info.h"

#define NOT_PRESENT "(not present)"
#define TOP_MARKETS 5

typedef ipsim_textbuf sbuf;

/* ---- numbers ------------------------------------------------------------ */

typedef struct {
    char s[48];
} numstr;

/* v with `decimals` decimals and thousands separators ("1,234,567.8");
 * "n/a" for NaN. */
static numstr num(double v, int decimals)
{
    numstr out;
    char raw[40];
    if (isnan(v) || isinf(v) || fabs(v) >= 1e15) {
        snprintf(out.s, sizeof out.s, isnan(v) ? "n/a" : "%.4g", v);
        return out;
    }
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    size_t int_len = strcspn(raw, "."), k = 0;
    if (v < 0 && strspn(raw, "0.") != strlen(raw))
        out.s[k++] = '-';
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            out.s[k++] = ',';
        out.s[k++] = raw[i];
    }
    snprintf(out.s + k, sizeof out.s - k, "%s", raw + int_len);
    return out;
}

/* 100 * part / whole with one decimal, "n/a" when whole is 0. */
static numstr percent(double part, double whole)
{
    return num(whole > 0 ? 100.0 * part / whole : NAN, 1);
}

/* Terminal columns of a UTF-8 string: East Asian wide characters count 2. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = *p, extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        cp = extra ? cp & (0x3Fu >> extra) : cp;
        p++;
        for (unsigned i = 0; i < extra && (*p & 0xC0) == 0x80; i++, p++)
            cp = (cp << 6) | (*p & 0x3Fu);
        int wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                   (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
        w += wide ? 2 : 1;
    }
    return w;
}

/* s followed by spaces up to `width` display columns (at least one). */
static void sb_padded(sbuf *b, const char *s, size_t width)
{
    size_t w = display_width(s);
    ipsim_textbuf_printf(b, "%s%*s", s, (int)(w < width ? width - w : 1), "");
}

/* ---- reading ------------------------------------------------------------ */

/* Totals over the run of a flow metric per cell [market][segment]: from
 * /summary, else summed over the days of /daily. *n_markets is set. */
static double *metric_cells(hid_t f, const char *metric, hsize_t *n_markets)
{
    char path[128];
    hsize_t dims[3];
    snprintf(path, sizeof path, "summary/%s", metric);
    double *v = ipsim_h5_read_doubles(f, path, 2, dims, NULL);
    if (v && dims[1] == IPSIM_N_SEGMENTS) {
        *n_markets = dims[0];
        return v;
    }
    free(v);
    snprintf(path, sizeof path, "daily/%s", metric);
    v = ipsim_h5_read_doubles(f, path, 3, dims, NULL);
    if (!v || dims[2] != IPSIM_N_SEGMENTS) {
        free(v);
        return NULL;
    }
    size_t cells = (size_t)dims[1] * IPSIM_N_SEGMENTS;
    for (size_t d = 1; d < dims[0]; d++)
        for (size_t c = 0; c < cells; c++)
            v[c] += v[d * cells + c];
    *n_markets = dims[1];
    return v;
}

/* Sum over all cells of a flow metric; NaN if not present. */
static double metric_total(hid_t f, const char *metric)
{
    hsize_t nm = 0;
    double *v = metric_cells(f, metric, &nm);
    if (!v)
        return NAN;
    double sum = 0.0;
    for (size_t c = 0; c < nm * IPSIM_N_SEGMENTS; c++)
        sum += v[c];
    free(v);
    return sum;
}

/* Sum of v weighted by w over entries where both are finite and w > 0. */
static double weighted_mean(const double *v, const double *w, size_t n)
{
    double sum = 0.0, wsum = 0.0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && isfinite(w[i]) && w[i] > 0) {
            sum += v[i] * w[i];
            wsum += w[i];
        }
    return wsum > 0 ? sum / wsum : NAN;
}

/* Departure-weighted mean satisfaction over the run (NaN if unknown). */
static double mean_satisfaction(hid_t f)
{
    const char *const src[2][2] = {{"summary/satisfaction_mean", "summary/departures"},
                                   {"daily/satisfaction_mean", "daily/departures"}};
    for (int k = 0; k < 2; k++) {
        hsize_t ds[3], dd[3];
        int rank = k == 0 ? 2 : 3;
        double *s = ipsim_h5_read_doubles(f, src[k][0], rank, ds, NULL);
        double *d = ipsim_h5_read_doubles(f, src[k][1], rank, dd, NULL);
        int same = s && d && memcmp(ds, dd, (size_t)rank * sizeof ds[0]) == 0;
        size_t n = 1;
        for (int i = 0; same && i < rank; i++)
            n *= ds[i];
        double m = same ? weighted_mean(s, d, n) : NAN;
        free(s);
        free(d);
        if (same)
            return m;
    }
    return NAN;
}

/* ---- run summary sections ----------------------------------------------- */

static void line_text(sbuf *b, hid_t f, const char *label, const char *attr)
{
    char v[512];
    ipsim_textbuf_printf(b, "  %-22s %s\n", label,
                         ipsim_h5_attr_text(f, attr, v, sizeof v) == 0 ? v : NOT_PRESENT);
}

static void line_number(sbuf *b, hid_t f, const char *label, const char *attr, int decimals,
                        const char *suffix)
{
    double v;
    if (ipsim_h5_attr_value(f, attr, H5T_NATIVE_DOUBLE, &v) == 0)
        ipsim_textbuf_printf(b, "  %-22s %s%s\n", label, num(v, decimals).s, suffix);
    else
        ipsim_textbuf_printf(b, "  %-22s %s\n", label, NOT_PRESENT);
}

/* The simulated period "start to end" from start_date and days. */
static void line_period(sbuf *b, hid_t f)
{
    char start[64], end[16];
    int days;
    ipsim_date d0;
    if (ipsim_h5_attr_text(f, "start_date", start, sizeof start) < 0 ||
        ipsim_h5_attr_value(f, "days", H5T_NATIVE_INT, &days) < 0 || days < 1 ||
        ipsim_date_parse(start, &d0) != 0) {
        ipsim_textbuf_printf(b, "  %-22s %s\n", "period", NOT_PRESENT);
        return;
    }
    ipsim_date_format(d0 + days - 1, end);
    ipsim_textbuf_printf(b, "  %-22s %s to %s (%s days)\n", "period", start, end, num(days, 0).s);
}

static void section_identity(sbuf *b, hid_t f, const char *path)
{
    char version[64], commit[128], seed[64];
    uint64_t seed_u;
    unsigned replicate;
    ipsim_textbuf_printf(b, "ipsim result file %s\n", path);
    line_text(b, f, "scenario", "scenario_name");
    if (ipsim_h5_attr_text(f, "git_commit", commit, sizeof commit) < 0)
        snprintf(commit, sizeof commit, "unknown");
    if (ipsim_h5_attr_text(f, "ipsim_version", version, sizeof version) == 0)
        ipsim_textbuf_printf(b, "  %-22s %s (git %s)\n", "ipsim version", version, commit);
    if (ipsim_h5_attr_text(f, "seed_string", seed, sizeof seed) < 0) {
        if (ipsim_h5_attr_value(f, "seed", H5T_NATIVE_UINT64, &seed_u) == 0)
            snprintf(seed, sizeof seed, "%llu", (unsigned long long)seed_u);
        else
            snprintf(seed, sizeof seed, "%s", NOT_PRESENT);
    }
    ipsim_textbuf_printf(b, "  %-22s %s\n", "seed", seed);
    if (ipsim_h5_attr_value(f, "replicate", H5T_NATIVE_UINT, &replicate) == 0)
        ipsim_textbuf_printf(b, "  %-22s %u\n", "replicate", replicate);
    else
        ipsim_textbuf_printf(b, "  %-22s %s\n", "replicate", NOT_PRESENT);
    line_number(b, f, "scale", "scale", 0, " people per agent");
    line_number(b, f, "agents", "n_agents", 0, "");
    line_number(b, f, "days", "days", 0, "");
    line_text(b, f, "start date", "start_date");
    line_period(b, f);
    line_number(b, f, "wall time", "wall_seconds", 1, " s");
    line_number(b, f, "speed", "agent_days_per_second", 0, " agent-days/s");
    line_text(b, f, "history", "history");
}

static void line_total(sbuf *b, const char *label, double v, int decimals, const char *suffix)
{
    if (isnan(v))
        ipsim_textbuf_printf(b, "  %-22s %s\n", label, NOT_PRESENT);
    else
        ipsim_textbuf_printf(b, "  %-22s %s%s\n", label, num(v, decimals).s, suffix);
}

/* Share of CEC arrivals in all arrivals, NaN if unknown. */
static double cec_share(hid_t f, double *total)
{
    hsize_t nm = 0;
    double *v = metric_cells(f, "arrivals", &nm);
    double cec = 0.0, all = 0.0;
    for (size_t m = 0; v && m < nm; m++) {
        cec += v[m * IPSIM_N_SEGMENTS + IPSIM_SEG_CEC];
        for (int s = 0; s < IPSIM_N_SEGMENTS; s++)
            all += v[m * IPSIM_N_SEGMENTS + (size_t)s];
    }
    *total = v ? all : NAN;
    free(v);
    return v && all > 0 ? 100.0 * cec / all : NAN;
}

static void section_totals(sbuf *b, hid_t f)
{
    double arrivals;
    double share = cec_share(f, &arrivals);
    double pos = metric_total(f, "posts_positive"), neg = metric_total(f, "posts_negative");
    double neu = metric_total(f, "posts_neutral"), posts = pos + neg + neu;
    ipsim_textbuf_printf(b, "\ntotals over the run\n");
    line_total(b, "arrivals", arrivals, 0, "");
    line_total(b, "CEC share of arrivals", share, 1, " %");
    line_total(b, "repeat arrivals", metric_total(f, "repeat_arrivals"), 0, "");
    line_total(b, "visitor-nights", metric_total(f, "visitor_nights"), 0, "");
    line_total(b, "spending", metric_total(f, "spending_cny"), 0, " CNY");
    line_total(b, "mean satisfaction", mean_satisfaction(f), 3, " (weighted by departures)");
    line_total(b, "posts", posts, 0, "");
    if (!isnan(posts)) {
        ipsim_textbuf_printf(b, "  %-22s %s %%\n", "positive posts", percent(pos, posts).s);
        ipsim_textbuf_printf(b, "  %-22s %s %%\n", "negative posts", percent(neg, posts).s);
    }
}

/* Name of market i from /market, or "market i". */
static const char *market_name(char **names, size_t n_names, size_t i, char *buf, size_t len)
{
    if (names && i < n_names)
        return names[i];
    snprintf(buf, len, "market %zu", i);
    return buf;
}

static void section_markets(sbuf *b, hid_t f)
{
    hsize_t nm = 0;
    size_t n_names = 0;
    double *v = metric_cells(f, "arrivals", &nm);
    ipsim_textbuf_printf(b, "\ntop markets by arrivals\n");
    if (!v) {
        ipsim_textbuf_printf(b, "  %s\n", NOT_PRESENT);
        return;
    }
    char **names = ipsim_h5_read_strings(f, "market", 1, &n_names);
    int used[IPSIM_MAX_MARKETS] = {0};
    size_t limit = nm < IPSIM_MAX_MARKETS ? (size_t)nm : IPSIM_MAX_MARKETS;
    for (int rank = 1; rank <= TOP_MARKETS && (size_t)rank <= limit; rank++) {
        size_t best = limit;
        double best_v = -INFINITY;
        for (size_t m = 0; m < limit; m++) {
            double a = v[2 * m] + v[2 * m + 1];
            if (!used[m] && a > best_v) {
                best = m;
                best_v = a;
            }
        }
        if (best == limit)
            break;
        used[best] = 1;
        char buf[32];
        ipsim_textbuf_printf(b, "  %d. ", rank);
        sb_padded(b, market_name(names, n_names, best, buf, sizeof buf), 20);
        ipsim_textbuf_printf(b, "%14s   (CEC %s %%)\n", num(best_v, 0).s,
                             percent(v[2 * best + IPSIM_SEG_CEC], best_v).s);
    }
    ipsim_h5_free_strings(names, n_names);
    free(v);
}

/* "YYYY-MM-DD" of day index d, or "day d" without a start date. */
static void day_label(hid_t f, size_t d, char *buf, size_t len)
{
    char start[64];
    ipsim_date d0;
    if (ipsim_h5_attr_text(f, "start_date", start, sizeof start) == 0 &&
        ipsim_date_parse(start, &d0) == 0 && len >= 11)
        ipsim_date_format(d0 + (ipsim_date)d, buf);
    else
        snprintf(buf, len, "day %zu", d);
}

static void section_assets(sbuf *b, hid_t f)
{
    hsize_t dims[2];
    size_t n_names = 0;
    double *c = ipsim_h5_read_doubles(f, "asset_daily/crowding", 2, dims, NULL);
    ipsim_textbuf_printf(b, "\npeak crowding by asset (visitors / capacity)\n");
    if (!c) {
        ipsim_textbuf_printf(b, "  %s\n", NOT_PRESENT);
        return;
    }
    char **names = ipsim_h5_read_strings(f, "asset", 1, &n_names);
    for (size_t a = 0; a < dims[1]; a++) {
        size_t peak = 0;
        for (size_t d = 1; d < dims[0]; d++)
            if (c[d * dims[1] + a] > c[peak * dims[1] + a])
                peak = d;
        char when[32], name[32];
        day_label(f, peak, when, sizeof when);
        if (!names || a >= n_names)
            snprintf(name, sizeof name, "asset %zu", a);
        ipsim_textbuf_printf(b, "  ");
        sb_padded(b, names && a < n_names ? names[a] : name, 30);
        ipsim_textbuf_printf(b, "%8s on %s\n", num(c[peak * dims[1] + a], 2).s, when);
    }
    ipsim_h5_free_strings(names, n_names);
    free(c);
}

static void section_interventions(sbuf *b, hid_t f)
{
    size_t n = 0, n_mech = 0, n_start = 0, n_end = 0;
    hsize_t dims[1] = {0};
    char **name = ipsim_h5_read_strings(f, "interventions/name", 1, &n);
    char **mech = ipsim_h5_read_strings(f, "interventions/mechanism", 1, &n_mech);
    char **start = ipsim_h5_read_strings(f, "interventions/start", 1, &n_start);
    char **end = ipsim_h5_read_strings(f, "interventions/end", 1, &n_end);
    double *cost = ipsim_h5_read_doubles(f, "interventions/cost_cny", 1, dims, NULL);
    ipsim_textbuf_printf(b, "\ninterventions\n");
    if (!name)
        ipsim_textbuf_printf(b, "  %s\n", NOT_PRESENT);
    else if (n == 0)
        ipsim_textbuf_printf(b, "  (none)\n");
    double total = 0.0;
    for (size_t i = 0; name && i < n; i++) {
        double c = cost && i < dims[0] ? cost[i] : NAN;
        total += isnan(c) ? 0.0 : c;
        ipsim_textbuf_printf(b, "  ");
        sb_padded(b, name[i], 28);
        ipsim_textbuf_printf(b, "%-10s %s to %s  %16s%s\n", mech && i < n_mech ? mech[i] : "?",
                             start && i < n_start ? start[i] : "?", end && i < n_end ? end[i] : "?",
                             isnan(c) ? NOT_PRESENT : num(c, 0).s, isnan(c) ? "" : " CNY");
    }
    if (name && n > 0 && cost)
        ipsim_textbuf_printf(b, "  %-64s %16s CNY\n", "total cost", num(total, 0).s);
    ipsim_h5_free_strings(name, n);
    ipsim_h5_free_strings(mech, n_mech);
    ipsim_h5_free_strings(start, n_start);
    ipsim_h5_free_strings(end, n_end);
    free(cost);
}

/* First, last and peak (with its date) of a /destination_daily series. */
static void destination_line(sbuf *b, hid_t f, const char *metric, const char *label, int digits)
{
    char path[64], when[32];
    hsize_t dims[1];
    snprintf(path, sizeof path, "destination_daily/%s", metric);
    double *v = ipsim_h5_read_doubles(f, path, 1, dims, NULL);
    ipsim_textbuf_printf(b, "  ");
    sb_padded(b, label, 24);
    if (!v || dims[0] == 0) {
        ipsim_textbuf_printf(b, "%s\n", NOT_PRESENT);
        free(v);
        return;
    }
    size_t peak = 0;
    for (size_t d = 1; d < dims[0]; d++)
        if (v[d] > v[peak])
            peak = d;
    day_label(f, peak, when, sizeof when);
    ipsim_textbuf_printf(b, "first %s, last %s, peak %s on %s\n", num(v[0], digits).s,
                         num(v[dims[0] - 1], digits).s, num(v[peak], digits).s, when);
    free(v);
}

static void section_destination(sbuf *b, hid_t f)
{
    ipsim_textbuf_printf(b, "\ndestination and platform\n");
    destination_line(b, f, "reputation", "reputation (0-1)", 3);
    destination_line(b, f, "amplification", "platform amplification", 2);
    destination_line(b, f, "post_stock", "live UGC posts", 0);
}

void ipsim__info_run(ipsim_textbuf *b, hid_t f, const char *path)
{
    section_identity(b, f, path);
    section_totals(b, f);
    section_markets(b, f);
    section_assets(b, f);
    section_destination(b, f);
    section_interventions(b, f);
}
