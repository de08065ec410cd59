/*
 * cal.h - INTERNAL header of the calibrate room: the inside of a
 * calibration (the struct behind ipsim_calibration), priors, targets, the
 * random streams of the ABC-SMC and the functions its files share.
 *
 *   load.c      reads and checks a calibration file (top level, parameters,
 *               priors, algorithm), loads its scenario
 *   targets.c   reads the observed targets and evaluates them on a model
 *   prior.c     prior densities, draws by inverse CDF, descriptions
 *   simulate.c  one particle: scenario with the parameters set, model runs,
 *               target values, distance
 *   abc.c       the ABC-SMC driver (ipsim_calibrate_run)
 *   journal.c   the journal of finished generations (resume)
 *   posterior_file.c  the posterior HDF5 file
 */
#ifndef IPSIM_CAL_H
#define IPSIM_CAL_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "ipsim/calibrate.h"
#include "ipsim/ipsim.h"
#include "scenario/scenario.h"

#define CAL_MAX_PARAMS 20
#define CAL_MAX_TARGETS 500
#define CAL_MAX_PARTICLES 20000
#define CAL_MAX_GENERATIONS 100
#define CAL_MAX_REPLICATES 1000
#define CAL_MAX_SETS 100
#define CAL_NAME_MAX 128
#define CAL_LABEL_MAX 200

#define CAL_DEFAULT_GENERATIONS 8
#define CAL_DEFAULT_QUANTILE 0.5
#define CAL_DEFAULT_MIN_ACCEPTANCE 0.01
#define CAL_DEFAULT_MIN_TOL_CHANGE 0.01
#define CAL_DEFAULT_SEED 1

typedef enum { CAL_UNIFORM = 0, CAL_NORMAL, CAL_LOGNORMAL, CAL_BETA, CAL_N_PRIORS } cal_prior_type;
extern const char *const ipsim__cal_prior_names[CAL_N_PRIORS]; /* prior.c */

/* A prior. uniform: low..high; normal: mean a, sd b, truncated to
 * [low, high] (infinite by default); lognormal: meanlog a, sdlog b on
 * (0, inf); beta: shapes a, b scaled to [low, high] (default 0..1). */
typedef struct {
    cal_prior_type type;
    double a, b, low, high;
    double mass; /* normal: probability of [low, high] under N(a, b) */
} cal_prior;

typedef struct {
    char *path; /* --set path */
    cal_prior prior;
    double scenario_value; /* the scenario's own value */
} cal_param;

typedef enum {
    CAL_T_TOTAL = 0,
    CAL_T_MEAN,
    CAL_T_SHARE,
    CAL_T_PEAK_DATE,
    CAL_T_RATIO,
    CAL_N_TARGET_TYPES
} cal_target_type;
extern const char *const ipsim__cal_target_names[CAL_N_TARGET_TYPES]; /* targets.c */

/* Which daily numbers a target adds up: one metric, a set of markets (all
 * when none is named), one segment or both (-1). */
typedef struct {
    int metric;
    unsigned char market[IPSIM_MAX_MARKETS]; /* 1 = selected */
    char markets_text[CAL_LABEL_MAX];        /* as written, "" = all */
    int segment;
} cal_selector;

typedef struct {
    cal_target_type type;
    char label[CAL_LABEL_MAX];
    cal_selector num, den; /* den: share only */
    int d0, d1;            /* window, recorded day indices, inclusive */
    int e0, e1;            /* ratio: the reference window */
    ipsim_date from, to, from2, to2;
    double value, sd; /* peak_date: days after from */
    char *source;
} cal_target;

typedef struct {
    int particles, generations, replicates, crn;
    double quantile, min_acceptance, min_tol_change, min_tolerance;
    long max_attempts; /* per particle and generation */
    uint64_t seed;
} cal_algorithm;

struct ipsim_calibration {
    char *origin;    /* the file, for messages */
    char *json_text; /* the file's text (stored in the posterior file) */
    char name[CAL_NAME_MAX];
    char *description;
    char *scenario_path;  /* as resolved */
    ipsim_scenario *base; /* scenario with the fixed overrides */
    double scale;         /* 0 = the scenario's */
    int n_params;
    cal_param *params;
    int n_targets;
    cal_target *targets;
    cal_algorithm alg;
    int n_markets, days;
    ipsim_date start;
};

/* ---- prior.c ------------------------------------------------------------ */

/* printf into out (cut to len - 1 bytes): paths built from paths. */
void ipsim__cal_fmt(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Density of x under p (0 outside the support; normalised). */
double ipsim__cal_prior_pdf(const cal_prior *p, double x);
/* The value at probability u in (0, 1) (inverse CDF). */
double ipsim__cal_prior_quantile(const cal_prior *p, double u);
/* "uniform(0, 1)", "normal(0.5, 0.1) on [0, 1]", ... into buf. */
void ipsim__cal_prior_describe(const cal_prior *p, char *buf, size_t len);

/* ---- random streams (prior.c) ------------------------------------------ */

/* Philox4x32 words keyed by the seed, counter (particle, attempt,
 * generation, block): the draws of one proposal depend on nothing else. */
typedef struct {
    uint32_t key[2];
    uint32_t ctr[4];
    uint32_t words[4];
    int used;
} cal_stream;

void ipsim__cal_stream_init(cal_stream *s, uint64_t seed, uint32_t particle, uint32_t attempt,
                            uint32_t generation);
double ipsim__cal_stream_u01(cal_stream *s);    /* in (0, 1) */
double ipsim__cal_stream_normal(cal_stream *s); /* N(0, 1) */
uint32_t ipsim__cal_stream_word(cal_stream *s);

/* ---- targets.c ---------------------------------------------------------- */

/* Messages go through the experiment loader's readers (experiment/
 * plan_build.h: "LABEL: PATH: expected X, found Y"). */
/* Read the observed targets (the array arr; path its JSON path, "" for a
 * file of its own; label names that file in messages) into c, checked
 * against c's scenario (c->n_markets, c->start, c->days must be set). */
ipsim_status ipsim__cal_read_targets(ipsim_calibration *c, const cJSON *arr, const char *path,
                                     const char *label, char *err, size_t errlen);
/* The value of target t in a finished model (NaN when undefined). */
double ipsim__cal_target_value(const cal_target *t, const ipsim_model *m);

/* ---- simulate.c --------------------------------------------------------- */

/* Run the particle theta ([n_params]) for the replicates of generation g
 * (attempt a of particle i: the replicate seeds); values gets the mean over
 * replicates of every target ([n_targets]), *distance the distance to the
 * observations. IPSIM_ERR_DATA when the scenario refuses theta (why says
 * so), IPSIM_ERR_INTERRUPTED when *stop became non-zero. */
ipsim_status ipsim__cal_simulate(const ipsim_calibration *c, const double *theta, int g, int i, int a,
                                 uint64_t seed, volatile int *stop, double *values, double *distance,
                                 char *why, size_t whylen);

/* sqrt(sum(((sim - obs) / sd)^2)); +inf if a value is not finite. */
double ipsim__cal_distance(const ipsim_calibration *c, const double *values);

/* ---- generations (abc.c, journal.c, posterior_file.c) ------------------- */

typedef struct {
    int g;
    double tolerance, acceptance, ess;
    long simulations;
    double *theta;    /* [N][P] */
    double *weight;   /* [N], normalised */
    double *distance; /* [N] */
    double *values;   /* [N][T] simulated targets */
} cal_generation;

int ipsim__cal_generation_alloc(cal_generation *gen, int N, int P, int T);
void ipsim__cal_generation_free(cal_generation *gen);

typedef struct cal_journal cal_journal;

/* Open OUT.journal: create it (O_CREAT|O_EXCL|O_NOFOLLOW; with force a
 * stale one is removed first), or with resume read its generations into
 * *gens (count *n_gens, caller frees each and the array). */
ipsim_status ipsim__cal_journal_open(const ipsim_calibration *c, uint64_t seed, const char *path,
                                     int resume, int force, cal_journal **out, cal_generation **gens,
                                     int *n_gens, char *err, size_t errlen);
/* Append one generation (single write, fsync). */
ipsim_status ipsim__cal_journal_append(cal_journal *j, const cal_generation *gen, char *err,
                                       size_t errlen);
/* Close, and remove the file when remove is set. */
void ipsim__cal_journal_close(cal_journal *j, int remove);

/* What the posterior file records of the run. */
typedef struct {
    uint64_t seed;
    long simulations;
    double wall_seconds;
    const char *stop_reason;
} cal_run_info;

/* Write the posterior file (out.tmp, fsync, rename; without force an
 * existing out is IPSIM_ERR_EXISTS). */
ipsim_status ipsim__cal_write_posterior(const ipsim_calibration *c, const cal_generation *gens,
                                        int n_gens, const cal_run_info *info, const char *out,
                                        int force, char *err, size_t errlen);

/* ---- MPI over particles (mpi_share.c; one rank without IPSIM_HAVE_MPI) -- */

/* This process's rank and the world's size (0 and 1 when MPI is not
 * initialised or not built). */
void ipsim__cal_mpi_world(int *rank, int *size);
/* v as rank 0 has it (every rank calls). */
int ipsim__cal_mpi_bcast_int(int size, int v);
/* After a generation's slots ran (slot i on rank i mod size): give every
 * rank every slot's theta, distance and values, and the summed done and
 * sims, the largest capped, hard status and stop. -1 when out of memory on
 * some rank. */
int ipsim__cal_mpi_share(int rank, int size, int N, int P, int T, cal_generation *out, int *done,
                         long *sims, int *capped, int *hard, volatile int *stop);
/* Give every rank the *n generations rank 0 read back from the journal
 * (allocated on the other ranks). -1 when out of memory on some rank. */
int ipsim__cal_mpi_bcast_generations(int rank, int size, int N, int P, int T, cal_generation **gens,
                                     int *n);

#endif /* IPSIM_CAL_H */
