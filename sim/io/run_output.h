/*
 * run_output.h - what `ipsim run` needs of the run writer beyond the
 * public ipsim_output_write (internal to libipsim): writing when the
 * caller already holds the output's lock (taken before the model runs, so
 * that a second writer of the same output is refused at once instead of
 * after its whole run), and the /scenario a run file will hold (checked
 * before the run, so that a run whose file could not reproduce it is
 * refused up front).
 */
#ifndef IPSIM_RUN_OUTPUT_H
#define IPSIM_RUN_OUTPUT_H

#include <stddef.h>

#include "ipsim/ipsim.h"

/* As ipsim_output_write, for a caller that holds the lock of path
 * (ipsim__safe_lock in io/safe_file.h) and keeps it. */
ipsim_status ipsim__output_write_locked(const ipsim_model *m, const char *path, int force, char *err,
                                        size_t errlen);

/* The resolved scenario of m as JSON (malloc'd into *json) with the run's
 * effective seed, scale and days written in, as the run file's /scenario:
 * running it (with the replicate of the run) reproduces the run exactly.
 * IPSIM_ERR_DATA (err names the assignment) when those values do not form
 * a valid scenario, IPSIM_ERR_NOMEM when out of memory; *json is NULL on
 * failure. */
ipsim_status ipsim__run_scenario_json(const ipsim_model *m, char **json, char *err, size_t errlen);

#endif /* IPSIM_RUN_OUTPUT_H */
