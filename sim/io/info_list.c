/*
 * info_list.c - the generic listing of `ipsim info` for kinds of ipsim file
 * without a summary of their own (root attribute ipsim_kind other than
 * "run" or "sweep"): every group and dataset with its type, shape and
 * attributes (dimension-scale bookkeeping attributes left out); each
 * object once, at most MAX_OBJECTS, hard links only (soft and external
 * links are named, not followed).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/h5util.h"
#include "io/info.h"

#define MAX_DEPTH 16      /* deepest group shown */
#define MAX_LIST_VALUES 8 /* values shown per attribute */
#define MAX_OBJECTS 4096  /* objects listed before the listing is cut */

typedef ipsim_textbuf sbuf;

/* The objects listed so far (by address), so that each is listed once
 * however many hard links lead to it (a hostile file may link a group
 * into itself many times). */
typedef struct {
    haddr_t seen[MAX_OBJECTS];
    size_t n;
    int cut;
} listing;

static const char *type_name(hid_t t, char *buf, size_t len)
{
    switch (H5Tget_class(t)) {
    case H5T_FLOAT: snprintf(buf, len, "float%zu", 8 * H5Tget_size(t)); break;
    case H5T_INTEGER:
        snprintf(buf, len, "%sint%zu", H5Tget_sign(t) == H5T_SGN_NONE ? "u" : "", 8 * H5Tget_size(t));
        break;
    case H5T_STRING: snprintf(buf, len, "string"); break;
    case H5T_COMPOUND: snprintf(buf, len, "compound"); break;
    default: snprintf(buf, len, "other"); break;
    }
    return buf;
}

/* Shape "[3 x 2]" or "scalar" of a dataspace. */
static void shape_text(hid_t sp, char *buf, size_t len)
{
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
    if (rank <= 0) {
        snprintf(buf, len, "scalar");
        return;
    }
    size_t k = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < rank && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%llu", i ? " x " : "", (unsigned long long)dims[i]);
    if (k < len)
        snprintf(buf + k, len - k, "]");
}

/* Up to MAX_LIST_VALUES values of a numeric attribute (integers exactly). */
static void numeric_attr_text(hid_t a, hid_t t, hssize_t n, sbuf *b)
{
    double v[MAX_LIST_VALUES];
    long long iv[MAX_LIST_VALUES];
    unsigned long long uv[MAX_LIST_VALUES];
    int integral = H5Tget_class(t) == H5T_INTEGER;
    int is_unsigned = integral && H5Tget_sign(t) == H5T_SGN_NONE;
    hid_t mtype = !integral ? H5T_NATIVE_DOUBLE : is_unsigned ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG;
    void *buf = !integral ? (void *)v : is_unsigned ? (void *)uv : (void *)iv;
    if (n > MAX_LIST_VALUES) {
        ipsim_textbuf_printf(b, "(%lld values)", (long long)n);
        return;
    }
    if (H5Aread(a, mtype, buf) < 0) {
        ipsim_textbuf_printf(b, "(unreadable)");
        return;
    }
    for (hssize_t i = 0; i < n; i++) {
        const char *sep = i ? ", " : "";
        if (!integral)
            ipsim_textbuf_printf(b, "%s%.6g", sep, v[i]);
        else if (is_unsigned)
            ipsim_textbuf_printf(b, "%s%llu", sep, uv[i]);
        else
            ipsim_textbuf_printf(b, "%s%lld", sep, iv[i]);
    }
}

static herr_t attr_cb(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    sbuf *b = ((void **)data)[0];
    const char *indent = ((void **)data)[1];
    if (!strcmp(name, "CLASS") || !strcmp(name, "NAME") || !strcmp(name, "REFERENCE_LIST") ||
        !strcmp(name, "DIMENSION_LIST") || !strcmp(name, "DIMENSION_LABELS"))
        return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    char *s = NULL;
    ipsim_textbuf_printf(b, "%s@%s = ", indent, name);
    if (c == H5T_STRING && n == 1 && ipsim_h5_read_string_values(a, 1, t, 1, &s) == 0)
        ipsim_textbuf_printf(b, "%.200s%s", s, strlen(s) > 200 ? "..." : "");
    else if (c == H5T_INTEGER || c == H5T_FLOAT)
        numeric_attr_text(a, t, n, b);
    else
        ipsim_textbuf_printf(b, "(%lld values)", (long long)n);
    ipsim_textbuf_printf(b, "\n");
    free(s);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return 0;
}

static void list_attrs(sbuf *b, hid_t obj, int depth)
{
    static const char spaces[] = "                                                  ";
    char indent[64];
    int w = 2 * depth + 4;
    snprintf(indent, sizeof indent, "%.*s", w < 50 ? w : 50, spaces);
    void *data[2] = {b, indent};
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, data);
}

static void list_group(sbuf *b, listing *l, hid_t g, const char *path, int depth);

/* 1 if the object at address a was listed before (else records it). */
static int seen_before(listing *l, haddr_t a)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->seen[i] == a)
            return 1;
    l->seen[l->n++] = a;
    return 0;
}

static void list_member(sbuf *b, listing *l, hid_t g, const char *name, const char *path, int depth)
{
    char child[512], shape[128], tname[32];
    H5L_info_t li;
    H5O_info_t oi;
    snprintf(child, sizeof child, "%s%s%s", path, strcmp(path, "/") ? "/" : "", name);
    if (l->n >= MAX_OBJECTS) {
        l->cut = 1;
        return;
    }
    /* soft and external links are named, never followed (an external one
     * could open a FIFO or another file) */
    if (H5Lget_info(g, name, &li, H5P_DEFAULT) < 0 || li.type != H5L_TYPE_HARD) {
        ipsim_textbuf_printf(b, "%*s%s  (link, not followed)\n", 2 * depth + 2, "", child);
        return;
    }
    if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
        seen_before(l, oi.addr)) {
        ipsim_textbuf_printf(b, "%*s%s  (another link to an object listed above)\n", 2 * depth + 2, "",
                             child);
        return;
    }
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    H5I_type_t kind = o >= 0 ? H5Iget_type(o) : H5I_BADID;
    if (kind == H5I_GROUP) {
        ipsim_textbuf_printf(b, "%*s%s/\n", 2 * depth + 2, "", child);
        list_attrs(b, o, depth);
        if (depth < MAX_DEPTH)
            list_group(b, l, o, child, depth + 1);
    } else if (kind == H5I_DATASET) {
        hid_t t = H5Dget_type(o), sp = H5Dget_space(o);
        if (t >= 0 && sp >= 0) {
            shape_text(sp, shape, sizeof shape);
            ipsim_textbuf_printf(b, "%*s%s  %s %s\n", 2 * depth + 2, "", child,
                                 type_name(t, tname, sizeof tname), shape);
        }
        if (t >= 0)
            H5Tclose(t);
        if (sp >= 0)
            H5Sclose(sp);
        list_attrs(b, o, depth);
    } else {
        ipsim_textbuf_printf(b, "%*s%s  (other object)\n", 2 * depth + 2, "", child);
    }
    if (o >= 0)
        H5Oclose(o);
}

static void list_group(sbuf *b, listing *l, hid_t g, const char *path, int depth)
{
    H5G_info_t info;
    if (H5Gget_info(g, &info) < 0)
        return;
    for (hsize_t i = 0; i < info.nlinks && !l->cut; i++) {
        char name[256];
        ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                       H5P_DEFAULT);
        if (n > 0 && (size_t)n < sizeof name)
            list_member(b, l, g, name, path, depth);
    }
}

void ipsim__info_list(ipsim_textbuf *b, hid_t f, const char *path, const char *kind)
{
    ipsim_textbuf_printf(b, "ipsim %s file %s\n", kind, path);
    listing *l = calloc(1, sizeof *l);
    list_attrs(b, f, -1);
    if (!l) {
        b->oom = 1;
        return;
    }
    H5O_info_t oi;
    if (H5Oget_info2(f, &oi, H5O_INFO_BASIC) >= 0)
        seen_before(l, oi.addr);
    list_group(b, l, f, "/", 0);
    if (l->cut)
        ipsim_textbuf_printf(b, "  (listing cut after %d objects)\n", MAX_OBJECTS);
    free(l);
}
