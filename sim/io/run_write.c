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
 * Safety (io/safe_file.c): nothing but a regular file at PATH is ever
 * replaced (a symlink, FIFO or device is refused, --force or not); the
 * writer holds the lock PATH.lock (flock) so that two writers of one
 * output cannot both proceed, and creates a new temp file PATH.tmp.PID.N
 * (O_EXCL|O_NOFOLLOW; stale ones of crashed writers are removed) before
 * building the file, so an unwritable directory fails cleanly. HDF5 builds
 * the file in memory (core driver); its bytes are then written to the temp
 * file, fsync'ed, and the temp file is renamed to PATH (without force,
 * link(2) makes the no-overwrite check atomic). On any failure the temp
 * file is removed and PATH is left as it was. Disk errors thus come from
 * write(2), never from inside HDF5, which does not recover from a failed
 * flush.
 * HDF5's automatic error printing is off for the duration of the call (and
 * restored after), so the library never prints. The bytes are a function
 * of the model alone, except the timestamp in the history attribute.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/h5util.h"
#include "io/run_output.h"
#include "io/run_write.h"
#include "io/safe_file.h"
#include "base/textbuf.h"

#define CORE_INCREMENT ((size_t)1 << 20) /* in-memory file growth, bytes */

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
    int rc = ipsim__rw_root_attrs(w) < 0 || ipsim__rw_scenario(w) < 0 || ipsim__rw_day_scale(w) < 0 ||
                     ipsim__rw_name_scales(w) < 0 || ipsim__rw_daily(w) < 0 ||
                     ipsim__rw_summary(w) < 0 || ipsim__rw_asset_daily(w) < 0 ||
                     ipsim__rw_dest_daily(w) < 0 || ipsim__rw_interventions(w) < 0 ||
                     ipsim__rw_cells(w) < 0
                 ? -1
                 : 0;
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

/* Build the image with HDF5's error printing off and publish it safely
 * (safe_file.h: lock, unique temp file, fsync, rename); on failure the temp
 * file is removed and the path left as it was. */
static ipsim_status write_safely(run_writer *w, const char *path, int force, int locked, char *err,
                                 size_t errlen)
{
    ipsim__safe_out out;
    ipsim_status st = locked ? ipsim__safe_begin_locked(&out, path, force, err, errlen)
                             : ipsim__safe_begin(&out, path, force, err, errlen);
    if (st != IPSIM_OK)
        return st;
    void *image = NULL;
    size_t size = 0;
    ipsim_h5_quiet quiet;
    ipsim_h5_quiet_begin(&quiet);
    st = build_image(w, out.tmp, path, &image, &size, err, errlen);
    ipsim_h5_quiet_end(&quiet);
    if (st == IPSIM_OK)
        st = ipsim__safe_commit(&out, image, size, force, err, errlen);
    else
        ipsim__safe_abort(&out);
    free(image);
    return st;
}

static ipsim_status output_write(const ipsim_model *m, const char *path, int force, int locked,
                                 char *err, size_t errlen)
{
    if (!m || !path || !*path) {
        ipsim_set_error(err, errlen, "ipsim_output_write: no model or no path");
        return IPSIM_ERR_USAGE;
    }
    run_writer w = {.file = -1, .scale = {-1, -1, -1, -1}, .where = "/", .status = IPSIM_ERR_IO};
    ipsim_status st = check_model(m, &w, err, errlen);
    if (st != IPSIM_OK)
        return st;
    return write_safely(&w, path, force, locked, err, errlen);
}

ipsim_status ipsim_output_write(const ipsim_model *m, const char *path, int force, char *err,
                                size_t errlen)
{
    return output_write(m, path, force, 0, err, errlen);
}

ipsim_status
ipsim__output_write_locked(const ipsim_model *m, const char *path, int force, char *err, size_t errlen)
{
    return output_write(m, path, force, 1, err, errlen);
}
