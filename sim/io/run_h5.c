/*
 * run_h5.c - the writing primitives of the run writer (see run_write.h):
 * recording the first object that failed and why, the property lists of
 * groups and datasets (creation order tracked, no timestamps; chunked,
 * shuffled and deflated daily series; NaN fill), datasets, string columns,
 * float64 variables on dimension scales with units and long_name, groups.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "io/h5util.h"
#include "io/run_write.h"

#define CHUNK_DAYS 64
#define DEFLATE_LEVEL 4

/* ---- messages ----------------------------------------------------------- */

/* Record the first object that failed; always returns -1. */
int ipsim__rw_fail(run_writer *w, const char *name)
{
    if (w->what[0] == '\0') {
        if (!*name)
            snprintf(w->what, sizeof w->what, "%s", w->where);
        else
            snprintf(w->what, sizeof w->what, "%s/%s", strcmp(w->where, "/") == 0 ? "" : w->where,
                     name);
    }
    return -1;
}

int ipsim__rw_fail_nomem(run_writer *w, const char *name)
{
    w->status = IPSIM_ERR_NOMEM;
    return ipsim__rw_fail(w, name);
}

/* Why building the file failed: out of memory, or the innermost message of
 * HDF5's error stack. */
void ipsim__rw_failure_reason(const run_writer *w, char *buf, size_t len)
{
    char desc[IPSIM_H5_REASON_MAX] = "";
    if (w->status != IPSIM_ERR_NOMEM)
        ipsim_h5_error_reason(desc, sizeof desc);
    snprintf(buf, len, "%s",
             w->status == IPSIM_ERR_NOMEM ? "out of memory"
             : desc[0]                    ? desc
                                          : "HDF5 library error");
}

/* ---- property lists ----------------------------------------------------- */

static hid_t make_gcpl(void)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    if (p >= 0 && (H5Pset_link_creation_order(p, CRT_ORDER) < 0 ||
                   H5Pset_attr_creation_order(p, CRT_ORDER) < 0 || H5Pset_obj_track_times(p, 0) < 0)) {
        H5Pclose(p);
        p = -1;
    }
    return p;
}


/* Dataset creation: attribute order tracked, no timestamps; chunks of up to
 * CHUNK_DAYS days by the full other dimensions, shuffle + deflate; NaN fill. */
static hid_t make_dcpl(int rank, const hsize_t *dims, int flags)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0)
        return -1;
    int ok = H5Pset_attr_creation_order(p, CRT_ORDER) >= 0 && H5Pset_obj_track_times(p, 0) >= 0;
    hsize_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    if (ok && (flags & DS_CHUNKED) && rank > 0 && n > 0) {
        hsize_t chunk[H5S_MAX_RANK];
        for (int i = 0; i < rank; i++)
            chunk[i] = dims[i];
        if (chunk[0] > CHUNK_DAYS)
            chunk[0] = CHUNK_DAYS;
        ok = H5Pset_chunk(p, rank, chunk) >= 0 && H5Pset_shuffle(p) >= 0 &&
             (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Pset_deflate(p, DEFLATE_LEVEL) >= 0);
    }
    if (ok && (flags & DS_FILL_NAN)) {
        double nan = NAN;
        ok = H5Pset_fill_value(p, H5T_NATIVE_DOUBLE, &nan) >= 0;
    }
    if (!ok) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

/* ---- attributes --------------------------------------------------------- */

int ipsim__rw_attr_double(hid_t loc, const char *name, double v)
{
    return ipsim_h5_attr_num(loc, name, H5T_NATIVE_DOUBLE, &v);
}

/* units and long_name of a variable. */
int ipsim__rw_attr_info(hid_t ds, const char *units, const char *long_name)
{
    return ipsim_h5_attr_str(ds, "units", units) < 0 ||
                   ipsim_h5_attr_str(ds, "long_name", long_name) < 0
               ? -1
               : 0;
}

/* ---- datasets ----------------------------------------------------------- */

/* Create loc/name (rank 0 = scalar) of the given type and write data.
 * Returns the open dataset or -1 (failure recorded). */
hid_t ipsim__rw_dataset(run_writer *w, hid_t loc, const char *name, hid_t type, int rank,
                        const hsize_t *dims, const void *data, int flags)
{
    hid_t space = rank > 0 ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t dcpl = make_dcpl(rank, dims, flags);
    hid_t ds = -1;
    if (space >= 0 && dcpl >= 0)
        ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds >= 0 && H5Sget_simple_extent_npoints(space) > 0 &&
        H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        H5Dclose(ds);
        ds = -1;
    }
    if (ds < 0)
        ipsim__rw_fail(w, name);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return ds;
}

/* 1-D dataset of n UTF-8 strings. */
hid_t ipsim__rw_strings(run_writer *w, hid_t loc, const char *name, hsize_t n, const char *const *v)
{
    hid_t type = ipsim_h5_str_type();
    if (type < 0) {
        ipsim__rw_fail(w, name);
        return -1;
    }
    hid_t ds = ipsim__rw_dataset(w, loc, name, type, 1, &n, v, 0);
    H5Tclose(type);
    return ds;
}

/* Attach the dimension scale scale[i] to dimension i (0..rank-1) and label
 * the dimension with the scale's name (h5py's ds.dims[i].label). */
int ipsim__rw_attach_scales(run_writer *w, hid_t ds, int rank, const hid_t *scale, const char *name)
{
    for (int i = 0; i < rank; i++) {
        char label[64];
        ssize_t n = H5DSget_scale_name(scale[i], label, sizeof label);
        if (n <= 0 || H5DSattach_scale(ds, scale[i], (unsigned)i) < 0 ||
            H5DSset_label(ds, (unsigned)i, label) < 0)
            return ipsim__rw_fail(w, name);
    }
    return 0;
}

/* A float64 variable with scales, units and long_name; closes it. */
int ipsim__rw_variable(run_writer *w, hid_t loc, const char *name, int rank, const hsize_t *dims,
                       const hid_t *scale, const double *data, int flags, const char *units,
                       const char *long_name)
{
    hid_t ds = ipsim__rw_dataset(w, loc, name, H5T_NATIVE_DOUBLE, rank, dims, data, flags);
    if (ds < 0)
        return -1;
    int rc = ipsim__rw_attach_scales(w, ds, rank, scale, name);
    if (rc == 0 && ipsim__rw_attr_info(ds, units, long_name) < 0)
        rc = ipsim__rw_fail(w, name);
    if (rc == 0 && (flags & DS_FILL_NAN) && ipsim__rw_attr_double(ds, "_FillValue", NAN) < 0)
        rc = ipsim__rw_fail(w, name);
    if (H5Dclose(ds) < 0 && rc == 0)
        rc = ipsim__rw_fail(w, name);
    return rc;
}

hid_t ipsim__rw_group(run_writer *w, const char *name)
{
    hid_t gcpl = make_gcpl();
    hid_t g = gcpl >= 0 ? H5Gcreate2(w->file, name, H5P_DEFAULT, gcpl, H5P_DEFAULT) : -1;
    if (gcpl >= 0)
        H5Pclose(gcpl);
    w->where = name;
    if (g < 0)
        ipsim__rw_fail(w, "");
    return g;
}

int ipsim__rw_group_close(run_writer *w, hid_t g)
{
    int rc = H5Gclose(g) < 0 ? ipsim__rw_fail(w, "") : 0;
    w->where = "/";
    return rc;
}
