/*
 * gaps.c - the rare path of the ziggurat exponential of gaps.h: a word
 * whose point fell outside its layer's inner edge (2.2 % of words).
 *
 * In layer i >= 1 the point (x, y), with x from the word and y uniform in
 * the layer's heights [exp(-W), exp(-X)] from the next word, is accepted
 * if y < exp(-x) (it lies under the density); otherwise the next word is a
 * new try from the start. In the base layer a point beyond r stands for
 * the tail x > r, whose area equals that strip's: the result is r plus a
 * fresh exponential. Every accepted x is therefore a uniform point of the
 * area under exp(-x), i.e. exactly a unit exponential (up to the 2^-32
 * probability grain of the words). The test y < exp(-x) is squeezed
 * between bounds of exp (zig_wedge_under, gaps.h), with exp's answer.
 * Also the refill of a stream's words (gaps.h): GAP_BATCH Philox blocks
 * at a time.
 */
#include <math.h>
#include "model/gaps.h"

void ipsim__gap_refill(gap_stream *g)
{
    for (int b = 0; b < GAP_BATCH; b++) { /* blocks j..j+GAP_BATCH-1 */
        uint32_t j = g->j + (uint32_t)b;
        philox_lanes_set(&g->x, b, g->rng, g->cell, GAP_AGENT_WORD(g, j), g->day, (rng_purpose)g->purpose,
                         j & 0xffu);
    }
    ipsim__philox_lanes(&g->x, GAP_BATCH, &g->rng->rk);
    g->j += GAP_BATCH;
    g->have = 4 * GAP_BATCH;
    g->used = 0;
}

double ipsim__gap_exponential_slow(gap_stream *g, uint32_t w)
{
    double offset = 0;
    for (;;) {
        uint32_t i = w & (ZIG_LAYERS - 1);
        const zig_layer *z = &zig_table[i];
        uint32_t h = w >> (32 - ZIG_BITS);
        double x = ((double)h + 0.5) * z->w;
        if (h < z->k)
            return offset + x;
        if (i == 0) {
            offset += ZIG_R; /* the tail: r + a fresh exponential */
        } else {
            double y = z->f_outer + rng_u01(gap_word(g)) * (z->f_inner - z->f_outer);
            if (zig_wedge_under(i, x, y)) /* y < exp(-x) */
                return offset + x;
        }
        w = gap_word(g);
    }
}
