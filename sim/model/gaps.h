/*
 * gaps.h - the candidate agents of a block of candidate sampling (ODD 4.9):
 * geometric gaps g = floor(E / -ln(1 - p_c)) with E a unit exponential, so
 * P(g >= k) = P(E >= -k ln(1 - p_c)) = (1 - p_c)^k (trip occasions), and
 * the impressions as a Poisson process along the agents (spacings E / lambda).
 *
 * E is drawn by the ziggurat method (Marsaglia & Tsang 2000) from the words
 * of the SKIP stream keyed by (cell, block, day), in order: the low 8 bits
 * of a word choose one of 256 layers of equal area covering exp(-x), the
 * high 24 bits a point across it; inside the layer's inner edge (97.8 %
 * of words) that is E, at the cost of a table read and a multiplication.
 * Otherwise (gaps.c) the layer's wedge takes one more word for a height,
 * tested against exp(-x), a rejected point starts again with the next word,
 * and the base layer's tail returns r + a fresh exponential (the
 * exponential forgets: exact). The table is scripts/gen_ziggurat.py's
 * gap_table.h.
 */
#ifndef IPSIM_MODEL_GAPS_H
#define IPSIM_MODEL_GAPS_H

#include <math.h>
#include <stdint.h>
#include "model/rng.h"
#include "model/gap_table.h"
#include "model/philox_batch.h"

#define GAP_MAX 1e12 /* gaps are capped here (beyond any block) */

/* The SKIP words of one block of candidate sampling on one day, and the
 * gaps' scale 1 / -ln(1 - p_c). Word w of SKIP block j is the stream's
 * word 4 j + w. The first GAP_SCALAR_BLOCKS blocks of a short stream are
 * computed one at a time (most streams of a sparse cell end in the first);
 * after them, or from the start for a stream expected to be long
 * (gap_expect), GAP_BATCH blocks are computed at a time (philox_batch.c);
 * the sequence is the same either way. The blocks held are in lanes 0, 1,
 * ... of x in order (one block alone: lane 0). */
#define GAP_BATCH PHILOX_GROUP
#define GAP_DENSE_WORDS 8.0 /* expected words beyond which a stream starts batched */
#define GAP_SCALAR_BLOCKS 3 /* blocks a stream that starts alone computes alone: three
                             * scalar blocks (12 words) cost less than one vector group */
typedef struct {
    const ipsim_rng *rng;
    uint32_t cell, block, day, purpose;
    uint32_t j;          /* SKIP blocks computed so far */
    uint32_t used, have; /* words of x used, and held (words 4 lane + w) */
    int batched;         /* the next refill computes GAP_BATCH blocks */
    double scale;
    philox_lanes x;      /* lanes 0..GAP_BATCH-1: the blocks held */
} gap_stream;

/* The stream of block `block` of cell on day for an event of probability
 * p with log_q = ln(1 - p) < 0, from the words of purpose (RNG_SKIP for
 * impressions, RNG_OCCASION_SKIP for trip occasions). */
static inline void gap_start(gap_stream *g, const ipsim_rng *rng, uint32_t cell, uint32_t block,
                             uint32_t day, uint32_t purpose, double log_q)
{
    g->rng = rng;
    g->cell = cell;
    g->block = block;
    g->day = day;
    g->purpose = purpose;
    g->j = g->used = g->have = 0;
    g->batched = 0;
    g->scale = -1.0 / log_q;
}

/* A stream expected to use about `words` words: batched from its first
 * block if that is more than GAP_DENSE_WORDS (the same words, fewer
 * computations). */
static inline void gap_expect(gap_stream *g, double words)
{
    g->batched = words > GAP_DENSE_WORDS;
}

/* SKIP block j of the stream: agent word block + 2^20 floor(j / 256),
 * draw j mod 256. */
#define GAP_AGENT_WORD(g, j) ((g)->block | (((j) >> 8) << 20))

/* SKIP block j alone into lane 0, by the scalar rounds (cheaper than a
 * vector group for one block). */
static inline void gap_block(gap_stream *g)
{
    philox4x32_ctr_t r = rng_block(g->rng, g->cell, GAP_AGENT_WORD(g, g->j), g->day,
                                   (rng_purpose)g->purpose, g->j & 0xffu);
    for (int w = 0; w < 4; w++)
        g->x.x[w][0] = r.v[w];
    g->j += 1;
    g->have = 4;
    g->used = 0;
    g->batched = g->j >= GAP_SCALAR_BLOCKS;
}

/* The next GAP_BATCH blocks into x (gaps.c). */
void ipsim__gap_refill(gap_stream *g);

/* The stream's next words, once all it holds are used: block 0 alone
 * unless the stream is batched, then GAP_BATCH blocks at a time. */
static inline void gap_fill(gap_stream *g)
{
    if (g->batched)
        ipsim__gap_refill(g);
    else
        gap_block(g);
}

/* Word u of those the stream holds (u < have): word u & 3 of lane u >> 2,
 * at offset gap_held_at[u] in x (one load instead of the index's shifts
 * and masks: the walk reads one word per impression). */
static const uint8_t gap_held_at[4 * GAP_BATCH] = {
#define GAP_AT_(u) (uint8_t)(((u) & 3u) * PHILOX_LANES + ((u) >> 2))
#define GAP_AT4_(u) GAP_AT_(u), GAP_AT_((u) + 1), GAP_AT_((u) + 2), GAP_AT_((u) + 3)
    GAP_AT4_(0), GAP_AT4_(4), GAP_AT4_(8), GAP_AT4_(12), GAP_AT4_(16), GAP_AT4_(20), GAP_AT4_(24), GAP_AT4_(28)
#undef GAP_AT4_
#undef GAP_AT_
};
_Static_assert(4 * GAP_BATCH == 32 && 4 * PHILOX_LANES <= 256, "gap_held_at covers a refill's words");
#define GAP_HELD(g, u) (((const uint32_t *)(const void *)&(g)->x)[gap_held_at[(u)]])

/* The next SKIP word: the four words of SKIP block j = 0, 1, ... in order. */
static inline uint32_t gap_word(gap_stream *g)
{
    if (g->used == g->have)
        gap_fill(g);
    uint32_t u = g->used++;
    return GAP_HELD(g, u);
}

/* The wedge test of layer i >= 1: whether the height y lies under exp(-x),
 * for a point x of the layer's wedge (between its inner edge X and its
 * width W). exp(-x) is convex: it lies above its tangents at X and at W
 * and below the chord between them. A y below a tangent, or above the
 * chord, by more than ZIG_SQUEEZE relative to exp(-X) is decided without
 * exp; that margin is far beyond the few ulps by which the bounds and exp
 * may be off, so the answer is always exp's (test_gaps checks it at and
 * around the curve). The rest compute exp(-x): 0.73 % of 20 M wedge tests
 * drawn as the walk draws them (uniform words, 2026-12-03). */
#define ZIG_SQUEEZE 1e-9
static inline int zig_wedge_under(uint32_t i, double x, double y)
{
    const zig_layer *z = &zig_table[i];
    const zig_wedge *e = &zig_wedges[i];
    const double width = z->w * (double)(1u << ZIG_BITS); /* W, exactly */
    double d = x - e->x_inner, margin = ZIG_SQUEEZE * z->f_inner;
    if (y < z->f_inner * (1 - d) - margin || y < z->f_outer * (1 + (width - x)) - margin)
        return 1; /* under a tangent */
    if (y > z->f_inner + d * e->slope + margin)
        return 0; /* over the chord */
    return y < exp(-x);
}

/* The rare words: wedge tests, rejections and the tail (gaps.c). w is the
 * word that fell outside its layer's inner edge. */
double ipsim__gap_exponential_slow(gap_stream *g, uint32_t w);

/* A unit exponential from the next word(s). */
static inline double gap_exponential(gap_stream *g)
{
    uint32_t w = gap_word(g);
    const zig_layer *z = &zig_table[w & (ZIG_LAYERS - 1)];
    uint32_t h = w >> (32 - ZIG_BITS);
    if (h < z->k)
        return ((double)h + 0.5) * z->w;
    return ipsim__gap_exponential_slow(g, w);
}

/* The next gap: the number of agents skipped before the next candidate. */
static inline uint64_t gap_next(gap_stream *g)
{
    double x = gap_exponential(g) * g->scale;
    return x < GAP_MAX ? (uint64_t)x : (uint64_t)GAP_MAX;
}

/* Gap mode's impressions (ODD 4.9): the points of a Poisson process of
 * rate lambda per agent along a block's agents, from a stream started with
 * log_q = -lambda (spacings T / lambda). x is the position of the next point,
 * from the block's first agent; the agent at floor(x) receives it. */
static inline double gap_point(gap_stream *g, double x)
{
    return x + gap_exponential(g) * g->scale;
}

/* The points in [x, end) where x, the next point, is in it: their count
 * (counted up to cap) and x moved to the first point at or beyond end. For
 * an agent k with floor(x) = k and end = k + 1 this is its impressions:
 * Poisson(lambda), independent from agent to agent. */
static inline int gap_points_until(gap_stream *g, double *x, double end, int cap)
{
    int n = 0;
    do {
        n += n < cap;
        *x = gap_point(g, *x);
    } while (*x < end);
    return n;
}

#endif /* IPSIM_MODEL_GAPS_H */
