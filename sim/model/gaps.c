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
 * probability grain of the words). Also the refill of a stream's words
 * (gaps.h): as many Philox blocks as the stream has used so far, at most
 * GAP_BATCH at a time.
 */
#include <math.h>
#include "model/gaps.h"

void ipsim__gap_refill(gap_stream *g)
{
    /* a stream that has used j blocks gets j more, up to GAP_BATCH: most
     * streams of a small cell end within a block or two, and a long one
     * soon reaches the full batch */
    int n = g->j < GAP_BATCH ? (int)g->j : GAP_BATCH; /* >= 2 (gap_word) */
    philox_lanes l;
    for (int b = 0; b < n; b++)
        philox_lanes_set(&l, b, g->rng, g->cell, GAP_AGENT_WORD(g, g->j + (uint32_t)b), g->day,
                         (rng_purpose)g->purpose, (g->j + (uint32_t)b) & 0xffu);
    ipsim__philox_lanes(&l, n, g->rng->key);
    for (int b = 0; b < n; b++)
        for (int w = 0; w < 4; w++)
            g->buf[4 * b + w] = l.x[w][b];
    g->j += (uint32_t)n;
    g->have = 4 * (uint32_t)n;
    g->used = 0;
}

double ipsim__gap_exponential_slow(gap_stream *g, uint32_t w)
{
    double offset = 0;
    for (;;) {
        const zig_layer *z = &zig_table[w & (ZIG_LAYERS - 1)];
        uint32_t h = w >> (32 - ZIG_BITS);
        double x = ((double)h + 0.5) * z->w;
        if (h < z->k)
            return offset + x;
        if (z == &zig_table[0]) {
            offset += ZIG_R; /* the tail: r + a fresh exponential */
        } else {
            double y = z->f_outer + rng_u01(gap_word(g)) * (z->f_inner - z->f_outer);
            if (y < exp(-x))
                return offset + x;
        }
        w = gap_word(g);
    }
}
