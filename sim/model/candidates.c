/*
 * candidates.c - ODD 4.9, candidate sampling in gap mode: the agents of
 * one block of candidate sampling (CANDIDATE_BLOCK agents of a cell) who
 * act today because of an impression (E) or a trip occasion while
 * considering a trip (O), in increasing order, for the kernel's candidate
 * loop (kernel.c), which touches them.
 *
 * - E: the impressions are the points of a Poisson process of rate lambda
 *   per agent along the block's agents (gaps.h; exponential spacings from
 *   the SKIP words keyed by (cell, block, day)): an agent's count is that
 *   of the points in its unit interval; the agents with none are skipped.
 * - O of an agent without E: only agents considering at the start of the
 *   candidates can use it, and each has its bit set in the considering
 *   bitmap (a set bit may be stale, and is checked on the agent). The
 *   agents with O are found by geometric gaps over the set bits of the
 *   block (OCCASION_SKIP words) or, with p_o >= DIRECT_THRESHOLD, every set
 *   bit is listed (its O is then DAILY v1 < p_o). An agent landed on that
 *   has E is listed once, with its impressions (its O is its DAILY v1).
 *
 * The lists of a block are drawn before any of its agents is touched: the
 * touches change only their own agents' bits, so this reads the bits the
 * candidates started with, as the ODD says.
 */
#include "model/state.h"
#include "model/gaps.h"
#include "model/candidates.h"

/* A walk over the set bits of a block's words. */
typedef struct {
    const uint64_t *w; /* the block's words */
    uint32_t wi, nw;   /* the word being walked, the block's words */
    uint32_t left;     /* set bits of the block not yet passed */
    uint64_t mask;     /* the word's set bits not yet passed */
} bit_walk;

/* Set bits of x (portable: no popcnt instruction is assumed). */
static inline uint64_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (x * 0x0101010101010101u) >> 56;
}

/* The offset of the (g+1)-th set bit from the walk's position, or `none`
 * if the block has fewer; the walk then stands after it. */
static inline uint32_t bits_skip(bit_walk *bw, uint64_t g, uint32_t none)
{
    if (g >= bw->left) {
        bw->left = 0;
        return none;
    }
    bw->left -= (uint32_t)g + 1;
    for (;;) {
        uint64_t c = bw->mask ? popcount64(bw->mask) : 0;
        if (g < c) {
            uint64_t mk = bw->mask;
            for (; g > 0; g--)
                mk &= mk - 1;
            bw->mask = mk & (mk - 1);
            return bw->wi * 64u + (uint32_t)__builtin_ctzll(mk);
        }
        g -= c;
        if (++bw->wi >= bw->nw)
            return none;
        bw->mask = bw->w[bw->wi];
    }
}

/* The offsets (from c0) of the block's agents with O among its set bits,
 * in increasing order, into o; their number. */
static uint32_t occasions(const struct ipsim_model *m, const cell_day *cd, int cell, int tau,
                          uint32_t c0, uint32_t c1, uint16_t *o)
{
    const ipsim_agenda *ev = &m->ev;
    bit_walk bw;
    bw.w = &ev->cons_bits[ev->cons_word0[cell] + c0 / 64];
    bw.nw = (c1 - c0 + 63) / 64;
    bw.wi = 0;
    bw.mask = bw.w[0];
    bw.left = *cons_count(ev, cell, c0);
    if (bw.left == 0)
        return 0;
    gap_stream so;
    gap_start(&so, &m->rng, (uint32_t)cell, c0 / CANDIDATE_BLOCK, (uint32_t)tau, RNG_OCCASION_SKIP,
              cd->log_no_occasion);
    uint32_t n = 0;
    for (;;) {
        uint64_t g = cd->direct_occasion ? 0 : gap_next(&so);
        uint32_t off = bits_skip(&bw, g, CANDIDATE_BLOCK);
        if (off == CANDIDATE_BLOCK)
            return n;
        o[n++] = (uint16_t)off;
    }
}

/* The block's agents with E, merged in increasing order with those of
 * its O list o (from position *jo; ended by a sentinel beyond every agent)
 * into q from position n: the points of stream se along [0, span), each
 * the last plus T x scale (gap_point and gap_points_until of gaps.h, the
 * same words in the same order, walked here with the stream's position in
 * registers: this loop runs once per impression). The next agent of the O
 * list is held too, so an impression costs one comparison for the merge
 * (most blocks' O lists are short or empty). Returns the new n. */
static uint32_t impressions(gap_stream *se, uint32_t c0, double span, const uint16_t *o, uint32_t *jo,
                            cand *q, uint32_t n)
{
    const double scale = se->scale;
    uint32_t u = se->used, have = se->have, j = *jo;
    uint32_t next_o = o[j]; /* the O list's next agent (CANDIDATE_BLOCK: none) */
    double x = 0, end = 0;  /* the next point; the end of agent k's interval */
    uint32_t k = 0;
    int ni = 0; /* points in [k, end) so far */
    for (;;) {
        if (u == have) {
            se->used = u;
            gap_fill(se);
            u = se->used;
            have = se->have;
        }
        uint32_t w = GAP_HELD(se, u);
        u++;
        const zig_layer *z = &zig_table[w & (ZIG_LAYERS - 1)];
        uint32_t h = w >> (32 - ZIG_BITS);
        double t;
        if (h < z->k) {
            t = ((double)h + 0.5) * z->w;
        } else {
            se->used = u;
            t = ipsim__gap_exponential_slow(se, w);
            u = se->used;
            have = se->have;
        }
        x = x + t * scale;
        if (x < end) { /* one more point for agent k */
            ni += ni < MAX_IMPRESSIONS;
            continue;
        }
        if (ni > 0) {
            if (next_o <= k) { /* O list agents up to k come first */
                for (; o[j] < k; j++)
                    q[n++] = (cand){c0 + o[j], 0};
                j += o[j] == k; /* O landed on an agent with E */
                next_o = o[j];
            }
            q[n++] = (cand){c0 + k, (uint32_t)ni};
        }
        if (!(x < span))
            break;
        k = (uint32_t)x; /* x < span <= CANDIDATE_BLOCK */
        end = (double)(k + 1);
        ni = 1;
    }
    se->used = u;
    *jo = j;
    return n;
}

uint32_t ipsim__candidates_gap(const struct ipsim_model *m, int cell, int tau, uint32_t c0, uint32_t c1,
                               cand *q)
{
    const cell_day *cd = &m->cells[cell];
    uint16_t o[CANDIDATE_BLOCK + 1];
    uint32_t no = cd->p_occasion > 0 ? occasions(m, cd, cell, tau, c0, c1, o) : 0;
    o[no] = CANDIDATE_BLOCK; /* beyond every agent: ends the merge below */
    uint32_t n = 0, j = 0;
    if (cd->p_expose > 0) {
        gap_stream se;
        gap_start(&se, &m->rng, (uint32_t)cell, c0 / CANDIDATE_BLOCK, (uint32_t)tau, RNG_SKIP, -cd->lambda);
        double span = (double)(c1 - c0);
        gap_expect(&se, cd->lambda * span); /* a word a point */
        n = impressions(&se, c0, span, o, &j, q, n);
    }
    for (; j < no; j++)
        q[n++] = (cand){c0 + o[j], 0};
    return n;
}
