/*
 * mpi_share.c - MPI over the particles of a calibration (abc.c): the ranks
 * of MPI_COMM_WORLD share the N particle slots of a generation (slot i runs
 * on rank i mod size, on that rank's OpenMP threads); after a generation
 * every rank broadcasts its slots' particles, distances and simulated
 * targets, and the counts are summed, so every rank holds the whole
 * generation and computes the same weights and the next tolerance. A
 * slot's proposals are keyed by (seed, slot, attempt, generation) only, so
 * the posterior is the same, bit for bit, at any number of ranks. Rank 0
 * alone opens the journal and writes the posterior file; what it reads back
 * from the journal and its statuses are broadcast. Without IPSIM_HAVE_MPI
 * these functions are the one-rank case.
 */
#include <stdlib.h>
#include <string.h>

#include "calibrate/cal.h"

#ifdef IPSIM_HAVE_MPI
#include <mpi.h>
#endif

void ipsim__cal_mpi_world(int *rank, int *size)
{
    *rank = 0;
    *size = 1;
#ifdef IPSIM_HAVE_MPI
    int inited = 0;
    MPI_Initialized(&inited);
    if (inited) {
        MPI_Comm_rank(MPI_COMM_WORLD, rank);
        MPI_Comm_size(MPI_COMM_WORLD, size);
    }
#endif
}

int ipsim__cal_mpi_bcast_int(int size, int v)
{
#ifdef IPSIM_HAVE_MPI
    if (size > 1)
        MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
#else
    (void)size;
#endif
    return v;
}

int ipsim__cal_mpi_share(int rank, int size, int N, int P, int T, cal_generation *out, int *done,
                         long *sims, int *capped, int *hard, volatile int *stop)
{
#ifdef IPSIM_HAVE_MPI
    if (size <= 1)
        return 0;
    int in[4] = {*capped, *hard, *stop, 0}, mx[4];
    long cnt[2] = {*done, *sims}, sum[2];
    MPI_Allreduce(in, mx, 4, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(cnt, sum, 2, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    *capped = mx[0];
    *hard = mx[1];
    *stop = mx[2];
    *done = (int)sum[0];
    *sims = sum[1];
    size_t per = (size_t)P + 1 + (size_t)T; /* theta, distance, values */
    size_t slots = (size_t)(N + size - 1) / (size_t)size;
    double *buf = malloc(sizeof *buf * per * (slots ? slots : 1));
    int ok = buf != NULL, all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok) {
        free(buf);
        return -1;
    }
    for (int q = 0; q < size; q++) {
        size_t n = 0;
        for (int i = q; i < N; i += size, n++) {
            double *b = buf + n * per;
            if (q == rank) {
                memcpy(b, out->theta + (size_t)i * P, sizeof *b * (size_t)P);
                b[P] = out->distance[i];
                memcpy(b + P + 1, out->values + (size_t)i * T, sizeof *b * (size_t)T);
            }
        }
        if (n == 0)
            continue;
        MPI_Bcast(buf, (int)(n * per), MPI_DOUBLE, q, MPI_COMM_WORLD);
        if (q == rank)
            continue;
        n = 0;
        for (int i = q; i < N; i += size, n++) {
            const double *b = buf + n * per;
            memcpy(out->theta + (size_t)i * P, b, sizeof *b * (size_t)P);
            out->distance[i] = b[P];
            memcpy(out->values + (size_t)i * T, b + P + 1, sizeof *b * (size_t)T);
        }
    }
    free(buf);
#else
    (void)rank, (void)size, (void)N, (void)P, (void)T, (void)out, (void)done, (void)sims;
    (void)capped, (void)hard, (void)stop;
#endif
    return 0;
}

int ipsim__cal_mpi_bcast_generations(int rank, int size, int N, int P, int T, cal_generation **gens,
                                     int *n)
{
#ifdef IPSIM_HAVE_MPI
    if (size <= 1)
        return 0;
    int count = rank == 0 ? *n : 0;
    MPI_Bcast(&count, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (count == 0)
        return 0;
    int ok = 1, all_ok = 0;
    if (rank != 0) {
        *gens = calloc((size_t)count, sizeof **gens);
        ok = *gens != NULL;
        for (int g = 0; ok && g < count; g++)
            ok = ipsim__cal_generation_alloc(&(*gens)[g], N, P, T) == 0;
        *n = count;
    }
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok)
        return -1;
    for (int g = 0; g < count; g++) {
        cal_generation *x = &(*gens)[g];
        double sc[4] = {x->tolerance, x->acceptance, x->ess, (double)x->simulations};
        int gi = x->g;
        MPI_Bcast(&gi, 1, MPI_INT, 0, MPI_COMM_WORLD);
        MPI_Bcast(sc, 4, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Bcast(x->theta, N * P, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Bcast(x->weight, N, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Bcast(x->distance, N, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Bcast(x->values, N * T, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        x->g = gi;
        x->tolerance = sc[0];
        x->acceptance = sc[1];
        x->ess = sc[2];
        x->simulations = (long)sc[3];
    }
#else
    (void)rank, (void)size, (void)N, (void)P, (void)T, (void)gens, (void)n;
#endif
    return 0;
}
