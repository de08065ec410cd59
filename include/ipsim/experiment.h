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
 *
 * Returned strings: an experiment's name belongs to it and is valid until
 * it is destroyed; design names are static.
 *
 * Threads: as in ipsim.h. ipsim_sweep_run, ipsim_sweep_run_mpi,
 * ipsim_sweep_merge and ipsim_sweep_report read or write HDF5 files, and
 * Debian's libhdf5 is not thread-safe: at most one of them (or of
 * ipsim_output_write and ipsim_output_info) may run at a time in a process,
 * and not while the program itself calls HDF5. Loading experiments and the
 * accessors may run concurrently (on different handles, or on one handle
 * through its const functions).
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
ipsim_status ipsim_experiment_load(const char *path, ipsim_experiment **out, char *err, size_t errlen);

/* An arms experiment from scenario files: paths[0] is the reference arm,
 * each file one arm named after the scenario. n >= 2. Statuses and err as
 * for ipsim_experiment_load. */
ipsim_status ipsim_experiment_compare(const char *const *paths, int n, ipsim_experiment **out,
                                      char *err, size_t errlen);

/* Run e under a calibration's posterior (the file of ipsim calibrate -o):
 * replicate r of every point sets the posterior's parameters (--set paths,
 * on top of the point's scenario) to the values of draw r mod K, a
 * particle picked by weighted resampling keyed by the seed and the draw;
 * all points share the draw of a replicate, so differences stay paired.
 * draws = K, or 0 for R / 2 when the replicates R are even and >= 4, else
 * R; K must divide R (checked when the sweep starts). The sweep's identity
 * holds the file's fingerprint. IPSIM_ERR_NOINPUT when the file cannot be
 * read, IPSIM_ERR_DATA when it is not a posterior file or a parameter does
 * not apply to a point ("POST.h5: /posterior/parameter[0]: ..."). */
ipsim_status ipsim_experiment_use_posterior(ipsim_experiment *e, const char *path, int draws,
                                            char *err, size_t errlen);

/* Overrides from the command line, written into the experiment before it
 * is read (so the sweep file's /experiment and its identity hold them, and
 * --resume or merge with other overrides is refused):
 *   sets      "PATH=VALUE": added to the experiment's "set" (applied
 *             together to the base scenario and to every arm's scenario
 *             file, before each point's own overrides);
 *   arm_sets  "ARM:PATH=VALUE": added to the "set" of arm ARM of an arms
 *             design (after the arm's own overrides in the file).
 * VALUE is JSON, or a bare word taken as a string (as ipsim_scenario_set). */
typedef struct ipsim_experiment_overrides {
    const char *const *sets;
    int n_sets;
    const char *const *arm_sets;
    int n_arm_sets;
} ipsim_experiment_overrides;

/* ipsim_experiment_load and ipsim_experiment_compare with overrides (ov
 * may be NULL: none). An assignment without '=' or an arm that is not in
 * the design gives IPSIM_ERR_USAGE, err naming it and the arms there are. */
ipsim_status ipsim_experiment_load_with(const char *path, const ipsim_experiment_overrides *ov,
                                        ipsim_experiment **out, char *err, size_t errlen);
ipsim_status
ipsim_experiment_compare_with(const char *const *paths, int n, const ipsim_experiment_overrides *ov,
                              ipsim_experiment **out, char *err, size_t errlen);

/* Free e and everything it owns (its name becomes invalid). NULL: no-op. */
void ipsim_experiment_destroy(ipsim_experiment *e);

/* The experiment's "name"; owned by e, valid until e is destroyed; "" for
 * a NULL e. */
const char *ipsim_experiment_name(const ipsim_experiment *e);
/* "arms", "factorial", "grid", "lhs", "sobol", "morris" or "response" (static; "" for a
 * NULL e). */
const char *ipsim_experiment_design(const ipsim_experiment *e);
/* Points of the design (each a scenario); 0 for a NULL e. */
int ipsim_experiment_points(const ipsim_experiment *e);
/* Replicates asked for by the file (default 10); 0 for a NULL e. */
int ipsim_experiment_replicates(const ipsim_experiment *e);
/* Points whose scenarios were built and checked one by one when e was
 * loaded: all of them, or the first 1000 of a larger design, whose other
 * points were checked per distinct override and are checked one by one
 * when their units run. 0 for a NULL e. */
int ipsim_experiment_points_checked(const ipsim_experiment *e);

/* Progress of a sweep, passed to the progress callback after every unit. */
typedef struct ipsim_sweep_progress {
    int units;      /* units of this sweep (or shard) */
    int done;       /* finished, including those found done when resuming */
    int failed;     /* failed in this invocation */
    double elapsed; /* seconds since this invocation started */
    double eta;     /* estimated seconds left (NaN before the first unit) */
} ipsim_sweep_progress;

/* Return non-zero to stop: units in flight are abandoned, finished ones
 * stay recorded and ipsim_sweep_run returns IPSIM_ERR_INTERRUPTED. */
typedef int (*ipsim_sweep_progress_fn)(void *userdata, const ipsim_sweep_progress *p);

typedef struct ipsim_sweep_options {
    int replicates;          /* 0 = the experiment's */
    double scale;            /* people per agent; 0 = the experiment's, else the scenario's */
    int threads;             /* OpenMP threads inside each run; 0 = default */
    int shard_k, shard_n;    /* run units u with u % shard_n == shard_k - 1; 0/0 = all */
    int resume;              /* continue from OUT.journal instead of refusing */
    int force;               /* replace OUT and any journal */
    double max_memory_bytes; /* per model; 0 = no limit */
    ipsim_sweep_progress_fn progress;
    void *userdata;
    ipsim_log_fn log;
    void *log_userdata;
} ipsim_sweep_options;

/* Set every field of o to its default (all zero: the experiment's
 * replicates and scale, every unit, no resume, no force, no limit, no
 * callbacks). */
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
 * failed (the file is then not written; resume retries them). res (which
 * must not be NULL) is filled in either case. Uses HDF5: not concurrently
 * with other HDF5 use (see Threads above). */
ipsim_status ipsim_sweep_run(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                             ipsim_sweep_result *res, char *err, size_t errlen);

/* The same over MPI_COMM_WORLD (MPI already initialised by the caller; call
 * on every rank). Rank 0 schedules units dynamically to the other ranks,
 * journals and writes OUT; with one rank it is ipsim_sweep_run. Only in
 * builds with IPSIM_HAVE_MPI. Uses HDF5 on rank 0 (see Threads above). */
ipsim_status ipsim_sweep_run_mpi(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                                 ipsim_sweep_result *res, char *err, size_t errlen);

/* Join shard files of one sweep (written with shard K/N) into OUT, which
 * is then identical in its datasets to the unsharded sweep. Fails with
 * IPSIM_ERR_DATA when the shards belong to different sweeps or units are
 * missing; with force == 0 an existing OUT gives IPSIM_ERR_EXISTS. Uses
 * HDF5 (see Threads above). */
ipsim_status ipsim_sweep_merge(const char *out, const char *const *shards, int n, int force, char *err,
                               size_t errlen);

/* The analysis of a sweep file as readable text in *text (caller frees;
 * NULL on failure). IPSIM_ERR_NOINPUT if it cannot be read, IPSIM_ERR_DATA
 * if it is not an ipsim sweep file (a shard or an incomplete sweep gives a
 * report that says so). Uses HDF5 (see Threads above). */
ipsim_status ipsim_sweep_report(const char *path, char **text, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* IPSIM_EXPERIMENT_H */
