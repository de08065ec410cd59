/*
 * analysis.c - the statistics of sweeps (see analysis.h): means and t
 * intervals, paired differences, factorial effects (per-replicate contrasts
 * and the pooled blocked regression, Holm's adjustment), Sobol indices
 * (first, total, second order) with bootstrap intervals, the replicate
 * noise of point means, Morris elementary effects. Pure functions on
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
    /* the t interval of the finite differences b - a, computed in place (no
     * allocation, so it cannot fail): the same two passes, in the same order,
     * as ipsim__an_mean_sd and ipsim__an_t_interval */
    an_ci r = {NAN, NAN, NAN, NAN, 0};
    double s = 0.0, ss = 0.0;
    int c = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            double v = b[i] - a[i];
            if (isfinite(v)) {
                s += v;
                c++;
            }
        }
    double m = c > 0 ? s / c : NAN;
    for (int i = 0; i < n; i++)
        if (isfinite(a[i]) && isfinite(b[i])) {
            double v = b[i] - a[i];
            if (isfinite(v))
                ss += (v - m) * (v - m);
        }
    r.est = m;
    r.sd = c > 1 ? sqrt(ss / (c - 1)) : NAN;
    r.n = c;
    if (r.n >= 2) {
        double half = gsl_cdf_tdist_Pinv(0.975, r.n - 1) * r.sd / sqrt((double)r.n);
        r.lo = r.est - half;
        r.hi = r.est + half;
    }
    return r;
}

void ipsim__an_draws(const double *x, int R, int K, an_ci *rep, an_ci *total)
{
    double sum = 0.0, ss = 0.0, sm = 0.0, ssm = 0.0;
    int n = 0, kused = 0;
    *rep = (an_ci){NAN, NAN, NAN, NAN, 0};
    *total = (an_ci){NAN, NAN, NAN, NAN, 0};
    if (K < 1 || R < 1)
        return;
    for (int k = 0; k < K; k++) {
        double s = 0.0, mk;
        int c = 0;
        for (int r = k; r < R; r += K)
            if (isfinite(x[r])) {
                s += x[r];
                c++;
            }
        if (c == 0)
            continue;
        mk = s / c;
        for (int r = k; r < R; r += K)
            if (isfinite(x[r]))
                ss += (x[r] - mk) * (x[r] - mk);
        sum += s;
        n += c;
        sm += mk;
        kused++;
    }
    if (n == 0)
        return;
    double mean = sum / n, mbar = sm / kused;
    for (int k = 0; k < K; k++) {
        double s = 0.0;
        int c = 0;
        for (int r = k; r < R; r += K)
            if (isfinite(x[r])) {
                s += x[r];
                c++;
            }
        if (c > 0)
            ssm += (s / c - mbar) * (s / c - mbar);
    }
    rep->est = total->est = mean;
    rep->n = n;
    total->n = kused;
    if (n - kused >= 1) {
        rep->sd = sqrt(ss / (n - kused));
        double half = gsl_cdf_tdist_Pinv(0.975, n - kused) * rep->sd / sqrt((double)n);
        rep->lo = mean - half;
        rep->hi = mean + half;
    }
    if (kused >= 2) {
        total->sd = sqrt(ssm / (kused - 1));
        double half = gsl_cdf_tdist_Pinv(0.975, kused - 1) * total->sd / sqrt((double)kused);
        total->lo = mean - half;
        total->hi = mean + half;
    }
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

/* ---- factorial: pooled blocked regression ------------------------------ */

/* An effect of the pooled model: interval and p-value from the effect, its
 * standard error and the residual degrees of freedom. */
static void pooled_ci(double est, double se, double sigma, int df, int runs, an_ci *c, double *p)
{
    *c = (an_ci){est, NAN, NAN, sigma, runs};
    if (p)
        *p = NAN;
    if (df < 1 || !isfinite(se))
        return;
    double half = gsl_cdf_tdist_Pinv(0.975, df) * se;
    c->lo = est - half;
    c->hi = est + half;
    if (p && se > 0)
        *p = 2.0 * gsl_cdf_tdist_Q(fabs(est) / se, df);
}

int ipsim__an_factorial_pooled(const double *y, const signed char *x, int n_points, int n_reps, int k,
                               int with_inter, an_ci *main, an_ci *inter, double *p_main,
                               double *p_inter)
{
    an_ci nan_ci = {NAN, NAN, NAN, NAN, 0};
    int P = n_points, R = n_reps, rc = -1;
    for (int j = 0; j < k; j++) {
        main[j] = nan_ci;
        if (p_main)
            p_main[j] = NAN;
        for (int l = 0; l < k; l++) {
            if (inter)
                inter[j * k + l] = nan_ci;
            if (p_inter)
                p_inter[j * k + l] = NAN;
        }
    }
    double *bm = malloc((size_t)(R > 0 ? R : 1) * sizeof *bm);
    double *g = calloc((size_t)(P > 0 ? P : 1), sizeof *g);
    double *beta = malloc((size_t)(k > 0 ? k : 1) * (size_t)(k > 0 ? k : 1) * sizeof *beta);
    if (!bm || !g || !beta)
        goto done;
    /* complete replicates and their means (the block effects) */
    int used = 0;
    for (int r = 0; r < R; r++) {
        double s = 0.0;
        int ok = P > 0;
        for (int p = 0; p < P; p++) {
            double v = y[(size_t)p * R + r];
            ok = ok && isfinite(v);
            s += v;
        }
        bm[r] = ok ? s / P : NAN;
        used += ok;
    }
    rc = 0;
    if (used == 0)
        goto done;
    int n_eff = k + (with_inter ? k * (k - 1) / 2 : 0);
    double runs = (double)P * used;
    /* coefficients (orthogonal -1/+1 columns: b = sum z y / (P R)) */
    for (int j = 0; j < k; j++)
        for (int l = j; l < (with_inter ? k : j + 1); l++) {
            double s = 0.0;
            for (int p = 0; p < P; p++) {
                int z = x[(size_t)p * k + j] * (l == j ? 1 : x[(size_t)p * k + l]);
                double sp = 0.0;
                for (int r = 0; r < R; r++)
                    if (isfinite(bm[r]))
                        sp += y[(size_t)p * R + r];
                s += z * sp;
            }
            double b = s / runs;
            beta[j * k + l] = b;
            for (int p = 0; p < P; p++)
                g[p] += b * x[(size_t)p * k + j] * (l == j ? 1 : x[(size_t)p * k + l]);
        }
    /* residuals */
    double sse = 0.0;
    for (int r = 0; r < R; r++) {
        if (!isfinite(bm[r]))
            continue;
        for (int p = 0; p < P; p++) {
            double e = y[(size_t)p * R + r] - bm[r] - g[p];
            sse += e * e;
        }
    }
    int df = P * used - used - n_eff;
    double sigma = df > 0 ? sqrt(sse / df) : NAN;
    double se = df > 0 ? 2.0 * sigma / sqrt(runs) : NAN;
    for (int j = 0; j < k; j++)
        for (int l = j; l < (with_inter ? k : j + 1); l++) {
            double est = 2.0 * beta[j * k + l], pv;
            an_ci c;
            pooled_ci(est, se, sigma, df, (int)runs, &c, &pv);
            if (l == j) {
                main[j] = c;
                if (p_main)
                    p_main[j] = pv;
            } else {
                if (inter)
                    inter[j * k + l] = inter[l * k + j] = c;
                if (p_inter)
                    p_inter[j * k + l] = p_inter[l * k + j] = pv;
            }
        }
    rc = df;
done:
    free(bm);
    free(g);
    free(beta);
    return rc;
}

void ipsim__an_holm(const double *p, int n, double *adj)
{
    int *ord = malloc((size_t)(n > 0 ? n : 1) * sizeof *ord);
    double *val = malloc((size_t)(n > 0 ? n : 1) * sizeof *val);
    int m = 0;
    if (!ord || !val) {
        for (int i = 0; i < n; i++)
            adj[i] = NAN;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        val[i] = p[i];
        if (!isnan(p[i])) {
            /* insertion by value, stable: ties keep their order */
            int q = m++;
            while (q > 0 && val[ord[q - 1]] > p[i]) {
                ord[q] = ord[q - 1];
                q--;
            }
            ord[q] = i;
        }
    }
    double run = 0.0;
    for (int i = 0; i < n; i++)
        adj[i] = NAN;
    for (int q = 0; q < m; q++) {
        double a = (double)(m - q) * val[ord[q]];
        if (a > 1.0)
            a = 1.0;
        if (a > run)
            run = a;
        adj[ord[q]] = run;
    }
done:
    free(ord);
    free(val);
}

/* ---- Sobol indices ------------------------------------------------------ */

/* First, total and (when fba and second) second-order indices of every
 * factor over the rows idx[0..N-1]; responses centred by the mean of fA
 * and fB over those rows. */
static void sobol_once(const double *fa, const double *fb, const double *fab, const double *fba, int N,
                       int k, const int *idx, double *first, double *total, double *second)
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
            s1 += (fb[q] - m) * (f[q] - fa[q]);
            st += (fa[q] - f[q]) * (fa[q] - f[q]);
        }
        first[j] = v > 0 ? s1 / N / v : NAN;
        total[j] = v > 0 ? st / N / (2.0 * v) : NAN;
    }
    if (!fba || !second)
        return;
    for (int j = 0; j < k; j++) {
        second[j * k + j] = NAN;
        const double *ba = fba + (size_t)j * N;
        for (int l = j + 1; l < k; l++) {
            const double *ab = fab + (size_t)l * N;
            double s2 = 0.0;
            for (int i = 0; i < N; i++) {
                int q = idx[i];
                s2 += (ba[q] - m) * (ab[q] - m) - (fa[q] - m) * (fb[q] - m);
            }
            second[j * k + l] = second[l * k + j] = v > 0 ? s2 / N / v - first[j] - first[l] : NAN;
        }
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

/* Estimate est with the percentile interval and sd of its nb bootstrap
 * values vb (sorted here). */
static an_ci boot_ci(double est, double *vb, int nb, int N)
{
    an_ci c = {est, NAN, NAN, NAN, N};
    qsort(vb, (size_t)nb, sizeof *vb, cmp_double);
    c.lo = percentile(vb, nb, 0.025);
    c.hi = percentile(vb, nb, 0.975);
    if (nb >= 2)
        ipsim__an_mean_sd(vb, nb, 1, NULL, &c.sd, NULL);
    return c;
}

int ipsim__an_sobol(const double *fa, const double *fb, const double *fab, const double *fba, int N,
                    int k, int n_boot, uint64_t seed, an_ci *first, an_ci *total, an_ci *second)
{
    int rc = -1, with2 = fba && second;
    size_t nb1 = (size_t)(n_boot > 0 ? n_boot : 1), kk = (size_t)k * k;
    int *idx = malloc((size_t)(N > 0 ? N : 1) * sizeof *idx);
    double *f1 = malloc((size_t)k * sizeof *f1), *ft = malloc((size_t)k * sizeof *ft);
    double *f2 = malloc(kk * sizeof *f2);
    double *bf = malloc((size_t)k * nb1 * sizeof *bf);
    double *bt = malloc((size_t)k * nb1 * sizeof *bt);
    double *b2 = with2 ? malloc(kk * nb1 * sizeof *b2) : NULL;
    if (!idx || !f1 || !ft || !f2 || !bf || !bt || (with2 && !b2) || N < 2)
        goto done;
    uint64_t st = seed;
    int nb = 0;
    for (int b = 0; b < n_boot; b++) {
        for (int i = 0; i < N; i++)
            idx[i] = ipsim__an_random_int(&st, N);
        sobol_once(fa, fb, fab, with2 ? fba : NULL, N, k, idx, f1, ft, f2);
        int ok = 1;
        for (int j = 0; j < k; j++) {
            ok = ok && isfinite(f1[j]) && isfinite(ft[j]);
            for (int l = j + 1; with2 && l < k; l++)
                ok = ok && isfinite(f2[j * k + l]);
        }
        if (ok) {
            for (int j = 0; j < k; j++) {
                bf[(size_t)j * nb1 + nb] = f1[j];
                bt[(size_t)j * nb1 + nb] = ft[j];
                for (int l = 0; with2 && l < k; l++)
                    b2[((size_t)j * k + l) * nb1 + nb] = f2[j * k + l];
            }
            nb++;
        }
    }
    for (int i = 0; i < N; i++)
        idx[i] = i;
    sobol_once(fa, fb, fab, with2 ? fba : NULL, N, k, idx, f1, ft, f2);
    for (int j = 0; j < k; j++) {
        first[j] = boot_ci(f1[j], bf + (size_t)j * nb1, nb, N);
        total[j] = boot_ci(ft[j], bt + (size_t)j * nb1, nb, N);
        for (int l = 0; with2 && l < k; l++)
            second[j * k + l] = l == j ? (an_ci){NAN, NAN, NAN, NAN, N}
                                       : boot_ci(f2[j * k + l], b2 + ((size_t)j * k + l) * nb1, nb, N);
    }
    rc = 0;
done:
    free(idx);
    free(f1);
    free(ft);
    free(f2);
    free(bf);
    free(bt);
    free(b2);
    return rc;
}

double ipsim__an_interaction_var(const double *y, int n_points, int n_reps, int *df)
{
    int P = n_points, R = n_reps, np = 0;
    double *cm = calloc((size_t)(R > 0 ? R : 1), sizeof *cm);
    double grand = 0.0, sse = 0.0, out = NAN;
    if (df)
        *df = 0;
    if (!cm || R < 2)
        goto done;
    /* replicate means over the complete points, then the point means */
    for (int p = 0; p < P; p++) {
        const double *yp = y + (size_t)p * R;
        int ok = 1;
        for (int r = 0; r < R; r++)
            ok = ok && isfinite(yp[r]);
        if (!ok)
            continue;
        for (int r = 0; r < R; r++)
            cm[r] += yp[r];
        np++;
    }
    if (np < 2)
        goto done;
    for (int r = 0; r < R; r++) {
        cm[r] /= np;
        grand += cm[r] / R;
    }
    for (int p = 0; p < P; p++) {
        const double *yp = y + (size_t)p * R;
        double pm = 0.0;
        int ok = 1;
        for (int r = 0; r < R; r++) {
            ok = ok && isfinite(yp[r]);
            pm += yp[r];
        }
        if (!ok)
            continue;
        pm /= R;
        for (int r = 0; r < R; r++) {
            double e = yp[r] - pm - cm[r] + grand;
            sse += e * e;
        }
    }
    int d = (np - 1) * (R - 1);
    if (df)
        *df = d;
    out = sse / d;
done:
    free(cm);
    return out;
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
            ee[(size_t)which * r + cnt[which]++] = (y[p + 1] - y[p]) / (x1[which] - x0[which]);
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

void ipsim__an_sobol_total_noise(const double *y, int N, int k, int n_reps, double v, double *noise)
{
    int R = n_reps;
    double *d = malloc((size_t)(R > 0 ? R : 1) * sizeof *d);
    for (int i = 0; i < k; i++) {
        double s = 0.0;
        int rows = 0;
        noise[i] = NAN;
        if (!d || R < 2 || !(v > 0))
            continue;
        for (int q = 0; q < N; q++) {
            const double *a = y + (size_t)q * R, *ab = y + ((size_t)(2 + i) * N + q) * R;
            double sd;
            int used;
            for (int r = 0; r < R; r++)
                d[r] = a[r] - ab[r];
            ipsim__an_mean_sd(d, R, 1, NULL, &sd, &used);
            if (used < R)
                continue;
            s += sd * sd / R;
            rows++;
        }
        if (rows > 0)
            noise[i] = s / rows / (2.0 * v);
    }
    free(d);
}
