/*
 * sweep_h5read.c - checked reads of sweep files (see sweep_file.h), for
 * merge (sweep_merge.c) and the report (sweep_report.c): a sweep file may
 * be hostile or corrupt, so every attribute is range-checked and every
 * dataset's kind, shape, layout and stored size are checked before a byte
 * of it is read into a buffer of the size the caller expects. Nothing here
 * allocates what the file declares.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "experiment/sweep_file.h"
#include "io/h5util.h"

int ipsim__swr_attr_number(hid_t obj, const char *name, double lo, double hi, int whole, double *out)
{
    double v = NAN;
    if (ipsim_h5_attr_value(obj, name, H5T_NATIVE_DOUBLE, &v) != 0 || !isfinite(v) || v < lo ||
        v > hi || (whole && v != floor(v)))
        return -1;
    *out = v;
    return 0;
}

/* Open loc/path as a dataset of plain layout (hard links only); its space
 * and type in *sp, *t. -1 when missing or not plain. */
static hid_t open_plain(hid_t loc, const char *path, hid_t *sp, hid_t *t)
{
    *sp = *t = -1;
    if (!ipsim_h5_exists(loc, path))
        return -1;
    hid_t ds = H5Dopen2(loc, path, H5P_DEFAULT);
    if (ds < 0)
        return -1;
    if (!ipsim_h5_plain_layout(ds) || (*sp = H5Dget_space(ds)) < 0 || (*t = H5Dget_type(ds)) < 0) {
        if (*sp >= 0)
            H5Sclose(*sp);
        *sp = -1;
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

static void close3(hid_t ds, hid_t sp, hid_t t)
{
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
}

/* 1 when a contiguous or compact dataset stores fewer bytes than its shape
 * needs (a declared but unwritten array). */
static int short_storage(hid_t ds, hid_t t, hssize_t n)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (layout != H5D_CONTIGUOUS && layout != H5D_COMPACT)
        return 0;
    double need = (double)n * (double)H5Tget_size(t);
    return (double)H5Dget_storage_size(ds) < need;
}

long long ipsim__swr_count(hid_t loc, const char *path, int strings)
{
    hid_t sp, t, ds = open_plain(loc, path, &sp, &t);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int kind = strings ? c == H5T_STRING : c == H5T_INTEGER || c == H5T_FLOAT;
    hssize_t n = ds >= 0 && kind ? H5Sget_simple_extent_npoints(sp) : -1;
    close3(ds, sp, t);
    return n;
}

int ipsim__swr_shape(hid_t loc, const char *path, int rank, hsize_t *dims)
{
    hid_t sp, t, ds = open_plain(loc, path, &sp, &t);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int rc = ds >= 0 && (c == H5T_INTEGER || c == H5T_FLOAT) &&
                     H5Sget_simple_extent_ndims(sp) == rank &&
                     H5Sget_simple_extent_dims(sp, dims, NULL) == rank
                 ? 0
                 : -1;
    close3(ds, sp, t);
    return rc;
}

int ipsim__swr_read(hid_t loc, const char *path, int rank, const hsize_t *dims, double *buf)
{
    hid_t sp, t, ds = open_plain(loc, path, &sp, &t);
    hsize_t d[H5S_MAX_RANK];
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int rc = ds >= 0 && (c == H5T_INTEGER || c == H5T_FLOAT) &&
                     H5Sget_simple_extent_ndims(sp) == rank &&
                     H5Sget_simple_extent_dims(sp, d, NULL) == rank
                 ? 0
                 : -1;
    hssize_t n = 1;
    for (int i = 0; rc == 0 && i < rank; i++) {
        if (d[i] != dims[i])
            rc = -1;
        n *= (hssize_t)dims[i];
    }
    if (rc == 0 && n > 0 &&
        (short_storage(ds, t, n) ||
         H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0))
        rc = -1;
    close3(ds, sp, t);
    return rc;
}

char *ipsim__swr_text(hid_t loc, const char *path, size_t max)
{
    hid_t sp, t, ds = open_plain(loc, path, &sp, &t);
    char *s = NULL;
    if (ds >= 0 && H5Tget_class(t) == H5T_STRING && H5Sget_simple_extent_npoints(sp) == 1 &&
        (H5Tis_variable_str(t) > 0 || H5Tget_size(t) <= max) &&
        ipsim_h5_read_string_values(ds, 0, t, 1, &s) == 0 && strlen(s) > max) {
        free(s);
        s = NULL;
    }
    close3(ds, sp, t);
    return s;
}
