/*
 * sweep_journal.c - the state of a sweep between its units and the journal
 * that makes it resumable (see sweep.h), and the small durable-write
 * helpers it shares with the sweep file writer.
 *
 * Journal (OUT.journal): a header (magic, fingerprint of the sweep, unit
 * count, numbers per unit, shard) then one fixed-size record per finished
 * or failed unit (unit, state, seconds, values, checksum), appended with a
 * single write(2) and fsync'ed. A kill at any moment leaves at most a torn
 * last record, which the checksum exposes and resume truncates away.
 * Records are never rewritten, so finished units are never lost. When
 * every unit of the shard is done, ipsim__sw_finish writes the sweep file
 * (sweep_file.c) and removes the journal.
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

#include "experiment/sweep.h"
#include "experiment/sweep_file.h"
#include "base/textbuf.h"

#define JOURNAL_MAGIC "IPSIMJ1\n"
#define RECORD_MAGIC 0x4a524543u

struct sw_state {
    ipsim_experiment *e;
    char *out, *journal;
    int P, R, U;
    size_t nv;
    double *vals;            /* [unit][nv] */
    unsigned char *state;    /* [unit] */
    double *secs;            /* [unit] */
    int shard_k, shard_n;    /* 0/0: all */
    int force;
    int fd;
    uint64_t fp;
    int failed_before;
    double scale;
};

typedef struct {
    char magic[8];
    uint64_t fp;
    uint32_t units, nv, shard_k, shard_n;
} journal_header;

/* ---- helpers ------------------------------------------------------------ */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

char *ipsim__sw_cat(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    if (s) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

void ipsim__sw_sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int ipsim__sw_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- state and journal -------------------------------------------------- */

int ipsim__sw_units(const sw_state *s) { return s->U; }
int ipsim__sw_replicates(const sw_state *s) { return s->R; }
size_t ipsim__sw_values(const sw_state *s) { return s->nv; }
int ipsim__sw_failed_before(const sw_state *s) { return s->failed_before; }

static int in_shard(const sw_state *s, int u)
{
    return s->shard_n <= 0 || u % s->shard_n == s->shard_k - 1;
}

int ipsim__sw_shard_units(const sw_state *s)
{
    int n = 0;
    for (int u = 0; u < s->U; u++)
        n += in_shard(s, u);
    return n;
}

int ipsim__sw_done(const sw_state *s)
{
    int n = 0;
    for (int u = 0; u < s->U; u++)
        n += in_shard(s, u) && s->state[u] == SW_DONE;
    return n;
}

int ipsim__sw_next(const sw_state *s, int *cursor)
{
    for (int u = *cursor; u < s->U; u++)
        if (in_shard(s, u) && s->state[u] != SW_DONE) {
            *cursor = u + 1;
            return u;
        }
    *cursor = s->U;
    return -1;
}

static size_t record_size(const sw_state *s)
{
    return 24 + 8 * s->nv + 8;
}

static uint64_t fingerprint(const ipsim_experiment *e, int R, double scale, size_t nv)
{
    uint64_t h = 0xcbf29ce484222325ull;
    uint64_t v[4] = {(uint64_t)R, e->run_seed, (uint64_t)nv, (uint64_t)e->n_points};
    h = fnv(h, e->json_text, strlen(e->json_text));
    h = fnv(h, v, sizeof v);
    h = fnv(h, &scale, sizeof scale);
    return h;
}

/* Read the records of an open journal into s; truncate a torn tail. */
static ipsim_status read_journal(sw_state *s, int fd, char *err, size_t errlen)
{
    journal_header h;
    ssize_t n = read(fd, &h, sizeof h);
    if (n != (ssize_t)sizeof h || memcmp(h.magic, JOURNAL_MAGIC, 8) != 0) {
        ipsim_set_error(err, errlen, "%s: not an ipsim sweep journal (or empty); use --force to start over",
                s->journal);
        return IPSIM_ERR_DATA;
    }
    if (h.fp != s->fp || h.units != (uint32_t)s->U || h.nv != s->nv ||
        h.shard_k != (uint32_t)s->shard_k || h.shard_n != (uint32_t)s->shard_n) {
        ipsim_set_error(err, errlen, "%s: the journal belongs to a different sweep (experiment, "
                "replicates, scale or shard differ); use --force to start over", s->journal);
        return IPSIM_ERR_DATA;
    }
    size_t rs = record_size(s);
    unsigned char *rec = malloc(rs);
    off_t good = (off_t)sizeof h;
    if (!rec) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    for (;;) {
        size_t got = 0;
        while (got < rs) {
            n = read(fd, rec + got, rs - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (got < rs)
            break;
        uint32_t magic, unit, state;
        uint64_t check;
        memcpy(&magic, rec, 4);
        memcpy(&unit, rec + 4, 4);
        memcpy(&state, rec + 8, 4);
        memcpy(&check, rec + rs - 8, 8);
        if (magic != RECORD_MAGIC || unit >= (uint32_t)s->U ||
            check != fnv(0xcbf29ce484222325ull, rec, rs - 8) ||
            (state != SW_DONE && state != SW_FAILED))
            break;
        good += (off_t)rs;
        if (state == SW_DONE || s->state[unit] != SW_DONE) {
            s->state[unit] = (unsigned char)state;
            memcpy(&s->secs[unit], rec + 16, 8);
            if (state == SW_DONE)
                memcpy(s->vals + (size_t)unit * s->nv, rec + 24, 8 * s->nv);
        }
    }
    free(rec);
    for (int u = 0; u < s->U; u++)
        s->failed_before += s->state[u] == SW_FAILED;
    if (ftruncate(fd, good) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot truncate a torn record: %s", s->journal, strerror(errno));
        return IPSIM_ERR_IO;
    }
    return IPSIM_OK;
}

static ipsim_status create_journal(sw_state *s, char *err, size_t errlen)
{
    int fd = open(s->journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    journal_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, JOURNAL_MAGIC, 8);
    h.fp = s->fp;
    h.units = (uint32_t)s->U;
    h.nv = (uint32_t)s->nv;
    h.shard_k = (uint32_t)s->shard_k;
    h.shard_n = (uint32_t)s->shard_n;
    if (fd < 0 || ipsim__sw_write_all(fd, &h, sizeof h) != 0 || fsync(fd) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot create the journal: %s", s->journal, strerror(errno));
        if (fd >= 0)
            close(fd);
        return IPSIM_ERR_CANTCREAT;
    }
    close(fd);
    ipsim__sw_sync_parent(s->journal);
    return IPSIM_OK;
}

static sw_state *state_new(ipsim_experiment *e, int R, double scale)
{
    sw_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->e = e;
    s->fd = -1;
    s->P = e->n_points;
    s->R = R;
    s->U = e->n_points * R;
    s->nv = ipsim__xp_unit_values(e);
    s->scale = scale;
    s->vals = malloc((size_t)s->U * s->nv * sizeof *s->vals);
    s->state = calloc((size_t)s->U, 1);
    s->secs = calloc((size_t)s->U, sizeof *s->secs);
    if (!s->vals || !s->state || !s->secs) {
        ipsim__sw_close(s);
        return NULL;
    }
    for (size_t i = 0; i < (size_t)s->U * s->nv; i++)
        s->vals[i] = NAN;
    for (int u = 0; u < s->U; u++)
        s->secs[u] = NAN;
    s->fp = fingerprint(e, R, scale, s->nv);
    return s;
}

ipsim_status ipsim__sw_open(ipsim_experiment *e, const char *out, const ipsim_sweep_options *o,
                     sw_state **sp, char *err, size_t errlen)
{
    struct stat st;
    int R = ipsim__xp_replicates(e, o);
    *sp = NULL;
    if ((double)e->n_points * R > 2e9) {
        ipsim_set_error(err, errlen, "%s: %d points x %d replicates is too many units", e->origin,
                e->n_points, R);
        return IPSIM_ERR_LIMIT;
    }
    sw_state *s = state_new(e, R, ipsim__xp_scale(e, o));
    if (!s) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    s->shard_k = o ? o->shard_k : 0;
    s->shard_n = o ? o->shard_n : 0;
    s->force = o && o->force;
    s->out = ipsim__sw_cat(out, "");
    s->journal = ipsim__sw_cat(out, ".journal");
    ipsim_status rc = IPSIM_OK;
    if (!s->out || !s->journal) {
        ipsim_set_error(err, errlen, "out of memory");
        rc = IPSIM_ERR_NOMEM;
        goto done;
    }
    int have_journal = lstat(s->journal, &st) == 0;
    if (lstat(out, &st) == 0 && !s->force && !(o && o->resume && have_journal)) {
        ipsim_set_error(err, errlen, "%s: already exists%s; use --force to overwrite it", out,
                o && o->resume ? " and there is no journal to resume (the sweep is complete)"
                               : "");
        rc = IPSIM_ERR_EXISTS;
        goto done;
    }
    if (have_journal && !s->force && !(o && o->resume)) {
        ipsim_set_error(err, errlen, "%s: an interrupted sweep left this journal; use --resume to "
                "continue it or --force to start over", s->journal);
        rc = IPSIM_ERR_EXISTS;
        goto done;
    }
    if (have_journal && !s->force) {
        int fd = open(s->journal, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            ipsim_set_error(err, errlen, "%s: cannot open: %s", s->journal, strerror(errno));
            rc = IPSIM_ERR_NOINPUT;
            goto done;
        }
        rc = read_journal(s, fd, err, errlen);
        close(fd);
    } else {
        rc = create_journal(s, err, errlen);
    }
    if (rc == IPSIM_OK) {
        s->fd = open(s->journal, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (s->fd < 0) {
            ipsim_set_error(err, errlen, "%s: cannot open: %s", s->journal, strerror(errno));
            rc = IPSIM_ERR_CANTCREAT;
        }
    }
done:
    if (rc != IPSIM_OK)
        ipsim__sw_close(s);
    else
        *sp = s;
    return rc;
}

ipsim_status ipsim__sw_record(sw_state *s, int unit, int state, double seconds, const double *values,
                       char *err, size_t errlen)
{
    size_t rs = record_size(s);
    unsigned char *rec = calloc(1, rs);
    uint32_t magic = RECORD_MAGIC, u = (uint32_t)unit, st = (uint32_t)state;
    if (!rec) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(rec, &magic, 4);
    memcpy(rec + 4, &u, 4);
    memcpy(rec + 8, &st, 4);
    memcpy(rec + 16, &seconds, 8);
    if (state == SW_DONE)
        memcpy(rec + 24, values, 8 * s->nv);
    uint64_t check = fnv(0xcbf29ce484222325ull, rec, rs - 8);
    memcpy(rec + rs - 8, &check, 8);
    int ok = ipsim__sw_write_all(s->fd, rec, rs) == 0 && fsync(s->fd) == 0;
    free(rec);
    if (!ok) {
        ipsim_set_error(err, errlen, "%s: cannot write: %s", s->journal, strerror(errno));
        return IPSIM_ERR_IO;
    }
    s->state[unit] = (unsigned char)state;
    s->secs[unit] = seconds;
    if (state == SW_DONE)
        memcpy(s->vals + (size_t)unit * s->nv, values, 8 * s->nv);
    return IPSIM_OK;
}

void ipsim__sw_close(sw_state *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->out);
    free(s->journal);
    free(s->vals);
    free(s->state);
    free(s->secs);
    free(s);
}

ipsim_status ipsim__sw_finish(sw_state *s, double wall, ipsim_sweep_result *res, char *err,
                       size_t errlen)
{
    int n = ipsim__sw_shard_units(s), done = ipsim__sw_done(s), failed = 0;
    for (int u = 0; u < s->U; u++)
        if (in_shard(s, u))
            failed += s->state[u] == SW_FAILED;
    if (res) {
        res->units = n;
        res->done = done;
        res->left = n - done - failed;
        res->wall_seconds = wall;
    }
    if (done < n)
        return IPSIM_OK;
    sweep_data d = {s->e, s->R, s->scale, s->nv, s->vals, s->state, s->secs,
                    s->shard_k, s->shard_n, s->fp, wall, s->shard_n <= 1};
    ipsim_status st = ipsim__swf_write(&d, s->out, err, errlen);
    if (st == IPSIM_OK) {
        close(s->fd);
        s->fd = -1;
        unlink(s->journal);
        ipsim__sw_sync_parent(s->journal);
    }
    return st;
}
