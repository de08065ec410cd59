/*
 * export.h - public API of the CSV export of ipsim result files: tidy tables
 * that a spreadsheet, pandas, R or the EMA Workbench open, made from a run
 * file (`ipsim run`) or a sweep file (`ipsim sweep`, `ipsim compare`). Same
 * conventions as ipsim.h (status returns, err buffers, no printing, no
 * globals).
 *
 * A run file gives daily metrics and the summary in long format (one row per
 * date x market x segment x metric), the assets, the destination series, the
 * interventions and the cells. A sweep file gives the experiments and
 * outcomes tables of the EMA Workbench (one row per point x replicate), the
 * outcomes in long format (one row per point x replicate x outcome, with the
 * design parameters as columns), per market and per segment, the daily
 * series kept with keep_daily, and one table per shape of its /analysis.
 * Every export directory holds a README.txt describing each file and column.
 *
 * Writing is safe: files are created with O_CREAT|O_EXCL|O_NOFOLLOW inside a
 * fresh directory DIR.tmp-<pid> that is renamed to DIR when complete (one
 * file: FILE.tmp-<pid> renamed to FILE), so an export is complete or absent.
 *
 * Threads: reads HDF5, so as for ipsim_output_info (see ipsim.h).
 */
#ifndef IPSIM_EXPORT_H
#define IPSIM_EXPORT_H

#include <stddef.h>

#include "ipsim/ipsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What to export; zero-initialise (or call ipsim_export_options_init). */
typedef struct ipsim_export_options {
    const char *tables; /* comma-separated table names (file stems, e.g.
                           "outcomes,daily"); NULL or "" = every table */
    int force;          /* replace an existing FILE.csv, or a directory that
                           holds only a previous export (CSV, JSON and
                           README.txt files) */
} ipsim_export_options;

/* Every field zero: all tables, no force. */
void ipsim_export_options_init(ipsim_export_options *opt);

/* Export the result file at path to out. When out ends in ".csv" exactly one
 * table is written to that file (opt->tables must name one); otherwise out is
 * a directory, created if absent, that receives the tables, the JSON of the
 * scenario or experiment, and README.txt. A directory that exists must be
 * empty, or hold only a previous export and opt->force be set. On success
 * *report (if not NULL; caller frees) lists the files written with their
 * rows. Statuses: IPSIM_ERR_NOINPUT (path unreadable), IPSIM_ERR_DATA (not
 * an ipsim result file), IPSIM_ERR_USAGE (unknown table, or several tables
 * for one .csv file), IPSIM_ERR_EXISTS (out exists, see above),
 * IPSIM_ERR_CANTCREAT (out cannot be created, or is a symbolic link),
 * IPSIM_ERR_IO (writing failed; nothing is left behind), IPSIM_ERR_NOMEM. */
ipsim_status ipsim_output_export(const char *path, const char *out, const ipsim_export_options *opt,
                                 char **report, char *err, size_t errlen);

/* The tables ipsim_output_export would write for the file at path, one line
 * each: name, rows and what it holds, in *text (caller frees). Statuses as
 * for ipsim_output_export's reading. */
ipsim_status ipsim_output_export_list(const char *path, char **text, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* IPSIM_EXPORT_H */
