/*
 * candidates.h - the candidates of a block of candidate sampling in gap
 * mode (ODD 4.9; candidates.c), as the kernel's candidate loop takes them.
 */
#ifndef IPSIM_MODEL_CANDIDATES_H
#define IPSIM_MODEL_CANDIDATES_H

#include <stdint.h>

struct ipsim_model;

/* One candidate: agent k of its cell and its impressions today n (0: a
 * trip occasion landed on its set bit, without impressions). Two words:
 * the walk that lists them stores one per impression (candidates.c). */
typedef struct {
    uint32_t k;
    uint32_t n;
} cand;

/* Append to q the candidates of agents c0..c1-1 of cell on day tau (one
 * block of candidate sampling: c0 a multiple of CANDIDATE_BLOCK, c1 - c0 <=
 * CANDIDATE_BLOCK, the cell in gap mode for impressions), in increasing k,
 * and return their number (at most c1 - c0). Reads the considering bitmap
 * of the block, which none of its agents' touches may have changed yet. */
uint32_t ipsim__candidates_gap(const struct ipsim_model *m, int cell, int tau, uint32_t c0, uint32_t c1,
                               cand *q);

#endif /* IPSIM_MODEL_CANDIDATES_H */
