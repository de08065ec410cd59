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
 */
#include <math.h>
#include <gsl/gsl_cdf.h>
#include "model/state.h"

/* Below this mean the binomial is sampled exactly by inversion of its CDF
 * (at most a few hundred steps); above it by the normal approximation with
 * continuity correction, whose error in any probability is below 1e-2 and
 * far below the agent-level noise at such counts. */
#define EXACT_MEAN 30.0

/* Binomial(n, q) at u for q <= 1/2, by inversion or normal approximation. */
static int64_t binomial_low(int64_t n, double q, double u)
{
    double mean = (double)n * q;
    if (mean < EXACT_MEAN) {
        double p = exp((double)n * log1p(-q)), cdf = p, r = q / (1 - q);
        int64_t k = 0;
        while (u > cdf && k < n) {
            p *= r * (double)(n - k) / (double)(k + 1);
            k++;
            cdf += p;
            if (p <= 0)
                break;
        }
        return k;
    }
    double x = floor(mean + sqrt(mean * (1 - q)) * gsl_cdf_ugaussian_Pinv(u) + 0.5);
    return x < 0 ? 0 : (x > (double)n ? n : (int64_t)x);
}

int64_t ipsim__people_count(double scale, double p, uint32_t w0, uint32_t w1)
{
    if (!(p > 0))
        return 0;
    double n_real = floor(scale);
    int64_t n = (int64_t)n_real, k;
    if (p >= 1)
        k = n;
    else if (p <= 0.5)
        k = binomial_low(n, p, rng_u01(w0));
    else
        k = n - binomial_low(n, 1 - p, 1 - rng_u01(w0));
    if (rng_u01(w1) < (scale - n_real) * (p < 1 ? p : 1))
        k++;
    return k;
}
