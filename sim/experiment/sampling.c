/*
 * sampling.c - the design generators of sweeps (see analysis.h): regular
 * two-level fractional factorials, Latin hypercubes, Saltelli's matrices
 * from the Sobol sequence, Morris trajectories, and the small deterministic
 * generator (splitmix64) they and the bootstrap of analysis.c draw from.
 * Pure functions on arrays, no I/O.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "experiment/analysis.h"

/* ---- random numbers ----------------------------------------------------- */

uint64_t ipsim__an_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform double in [0,1) with 53 random bits. */
static double unit_random(uint64_t *state)
{
    return (double)(ipsim__an_splitmix64(state) >> 11) * 0x1.0p-53;
}

int ipsim__an_random_int(uint64_t *state, int n)
{
    return (int)(ipsim__an_splitmix64(state) % (uint64_t)n);
}

/* ---- designs ------------------------------------------------------------ */

static int popcount(unsigned v)
{
    int c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

/* Can generator g (a mask over m base factors, defining the next added
 * factor) join gens[0..p-1] keeping every word of the defining relation at
 * least R letters long? */
static int generator_fits(const unsigned *gens, int p, unsigned g, int R)
{
    for (unsigned long s = 0; s < (1ul << p); s++) {
        unsigned mask = g;
        int letters = 1;
        for (int i = 0; i < p; i++)
            if (s & (1ul << i)) {
                mask ^= gens[i];
                letters++;
            }
        if (popcount(mask) + letters < R)
            return 0;
    }
    return 1;
}

/* Depth-first search (candidates by decreasing length, bounded effort) for
 * p generators on m base factors; returns the number found. */
static int search_generators(int m, int p, int R, unsigned *gens, int found, unsigned from,
                             long *budget)
{
    if (found == p)
        return found;
    for (unsigned g = from; g < (1u << m); g++) {
        if (--*budget < 0)
            return found;
        if (popcount(g) < 2 || popcount(g) + 1 < R || !generator_fits(gens, found, g, R))
            continue;
        gens[found] = g;
        if (search_generators(m, p, R, gens, found + 1, g + 1, budget) == p)
            return p;
    }
    return found;
}

/* Generators for k factors on m base factors; 0 when found. */
static int find_generators(int k, int m, int R, unsigned *gens)
{
    long budget = 2000000;
    return search_generators(m, k - m, R, gens, 0, 1, &budget) == k - m ? 0 : -1;
}

int ipsim__an_two_level_design(int k, int resolution, signed char **x, int *runs, int *achieved)
{
    unsigned gens[32];
    int m = k;
    *x = NULL;
    if (k < 1 || k > 30 || resolution < 0)
        return -1;
    *achieved = 0;
    if (resolution >= 3) {
        for (int mm = 1; mm < k; mm++) {
            if (k - mm > 24)
                continue;
            if (find_generators(k, mm, resolution, gens) == 0) {
                m = mm;
                break;
            }
        }
        if (m < k) {
            /* resolution achieved: the shortest word of the relation */
            int best = 99;
            for (unsigned long s = 1; s < (1ul << (k - m)); s++) {
                unsigned mask = 0;
                int letters = 0;
                for (int i = 0; i < k - m; i++)
                    if (s & (1ul << i)) {
                        mask ^= gens[i];
                        letters++;
                    }
                if (popcount(mask) + letters < best)
                    best = popcount(mask) + letters;
            }
            *achieved = best;
        }
    }
    if (m > 24)
        return -1;
    size_t n = (size_t)1 << m;
    signed char *d = malloc(n * (size_t)k);
    if (!d)
        return -1;
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < m; j++)
            d[i * k + j] = (i >> j) & 1 ? 1 : -1;
        for (int j = m; j < k; j++) {
            int v = 1;
            for (int b = 0; b < m; b++)
                if (gens[j - m] & (1u << b))
                    v *= d[i * k + b];
            d[i * k + j] = (signed char)v;
        }
    }
    *x = d;
    *runs = (int)n;
    return 0;
}

void ipsim__an_lhs(int n, int k, uint64_t seed, double *out)
{
    uint64_t st = seed;
    int *perm = malloc((size_t)(n > 0 ? n : 1) * sizeof *perm);
    if (!perm) {
        for (size_t i = 0; i < (size_t)n * k; i++)
            out[i] = NAN;
        return;
    }
    for (int j = 0; j < k; j++) {
        for (int i = 0; i < n; i++)
            perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int q = ipsim__an_random_int(&st, i + 1), t = perm[i];
            perm[i] = perm[q];
            perm[q] = t;
        }
        for (int i = 0; i < n; i++)
            out[(size_t)i * k + j] = (perm[i] + unit_random(&st)) / n;
    }
    free(perm);
}

int ipsim__an_saltelli(int N, int k, int second_order, double *out)
{
    if (N < 1 || k < 1 || 2 * k > 40)
        return -1;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    double v[40];
    if (!q)
        return -1;
    /* Skip the first point GSL gives: 0.5 in every coordinate (GSL's
     * sequence already starts after the all-zero point), so the rows are
     * the sequence's points 2..N+1 counting the zero point as 0. */
    gsl_qrng_get(q, v);
    size_t row = (size_t)k;
    for (int i = 0; i < N; i++) {
        gsl_qrng_get(q, v);
        double *a = out + (size_t)i * row, *b = out + ((size_t)N + i) * row;
        for (int j = 0; j < k; j++) {
            a[j] = v[j];
            b[j] = v[k + j];
        }
        for (int c = 0; c < k; c++) {
            double *ab = out + ((size_t)(2 + c) * N + i) * row;
            for (int j = 0; j < k; j++)
                ab[j] = j == c ? v[k + j] : v[j];
        }
        for (int c = 0; second_order && c < k; c++) {
            double *ba = out + ((size_t)(2 + k + c) * N + i) * row;
            for (int j = 0; j < k; j++)
                ba[j] = j == c ? v[j] : v[k + j];
        }
    }
    gsl_qrng_free(q);
    return 0;
}

void ipsim__an_morris_trajectories(int r, int k, int levels, uint64_t seed, double *out)
{
    uint64_t st = seed;
    int *order = malloc((size_t)(k > 0 ? k : 1) * sizeof *order);
    double *x = malloc((size_t)(k > 0 ? k : 1) * sizeof *x);
    double *dir = malloc((size_t)(k > 0 ? k : 1) * sizeof *dir);
    int half = levels / 2;
    double step = 1.0 / (levels - 1), delta = half * step;
    if (!order || !x || !dir)
        goto done;
    for (int t = 0; t < r; t++) {
        double *o = out + (size_t)t * (k + 1) * k;
        for (int j = 0; j < k; j++) {
            int lower = ipsim__an_random_int(&st, 2);
            int l = ipsim__an_random_int(&st, half);
            x[j] = (lower ? l : l + half) * step;
            dir[j] = lower ? delta : -delta;
            order[j] = j;
        }
        for (int j = k - 1; j > 0; j--) {
            int q = ipsim__an_random_int(&st, j + 1), tmp = order[j];
            order[j] = order[q];
            order[q] = tmp;
        }
        memcpy(o, x, (size_t)k * sizeof *x);
        for (int s = 0; s < k; s++) {
            int j = order[s];
            x[j] += dir[j];
            if (x[j] < 0.0)
                x[j] = 0.0;
            if (x[j] > 1.0)
                x[j] = 1.0;
            memcpy(o + (size_t)(s + 1) * k, x, (size_t)k * sizeof *x);
        }
    }
done:
    free(order);
    free(x);
    free(dir);
}
