/*
 * export.h - the parts of the CSV export (internal to libipsim; the public
 * entry points are in include/ipsim/export.h).
 *
 * export_plan.c reads a result file's layout (never its data) into a plan: a
 * list of tables, each a set of series (datasets) over the same dimensions.
 * export_csv.c writes one table of the plan as CSV, reading its datasets then,
 * and writes the README that describes every table. export.c checks the
 * output, writes the files safely and renames them into place.
 *
 * A table has dimensions (labels and sizes, as the datasets' HDF5 dimension
 * labels name them); each row is one index of those dimensions and, when the
 * table has a key column (long format: "outcome", "metric"), one key. Its
 * columns are the coordinates of the dimensions (a point gives its index, name
 * and design parameters; a day its index and date; a market its name...), the
 * key, and the value columns. A series fills one value column for one key; it
 * may span fewer dimensions than the table (it is then repeated).
 */
#ifndef IPSIM_IO_EXPORT_H
#define IPSIM_IO_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include <hdf5.h>

#include "base/textbuf.h"

#define IPSIM_EX_MAX_RANK 8   /* dimensions of a table */
#define IPSIM_EX_NAME_LEN 128 /* a table, column or label name */

/* One dataset that fills a value column (for one key in long tables). */
typedef struct {
    char key[IPSIM_EX_NAME_LEN];           /* row key (outcome or metric name); "" in wide tables */
    char column[IPSIM_EX_NAME_LEN];        /* value column */
    char path[2 * IPSIM_EX_NAME_LEN + 64]; /* the dataset, from the file's root */
    int rank;
    char labels[IPSIM_EX_MAX_RANK][IPSIM_EX_NAME_LEN];
    hsize_t dims[IPSIM_EX_MAX_RANK];
    char unit[IPSIM_EX_NAME_LEN]; /* its units attribute, "" if none */
    char *long_name;              /* its long_name attribute (malloc'd), or NULL */
} ipsim_ex_series;

/* One CSV file. */
typedef struct {
    char name[IPSIM_EX_NAME_LEN];  /* file stem: NAME.csv */
    char what[512];                /* what a row is, for the README and --list */
    const char *key_column;        /* "outcome", "metric", or NULL (wide) */
    char group[IPSIM_EX_NAME_LEN]; /* where group-local dimension scales live */
    int rank;
    char labels[IPSIM_EX_MAX_RANK][IPSIM_EX_NAME_LEN];
    hsize_t dims[IPSIM_EX_MAX_RANK];
    int coords;       /* 1: coordinate columns first (0: EMA outcomes) */
    int point_params; /* the point also gives the design parameters */
    int ema;          /* add EMA's scenario, policy and model columns */
    int attrs;        /* the root attributes as rows (metadata) */
    ipsim_ex_series *s;
    size_t ns, cap;
} ipsim_ex_table;

/* A design parameter of a sweep (a column of every point). */
typedef struct {
    char name[IPSIM_EX_NAME_LEN];       /* in the file */
    char column[IPSIM_EX_NAME_LEN + 8]; /* its column (design_NAME on a clash) */
    char unit[IPSIM_EX_NAME_LEN];
} ipsim_ex_param;

/* What a result file exports. */
typedef struct {
    hid_t f;         /* the open file (read-only) */
    char kind[32];   /* "run", "sweep", or the file's ipsim_kind */
    char *title;     /* one line naming the file's content (malloc'd) */
    char **outcomes; /* names that make a group a statistic group */
    size_t n_outcomes;
    ipsim_ex_param *params;
    size_t n_params;
    char start_date[16];      /* ISO date of day 0 when known, else "" */
    const char *json_dataset; /* "scenario" or "experiment", or NULL */
    const char *json_file;    /* "scenario.json" or "experiment.json" */
    ipsim_ex_table *t;
    size_t nt, cap;
} ipsim_ex_plan;

/* Read the layout of the open file f into *p (zeroed first). 0 on success;
 * -1 when out of memory or the file's layout is unreadable (err says). */
int ipsim__ex_plan_build(hid_t f, ipsim_ex_plan *p, char *err, size_t errlen);

/* Free what the plan owns (not the file). */
void ipsim__ex_plan_free(ipsim_ex_plan *p);

/* The table called name, or NULL. */
const ipsim_ex_table *ipsim__ex_plan_find(const ipsim_ex_plan *p, const char *name);

/* Rows of table t (the data rows, without the header). */
size_t ipsim__ex_table_rows(const ipsim_ex_plan *p, const ipsim_ex_table *t);

/* Write table t of plan p as CSV to out (header and rows). 0 on success, -1
 * on a read or write error or when out of memory (err says which). */
int ipsim__ex_write_table(const ipsim_ex_plan *p, const ipsim_ex_table *t, FILE *out, char *err,
                          size_t errlen);

/* Write the README of the export of src to out: the format, then every table
 * of p whose selected flag is set (selected[i] for p->t[i]; NULL = all),
 * with its rows and columns, and how to read the files. 0 or -1. */
int ipsim__ex_write_readme(const ipsim_ex_plan *p, const char *src, const unsigned char *selected,
                           FILE *out);

/* A double as the shortest text that reads back to the same value ("" for
 * NaN, "inf", "-inf"); buf holds at least 32 bytes. */
void ipsim__ex_format_double(double v, char *buf);

#endif /* IPSIM_IO_EXPORT_H */
