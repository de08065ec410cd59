/*
 * sweep_journal.c - the state of a sweep between its units and the journal
 * that makes it resumable (see sweep.h).
 *
 * Journal (OUT.journal): a header (magic, fingerprint of the sweep, unit
 * count, numbers per unit, shard, length of the identity), the sweep's
 * identity (sweep_identity.c: what its units depend on, resolved scenarios
 * included), then one fixed-size record per finished or failed unit (unit,
 * state, seconds, values, checksum), appended with a single write(2) and
 * fsync'ed at most JOURNAL_SYNC_SECONDS after it was written (group
 * commit: a record is synced at once when the last sync is that old, else
 * with a later record, and at the latest when the sweep stops). A kill of
 * the process at any moment loses no finished unit (its record reached the
 * kernel before the unit counted as done) and leaves at most a torn last
 * record, which the checksum exposes and resume truncates away; a crash of
 * the machine (power loss) loses at most the units recorded in the last
 * JOURNAL_SYNC_SECONDS, which --resume runs again (a damaged tail is cut
 * at its first bad record). Records are never rewritten, so finished units
 * are never lost otherwise; --resume refuses a journal
 * whose identity differs from the sweep's now and names the difference.
 * When every unit of the shard is done, ipsim__sw_finish writes the sweep
 * file (sweep_file.c) and removes the journal.
 *
 * Files: the sweep holds OUT.lock (io/safe_file.h) from ipsim__sw_open to
 * ipsim__sw_close, so a second writer of OUT is refused (exit 73); OUT and
 * the journal must be regular files (or absent), --force included; the
 * journal is created new (O_EXCL, never through a symlink: written to a
 * unique temp file and linked into place) and opened for --resume only
 * when it is a regular file. --resume of a sweep whose file is complete
 * and of the same identity does nothing (exit 0).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "experiment/posterior_draws.h"
#include "experiment/sweep.h"
#include "experiment/sweep_file.h"
#include "io/safe_file.h"
#include "base/textbuf.h"
#include "io/fdio.h"

#define JOURNAL_MAGIC "IPSIMJ2\n"
#define JOURNAL_MAGIC_V1 "IPSIMJ1\n"
#define RECORD_MAGIC 0x4a524543u
#define IDENTITY_MAX ((uint64_t)1 << 30) /* bytes of an identity in a journal */
/* Longest a written record waits for its fsync: tiny units finish hundreds
 * of times a second, and one fsync per unit (~3 ms on this machine's disk,
 * under the lock that orders the records) cost a quarter of a tiny sweep's
 * time (issue 13); a unit of a second or more is still synced on its own. */
#define JOURNAL_SYNC_SECONDS 1.0

struct sw_state {
    ipsim_experiment *e;
    char *out, *journal;
    int P, R, U;
    size_t nv;
    double *vals;         /* [unit][nv] */
    unsigned char *state; /* [unit] */
    double *secs;         /* [unit] */
    int shard_k, shard_n; /* 0/0: all */
    int force;
    int fd;
    int lock_fd;    /* OUT.lock, held until ipsim__sw_close */
    int complete;   /* OUT is this sweep, complete: nothing to do */
    char *identity; /* sweep_identity.c */
    uint64_t fp;
    int failed_before;
    double scale;
    int unsynced;     /* records written since the last fsync */
    double synced_at; /* CLOCK_MONOTONIC seconds of the last fsync (0: none) */
};

typedef struct {
    char magic[8];
    uint64_t fp;
    uint32_t units, nv, shard_k, shard_n;
    uint64_t identity_len; /* bytes of the identity text that follows */
} journal_header;

/* ---- helpers ------------------------------------------------------------ */

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* fsync the journal if records wait for it; 0 or -1 (errno). */
static int sync_journal(sw_state *s)
{
    if (s->unsynced == 0 || s->fd < 0)
        return 0;
    if (fsync(s->fd) != 0)
        return -1;
    s->unsynced = 0;
    s->synced_at = mono_seconds();
    return 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- state and journal -------------------------------------------------- */

int ipsim__sw_units(const sw_state *s)
{
    return s->U;
}
int ipsim__sw_replicates(const sw_state *s)
{
    return s->R;
}
size_t ipsim__sw_values(const sw_state *s)
{
    return s->nv;
}
int ipsim__sw_failed_before(const sw_state *s)
{
    return s->failed_before;
}

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

/* "shard K/N" or "the whole sweep", for messages. */
static void shard_text(int k, int n, char *buf, size_t len)
{
    if (n > 0)
        snprintf(buf, len, "shard %d/%d", k, n);
    else
        snprintf(buf, len, "the whole sweep");
}

/* Read the header and identity of an open journal and check them against
 * s. */
static ipsim_status read_header(sw_state *s, int fd, journal_header *h, char *err, size_t errlen)
{
    struct stat sb;
    ssize_t n = read(fd, h, sizeof *h);
    if (n >= 8 && memcmp(h->magic, JOURNAL_MAGIC_V1, 8) == 0) {
        ipsim_set_error(err, errlen,
                        "%s: a journal of an older ipsim (format 1, without the "
                        "resolved scenarios), so its units cannot be checked against this sweep; "
                        "use --force to start over",
                        s->journal);
        return IPSIM_ERR_DATA;
    }
    if (n != (ssize_t)sizeof *h || memcmp(h->magic, JOURNAL_MAGIC, 8) != 0 || fstat(fd, &sb) != 0 ||
        h->identity_len == 0 || h->identity_len > IDENTITY_MAX ||
        h->identity_len > (uint64_t)sb.st_size - sizeof *h) {
        ipsim_set_error(err, errlen,
                        "%s: not an ipsim sweep journal (or empty); use --force to start over",
                        s->journal);
        return IPSIM_ERR_DATA;
    }
    char *id = malloc((size_t)h->identity_len + 1);
    size_t got = 0;
    while (id && got < h->identity_len) {
        n = read(fd, id + got, (size_t)h->identity_len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (!id || got < h->identity_len) {
        free(id);
        ipsim_set_error(err, errlen,
                        id ? "%s: the journal's header is cut short; use --force to "
                             "start over"
                           : "%s: out of memory",
                        s->journal);
        return id ? IPSIM_ERR_DATA : IPSIM_ERR_NOMEM;
    }
    id[got] = '\0';
    ipsim_status st = IPSIM_OK;
    if (strcmp(id, s->identity) != 0) {
        char why[1024];
        ipsim__sw_identity_diff(s->e, id, s->identity, "in the journal", "now", why, sizeof why);
        ipsim_set_error(err, errlen,
                        "%s: the journal belongs to a different sweep: %s; its units "
                        "cannot be mixed with this sweep's: use --force to start over (or "
                        "restore what changed)",
                        s->journal, why);
        st = IPSIM_ERR_DATA;
    } else if (h->units != (uint32_t)s->U || h->nv != s->nv || h->shard_k != (uint32_t)s->shard_k ||
               h->shard_n != (uint32_t)s->shard_n) {
        char was[32], now[32];
        shard_text((int)h->shard_k, (int)h->shard_n, was, sizeof was);
        shard_text(s->shard_k, s->shard_n, now, sizeof now);
        ipsim_set_error(err, errlen,
                        "%s: the journal belongs to a different sweep (%s in the "
                        "journal, %s now); use --force to start over",
                        s->journal, was, now);
        st = IPSIM_ERR_DATA;
    }
    free(id);
    return st;
}

/* Read the records of an open journal into s; truncate a torn tail. */
static ipsim_status read_journal(sw_state *s, int fd, char *err, size_t errlen)
{
    journal_header h;
    ipsim_status st = read_header(s, fd, &h, err, errlen);
    if (st != IPSIM_OK)
        return st;
    ssize_t n;
    size_t rs = record_size(s);
    unsigned char *rec = malloc(rs);
    off_t good = (off_t)(sizeof h + h.identity_len);
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
        ipsim_set_error(err, errlen, "%s: cannot truncate a torn record: %s", s->journal,
                        strerror(errno));
        return IPSIM_ERR_IO;
    }
    return IPSIM_OK;
}

/* A new journal holding the header and identity: written to a unique temp
 * file and linked into place (never replacing anything, never through a
 * symlink). */
static ipsim_status create_journal(sw_state *s, char *err, size_t errlen)
{
    journal_header h;
    size_t idlen = strlen(s->identity);
    memset(&h, 0, sizeof h);
    memcpy(h.magic, JOURNAL_MAGIC, 8);
    h.fp = s->fp;
    h.units = (uint32_t)s->U;
    h.nv = (uint32_t)s->nv;
    h.shard_k = (uint32_t)s->shard_k;
    h.shard_n = (uint32_t)s->shard_n;
    h.identity_len = idlen;
    char *tmp = NULL, *buf = malloc(sizeof h + idlen);
    if (!buf) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, s->identity, idlen);
    int fd = ipsim__safe_tmp_create(s->journal, &tmp, err, errlen);
    ipsim_status st =
        fd < 0 ? (tmp == NULL && fd == IPSIM_SAFE_TMP_NOMEM ? IPSIM_ERR_NOMEM : IPSIM_ERR_CANTCREAT)
               : ipsim__safe_write_close(fd, buf, sizeof h + idlen, s->journal, err, errlen);
    free(buf);
    if (st == IPSIM_OK)
        st = ipsim__safe_publish(tmp, s->journal, 0, "journal", err, errlen);
    if (tmp && st != IPSIM_OK)
        unlink(tmp);
    free(tmp);
    if (st == IPSIM_ERR_IO || st == IPSIM_ERR_EXISTS)
        st = IPSIM_ERR_CANTCREAT;
    return st;
}

static sw_state *state_new(ipsim_experiment *e, int R, double scale)
{
    sw_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->e = e;
    s->fd = -1;
    s->lock_fd = -1;
    s->P = e->n_points;
    s->R = R;
    s->U = e->n_points * R;
    s->nv = ipsim__xp_unit_values(e);
    s->scale = scale;
    s->vals = malloc((size_t)s->U * s->nv * sizeof *s->vals);
    s->state = calloc((size_t)s->U, 1);
    s->secs = calloc((size_t)s->U, sizeof *s->secs);
    s->identity = ipsim__sw_identity(e, R, scale, s->nv);
    if (!s->vals || !s->state || !s->secs || !s->identity) {
        ipsim__sw_close(s);
        return NULL;
    }
    for (size_t i = 0; i < (size_t)s->U * s->nv; i++)
        s->vals[i] = NAN;
    for (int u = 0; u < s->U; u++)
        s->secs[u] = NAN;
    s->fp = ipsim__sw_identity_hash(s->identity);
    return s;
}

/* OUT exists, --resume, no journal: nothing to do when OUT is this very
 * sweep (shard) complete; else IPSIM_ERR_EXISTS naming the difference. */
static ipsim_status check_complete(sw_state *s, char *err, size_t errlen)
{
    char *id = NULL, shard[32] = "", now[32] = "", why[1024] = "";
    ipsim_status st = ipsim__swf_read_identity(s->out, &id, shard, sizeof shard, why, sizeof why);
    if (s->shard_n > 0)
        snprintf(now, sizeof now, "%d/%d", s->shard_k, s->shard_n);
    if (st == IPSIM_OK && strcmp(id, s->identity) == 0 && strcmp(shard, now) == 0) {
        free(id);
        s->complete = 1;
        for (int u = 0; u < s->U; u++)
            if (in_shard(s, u))
                s->state[u] = SW_DONE;
        return IPSIM_OK;
    }
    if (st == IPSIM_OK && strcmp(id, s->identity) != 0)
        ipsim__sw_identity_diff(s->e, id, s->identity, "in the file", "now", why, sizeof why);
    else if (st == IPSIM_OK)
        snprintf(why, sizeof why, "it is %s%s, not %s%s", *shard ? "shard " : "the whole sweep", shard,
                 *now ? "shard " : "the whole sweep", now);
    free(id);
    ipsim_set_error(err, errlen,
                    "%s: already exists and there is no journal to resume, but it is "
                    "not this sweep complete (%s); use --force to overwrite it",
                    s->out, why);
    return IPSIM_ERR_EXISTS;
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
    ipsim_status rc = ipsim__xp_post_check(e, R, err, errlen);
    if (rc == IPSIM_OK)
        rc = ipsim__sw_check_memory(e, R, o, 1, out, err, errlen);
    if (rc == IPSIM_OK) /* refuse a symlink, FIFO, device... at OUT before anything */
        rc = ipsim__safe_check_target(out, 1, "sweep file", err, errlen);
    if (rc != IPSIM_OK)
        return rc;
    sw_state *s = state_new(e, R, ipsim__xp_scale(e, o));
    if (!s) {
        ipsim_set_error(err, errlen, "out of memory");
        return IPSIM_ERR_NOMEM;
    }
    s->shard_k = o ? o->shard_k : 0;
    s->shard_n = o ? o->shard_n : 0;
    s->force = o && o->force;
    s->out = ipsim__str_cat(out, "");
    s->journal = ipsim__str_cat(out, ".journal");
    if (!s->out || !s->journal) {
        ipsim_set_error(err, errlen, "out of memory");
        rc = IPSIM_ERR_NOMEM;
        goto done;
    }
    /* one writer at a time; then look again at what stands there */
    if ((rc = ipsim__safe_lock(out, &s->lock_fd, err, errlen)) != IPSIM_OK ||
        (rc = ipsim__safe_check_target(out, 1, "sweep file", err, errlen)) != IPSIM_OK ||
        (rc = ipsim__safe_check_target(s->journal, 1, "journal", err, errlen)) != IPSIM_OK)
        goto done;
    int have_journal = lstat(s->journal, &st) == 0;
    if (lstat(out, &st) == 0 && !s->force && o && o->resume && !have_journal) {
        rc = check_complete(s, err, errlen);
        goto done;
    }
    if (lstat(out, &st) == 0 && !s->force && !(o && o->resume && have_journal)) {
        ipsim_set_error(err, errlen, "%s: already exists; use --force to overwrite it", out);
        rc = IPSIM_ERR_EXISTS;
        goto done;
    }
    if (have_journal && !s->force && !(o && o->resume)) {
        ipsim_set_error(err, errlen,
                        "%s: an interrupted sweep left this journal; use --resume to "
                        "continue it or --force to start over",
                        s->journal);
        rc = IPSIM_ERR_EXISTS;
        goto done;
    }
    if (have_journal && !s->force) {
        ipsim_status ost;
        s->fd = ipsim__safe_open_input(s->journal, O_RDWR, 1, "journal", &ost, err, errlen);
        rc = s->fd < 0 ? ost : read_journal(s, s->fd, err, errlen);
    } else {
        if (have_journal && unlink(s->journal) != 0) { /* --force: a regular file, checked */
            ipsim_set_error(err, errlen, "%s: cannot remove: %s", s->journal, strerror(errno));
            rc = IPSIM_ERR_CANTCREAT;
            goto done;
        }
        ipsim__safe_remove_stale(s->journal); /* temp journals of crashed sweeps */
        rc = create_journal(s, err, errlen);
        if (rc == IPSIM_OK) {
            ipsim_status ost;
            s->fd = ipsim__safe_open_input(s->journal, O_WRONLY, 1, "journal", &ost, err, errlen);
            if (s->fd < 0)
                rc = IPSIM_ERR_CANTCREAT;
        }
    }
    if (rc == IPSIM_OK) {
        int fl = fcntl(s->fd, F_GETFL);
        if (fl < 0 || fcntl(s->fd, F_SETFL, fl | O_APPEND) != 0 || lseek(s->fd, 0, SEEK_END) < 0) {
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
    int ok = ipsim__fd_write_all(s->fd, rec, rs) == 0;
    free(rec);
    if (ok) {
        double now = mono_seconds();
        s->unsynced++;
        if (now - s->synced_at >= JOURNAL_SYNC_SECONDS)
            ok = sync_journal(s) == 0;
    }
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
    if (s->fd >= 0) {
        sync_journal(s); /* the records of a stopped or failed sweep, for --resume */
        close(s->fd);
    }
    if (s->out)
        ipsim__safe_unlock(s->out, &s->lock_fd);
    free(s->identity);
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
    if (done < n || s->complete)
        return IPSIM_OK;
    ipsim_status st = ipsim__xp_point_costs(s->e, err, errlen);
    if (st != IPSIM_OK)
        return st;
    sweep_data d = {s->e,       s->R,       s->scale, s->nv,       s->vals, s->state,       s->secs,
                    s->shard_k, s->shard_n, s->fp,    s->identity, wall,    s->shard_n <= 1};
    st = ipsim__swf_write(&d, s->out, 1, err, errlen);
    if (st == IPSIM_OK) {
        close(s->fd);
        s->fd = -1;
        unlink(s->journal);
        ipsim__safe_sync_dir(s->journal);
    }
    return st;
}
