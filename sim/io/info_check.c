/*
 * info_check.c - the check `ipsim info` makes of a run file before it reads
 * anything for the summary (info_run.c): every root attribute it uses in
 * its range, and every dataset it reads of the right kind, rank and shape
 * (the day axis from the days attribute, the market and asset axes from
 * /market and /asset or the first dataset that has them), reachable by
 * hard links only, readable, and the flows it adds up finite and >= 0.
 * Parts that are missing stay allowed (reported "(not present)"); parts
 * that are present but wrong make the file invalid, so a corrupt or
 * hostile file gives an error instead of a summary of nonsense, and no
 * size read from the file is ever used to allocate before it was checked.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "base/textbuf.h"
#include "ipsim/ipsim.h"
#include "scenario/scenario.h"
#include "io/h5util.h"
#include "io/info.h"

#define MAX_MEMBERS 256 /* datasets in one group of a run file */
#define MAX_NAME 256    /* bytes of a member's name */
#define MAX_SCALE 1e9   /* people per agent, as the scenario field */
#define MAX_AGENTS 1e12 /* far above anything that fits in memory */
#define DATE_TEXT 64

/* A group of a run file and the shape of its datasets. */
typedef enum { G_DAILY, G_SUMMARY, G_ASSET_DAILY, G_DESTINATION, G_CELLS, G_INTERVENTIONS } gkind;

typedef struct {
    hid_t f;
    long days;    /* from the days attribute */
    long markets; /* -1 until known */
    long assets;  /* -1 until known */
    long n_iv;    /* -1 until known */
    char *why;
    size_t len;
} checker;

static int bad(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->len, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- links and objects ---------------------------------------------------- */

/* 1 if loc/name is a hard link, 0 if absent, -1 (message set) if it is a
 * soft or external link or cannot be examined. */
static int hard_link(checker *c, hid_t loc, const char *name, const char *shown)
{
    htri_t e = H5Lexists(loc, name, H5P_DEFAULT);
    if (e == 0)
        return 0;
    H5L_info_t li;
    if (e < 0 || H5Lget_info(loc, name, &li, H5P_DEFAULT) < 0)
        return bad(c, "%s: cannot be read", shown);
    if (li.type != H5L_TYPE_HARD)
        return bad(c, "%s: is a %s link (a run file has only plain objects)", shown,
                   li.type == H5L_TYPE_SOFT ? "soft" : "external");
    return 1;
}

/* The object type of loc/name (a hard link), or H5O_TYPE_UNKNOWN. */
static H5O_type_t object_type(hid_t loc, const char *name)
{
    H5O_info_t oi;
    if (H5Oget_info_by_name2(loc, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
        return H5O_TYPE_UNKNOWN;
    return oi.type;
}

/* ---- attributes ----------------------------------------------------------- */

/* The scalar numeric attribute name of f as a double; 0 if absent, 1 if
 * read, -1 (message set) if of another kind or shape. *integral: integer
 * class. */
static int attr_number(checker *c, const char *name, double *v, int *integral)
{
    if (H5Aexists(c->f, name) <= 0)
        return 0;
    hid_t a = H5Aopen(c->f, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    H5T_class_t k = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int ok = (k == H5T_INTEGER || k == H5T_FLOAT) && sp >= 0 &&
             H5Sget_simple_extent_type(sp) == H5S_SCALAR && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0;
    *integral = k == H5T_INTEGER;
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return ok ? 1 : bad(c, "attribute %s: expected a number", name);
}

/* A numeric attribute, if present, is a number in [lo, hi] (an integer
 * when whole is set). required: it must be present. */
static int check_number(checker *c, const char *name, double lo, double hi, int whole, int required,
                        double *out)
{
    double v = NAN;
    int integral = 0, r = attr_number(c, name, &v, &integral);
    if (r < 0)
        return -1;
    if (r == 0)
        return required ? bad(c, "attribute %s: missing", name) : 0;
    if (!(v >= lo && v <= hi) || (whole && (!integral || v != floor(v))))
        return bad(c, "attribute %s: expected %s in [%.17g, %.17g], found %.17g", name,
                   whole ? "an integer" : "a number", lo, hi, v);
    if (out)
        *out = v;
    return 0;
}

/* A string attribute, if present, is a scalar string. */
static int check_text(checker *c, const char *name, int required, char *buf, size_t len)
{
    if (H5Aexists(c->f, name) <= 0)
        return required ? bad(c, "attribute %s: missing", name) : 0;
    if (ipsim_h5_attr_text(c->f, name, buf, len) < 0)
        return bad(c, "attribute %s: expected a string", name);
    return 0;
}

static int check_attributes(checker *c)
{
    char text[DATE_TEXT];
    double days = 0;
    ipsim_date d0;
    if (check_text(c, "ipsim_version", 1, text, sizeof text) < 0 ||
        check_number(c, "days", 1, IPSIM_MAX_DAYS, 1, 1, &days) < 0 ||
        check_number(c, "days_completed", 0, days, 1, 0, NULL) < 0 ||
        check_number(c, "scale", 1, MAX_SCALE, 0, 0, NULL) < 0 ||
        check_number(c, "n_agents", 0, MAX_AGENTS, 1, 0, NULL) < 0 ||
        check_number(c, "seed", 0, 18446744073709551615.0, 1, 0, NULL) < 0 ||
        check_number(c, "replicate", 0, 4294967295.0, 1, 0, NULL) < 0 ||
        check_number(c, "wall_seconds", 0, HUGE_VAL, 0, 0, NULL) < 0 ||
        check_number(c, "agent_days_per_second", 0, HUGE_VAL, 0, 0, NULL) < 0)
        return -1;
    c->days = (long)days;
    if (check_text(c, "start_date", 1, text, sizeof text) < 0)
        return -1;
    if (ipsim_date_parse(text, &d0) != 0)
        return bad(c, "attribute start_date: expected a date YYYY-MM-DD, found \"%.20s\"", text);
    char end[16];
    ipsim_date_format(d0 + (ipsim_date)(c->days - 1), end);
    ipsim_date back;
    if (ipsim_date_parse(end, &back) != 0 || back != d0 + (ipsim_date)(c->days - 1))
        return bad(c, "attribute start_date: %s plus %ld days is not a date", text, c->days);
    const char *texts[] = {"scenario_name", "seed_string", "git_commit", "history"};
    char big[512];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (check_text(c, texts[i], 0, big, sizeof big) < 0)
            return -1;
    return 0;
}

/* ---- datasets ------------------------------------------------------------- */

/* Agree a dimension: *known < 0 takes n; else n must equal it. */
static int agree(checker *c, long *known, hsize_t n, const char *what, const char *shown)
{
    if (*known < 0) {
        *known = (long)n;
        return 0;
    }
    if ((long)n != *known)
        return bad(c, "%s: %llu %s, but the file has %ld elsewhere", shown, (unsigned long long)n,
                   what, *known);
    return 0;
}

/* Open loc/name as a dataset of rank `rank`, of numeric (want_strings 0) or
 * string class, its dimensions into dims. Returns the open dataset or -1
 * (message set). */
static hid_t open_dataset(checker *c, hid_t loc, const char *name, const char *shown, int rank,
                          int want_strings, hsize_t *dims)
{
    if (object_type(loc, name) != H5O_TYPE_DATASET) {
        bad(c, "%s: expected a dataset", shown);
        return -1;
    }
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hid_t t = ds >= 0 ? H5Dget_type(ds) : -1;
    H5T_class_t k = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int r = sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SIMPLE
                ? H5Sget_simple_extent_ndims(sp)
                : -1;
    int ok = ds >= 0 && r == rank && H5Sget_simple_extent_dims(sp, dims, NULL) == rank &&
             ipsim_h5_plain_layout(ds);
    if (ok && want_strings)
        ok = k == H5T_STRING && (H5Tis_variable_str(t) > 0 || H5Tget_size(t) <= IPSIM_H5_TEXT_MAX);
    else if (ok)
        ok = (k == H5T_FLOAT || k == H5T_INTEGER) && H5Tget_size(t) <= 8;
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    if (!ok) {
        if (ds >= 0)
            H5Dclose(ds);
        bad(c, "%s: expected a %d-dimensional %s dataset stored in the file", shown, rank,
            want_strings ? "string" : "numeric");
        return -1;
    }
    return ds;
}

/* Read all n values of a numeric dataset (shape already checked) and
 * check them: no infinities; flows finite and >= 0. */
static int check_values(checker *c, hid_t ds, size_t n, int flow, const char *shown)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return bad(c, "%s: out of memory", shown);
    int rc = H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0
                 ? bad(c, "%s: cannot be read (corrupt data)", shown)
                 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (isinf(v[i]) || (flow && !(v[i] >= 0)))
            rc = bad(c, "%s: value %g at element %zu is out of range", shown, v[i], i);
    free(v);
    return rc;
}

/* Read n strings of a string dataset (shape already checked). */
static int check_strings(checker *c, hid_t ds, size_t n, const char *shown)
{
    char **s = calloc(n ? n : 1, sizeof *s);
    hid_t t = H5Dget_type(ds);
    int rc = s && t >= 0 && ipsim_h5_read_string_values(ds, 0, t, n, s) == 0
                 ? 0
                 : bad(c, "%s: cannot be read (corrupt strings)", shown);
    if (t >= 0)
        H5Tclose(t);
    ipsim_h5_free_strings(s, s ? n : 0);
    return rc;
}

/* The flows `ipsim info` adds up: finite and >= 0. */
static int is_flow(const char *metric)
{
    static const char *const flows[] = {"arrivals",       "departures",   "repeat_arrivals",
                                        "visitor_nights", "spending_cny", "posts_positive",
                                        "posts_negative", "posts_neutral"};
    for (size_t i = 0; i < sizeof flows / sizeof flows[0]; i++)
        if (strcmp(metric, flows[i]) == 0)
            return 1;
    return 0;
}

/* A string coordinate (/market, /asset, /segment) of 1..max entries; its
 * length agrees with *known. */
static int check_names(checker *c, const char *name, long min, long max, long *known)
{
    char shown[32];
    hsize_t dims[1];
    snprintf(shown, sizeof shown, "/%s", name);
    int h = hard_link(c, c->f, name, shown);
    if (h <= 0)
        return h;
    hid_t ds = open_dataset(c, c->f, name, shown, 1, 1, dims);
    if (ds < 0)
        return -1;
    int rc = (long)dims[0] < min || (long)dims[0] > max
                 ? bad(c, "%s: expected %ld to %ld names, found %llu", shown, min, max,
                       (unsigned long long)dims[0])
                 : 0;
    if (rc == 0 && known)
        rc = agree(c, known, dims[0], "entries", shown);
    if (rc == 0)
        rc = check_strings(c, ds, (size_t)dims[0], shown);
    H5Dclose(ds);
    return rc;
}

/* /day, if present: integers [days]. */
static int check_day(checker *c)
{
    hsize_t dims[1];
    int h = hard_link(c, c->f, "day", "/day");
    if (h <= 0)
        return h;
    hid_t ds = open_dataset(c, c->f, "day", "/day", 1, 0, dims);
    if (ds < 0)
        return -1;
    int rc = (long)dims[0] != c->days
                 ? bad(c, "/day: %llu days, but the days attribute says %ld",
                       (unsigned long long)dims[0], c->days)
                 : check_values(c, ds, dims[0], 0, "/day");
    H5Dclose(ds);
    return rc;
}

/* One member of a group of kind g: its shape against the axes. */
static int check_member(checker *c, hid_t grp, gkind g, const char *gname, const char *name)
{
    static const int ranks[] = {3, 2, 2, 1, 2, 1};
    char shown[MAX_NAME + 32];
    hsize_t dims[3] = {0, 0, 0};
    snprintf(shown, sizeof shown, "/%s/%s", gname, name);
    int strings = g == G_INTERVENTIONS && strcmp(name, "cost_cny") != 0;
    int h = hard_link(c, grp, name, shown);
    if (h <= 0)
        return h < 0 ? -1 : bad(c, "%s: cannot be read", shown);
    hid_t ds = open_dataset(c, grp, name, shown, ranks[g], strings, dims);
    if (ds < 0)
        return -1;
    int rc = 0;
    switch (g) {
    case G_DAILY:
        rc = (long)dims[0] != c->days ? bad(c, "%s: %llu days, but the days attribute says %ld", shown,
                                            (unsigned long long)dims[0], c->days)
             : dims[2] != IPSIM_N_SEGMENTS
                 ? bad(c, "%s: expected %d segments", shown, IPSIM_N_SEGMENTS)
                 : agree(c, &c->markets, dims[1], "markets", shown);
        break;
    case G_SUMMARY:
    case G_CELLS:
        rc = dims[1] != IPSIM_N_SEGMENTS ? bad(c, "%s: expected %d segments", shown, IPSIM_N_SEGMENTS)
                                         : agree(c, &c->markets, dims[0], "markets", shown);
        break;
    case G_ASSET_DAILY:
        rc = (long)dims[0] != c->days
                 ? bad(c, "%s: %llu days, but the days attribute says %ld", shown,
                       (unsigned long long)dims[0], c->days)
                 : agree(c, &c->assets, dims[1], "assets", shown);
        break;
    case G_DESTINATION:
        rc = (long)dims[0] != c->days
                 ? bad(c, "%s: %llu days, but the days attribute says %ld", shown,
                       (unsigned long long)dims[0], c->days)
                 : 0;
        break;
    case G_INTERVENTIONS:
        rc = (long)dims[0] > IPSIM_MAX_INTERVENTIONS
                 ? bad(c, "%s: more than %d interventions", shown, IPSIM_MAX_INTERVENTIONS)
                 : agree(c, &c->n_iv, dims[0], "interventions", shown);
        break;
    }
    if (rc == 0 && (c->markets > IPSIM_MAX_MARKETS || c->assets > IPSIM_MAX_ASSETS))
        rc = bad(c, "%s: more markets or assets than a scenario can have", shown);
    size_t n = (size_t)dims[0] * (ranks[g] > 1 ? (size_t)dims[1] : 1) *
               (ranks[g] > 2 ? (size_t)dims[2] : 1);
    if (rc == 0)
        rc = strings
                 ? check_strings(c, ds, n, shown)
                 : check_values(c, ds, n, (g == G_DAILY || g == G_SUMMARY) && is_flow(name), shown);
    H5Dclose(ds);
    return rc;
}

/* A group of kind g, if present: a group of at most MAX_MEMBERS datasets,
 * each checked. */
static int check_group(checker *c, const char *gname, gkind g)
{
    char shown[64];
    snprintf(shown, sizeof shown, "/%s", gname);
    int h = hard_link(c, c->f, gname, shown);
    if (h <= 0)
        return h;
    if (object_type(c->f, gname) != H5O_TYPE_GROUP)
        return bad(c, "%s: expected a group", shown);
    hid_t grp = H5Gopen2(c->f, gname, H5P_DEFAULT);
    H5G_info_t info;
    if (grp < 0 || H5Gget_info(grp, &info) < 0 || info.nlinks > MAX_MEMBERS) {
        if (grp >= 0)
            H5Gclose(grp);
        return bad(c, "%s: cannot be read, or holds more than %d objects", shown, MAX_MEMBERS);
    }
    int rc = 0;
    for (hsize_t i = 0; rc == 0 && i < info.nlinks; i++) {
        char name[MAX_NAME];
        ssize_t n = H5Lget_name_by_idx(grp, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                       H5P_DEFAULT);
        rc = n <= 0 || (size_t)n >= sizeof name ? bad(c, "%s: a member's name cannot be read", shown)
                                                : check_member(c, grp, g, gname, name);
    }
    H5Gclose(grp);
    return rc;
}

int ipsim__info_check_run(hid_t f, char *why, size_t len)
{
    checker c = {.f = f, .markets = -1, .assets = -1, .n_iv = -1, .why = why, .len = len};
    static const struct {
        const char *name;
        gkind kind;
    } groups[] = {{"daily", G_DAILY},
                  {"summary", G_SUMMARY},
                  {"asset_daily", G_ASSET_DAILY},
                  {"destination_daily", G_DESTINATION},
                  {"cells", G_CELLS},
                  {"interventions", G_INTERVENTIONS}};
    if (check_attributes(&c) < 0 || check_day(&c) < 0 ||
        check_names(&c, "market", 1, IPSIM_MAX_MARKETS, &c.markets) < 0 ||
        check_names(&c, "segment", IPSIM_N_SEGMENTS, IPSIM_N_SEGMENTS, NULL) < 0 ||
        check_names(&c, "asset", 0, IPSIM_MAX_ASSETS, &c.assets) < 0)
        return -1;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (check_group(&c, groups[i].name, groups[i].kind) < 0)
            return -1;
    return 0;
}
