/*
 * rng.h - counter-based random numbers keyed by what a draw is for.
 *
 * Every random number in ipsim is one output word of Philox4x32-10
 * (Random123): key = the 64-bit seed, counter = (index of the agent within
 * its cell, day, cell | purpose | draw, replicate). A draw therefore depends
 * only on (seed, replicate, market, segment, agent, day, purpose, draw), never
 * on thread scheduling or loop order, and an agent keeps its identity (and
 * its random numbers) across scenarios that differ elsewhere: this is what
 * makes paired comparisons use common random numbers.
 */
#ifndef IPSIM_RNG_H
#define IPSIM_RNG_H

#include <stdint.h>
#include <math.h>
#include <Random123/philox.h>

/* What a block of four random words is used for (8 bits). */
typedef enum {
    RNG_INIT = 1,      /* initial awareness and salience */
    RNG_TRAIT = 2,     /* static tastes (two blocks: draw 0 and 1) */
    RNG_DAILY = 3,     /* exposure count, trip occasion, choice, asset */
    RNG_TRIP = 4,      /* nights, posting, sentiment-independent extras */
    RNG_COMMUNITY = 5, /* mechanism D community posting */
    RNG_SKIP = 6,      /* agents of a block with an impression (geometric skips) */
    RNG_CROWD = 7,     /* offset of the expected-occupancy sample (crowding.c) */
    RNG_COMMUNITY_SKIP = 8, /* past visitors asked to post (D, geometric skips) */
    RNG_OCCASION_SKIP = 9   /* agents of a block with a trip occasion (geometric skips) */
} rng_purpose;

/* Philox4x32-10's round keys for one key: the key bumped by the Weyl
 * increments once a round (Salmon et al. 2011), for the batched rounds of
 * philox_batch.c, computed once per key. */
#define RNG_ROUNDS 10
#define RNG_WEYL0 0x9E3779B9u
#define RNG_WEYL1 0xBB67AE85u
typedef struct {
    uint32_t k0[RNG_ROUNDS], k1[RNG_ROUNDS];
} rng_round_keys;

static inline void rng_round_keys_init(rng_round_keys *rk, philox4x32_key_t key)
{
    for (int r = 0; r < RNG_ROUNDS; r++) {
        rk->k0[r] = key.v[0] + (uint32_t)r * RNG_WEYL0;
        rk->k1[r] = key.v[1] + (uint32_t)r * RNG_WEYL1;
    }
}

typedef struct {
    philox4x32_key_t key;
    uint32_t replicate;
    rng_round_keys rk; /* key's round keys */
} ipsim_rng;

static inline void rng_init(ipsim_rng *r, uint64_t seed, uint32_t replicate)
{
    r->key.v[0] = (uint32_t)(seed & 0xffffffffu);
    r->key.v[1] = (uint32_t)(seed >> 32);
    r->replicate = replicate;
    rng_round_keys_init(&r->rk, r->key);
}

/* Four independent 32-bit words for (cell, agent-in-cell, day, purpose, draw). */
static inline philox4x32_ctr_t rng_block(const ipsim_rng *r, uint32_t cell, uint32_t agent,
                                         uint32_t day, rng_purpose purpose, uint32_t draw)
{
    philox4x32_ctr_t c = {
        {agent, day, ((uint32_t)purpose << 24) | ((cell & 0xffffu) << 8) | (draw & 0xffu),
         r->replicate}};
    return philox4x32(c, r->key);
}

/* A word to a uniform in the open interval (0, 1). */
static inline double rng_u01(uint32_t w)
{
    return ((double)w + 0.5) * (1.0 / 4294967296.0);
}

/* Two standard normals from two words (Box-Muller). */
static inline void rng_normal2(uint32_t a, uint32_t b, double *z0, double *z1)
{
    double r = sqrt(-2.0 * log(rng_u01(a)));
    double t = 6.283185307179586 * rng_u01(b);
    *z0 = r * cos(t);
    *z1 = r * sin(t);
}

#endif /* IPSIM_RNG_H */
