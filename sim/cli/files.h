/*
 * files.h - the files a command of the `ipsim` program reads and writes:
 * loading a scenario with the --set overrides of the command line, and
 * checking an output path before any work is done.
 */
#ifndef IPSIM_CLI_FILES_H
#define IPSIM_CLI_FILES_H

#include "cli/options.h"
#include "ipsim/ipsim.h"

/* Load the scenario at path and apply o's --set overrides in order. On
 * success *out owns the scenario and 0 is returned; otherwise the error and
 * a hint (to run 'ipsim validate' when hint_validate is set, else to fix
 * the file) are on stderr, *out is untouched, and the exit code is returned. */
int cli_load_scenario(const char *path, const cli_options *o, int hint_validate, ipsim_scenario **out);

/* 0 if a file can be written at path: not a CSV name (CSV comes from 'ipsim
 * export'), nothing there, or a regular file and force (a directory,
 * symlink, FIFO, device or socket is refused, force or not), in an existing
 * directory that takes a new file (tried with a probe file that is removed
 * again). Otherwise the reason is on stderr and the exit
 * code (64, 71 or 73) is returned. */
int cli_check_output_path(const char *path, int force);

/* 0 unless path names a CSV file (ends in .csv, any case): run, sweep,
 * compare and merge write HDF5, and CSV tables come from 'ipsim export'.
 * Otherwise the reason, pointing to 'ipsim export', is on stderr and 64 is
 * returned. */
int cli_refuse_csv_output(const char *path);

#endif /* IPSIM_CLI_FILES_H */
