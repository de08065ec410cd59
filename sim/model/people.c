/*
 * people.c - how many of the people an agent stands for do something
 * (ODD 4.9, "people counts"; issue 12 item 1, scale convergence).
 *
 * One agent stands for `scale` people who share its state and decisions.
 * Where the ODD lets each of them act independently with the same
 * probability (posting after a trip, community posting), the number who do
 * is Binomial(scale, p) rather than 0 or `scale`: shared stocks then get
 * the right expectation and the right person-level noise at any scale, and
 * scale 1 is the plain Bernoulli draw. A non-integer scale N + f adds one
 * more person with probability f p.
 *
 * Skip-sampling (community posting, community.c) needs the same count
 * conditional on at least one person acting: ipsim__people_some gives the
 * probability of that event under this very sampler (normal-approximation
 * branch included) and ipsim__people_count_pos draws from the sampler's
 * distribution restricted to counts >= 1, by inversion restricted to the
 * uniforms that give a count >= 1.
 */
#include <math.h>
#include <gsl/gsl_cdf.h>
#include "model/state.h"

/* Below this mean the binomial is sampled exactly by inversion of its CDF
 * (at most a few hundred steps); above it by the normal approximation with
 * continuity correction, whose error in any probability is below 1e-2 and
 * far below the agent-level noise at such counts. */
#define EXACT_MEAN 30.0

/* Inversion of the Binomial(n, q) CDF from k, with p = P(k) and cdf the
 * probability summed so far: the smallest k' >= k with target <= cdf
 * (r = q / (1 - q), the ratio P(k+1)/P(k) without its (n-k)/(k+1)). */
static int64_t binomial_walk(int64_t n, double r, int64_t k, double p, double cdf, double target)
{
    while (target > cdf && k < n) {
        p *= r * (double)(n - k) / (double)(k + 1);
        k++;
        cdf += p;
        if (p <= 0)
            break;
    }
    return k;
}

/* Binomial(n, q) at u for q <= 1/2, by inversion or normal approximation. */
static int64_t binomial_low(int64_t n, double q, double u)
{
    double mean = (double)n * q;
    if (mean < EXACT_MEAN) {
        double p = exp((double)n * log1p(-q));
        return binomial_walk(n, q / (1 - q), 0, p, p, u);
    }
    double x = floor(mean + sqrt(mean * (1 - q)) * gsl_cdf_ugaussian_Pinv(u) + 0.5);
    return x < 0 ? 0 : (x > (double)n ? n : (int64_t)x);
}

/* The binomial part of ipsim__people_count: Binomial(n, p) at u, 0 < p. */
static int64_t binomial_part(int64_t n, double p, double u)
{
    if (p >= 1)
        return n;
    if (p <= 0.5)
        return binomial_low(n, p, u);
    return n - binomial_low(n, 1 - p, 1 - u);
}

int64_t ipsim__people_count(double scale, double p, uint32_t w0, uint32_t w1)
{
    if (!(p > 0))
        return 0;
    double n_real = floor(scale);
    int64_t n = (int64_t)n_real;
    int64_t k = binomial_part(n, p, rng_u01(w0));
    if (rng_u01(w1) < (scale - n_real) * (p < 1 ? p : 1))
        k++;
    return k;
}

/* P(binomial_part(n, p, u) = 0) over u (*zero) and its complement (*some),
 * each computed without cancellation, for 0 < p; exact in the inversion
 * branches, the normal approximation's own probability in the others. */
static void binomial_zero(int64_t n, double p, double *zero, double *some)
{
    if (n == 0) {
        *zero = 1, *some = 0;
        return;
    }
    if (p >= 1) {
        *zero = 0, *some = 1;
        return;
    }
    double q = p <= 0.5 ? p : 1 - p, mean = (double)n * q, sd = sqrt(mean * (1 - q));
    if (p <= 0.5 && mean < EXACT_MEAN) { /* (1-p)^n */
        double l = (double)n * log1p(-p);
        *zero = exp(l), *some = -expm1(l);
    } else if (p <= 0.5) { /* floor(mean + sd z + 1/2) <= 0: z < (1/2 - mean)/sd */
        *zero = gsl_cdf_ugaussian_P((0.5 - mean) / sd);
        *some = gsl_cdf_ugaussian_Q((0.5 - mean) / sd);
    } else if (mean < EXACT_MEAN) { /* n - Binomial(n, q) = 0: q^n */
        *zero = exp((double)n * log(q));
        *some = -expm1((double)n * log(q));
    } else { /* floor(mean + sd z + 1/2) >= n: z >= (n - 1/2 - mean)/sd */
        *zero = gsl_cdf_ugaussian_Q(((double)n - 0.5 - mean) / sd);
        *some = gsl_cdf_ugaussian_P(((double)n - 0.5 - mean) / sd);
    }
}

double ipsim__people_some(double scale, double p)
{
    if (!(p > 0))
        return 0;
    double n_real = floor(scale), zero, some;
    binomial_zero((int64_t)n_real, p, &zero, &some);
    double e = (scale - n_real) * (p < 1 ? p : 1); /* the extra person acts */
    return some + zero * e;
}

/* Binomial(n, q) at u given at least one, q <= 1/2, n >= 1, in the
 * inversion branch: the smallest k >= 1 whose CDF above 0 reaches u x
 * P(>= 1), summing the pmf from k = 1 (no cancellation when P(>= 1) is
 * small). */
static int64_t binomial_low_pos(int64_t n, double q, double u)
{
    double l = (double)(n - 1) * log1p(-q);
    double target = u * -expm1(l + log1p(-q));
    double p = (double)n * q * exp(l);
    return binomial_walk(n, q / (1 - q), 1, p, p, target);
}

int64_t ipsim__people_count_pos(double scale, double p, uint32_t w0, uint32_t w1)
{
    if (!(p > 0))
        return 0;
    double n_real = floor(scale), zero, some;
    int64_t n = (int64_t)n_real;
    binomial_zero(n, p, &zero, &some);
    double e = (scale - n_real) * (p < 1 ? p : 1);
    double u = rng_u01(w0);
    /* P(extra person | >= 1) = e / (some + zero e): then the binomial part
     * is unconditional */
    if (rng_u01(w1) * (some + zero * e) < e)
        return binomial_part(n, p, u) + 1;
    /* otherwise the binomial part given >= 1 (some > 0 here) */
    int64_t k;
    double q = p <= 0.5 ? p : 1 - p, mean = (double)n * q;
    if (p >= 1)
        k = n;
    else if (p <= 0.5 && mean < EXACT_MEAN)
        k = binomial_low_pos(n, p, u);
    else if (p <= 0.5) /* u restricted to (zero, 1) */
        k = binomial_low(n, p, zero + u * some);
    else /* 1 - u restricted to (0, some): n - Binomial(n, q) <= n - 1 */
        k = n - binomial_low(n, q, u * some);
    return k < 1 ? 1 : k; /* (rounding at the edge of the restricted range) */
}
