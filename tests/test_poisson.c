/*
 * test_poisson.c - an agent's impressions today (ODD 7.3, 4.9): the
 * Poisson(lambda) inversion read from the cell's daily CDF table
 * (exposure.c) gives exactly the count of the inversion's recurrence,
 * n = the smallest n with u <= F(n), F(n) = F(n-1) + P(n),
 * P(n) = P(n-1) lambda / n, P(0) = F(0) = exp(-lambda), stopping at
 * MAX_IMPRESSIONS or where P(n) underflows to 0:
 *
 *   - for lambdas from 0 to 300 (counts well beyond the table's
 *     POISSON_TABLE entries) and N_U uniforms spread over (0, 1) plus the
 *     edges (each F(n) itself, its neighbours, the largest u below 1, and
 *     1 itself, where the table stops once F(n) reaches 1), the count
 *     equals the recurrence's.
 * Label unit (well under a second).
 */
#include <math.h>
#include <stdio.h>
#include "model/state.h"
#include "harness.h"

#define N_U 20000

/* The recurrence alone (the ODD's definition). */
static int reference(double target, double lambda, double p0)
{
    int n = 0;
    double p = p0, cdf = p0;
    while (target > cdf && n < MAX_IMPRESSIONS) {
        n++;
        p *= lambda / n;
        cdf += p;
        if (p <= 0)
            break;
    }
    return n;
}

int main(void)
{
    const double lambdas[] = {0, 1e-9, 1e-4, 0.003, 0.03, 0.2, 1, 2.5, 7, 15, 40, 120, 300};
    for (size_t t = 0; t < sizeof lambdas / sizeof lambdas[0]; t++) {
        cell_day c = {0};
        c.lambda = lambdas[t];
        c.p0 = exp(-c.lambda);
        ipsim__exposure_poisson_table(&c);
        long bad = 0, checked = 0, beyond = 0;
        for (int j = 0; j <= N_U + 3 * POISSON_TABLE + 1; j++) {
            double u;
            if (j < N_U)
                u = (j + 0.5) / N_U;
            else if (j < N_U + 3 * POISSON_TABLE) {
                int k = (j - N_U) / 3, side = (j - N_U) % 3;
                double f = c.pois_cdf[k < c.pois_n ? k : c.pois_n - 1];
                u = side == 0 ? f : side == 1 ? nextafter(f, 0) : nextafter(f, 1);
                u = fmin(u, 1.0); /* the domain: a uniform is never above 1 */
            } else
                u = nextafter(1.0, 0);
            int want = u <= c.p0 ? 0 : reference(u, c.lambda, c.p0);
            int got = ipsim__exposure_count(&c, u);
            bad += got != want;
            beyond += want >= POISSON_TABLE;
            checked++;
        }
        CHECK(bad == 0, "lambda = %g: %ld counts equal the recurrence's (%ld beyond the table)",
              c.lambda, checked, beyond);
    }
    return harness_summary();
}
