/*
 * export_csv.c - writes one table of an export plan (io/export.h) as CSV, and
 * the README that describes every table.
 *
 * CSV as RFC 4180 reads it: a header row, comma-separated fields, a field
 * quoted when it holds a comma, a quote or a line break (quotes doubled);
 * UTF-8 without a byte-order mark, "\n" line ends. A missing value (NaN) is
 * an empty field. Numbers are the shortest text that reads back to the same
 * double, so pandas, R and Python's csv module give back the file's values
 * exactly.
 *
 * The datasets of a table are read when it is written and freed after, so one
 * table is in memory at a time.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/export.h"
#include "io/h5util.h"
#include "scenario/scenario.h"

#define NUM_LEN 32         /* a formatted double */
#define DATE_LEN 11        /* YYYY-MM-DD and NUL */
#define EXACT_INTEGER 1e15 /* integers below this print without a fraction */
#define ATTR_LEN 4096      /* a root attribute's text */

/* ---- fields -------------------------------------------------------------- */

void ipsim__ex_format_double(double v, char *buf)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    if (isinf(v)) {
        strcpy(buf, v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == 0.0) {
        strcpy(buf, "0");
        return;
    }
    if (fabs(v) < EXACT_INTEGER && v == floor(v)) {
        snprintf(buf, NUM_LEN, "%.0f", v);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, NUM_LEN, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* A text field, quoted when it must be. */
static void put_text(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void put_num(FILE *out, double v)
{
    char buf[NUM_LEN];
    ipsim__ex_format_double(v, buf);
    fputs(buf, out);
}

/* ---- coordinates --------------------------------------------------------- */

/* The values of one dimension of a table. */
typedef struct {
    const char *label;
    size_t n;
    char **names;              /* string coordinates (markets...), or NULL */
    double *values;            /* numeric coordinates (days...), or NULL (then the index) */
    int is_point, is_day, dup; /* dup: the label repeats in the table (k-th, 1-based) */
} coord;

/* Coordinates of table t's dimension i: a dataset named by its label in the
 * table's group, else at the root. */
static void load_coord(const ipsim_ex_plan *p, const ipsim_ex_table *t, int i, coord *c)
{
    char path[2 * IPSIM_EX_NAME_LEN + 2];
    memset(c, 0, sizeof *c);
    c->label = t->labels[i];
    c->is_point = strcmp(c->label, "point") == 0;
    c->is_day = strcmp(c->label, "day") == 0;
    for (int k = 0, seen = 0; k < t->rank; k++)
        if (strcmp(t->labels[k], c->label) == 0) {
            seen++;
            if (k == i)
                c->dup = seen;
        }
    if (c->dup == 1) {
        int more = 0;
        for (int k = i + 1; k < t->rank; k++)
            more |= strcmp(t->labels[k], c->label) == 0;
        if (!more)
            c->dup = 0;
    }
    const char *name = c->is_point ? "point_name" : c->label;
    for (int pass = 0; pass < 2 && !c->names && !c->values; pass++) {
        if (pass == 0 && !t->group[0])
            continue;
        snprintf(path, sizeof path, "%s%s%s", pass == 0 ? t->group : "", pass == 0 ? "/" : "", name);
        size_t n = 0;
        c->names = ipsim_h5_read_strings(p->f, path, 1, &n);
        if (c->names && n != t->dims[i]) {
            ipsim_h5_free_strings(c->names, n);
            c->names = NULL;
        }
        if (!c->names && !c->is_point) {
            c->values = ipsim_h5_read_doubles(p->f, path, 1, NULL, &n);
            if (c->values && n != t->dims[i]) {
                free(c->values);
                c->values = NULL;
            }
        }
    }
    c->n = t->dims[i];
}

static void free_coord(coord *c)
{
    ipsim_h5_free_strings(c->names, c->names ? c->n : 0);
    free(c->values);
}

/* Header of the coordinate columns of c (and the design parameters). */
static void coord_header(const ipsim_ex_plan *p, const ipsim_ex_table *t, const coord *c, FILE *out,
                         int *first)
{
    char sfx[16] = "";
    if (c->dup)
        snprintf(sfx, sizeof sfx, "_%d", c->dup);
#define COL(name) \
    do { \
        fprintf(out, "%s%s%s", *first ? "" : ",", name, sfx); \
        *first = 0; \
    } while (0)
    if (c->is_point) {
        COL("point");
        COL("point_name");
        for (size_t k = 0; t->point_params && k < p->n_params; k++)
            COL(p->params[k].column);
    } else if (c->is_day) {
        COL("day");
        if (p->start_date[0])
            COL("date");
    } else {
        COL(c->label);
    }
#undef COL
}

/* ---- tables -------------------------------------------------------------- */

/* A series with its data, and where row index idx finds its value. */
typedef struct {
    const ipsim_ex_series *s;
    double *num;
    char **str;
    size_t n;
    size_t stride[IPSIM_EX_MAX_RANK];
} loaded;

/* Read s and map its dimensions onto table t's. 0, or -1 if unreadable. */
static int load_series(const ipsim_ex_plan *p, const ipsim_ex_table *t, const ipsim_ex_series *s,
                       loaded *l)
{
    int used[IPSIM_EX_MAX_RANK] = {0};
    size_t stride = 1;
    memset(l, 0, sizeof *l);
    l->s = s;
    size_t want = 1;
    for (int i = 0; i < s->rank; i++)
        want *= (size_t)s->dims[i];
    if (want == 0)
        return 0;
    l->str = ipsim_h5_read_strings(p->f, s->path, s->rank, &l->n);
    if (!l->str)
        l->num = ipsim_h5_read_doubles(p->f, s->path, -1, NULL, &l->n);
    if ((!l->str && !l->num) || l->n != want)
        return -1;
    for (int i = s->rank - 1; i >= 0; i--) {
        /* the i-th table dimension of this label not taken by an earlier one */
        int j = -1, before = 0;
        for (int k = 0; k < i; k++)
            before += strcmp(s->labels[k], s->labels[i]) == 0;
        for (int k = 0, seen = 0; k < t->rank && j < 0; k++)
            if (strcmp(t->labels[k], s->labels[i]) == 0 && seen++ == before && !used[k])
                j = k;
        if (j < 0)
            return -1;
        used[j] = 1;
        l->stride[j] = stride;
        stride *= (size_t)s->dims[i];
    }
    return 0;
}

static void free_loaded(loaded *l)
{
    free(l->num);
    ipsim_h5_free_strings(l->str, l->str ? l->n : 0);
}

/* The distinct keys (or the one "" key) and value columns of t, and the
 * series at (key k, column c) in map[k * nc + c] (-1 if none). */
typedef struct {
    const char **keys, **cols;
    size_t nk, nc;
    int *map;
} layout;

static size_t index_of(const char **v, size_t n, const char *s)
{
    size_t i;
    for (i = 0; i < n && strcmp(v[i], s) != 0; i++)
        ;
    return i;
}

static int make_layout(const ipsim_ex_table *t, layout *L)
{
    memset(L, 0, sizeof *L);
    L->keys = calloc(t->ns + 1, sizeof *L->keys);
    L->cols = calloc(t->ns + 1, sizeof *L->cols);
    if (!L->keys || !L->cols)
        return -1;
    for (size_t i = 0; i < t->ns; i++) {
        if (index_of(L->keys, L->nk, t->s[i].key) == L->nk)
            L->keys[L->nk++] = t->s[i].key;
        if (index_of(L->cols, L->nc, t->s[i].column) == L->nc)
            L->cols[L->nc++] = t->s[i].column;
    }
    if (L->nk == 0)
        L->keys[L->nk++] = "";
    L->map = malloc((L->nk * L->nc + 1) * sizeof *L->map);
    if (!L->map)
        return -1;
    for (size_t i = 0; i < L->nk * L->nc; i++)
        L->map[i] = -1;
    for (size_t i = 0; i < t->ns; i++)
        L->map[index_of(L->keys, L->nk, t->s[i].key) * L->nc +
               index_of(L->cols, L->nc, t->s[i].column)] = (int)i;
    return 0;
}

static void free_layout(layout *L)
{
    free(L->keys);
    free(L->cols);
    free(L->map);
}

static herr_t count_attr(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    (void)obj, (void)name, (void)info;
    ++*(size_t *)data;
    return 0;
}

size_t ipsim__ex_table_rows(const ipsim_ex_plan *p, const ipsim_ex_table *t)
{
    if (t->attrs) {
        size_t n = 0;
        hsize_t at = 0;
        H5Aiterate2(p->f, H5_INDEX_NAME, H5_ITER_INC, &at, count_attr, &n);
        return n;
    }
    size_t rows = 1, keys = 0;
    for (int i = 0; i < t->rank; i++)
        rows *= (size_t)t->dims[i];
    for (size_t i = 0; i < t->ns; i++) {
        size_t k;
        for (k = 0; k < i && strcmp(t->s[k].key, t->s[i].key) != 0; k++)
            ;
        keys += k == i;
    }
    return t->key_column ? rows * keys : rows;
}

/* One attribute of the root as a row "name,value". */
static herr_t attr_row(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    FILE *out = data;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    char *s = NULL;
    (void)info;
    put_text(out, name);
    fputc(',', out);
    if (c == H5T_STRING && n == 1 && ipsim_h5_read_string_values(a, 1, t, 1, &s) == 0) {
        put_text(out, s);
    } else if ((c == H5T_INTEGER || c == H5T_FLOAT) && n == 1) {
        double v = NAN;
        if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0)
            put_num(out, v);
    }
    fputc('\n', out);
    free(s);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return 0;
}

/* The coordinate fields of index idx[i] of dimension c (with the point's
 * design parameters, read into params). */
static void coord_fields(const ipsim_ex_plan *p, const ipsim_ex_table *t, const coord *c, size_t idx,
                         double *const *params, ipsim_date day0, FILE *out, int *first)
{
    char date[DATE_LEN];
    if (!*first)
        fputc(',', out);
    *first = 0;
    if (c->is_point) {
        fprintf(out, "%zu,", idx);
        if (c->names)
            put_text(out, c->names[idx]);
        for (size_t k = 0; t->point_params && k < p->n_params; k++) {
            fputc(',', out);
            if (params[k])
                put_num(out, params[k][idx]);
        }
    } else if (c->names) {
        put_text(out, c->names[idx]);
    } else if (c->values) {
        put_num(out, c->values[idx]);
    } else {
        fprintf(out, "%zu", idx);
    }
    if (c->is_day && p->start_date[0]) {
        double d = c->values ? c->values[idx] : (double)idx;
        ipsim_date_format(day0 + (ipsim_date)d, date);
        fprintf(out, ",%s", date);
    }
}

int ipsim__ex_write_table(const ipsim_ex_plan *p, const ipsim_ex_table *t, FILE *out, char *err,
                          size_t errlen)
{
    coord c[IPSIM_EX_MAX_RANK];
    loaded *ls = NULL;
    double **params = NULL;
    layout L;
    size_t idx[IPSIM_EX_MAX_RANK] = {0}, rows = 1;
    ipsim_date day0 = 0;
    int rc = 0, first = 1, point_dim = -1, rep_dim = -1;

    if (t->attrs) {
        hsize_t n = 0;
        fputs("attribute,value\n", out);
        H5Aiterate2(p->f, H5_INDEX_NAME, H5_ITER_INC, &n, attr_row, out);
        return ferror(out) ? -1 : 0;
    }
    if (p->start_date[0])
        ipsim_date_parse(p->start_date, &day0);
    memset(c, 0, sizeof c);
    if (make_layout(t, &L) != 0 || !(ls = calloc(t->ns + 1, sizeof *ls)) ||
        !(params = calloc(p->n_params + 1, sizeof *params))) {
        ipsim_set_error(err, errlen, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < t->ns; i++)
        if (load_series(p, t, &t->s[i], &ls[i]) != 0) {
            ipsim_set_error(err, errlen, "cannot read /%s", t->s[i].path);
            rc = -1;
        }
    for (int i = 0; rc == 0 && i < t->rank; i++) {
        load_coord(p, t, i, &c[i]);
        rows *= (size_t)t->dims[i];
        if (c[i].is_point && point_dim < 0)
            point_dim = i;
        if (strcmp(t->labels[i], "replicate") == 0 && rep_dim < 0)
            rep_dim = i;
    }
    for (size_t k = 0; rc == 0 && point_dim >= 0 && t->point_params && k < p->n_params; k++) {
        char path[2 * IPSIM_EX_NAME_LEN];
        size_t n = 0;
        snprintf(path, sizeof path, "design/%s", p->params[k].name);
        params[k] = ipsim_h5_read_doubles(p->f, path, 1, NULL, &n);
        if (params[k] && n != t->dims[point_dim]) {
            free(params[k]);
            params[k] = NULL;
        }
    }
    if (rc == 0) {
        /* header */
        for (int i = 0; t->coords && i < t->rank; i++)
            coord_header(p, t, &c[i], out, &first);
        if (t->key_column) {
            fprintf(out, "%s%s", first ? "" : ",", t->key_column);
            first = 0;
        }
        for (size_t k = 0; k < L.nc; k++) {
            fputs(first ? "" : ",", out);
            put_text(out, L.cols[k]);
            first = 0;
        }
        if (t->ema)
            fputs(",scenario,policy,model", out);
        fputc('\n', out);
    }
    for (size_t r = 0; rc == 0 && r < rows; r++) {
        for (size_t k = 0; k < L.nk; k++) {
            first = 1;
            for (int i = 0; t->coords && i < t->rank; i++)
                coord_fields(p, t, &c[i], idx[i], params, day0, out, &first);
            if (t->key_column) {
                if (!first)
                    fputc(',', out);
                put_text(out, L.keys[k]);
                first = 0;
            }
            for (size_t col = 0; col < L.nc; col++) {
                int si = L.map[k * L.nc + col];
                if (!first)
                    fputc(',', out);
                first = 0;
                if (si < 0 || (!ls[si].num && !ls[si].str))
                    continue;
                size_t off = 0;
                for (int i = 0; i < t->rank; i++)
                    off += idx[i] * ls[si].stride[i];
                if (ls[si].str)
                    put_text(out, ls[si].str[off]);
                else
                    put_num(out, ls[si].num[off]);
            }
            if (t->ema) {
                fprintf(out, ",%zu,", rep_dim >= 0 ? idx[rep_dim] : (size_t)0);
                if (point_dim >= 0 && c[point_dim].names)
                    put_text(out, c[point_dim].names[idx[point_dim]]);
                fputs(",ipsim", out);
            }
            fputc('\n', out);
        }
        for (int i = t->rank - 1; i >= 0; i--) {
            if (++idx[i] < t->dims[i])
                break;
            idx[i] = 0;
        }
        if (ferror(out)) {
            ipsim_set_error(err, errlen, "write error");
            rc = -1;
        }
    }
    for (int i = 0; i < t->rank; i++)
        free_coord(&c[i]);
    for (size_t i = 0; ls && i < t->ns; i++)
        free_loaded(&ls[i]);
    for (size_t k = 0; params && k < p->n_params; k++)
        free(params[k]);
    free(params);
    free(ls);
    free_layout(&L);
    return rc;
}
