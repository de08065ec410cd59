/*
 * windows.c - outcome windows of experiments (see windows.h): reads and
 * checks "windows" and "ratios", resolves their dates to recorded days,
 * reduces a run's daily series to the window outcomes, and describes every
 * outcome (built-in and window) for the writers and the analysis.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/windows.h"

static const struct {
    const char *name, *units, *what;
} wm_info[WM_COUNT] = {
    {"arrivals", "1", "trips started"},
    {"cec_arrivals", "1", "trips started by core experiential consumers"},
    {"visits_all", "1", "visits (overnight arrivals, same-day and local visits)"},
    {"visitor_nights", "1", "nights spent at the destination"},
    {"spending_cny", "CNY", "on-site spending"},
    {"peak_day", "days", "recorded day of the largest daily visits_all"},
};

/* ---- reading ------------------------------------------------------------ */

static int find_window(const ipsim_experiment *e, const char *name)
{
    for (int w = 0; w < e->n_windows; w++)
        if (strcmp(e->windows[w].name, name) == 0)
            return w;
    return -1;
}

/* 1 when name is taken by a built-in outcome, a window or a ratio before. */
static int name_taken(const ipsim_experiment *e, const char *name)
{
    for (int k = 0; k < OUT_COUNT; k++)
        if (strcmp(ipsim__xp_outcomes[k].name, name) == 0)
            return 1;
    for (int r = 0; r < e->n_ratios; r++)
        if (strcmp(e->ratios[r].name, name) == 0)
            return 1;
    return find_window(e, name) >= 0;
}

static ipsim_status read_date(xp_builder *b, const cJSON *obj, const char *path, const char *key,
                              char *out, ipsim_date *d)
{
    char p[64];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!cJSON_IsString(v) || strlen(v->valuestring) != 10 || ipsim_date_parse(v->valuestring, d) != 0)
        return ipsim__xp_expected(&b->c, p, "a date YYYY-MM-DD", v);
    snprintf(out, 16, "%s", v->valuestring);
    return IPSIM_OK;
}

static ipsim_status read_window(xp_builder *b, const cJSON *obj, int i)
{
    static const char *const keys[] = {"name", "from", "to", NULL};
    ipsim_experiment *e = b->e;
    xp_window *w = &e->windows[i];
    char path[32];
    ipsim_date a, z;
    ipsim_status st;
    snprintf(path, sizeof path, "windows[%d]", i);
    if (!cJSON_IsObject(obj))
        return ipsim__xp_expected(&b->c, path, "an object {\"name\", \"from\", \"to\"}", obj);
    if ((st = ipsim__xp_check_keys(&b->c, obj, path, keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_name(&b->c, obj, path, w->name)) != IPSIM_OK ||
        (st = read_date(b, obj, path, "from", w->from, &a)) != IPSIM_OK ||
        (st = read_date(b, obj, path, "to", w->to, &z)) != IPSIM_OK)
        return st;
    if (z < a) {
        char p[48];
        snprintf(p, sizeof p, "%s.to", path);
        return ipsim__xp_expected(&b->c, p, "a date on or after \"from\"",
                                  cJSON_GetObjectItemCaseSensitive(obj, "to"));
    }
    if (name_taken(e, w->name)) {
        char p[48];
        snprintf(p, sizeof p, "%s.name", path);
        return ipsim__xp_expected(&b->c, p, "a name no other window or outcome has",
                                  cJSON_GetObjectItemCaseSensitive(obj, "name"));
    }
    e->n_windows = i + 1;
    return IPSIM_OK;
}

static ipsim_status read_ratio(xp_builder *b, const cJSON *obj, int i)
{
    static const char *const keys[] = {"name", "numerator", "denominator", "metric", NULL};
    ipsim_experiment *e = b->e;
    xp_ratio *r = &e->ratios[i];
    char path[32], p[64];
    ipsim_status st;
    snprintf(path, sizeof path, "ratios[%d]", i);
    if (!cJSON_IsObject(obj))
        return ipsim__xp_expected(&b->c, path,
                                  "an object {\"name\", \"numerator\", \"denominator\", \"metric\"}",
                                  obj);
    if ((st = ipsim__xp_check_keys(&b->c, obj, path, keys)) != IPSIM_OK ||
        (st = ipsim__xp_get_name(&b->c, obj, path, r->name)) != IPSIM_OK)
        return st;
    if (name_taken(e, r->name)) {
        snprintf(p, sizeof p, "%s.name", path);
        return ipsim__xp_expected(&b->c, p, "a name no window or other outcome has",
                                  cJSON_GetObjectItemCaseSensitive(obj, "name"));
    }
    static const char *const ends[2] = {"numerator", "denominator"};
    for (int j = 0; j < 2; j++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, ends[j]);
        int w = cJSON_IsString(v) ? find_window(e, v->valuestring) : -1;
        snprintf(p, sizeof p, "%s.%s", path, ends[j]);
        if (w < 0)
            return ipsim__xp_expected(&b->c, p, "the name of one of windows", v);
        *(j == 0 ? &r->num : &r->den) = w;
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metric");
    r->metric = -1;
    for (int k = 0; cJSON_IsString(m) && k < WM_TOTALS; k++)
        if (strcmp(m->valuestring, wm_info[k].name) == 0)
            r->metric = k;
    if (r->metric < 0) {
        snprintf(p, sizeof p, "%s.metric", path);
        return ipsim__xp_expected(&b->c, p,
                                  "one of arrivals, cec_arrivals, visits_all, visitor_nights, "
                                  "spending_cny",
                                  m);
    }
    e->n_ratios = i + 1;
    return IPSIM_OK;
}

ipsim_status ipsim__xp_read_windows(xp_builder *b, const cJSON *root)
{
    ipsim_experiment *e = b->e;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(root, "windows");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "ratios");
    ipsim_status st = IPSIM_OK;
    int n = cJSON_GetArraySize(w), m = cJSON_GetArraySize(r);
    if (w && (!cJSON_IsArray(w) || n < 1 || n > XP_MAX_WINDOWS))
        return ipsim__xp_expected(&b->c, "windows", "an array of 1 to 50 windows", w);
    if (r && !w)
        return ipsim__xp_say(&b->c, IPSIM_ERR_DATA, "ratios: expected \"windows\" to name the "
                                                     "windows of the ratios, found none");
    if (r && (!cJSON_IsArray(r) || m < 1 || m > XP_MAX_RATIOS))
        return ipsim__xp_expected(&b->c, "ratios", "an array of 1 to 50 ratios", r);
    if (!w)
        return IPSIM_OK;
    e->windows = calloc((size_t)n, sizeof *e->windows);
    e->ratios = m > 0 ? calloc((size_t)m, sizeof *e->ratios) : NULL;
    if (!e->windows || (m > 0 && !e->ratios))
        return ipsim__xp_nomem(&b->c);
    for (int i = 0; i < n && st == IPSIM_OK; i++)
        st = read_window(b, cJSON_GetArrayItem(w, i), i);
    for (int i = 0; i < m && st == IPSIM_OK; i++)
        st = read_ratio(b, cJSON_GetArrayItem(r, i), i);
    return st;
}

ipsim_status ipsim__xp_windows_resolve(ipsim_experiment *e, ipsim_date start, char *err, size_t errlen)
{
    char a[16], z[16];
    ipsim_date_format(start, e->start_text);
    ipsim_date_format(start, a);
    ipsim_date_format(start + e->days - 1, z);
    for (int i = 0; i < e->n_windows; i++) {
        xp_window *w = &e->windows[i];
        ipsim_date f = 0, t = 0;
        ipsim_date_parse(w->from, &f);
        ipsim_date_parse(w->to, &t);
        if (f < start || f > start + e->days - 1 || t < start || t > start + e->days - 1) {
            int bad_from = f < start || f > start + e->days - 1;
            snprintf(err, errlen,
                     "%s: windows[%d].%s: expected a date from %s to %s (the simulated period), "
                     "found \"%s\"",
                     e->origin, i, bad_from ? "from" : "to", a, z, bad_from ? w->from : w->to);
            return IPSIM_ERR_DATA;
        }
        w->d0 = (int)(f - start);
        w->d1 = (int)(t - start);
    }
    return IPSIM_OK;
}

/* ---- values ------------------------------------------------------------- */

int ipsim__xp_n_extra(const ipsim_experiment *e)
{
    return e->n_windows * WM_COUNT + e->n_ratios;
}

void ipsim__xp_windows_reduce(const ipsim_experiment *e, const ipsim_results *r, double *v)
{
    static const int met[WM_TOTALS] = {MET_ARRIVALS, MET_ARRIVALS, MET_VISITS_ALL, MET_VISITOR_NIGHTS,
                                       MET_SPENDING_CNY};
    int M = r->n_markets, S = IPSIM_N_SEGMENTS;
    for (int i = 0; i < e->n_windows; i++) {
        const xp_window *w = &e->windows[i];
        double *o = v + (size_t)i * WM_COUNT, best = -1.0;
        int at = -1;
        for (int k = 0; k < WM_TOTALS; k++) {
            const double *d = results_daily(r, met[k]);
            double sum = 0.0;
            for (int t = w->d0; t <= w->d1; t++)
                for (int mk = 0; mk < M; mk++)
                    for (int s = 0; s < S; s++) {
                        double x = d[((size_t)t * M + mk) * S + s];
                        if (isfinite(x) && (k != WM_CEC_ARRIVALS || s == IPSIM_SEG_CEC))
                            sum += x;
                    }
            o[k] = sum;
        }
        const double *d = results_daily(r, MET_VISITS_ALL);
        for (int t = w->d0; t <= w->d1; t++) {
            double day = 0.0;
            for (size_t c = 0; c < (size_t)M * S; c++) {
                double x = d[(size_t)t * M * S + c];
                if (isfinite(x))
                    day += x;
            }
            if (day > best) {
                best = day;
                at = t;
            }
        }
        o[WM_PEAK_DAY] = at;
    }
    for (int j = 0; j < e->n_ratios; j++) {
        const xp_ratio *q = &e->ratios[j];
        double num = v[(size_t)q->num * WM_COUNT + q->metric];
        double den = v[(size_t)q->den * WM_COUNT + q->metric];
        v[(size_t)e->n_windows * WM_COUNT + j] = den > 0 ? num / den : NAN;
    }
}

/* ---- descriptions ------------------------------------------------------- */

void ipsim__xp_extra_info(const ipsim_experiment *e, int i, char *name, char *units, char *long_name,
                          size_t len)
{
    if (i < e->n_windows * WM_COUNT) {
        const xp_window *w = &e->windows[i / WM_COUNT];
        int k = i % WM_COUNT;
        snprintf(name, XP_OUTCOME_NAME_MAX, "%s.%s", w->name, wm_info[k].name);
        if (k == WM_PEAK_DAY)
            snprintf(units, 64, "days since %s", e->start_text);
        else
            snprintf(units, 64, "%s", wm_info[k].units);
        snprintf(long_name, len, "%s, %s to %s%s", wm_info[k].what, w->from, w->to,
                 k == WM_PEAK_DAY ? "" : " (total)");
        return;
    }
    const xp_ratio *q = &e->ratios[i - e->n_windows * WM_COUNT];
    snprintf(name, XP_OUTCOME_NAME_MAX, "%s", q->name);
    snprintf(units, 64, "1");
    snprintf(long_name, len, "%s in %s / in %s", wm_info[q->metric].name, e->windows[q->num].name,
             e->windows[q->den].name);
}

int ipsim__xp_n_outcomes(const ipsim_experiment *e)
{
    return OUT_COUNT + ipsim__xp_n_extra(e);
}

void ipsim__xp_outcome_desc(const ipsim_experiment *e, int k, xp_outcome_desc *d)
{
    if (k < OUT_COUNT) {
        snprintf(d->name, sizeof d->name, "%s", ipsim__xp_outcomes[k].name);
        snprintf(d->units, sizeof d->units, "%s", ipsim__xp_outcomes[k].units);
        snprintf(d->long_name, sizeof d->long_name, "%s", ipsim__xp_outcomes[k].long_name);
        d->offset = (size_t)k;
        d->on = (e->outcome_mask & (1u << k)) != 0;
        return;
    }
    ipsim__xp_extra_info(e, k - OUT_COUNT, d->name, d->units, d->long_name, sizeof d->long_name);
    d->offset = ipsim__xp_unit_values(e) - (size_t)ipsim__xp_n_extra(e) + (size_t)(k - OUT_COUNT);
    d->on = 1;
}

ipsim_status ipsim__xp_windows_from_identity(ipsim_experiment *e, const char *identity, char *err,
                                             size_t errlen)
{
    if (e->n_windows == 0)
        return IPSIM_OK;
    cJSON *root = cJSON_Parse(identity);
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(root, "base");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(root, "arm_scenario_of_point");
    int ref = e->type == XP_ARMS ? e->reference : 0;
    const cJSON *idx = cJSON_GetArrayItem(of, ref);
    if (cJSON_IsNumber(idx) && idx->valueint >= 0)
        sc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "arm_scenarios"),
                                idx->valueint);
    const cJSON *sim = cJSON_GetObjectItemCaseSensitive(sc, "simulation");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(sim, "start_date");
    ipsim_date start;
    ipsim_status st = IPSIM_OK;
    if (!cJSON_IsString(d) || ipsim_date_parse(d->valuestring, &start) != 0) {
        snprintf(err, errlen, "/identity: expected the reference scenario's simulation.start_date, "
                              "found none");
        st = IPSIM_ERR_DATA;
    } else {
        st = ipsim__xp_windows_resolve(e, start, err, errlen);
    }
    cJSON_Delete(root);
    return st;
}
