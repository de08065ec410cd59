/*
 * philox_batch.h - Philox4x32-10 for many counters at once, bit for bit the
 * same as Random123's philox4x32 (rng.h).
 *
 * The counters are held as a structure of arrays (word w of lane j in
 * x[w][j]) and all lanes share one key, so every round is the same
 * straight-line code on every lane: the compiler turns the lane loop into
 * vector code (the two 32x32->64 products of a round become pmuludq /
 * vpmuludq), several times faster per block than one philox4x32 call at a
 * time. Plain C: without vector units it is the scalar algorithm.
 * The lane loop is in philox_batch.c; the rest is inline.
 */
#ifndef IPSIM_MODEL_PHILOX_BATCH_H
#define IPSIM_MODEL_PHILOX_BATCH_H

#include <stdint.h>
#include "model/rng.h"

#define PHILOX_LANES 32 /* counters per batch (a multiple of any vector width) */

/* Philox4x32's multipliers and Weyl key increments (Salmon et al. 2011). */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_ROUNDS RNG_ROUNDS

/* Counters in, random words out (in place): x[w][j] is word w of lane j. */
typedef struct {
    uint32_t x[4][PHILOX_LANES];
} philox_lanes;

/* Lanes 0..n-1 of l (1 <= n <= PHILOX_LANES) through Philox4x32-10 with
 * the round keys rk of a key (rng.h, rng_round_keys_init; philox_batch.c). The work is done in groups of PHILOX_GROUP lanes,
 * so lanes up to n rounded up to a multiple of PHILOX_GROUP must hold
 * defined counters; their results are to be ignored. */
#define PHILOX_GROUP 8
void ipsim__philox_lanes(philox_lanes *l, int n, const rng_round_keys *rk);

/* A portable x86-64 build (no -march) chooses at run time: the AVX2 rounds
 * (philox_avx2.c, the same source compiled for AVX2) where the CPU has
 * them, else the SSE2 rounds. Both are exposed so that tests run both. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__AVX2__) && \
    !defined(IPSIM_PHILOX_SCALAR) && !defined(IPSIM_PHILOX_CLONE)
#define IPSIM_PHILOX_DISPATCH 1
void ipsim__philox_lanes_sse2(philox_lanes *l, int n, const rng_round_keys *rk);
void ipsim__philox_lanes_avx2(philox_lanes *l, int n, const rng_round_keys *rk);
#endif

/* Lane j's counter = rng_block's counter for (cell, agent, day, purpose,
 * draw) (rng.h). */
static inline void philox_lanes_set(philox_lanes *l, int j, const ipsim_rng *r, uint32_t cell,
                                    uint32_t agent, uint32_t day, rng_purpose purpose, uint32_t draw)
{
    l->x[0][j] = agent;
    l->x[1][j] = day;
    l->x[2][j] = ((uint32_t)purpose << 24) | ((cell & 0xffffu) << 8) | (draw & 0xffu);
    l->x[3][j] = r->replicate;
}

#endif /* IPSIM_MODEL_PHILOX_BATCH_H */
