/*
 * windows.h - INTERNAL: outcome windows of an experiment (windows.c).
 * "windows": [{"name", "from", "to"}] name date ranges of the simulated
 * period; each adds outcomes "<window>.<metric>" (totals of arrivals,
 * cec_arrivals, visits_all, visitor_nights, spending_cny over the window,
 * inclusive) and "<window>.peak_day" (the recorded day index of the
 * largest daily visits_all inside the window, units "days since START");
 * "ratios": [{"name", "numerator", "denominator", "metric"}] add outcome
 * "<name>" = the metric's total over the numerator window / over the
 * denominator window (a decay ratio). These outcomes follow the built-in
 * ones (plan.h) in every unit's values, after the daily series, and every
 * design analyses them as it does the others.
 */
#ifndef IPSIM_WINDOWS_H
#define IPSIM_WINDOWS_H

#include <cjson/cJSON.h>

#include "experiment/plan.h"
#include "experiment/plan_build.h"
#include "model/results.h"

enum { WM_ARRIVALS = 0, WM_CEC_ARRIVALS, WM_VISITS_ALL, WM_VISITOR_NIGHTS, WM_SPENDING_CNY,
       WM_PEAK_DAY, WM_COUNT };
#define WM_TOTALS WM_PEAK_DAY /* the first WM_TOTALS are sums; ratios use them */
#define XP_MAX_WINDOWS 50
#define XP_MAX_RATIOS 50
#define XP_OUTCOME_NAME_MAX (2 * XP_NAME_MAX + 24)

typedef struct xp_window {
    char name[XP_NAME_MAX];
    char from[16], to[16]; /* as written (YYYY-MM-DD) */
    int d0, d1;            /* recorded day indices, inclusive (set by ipsim__xp_windows_resolve) */
} xp_window;

typedef struct xp_ratio {
    char name[XP_NAME_MAX];
    int num, den, metric; /* windows, WM_* (a total) */
} xp_ratio;

/* Read "windows" and "ratios" of the experiment root (names unique among
 * windows, ratios and the built-in outcomes; from <= to; a ratio's windows
 * must exist); the dates are checked against the simulated period later. */
ipsim_status ipsim__xp_read_windows(xp_builder *b, const cJSON *root);

/* Check each window against the simulated period of e (start date and
 * days of the reference scenario) and set its day indices. */
ipsim_status ipsim__xp_windows_resolve(ipsim_experiment *e, ipsim_date start, char *err, size_t errlen);

/* The same for an experiment read back from a sweep file (merge): the
 * start date is the reference scenario's in the sweep's identity. */
ipsim_status ipsim__xp_windows_from_identity(ipsim_experiment *e, const char *identity, char *err,
                                             size_t errlen);

/* The window outcomes of a finished run into v (n_extra numbers). */
void ipsim__xp_windows_reduce(const ipsim_experiment *e, const ipsim_results *r, double *v);

/* Outcomes added by windows and ratios. */
int ipsim__xp_n_extra(const ipsim_experiment *e);
/* Name, units and long name of extra outcome i (0 <= i < n_extra). */
void ipsim__xp_extra_info(const ipsim_experiment *e, int i, char *name, char *units, char *long_name,
                          size_t len);

/* ---- every outcome: the built-in ones (OUT_COUNT), then the extra ones -- */

typedef struct {
    char name[XP_OUTCOME_NAME_MAX];
    char units[64];
    char long_name[256];
    size_t offset; /* in a unit's values */
    int on;        /* analysed and written ("outcomes" of the experiment) */
} xp_outcome_desc;

int ipsim__xp_n_outcomes(const ipsim_experiment *e);
void ipsim__xp_outcome_desc(const ipsim_experiment *e, int k, xp_outcome_desc *d);

#endif /* IPSIM_WINDOWS_H */
