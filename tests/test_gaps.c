/*
 * test_gaps.c - the geometric gaps between candidate agents (ODD 4.9,
 * sim/model/gaps.h): g = floor(E / -ln(1 - p)) with E the ziggurat
 * exponential has exactly the geometric distribution P(g = k) = (1-p)^k p.
 *
 *   - the ziggurat table (scripts/gen_ziggurat.py) is what it claims:
 *     every layer has the area v, the layers stack (each one's inner edge
 *     is the next one's width), the heights are exp(-width), and the counts
 *     K are the 24-bit points inside the inner edge;
 *   - the wedge test's squeeze (bounds of exp(-x) by its tangents and
 *     chord) answers as y < exp(-x) for random heights and for those
 *     within a few ulps of the curve, in every layer;
 *   - for p = 1e-4, 1e-3, 0.01, 0.05, 0.2 and 0.5, N_DRAWS gaps from SKIP
 *     streams pass a chi-square test against the geometric pmf, in N_BINS
 *     bins of equal probability (edges at the pmf's quantiles, each bin's
 *     probability computed exactly from them). Under the null the statistic
 *     is chi-square with bins - 1 degrees of freedom, so a correct sampler
 *     fails a check with probability P_MIN; the streams are fixed, so the
 *     result is the same on every run;
 *   - the test can fail: the same gaps drawn for p 1 % too high are
 *     rejected at every p (the noncentrality is about N_DRAWS 1e-4 / (1-p)
 *     >= 200, far beyond the critical value);
 *   - the tail beyond the base layer's edge r (drawn as r + a fresh
 *     exponential) has its probability exp(-r): the count among N_EXP draws
 *     is within 4 binomial standard deviations of N_EXP exp(-r), and so is
 *     the count beyond 2r (two trips through the tail);
 *   - the mean of E is 1 within 4 standard errors;
 *   - the impressions of gap mode (gap_points_until, walked as the kernel
 *     walks a block: each agent's count is that of the points in its unit
 *     interval, the first point beyond names the next agent with one) are
 *     Poisson(lambda) per agent for lambda = 0.01, 0.3 and 2: N_AGENTS
 *     agents' counts pass a chi-square test against the Poisson pmf
 *     (counts 0 .. K-1 and K or more, K the first count expected fewer than
 *     MIN_EXPECTED times), neighbours' counts are uncorrelated (|r| <= 4 /
 *     sqrt(N)), and the test rejects the same counts against Poisson(1.05
 *     lambda);
 *   - a stream's words are those of the ODD (4.9): SKIP block j = rng_block
 *     with agent word block + 2^20 floor(j / 256) and draw j mod 256, word
 *     by word, across the first scalar block, the batched refills
 *     (GAP_BATCH blocks at a time) and the 256-block wrap.
 * Usage: test_gaps [--verbose] (--verbose: print the checks that pass too).
 * Label unit (about a second).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "model/gaps.h"
#include "harness.h"

#define N_DRAWS 2000000   /* gaps per p */
#define N_BINS 100        /* bins of equal probability */
#define N_EXP 20000000    /* exponentials for the tail and the mean */
#define PER_STREAM 200000 /* draws per SKIP stream (one stream holds 2^22 words) */
#define P_MIN 1e-4        /* p-value below which a chi-square check fails */
#define SEED 20261202u
#define N_AGENTS 2000000  /* agents whose impressions are counted, per lambda */
#define BLOCK 4096        /* agents per block (CANDIDATE_BLOCK) */
#define MIN_EXPECTED 20.0 /* least expected count of a chi-square bin */
#define MAX_COUNT 64      /* counts kept (far beyond the lambdas tested) */

/* Chi-square p-value of n_draws gaps of the stream family `cell` drawn
 * for probability p_draw, against the geometric pmf of p_test. */
static double chisq_pvalue(const ipsim_rng *rng, uint32_t cell, double p_draw, double p_test,
                           double *stat, int *df)
{
    /* bin edges a_0 = 0 < a_1 < ...: a_i the i/N_BINS quantile of p_test */
    static uint64_t edge[N_BINS + 1];
    static long count[N_BINS + 1];
    double lq = log1p(-p_test);
    int nb = 0;
    edge[nb++] = 0;
    for (int i = 1; i < N_BINS; i++) {
        uint64_t a = (uint64_t)ceil(log1p(-(double)i / N_BINS) / lq);
        if (a > edge[nb - 1])
            edge[nb++] = a;
    }
    for (int i = 0; i < nb; i++)
        count[i] = 0;
    long drawn = 0;
    for (uint32_t day = 0; drawn < N_DRAWS; day++) {
        gap_stream g;
        gap_start(&g, rng, cell, 7, day, RNG_SKIP, log1p(-p_draw));
        for (int j = 0; j < PER_STREAM && drawn < N_DRAWS; j++, drawn++) {
            uint64_t x = gap_next(&g);
            int lo = 0, hi = nb - 1; /* the last edge <= x */
            while (lo < hi) {
                int mid = (lo + hi + 1) / 2;
                if (edge[mid] <= x)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            count[lo]++;
        }
    }
    /* P(a_i <= g < a_{i+1}) = q^a_i - q^a_{i+1}, the last bin q^a */
    *stat = 0;
    for (int i = 0; i < nb; i++) {
        double hi = exp((double)edge[i] * lq);
        double lo = i + 1 < nb ? exp((double)edge[i + 1] * lq) : 0;
        double e = (double)N_DRAWS * (hi - lo);
        *stat += (count[i] - e) * (count[i] - e) / e;
    }
    *df = nb - 1;
    return gsl_cdf_chisq_Q(*stat, *df);
}

static void check_table(void)
{
    int bad_area = 0, bad_stack = 0, bad_height = 0, bad_k = 0;
    for (int i = 0; i < ZIG_LAYERS; i++) {
        const zig_layer *z = &zig_table[i];
        double w = z->w * ldexp(1, ZIG_BITS);
        double inner = i == 0               ? ZIG_R
                       : i + 1 < ZIG_LAYERS ? zig_table[i + 1].w * ldexp(1, ZIG_BITS)
                                            : 0;
        double area = i == 0 ? w * exp(-ZIG_R) : w * (z->f_inner - z->f_outer);
        bad_area += fabs(area / ZIG_AREA - 1) > 1e-12;
        bad_stack += i > 0 && fabs(z->f_inner - exp(-inner)) > 1e-15;
        bad_height += i > 0 && fabs(z->f_outer - exp(-w)) > 1e-15;
        /* K = #{h : (h + 1/2) w 2^-24 < inner} */
        uint32_t k = z->k;
        bad_k += (k > 0 && !(((double)k - 0.5) * z->w < inner)) ||
                 (k < (1u << ZIG_BITS) && ((double)k + 0.5) * z->w < inner);
    }
    CHECK(bad_area == 0, "every layer's area is v = %.17g (%d differ by more than 1e-12)", ZIG_AREA,
          bad_area);
    CHECK(fabs((ZIG_R + 1) * exp(-ZIG_R) / ZIG_AREA - 1) < 1e-14,
          "the base layer: r f(r) + tail = (r + 1) e^-r = v");
    CHECK(bad_stack == 0 && zig_table[1].w * ldexp(1, ZIG_BITS) == ZIG_R,
          "the layers stack: layer 1's width is r, each inner edge is the next width (%d off)",
          bad_stack);
    CHECK(bad_height == 0 && zig_table[ZIG_LAYERS - 1].f_inner == 1.0,
          "heights are exp(-x) and the top layer reaches f = 1 (%d off)", bad_height);
    CHECK(bad_k == 0, "K counts the points inside the inner edge (%d layers off)", bad_k);
}

/* The wedge test's squeeze (zig_wedge_under) answers as y < exp(-x) does,
 * in every layer: at WEDGE_POINTS points x of the wedge (its first and last
 * and random ones between), for random heights across the layer and for
 * the heights within WEDGE_ULPS ulps of exp(-x), where only exp can
 * decide. */
#define WEDGE_POINTS 400
#define WEDGE_HEIGHTS 40
#define WEDGE_ULPS 8
static void check_wedge(const ipsim_rng *rng)
{
    long tested = 0, wrong = 0;
    uint32_t draw = 0;
    for (uint32_t i = 1; i < ZIG_LAYERS; i++) {
        const zig_layer *z = &zig_table[i];
        uint32_t span = (1u << ZIG_BITS) - z->k; /* the wedge's h */
        for (int p = 0; p < WEDGE_POINTS; p++, draw++) {
            philox4x32_ctr_t r = rng_block(rng, i, (uint32_t)p, 0, RNG_SKIP, 0);
            uint32_t h = p == 0 ? z->k : p == 1 ? (1u << ZIG_BITS) - 1 : z->k + r.v[0] % span;
            double x = ((double)h + 0.5) * z->w, curve = exp(-x);
            for (int j = 0; j < WEDGE_HEIGHTS; j++) {
                philox4x32_ctr_t u = rng_block(rng, i, (uint32_t)p, (uint32_t)j + 1, RNG_SKIP, 0);
                double y = z->f_outer + rng_u01(u.v[1]) * (z->f_inner - z->f_outer);
                wrong += zig_wedge_under(i, x, y) != (y < curve);
                tested++;
            }
            double y = curve;
            for (int j = 0; j < WEDGE_ULPS; j++)
                y = nextafter(y, 0);
            for (int j = -WEDGE_ULPS; j <= WEDGE_ULPS; j++, y = nextafter(y, 2)) {
                wrong += zig_wedge_under(i, x, y) != (y < curve);
                tested++;
            }
        }
    }
    CHECK(wrong == 0, "the wedge's squeeze answers as y < exp(-x) (%ld of %ld heights differ)", wrong,
          tested);
}

/* A stream's words against rng_block, block by block: started alone
 * (a short stream) and batched from its first block (gap_expect). */
static void check_words(const ipsim_rng *rng)
{
    const uint32_t cell = 21, block = 5, day = 333, nblocks = 600;
    for (int dense = 0; dense <= 1; dense++) {
        gap_stream g;
        gap_start(&g, rng, cell, block, day, RNG_OCCASION_SKIP, -1.0);
        gap_expect(&g, dense ? 4.0 * nblocks : 1.0);
        uint32_t bad = 0;
        for (uint32_t j = 0; j < nblocks; j++) {
            philox4x32_ctr_t r =
                rng_block(rng, cell, block | ((j >> 8) << 20), day, RNG_OCCASION_SKIP, j & 0xffu);
            for (int w = 0; w < 4; w++)
                bad += gap_word(&g) != r.v[w];
        }
        CHECK(bad == 0,
              "a %s stream's words are rng_block's, block by block (%u blocks, %u words differ)",
              dense ? "batched" : "short", nblocks, bad);
    }
}

/* Counts per agent of N_AGENTS agents in blocks of BLOCK, by the walk of
 * the kernel (candidates.c, ipsim__candidates_gap) with stream family `cell`:
 * hist[n] agents with n impressions; r the correlation of neighbours'. */
static void impression_counts(const ipsim_rng *rng, uint32_t cell, double lambda, long *hist,
                              double *r)
{
    static int n_of[BLOCK];
    for (int n = 0; n <= MAX_COUNT; n++)
        hist[n] = 0;
    double sxy = 0, sx = 0, sxx = 0;
    long pairs = 0;
    for (uint32_t blk = 0; blk < N_AGENTS / BLOCK; blk++) {
        gap_stream g;
        gap_start(&g, rng, cell, blk, 5, RNG_SKIP, -lambda);
        for (int k = 0; k < BLOCK; k++)
            n_of[k] = 0;
        double x = gap_point(&g, 0);
        while (x < BLOCK) {
            int k = (int)x;
            n_of[k] = gap_points_until(&g, &x, k + 1.0, MAX_COUNT);
        }
        for (int k = 0; k < BLOCK; k++) {
            hist[n_of[k]]++;
            sx += n_of[k];
            sxx += (double)n_of[k] * n_of[k];
            if (k + 1 < BLOCK) {
                sxy += (double)n_of[k] * n_of[k + 1];
                pairs++;
            }
        }
    }
    double n = (double)(N_AGENTS / BLOCK * BLOCK), mean = sx / n, var = sxx / n - mean * mean;
    *r = (sxy / pairs - mean * mean) / var;
}

/* Chi-square p-value of the counts hist (N_AGENTS) against Poisson(lambda). */
static double poisson_pvalue(const long *hist, double lambda, double *stat, int *df)
{
    long total = 0;
    for (int n = 0; n <= MAX_COUNT; n++)
        total += hist[n];
    double p = exp(-lambda), below = 0;
    long seen = 0;
    *stat = 0;
    int bins = 0;
    for (int n = 0; n < MAX_COUNT; n++) {
        if (total * p < MIN_EXPECTED)
            break;
        double e = total * p;
        *stat += (hist[n] - e) * (hist[n] - e) / e;
        below += p;
        seen += hist[n];
        bins++;
        p *= lambda / (n + 1);
    }
    double e = total * (1 - below); /* the last bin: every larger count */
    if (e > 0) {
        *stat += ((total - seen) - e) * ((total - seen) - e) / e;
        bins++;
    }
    *df = bins - 1;
    return gsl_cdf_chisq_Q(*stat, *df);
}

static void check_impressions(const ipsim_rng *rng)
{
    const double lambdas[] = {0.01, 0.3, 2.0};
    for (int t = 0; t < 3; t++) {
        static long hist[MAX_COUNT + 1];
        double r, stat, stat_off;
        int df, df_off;
        impression_counts(rng, 40 + (uint32_t)t, lambdas[t], hist, &r);
        double pv = poisson_pvalue(hist, lambdas[t], &stat, &df);
        CHECK(pv > P_MIN, "lambda = %g: %d agents' impressions are Poisson (chi-square %.1f, df %d, p-value %.3g)",
              lambdas[t], N_AGENTS, stat, df, pv);
        CHECK(fabs(r) <= 4 / sqrt((double)N_AGENTS),
              "lambda = %g: neighbours' counts are uncorrelated (r = %.5f)", lambdas[t], r);
        double pv_off = poisson_pvalue(hist, lambdas[t] * 1.05, &stat_off, &df_off);
        CHECK(pv_off < P_MIN, "lambda = %g: the counts reject Poisson(1.05 lambda) (chi-square %.1f, p-value %.3g)",
              lambdas[t], stat_off, pv_off);
    }
}

int main(int argc, char **argv)
{
    harness_verbose(argc > 1 && strcmp(argv[1], "--verbose") == 0);
    check_table();
    ipsim_rng rng;
    rng_init(&rng, SEED, 0);
    check_words(&rng);
    check_wedge(&rng);
    check_impressions(&rng);
    const double ps[] = {1e-4, 1e-3, 0.01, 0.05, 0.2, 0.5};
    for (int t = 0; t < (int)(sizeof ps / sizeof ps[0]); t++) {
        double stat;
        int df;
        double pv = chisq_pvalue(&rng, (uint32_t)t, ps[t], ps[t], &stat, &df);
        CHECK(pv > P_MIN, "p = %g: %d gaps are geometric (chi-square %.1f, df %d, p-value %.3g)",
              ps[t], N_DRAWS, stat, df, pv);
        double pv_off = chisq_pvalue(&rng, (uint32_t)t, ps[t] * 1.01, ps[t], &stat, &df);
        CHECK(pv_off < P_MIN,
              "p = %g: gaps drawn for 1.01 p are rejected (chi-square %.1f, df %d, "
              "p-value %.3g)",
              ps[t], stat, df, pv_off);
    }

    /* the tail and the mean */
    long beyond_r = 0, beyond_2r = 0;
    double sum = 0, sum2 = 0;
    long drawn = 0;
    for (uint32_t day = 0; drawn < N_EXP; day++) {
        gap_stream g;
        gap_start(&g, &rng, 100, 3, day, RNG_SKIP, -1.0);
        for (int j = 0; j < PER_STREAM; j++, drawn++) {
            double e = gap_exponential(&g);
            beyond_r += e > ZIG_R;
            beyond_2r += e > 2 * ZIG_R;
            sum += e;
            sum2 += e * e;
        }
    }
    double pr = exp(-ZIG_R), pr2 = exp(-2 * ZIG_R);
    double z1 = (beyond_r - drawn * pr) / sqrt(drawn * pr * (1 - pr));
    double z2 = (beyond_2r - drawn * pr2) / sqrt(drawn * pr2 * (1 - pr2));
    CHECK(fabs(z1) < 4, "P(E > r) = e^-r: %ld of %ld draws, expected %.1f (z = %.2f)", beyond_r, drawn,
          drawn * pr, z1);
    CHECK(fabs(z2) < 4, "P(E > 2r) = e^-2r: %ld of %ld draws, expected %.2f (z = %.2f)", beyond_2r,
          drawn, drawn * pr2, z2);
    double mean = sum / drawn, se = sqrt((sum2 / drawn - mean * mean) / drawn);
    CHECK(fabs(mean - 1) < 4 * se, "mean of E = %.5f, 1 within 4 standard errors (%.5f)", mean, se);
    return harness_summary();
}
