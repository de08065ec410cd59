/*
 * analysis.c - the statistics of sweeps (see analysis.h): means and t
 * intervals, paired differences, factorial effects, Sobol indices with
 * bootstrap intervals, Morris elementary effects. Pure functions on
 * arrays, deterministic, no I/O; the designs they go with are made by
 * sampling.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "experiment/analysis.h"

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
            idx[i] = ipsim__an_random_int(&st, N);
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
