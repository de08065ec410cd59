/*
 * journal.c - the journal that makes a calibration resumable: OUT.journal,
 * created with O_CREAT|O_EXCL|O_NOFOLLOW, holds a header (magic, the
 * fingerprint of the calibration, its resolved scenario and seed, the
 * particles, parameters and targets) and then one record per finished
 * generation (its statistics, particles, weights, distances and simulated
 * targets, and a checksum), each appended with one write(2) and fsync'ed.
 * A kill -9 at any moment leaves at most a torn last record, which the
 * checksum exposes and resume truncates away; the run then continues with
 * the next generation exactly as the killed one would have.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/textbuf.h"
#include "calibrate/cal.h"
#include "io/fdio.h"

#define JOURNAL_MAGIC "IPSIMC1\n"
#define RECORD_MAGIC 0x47454e31u /* "GEN1" */
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define N_STATS 4 /* tolerance, acceptance, ess, simulations */

struct cal_journal {
    int fd;
    char *path;
    int N, P, T;
};

typedef struct {
    char magic[8];
    uint64_t fp;
    uint32_t n, p, t, pad;
} journal_header;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t fingerprint(const ipsim_calibration *c, uint64_t seed)
{
    uint64_t h = fnv(FNV_OFFSET, c->json_text, strlen(c->json_text));
    char *sc = ipsim_scenario_to_json(c->base);
    if (sc)
        h = fnv(h, sc, strlen(sc));
    free(sc);
    h = fnv(h, &seed, sizeof seed);
    return fnv(h, &c->scale, sizeof c->scale);
}

static size_t record_doubles(int N, int P, int T)
{
    return N_STATS + (size_t)N * ((size_t)P + 2 + (size_t)T);
}

static size_t record_size(int N, int P, int T)
{
    return 8 + 8 * record_doubles(N, P, T) + 8;
}

static void sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Decode a record into gen (allocated here); -1 when torn or corrupt. */
static int decode(const unsigned char *rec, int N, int P, int T, cal_generation *gen)
{
    size_t nd = record_doubles(N, P, T);
    uint32_t magic, g;
    uint64_t check;
    memcpy(&magic, rec, 4);
    memcpy(&g, rec + 4, 4);
    memcpy(&check, rec + 8 + 8 * nd, 8);
    if (magic != RECORD_MAGIC || check != fnv(FNV_OFFSET, rec, 8 + 8 * nd))
        return -1;
    if (ipsim__cal_generation_alloc(gen, N, P, T) != 0)
        return -2;
    const double *d = (const double *)(const void *)(rec + 8);
    double stats[N_STATS];
    memcpy(stats, d, sizeof stats);
    gen->g = (int)g;
    gen->tolerance = stats[0];
    gen->acceptance = stats[1];
    gen->ess = stats[2];
    gen->simulations = (long)stats[3];
    size_t off = N_STATS;
    memcpy(gen->theta, d + off, (size_t)N * P * 8);
    off += (size_t)N * P;
    memcpy(gen->weight, d + off, (size_t)N * 8);
    off += (size_t)N;
    memcpy(gen->distance, d + off, (size_t)N * 8);
    off += (size_t)N;
    memcpy(gen->values, d + off, (size_t)N * T * 8);
    return 0;
}

static ipsim_status read_journal(cal_journal *j, uint64_t fp, cal_generation **gens, int *n_gens,
                                 char *err, size_t errlen)
{
    journal_header h;
    if (ipsim__fd_read_full(j->fd, &h, sizeof h) != sizeof h || memcmp(h.magic, JOURNAL_MAGIC, 8) != 0) {
        ipsim_set_error(err, errlen,
                        "%s: not an ipsim calibration journal (or empty); use --force "
                        "to start over",
                        j->path);
        return IPSIM_ERR_DATA;
    }
    if (h.fp != fp || h.n != (uint32_t)j->N || h.p != (uint32_t)j->P || h.t != (uint32_t)j->T) {
        ipsim_set_error(err, errlen,
                        "%s: the journal belongs to another calibration (file, "
                        "scenario, seed or scale differ); use --force to start over",
                        j->path);
        return IPSIM_ERR_DATA;
    }
    size_t rs = record_size(j->N, j->P, j->T);
    unsigned char *rec = malloc(rs);
    *gens = calloc(CAL_MAX_GENERATIONS + 1, sizeof **gens);
    if (!rec || !*gens) {
        free(rec);
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    off_t good = (off_t)sizeof h;
    while (*n_gens <= CAL_MAX_GENERATIONS && ipsim__fd_read_full(j->fd, rec, rs) == rs) {
        int rc = decode(rec, j->N, j->P, j->T, &(*gens)[*n_gens]);
        if (rc == -2) {
            free(rec);
            ipsim_set_error(err, errlen, "out of memory");
            return IPSIM_ERR_NOMEM;
        }
        if (rc != 0 || (*gens)[*n_gens].g != *n_gens) {
            if (rc == 0)
                ipsim__cal_generation_free(&(*gens)[*n_gens]);
            break;
        }
        (*n_gens)++;
        good += (off_t)rs;
    }
    free(rec);
    if (ftruncate(j->fd, good) != 0 || lseek(j->fd, good, SEEK_SET) != good) {
        ipsim_set_error(err, errlen, "%s: cannot truncate: %s", j->path, strerror(errno));
        return IPSIM_ERR_IO;
    }
    return IPSIM_OK;
}

ipsim_status ipsim__cal_journal_open(const ipsim_calibration *c, uint64_t seed, const char *path,
                                     int resume, int force, cal_journal **out, cal_generation **gens,
                                     int *n_gens, char *err, size_t errlen)
{
    cal_journal *j = calloc(1, sizeof *j);
    size_t n = strlen(path) + 1;
    uint64_t fp = fingerprint(c, seed);
    *out = NULL;
    *gens = NULL;
    *n_gens = 0;
    if (!j || !(j->path = malloc(n))) {
        free(j);
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(j->path, path, n);
    j->N = c->alg.particles;
    j->P = c->n_params;
    j->T = c->n_targets;
    j->fd = -1;
    ipsim_status st = IPSIM_OK;
    if (resume)
        j->fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (j->fd >= 0) {
        st = read_journal(j, fp, gens, n_gens, err, errlen);
    } else if (resume && errno != ENOENT) {
        ipsim_set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        st = IPSIM_ERR_CANTCREAT;
    } else {
        if (force)
            unlink(path);
        j->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        journal_header h;
        memset(&h, 0, sizeof h);
        memcpy(h.magic, JOURNAL_MAGIC, 8);
        h.fp = fp;
        h.n = (uint32_t)j->N;
        h.p = (uint32_t)j->P;
        h.t = (uint32_t)j->T;
        if (j->fd < 0 && errno == EEXIST) {
            ipsim_set_error(err, errlen,
                            "%s: exists: a calibration into this file was stopped; "
                            "continue it with --resume, or start over with --force",
                            path);
            st = IPSIM_ERR_EXISTS;
        } else if (j->fd < 0 || ipsim__fd_write_all(j->fd, &h, sizeof h) != 0 || fsync(j->fd) != 0) {
            ipsim_set_error(err, errlen, "%s: cannot create: %s", path, strerror(errno));
            st = IPSIM_ERR_CANTCREAT;
            if (j->fd >= 0)
                unlink(path);
        } else {
            sync_parent(path);
        }
    }
    if (st != IPSIM_OK) {
        if (*gens)
            for (int g = 0; g < *n_gens; g++)
                ipsim__cal_generation_free(&(*gens)[g]);
        free(*gens);
        *gens = NULL;
        *n_gens = 0;
        ipsim__cal_journal_close(j, 0);
        return st;
    }
    *out = j;
    return IPSIM_OK;
}

ipsim_status ipsim__cal_journal_append(cal_journal *j, const cal_generation *gen, char *err,
                                       size_t errlen)
{
    int N = j->N, P = j->P, T = j->T;
    size_t nd = record_doubles(N, P, T), rs = record_size(N, P, T);
    unsigned char *rec = malloc(rs);
    if (!rec) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    uint32_t magic = RECORD_MAGIC, g = (uint32_t)gen->g;
    double stats[N_STATS] = {gen->tolerance, gen->acceptance, gen->ess, (double)gen->simulations};
    unsigned char *p = rec;
    memcpy(p, &magic, 4);
    memcpy(p + 4, &g, 4);
    p += 8;
    memcpy(p, stats, sizeof stats);
    p += sizeof stats;
    memcpy(p, gen->theta, (size_t)N * P * 8);
    p += (size_t)N * P * 8;
    memcpy(p, gen->weight, (size_t)N * 8);
    p += (size_t)N * 8;
    memcpy(p, gen->distance, (size_t)N * 8);
    p += (size_t)N * 8;
    memcpy(p, gen->values, (size_t)N * T * 8);
    uint64_t check = fnv(FNV_OFFSET, rec, 8 + 8 * nd);
    memcpy(rec + 8 + 8 * nd, &check, 8);
    int ok = ipsim__fd_write_all(j->fd, rec, rs) == 0 && fsync(j->fd) == 0;
    free(rec);
    if (!ok) {
        ipsim_set_error(err, errlen, "%s: cannot write: %s", j->path, strerror(errno));
        return IPSIM_ERR_IO;
    }
    return IPSIM_OK;
}

void ipsim__cal_journal_close(cal_journal *j, int remove)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    if (remove) {
        unlink(j->path);
        sync_parent(j->path);
    }
    free(j->path);
    free(j);
}
