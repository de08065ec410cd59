/*
 * run_write.c - writes one model run to an HDF5 result file
 * (ipsim_output_write): builds the file image and publishes it safely; the
 * groups are written by run_meta.c and run_data.c with the primitives of
 * run_h5.c (run_write.h is the interface between them).
 *
 * The layout is a contract users' scripts rely on; it is netCDF-4 compatible
 * (creation order tracked and indexed on the file, every group and every
 * dataset; coordinate variables are HDF5 dimension scales), so xarray and the
 * netCDF tools open it with named dimensions:
 *
 *   /                       root attributes: ipsim_version, git_commit,
 *                           scenario_name, seed (uint64), seed_string,
 *                           replicate, scale, n_agents, days, days_completed,
 *                           start_date, Conventions, title, source, history,
 *                           wall_seconds, agent_days_per_second
 *   /scenario               resolved scenario JSON (scalar UTF-8 string), with
 *                           the run's seed, scale and days
 *   /day /market /segment /asset        dimension scales (coordinates)
 *   /daily/<metric>         float64 [day][market][segment], one per entry of
 *                           ipsim_metric_table, chunked and deflated
 *   /summary/<metric>       float64 [market][segment]: flows summed over the
 *                           days, stocks on the last day, satisfaction_mean
 *                           weighted by departures
 *   /asset_daily/<metric>   float64 [day][asset]
 *   /destination_daily/<metric>  float64 [day]
 *   /interventions/{intervention,name,mechanism,start,end,cost_cny}
 *                           parallel 1-D datasets on the scale "intervention"
 *   /cells/agents /cells/people          [market][segment]
 *
 * Safety: PATH.tmp is created first (O_EXCL; a stale one from a crashed run
 * is replaced), so an unwritable directory fails cleanly before any work.
 * HDF5 builds the file in memory (core driver); its bytes are then written
 * to PATH.tmp, fsync'ed, and PATH.tmp is renamed to PATH (without force,
 * link(2) makes the no-overwrite check atomic). On any failure PATH.tmp is
 * removed and PATH is left as it was. Disk errors thus come from write(2),
 * never from inside HDF5, which does not recover from a failed flush.
 * HDF5's automatic error printing is off for the duration of the call (and
 * restored after), so the library never prints. The bytes are a function
 * of the model alone, except the timestamp in the history attribute.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "io/h5util.h"
#include "io/run_write.h"
#include "base/textbuf.h"

#define CORE_INCREMENT ((size_t)1 << 20)   /* in-memory file growth, bytes */

/* ---- property lists of the file ----------------------------------------- */

static hid_t make_fcpl(void)
{
    hid_t p = H5Pcreate(H5P_FILE_CREATE);
    if (p >= 0 && (H5Pset_link_creation_order(p, CRT_ORDER) < 0 ||
                   H5Pset_attr_creation_order(p, CRT_ORDER) < 0)) {
        H5Pclose(p);
        p = -1;
    }
    return p;
}

/* In memory (core driver, no backing store); earliest format that can hold
 * the file, at most 1.8's, which is what netCDF-4 reads and appends to. */
static hid_t make_fapl(void)
{
    hid_t p = H5Pcreate(H5P_FILE_ACCESS);
    if (p >= 0 && (H5Pset_fapl_core(p, CORE_INCREMENT, 0) < 0 ||
                   H5Pset_libver_bounds(p, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) < 0)) {
        H5Pclose(p);
        p = -1;
    }
    return p;
}

/* ---- the file image ----------------------------------------------------- */

static int write_contents(run_writer *w)
{
    int rc = ipsim__rw_root_attrs(w) < 0 || ipsim__rw_scenario(w) < 0 ||
             ipsim__rw_day_scale(w) < 0 || ipsim__rw_name_scales(w) < 0 ||
             ipsim__rw_daily(w) < 0 || ipsim__rw_summary(w) < 0 ||
             ipsim__rw_asset_daily(w) < 0 || ipsim__rw_dest_daily(w) < 0 ||
             ipsim__rw_interventions(w) < 0 || ipsim__rw_cells(w) < 0 ? -1 : 0;
    ipsim__rw_close_scales(w);
    return rc == 0 && w->what[0] == '\0' ? 0 : -1;
}

/* Copy of the flushed in-memory file into a new malloc'd buffer. */
static int copy_image(run_writer *w, void **image, size_t *size)
{
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return ipsim__rw_fail(w, "");
    ssize_t n = H5Fget_file_image(w->file, NULL, 0);
    if (n <= 0)
        return ipsim__rw_fail(w, "");
    *image = malloc((size_t)n);
    if (!*image)
        return ipsim__rw_fail_nomem(w, "");
    if (H5Fget_file_image(w->file, *image, (size_t)n) != n) {
        free(*image);
        *image = NULL;
        return ipsim__rw_fail(w, "");
    }
    *size = (size_t)n;
    return 0;
}

/* Build the whole file in memory (core driver, no backing store) and return
 * a malloc'd copy of its bytes. The caller writes them itself: that keeps
 * disk errors (ENOSPC, EIO) out of HDF5, which does not recover cleanly from
 * a failed flush or close. */
static ipsim_status build_image(run_writer *w, const char *name, const char *path, void **image,
                                size_t *size, char *err, size_t errlen)
{
    hid_t fcpl = make_fcpl(), fapl = make_fapl();
    w->file = fcpl >= 0 && fapl >= 0 ? H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl) : -1;
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    int rc = w->file < 0 ? ipsim__rw_fail(w, "") : write_contents(w);
    if (rc == 0)
        rc = copy_image(w, image, size);
    if (w->file >= 0 && H5Fclose(w->file) < 0 && rc == 0)
        rc = ipsim__rw_fail(w, "");
    w->file = -1;
    if (rc == 0)
        return IPSIM_OK;
    free(*image);
    *image = NULL;
    char why[160];
    ipsim__rw_failure_reason(w, why, sizeof why);
    if (strcmp(w->what, "/") == 0)
        ipsim_set_error(err, errlen, "%s: cannot write: %s", path, why);
    else
        ipsim_set_error(err, errlen, "%s: cannot write %s: %s", path, w->what, why);
    return w->status;
}

/* ---- tmp file, sync, publish -------------------------------------------- */

/* Create PATH.tmp exclusively (replacing a stale one left by a crashed
 * run); returns the descriptor or -1 with the message set. */
static int create_tmp(const char *tmp, const char *path, char *err, size_t errlen)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST || attempt > 0 || unlink(tmp) != 0)
            break;
    }
    ipsim_set_error(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    return -1;
}

/* Write all bytes, fsync and close fd (closed on every path). */
static ipsim_status write_fd(int fd, const void *buf, size_t size, const char *path,
                             char *err, size_t errlen)
{
    const char *p = buf;
    int ok = 1;
    while (ok && size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (n == 0)
            errno = ENOSPC;
        if (ok) {
            p += n;
            size -= (size_t)n;
        }
    }
    ok = ok && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok)
        return IPSIM_OK;
    ipsim_set_error(err, errlen, "%s: cannot write: %s", path, strerror(e));
    return IPSIM_ERR_IO;
}

/* Best effort: make the rename durable by syncing the directory. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static ipsim_status exists_error(const char *path, char *err, size_t errlen)
{
    ipsim_set_error(err, errlen, "%s: already exists; use --force to overwrite it", path);
    return IPSIM_ERR_EXISTS;
}

/* Move tmp to path. Without force, link(2) refuses atomically to replace a
 * file that appeared meanwhile; where hard links are unsupported, fall back
 * to a checked rename. */
static ipsim_status publish(const char *tmp, const char *path, int force, char *err,
                            size_t errlen)
{
    struct stat st;
    if (!force) {
        if (link(tmp, path) == 0) {
            unlink(tmp);
            sync_dir(path);
            return IPSIM_OK;
        }
        if (errno == EEXIST)
            return exists_error(path, err, errlen);
        if (lstat(path, &st) == 0)
            return exists_error(path, err, errlen);
    }
    if (rename(tmp, path) != 0) {
        ipsim_set_error(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return IPSIM_ERR_CANTCREAT;
    }
    sync_dir(path);
    return IPSIM_OK;
}

/* ---- entry point -------------------------------------------------------- */

static ipsim_status check_model(const ipsim_model *m, run_writer *w, char *err, size_t errlen)
{
    const ipsim_scenario *s = ipsim_model_scenario(m);
    w->m = m;
    w->r = ipsim_model_results(m);
    w->sc = s ? ipsim_scenario_data(s) : NULL;
    if (!w->r || !w->sc || !ipsim_model_cell_agents(m) || w->r->days < 1 ||
        w->r->n_markets != w->sc->n_markets || w->r->n_assets != w->sc->destination.n_assets) {
        ipsim_set_error(err, errlen, "ipsim_output_write: model results do not match its scenario");
        return IPSIM_ERR_INTERNAL;
    }
    return IPSIM_OK;
}

/* Build the image with HDF5's error printing off, write it to PATH.tmp and
 * move that to PATH; PATH.tmp is removed on failure. */
static ipsim_status write_via_tmp(run_writer *w, const char *tmp, const char *path, int force,
                                  char *err, size_t errlen)
{
    int fd = create_tmp(tmp, path, err, errlen);
    if (fd < 0)
        return IPSIM_ERR_CANTCREAT;
    void *image = NULL;
    size_t size = 0;
    ipsim_h5_quiet quiet;
    ipsim_h5_quiet_begin(&quiet);
    ipsim_status st = build_image(w, tmp, path, &image, &size, err, errlen);
    ipsim_h5_quiet_end(&quiet);
    if (st == IPSIM_OK)
        st = write_fd(fd, image, size, path, err, errlen);
    else
        close(fd);
    free(image);
    if (st == IPSIM_OK)
        st = publish(tmp, path, force, err, errlen);
    if (st != IPSIM_OK)
        unlink(tmp);
    return st;
}

ipsim_status ipsim_output_write(const ipsim_model *m, const char *path, int force,
                                char *err, size_t errlen)
{
    if (!m || !path || !*path) {
        ipsim_set_error(err, errlen, "ipsim_output_write: no model or no path");
        return IPSIM_ERR_USAGE;
    }
    run_writer w = {.file = -1, .scale = {-1, -1, -1, -1}, .where = "/", .status = IPSIM_ERR_IO};
    ipsim_status st = check_model(m, &w, err, errlen);
    struct stat sb;
    if (st != IPSIM_OK)
        return st;
    if (!force && lstat(path, &sb) == 0)
        return exists_error(path, err, errlen);
    size_t len = strlen(path);
    char *tmp = malloc(len + 5);
    if (!tmp) {
        ipsim_set_error(err, errlen, "%s: out of memory", path);
        return IPSIM_ERR_NOMEM;
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp", 5);
    st = write_via_tmp(&w, tmp, path, force, err, errlen);
    free(tmp);
    return st;
}
