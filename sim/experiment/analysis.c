/*
 * analysis.c - the statistics of sweeps and the designs they use (see
 * analysis.h): pure functions on arrays, deterministic, no I/O.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>

#include "experiment/analysis.h"

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

/* Uniform integer in [0, n). */
static int int_random(uint64_t *state, int n)
{
    return (int)(ipsim__an_splitmix64(state) % (uint64_t)n);
}

void ipsim__an_mean_sd(const double *x, int n, size_t stride, double *mean, double *sd, int *used)
{
    double s = 0.0, ss = 0.0, m;
    int c = 0;
    for (int i = 0; i < n; i++) {
        double v = x[(size_t)i * stride];
        if (isfinite(v)) {
            s += v;
            c++;
        }
    }
    m = c > 0 ? s / c : NAN;
    for (int i = 0; i < n; i++) {
        double v = x[(size_t)i * stride];
        if (isfinite(v))
            ss += (v - m) * (v - m);
    }
    if (mean)
        *mean = m;
    if (sd)
        *sd = c > 1 ? sqrt(ss / (c - 1)) : NAN;
    if (used)
        *used = c;
}

an_ci ipsim__an_t_interval(const double *d, int n)
{
    an_ci r = {NAN, NAN, NAN, NAN, 0};
    ipsim__an_mean_sd(d, n, 1, &r.est, &r.sd, &r.n);
    if (r.n >= 2) {
        double half = gsl_cdf_tdist_Pinv(0.975, r.n - 1) * r.sd / sqrt((double)r.n);
        r.lo = r.est - half;
        r.hi = r.est + half;
    }
    return r;
}

an_ci ipsim__an_paired_diff(const double *a, const double *b, int n)
{
    double *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
    an_ci r = {NAN, NAN, NAN, NAN, 0};
    if (!d)
        return r;
    for (int i = 0; i < n; i++)
        d[i] = isfinite(a[i]) && isfinite(b[i]) ? b[i] - a[i] : NAN;
    r = ipsim__an_t_interval(d, n);
    free(d);
    return r;
}

void ipsim__an_factorial(const double *y, const signed char *x, int n_points, int n_reps, int k,
                  an_ci *main, an_ci *inter)
{
    double *e = malloc((size_t)(n_reps > 0 ? n_reps : 1) * sizeof *e);
    an_ci nan_ci = {NAN, NAN, NAN, NAN, 0};
    for (int j = 0; j < k; j++) {
        main[j] = nan_ci;
        for (int l = 0; inter && l < k; l++)
            inter[j * k + l] = nan_ci;
    }
    if (!e || n_points <= 0)
        goto done;
    for (int j = 0; j < k; j++) {
        for (int l = inter ? j : j; l < (inter ? k : j + 1); l++) {
            for (int r = 0; r < n_reps; r++) {
                double s = 0.0;
                int ok = 1;
                for (int p = 0; p < n_points; p++) {
                    double v = y[(size_t)p * n_reps + r];
                    int sign = x[(size_t)p * k + j] * (l == j ? 1 : x[(size_t)p * k + l]);
                    if (!isfinite(v))
                        ok = 0;
                    s += sign * v;
                }
                e[r] = ok ? 2.0 * s / n_points : NAN;
            }
            an_ci c = ipsim__an_t_interval(e, n_reps);
            if (l == j)
                main[j] = c;
            else
                inter[j * k + l] = inter[l * k + j] = c;
        }
    }
done:
    free(e);
}

/* ---- Sobol indices ------------------------------------------------------ */

/* First and total indices of every factor over the rows idx[0..N-1]. */
static void sobol_once(const double *fa, const double *fb, const double *fab, int N, int k,
                       const int *idx, double *first, double *total)
{
    double s = 0.0, ss = 0.0;
    int c = 0;
    for (int i = 0; i < N; i++) {
        double a = fa[idx[i]], b = fb[idx[i]];
        s += a + b;
        c += 2;
    }
    double m = s / c;
    for (int i = 0; i < N; i++) {
        double a = fa[idx[i]] - m, b = fb[idx[i]] - m;
        ss += a * a + b * b;
    }
    double v = c > 1 ? ss / (c - 1) : NAN;
    for (int j = 0; j < k; j++) {
        const double *f = fab + (size_t)j * N;
        double s1 = 0.0, st = 0.0;
        for (int i = 0; i < N; i++) {
            int q = idx[i];
            s1 += fb[q] * (f[q] - fa[q]);
            st += (fa[q] - f[q]) * (fa[q] - f[q]);
        }
        first[j] = v > 0 ? s1 / N / v : NAN;
        total[j] = v > 0 ? st / N / (2.0 * v) : NAN;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Percentile of sorted v[0..n-1] (linear interpolation). */
static double percentile(const double *v, int n, double q)
{
    if (n <= 0)
        return NAN;
    double pos = q * (n - 1);
    int i = (int)floor(pos);
    if (i >= n - 1)
        return v[n - 1];
    return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

int ipsim__an_sobol(const double *fa, const double *fb, const double *fab, int N, int k, int n_boot,
             uint64_t seed, an_ci *first, an_ci *total)
{
    int rc = -1;
    int *idx = malloc((size_t)N * sizeof *idx);
    double *f1 = malloc((size_t)k * sizeof *f1), *ft = malloc((size_t)k * sizeof *ft);
    double *bf = malloc((size_t)k * (size_t)(n_boot > 0 ? n_boot : 1) * sizeof *bf);
    double *bt = malloc((size_t)k * (size_t)(n_boot > 0 ? n_boot : 1) * sizeof *bt);
    if (!idx || !f1 || !ft || !bf || !bt || N < 2)
        goto done;
    for (int i = 0; i < N; i++)
        idx[i] = i;
    sobol_once(fa, fb, fab, N, k, idx, f1, ft);
    uint64_t st = seed;
    int nb = 0;
    for (int b = 0; b < n_boot; b++) {
        for (int i = 0; i < N; i++)
            idx[i] = int_random(&st, N);
        sobol_once(fa, fb, fab, N, k, idx, f1 + 0, ft + 0);
        int ok = 1;
        for (int j = 0; j < k; j++)
            ok = ok && isfinite(f1[j]) && isfinite(ft[j]);
        if (ok) {
            for (int j = 0; j < k; j++) {
                bf[(size_t)j * n_boot + nb] = f1[j];
                bt[(size_t)j * n_boot + nb] = ft[j];
            }
            nb++;
        }
    }
    for (int i = 0; i < N; i++)
        idx[i] = i;
    sobol_once(fa, fb, fab, N, k, idx, f1, ft);
    for (int j = 0; j < k; j++) {
        double *vf = bf + (size_t)j * n_boot, *vt = bt + (size_t)j * n_boot;
        qsort(vf, (size_t)nb, sizeof *vf, cmp_double);
        qsort(vt, (size_t)nb, sizeof *vt, cmp_double);
        first[j] = (an_ci){f1[j], percentile(vf, nb, 0.025), percentile(vf, nb, 0.975), NAN, N};
        total[j] = (an_ci){ft[j], percentile(vt, nb, 0.025), percentile(vt, nb, 0.975), NAN, N};
        if (nb >= 2) {
            ipsim__an_mean_sd(vf, nb, 1, NULL, &first[j].sd, NULL);
            ipsim__an_mean_sd(vt, nb, 1, NULL, &total[j].sd, NULL);
        }
    }
    rc = 0;
done:
    free(idx);
    free(f1);
    free(ft);
    free(bf);
    free(bt);
    return rc;
}

/* ---- Morris ------------------------------------------------------------- */

void ipsim__an_morris(const double *x, const double *y, int r, int k, double *mu_star, double *mu,
               double *sigma)
{
    double *ee = malloc((size_t)(r > 0 ? r : 1) * (size_t)(k > 0 ? k : 1) * sizeof *ee);
    int *cnt = calloc((size_t)(k > 0 ? k : 1), sizeof *cnt);
    for (int j = 0; j < k; j++)
        mu_star[j] = mu[j] = sigma[j] = NAN;
    if (!ee || !cnt)
        goto done;
    for (int t = 0; t < r; t++) {
        for (int s = 0; s < k; s++) {
            size_t p = (size_t)t * (k + 1) + (size_t)s;
            const double *x0 = x + p * k, *x1 = x0 + k;
            int which = -1;
            for (int j = 0; j < k; j++)
                if (x1[j] != x0[j])
                    which = j;
            if (which < 0 || !isfinite(y[p]) || !isfinite(y[p + 1]))
                continue;
            ee[(size_t)which * r + cnt[which]++] =
                (y[p + 1] - y[p]) / (x1[which] - x0[which]);
        }
    }
    for (int j = 0; j < k; j++) {
        double a = 0.0;
        const double *e = ee + (size_t)j * r;
        for (int i = 0; i < cnt[j]; i++)
            a += fabs(e[i]);
        if (cnt[j] > 0)
            mu_star[j] = a / cnt[j];
        ipsim__an_mean_sd(e, cnt[j], 1, &mu[j], &sigma[j], NULL);
    }
done:
    free(ee);
    free(cnt);
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
            int q = int_random(&st, i + 1), t = perm[i];
            perm[i] = perm[q];
            perm[q] = t;
        }
        for (int i = 0; i < n; i++)
            out[(size_t)i * k + j] = (perm[i] + unit_random(&st)) / n;
    }
    free(perm);
}

int ipsim__an_saltelli(int N, int k, double *out)
{
    if (N < 1 || k < 1 || 2 * k > 40)
        return -1;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    double v[40];
    if (!q)
        return -1;
    gsl_qrng_get(q, v); /* skip the first point (all zeros) */
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
            int lower = int_random(&st, 2);
            int l = int_random(&st, half);
            x[j] = (lower ? l : l + half) * step;
            dir[j] = lower ? delta : -delta;
            order[j] = j;
        }
        for (int j = k - 1; j > 0; j--) {
            int q = int_random(&st, j + 1), tmp = order[j];
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
