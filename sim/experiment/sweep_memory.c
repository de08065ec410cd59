/*
 * sweep_memory.c - the memory a sweep (or a merge) will need, estimated
 * before any unit runs and compared with --max-memory and with the memory
 * available now, so that a sweep whose outcomes cannot be written is
 * refused up front instead of failing after its last unit (and again on
 * every --resume).
 *
 * What is counted: every unit's numbers, kept in memory until the file is
 * written (totals, per market and segment, and the keep_daily series);
 * the file, built in memory and copied out once; the largest write buffer
 * (one daily metric of every unit); the analysis; and, while units run,
 * one model (ipsim_model_memory_estimate of the reference scenario).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment/sweep.h"
#include "experiment/sweep_file.h"
#include "base/textbuf.h"

#define KIB 1024.0
#define FILE_OVERHEAD (1024.0 * 1024.0) /* metadata of a sweep file, bytes */
#define ANALYSIS_STATS 5                /* mean, sd, diff and its interval */
#define MEMINFO "/proc/meminfo"

/* Bytes available to a new allocation now: MemAvailable of /proc/meminfo,
 * else free pages; 0 when unknown. */
static double available_bytes(void)
{
    FILE *f = fopen(MEMINFO, "re");
    double kb = 0.0;
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1)
                break;
        fclose(f);
    }
    if (kb > 0)
        return kb * KIB;
    long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 0.0;
}

/* "1.5 GB", "320 MB", ... */
static void bytes_text(double b, char *buf, size_t len)
{
    static const char *const unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (b >= KIB && u < 5) {
        b /= KIB;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

void ipsim__sw_memory_estimate(const ipsim_experiment *e, int R, const ipsim_sweep_options *o,
                               sw_memory *m)
{
    double P = e->n_points, U = P * R, M = e->n_markets, S = IPSIM_N_SEGMENTS;
    double nv = (double)ipsim__xp_unit_values(e);
    memset(m, 0, sizeof *m);
    m->units = U;
    m->unit_bytes = nv * sizeof(double);
    m->kept = U * (m->unit_bytes + 1.0 + sizeof(double)); /* values, state, seconds */
    double analysis = (double)OUT_COUNT * ANALYSIS_STATS * P * (1.0 + M + S) * sizeof(double);
    m->file = U * m->unit_bytes + U * (1.0 + sizeof(double)) + analysis + FILE_OVERHEAD;
    double daily = e->n_daily > 0 ? U * e->days * M * S * sizeof(double) : 0.0;
    double buf = U * (M > 2 ? M : 2) * sizeof(double);
    m->write_buffers = (daily > buf ? daily : buf) + analysis;
    const ipsim_scenario *ref = e->own && e->own[e->reference] ? e->own[e->reference] : e->base;
    if (ref) {
        ipsim_run_options opt;
        ipsim_run_options_init(&opt);
        opt.scale = ipsim__xp_scale(e, o);
        opt.threads = o ? o->threads : 0;
        m->model = ipsim_model_memory_estimate(ref, &opt);
    }
    double writing = 2.0 * m->file + m->write_buffers; /* the image and its copy */
    m->total = m->kept + (writing > m->model ? writing : m->model);
}

ipsim_status ipsim__sw_check_memory(const ipsim_experiment *e, int R, const ipsim_sweep_options *o,
                                    int copies, const char *what, char *err, size_t errlen)
{
    sw_memory m;
    double limit = o && o->max_memory_bytes > 0 ? o->max_memory_bytes : 0.0;
    double avail = available_bytes();
    ipsim__sw_memory_estimate(e, R, o, &m);
    if (copies > 1) { /* merge: another file's units read beside them */
        m.kept *= copies;
        m.total += (copies - 1) * m.kept / copies;
    }
    int over_limit = limit > 0 && m.total > limit, over_avail = avail > 0 && m.total > avail;
    if (!over_limit && !over_avail)
        return IPSIM_OK;
    char total[32], unit[32], kept[32], file[32], model[32], cap[32];
    bytes_text(m.total, total, sizeof total);
    bytes_text(m.unit_bytes, unit, sizeof unit);
    bytes_text(m.kept, kept, sizeof kept);
    bytes_text(m.file, file, sizeof file);
    bytes_text(m.model, model, sizeof model);
    bytes_text(over_limit ? limit : avail, cap, sizeof cap);
    ipsim_set_error(err, errlen,
                    "%s: the sweep needs about %s of memory (%.0f units x %s of outcomes kept%s: "
                    "%s; the file, built in memory and copied out: 2 x %s; one model: %s), "
                    "over %s %s; nothing was run: use fewer points or replicates, keep_daily for "
                    "fewer metrics (or none)%s",
                    what, total, m.units, unit, copies > 1 ? ", twice while merging" : "", kept, file,
                    model, over_limit ? "--max-memory" : "the memory available now", cap,
                    over_limit ? ", or a larger --max-memory" : "");
    return IPSIM_ERR_NOMEM;
}
