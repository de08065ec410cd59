/*
 * test_philox.c - the batched Philox4x32-10 (sim/model/philox_batch.c) is
 * Random123's philox4x32, bit for bit (ODD 4.9: every random number is one
 * word of Philox4x32-10):
 *
 *   - for N_BATCHES batches of PHILOX_LANES random counters under random
 *     keys, and under the edge keys 0 and all ones, every word of every
 *     lane equals philox4x32 of that lane's counter;
 *   - lanes are independent: a lane's words do not depend on the other
 *     lanes of its batch (the same counter at every position of batches
 *     that differ elsewhere);
 *   - philox_lanes_set gives rng_block's counter: the batched DAILY block
 *     of (cell, agent, day) equals rng_block's;
 *   - with run-time dispatch (a portable x86-64 build), the SSE2 and the
 *     AVX2 rounds each pass the random-key comparison (AVX2 where the CPU
 *     has it).
 * Label unit (well under a second).
 */
#include <stdint.h>
#include <stdio.h>
#include "model/philox_batch.h"
#include "harness.h"

#define N_BATCHES 20000 /* x PHILOX_LANES = 640,000 blocks per key schedule */

/* A test-only stream of 64-bit words (splitmix64). */
static uint64_t next_word(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Batches of random counters under key (random if random_key) against
 * philox4x32: the number of words that differ. */
typedef void (*lanes_fn)(philox_lanes *, int, const rng_round_keys *);

/* The batched rounds under key (its round keys from rng_round_keys_init). */
static void lanes_key(lanes_fn fn, philox_lanes *l, int n, philox4x32_key_t key)
{
    rng_round_keys rk;
    rng_round_keys_init(&rk, key);
    fn(l, n, &rk);
}

static long compare_batches_with(lanes_fn fn, uint64_t *s, int random_key, philox4x32_key_t key)
{
    long bad = 0;
    for (int b = 0; b < N_BATCHES; b++) {
        if (random_key) {
            uint64_t w = next_word(s);
            key.v[0] = (uint32_t)w;
            key.v[1] = (uint32_t)(w >> 32);
        }
        philox_lanes l;
        philox4x32_ctr_t c[PHILOX_LANES];
        for (int j = 0; j < PHILOX_LANES; j++) {
            uint64_t w0 = next_word(s), w1 = next_word(s);
            /* every eighth counter small (agent-like indices), the rest any */
            if (j % 8 == 0)
                w0 &= 0x000fffff000fffffull;
            c[j].v[0] = (uint32_t)w0;
            c[j].v[1] = (uint32_t)(w0 >> 32);
            c[j].v[2] = (uint32_t)w1;
            c[j].v[3] = (uint32_t)(w1 >> 32);
            for (int w = 0; w < 4; w++)
                l.x[w][j] = c[j].v[w];
        }
        lanes_key(fn, &l, PHILOX_LANES, key);
        for (int j = 0; j < PHILOX_LANES; j++) {
            philox4x32_ctr_t want = philox4x32(c[j], key);
            for (int w = 0; w < 4; w++)
                bad += l.x[w][j] != want.v[w];
        }
    }
    return bad;
}

static long compare_batches(uint64_t *s, int random_key, philox4x32_key_t key)
{
    return compare_batches_with(ipsim__philox_lanes, s, random_key, key);
}

int main(void)
{
    uint64_t s = 20261202;
#if defined(IPSIM_PHILOX_DISPATCH)
    /* both variants of the run-time dispatch, whichever this CPU uses */
    CHECK(compare_batches_with(ipsim__philox_lanes_sse2, &s, 1, (philox4x32_key_t){{0, 0}}) == 0,
          "SSE2 rounds: %d random keys x %d lanes: every word is philox4x32's", N_BATCHES, PHILOX_LANES);
    if (__builtin_cpu_supports("avx2"))
        CHECK(compare_batches_with(ipsim__philox_lanes_avx2, &s, 1, (philox4x32_key_t){{0, 0}}) == 0,
              "AVX2 rounds: %d random keys x %d lanes: every word is philox4x32's", N_BATCHES, PHILOX_LANES);
    else
        printf("skip AVX2 rounds: this CPU has no AVX2\n");
#endif
    philox4x32_key_t k0 = {{0, 0}}, kf = {{0xffffffffu, 0xffffffffu}};
    CHECK(compare_batches(&s, 1, k0) == 0, "%d random keys x %d lanes: every word is philox4x32's",
          N_BATCHES, PHILOX_LANES);
    CHECK(compare_batches(&s, 0, k0) == 0, "key (0, 0): every word is philox4x32's");
    CHECK(compare_batches(&s, 0, kf) == 0, "key (2^32-1, 2^32-1): every word is philox4x32's");

    /* the all-zero and all-ones counters, and one counter in every lane
     * position among different neighbours */
    philox4x32_key_t key = {{0x01234567u, 0x89abcdefu}};
    philox4x32_ctr_t one = {{7, 365, 0x03000102u, 1}};
    philox4x32_ctr_t want = philox4x32(one, key);
    long bad = 0;
    for (int pos = 0; pos < PHILOX_LANES; pos++) {
        philox_lanes l;
        for (int j = 0; j < PHILOX_LANES; j++)
            for (int w = 0; w < 4; w++)
                l.x[w][j] = j == pos ? one.v[w] : (uint32_t)next_word(&s);
        lanes_key(ipsim__philox_lanes, &l, PHILOX_LANES, key);
        for (int w = 0; w < 4; w++)
            bad += l.x[w][pos] != want.v[w];
    }
    CHECK(bad == 0, "a lane's words do not depend on its position or its neighbours");
    for (uint32_t fill = 0; fill <= 1; fill++) {
        philox4x32_ctr_t c = {{-fill, -fill, -fill, -fill}};
        philox_lanes l;
        for (int j = 0; j < PHILOX_LANES; j++)
            for (int w = 0; w < 4; w++)
                l.x[w][j] = c.v[w];
        lanes_key(ipsim__philox_lanes, &l, PHILOX_LANES, key);
        philox4x32_ctr_t r = philox4x32(c, key);
        CHECK(l.x[0][31] == r.v[0] && l.x[1][0] == r.v[1] && l.x[2][17] == r.v[2] &&
                  l.x[3][5] == r.v[3],
              "counter all %s: philox4x32's words", fill ? "ones" : "zeros");
    }

    /* the model's counters */
    ipsim_rng rng;
    rng_init(&rng, 0x123456789abcdef0ull, 3);
    philox_lanes l;
    for (int j = 0; j < PHILOX_LANES; j++)
        philox_lanes_set(&l, j, &rng, (uint32_t)j % 17, 4096u * (uint32_t)j + 5, 400 + (uint32_t)j,
                         RNG_DAILY, 0);
    ipsim__philox_lanes(&l, PHILOX_LANES, &rng.rk);
    bad = 0;
    for (int j = 0; j < PHILOX_LANES; j++) {
        philox4x32_ctr_t r = rng_block(&rng, (uint32_t)j % 17, 4096u * (uint32_t)j + 5,
                                       400 + (uint32_t)j, RNG_DAILY, 0);
        for (int w = 0; w < 4; w++)
            bad += l.x[w][j] != r.v[w];
    }
    CHECK(bad == 0, "philox_lanes_set + ipsim__philox_lanes = rng_block (DAILY, %d agents)",
          PHILOX_LANES);
    return harness_summary();
}
