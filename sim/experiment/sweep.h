/*
 * sweep.h - the state of a sweep between its units: the journal that makes
 * it resumable (sweep_journal.c), which writes the sweep file
 * (sweep_file.h) when the last unit is done (internal to libipsim; used by
 * the drivers, driver_serial.c and driver_mpi.c).
 */
#ifndef IPSIM_SWEEP_H
#define IPSIM_SWEEP_H

#include "experiment/plan.h"

typedef struct sw_state sw_state;

enum { SW_TODO = 0, SW_DONE = 1, SW_FAILED = 2 };

/* Check OUT (exists without force?), open or create OUT.journal, read the
 * units it holds (truncating a torn last record). */
ipsim_status ipsim__sw_open(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                     sw_state **s, char *err, size_t errlen);

/* Units of the sweep (all shards), replicates, numbers per unit. */
int ipsim__sw_units(const sw_state *s);
int ipsim__sw_replicates(const sw_state *s);
size_t ipsim__sw_values(const sw_state *s);
/* Units of this shard, and how many of them are done. */
int ipsim__sw_shard_units(const sw_state *s);
int ipsim__sw_done(const sw_state *s);
/* Failed records found in the journal and not done since. */
int ipsim__sw_failed_before(const sw_state *s);

/* The next unit of this shard that is not done, from *cursor on; -1 when
 * none. */
int ipsim__sw_next(const sw_state *s, int *cursor);

/* Record a unit's result (SW_DONE with values, or SW_FAILED) in memory and
 * in the journal, fsync'ed. */
ipsim_status ipsim__sw_record(sw_state *s, int unit, int state, double seconds, const double *values,
                       char *err, size_t errlen);

/* When every unit of the shard is done: write OUT (with the analysis when
 * it is the whole sweep) and remove the journal. Fills res. */
ipsim_status ipsim__sw_finish(sw_state *s, double wall, ipsim_sweep_result *res, char *err,
                       size_t errlen);

void ipsim__sw_close(sw_state *s);

/* ---- small file helpers shared with the sweep file writer --------------- */

/* a followed by b, malloc'd; NULL when out of memory. */
char *ipsim__sw_cat(const char *a, const char *b);

/* Write all n bytes to fd (retrying short writes); 0 or -1 with errno. */
int ipsim__sw_write_all(int fd, const void *buf, size_t n);

/* Best effort: fsync the directory holding path, so that a file created,
 * renamed or removed there stays so after a crash. */
void ipsim__sw_sync_parent(const char *path);

#endif /* IPSIM_SWEEP_H */
