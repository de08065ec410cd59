/*
 * run_output.h - writing a run file when the caller already holds the
 * output's lock (internal to libipsim; `ipsim run` takes the lock before
 * the model runs, so that a second writer of the same output is refused at
 * once instead of after its whole run).
 */
#ifndef IPSIM_RUN_OUTPUT_H
#define IPSIM_RUN_OUTPUT_H

#include <stddef.h>

#include "ipsim/ipsim.h"

/* As ipsim_output_write, for a caller that holds the lock of path
 * (ipsim__safe_lock in io/safe_file.h) and keeps it. */
ipsim_status ipsim__output_write_locked(const ipsim_model *m, const char *path, int force,
                                        char *err, size_t errlen);

#endif /* IPSIM_RUN_OUTPUT_H */
