/*
 * h5util.c - small HDF5 helpers shared by the run writer, the result reader
 * and the sweep files (see h5util.h): keeping HDF5 quiet, opening files
 * read-only, writing and reading attributes, reading datasets.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/h5util.h"

#define TEXT_BYTES_MAX ((size_t)1 << 30) /* fixed-length strings read at once */

void ipsim_h5_quiet_begin(ipsim_h5_quiet *q)
{
    q->fn = NULL;
    q->data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void ipsim_h5_quiet_end(const ipsim_h5_quiet *q)
{
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

typedef struct {
    char *buf;
    size_t len;
} reason_walk;

static herr_t first_reason(unsigned n, const H5E_error2_t *e, void *data)
{
    reason_walk *r = data;
    (void)n;
    if (!r->buf[0] && e->desc)
        snprintf(r->buf, r->len, "%s", e->desc);
    return 0;
}

void ipsim_h5_error_reason(char *buf, size_t len)
{
    reason_walk r = {buf, len};
    if (!buf || len == 0)
        return;
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_reason, &r);
}

hid_t ipsim_h5_open_readonly(const char *path)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return -1;
#if H5_VERSION_GE(1, 10, 7)
    H5Pset_file_locking(fapl, 0, 1);
#endif
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG); /* closing the file closes all in it */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}

hid_t ipsim_h5_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        t = -1;
    }
    return t;
}

/* Text attribute: scalar variable-length UTF-8 string (h5py reads it as
 * str, netCDF as a string attribute, which CF-1.8 allows). */
int ipsim_h5_attr_str(hid_t loc, const char *name, const char *value)
{
    hid_t type = ipsim_h5_str_type();
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = -1;
    int rc = -1;
    if (type >= 0 && space >= 0)
        a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Awrite(a, type, &value) >= 0)
        rc = 0;
    if (a >= 0 && H5Aclose(a) < 0)
        rc = -1;
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return rc;
}

/* Scalar numeric attribute of the given native type. */
int ipsim_h5_attr_num(hid_t loc, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = space >= 0 ? H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int rc = (a >= 0 && H5Awrite(a, type, value) >= 0) ? 0 : -1;
    if (a >= 0 && H5Aclose(a) < 0)
        rc = -1;
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

/* Read n strings (fixed or variable length) of type ftype from an attribute
 * (is_attr) or dataset into out[i] (malloc'd). Returns 0 or -1. */
int ipsim_h5_read_string_values(hid_t obj, int is_attr, hid_t ftype, size_t n, char **out)
{
    int vlen = H5Tis_variable_str(ftype) > 0;
    size_t size = vlen ? sizeof(char *) : H5Tget_size(ftype) + 1;
    if ((!vlen && (size <= 1 || size > IPSIM_H5_TEXT_MAX + 1)) || n > IPSIM_H5_READ_MAX ||
        (n > 0 && size > TEXT_BYTES_MAX / n))
        return -1;
    hid_t mtype = H5Tcopy(H5T_C_S1);
    char *buf = calloc(n ? n : 1, size);
    int rc = -1;
    if (mtype >= 0 && buf && H5Tset_size(mtype, vlen ? H5T_VARIABLE : size) >= 0 &&
        H5Tset_cset(mtype, H5Tget_cset(ftype)) >= 0 &&
        (vlen || H5Tset_strpad(mtype, H5T_STR_NULLTERM) >= 0))
        rc = (is_attr ? H5Aread(obj, mtype, buf)
                      : H5Dread(obj, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) < 0
                 ? -1
                 : 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = vlen ? ((char **)(void *)buf)[i] : buf + i * size;
        out[i] = rc == 0 ? strdup(s ? s : "") : NULL;
        if (rc == 0 && !out[i])
            rc = -1;
        if (vlen && s)
            H5free_memory((void *)s);
    }
    free(buf);
    if (mtype >= 0)
        H5Tclose(mtype);
    return rc;
}

/* A scalar string attribute of obj into buf; 0 on success, -1 if missing. */
int ipsim_h5_attr_text(hid_t obj, const char *name, char *buf, size_t len)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    char *s = NULL;
    int rc = -1;
    if (t >= 0 && sp >= 0 && H5Tget_class(t) == H5T_STRING && H5Sget_simple_extent_npoints(sp) == 1 &&
        ipsim_h5_read_string_values(a, 1, t, 1, &s) == 0) {
        snprintf(buf, len, "%s", s);
        rc = 0;
    }
    free(s);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* A numeric attribute read as `mtype` into v; 0 on success. */
int ipsim_h5_attr_value(hid_t obj, const char *name, hid_t mtype, void *v)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    int rc = (c == H5T_INTEGER || c == H5T_FLOAT) && sp >= 0 &&
                     H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, mtype, v) >= 0
                 ? 0
                 : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* ---- datasets ----------------------------------------------------------- */

int ipsim_h5_exists(hid_t loc, const char *path)
{
    size_t len = strlen(path);
    char *prefix = malloc(len + 1);
    int ok = prefix != NULL;
    for (size_t i = 0; ok && i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        H5L_info_t li;
        ok = H5Lexists(loc, prefix, H5P_DEFAULT) > 0 &&
             H5Lget_info(loc, prefix, &li, H5P_DEFAULT) >= 0 && li.type == H5L_TYPE_HARD;
    }
    free(prefix);
    return ok;
}

int ipsim_h5_plain_layout(hid_t ds)
{
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl < 0)
        return 0;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    int ok = (layout == H5D_COMPACT || layout == H5D_CONTIGUOUS || layout == H5D_CHUNKED) &&
             H5Pget_external_count(dcpl) == 0;
    if (ok && layout == H5D_CHUNKED) {
        hsize_t cd[H5S_MAX_RANK];
        hid_t t = H5Dget_type(ds);
        int r = H5Pget_chunk(dcpl, H5S_MAX_RANK, cd);
        double bytes = t >= 0 ? (double)H5Tget_size(t) : 0.0;
        for (int i = 0; i < r; i++)
            bytes *= (double)cd[i];
        ok = r > 0 && bytes > 0 && bytes <= (double)IPSIM_H5_CHUNK_MAX;
        if (t >= 0)
            H5Tclose(t);
    }
    H5Pclose(dcpl);
    return ok;
}

/* A dataset opened for a whole read: its space, type, rank, dimensions and
 * number of values, and whether it may be read (the rank wanted, at most
 * IPSIM_H5_READ_MAX values, a plain layout). */
typedef struct {
    hid_t ds, sp, t;
    H5T_class_t cls;
    int rank;
    hsize_t dims[H5S_MAX_RANK];
    hssize_t n;
    int readable;
} checked_ds;

/* Opens loc/path (if it exists) and checks it against rank (< 0: any). */
static void checked_open(hid_t loc, const char *path, int rank, checked_ds *c)
{
    c->ds = c->sp = c->t = -1;
    c->cls = H5T_NO_CLASS;
    c->rank = -1;
    c->n = -1;
    c->readable = 0;
    if (!ipsim_h5_exists(loc, path))
        return;
    c->ds = H5Dopen2(loc, path, H5P_DEFAULT);
    c->sp = c->ds >= 0 ? H5Dget_space(c->ds) : -1;
    c->t = c->ds >= 0 ? H5Dget_type(c->ds) : -1;
    c->cls = c->t >= 0 ? H5Tget_class(c->t) : H5T_NO_CLASS;
    c->rank = c->sp >= 0 ? H5Sget_simple_extent_dims(c->sp, c->dims, NULL) : -1;
    c->n = c->sp >= 0 ? H5Sget_simple_extent_npoints(c->sp) : -1;
    c->readable = c->rank >= 0 && (rank < 0 || c->rank == rank) && c->n >= 0 &&
                  (size_t)c->n <= IPSIM_H5_READ_MAX && ipsim_h5_plain_layout(c->ds);
}

static void checked_close(checked_ds *c)
{
    if (c->t >= 0)
        H5Tclose(c->t);
    if (c->sp >= 0)
        H5Sclose(c->sp);
    if (c->ds >= 0)
        H5Dclose(c->ds);
}

double *ipsim_h5_read_doubles(hid_t loc, const char *path, int rank, hsize_t *dims, size_t *n)
{
    checked_ds c;
    double *v = NULL;
    if (n)
        *n = 0;
    checked_open(loc, path, rank, &c);
    if (c.readable && (c.cls == H5T_INTEGER || c.cls == H5T_FLOAT) && c.n > 0) {
        v = malloc((size_t)c.n * sizeof *v);
        if (v && H5Dread(c.ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            free(v);
            v = NULL;
        }
    }
    if (v && n)
        *n = (size_t)c.n;
    if (v && dims && rank > 0)
        memcpy(dims, c.dims, (size_t)rank * sizeof *dims);
    checked_close(&c);
    return v;
}

char **ipsim_h5_read_strings(hid_t loc, const char *path, int rank, size_t *n)
{
    checked_ds c;
    char **v = NULL;
    *n = 0;
    checked_open(loc, path, rank, &c);
    if (c.readable && c.cls == H5T_STRING) {
        v = calloc(c.n > 0 ? (size_t)c.n : 1, sizeof *v);
        if (v && ipsim_h5_read_string_values(c.ds, 0, c.t, (size_t)c.n, v) < 0) {
            ipsim_h5_free_strings(v, (size_t)c.n);
            v = NULL;
        }
        if (v)
            *n = (size_t)c.n;
    }
    checked_close(&c);
    return v;
}

void ipsim_h5_free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
