/*
 * output_info.c - a readable summary of an ipsim result file
 * (ipsim_output_info), as printed by `ipsim info`.
 *
 * For a run file (written by output.c) the summary gives the run's identity
 * (scenario, version, seed, scale, agents, period), totals over the run,
 * the top markets by arrivals, each asset's peak crowding and the
 * interventions with their cost. Any dataset or attribute that is missing
 * is reported as "(not present)", so older or partial files still get a
 * summary. Other kinds of ipsim file (root attribute ipsim_kind, e.g.
 * "sweep") are listed generically: every group and dataset with its shape
 * and attributes.
 *
 * The file is opened read-only with HDF5's error printing switched off for
 * the duration of the call; nothing is printed, the text is returned.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"
#include "scenario/scenario.h"
#include "io/h5util.h"
#include "base/textbuf.h"

#define NOT_PRESENT "(not present)"
#define TOP_MARKETS 5
#define MAX_DEPTH 16          /* generic listing: deepest group shown */
#define MAX_LIST_VALUES 8     /* generic listing: values shown per attribute */

/* ---- growing text buffer ------------------------------------------------ */

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

/* Does the object at path (relative, "a/b") exist? Checks each link. */
static int has_object(hid_t loc, const char *path)
{
    char prefix[256];
    size_t len = strlen(path);
    if (len >= sizeof prefix)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        if (H5Lexists(loc, prefix, H5P_DEFAULT) <= 0)
            return 0;
    }
    return 1;
}


static void free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}



/* A numeric dataset of the given rank read as doubles (malloc'd), its
 * dimensions in dims; NULL if missing or of another shape or type. */
static double *read_doubles(hid_t f, const char *path, int rank, hsize_t *dims)
{
    if (!has_object(f, path))
        return NULL;
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hid_t t = ds >= 0 ? H5Dget_type(ds) : -1;
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    double *v = NULL;
    if (sp >= 0 && (c == H5T_INTEGER || c == H5T_FLOAT) &&
        H5Sget_simple_extent_ndims(sp) == rank && H5Sget_simple_extent_dims(sp, dims, NULL) == rank) {
        hssize_t n = H5Sget_simple_extent_npoints(sp);
        v = n > 0 ? malloc((size_t)n * sizeof *v) : NULL;
        if (v && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            free(v);
            v = NULL;
        }
    }
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    return v;
}

/* A 1-D string dataset (malloc'd array of malloc'd strings); NULL if
 * missing or not strings. */
static char **read_strings(hid_t f, const char *path, hsize_t *n)
{
    if (!has_object(f, path))
        return NULL;
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hid_t t = ds >= 0 ? H5Dget_type(ds) : -1;
    char **v = NULL;
    if (t >= 0 && sp >= 0 && H5Tget_class(t) == H5T_STRING &&
        H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, n, NULL) == 1) {
        v = calloc(*n ? *n : 1, sizeof *v);
        if (v && ipsim_h5_read_string_values(ds, 0, t, (size_t)*n, v) < 0) {
            free_strings(v, (size_t)*n);
            v = NULL;
        }
    }
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    return v;
}

/* Totals over the run of a flow metric per cell [market][segment]: from
 * /summary, else summed over the days of /daily. *n_markets is set. */
static double *metric_cells(hid_t f, const char *metric, hsize_t *n_markets)
{
    char path[128];
    hsize_t dims[3];
    snprintf(path, sizeof path, "summary/%s", metric);
    double *v = read_doubles(f, path, 2, dims);
    if (v && dims[1] == IPSIM_N_SEGMENTS) {
        *n_markets = dims[0];
        return v;
    }
    free(v);
    snprintf(path, sizeof path, "daily/%s", metric);
    v = read_doubles(f, path, 3, dims);
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
        double *s = read_doubles(f, src[k][0], rank, ds);
        double *d = read_doubles(f, src[k][1], rank, dd);
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
    ipsim_textbuf_printf(b, "  %-22s %s\n", label, ipsim_h5_attr_text(f, attr, v, sizeof v) == 0 ? v : NOT_PRESENT);
}

static void line_number(sbuf *b, hid_t f, const char *label, const char *attr,
                        int decimals, const char *suffix)
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
static const char *market_name(char **names, hsize_t n_names, size_t i, char *buf, size_t len)
{
    if (names && i < n_names)
        return names[i];
    snprintf(buf, len, "market %zu", i);
    return buf;
}

static void section_markets(sbuf *b, hid_t f)
{
    hsize_t nm = 0, n_names = 0;
    double *v = metric_cells(f, "arrivals", &nm);
    ipsim_textbuf_printf(b, "\ntop markets by arrivals\n");
    if (!v) {
        ipsim_textbuf_printf(b, "  %s\n", NOT_PRESENT);
        return;
    }
    char **names = read_strings(f, "market", &n_names);
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
    free_strings(names, (size_t)n_names);
    free(v);
}

/* "YYYY-MM-DD" of day index d, or "day d" without a start date. */
static void day_label(hid_t f, size_t d, char *buf, size_t len)
{
    char start[64];
    ipsim_date d0;
    if (ipsim_h5_attr_text(f, "start_date", start, sizeof start) == 0 && ipsim_date_parse(start, &d0) == 0 &&
        len >= 11)
        ipsim_date_format(d0 + (ipsim_date)d, buf);
    else
        snprintf(buf, len, "day %zu", d);
}

static void section_assets(sbuf *b, hid_t f)
{
    hsize_t dims[2], n_names = 0;
    double *c = read_doubles(f, "asset_daily/crowding", 2, dims);
    ipsim_textbuf_printf(b, "\npeak crowding by asset (visitors / capacity)\n");
    if (!c) {
        ipsim_textbuf_printf(b, "  %s\n", NOT_PRESENT);
        return;
    }
    char **names = read_strings(f, "asset", &n_names);
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
    free_strings(names, (size_t)n_names);
    free(c);
}

static void section_interventions(sbuf *b, hid_t f)
{
    hsize_t n = 0, n_mech = 0, n_start = 0, n_end = 0, dims[1] = {0};
    char **name = read_strings(f, "interventions/name", &n);
    char **mech = read_strings(f, "interventions/mechanism", &n_mech);
    char **start = read_strings(f, "interventions/start", &n_start);
    char **end = read_strings(f, "interventions/end", &n_end);
    double *cost = read_doubles(f, "interventions/cost_cny", 1, dims);
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
        ipsim_textbuf_printf(b, "%-10s %s to %s  %16s%s\n",
                  mech && i < n_mech ? mech[i] : "?", start && i < n_start ? start[i] : "?",
                  end && i < n_end ? end[i] : "?", isnan(c) ? NOT_PRESENT : num(c, 0).s,
                  isnan(c) ? "" : " CNY");
    }
    if (name && n > 0 && cost)
        ipsim_textbuf_printf(b, "  %-64s %16s CNY\n", "total cost", num(total, 0).s);
    free_strings(name, (size_t)n);
    free_strings(mech, (size_t)n_mech);
    free_strings(start, (size_t)n_start);
    free_strings(end, (size_t)n_end);
    free(cost);
}

/* ---- generic listing (sweep files and other kinds) ---------------------- */

static const char *type_name(hid_t t, char *buf, size_t len)
{
    switch (H5Tget_class(t)) {
    case H5T_FLOAT:
        snprintf(buf, len, "float%zu", 8 * H5Tget_size(t));
        break;
    case H5T_INTEGER:
        snprintf(buf, len, "%sint%zu", H5Tget_sign(t) == H5T_SGN_NONE ? "u" : "",
                 8 * H5Tget_size(t));
        break;
    case H5T_STRING:
        snprintf(buf, len, "string");
        break;
    case H5T_COMPOUND:
        snprintf(buf, len, "compound");
        break;
    default:
        snprintf(buf, len, "other");
        break;
    }
    return buf;
}

/* Shape "[3 x 2]" or "scalar" of a dataspace. */
static void shape_text(hid_t sp, char *buf, size_t len)
{
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
    if (rank <= 0) {
        snprintf(buf, len, "scalar");
        return;
    }
    size_t k = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < rank && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%llu", i ? " x " : "",
                              (unsigned long long)dims[i]);
    if (k < len)
        snprintf(buf + k, len - k, "]");
}

/* Up to MAX_LIST_VALUES values of a numeric attribute (integers exactly). */
static void numeric_attr_text(hid_t a, hid_t t, hssize_t n, sbuf *b)
{
    double v[MAX_LIST_VALUES];
    long long iv[MAX_LIST_VALUES];
    unsigned long long uv[MAX_LIST_VALUES];
    int integral = H5Tget_class(t) == H5T_INTEGER;
    int is_unsigned = integral && H5Tget_sign(t) == H5T_SGN_NONE;
    hid_t mtype = !integral ? H5T_NATIVE_DOUBLE : is_unsigned ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG;
    void *buf = !integral ? (void *)v : is_unsigned ? (void *)uv : (void *)iv;
    if (n > MAX_LIST_VALUES) {
        ipsim_textbuf_printf(b, "(%lld values)", (long long)n);
        return;
    }
    if (H5Aread(a, mtype, buf) < 0) {
        ipsim_textbuf_printf(b, "(unreadable)");
        return;
    }
    for (hssize_t i = 0; i < n; i++) {
        const char *sep = i ? ", " : "";
        if (!integral)
            ipsim_textbuf_printf(b, "%s%.6g", sep, v[i]);
        else if (is_unsigned)
            ipsim_textbuf_printf(b, "%s%llu", sep, uv[i]);
        else
            ipsim_textbuf_printf(b, "%s%lld", sep, iv[i]);
    }
}

static herr_t attr_cb(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    sbuf *b = ((void **)data)[0];
    const char *indent = ((void **)data)[1];
    if (!strcmp(name, "CLASS") || !strcmp(name, "NAME") || !strcmp(name, "REFERENCE_LIST") ||
        !strcmp(name, "DIMENSION_LIST") || !strcmp(name, "DIMENSION_LABELS"))
        return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    char *s = NULL;
    ipsim_textbuf_printf(b, "%s@%s = ", indent, name);
    if (c == H5T_STRING && n == 1 && ipsim_h5_read_string_values(a, 1, t, 1, &s) == 0)
        ipsim_textbuf_printf(b, "%.200s%s", s, strlen(s) > 200 ? "..." : "");
    else if (c == H5T_INTEGER || c == H5T_FLOAT)
        numeric_attr_text(a, t, n, b);
    else
        ipsim_textbuf_printf(b, "(%lld values)", (long long)n);
    ipsim_textbuf_printf(b, "\n");
    free(s);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return 0;
}

static void list_attrs(sbuf *b, hid_t obj, int depth)
{
    static const char spaces[] = "                                                  ";
    char indent[64];
    int w = 2 * depth + 4;
    snprintf(indent, sizeof indent, "%.*s", w < 50 ? w : 50, spaces);
    void *data[2] = {b, indent};
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, data);
}

static void list_group(sbuf *b, hid_t g, const char *path, int depth);

static void list_member(sbuf *b, hid_t g, const char *name, const char *path, int depth)
{
    char child[512], shape[128], tname[32];
    snprintf(child, sizeof child, "%s%s%s", path, strcmp(path, "/") ? "/" : "", name);
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    H5I_type_t kind = o >= 0 ? H5Iget_type(o) : H5I_BADID;
    if (kind == H5I_GROUP) {
        ipsim_textbuf_printf(b, "%*s%s/\n", 2 * depth + 2, "", child);
        list_attrs(b, o, depth);
        if (depth < MAX_DEPTH)
            list_group(b, o, child, depth + 1);
    } else if (kind == H5I_DATASET) {
        hid_t t = H5Dget_type(o), sp = H5Dget_space(o);
        if (t >= 0 && sp >= 0) {
            shape_text(sp, shape, sizeof shape);
            ipsim_textbuf_printf(b, "%*s%s  %s %s\n", 2 * depth + 2, "", child,
                      type_name(t, tname, sizeof tname), shape);
        }
        if (t >= 0)
            H5Tclose(t);
        if (sp >= 0)
            H5Sclose(sp);
        list_attrs(b, o, depth);
    } else {
        ipsim_textbuf_printf(b, "%*s%s  (other object)\n", 2 * depth + 2, "", child);
    }
    if (o >= 0)
        H5Oclose(o);
}

static void list_group(sbuf *b, hid_t g, const char *path, int depth)
{
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0)
        return;
    for (hsize_t i = 0; i < info.nlinks; i++) {
        char name[256];
        ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                       H5P_DEFAULT);
        if (n > 0 && (size_t)n < sizeof name)
            list_member(b, g, name, path, depth);
    }
}

static void summarize_generic(sbuf *b, hid_t f, const char *path, const char *kind)
{
    ipsim_textbuf_printf(b, "ipsim %s file %s\n", kind, path);
    list_attrs(b, f, -1);
    list_group(b, f, "/", 0);
}

/* First, last and peak (with its date) of a /destination_daily series. */
static void destination_line(sbuf *b, hid_t f, const char *metric, const char *label, int digits)
{
    char path[64], when[32];
    hsize_t dims[1];
    snprintf(path, sizeof path, "destination_daily/%s", metric);
    double *v = read_doubles(f, path, 1, dims);
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

static void summarize_run(sbuf *b, hid_t f, const char *path)
{
    section_identity(b, f, path);
    section_totals(b, f);
    section_markets(b, f);
    section_assets(b, f);
    section_destination(b, f);
    section_interventions(b, f);
}

/* ---- entry point -------------------------------------------------------- */

/* IPSIM_ERR_NOINPUT unless path is a readable regular file. */
static ipsim_status check_readable(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = errno;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        e = EISDIR;
    else if (fd >= 0)
        e = 0;
    if (fd >= 0)
        close(fd);
    if (e == 0)
        return IPSIM_OK;
    ipsim_set_error(err, errlen, "%s: cannot open: %s", path, strerror(e));
    return IPSIM_ERR_NOINPUT;
}

static ipsim_status summarize(const char *path, sbuf *b, char *err, size_t errlen)
{
    hid_t f = ipsim_h5_open_readonly(path);
    if (f < 0 || H5Aexists(f, "ipsim_version") <= 0) {
        if (f >= 0)
            H5Fclose(f);
        ipsim_set_error(err, errlen, "%s: not an ipsim result file", path);
        return IPSIM_ERR_DATA;
    }
    char kind[64];
    if (ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) == 0 && strcmp(kind, "sweep") == 0) {
        char *text = NULL;
        H5Fclose(f);
        ipsim_status st = ipsim_sweep_report(path, &text, err, errlen);
        if (st == IPSIM_OK)
            ipsim_textbuf_printf(b, "%s", text);
        free(text);
        return st;
    }
    if (ipsim_h5_attr_text(f, "ipsim_kind", kind, sizeof kind) == 0 && strcmp(kind, "run") != 0)
        summarize_generic(b, f, path, kind);
    else
        summarize_run(b, f, path);
    H5Fclose(f);
    return IPSIM_OK;
}

ipsim_status ipsim_output_info(const char *path, char **text, char *err, size_t errlen)
{
    if (text)
        *text = NULL;
    if (!path || !*path || !text) {
        ipsim_set_error(err, errlen, "ipsim_output_info: no path or no result pointer");
        return IPSIM_ERR_USAGE;
    }
    ipsim_status st = check_readable(path, err, errlen);
    if (st != IPSIM_OK)
        return st;
    H5E_auto2_t old_fn = NULL;
    void *old_data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    sbuf b = {0};
    st = summarize(path, &b, err, errlen);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    if (st == IPSIM_OK && (b.oom || !b.p)) {
        ipsim_set_error(err, errlen, "%s: out of memory", path);
        st = IPSIM_ERR_NOMEM;
    }
    if (st == IPSIM_OK)
        *text = b.p;
    else
        free(b.p);
    return st;
}
