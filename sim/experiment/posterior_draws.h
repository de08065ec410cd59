/*
 * posterior_draws.h - INTERNAL: a calibration's posterior carried into a
 * sweep (posterior_draws.c). `ipsim sweep|compare --posterior POST.h5
 * [--draws K]` runs replicate r of every point with the parameter values of
 * posterior draw r mod K; draw k is particle j of the posterior picked by
 * weighted resampling keyed by (the sweep's seed, k), so every point of a
 * replicate runs the same draw and pairs stay paired.
 */
#ifndef IPSIM_POSTERIOR_DRAWS_H
#define IPSIM_POSTERIOR_DRAWS_H

#include <stdint.h>

#include "experiment/plan.h"

/* The posterior a sweep draws from. */
typedef struct xp_posterior {
    char *path;           /* as given, for messages and /posterior_draws/source */
    char fingerprint[17]; /* FNV-1a 64 of the file's bytes, hex */
    int n_params;
    char **param; /* --set paths */
    int n_particles;
    double *samples; /* [particle][param] */
    double *weight;  /* [particle], sum 1 */
    int draws;       /* --draws K asked for; 0 = the default for R */
    int *fixed;      /* rebuilt from a sweep's identity (merge): samples holds
                      * the K draws themselves and fixed[k] the particle draw
                      * k was in the posterior file; NULL otherwise */
} xp_posterior;

/* Free p (NULL: no-op). */
void ipsim__xp_post_free(xp_posterior *p);

/* Read the posterior file path (ipsim calibrate -o) into *out (free with
 * ipsim__xp_post_free): its parameter paths, particles and weights, and the
 * file's fingerprint; draws is kept as given. IPSIM_ERR_NOINPUT when the
 * file cannot be read, IPSIM_ERR_DATA when it is not a posterior file. */
ipsim_status ipsim__xp_post_load(const char *path, int draws, xp_posterior **out, char *err,
                                 size_t errlen);

/* Distinct draws of a sweep of R replicates: the --draws asked for, else
 * R / 2 when R is even and at least 4 (two replicates per draw), else R. */
int ipsim__xp_post_draws(const xp_posterior *p, int R);

/* IPSIM_ERR_USAGE with a message when K does not divide R (every draw must
 * get the same number of replicates), else IPSIM_OK. */
ipsim_status ipsim__xp_post_check(const ipsim_experiment *e, int R, char *err, size_t errlen);

/* The posterior particle of draw k (weighted resampling keyed by seed and
 * k). */
int ipsim__xp_post_particle(const xp_posterior *p, uint64_t seed, int k);

/* The particle number of draw k in the posterior file (for the sweep file). */
int ipsim__xp_post_particle_number(const xp_posterior *p, uint64_t seed, int k);

/* Rebuild e->post from the "posterior" of a sweep identity (merge; nothing
 * when the identity has none). IPSIM_ERR_DATA when it is not valid. */
ipsim_status ipsim__xp_post_from_identity(ipsim_experiment *e, const char *identity, char *err,
                                          size_t errlen);

/* The particle replicate r of a sweep with R replicates runs with. */
int ipsim__xp_post_particle_of(const ipsim_experiment *e, int R, int r);

/* Set the parameters of the given particle on sc (as --set PATH=VALUE);
 * err names the parameter and the point. */
ipsim_status ipsim__xp_post_apply(const ipsim_experiment *e, int particle, ipsim_scenario *sc,
                                  const char *point, char *err, size_t errlen);

#endif /* IPSIM_POSTERIOR_DRAWS_H */
