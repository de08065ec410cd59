/*
 * analysis.h - statistics of sweeps (internal to libipsim): paired
 * differences with t intervals, two-level factorial effects (per-replicate
 * contrasts and a pooled blocked regression, Holm-adjusted p-values), Sobol
 * indices (Saltelli/Jansen, second order by Saltelli 2002) with bootstrap
 * intervals and the replicate noise they carry, Morris elementary effects
 * (analysis.c), and the design generators they go with: regular fractional
 * factorials, Latin hypercubes, Saltelli's Sobol-sequence matrices, Morris
 * trajectories (sampling.c).
 *
 * Every function is pure: arrays in, arrays out, no I/O, no globals, so the
 * test suite can feed them synthetic responses. Non-finite responses are
 * skipped where a statistic can do without them (the count n says how many
 * were used); an estimate that cannot be formed is NaN.
 */
#ifndef IPSIM_ANALYSIS_H
#define IPSIM_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

/* An estimate with a two-sided 95% interval [lo, hi] and the standard
 * deviation of the quantity it averages (sd) over n values. */
typedef struct {
    double est, lo, hi, sd;
    int n;
} an_ci;

/* Mean and sample standard deviation of the finite values of x[0..n-1]
 * (stride apart); *used gets their number (may be NULL). */
void ipsim__an_mean_sd(const double *x, int n, size_t stride, double *mean, double *sd, int *used);

/* Mean of the finite values of d[0..n-1] with a Student-t 95% interval
 * (n-1 degrees of freedom; lo = hi = NaN when fewer than 2 values). */
an_ci ipsim__an_t_interval(const double *d, int n);

/* The mean of x[0..R-1], where replicate r ran posterior draw r mod K (R a
 * multiple of K; non-finite values are skipped), with two 95% intervals
 * around the grand mean xbar (est of both):
 *   rep:   replicate noise only, from the pooled within-draw variance
 *          s_w^2 = sum_k sum_j (x_kj - xbar_k)^2 / (n - K), t with n - K df,
 *          half-width t * s_w / sqrt(n) (NaN when no draw has 2 values);
 *   total: replicate noise and parameter uncertainty (law of total
 *          variance: Var(xbar_k) = Var_theta(E[x | theta]) + E_theta[Var(x |
 *          theta)] / m over draws of m replicates), from the spread of the K
 *          draw means, t with K - 1 df, half-width t * sd(xbar_k) / sqrt(K)
 *          (NaN when fewer than 2 draws have values).
 * rep.sd is s_w, total.sd is sd(xbar_k); n counts values resp. draws. */
void ipsim__an_draws(const double *x, int R, int K, an_ci *rep, an_ci *total);

/* Paired difference b - a over the n replicates where both are finite,
 * with a t interval (common random numbers make the pairs). */
an_ci ipsim__an_paired_diff(const double *a, const double *b, int n);

/* Two-level factorial effects. y is [point][replicate] (n_points x n_reps),
 * x is [point][factor] with entries -1 or +1 (n_points x k), orthogonal
 * columns. For each replicate the main effect of factor j is
 *   mean(y | x_j = +1) - mean(y | x_j = -1) = (2 / P) sum_p x_pj y_p
 * (twice the coefficient of x_j in a regression on the -1/+1 columns)
 * and the two-way interaction of j and l is the same contrast on x_pj x_pl
 * (half the difference between the effect of j at l = +1 and at l = -1, in
 * the same units as a main effect); estimates are their means over
 * replicates with t intervals over the replicate contrasts (n_reps - 1
 * degrees of freedom). main is [k], inter is [k][k] (symmetric, diagonal
 * NaN); inter may be NULL. Replicates with a non-finite response are
 * skipped. */
void ipsim__an_factorial(const double *y, const signed char *x, int n_points, int n_reps, int k,
                         an_ci *main, an_ci *inter);

/* The same effects from one regression over every run: blocked OLS
 *   y_pr = block_r + sum_j b_j x_pj [+ sum_{j<l} b_jl x_pj x_pl] + e_pr
 * (replicate as block; the interaction columns only when with_inter, and
 * only then may inter be non-NULL), over the replicates whose every point
 * is finite. Effects are 2 b (the same estimates as ipsim__an_factorial on
 * those replicates); intervals are t intervals with the residual degrees
 * of freedom P R - R - (number of effect columns), pooling the replicate
 * noise and the effects left out of the model. sd gets the residual
 * standard deviation, n the number of runs. p_main [k] and p_inter [k][k]
 * (either may be NULL; diagonal NaN) get the two-sided p-values of the t
 * tests of zero effect. Returns the residual degrees of freedom (<= 0: no
 * interval; estimates are still set when a replicate is complete), or -1
 * when out of memory. */
int ipsim__an_factorial_pooled(const double *y, const signed char *x, int n_points, int n_reps, int k,
                               int with_inter, an_ci *main, an_ci *inter, double *p_main,
                               double *p_inter);

/* Holm's step-down adjustment of the n p-values p (NaN ones are left out
 * of the family and stay NaN) into adj (may be p itself). */
void ipsim__an_holm(const double *p, int n, double *adj);

/* Sobol indices from Saltelli's scheme. fa, fb are the responses at the
 * N rows of A and B, fab is [k][N], the responses at A with column i taken
 * from B, fba (may be NULL) [k][N] those at B with column i taken from A.
 * Responses are centred by m, the mean of fA and fB, and V is the variance
 * of fA and fB pooled (2N - 1 denominator). First order (Saltelli 2010):
 * mean((fB - m) (fABi - fA)) / V; total (Jansen 1999): mean((fA - fABi)^2)
 * / (2 V); both are unchanged when a constant is added to the responses.
 * Second order (Saltelli 2002, with fba and second non-NULL; second is
 * [k][k], symmetric, diagonal NaN): mean((fBAi - m)(fABj - m) - (fA - m)
 * (fB - m)) / V - S_i - S_j. Intervals: percentile bootstrap over the N
 * rows with n_boot resamples (0: none, lo = hi = NaN) drawn from a
 * generator seeded with seed (deterministic); sd is the bootstrap standard
 * deviation. first and total are [k]. Returns 0, or -1 when out of memory
 * or N < 2. */
int ipsim__an_sobol(const double *fa, const double *fb, const double *fab, const double *fba, int N,
                    int k, int n_boot, uint64_t seed, an_ci *first, an_ci *total, an_ci *second);

/* The noise that reaches point means when replicates share random
 * numbers: the residual variance of the two-way layout y[p][r] = point_p +
 * replicate_r + e_pr (y is [point][replicate], n_points x n_reps) over the
 * points whose every replicate is finite. A shift common to every point of
 * a replicate is left out (it moves no difference between points); the
 * variance of a point's replicate mean due to noise is this / n_reps.
 * *df (may be NULL) gets its degrees of freedom (P - 1)(R - 1); NaN when
 * that is below 1. */
double ipsim__an_interaction_var(const double *y, int n_points, int n_reps, int *df);

/* The part of each total index that is replicate noise. y is [point]
 * [replicate] of a Saltelli design (A in points 0..N-1, AB_i in points
 * (2+i)N..(3+i)N-1), v the variance the indices divide by. The Jansen
 * numerator of factor i, mean_q (fA_q - fAB_i,q)^2 / 2 over the replicate
 * means, holds on average the noise mean_q s_q^2 / (2R), where s_q^2 is
 * the variance over replicates of the paired difference y_A,q,r -
 * y_ABi,q,r (paired by replicate, so what common random numbers share
 * cancels as it does in the index); noise[i] is that over v (rows with a
 * non-finite value left out; NaN below 2 replicates). */
void ipsim__an_sobol_total_noise(const double *y, int N, int k, int n_reps, double v, double *noise);

/* Morris screening. x is [point][k] in unit coordinates, y [point]; the
 * points form r trajectories of k+1 points, each step changing exactly one
 * coordinate. Elementary effect = dy / dx of that step. mu_star, mu and
 * sigma ([k]) are the mean absolute, mean and standard deviation of the
 * effects of each factor. */
void ipsim__an_morris(const double *x, const double *y, int r, int k, double *mu_star, double *mu,
                      double *sigma);

/* ---- designs (sampling.c) ---------------------------------------------- */

/* A regular two-level design for k factors (1..30): the full 2^k when
 * resolution is 0, else a 2^(k-p) fraction of at least that resolution
 * (3..), with the fewest runs this construction finds (base factors plus
 * generators chosen greedily and the defining relation checked whole).
 * On success *x is [runs][k] of -1/+1 (caller frees), *runs the number of
 * rows and *achieved the resolution (0 = full factorial). Returns -1 when
 * out of memory or k out of range. Row order: the standard (Yates) order
 * of the base factors. */
int ipsim__an_two_level_design(int k, int resolution, signed char **x, int *runs, int *achieved);

/* n points of a Latin hypercube in [0,1)^k, [point][k], stratified per
 * column, from a generator seeded with seed. */
void ipsim__an_lhs(int n, int k, uint64_t seed, double *out);

/* Saltelli matrices from N points of GSL's 2k-dimensional Sobol sequence
 * (k <= 20), after skipping the first point GSL gives (0.5 in every
 * coordinate; GSL itself already leaves out the all-zero point): out is
 * [(k+2) N][k] in [0,1): A (N rows), B (N rows), then AB_1..AB_k (N rows
 * each, A with column i from B); with second_order also BA_1..BA_k (B with
 * column i from A), [(2k+2) N][k] in all. Returns -1 on bad arguments or
 * out of memory. */
int ipsim__an_saltelli(int N, int k, int second_order, double *out);

/* r Morris trajectories on a grid of `levels` levels (even, >= 2) in
 * [0,1]^k with step delta = levels / (2 (levels - 1)): out is
 * [r (k+1)][k]. Deterministic from seed. */
void ipsim__an_morris_trajectories(int r, int k, int levels, uint64_t seed, double *out);

/* splitmix64: the small deterministic generator used above. */
uint64_t ipsim__an_splitmix64(uint64_t *state);

/* Uniform integer in [0, n) (n >= 1) from ipsim__an_splitmix64. */
int ipsim__an_random_int(uint64_t *state, int n);

#endif /* IPSIM_ANALYSIS_H */
