/*
 * experiment.h - public API of ipsim experiments: many runs of a scenario
 * arranged by a design (arms, factorial, grid, lhs, sobol, morris), with
 * common random numbers across points, analysed and written to one HDF5
 * "sweep" file; resumable after a crash, shardable, and distributable over
 * MPI ranks. Same conventions as ipsim.h (status returns, err buffers,
 * destroy(NULL) no-op, no printing, no globals).
 *
 * A unit of work is one (point, replicate) run. Replicate r of every point
 * runs with the experiment's seed and ipsim_run_options.replicate = r, so
 * differences between points are paired.
 */
#ifndef IPSIM_EXPERIMENT_H
#define IPSIM_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "ipsim/ipsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ipsim_experiment ipsim_experiment;

/* Load and validate an experiment file, its base scenario and the scenario
 * of every point (overrides applied). On failure *out is NULL and err says
 * "FILE: json.path: expected X, found Y"; IPSIM_ERR_NOINPUT for a missing
 * file, IPSIM_ERR_DATA for invalid content. */
ipsim_status ipsim_experiment_load(const char *path, ipsim_experiment **out, char *err,
                                   size_t errlen);

/* An arms experiment from scenario files: paths[0] is the reference arm,
 * each file one arm named after the scenario. n >= 2. */
ipsim_status ipsim_experiment_compare(const char *const *paths, int n, ipsim_experiment **out,
                                      char *err, size_t errlen);

void ipsim_experiment_destroy(ipsim_experiment *e);

const char *ipsim_experiment_name(const ipsim_experiment *e);
/* "arms", "factorial", "grid", "lhs", "sobol" or "morris". */
const char *ipsim_experiment_design(const ipsim_experiment *e);
int ipsim_experiment_points(const ipsim_experiment *e);
/* Replicates asked for by the file (default 10). */
int ipsim_experiment_replicates(const ipsim_experiment *e);

/* Progress of a sweep, passed to the progress callback after every unit. */
typedef struct ipsim_sweep_progress {
    int units;          /* units of this sweep (or shard) */
    int done;           /* finished, including those found done when resuming */
    int failed;         /* failed in this invocation */
    double elapsed;     /* seconds since this invocation started */
    double eta;         /* estimated seconds left (NaN before the first unit) */
} ipsim_sweep_progress;

/* Return non-zero to stop: units in flight are abandoned, finished ones
 * stay recorded and ipsim_sweep_run returns IPSIM_ERR_INTERRUPTED. */
typedef int (*ipsim_sweep_progress_fn)(void *userdata, const ipsim_sweep_progress *p);

typedef struct ipsim_sweep_options {
    int replicates;      /* 0 = the experiment's */
    double scale;        /* people per agent; 0 = the experiment's, else the scenario's */
    int threads;         /* OpenMP threads inside each run; 0 = default */
    int shard_k, shard_n;/* run units u with u % shard_n == shard_k - 1; 0/0 = all */
    int resume;          /* continue from OUT.journal instead of refusing */
    int force;           /* replace OUT and any journal */
    double max_memory_bytes; /* per model; 0 = no limit */
    ipsim_sweep_progress_fn progress;
    void *userdata;
    ipsim_log_fn log;
    void *log_userdata;
} ipsim_sweep_options;

void ipsim_sweep_options_init(ipsim_sweep_options *o);

/* What a sweep did. */
typedef struct ipsim_sweep_result {
    int units;           /* units of this sweep (or shard) */
    int done_before;     /* found finished in the journal (resume) */
    int done;            /* finished in total */
    int failed;          /* failed in this invocation (retried by --resume) */
    int left;            /* neither done nor failed (interrupted) */
    double wall_seconds; /* this invocation */
    double run_seconds;  /* sum of the model times (create + run) of its units */
} ipsim_sweep_result;

/* Run every unit of the experiment (or of one shard) and write OUT.
 * Progress is journalled in OUT.journal (fsync'ed after every unit): a
 * sweep killed at any moment loses only the units in flight, and with
 * resume set continues where it stopped; the journal is removed once OUT
 * is complete. The file's datasets depend only on the experiment and the
 * options (not on interruptions, shards or ranks). Without force an
 * existing OUT gives IPSIM_ERR_EXISTS, and an existing journal without
 * resume IPSIM_ERR_EXISTS too. IPSIM_ERR_INTERRUPTED when stopped through
 * the progress callback; IPSIM_ERR_INTERNAL-class statuses when units
 * failed (the file is then not written; resume retries them). */
ipsim_status ipsim_sweep_run(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                             ipsim_sweep_result *res, char *err, size_t errlen);

/* The same over MPI_COMM_WORLD (MPI already initialised by the caller; call
 * on every rank). Rank 0 schedules units dynamically to the other ranks,
 * journals and writes OUT; with one rank it is ipsim_sweep_run. Only in
 * builds with IPSIM_HAVE_MPI. */
ipsim_status ipsim_sweep_run_mpi(ipsim_experiment *e, const char *out,
                                 const ipsim_sweep_options *o, ipsim_sweep_result *res,
                                 char *err, size_t errlen);

/* Join shard files of one sweep (written with shard K/N) into OUT, which
 * is then identical in its datasets to the unsharded sweep. Fails with
 * IPSIM_ERR_DATA when the shards belong to different sweeps or units are
 * missing. */
ipsim_status ipsim_sweep_merge(const char *out, const char *const *shards, int n, int force,
                               char *err, size_t errlen);

/* The analysis of a sweep file as readable text (caller frees). */
ipsim_status ipsim_sweep_report(const char *path, char **text, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* IPSIM_EXPERIMENT_H */
