/*
 * test_analysis.c - unit tests of the sweep statistics (sim/analysis.c) on
 * synthetic responses: no model runs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/analysis.h"
#include "harness.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double gauss(uint64_t *st)
{
    double u1 = ((double)(ipsim__an_splitmix64(st) >> 11) + 0.5) * 0x1.0p-53;
    double u2 = (double)(ipsim__an_splitmix64(st) >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* A synthetic linear model with one interaction and noise on a full 2^4
 * design: main effects 2b_j, interaction 2b_12. */
static void test_factorial_full(void)
{
    signed char *x = NULL;
    int runs = 0, res = -1, k = 4, R = 20;
    const double b[4] = {3.0, -2.0, 0.5, 0.0}, b12 = 1.5, b34 = 0.0;
    CHECK(ipsim__an_two_level_design(k, 0, &x, &runs, &res) == 0, "design");
    CHECK(runs == 16 && res == 0, "full 2^4 has 16 runs, got %d", runs);
    double *y = malloc(sizeof *y * (size_t)runs * R);
    uint64_t st = 42;
    for (int p = 0; p < runs; p++)
        for (int r = 0; r < R; r++) {
            const signed char *xp = x + p * k;
            double v = 10.0 + b12 * xp[0] * xp[1] + b34 * xp[2] * xp[3] + gauss(&st);
            for (int j = 0; j < k; j++)
                v += b[j] * xp[j];
            y[p * R + r] = v;
        }
    an_ci main[4], inter[16];
    ipsim__an_factorial(y, x, runs, R, k, main, inter);
    int covered = 0, total = 0;
    for (int j = 0; j < k; j++) {
        CHECK(fabs(main[j].est - 2 * b[j]) < 0.4, "main %d: %g vs %g", j, main[j].est, 2 * b[j]);
        CHECK(main[j].lo < main[j].est && main[j].est < main[j].hi, "CI around estimate");
        covered += main[j].lo <= 2 * b[j] && 2 * b[j] <= main[j].hi;
        total++;
        for (int l = j + 1; l < k; l++) {
            double truth = (j == 0 && l == 1) ? 2 * b12 : 0.0;
            CHECK(fabs(inter[j * k + l].est - truth) < 0.4, "interaction %d%d: %g vs %g", j, l,
                  inter[j * k + l].est, truth);
            CHECK(inter[j * k + l].est == inter[l * k + j].est, "symmetric");
            covered += inter[j * k + l].lo <= truth && truth <= inter[j * k + l].hi;
            total++;
        }
        CHECK(isnan(inter[j * k + j].est), "diagonal NaN");
    }
    CHECK(covered >= total - 2, "95%% CIs cover the truth: %d of %d", covered, total);
    /* The interaction 1x2 is clearly non-zero, 3x4 is not. */
    CHECK(inter[0 * k + 1].lo > 0, "interaction 12 significant");
    free(x);
    free(y);
}

/* Regular fractions: orthogonal columns, the resolution asked for. */
static void test_fractional(void)
{
    struct { int k, res, runs_max; } cases[] = {{7, 3, 8}, {6, 4, 16}, {6, 5, 32}, {5, 3, 8},
                                                {8, 4, 16}, {3, 3, 4}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        signed char *x = NULL;
        int runs = 0, res = 0, k = cases[c].k;
        CHECK(ipsim__an_two_level_design(k, cases[c].res, &x, &runs, &res) == 0, "design");
        CHECK(runs <= cases[c].runs_max, "k=%d res %d: %d runs > %d", k, cases[c].res, runs,
              cases[c].runs_max);
        CHECK(res >= cases[c].res, "k=%d: resolution %d < %d", k, res, cases[c].res);
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) {
                int s = 0;
                for (int p = 0; p < runs; p++)
                    s += x[p * k + i] * x[p * k + j];
                CHECK(s == (i == j ? runs : 0), "k=%d columns %d,%d not orthogonal", k, i, j);
            }
        /* main effects of a linear response are recovered exactly */
        double *y = malloc(sizeof *y * (size_t)runs);
        for (int p = 0; p < runs; p++) {
            y[p] = 1.0;
            for (int j = 0; j < k; j++)
                y[p] += (j + 1) * x[p * k + j];
        }
        an_ci *m = malloc(sizeof *m * (size_t)k);
        ipsim__an_factorial(y, x, runs, 1, k, m, NULL);
        for (int j = 0; j < k; j++)
            CHECK(fabs(m[j].est - 2.0 * (j + 1)) < 1e-9, "fraction main %d: %g", j, m[j].est);
        free(m);
        free(y);
        free(x);
    }
}

static double ishigami(const double *u)
{
    double x1 = -M_PI + 2 * M_PI * u[0], x2 = -M_PI + 2 * M_PI * u[1], x3 = -M_PI + 2 * M_PI * u[2];
    return sin(x1) + 7.0 * sin(x2) * sin(x2) + 0.1 * pow(x3, 4) * sin(x1);
}

static void test_sobol_ishigami(void)
{
    const int N = 4096, k = 3;
    double *u = malloc(sizeof *u * (size_t)(k + 2) * N * k);
    double *f = malloc(sizeof *f * (size_t)(k + 2) * N);
    CHECK(ipsim__an_saltelli(N, k, u) == 0, "saltelli");
    for (int i = 0; i < (k + 2) * N; i++)
        f[i] = ishigami(u + (size_t)i * k);
    an_ci first[3], total[3];
    CHECK(ipsim__an_sobol(f, f + N, f + 2 * N, N, k, 300, 7, first, total) == 0, "sobol");
    const double s1[3] = {0.3139, 0.4424, 0.0}, st[3] = {0.5576, 0.4424, 0.2437};
    for (int j = 0; j < k; j++) {
        CHECK(fabs(first[j].est - s1[j]) < 0.04, "S%d = %.4f, expected %.4f", j + 1, first[j].est,
              s1[j]);
        CHECK(fabs(total[j].est - st[j]) < 0.04, "ST%d = %.4f, expected %.4f", j + 1, total[j].est,
              st[j]);
        CHECK(first[j].lo <= first[j].hi && total[j].lo <= total[j].hi, "bootstrap CI ordered");
        CHECK(total[j].hi - total[j].lo < 0.2, "bootstrap CI of ST%d narrow", j + 1);
        printf("ishigami S%d %.4f [%.4f, %.4f]  ST%d %.4f [%.4f, %.4f]\n", j + 1, first[j].est,
               first[j].lo, first[j].hi, j + 1, total[j].est, total[j].lo, total[j].hi);
    }
    /* deterministic */
    an_ci first2[3], total2[3];
    ipsim__an_sobol(f, f + N, f + 2 * N, N, k, 300, 7, first2, total2);
    for (int j = 0; j < k; j++)
        CHECK(first[j].lo == first2[j].lo && total[j].hi == total2[j].hi, "bootstrap deterministic");
    free(u);
    free(f);
}

/* A 95% paired interval covers the true difference about 95% of the time,
 * and common noise cancels in the pairs. */
static void test_paired_coverage(void)
{
    const int trials = 4000, n = 8;
    uint64_t st = 2024;
    int covered = 0;
    double a[8], b[8];
    for (int t = 0; t < trials; t++) {
        for (int i = 0; i < n; i++) {
            double common = 100.0 * gauss(&st);
            a[i] = 50.0 + common + gauss(&st);
            b[i] = 51.0 + common + gauss(&st);
        }
        an_ci c = ipsim__an_paired_diff(a, b, n);
        covered += c.lo <= 1.0 && 1.0 <= c.hi;
        if (t == 0)
            CHECK(c.hi - c.lo < 5.0, "pairing removes the common noise: width %g", c.hi - c.lo);
    }
    double cov = (double)covered / trials;
    printf("paired t coverage %.3f\n", cov);
    CHECK(cov > 0.935 && cov < 0.965, "coverage %.3f", cov);
    double one[1] = {1.0};
    an_ci c1 = ipsim__an_t_interval(one, 1);
    CHECK(c1.est == 1.0 && isnan(c1.lo), "one value: no interval");
    double withnan[3] = {1.0, NAN, 3.0};
    an_ci c2 = ipsim__an_t_interval(withnan, 3);
    CHECK(c2.n == 2 && c2.est == 2.0, "NaN skipped");
}

static void test_morris(void)
{
    const int r = 40, k = 4, levels = 4;
    double *x = malloc(sizeof *x * (size_t)r * (k + 1) * k), *y = malloc(sizeof *y * (size_t)r * (k + 1));
    ipsim__an_morris_trajectories(r, k, levels, 11, x);
    for (int p = 0; p < r * (k + 1); p++) {
        const double *u = x + (size_t)p * k;
        CHECK(u[0] >= 0 && u[0] <= 1 && u[3] >= 0 && u[3] <= 1, "in the unit cube");
        y[p] = 2.0 * u[0] - 3.0 * u[1] + 0.0 * u[2] + 10.0 * u[3] * u[3];
    }
    double ms[4], mu[4], sg[4];
    ipsim__an_morris(x, y, r, k, ms, mu, sg);
    CHECK(fabs(ms[0] - 2.0) < 1e-9 && fabs(mu[0] - 2.0) < 1e-9 && sg[0] < 1e-9, "x1 linear: %g %g", ms[0], sg[0]);
    CHECK(fabs(ms[1] - 3.0) < 1e-9 && fabs(mu[1] + 3.0) < 1e-9, "x2 linear, negative: %g", mu[1]);
    CHECK(ms[2] < 1e-12, "x3 inert: %g", ms[2]);
    CHECK(ms[3] > ms[0] && sg[3] > 1.0, "x4 nonlinear: mu* %g sigma %g", ms[3], sg[3]);
    free(x);
    free(y);
}

static void test_lhs(void)
{
    const int n = 50, k = 3;
    double u[150];
    ipsim__an_lhs(n, k, 5, u);
    for (int j = 0; j < k; j++) {
        int seen[50] = {0};
        for (int i = 0; i < n; i++) {
            int s = (int)(u[i * k + j] * n);
            CHECK(s >= 0 && s < n, "in [0,1)");
            if (s >= 0 && s < n)
                seen[s]++;
        }
        for (int s = 0; s < n; s++)
            CHECK(seen[s] == 1, "stratum %d of column %d has %d points", s, j, seen[s]);
    }
}

int main(void)
{
    test_factorial_full();
    test_fractional();
    test_sobol_ishigami();
    test_paired_coverage();
    test_morris();
    test_lhs();
    return harness_summary();
}
