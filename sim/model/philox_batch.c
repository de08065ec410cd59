/*
 * philox_batch.c - Philox4x32-10 over the PHILOX_LANES counters of a
 * batch (philox_batch.h), bit for bit Random123's philox4x32 on each lane.
 *
 * A round multiplies words 0 and 2 by constants (32x32->64 bits) and mixes
 * the high halves into the other two words. On x86 the lanes run in vector
 * registers as 64-bit slots, the word in the low half of each slot: one
 * pmuludq (vpmuludq with AVX2) gives the full products of 2 (4) lanes, the
 * low half of a product is already in place and the high half is one shift
 * away, and the junk the upper halves collect is never read (pmuludq reads
 * only the low halves, and the result keeps only them). Even and odd lanes
 * go in separate registers and are packed back at the end. Elsewhere the
 * plain scalar rounds run (the same arithmetic; the compiler may vectorise).
 */
#include "model/philox_batch.h"
/* The function this file defines: ipsim__philox_lanes, or with run-time
 * dispatch (philox_batch.h) the SSE2 variant here and the AVX2 one in
 * philox_avx2.c, which includes this file. */
#ifndef PHILOX_FN
#if defined(IPSIM_PHILOX_DISPATCH)
#define PHILOX_FN ipsim__philox_lanes_sse2
#else
#define PHILOX_FN ipsim__philox_lanes
#endif
#endif
/* IPSIM_PHILOX_SCALAR forces the scalar rounds (to test them on x86). */
#if defined(__AVX2__) && !defined(IPSIM_PHILOX_SCALAR)
#define PHILOX_AVX2 1
#include <immintrin.h>
#elif defined(__SSE2__) && !defined(IPSIM_PHILOX_SCALAR)
#define PHILOX_SSE2 1
#include <emmintrin.h>
#endif

#if defined(PHILOX_AVX2) || defined(PHILOX_SSE2)
#if defined(PHILOX_AVX2)
typedef __m256i vword; /* 4 lanes, one per 64-bit slot */
#define V_SLOTS 4
#define V_MUL _mm256_mul_epu32
#define V_XOR _mm256_xor_si256
#define V_SRL32(x) _mm256_srli_epi64((x), 32)
#define V_SLL32(x) _mm256_slli_epi64((x), 32)
#define V_SET1(w) _mm256_set1_epi64x((long long)(w))
#define V_SET1_32(w) _mm256_set1_epi32((int)(w)) /* in both halves of each slot */
#define V_BLEND_ODD(e, o) _mm256_blend_epi32((e), (o), 0xAA) /* odd 32-bit words from o */
#define V_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define V_STORE(p, x) _mm256_storeu_si256((__m256i *)(void *)(p), (x))
#else
typedef __m128i vword; /* 2 lanes, one per 64-bit slot */
#define V_SLOTS 2
#define V_MUL _mm_mul_epu32
#define V_XOR _mm_xor_si128
#define V_SRL32(x) _mm_srli_epi64((x), 32)
#define V_SLL32(x) _mm_slli_epi64((x), 32)
#define V_SET1(w) _mm_set1_epi64x((long long)(w))
#define V_SET1_32(w) _mm_set1_epi32((int)(w))
#define V_BLEND_ODD(e, o) _mm_or_si128(_mm_and_si128((e), _mm_set1_epi64x(0xffffffffLL)), (o))
#define V_LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define V_STORE(p, x) _mm_storeu_si128((__m128i *)(void *)(p), (x))
#endif

_Static_assert(PHILOX_GROUP % (2 * V_SLOTS) == 0 && PHILOX_LANES % PHILOX_GROUP == 0,
               "a group of lanes is a whole number of vector steps");

/* One round on the lanes in the low halves of the slots of a..d, with
 * round keys k0, k1 (Random123's _philox4x32round; a key is broadcast
 * to both halves of each slot, of which only the low one is read). */
#define V_ROUND(a, b, c, d, k0, k1) \
    do { \
        vword p0_ = V_MUL((a), m0), p1_ = V_MUL((c), m1); \
        (a) = V_XOR(V_XOR(V_SRL32(p1_), (b)), (k0)); \
        (c) = V_XOR(V_XOR(V_SRL32(p0_), (d)), (k1)); \
        (b) = p1_; \
        (d) = p0_; \
    } while (0)

void PHILOX_FN(philox_lanes *l, int n, const rng_round_keys *rk)
{
    const uint32_t *k0s = rk->k0, *k1s = rk->k1;
    const vword m0 = V_SET1(PHILOX_M0), m1 = V_SET1(PHILOX_M1);
    /* 2 V_SLOTS lanes at a time: the even lanes in place, the odd ones
     * shifted down into the low halves */
    for (int j = 0; j < n; j += 2 * V_SLOTS) {
        vword e[4], o[4];
        for (int w = 0; w < 4; w++) {
            e[w] = V_LOAD(&l->x[w][j]);
            o[w] = V_SRL32(e[w]);
        }
        /* the even and the odd lanes' rounds interleaved: two independent
         * chains of multiplications */
#if defined(__GNUC__)
#pragma GCC unroll 10
#endif
        for (int r = 0; r < PHILOX_ROUNDS; r++) {
            /* the round keys straight from memory (a broadcast load each):
             * arrays of broadcast keys were spilled and copied each call */
            const vword k0 = V_SET1_32(k0s[r]), k1 = V_SET1_32(k1s[r]);
            V_ROUND(e[0], e[1], e[2], e[3], k0, k1);
            V_ROUND(o[0], o[1], o[2], o[3], k0, k1);
        }
        for (int w = 0; w < 4; w++)
            V_STORE(&l->x[w][j], V_BLEND_ODD(e[w], V_SLL32(o[w])));
    }
}

#else /* portable scalar rounds */

void PHILOX_FN(philox_lanes *l, int n, const rng_round_keys *rk)
{
    const uint32_t *k0 = rk->k0, *k1 = rk->k1;
    for (int j = 0; j < n; j++) {
        uint32_t a = l->x[0][j], b = l->x[1][j], c = l->x[2][j], d = l->x[3][j];
        for (int r = 0; r < PHILOX_ROUNDS; r++) {
            uint64_t p0 = (uint64_t)PHILOX_M0 * a, p1 = (uint64_t)PHILOX_M1 * c;
            a = (uint32_t)(p1 >> 32) ^ b ^ k0[r];
            c = (uint32_t)(p0 >> 32) ^ d ^ k1[r];
            b = (uint32_t)p1;
            d = (uint32_t)p0;
        }
        l->x[0][j] = a;
        l->x[1][j] = b;
        l->x[2][j] = c;
        l->x[3][j] = d;
    }
}
#endif

#if defined(IPSIM_PHILOX_DISPATCH)
void ipsim__philox_lanes(philox_lanes *l, int n, const rng_round_keys *rk)
{
    if (__builtin_cpu_supports("avx2"))
        ipsim__philox_lanes_avx2(l, n, rk);
    else
        ipsim__philox_lanes_sse2(l, n, rk);
}
#endif
