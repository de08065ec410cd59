/*
 * test_attitude_q.c - an agent's attitude stored after its impressions
 * (ODD 7.3, exposure.h): attitude_q(a), the kernel's branch-free form,
 * gives the very 16-bit value of its definition
 * round_u16(clamp01(a) * ATTITUDE_Q) (lround of the clamped value, 0 for
 * NaN):
 *
 *   - for every stored value k / ATTITUDE_Q and its two neighbouring
 *     doubles, every rounding edge (k + 1/2) / ATTITUDE_Q and its two
 *     neighbours, N_GRID points across [-0.25, 1.25], and the special
 *     values (+-0, +-infinity, NaN, the largest double below 1/2 over
 *     ATTITUDE_Q, the smallest subnormal, the extremes of double);
 *   - a stored attitude reads back as q / ATTITUDE_Q (attitude_value,
 *     state.h) for all 65536 q, and so does its FMA form, checked with
 *     libm's fma in any build, whose first product alone is off for some q.
 * Label unit (well under a second).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include "model/exposure.h"
#include "harness.h"

#define N_GRID 2000000

static long bad, checked;

/* attitude_q against its definition at a. */
static void check_at(double a)
{
    uint16_t want = round_u16(clamp01(a) * ATTITUDE_Q), got = attitude_q(a);
    if (got != want && bad < 5)
        printf("# a = %.17g: attitude_q %u, definition %u\n", a, (unsigned)got, (unsigned)want);
    bad += got != want;
    checked++;
}

/* a and its two neighbouring doubles. */
static void check_around(double a)
{
    check_at(nextafter(a, -INFINITY));
    check_at(a);
    check_at(nextafter(a, INFINITY));
}

int main(void)
{
    for (int k = 0; k <= 65535; k++) {
        check_around(k / ATTITUDE_Q);
        check_around((k + 0.5) / ATTITUDE_Q);
    }
    for (long j = 0; j <= N_GRID; j++)
        check_at(-0.25 + 1.5 * (double)j / N_GRID);
    const double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, -NAN, nextafter(0.5, 0) / ATTITUDE_Q,
                              0.5 / ATTITUDE_Q, 4.9406564584124654e-324, DBL_MIN, DBL_MAX, -DBL_MAX, 1.0, -1.0};
    for (size_t j = 0; j < sizeof special / sizeof special[0]; j++)
        check_around(special[j]);
    CHECK(bad == 0, "attitude_q equals round_u16(clamp01(a) * ATTITUDE_Q) at %ld values (%ld differ)", checked,
          bad);

    /* reading a stored attitude: attitude_value(q) is q / ATTITUDE_Q; the
     * FMA form (one product and one correction by the exact remainder) is
     * checked here with libm's fma, whatever this build's CPU level, and
     * its first product alone is not (it is off for some q) */
    long value_bad = 0, form_bad = 0, product_off = 0;
    const double r = 1.0 / ATTITUDE_Q;
    for (long q = 0; q <= 65535; q++) {
        double want = (double)q / ATTITUDE_Q, d = (double)q, x = d * r;
        value_bad += attitude_value((uint16_t)q) != want;
        form_bad += fma(fma(-x, ATTITUDE_Q, d), r, x) != want;
        product_off += x != want;
    }
    CHECK(value_bad == 0, "attitude_value(q) = q / ATTITUDE_Q for all 65536 q (%ld differ)", value_bad);
    CHECK(form_bad == 0, "the FMA form q R + (q - q R ATTITUDE_Q) R is the quotient for all 65536 q (%ld differ)",
          form_bad);
    CHECK(product_off > 0, "the product q R alone is not (%ld of 65536 q differ): the correction is needed",
          product_off);
    return harness_summary();
}
