/*
 * export_plan.c - what the CSV export of a result file holds (see
 * io/export.h): reads the layout of a run or sweep file, never its data, and
 * lists the tables to write.
 *
 * Run files: /daily, /summary, /asset_daily and /destination_daily in long
 * format (one row per coordinate and metric), /interventions and /cells wide.
 * Sweep files: the EMA Workbench pair (experiments: one row per point x
 * replicate with the design parameters; outcomes: the same rows, one column
 * per outcome), the outcomes in long format in total, by market and by
 * segment, the daily series of keep_daily, and /analysis. Any other group
 * (and /analysis) is exported generically: a group of datasets named after
 * outcomes is a statistic (mean, diff, main_effect...), which becomes a
 * column of the table of its dimensions ("analysis_point" holds every
 * statistic over points, one row per point and outcome); a group of other
 * datasets is a wide table of its own. Every file also gets a metadata table
 * (the root attributes).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "base/textbuf.h"
#include "io/export.h"
#include "io/h5util.h"

#define ATTR_TEXT_LEN 256
#define MAX_CHILDREN 4096 /* members of a group looked at */

/* Column names a design parameter must not take (it becomes design_NAME). */
static const char *const reserved_columns[] = {
    "point",   "point_name", "replicate", "outcome",  "metric",    "value",       "market",
    "segment", "day",        "date",      "cost_cny", "done",      "run_seconds", "scenario",
    "policy",  "model",      "parameter", "asset",    "attribute",
};

/* The tables of a run file: group, table, key column, what a row is. */
static const struct {
    const char *group, *name, *key, *what;
} run_tables[] = {
    {"daily", "daily", "metric",
     "one row per day x market x segment x metric: the daily outputs of the run (long format)"},
    {"summary", "summary", "metric",
     "one row per market x segment x metric: the daily outputs reduced over the days (flows "
     "summed, stocks on the last day, satisfaction weighted by departures)"},
    {"asset_daily", "assets", "metric",
     "one row per day x asset x metric: visitors at each asset and its crowding (visitors / "
     "capacity; above 1 the asset is over capacity)"},
    {"destination_daily", "destination", "metric",
     "one row per day x metric: the destination's reputation, platform amplification, post "
     "stock and UGC signal"},
    {"interventions", "interventions", NULL,
     "one row per intervention of the scenario: mechanism, first and last day, cost"},
    {"cells", "cells", NULL,
     "one row per market x segment: the simulated agents and the people they stand for"},
};
#define N_RUN_TABLES (sizeof run_tables / sizeof run_tables[0])

/* Groups of a sweep file that have their own tables (not exported generically). */
static const char *const sweep_groups[] = {
    "outcomes", "outcomes_by_market", "outcomes_by_segment", "daily", "units", "design", "analysis"};
#define N_SWEEP_GROUPS (sizeof sweep_groups / sizeof sweep_groups[0])

/* ---- small helpers ------------------------------------------------------- */

/* a, sep, b into buf; -1 (buf cut) if it does not fit. */
static int join(char *buf, size_t len, const char *a, const char *sep, const char *b)
{
    int n = snprintf(buf, len, "%s%s%s", a, sep, b);
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static int is_outcome(const ipsim_ex_plan *p, const char *name)
{
    return in_list(name, (const char *const *)p->outcomes, p->n_outcomes);
}

/* The names of the members of group path that are groups (want_groups) or
 * datasets that are not dimension scales, in name order (malloc'd array of
 * malloc'd names; free with ipsim_h5_free_strings). NULL with *n = 0 if
 * there are none. */
static char **members(hid_t f, const char *path, int want_groups, size_t *n)
{
    H5G_info_t info;
    char **out = NULL;
    *n = 0;
    if (!ipsim_h5_exists(f, path))
        return NULL;
    hid_t g = H5Gopen2(f, path, H5P_DEFAULT);
    if (g < 0)
        return NULL;
    if (H5Gget_info(g, &info) < 0 || info.nlinks == 0 ||
        !(out = calloc(info.nlinks < MAX_CHILDREN ? info.nlinks : MAX_CHILDREN, sizeof *out))) {
        H5Gclose(g);
        return NULL;
    }
    for (hsize_t i = 0; i < info.nlinks && i < MAX_CHILDREN; i++) {
        char name[IPSIM_EX_NAME_LEN];
        ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                         H5P_DEFAULT);
        if (len <= 0 || (size_t)len >= sizeof name)
            continue;
        hid_t o = H5Oopen(g, name, H5P_DEFAULT);
        H5I_type_t kind = o >= 0 ? H5Iget_type(o) : H5I_BADID;
        int take = want_groups ? kind == H5I_GROUP : kind == H5I_DATASET && H5DSis_scale(o) <= 0;
        if (o >= 0)
            H5Oclose(o);
        if (take && !(out[*n] = strdup(name)))
            break;
        if (take)
            (*n)++;
    }
    H5Gclose(g);
    if (*n == 0) {
        free(out);
        out = NULL;
    }
    return out;
}

/* The layout of dataset path into s (key and column are the caller's).
 * 0, or -1 if it cannot be opened or has too many dimensions. */
static int series_info(hid_t f, const char *path, ipsim_ex_series *s)
{
    hsize_t d[H5S_MAX_RANK];
    char buf[ATTR_TEXT_LEN];
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    int r = sp >= 0 ? H5Sget_simple_extent_dims(sp, d, NULL) : -1;
    int ok = r >= 0 && r <= IPSIM_EX_MAX_RANK;
    snprintf(s->path, sizeof s->path, "%s", path);
    s->rank = ok ? r : 0;
    for (int i = 0; ok && i < r; i++) {
        s->dims[i] = d[i];
        if (H5DSget_label(ds, (unsigned)i, s->labels[i], sizeof s->labels[i]) <= 0)
            snprintf(s->labels[i], sizeof s->labels[i], "dim%d", i);
    }
    s->unit[0] = '\0';
    if (ok)
        ipsim_h5_attr_text(ds, "units", s->unit, sizeof s->unit);
    s->long_name = NULL;
    if (ok && ipsim_h5_attr_text(ds, "long_name", buf, sizeof buf) == 0)
        s->long_name = strdup(buf);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    return ok ? 0 : -1;
}

/* "point_market": the labels of s joined by '_' ("scalar" for rank 0). */
static void dims_tag(const ipsim_ex_series *s, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    if (s->rank == 0)
        snprintf(buf, len, "scalar");
    for (int i = 0; i < s->rank && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? "_" : "", s->labels[i]);
}

/* "point x market": the labels of s joined by " x " ("file" for rank 0). */
static void dims_words(const ipsim_ex_series *s, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    if (s->rank == 0)
        snprintf(buf, len, "file");
    for (int i = 0; i < s->rank && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? " x " : "", s->labels[i]);
}

/* 1 if every dimension of s is one of the table's (same label and size, each
 * table dimension used once): s is then repeated over the others. */
static int fits(const ipsim_ex_table *t, const ipsim_ex_series *s)
{
    int used[IPSIM_EX_MAX_RANK] = {0};
    if (s->rank > t->rank)
        return 0;
    for (int i = 0; i < s->rank; i++) {
        int j;
        for (j = 0; j < t->rank; j++)
            if (!used[j] && t->dims[j] == s->dims[i] && strcmp(t->labels[j], s->labels[i]) == 0)
                break;
        if (j == t->rank)
            return 0;
        used[j] = 1;
    }
    return 1;
}

/* ---- tables -------------------------------------------------------------- */

static ipsim_ex_table *table_by_name(ipsim_ex_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nt; i++)
        if (strcmp(p->t[i].name, name) == 0)
            return &p->t[i];
    return NULL;
}

/* A new table with the dimensions of s (NULL: rank 0), or NULL when out of
 * memory. Pointers into p->t are invalidated. */
static ipsim_ex_table *new_table(ipsim_ex_plan *p, const char *name, const char *what, const char *key,
                                 const ipsim_ex_series *s)
{
    if (p->nt == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        ipsim_ex_table *t = realloc(p->t, cap * sizeof *t);
        if (!t)
            return NULL;
        p->t = t;
        p->cap = cap;
    }
    ipsim_ex_table *t = &p->t[p->nt++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->what, sizeof t->what, "%s", what);
    t->key_column = key;
    t->coords = 1;
    if (s) {
        t->rank = s->rank;
        memcpy(t->labels, s->labels, sizeof t->labels);
        memcpy(t->dims, s->dims, sizeof t->dims);
    }
    for (int i = 0; i < t->rank; i++)
        if (strcmp(t->labels[i], "point") == 0 && p->n_params > 0)
            t->point_params = 1;
    return t;
}

/* Append series s (filled in by the caller) to t; -1 when out of memory. */
static int add_series(ipsim_ex_table *t, const ipsim_ex_series *s)
{
    if (t->ns == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        ipsim_ex_series *v = realloc(t->s, cap * sizeof *v);
        if (!v)
            return -1;
        t->s = v;
        t->cap = cap;
    }
    t->s[t->ns++] = *s;
    return 0;
}

/* Add dataset path as (key, column) to the table called name, made with
 * what/key_column if absent. A series whose dimensions are not among the
 * table's goes to the table name_<dims> instead. 0, or -1 when out of memory. */
static int put(ipsim_ex_plan *p, const char *name, const char *what, const char *key_column,
               const char *path, const char *key, const char *column)
{
    ipsim_ex_series s;
    char alt[IPSIM_EX_NAME_LEN], tag[IPSIM_EX_NAME_LEN];
    memset(&s, 0, sizeof s);
    if (series_info(p->f, path, &s) != 0)
        return 0; /* unreadable: left out */
    snprintf(s.key, sizeof s.key, "%s", key ? key : "");
    snprintf(s.column, sizeof s.column, "%s", column);
    ipsim_ex_table *t = table_by_name(p, name);
    if (t && !fits(t, &s)) {
        dims_tag(&s, tag, sizeof tag);
        if (join(alt, sizeof alt, name, "_", tag) != 0) {
            free(s.long_name);
            return 0; /* a name too long for a file: left out */
        }
        name = alt;
        t = table_by_name(p, name);
    }
    if (!t && !(t = new_table(p, name, what, key_column, &s))) {
        free(s.long_name);
        return -1;
    }
    if (add_series(t, &s) != 0) {
        free(s.long_name);
        return -1;
    }
    return 0;
}

/* ---- generic groups ------------------------------------------------------ */

/* Preferred order of statistic columns: mean and sd first, then each
 * statistic followed by its _ci_low and _ci_high. */
static int stat_rank(const char *a, char *base, size_t len)
{
    size_t n = strlen(a);
    int sfx = 0;
    if (n > 7 && strcmp(a + n - 7, "_ci_low") == 0)
        sfx = 1, n -= 7;
    else if (n > 8 && strcmp(a + n - 8, "_ci_high") == 0)
        sfx = 2, n -= 8;
    snprintf(base, len, "%.*s", (int)n, a);
    return sfx;
}

static int stat_cmp(const void *x, const void *y)
{
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    char ba[IPSIM_EX_NAME_LEN], bb[IPSIM_EX_NAME_LEN];
    int sa = stat_rank(a, ba, sizeof ba), sb = stat_rank(b, bb, sizeof bb);
    int pa = strcmp(ba, "mean") == 0 ? 0 : strcmp(ba, "sd") == 0 ? 1 : 2;
    int pb = strcmp(bb, "mean") == 0 ? 0 : strcmp(bb, "sd") == 0 ? 1 : 2;
    int c = pa != pb ? pa - pb : strcmp(ba, bb);
    return c ? c : sa - sb;
}

static int generic_group(ipsim_ex_plan *p, const char *path, const char *prefix,
                         const char *stat_prefix, int depth);

/* The statistic group path (its datasets are named after outcomes): each
 * dataset is the column stat of key outcome in the table of its dimensions. */
static int stat_group(ipsim_ex_plan *p, const char *path, const char *stat, const char *stat_prefix,
                      char **ds, size_t nd)
{
    char dpath[2 * IPSIM_EX_NAME_LEN + 64], name[2 * IPSIM_EX_NAME_LEN + 8];
    char tag[IPSIM_EX_NAME_LEN], words[IPSIM_EX_NAME_LEN], what[320];
    for (size_t i = 0; i < nd; i++) {
        ipsim_ex_series s;
        memset(&s, 0, sizeof s);
        if (join(dpath, sizeof dpath, path, "/", ds[i]) != 0 || series_info(p->f, dpath, &s) != 0)
            continue;
        free(s.long_name);
        dims_tag(&s, tag, sizeof tag);
        if (join(name, sizeof name, stat_prefix, "_", tag) != 0)
            continue;
        dims_words(&s, words, sizeof words);
        snprintf(what, sizeof what,
                 "one row per %s x outcome: the statistics of /%s over "
                 "these dimensions, one column each",
                 words, stat_prefix);
        if (put(p, name, what, "outcome", dpath, ds[i], stat) != 0)
            return -1;
    }
    return 0;
}

/* Export group path generically: its datasets as wide tables named prefix,
 * its statistic groups into the tables stat_prefix_<dims>, and its other
 * groups recursively (as prefix_<group>). */
static int generic_group(ipsim_ex_plan *p, const char *path, const char *prefix,
                         const char *stat_prefix, int depth)
{
    size_t nd = 0, ng = 0;
    char **ds = members(p->f, path, 0, &nd);
    char **gs = members(p->f, path, 1, &ng);
    char sub[2 * IPSIM_EX_NAME_LEN + 64], subprefix[2 * IPSIM_EX_NAME_LEN + 8];
    char what[320];
    int rc = 0;
    snprintf(what, sizeof what, "the datasets of /%s, one column each", path);
    if (ds && nd > 1)
        qsort(ds, nd, sizeof *ds, stat_cmp);
    for (size_t i = 0; rc == 0 && i < nd; i++) {
        if (join(sub, sizeof sub, path, "/", ds[i]) == 0)
            rc = put(p, prefix, what, NULL, sub, NULL, ds[i]);
    }
    if (gs && ng > 1)
        qsort(gs, ng, sizeof *gs, stat_cmp);
    for (size_t i = 0; rc == 0 && i < ng && depth < IPSIM_EX_MAX_RANK; i++) {
        size_t cd = 0, cg = 0, k;
        if (join(sub, sizeof sub, path, "/", gs[i]) != 0 ||
            join(subprefix, sizeof subprefix, prefix, "_", gs[i]) != 0)
            continue;
        char **cds = members(p->f, sub, 0, &cd);
        char **cgs = members(p->f, sub, 1, &cg);
        for (k = 0; k < cd && is_outcome(p, cds[k]); k++)
            ;
        if (cd > 0 && cg == 0 && k == cd) {
            rc = stat_group(p, sub, gs[i], stat_prefix, cds, cd);
        } else {
            rc = generic_group(p, sub, subprefix, stat_prefix, depth + 1);
        }
        ipsim_h5_free_strings(cds, cd);
        ipsim_h5_free_strings(cgs, cg);
    }
    ipsim_h5_free_strings(ds, nd);
    ipsim_h5_free_strings(gs, ng);
    return rc;
}

/* Every top-level group not in skip, generically. */
static int other_groups(ipsim_ex_plan *p, const char *const *skip, size_t n_skip)
{
    size_t ng = 0;
    char **gs = members(p->f, "/", 1, &ng);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ng; i++)
        if (!in_list(gs[i], skip, n_skip))
            rc = generic_group(p, gs[i], gs[i], gs[i], 0);
    ipsim_h5_free_strings(gs, ng);
    return rc;
}

/* ---- run files ----------------------------------------------------------- */

/* Interventions' columns in the order of a scenario's intervention. */
static int intervention_cmp(const void *x, const void *y)
{
    static const char *const order[] = {"mechanism", "start", "end", "cost_cny"};
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    size_t ia, ib, n = sizeof order / sizeof order[0];
    for (ia = 0; ia < n && strcmp(order[ia], a) != 0; ia++)
        ;
    for (ib = 0; ib < n && strcmp(order[ib], b) != 0; ib++)
        ;
    return ia != ib ? (int)ia - (int)ib : strcmp(a, b);
}

static int plan_run(ipsim_ex_plan *p)
{
    char path[2 * IPSIM_EX_NAME_LEN + 8];
    const char *skip[N_RUN_TABLES];
    for (size_t i = 0; i < N_RUN_TABLES; i++) {
        size_t nd = 0;
        char **ds = members(p->f, run_tables[i].group, 0, &nd);
        skip[i] = run_tables[i].group;
        if (ds && nd > 1 && strcmp(run_tables[i].group, "interventions") == 0)
            qsort(ds, nd, sizeof *ds, intervention_cmp);
        for (size_t k = 0; k < nd; k++) {
            /* an intervention's name is already its coordinate */
            if (strcmp(run_tables[i].group, "interventions") == 0 && strcmp(ds[k], "name") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", run_tables[i].group, ds[k]);
            const char *key = run_tables[i].key ? ds[k] : NULL;
            const char *col = run_tables[i].key ? "value" : ds[k];
            if (put(p, run_tables[i].name, run_tables[i].what, run_tables[i].key, path, key, col) !=
                0) {
                ipsim_h5_free_strings(ds, nd);
                return -1;
            }
            ipsim_ex_table *t = table_by_name(p, run_tables[i].name);
            if (t)
                snprintf(t->group, sizeof t->group, "%s", run_tables[i].group);
        }
        ipsim_h5_free_strings(ds, nd);
    }
    return other_groups(p, skip, N_RUN_TABLES);
}

/* ---- sweep files --------------------------------------------------------- */

/* The design parameters (/design/<name>, one value per point). */
static int sweep_params(ipsim_ex_plan *p)
{
    size_t nd = 0;
    char **ds = members(p->f, "design", 0, &nd);
    char path[2 * IPSIM_EX_NAME_LEN];
    if (nd && !(p->params = calloc(nd, sizeof *p->params))) {
        ipsim_h5_free_strings(ds, nd);
        return -1;
    }
    for (size_t i = 0; i < nd; i++) {
        ipsim_ex_param *q = &p->params[p->n_params];
        ipsim_ex_series s;
        memset(&s, 0, sizeof s);
        snprintf(path, sizeof path, "design/%s", ds[i]);
        if (series_info(p->f, path, &s) != 0 || s.rank != 1)
            continue;
        free(s.long_name);
        snprintf(q->name, sizeof q->name, "%s", ds[i]);
        snprintf(q->column, sizeof q->column, "%s%s",
                 in_list(ds[i], reserved_columns, sizeof reserved_columns / sizeof reserved_columns[0])
                     ? "design_"
                     : "",
                 ds[i]);
        snprintf(q->unit, sizeof q->unit, "%s", s.unit);
        p->n_params++;
    }
    ipsim_h5_free_strings(ds, nd);
    return 0;
}

/* One long table over the datasets of group (key column key). */
static int long_group(ipsim_ex_plan *p, const char *group, const char *name, const char *key,
                      const char *what)
{
    size_t nd = 0;
    char **ds = members(p->f, group, 0, &nd);
    char path[2 * IPSIM_EX_NAME_LEN + 8];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nd; i++) {
        snprintf(path, sizeof path, "%s/%s", group, ds[i]);
        rc = put(p, name, what, key, path, ds[i], "value");
    }
    ipsim_h5_free_strings(ds, nd);
    return rc;
}

static int plan_sweep(ipsim_ex_plan *p)
{
    size_t no = 0;
    char path[2 * IPSIM_EX_NAME_LEN + 8];
    ipsim_ex_series first;
    ipsim_ex_table *t;
    int rc = 0;

    p->outcomes = members(p->f, "outcomes", 0, &no);
    p->n_outcomes = no;
    if (sweep_params(p) != 0)
        return -1;
    memset(&first, 0, sizeof first);
    if (no > 0) {
        snprintf(path, sizeof path, "outcomes/%s", p->outcomes[0]);
        if (series_info(p->f, path, &first) == 0 && first.rank == 2) {
            free(first.long_name);
            /* EMA Workbench: experiments and outcomes, row for row */
            if (!(t = new_table(p, "experiments",
                                "one row per point x replicate (an EMA Workbench experiment): "
                                "the design parameters, cost and run status; outcomes.csv has "
                                "the outcomes of the same rows",
                                NULL, &first)))
                return -1;
            t->ema = 1;
            rc = put(p, "experiments", "", NULL, "cost_cny", NULL, "cost_cny");
            rc = rc ? rc : put(p, "experiments", "", NULL, "units/done", NULL, "done");
            rc = rc ? rc : put(p, "experiments", "", NULL, "units/run_seconds", NULL, "run_seconds");
            for (size_t i = 0; rc == 0 && i < no; i++) {
                snprintf(path, sizeof path, "outcomes/%s", p->outcomes[i]);
                rc = put(p, "outcomes",
                         "the outcomes of the rows of experiments.csv (same order), one column "
                         "per outcome and no other column (EMA Workbench's outcomes)",
                         NULL, path, NULL, p->outcomes[i]);
            }
            if (rc == 0 && (t = table_by_name(p, "outcomes")))
                t->coords = 0;
        }
    }
    rc = rc ? rc
            : long_group(p, "outcomes", "outcomes_long", "outcome",
                         "one row per point x replicate x outcome (long format), with the "
                         "design parameters");
    rc = rc ? rc
            : long_group(p, "outcomes_by_market", "outcomes_by_market", "outcome",
                         "one row per point x replicate x market x outcome: the outcomes "
                         "of each source market");
    rc = rc ? rc
            : long_group(p, "outcomes_by_segment", "outcomes_by_segment", "outcome",
                         "one row per point x replicate x segment x outcome: the outcomes "
                         "of each consumer segment");
    rc = rc ? rc
            : long_group(p, "daily", "daily", "metric",
                         "one row per point x replicate x day x market x segment x metric: "
                         "the daily series kept with keep_daily (join experiments.csv on "
                         "point for the design parameters)");
    if (rc == 0 && (t = table_by_name(p, "daily")))
        t->point_params = 0;
    rc = rc ? rc : generic_group(p, "analysis", "analysis", "analysis", 0);
    return rc ? rc : other_groups(p, sweep_groups, N_SWEEP_GROUPS);
}

/* ---- the plan ------------------------------------------------------------ */

/* "days since YYYY-MM-DD" of /day, else the root attribute start_date. */
static void start_date(ipsim_ex_plan *p)
{
    char units[ATTR_TEXT_LEN];
    static const char since[] = "days since ";
    p->start_date[0] = '\0';
    if (ipsim_h5_exists(p->f, "day")) {
        hid_t ds = H5Dopen2(p->f, "day", H5P_DEFAULT);
        if (ds >= 0 && ipsim_h5_attr_text(ds, "units", units, sizeof units) == 0 &&
            strncmp(units, since, sizeof since - 1) == 0 && strlen(units + sizeof since - 1) >= 10)
            snprintf(p->start_date, sizeof p->start_date, "%.10s", units + sizeof since - 1);
        if (ds >= 0)
            H5Dclose(ds);
    }
    if (!p->start_date[0] && ipsim_h5_attr_text(p->f, "start_date", units, sizeof units) == 0)
        snprintf(p->start_date, sizeof p->start_date, "%.10s", units);
}

static void make_title(ipsim_ex_plan *p)
{
    char name[ATTR_TEXT_LEN] = "", design[64] = "";
    double scale = 0;
    int pts = 0, reps = 0, days = 0;
    ipsim_textbuf b = {0};
    ipsim_h5_attr_value(p->f, "scale", H5T_NATIVE_DOUBLE, &scale);
    ipsim_h5_attr_value(p->f, "days", H5T_NATIVE_INT, &days);
    if (strcmp(p->kind, "sweep") == 0) {
        ipsim_h5_attr_text(p->f, "experiment_name", name, sizeof name);
        ipsim_h5_attr_text(p->f, "design", design, sizeof design);
        ipsim_h5_attr_value(p->f, "points", H5T_NATIVE_INT, &pts);
        ipsim_h5_attr_value(p->f, "replicates", H5T_NATIVE_INT, &reps);
        ipsim_textbuf_printf(&b,
                             "sweep file of experiment %s (%s design, %d points x %d "
                             "replicates, scale %g people per agent, %d days)",
                             name, design, pts, reps, scale, days);
    } else if (strcmp(p->kind, "run") == 0) {
        ipsim_h5_attr_text(p->f, "scenario_name", name, sizeof name);
        ipsim_textbuf_printf(&b, "run file of scenario %s (scale %g people per agent, %d days)", name,
                             scale, days);
    } else {
        ipsim_textbuf_printf(&b, "ipsim %s file", p->kind);
    }
    p->title = b.p;
}

int ipsim__ex_plan_build(hid_t f, ipsim_ex_plan *p, char *err, size_t errlen)
{
    int rc;
    memset(p, 0, sizeof *p);
    p->f = f;
    if (ipsim_h5_attr_text(f, "ipsim_kind", p->kind, sizeof p->kind) != 0)
        snprintf(p->kind, sizeof p->kind, "run");
    start_date(p);
    make_title(p);
    if (strcmp(p->kind, "run") == 0) {
        p->json_dataset = ipsim_h5_exists(f, "scenario") ? "scenario" : NULL;
        p->json_file = "scenario.json";
        rc = plan_run(p);
    } else if (strcmp(p->kind, "sweep") == 0) {
        p->json_dataset = ipsim_h5_exists(f, "experiment") ? "experiment" : NULL;
        p->json_file = "experiment.json";
        rc = plan_sweep(p);
    } else {
        rc = other_groups(p, NULL, 0);
    }
    ipsim_ex_table *t = rc == 0 ? new_table(p, "metadata",
                                            "one row per root attribute of the file: what "
                                            "wrote it, seed, scale, days, version, commit",
                                            NULL, NULL)
                                : NULL;
    if (t)
        t->attrs = 1;
    if (!t || !p->title) {
        ipsim_set_error(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void ipsim__ex_plan_free(ipsim_ex_plan *p)
{
    for (size_t i = 0; i < p->nt; i++) {
        for (size_t k = 0; k < p->t[i].ns; k++)
            free(p->t[i].s[k].long_name);
        free(p->t[i].s);
    }
    free(p->t);
    ipsim_h5_free_strings(p->outcomes, p->n_outcomes);
    free(p->params);
    free(p->title);
    memset(p, 0, sizeof *p);
}

const ipsim_ex_table *ipsim__ex_plan_find(const ipsim_ex_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nt; i++)
        if (strcmp(p->t[i].name, name) == 0)
            return &p->t[i];
    return NULL;
}
