/*
 * run_write.h - the interface between the files of the run writer
 * (internal to libipsim): run_write.c builds the file image and publishes
 * it, run_meta.c writes the root attributes, /scenario and the dimension
 * scales, run_data.c the results, all with the primitives of run_h5.c.
 *
 * Every writing function returns 0 (or an open id) on success, and -1 on
 * failure after recording the first object that failed in the writer (see
 * ipsim__rw_fail); none prints.
 */
#ifndef IPSIM_RUN_WRITE_H
#define IPSIM_RUN_WRITE_H

#include <stddef.h>
#include <hdf5.h>

#include "model/results.h"

#define CRT_ORDER (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)

/* The dimension scales of a run file, kept open while it is written. */
enum { SC_DAY, SC_MARKET, SC_SEGMENT, SC_ASSET, N_SCALES };

/* Dataset flags: chunked (CHUNK_DAYS days, shuffle + deflate); NaN fill
 * value (with a _FillValue attribute on variables). */
enum { DS_CHUNKED = 1, DS_FILL_NAN = 2 };

typedef struct {
    const ipsim_model *m;
    const ipsim_results *r;
    const sc_data *sc;
    hid_t file;
    hid_t scale[N_SCALES];
    const char *where;   /* group being written, for messages */
    char what[160];      /* first object that failed */
    ipsim_status status; /* IPSIM_ERR_IO unless memory ran out */
} run_writer;

/* ---- primitives (run_h5.c) ---------------------------------------------- */

/* Record the first object that failed (name in the group w->where; "" for
 * the group itself); always returns -1. _nomem also marks the failure as
 * out of memory. */
int ipsim__rw_fail(run_writer *w, const char *name);
int ipsim__rw_fail_nomem(run_writer *w, const char *name);

/* Why building the file failed, into buf: out of memory, or the innermost
 * message of HDF5's error stack (read it before clearing the stack). */
void ipsim__rw_failure_reason(const run_writer *w, char *buf, size_t len);

/* A scalar float64 attribute; units and long_name of a variable. 0 or -1
 * (no failure recorded). */
int ipsim__rw_attr_double(hid_t loc, const char *name, double v);
int ipsim__rw_attr_info(hid_t ds, const char *units, const char *long_name);

/* Create loc/name (rank 0 = scalar) of the given type with DS_* flags and
 * write data; returns the open dataset. */
hid_t ipsim__rw_dataset(run_writer *w, hid_t loc, const char *name, hid_t type, int rank,
                        const hsize_t *dims, const void *data, int flags);

/* A 1-D dataset of n UTF-8 strings; returns it open. */
hid_t ipsim__rw_strings(run_writer *w, hid_t loc, const char *name, hsize_t n, const char *const *v);

/* Attach scale[i] to dimension i (0..rank-1) of ds and label the dimension
 * with the scale's name (h5py's ds.dims[i].label). */
int ipsim__rw_attach_scales(run_writer *w, hid_t ds, int rank, const hid_t *scale, const char *name);

/* A float64 variable on the given scales, with units and long_name (and
 * _FillValue with DS_FILL_NAN); closes it. */
int ipsim__rw_variable(run_writer *w, hid_t loc, const char *name, int rank, const hsize_t *dims,
                       const hid_t *scale, const double *data, int flags, const char *units,
                       const char *long_name);

/* Create the group /name (creation order tracked) and make it w->where;
 * close it and make / w->where again. */
hid_t ipsim__rw_group(run_writer *w, const char *name);
int ipsim__rw_group_close(run_writer *w, hid_t g);

/* ---- identity (run_meta.c) ---------------------------------------------- */

/* The root attributes; /scenario; the scales /day and /market, /segment,
 * /asset (kept open in w->scale until ipsim__rw_close_scales). */
int ipsim__rw_root_attrs(run_writer *w);
int ipsim__rw_scenario(run_writer *w);
int ipsim__rw_day_scale(run_writer *w);
int ipsim__rw_name_scales(run_writer *w);
void ipsim__rw_close_scales(run_writer *w);

/* ---- results (run_data.c) ----------------------------------------------- */

/* /daily, /summary, /asset_daily, /destination_daily, /interventions and
 * /cells (the scales must be written first). */
int ipsim__rw_daily(run_writer *w);
int ipsim__rw_summary(run_writer *w);
int ipsim__rw_asset_daily(run_writer *w);
int ipsim__rw_dest_daily(run_writer *w);
int ipsim__rw_interventions(run_writer *w);
int ipsim__rw_cells(run_writer *w);

#endif /* IPSIM_RUN_WRITE_H */
