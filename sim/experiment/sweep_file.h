/*
 * sweep_file.h - the sweep HDF5 file (internal to libipsim): the records it
 * is written from, and the interface between its writer (sweep_file.c),
 * its /analysis group (sweep_analysis_out.c) and its reader
 * (sweep_merge.c). The report (sweep_report.c) reads it by name only.
 *
 * Layout:
 *   /                     attributes ipsim_kind = "sweep", ipsim_version,
 *                         git_commit, experiment_name, design, seed,
 *                         seed_string, replicates, points, scale, days,
 *                         units, units_done, shard ("" or "K/N"),
 *                         fingerprint, resolution, Conventions, title,
 *                         history, wall_seconds
 *   /experiment           the experiment JSON
 *   /identity             what the units depend on (JSON, sweep_identity.c):
 *                         versions, replicates, scale, seed, the experiment,
 *                         the resolved scenarios; fingerprint = its hash
 *   /point /replicate /market /segment [/parameter] [/day]   scales
 *   /point_name [point]   /cost_cny [point] (sum of interventions' cost)
 *   /design/<parameter> [point]
 *   /variations/name, description, set [variation], /point_variation [point]
 *                         (experiments with "variations" only)
 *   /outcomes/<metric> [point][replicate]
 *   /outcomes_by_market/<metric> [point][replicate][market]
 *   /outcomes_by_segment/<metric> [point][replicate][segment]
 *   /daily/<metric> [point][replicate][day][market][segment]  (keep_daily)
 *   /units/done [point][replicate] (1 = present), /units/run_seconds
 *   /analysis/...         (complete sweeps only; see sweep_analysis_out.c)
 * Every dataset except /units/run_seconds and the attributes wall_seconds
 * and history is a function of the experiment, replicates and scale only
 * (and /identity of the ipsim version too).
 */
#ifndef IPSIM_SWEEP_FILE_H
#define IPSIM_SWEEP_FILE_H

#include <stdint.h>
#include <hdf5.h>

#include "experiment/plan.h"
#include "experiment/sweep.h"
#include "base/textbuf.h"

/* What a sweep file is written from: the experiment and every unit's
 * record ([unit][nv] values, SW_* state, seconds; unit = point * R +
 * replicate). complete: write /analysis (the whole sweep, all done). */
typedef struct {
    const ipsim_experiment *e;
    int R;
    double scale;
    size_t nv;
    const double *vals;
    const unsigned char *state;
    const double *secs;
    int shard_k, shard_n;
    uint64_t fp;
    const char *identity; /* sweep_identity.c */
    double wall;
    int complete;
} sweep_data;

/* The file being written, and the first object that failed. */
typedef struct {
    hid_t file;
    int failed;
    int nomem; /* the failure was memory running out (exit 71, not 74) */
    char what[256];
} sw_h5;

/* The dimension scales, kept open while the file is written. */
enum { SC_POINT, SC_REP, SC_MARKET, SC_SEGMENT, SC_PARAM, SC_DAY, N_SC };

/* Offsets in a unit's values: the totals (OUT_COUNT), then outcome k by
 * market, by segment, and daily metric k [day][market][segment]. */
static inline size_t off_market(const sweep_data *d, int k)
{
    return OUT_COUNT + (size_t)k * d->e->n_markets;
}
static inline size_t off_segment(const sweep_data *d, int k)
{
    return OUT_COUNT + (size_t)XP_N_SPLIT * d->e->n_markets + (size_t)k * IPSIM_N_SEGMENTS;
}
static inline size_t off_daily(const sweep_data *d, int k)
{
    return OUT_COUNT + (size_t)XP_N_SPLIT * (d->e->n_markets + IPSIM_N_SEGMENTS) +
           (size_t)k * d->e->days * d->e->n_markets * IPSIM_N_SEGMENTS;
}

/* Write the sweep file OUT from d: built in memory, written to a new
 * unique temp file, fsync'ed and published as OUT (io/safe_file.h: renamed
 * over a regular OUT with force, linked without). The caller holds
 * OUT.lock. HDF5 stays quiet (sweep_file.c). */
ipsim_status ipsim__swf_write(const sweep_data *d, const char *out, int force, char *err,
                              size_t errlen);

/* The /identity and "shard" attribute ("" or "K/N") of the sweep file at
 * path (sweep_merge.c); *identity malloc'd. IPSIM_ERR_NOINPUT when it
 * cannot be opened as a regular file, IPSIM_ERR_DATA when it is not a
 * sweep file or has no /identity (written by an older ipsim); err then
 * says why (without the path). */
ipsim_status ipsim__swf_read_identity(const char *path, char **identity, char *shard, size_t shard_len,
                                      char *err, size_t errlen);

/* ---- checked reads (sweep_h5read.c) ------------------------------------- */

/* The scalar numeric attribute name of obj as a double in [lo, hi] (whole
 * when whole is set) into *out; -1 when missing, of another kind, not
 * finite or out of range. */
int ipsim__swr_attr_number(hid_t obj, const char *name, double lo, double hi, int whole, double *out);

/* The number of values of the dataset loc/path (hard links, plain layout)
 * of strings (strings set) or numbers; -1 when missing or of another kind. */
long long ipsim__swr_count(hid_t loc, const char *path, int strings);

/* The dims (rank of them) of the numeric dataset loc/path (hard links,
 * plain layout); -1 when missing, of another kind or rank. */
int ipsim__swr_shape(hid_t loc, const char *path, int rank, hsize_t *dims);

/* Read the numeric dataset loc/path into buf (prod(dims) doubles) when it
 * has exactly this rank and these dims, a plain layout and (contiguous or
 * compact) all its values stored; -1 otherwise (buf then undefined). */
int ipsim__swr_read(hid_t loc, const char *path, int rank, const hsize_t *dims, double *buf);

/* The single string of the dataset loc/path (scalar or one element) of at
 * most max bytes, malloc'd; NULL otherwise. */
char *ipsim__swr_text(hid_t loc, const char *path, size_t max);

/* ---- for the /analysis writer (sweep_file.c) ---------------------------- */

/* Record the first object that failed (what); always returns -1.
 * ipsim__swf_nomem: the same when memory ran out. */
int ipsim__swf_nomem(sw_h5 *w, const char *what);
int ipsim__swf_fail(sw_h5 *w, const char *what);

/* Create the group loc/name (creation order tracked); returns it open. */
hid_t ipsim__swf_group(sw_h5 *w, hid_t loc, const char *name);

/* A float64 variable loc/name on the given scales, with units and
 * long_name (either may be NULL); 0 or -1. */
int ipsim__swf_variable(sw_h5 *w, hid_t loc, const char *name, int rank, const hsize_t *dims,
                        const hid_t *scales, const double *data, const char *units,
                        const char *long_name);

/* Gather n consecutive numbers at offset off of every unit into
 * out[point][replicate][n] (NaN for units not present). */
void ipsim__swf_gather(const sweep_data *d, size_t off, size_t n, double *out);

/* The /analysis group of a complete sweep, on the open scales sc
 * (sweep_analysis_out.c); 0 or -1. */
int ipsim__swf_analysis(sw_h5 *w, const sweep_data *d, const hid_t *sc);

/* /analysis/posterior of a complete sweep run under --posterior, in the
 * open group analysis (sweep_analysis_post.c); 0 or -1. */
int ipsim__swf_analysis_posterior(sw_h5 *w, const sweep_data *d, hid_t analysis, const hid_t *sc);

/* A dataset loc/name of type (rank 0 to 2) with attribute creation order
 * and no modification times (the file is a function of the sweep), data
 * written; returns it open, or -1 after ipsim__swf_fail (sweep_file.c). */
hid_t ipsim__swf_dataset(sw_h5 *w, hid_t loc, const char *name, hid_t type, int rank,
                         const hsize_t *dims, const void *data);

/* ---- variations and response designs (sweep_plan_out.c) ---------------- */

/* /variations/{name, description, set} and /point_variation [point] of an
 * experiment with variations (nothing without); 0 or -1. */
int ipsim__swf_variations(sw_h5 *w, const sweep_data *d, hid_t point_scale);

/* /analysis/variations/<outcome>/... (variations) and
 * /analysis/response/<outcome>/... (response design) in the open group
 * analysis; 0 or -1. */
int ipsim__swf_analysis_plan(sw_h5 *w, const sweep_data *d, hid_t analysis);

/* ---- the planner's parts of the report (sweep_report_plan.c) ---------- */

/* The per-variation table (arms with variations): pn the P point names. */
void ipsim__swr_report_variations(ipsim_textbuf *b, hid_t f, char **pn, size_t P);

/* The response curve of a response design of L levels. */
void ipsim__swr_report_response(ipsim_textbuf *b, hid_t f, size_t L);

#endif /* IPSIM_SWEEP_FILE_H */
