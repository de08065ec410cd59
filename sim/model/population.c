/*
 * population.c - consumer agents: how many, where, and their initial state.
 *
 * Each source market contributes round(population x adult_share x
 * segment share / scale) agents to each of its two segments (CEC share and
 * 1 - CEC share of adults). Agents are stored cell by cell (cell = market x 2
 * + segment) in one 16-byte record per agent (ODD 2, 5). Initial
 * awareness and salience are drawn per agent from the INIT stream.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/bigalloc.h"
#include "model/state.h"
#include "model/philox_batch.h"

/* Bytes of state per agent: one record (state.h). */
double ipsim__population_bytes_per_agent(void)
{
    return sizeof(ipsim_agent);
}

static double cell_adults(const sc_market *mk, int seg)
{
    double adults = mk->population * mk->adult_share;
    return adults * (seg == IPSIM_SEG_CEC ? mk->cec_share : 1.0 - mk->cec_share);
}

static int alloc_agents(ipsim_agents *a, uint64_t n)
{
    if (n > SIZE_MAX / sizeof(ipsim_agent))
        return -1;
    ipsim_big_pages got;
    a->a = ipsim__big_calloc((size_t)n, sizeof(ipsim_agent), &got); /* mapped, zeroed (bigalloc.c) */
    a->on_pool = got == IPSIM_BIG_PAGES_POOL;
    return a->a ? 0 : -1;
}

static void free_agents(ipsim_agents *a, uint64_t n)
{
    ipsim__big_free(a->a, (size_t)n, sizeof(ipsim_agent));
    a->a = NULL;
}

/* Agents k0..k1-1 of cell (k1 - k0 <= PHILOX_LANES), each from its INIT
 * block (cell, k, day 0, draw 0; computed together, philox_batch.c, the
 * same words as rng_block's): aware if v0 < initial_awareness of its market
 * and segment; an aware agent's salience is initial_salience times a unit
 * exponential (-log v1); every attitude starts at the destination's
 * initial reputation. */
static void init_agents(struct ipsim_model *m, int cell, uint32_t k0, uint32_t k1)
{
    const sc_market *mk = &m->sc->markets[cell_market(cell)];
    const double awareness = mk->initial_awareness[cell_segment(cell)];
    const double s0 = m->sc->parameters.exposure.initial_salience;
    const uint16_t attitude =
        (uint16_t)lround(clamp01(m->sc->destination.initial_reputation) * ATTITUDE_Q);
    philox_lanes l;
    int n = (int)(k1 - k0), lanes = (n + PHILOX_GROUP - 1) / PHILOX_GROUP * PHILOX_GROUP;
    for (int j = 0; j < lanes; j++) /* lanes past n: defined, ignored */
        philox_lanes_set(&l, j, &m->rng, (uint32_t)cell, k0 + (uint32_t)(j < n ? j : 0), 0, RNG_INIT, 0);
    ipsim__philox_lanes(&l, lanes, &m->rng.rk);
    ipsim_agent *a = &m->ag.a[m->cell_start[cell] + k0];
    for (int j = 0; j < n; j++) {
        int aware = rng_u01(l.x[0][j]) < awareness;
        a[j].state = aware ? ST_AWARE : ST_UNAWARE;
        a[j].salience = aware ? (float)(-s0 * log(rng_u01(l.x[1][j]))) : 0.0f;
        a[j].attitude = attitude;
    }
}

int ipsim__population_create(struct ipsim_model *m)
{
    const sc_data *sc = m->sc;
    m->cell_n = calloc((size_t)m->n_cells, sizeof(uint32_t));
    m->cell_start = calloc((size_t)m->n_cells + 1, sizeof(uint64_t));
    m->cell_people = calloc((size_t)m->n_cells, sizeof(double));
    if (!m->cell_n || !m->cell_start || !m->cell_people)
        return -1;
    uint64_t total = 0;
    for (int c = 0; c < m->n_cells; c++) {
        double n = floor(cell_adults(&sc->markets[cell_market(c)], cell_segment(c)) / m->scale + 0.5);
        if (n > 4294967295.0)
            return -2;
        m->cell_n[c] = (uint32_t)n;
        m->cell_start[c] = total;
        m->cell_people[c] = n * m->scale;
        total += (uint64_t)n;
    }
    m->cell_start[m->n_cells] = total;
    m->n_agents = total;
    if (alloc_agents(&m->ag, total) != 0)
        return -1;
    for (int c = 0; c < m->n_cells; c++) {
        int64_t batches = ((int64_t)m->cell_n[c] + PHILOX_LANES - 1) / PHILOX_LANES;
#pragma omp parallel for schedule(static) num_threads(m->threads)
        for (int64_t bt = 0; bt < batches; bt++) {
            uint32_t k0 = (uint32_t)bt * PHILOX_LANES, k1 = m->cell_n[c];
            init_agents(m, c, k0, k1 - k0 < PHILOX_LANES ? k1 : k0 + PHILOX_LANES);
        }
    }
    return 0;
}

void ipsim__population_free(struct ipsim_model *m)
{
    free_agents(&m->ag, m->n_agents);
    free(m->cell_n);
    free(m->cell_start);
    free(m->cell_people);
    m->cell_n = NULL;
    m->cell_start = NULL;
    m->cell_people = NULL;
}
