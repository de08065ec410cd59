/*
 * calibrate.h - public API of calibrations: fitting scenario parameters to
 * observed figures by approximate Bayesian computation (ABC-SMC).
 *
 * A calibration file (JSON, scenarios/calibrations/README.md) names a
 * scenario, the parameters to fit (each a --set path with a prior), the
 * observed targets (windowed totals, shares, peak dates, ratios, each with
 * a value, a standard deviation and a source) and the algorithm. Running it
 * writes a posterior file (HDF5, ipsim_kind "posterior"): the final
 * population of weighted particles, every generation, the observed targets
 * and their posterior-predictive values. `ipsim info` summarises it.
 *
 * Conventions are those of ipsim.h: statuses, messages naming the file and
 * the JSON path, caller-owned handles with destroy functions, no printing.
 * ipsim_calibrate_run uses HDF5 at its end (see Threads in ipsim.h).
 */
#ifndef IPSIM_CALIBRATE_H
#define IPSIM_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

#include "ipsim/ipsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ipsim_calibration ipsim_calibration;

/* Load and check a calibration file: its keys, priors, targets and
 * algorithm, the scenario it names (path relative to the file), that every
 * parameter path names a number the scenario accepts over the prior's
 * range, and that every target's metric, markets, segment and dates exist
 * in the simulated period. On failure *out is NULL, the status is
 * IPSIM_ERR_NOINPUT or IPSIM_ERR_DATA, and err holds one line such as
 *   cal.json: parameters[1].prior.low: expected a number < high (0.2), found 0.5 */
ipsim_status ipsim_calibration_load(const char *path, ipsim_calibration **out, char *err,
                                    size_t errlen);

/* Free c (NULL: no-op). */
void ipsim_calibration_destroy(ipsim_calibration *c);

/* The calibration's name, its counts (parameters, targets, particles per
 * generation, most generations), parameter i's path and target i's label.
 * Strings belong to c; NULL/0 for a NULL c or an index out of range. */
const char *ipsim_calibration_name(const ipsim_calibration *c);
int ipsim_calibration_parameter_count(const ipsim_calibration *c);
const char *ipsim_calibration_parameter_path(const ipsim_calibration *c, int i);
int ipsim_calibration_target_count(const ipsim_calibration *c);
const char *ipsim_calibration_target_label(const ipsim_calibration *c, int i);
int ipsim_calibration_particles(const ipsim_calibration *c);
int ipsim_calibration_max_generations(const ipsim_calibration *c);

/* Where a calibration is, for a progress callback. */
typedef struct {
    int generation; /* 0 = the prior generation */
    int max_generations;
    int particles_done; /* accepted particles of this generation */
    int particles;
    long simulations; /* model runs of this generation so far */
    double tolerance; /* of this generation (inf for generation 0) */
    double elapsed;   /* seconds since this generation began */
} ipsim_calibrate_progress;

/* Return non-zero to stop: the finished generations stay in the journal
 * and the call returns IPSIM_ERR_INTERRUPTED. Called from one thread at a
 * time. */
typedef int (*ipsim_calibrate_progress_fn)(void *userdata, const ipsim_calibrate_progress *p);

typedef struct {
    int threads;  /* OpenMP threads over particles; 0 = OpenMP default */
    int resume;   /* continue from OUT.journal */
    int force;    /* overwrite OUT, discard a stale journal */
    int seed_set; /* non-zero: seed below instead of the file's */
    uint64_t seed;
    ipsim_log_fn log;
    void *log_userdata;
    ipsim_calibrate_progress_fn progress;
    void *userdata;
} ipsim_calibrate_options;

/* All zero: default threads, no resume, no force, the file's seed. */
void ipsim_calibrate_options_init(ipsim_calibrate_options *o);

typedef struct {
    int generations;                        /* generations in the posterior file */
    int generations_before;                 /* of them, read back from the journal */
    long simulations;                       /* model runs, all generations */
    double wall_seconds;                    /* of this call */
    double tolerance, acceptance_rate, ess; /* of the last generation */
    char stop_reason[160];
} ipsim_calibrate_result;

/* Run the ABC-SMC of c and write the posterior file out (out.tmp, renamed
 * when complete); each finished generation is appended to out.journal
 * (fsync'ed), which o->resume continues after a crash or a kill and which
 * is removed once out is written. Results depend on the seed only, not on
 * the number of threads. IPSIM_ERR_EXISTS when out (or, without resume,
 * the journal) exists and force is not set; IPSIM_ERR_INTERRUPTED when the
 * progress callback asked to stop; IPSIM_ERR_DATA for a journal of another
 * calibration. res (may be NULL) is filled in every case. */
ipsim_status ipsim_calibrate_run(const ipsim_calibration *c, const char *out,
                                 const ipsim_calibrate_options *o, ipsim_calibrate_result *res,
                                 char *err, size_t errlen);

/* The same over MPI_COMM_WORLD (MPI already initialised by the caller;
 * call on every rank): the ranks share the particle slots of each
 * generation (slot i on rank i mod size), so the posterior is the same,
 * bit for bit, at any number of ranks and threads. Rank 0 alone keeps the
 * journal and writes out; every rank returns the same status (err is set
 * on rank 0). Only in builds with IPSIM_HAVE_MPI. */
ipsim_status ipsim_calibrate_run_mpi(const ipsim_calibration *c, const char *out,
                                     const ipsim_calibrate_options *o, ipsim_calibrate_result *res,
                                     char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* IPSIM_CALIBRATE_H */
