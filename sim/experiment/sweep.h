/*
 * sweep.h - the state of a sweep between its units: the journal that makes
 * it resumable (sweep_journal.c), which writes the sweep file
 * (sweep_file.h) when the last unit is done (internal to libipsim; used by
 * the drivers, driver_serial.c and driver_mpi.c); the sweep's identity
 * (sweep_identity.c) and its memory estimate (sweep_memory.c).
 */
#ifndef IPSIM_SWEEP_H
#define IPSIM_SWEEP_H

#include "experiment/plan.h"

typedef struct sw_state sw_state;

enum { SW_TODO = 0, SW_DONE = 1, SW_FAILED = 2 };

/* Check the memory the sweep needs, take OUT.lock, check OUT (a regular
 * file or absent; exists without force?), open or create OUT.journal (a
 * regular file), read the units it holds (truncating a torn last record)
 * after checking its identity. --resume of a complete OUT of the same
 * identity and shard opens a state with every unit done and nothing to
 * write. */
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

/* ---- the identity of a sweep (sweep_identity.c) ------------------------- */

/* What the units of a sweep of e with R replicates at this scale depend on,
 * as compact JSON (malloc'd; NULL when out of memory): ipsim version, model
 * revision, replicates, scale, seed, days, numbers per unit, the
 * experiment and the resolved scenarios its points start from. e's
 * scenarios must be loaded (ipsim__xp_prepare). */
char *ipsim__sw_identity(const ipsim_experiment *e, int R, double scale, size_t nv);

/* The fingerprint: a 64-bit FNV-1a hash of an identity text. */
uint64_t ipsim__sw_identity_hash(const char *text);

/* The first difference between identities a and b, into msg: "replicates
 * 3 IN_A, 5 IN_B", "the experiment: PATH ...", or, for scenarios, the first
 * point whose resolved scenario differs: "point 0 'ref':
 * destination.digital_fluency 0.2 in the journal, 0.25 now" (e gives the
 * points and their overrides; NULL names the scenario that differs). */
void ipsim__sw_identity_diff(const ipsim_experiment *e, const char *a, const char *b, const char *in_a,
                             const char *in_b, char *msg, size_t len);

/* ---- memory (sweep_memory.c) -------------------------------------------- */

/* The memory of a sweep, in bytes. */
typedef struct {
    double units;         /* units of the whole sweep (every shard keeps them all) */
    double unit_bytes;    /* numbers of one unit */
    double kept;          /* every unit's numbers, state and time, kept until written */
    double file;          /* the sweep file, built in memory */
    double write_buffers; /* the largest buffer while writing, and the analysis */
    double model;         /* one model (while units run) */
    double total;         /* kept + the larger of writing (2 x file + buffers) and model */
} sw_memory;

/* Estimate what a sweep of e with R replicates and options o needs. */
void ipsim__sw_memory_estimate(const ipsim_experiment *e, int R, const ipsim_sweep_options *o,
                               sw_memory *m);

/* IPSIM_ERR_NOMEM, with the estimate in err ("WHAT: the sweep needs about
 * ..."), when it is over o->max_memory_bytes (if set) or over the memory
 * available now (MemAvailable); else IPSIM_OK. copies: sweep files whose
 * units are in memory at once (1; 2 while merging). */
ipsim_status ipsim__sw_check_memory(const ipsim_experiment *e, int R, const ipsim_sweep_options *o,
                                    int copies, const char *what, char *err, size_t errlen);

#endif /* IPSIM_SWEEP_H */
