/*
 * targets.c - the observed targets of a calibration: reading and checking
 * them (metric, markets, segment, dates inside the simulated period, value,
 * sd > 0, source) and evaluating each on a finished model.
 *
 * A target sums a daily metric (ipsim_model_daily) over an inclusive date
 * window, over one market, a list of markets or all, and one segment or
 * both. Types: "total" (the sum; the default), "mean" (per day), "share"
 * (the sum over the sum of another selection "of" in the same window),
 * "peak_date" (the day of the window with the largest daily value, as days
 * after "from"; value given as a date, sd in days) and "ratio" (the sum
 * over the sum of the same selection in the window "relative_to").
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate/cal.h"
#include "experiment/plan_build.h"
#include "json/json_path.h"

const char *const ipsim__cal_target_names[CAL_N_TARGET_TYPES] = {
    "total", "mean", "share", "peak_date", "ratio"};

#define DATE_LEN 11

static void sub(char *out, size_t len, const char *path, const char *key)
{
    ipsim__cal_fmt(out, len, "%s%s%s", path, *path ? "." : "", key);
}

/* The metric named at obj.metric (required unless dflt >= 0). */
static ipsim_status read_metric(xp_msg *m, const cJSON *obj, const char *path, int dflt, int *out)
{
    char p[IPSIM_JSON_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "metric");
    sub(p, sizeof p, path, "metric");
    if (!v && dflt >= 0) {
        *out = dflt;
        return IPSIM_OK;
    }
    if (!v)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", p);
    if (cJSON_IsString(v)) {
        ipsim_suggest sg;
        ipsim_suggest_init(&sg, v->valuestring);
        for (int i = 0; i < ipsim_metric_count(); i++) {
            if (strcmp(v->valuestring, ipsim_metric_name(i)) == 0) {
                *out = i;
                return IPSIM_OK;
            }
            ipsim_suggest_offer(&sg, ipsim_metric_name(i));
        }
        if (sg.best)
            return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: unknown metric \"%s\" (did you mean \"%s\"?)",
                                 p, v->valuestring, sg.best);
    }
    char what[600] = "one of the daily metrics (";
    for (int i = 0; i < ipsim_metric_count(); i++)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s", i ? ", " : "",
                 ipsim_metric_name(i));
    strncat(what, ")", sizeof what - strlen(what) - 1);
    return ipsim__xp_expected(m, p, what, v);
}

static ipsim_status find_market(xp_msg *m, const ipsim_calibration *c, const cJSON *v, const char *p,
                                cal_selector *s)
{
    if (!cJSON_IsString(v))
        return ipsim__xp_expected(m, p, "a market name", v);
    ipsim_suggest sg;
    ipsim_suggest_init(&sg, v->valuestring);
    for (int i = 0; i < c->n_markets; i++) {
        const char *name = ipsim_scenario_market_name(c->base, i);
        if (strcmp(name, v->valuestring) == 0) {
            s->market[i] = 1;
            return IPSIM_OK;
        }
        ipsim_suggest_offer(&sg, name);
    }
    char list[400] = "";
    for (int i = 0; i < c->n_markets && strlen(list) < sizeof list - 70; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 ipsim_scenario_market_name(c->base, i));
    if (sg.best)
        return ipsim__xp_say(m, IPSIM_ERR_DATA,
                             "%s: no market named \"%s\" in the scenario (did you "
                             "mean \"%s\"?)",
                             p, v->valuestring, sg.best);
    return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: no market named \"%s\" in the scenario (markets: %s)",
                         p, v->valuestring, list);
}

/* metric, market (a name or an array of names), segment of obj. */
static ipsim_status read_selector(xp_msg *m, const ipsim_calibration *c, const cJSON *obj,
                                  const char *path, int dflt_metric, cal_selector *s)
{
    char p[IPSIM_JSON_PATH_MAX];
    ipsim_status st = read_metric(m, obj, path, dflt_metric, &s->metric);
    if (st != IPSIM_OK)
        return st;
    memset(s->market, 0, sizeof s->market);
    s->markets_text[0] = '\0';
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "market");
    sub(p, sizeof p, path, "market");
    if (v && cJSON_IsArray(v)) {
        int k = 0;
        const cJSON *it;
        if (cJSON_GetArraySize(v) < 1)
            return ipsim__xp_expected(m, p, "a market name or a non-empty array of names", v);
        cJSON_ArrayForEach(it, v)
        {
            char q[IPSIM_JSON_PATH_MAX];
            ipsim__cal_fmt(q, sizeof q, "%s[%d]", p, k++);
            if ((st = find_market(m, c, it, q, s)) != IPSIM_OK)
                return st;
            snprintf(s->markets_text + strlen(s->markets_text),
                     sizeof s->markets_text - strlen(s->markets_text), "%s%s", k > 1 ? "+" : "",
                     it->valuestring);
        }
    } else if (v) {
        if ((st = find_market(m, c, v, p, s)) != IPSIM_OK)
            return st;
        snprintf(s->markets_text, sizeof s->markets_text, "%s", v->valuestring);
    } else {
        memset(s->market, 1, (size_t)c->n_markets);
    }
    s->segment = -1;
    v = cJSON_GetObjectItemCaseSensitive(obj, "segment");
    sub(p, sizeof p, path, "segment");
    if (v) {
        for (int i = 0; i < IPSIM_N_SEGMENTS; i++)
            if (cJSON_IsString(v) && strcmp(v->valuestring, ipsim_segment_names[i]) == 0)
                s->segment = i;
        if (s->segment < 0)
            return ipsim__xp_expected(m, p, "\"cec\" or \"mainstream\"", v);
    }
    return IPSIM_OK;
}

/* A date at obj.key inside the recorded days: its day index in *day. */
static ipsim_status read_date(xp_msg *m, const ipsim_calibration *c, const cJSON *obj,
                              const char *path, const char *key, ipsim_date *date, int *day)
{
    char p[IPSIM_JSON_PATH_MAX], what[120], a[DATE_LEN], b[DATE_LEN];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    sub(p, sizeof p, path, key);
    ipsim_date_format(c->start, a);
    ipsim_date_format(c->start + c->days - 1, b);
    snprintf(what, sizeof what, "a date YYYY-MM-DD from %s to %s (the simulated period)", a, b);
    if (!v)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", p);
    if (!cJSON_IsString(v) || ipsim_date_parse(v->valuestring, date) != 0 || *date < c->start ||
        *date > c->start + c->days - 1)
        return ipsim__xp_expected(m, p, what, v);
    *day = (int)(*date - c->start);
    return IPSIM_OK;
}

static ipsim_status read_window(xp_msg *m, const ipsim_calibration *c, const cJSON *obj,
                                const char *path, ipsim_date *from, ipsim_date *to, int *d0, int *d1)
{
    char p[IPSIM_JSON_PATH_MAX];
    ipsim_status st;
    if ((st = read_date(m, c, obj, path, "from", from, d0)) != IPSIM_OK ||
        (st = read_date(m, c, obj, path, "to", to, d1)) != IPSIM_OK)
        return st;
    sub(p, sizeof p, path, "to");
    if (*d1 < *d0)
        return ipsim__xp_expected(m, p, "a date on or after \"from\"",
                                  cJSON_GetObjectItemCaseSensitive(obj, "to"));
    return IPSIM_OK;
}

static ipsim_status read_number(xp_msg *m, const cJSON *obj, const char *path, const char *key,
                                int positive, double *out)
{
    char p[IPSIM_JSON_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    sub(p, sizeof p, path, key);
    if (!v)
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: missing (required)", p);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || (positive && !(v->valuedouble > 0)))
        return ipsim__xp_expected(m, p, positive ? "a number > 0" : "a number", v);
    *out = v->valuedouble;
    return IPSIM_OK;
}

static ipsim_status read_type(xp_msg *m, const cJSON *obj, const char *path, cal_target_type *t)
{
    char p[IPSIM_JSON_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "type");
    sub(p, sizeof p, path, "type");
    *t = CAL_T_TOTAL;
    if (!v)
        return IPSIM_OK;
    for (int i = 0; i < CAL_N_TARGET_TYPES; i++)
        if (cJSON_IsString(v) && strcmp(v->valuestring, ipsim__cal_target_names[i]) == 0) {
            *t = (cal_target_type)i;
            return IPSIM_OK;
        }
    return ipsim__xp_expected(m, p, "one of total, mean, share, peak_date, ratio", v);
}

static void make_label(const ipsim_calibration *c, cal_target *t)
{
    char a[DATE_LEN], b[DATE_LEN], seg[32] = "";
    ipsim_date_format(t->from, a);
    ipsim_date_format(t->to, b);
    if (t->num.segment >= 0)
        snprintf(seg, sizeof seg, " %s", ipsim_segment_names[t->num.segment]);
    (void)c;
    ipsim__cal_fmt(t->label, sizeof t->label, "%s %s%s%s%s %s..%s", ipsim__cal_target_names[t->type],
                   ipsim_metric_name(t->num.metric), t->num.markets_text[0] ? " " : "",
                   t->num.markets_text, seg, a, b);
}

static ipsim_status read_target(xp_msg *m, ipsim_calibration *c, const cJSON *obj, const char *path,
                                cal_target *t)
{
    static const char *const keys[] = {"name", "type",   "metric", "market",      "segment",
                                       "from", "to",     "of",     "relative_to", "value",
                                       "sd",   "source", NULL};
    char p[IPSIM_JSON_PATH_MAX];
    const char *s;
    ipsim_status st;
    if (!cJSON_IsObject(obj))
        return ipsim__xp_expected(m, path, "a target object {metric, from, to, value, sd, source}",
                                  obj);
    if ((st = ipsim__xp_check_keys(m, obj, path, keys)) != IPSIM_OK ||
        (st = read_type(m, obj, path, &t->type)) != IPSIM_OK ||
        (st = read_selector(m, c, obj, path, -1, &t->num)) != IPSIM_OK ||
        (st = read_window(m, c, obj, path, &t->from, &t->to, &t->d0, &t->d1)) != IPSIM_OK)
        return st;
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(obj, "of");
    const cJSON *rel = cJSON_GetObjectItemCaseSensitive(obj, "relative_to");
    sub(p, sizeof p, path, t->type == CAL_T_SHARE ? "of" : "relative_to");
    if (t->type == CAL_T_SHARE) {
        static const char *const okeys[] = {"metric", "market", "segment", NULL};
        if (!cJSON_IsObject(of))
            return ipsim__xp_expected(m, p,
                                      "an object {metric?, market?, segment?} (the "
                                      "denominator of the share)",
                                      of);
        if ((st = ipsim__xp_check_keys(m, of, p, okeys)) != IPSIM_OK ||
            (st = read_selector(m, c, of, p, t->num.metric, &t->den)) != IPSIM_OK)
            return st;
    } else if (of) {
        sub(p, sizeof p, path, "of");
        return ipsim__xp_say(m, IPSIM_ERR_DATA, "%s: only a target of type \"share\" has \"of\"", p);
    }
    if (t->type == CAL_T_RATIO) {
        static const char *const rkeys[] = {"from", "to", NULL};
        if (!cJSON_IsObject(rel))
            return ipsim__xp_expected(m, p, "an object {from, to} (the reference window)", rel);
        if ((st = ipsim__xp_check_keys(m, rel, p, rkeys)) != IPSIM_OK ||
            (st = read_window(m, c, rel, p, &t->from2, &t->to2, &t->e0, &t->e1)) != IPSIM_OK)
            return st;
    } else if (rel) {
        sub(p, sizeof p, path, "relative_to");
        return ipsim__xp_say(m, IPSIM_ERR_DATA,
                             "%s: only a target of type \"ratio\" has "
                             "\"relative_to\"",
                             p);
    }
    if (t->type == CAL_T_PEAK_DATE) {
        ipsim_date d;
        int day;
        if ((st = read_date(m, c, obj, path, "value", &d, &day)) != IPSIM_OK)
            return st;
        sub(p, sizeof p, path, "value");
        if (day < t->d0 || day > t->d1)
            return ipsim__xp_expected(m, p, "a date inside the target's window",
                                      cJSON_GetObjectItemCaseSensitive(obj, "value"));
        t->value = day - t->d0;
    } else if ((st = read_number(m, obj, path, "value", 0, &t->value)) != IPSIM_OK) {
        return st;
    }
    if ((st = read_number(m, obj, path, "sd", 1, &t->sd)) != IPSIM_OK ||
        (st = ipsim__xp_get_string(m, obj, "source", path, 1, 4096, &s)) != IPSIM_OK)
        return st;
    if (!(t->source = ipsim__xp_dup_str(s)))
        return ipsim__xp_nomem(m);
    if ((st = ipsim__xp_get_string(m, obj, "name", path, 0, CAL_LABEL_MAX, &s)) != IPSIM_OK)
        return st;
    if (s)
        snprintf(t->label, sizeof t->label, "%s", s);
    else
        make_label(c, t);
    return IPSIM_OK;
}

ipsim_status ipsim__cal_read_targets(ipsim_calibration *c, const cJSON *arr, const char *path,
                                     const char *label, char *err, size_t errlen)
{
    xp_msg m = {label, err, errlen};
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
    if (n < 1 || n > CAL_MAX_TARGETS) {
        char what[96];
        snprintf(what, sizeof what, "an array of 1 to %d targets", CAL_MAX_TARGETS);
        return ipsim__xp_expected(&m, *path ? path : "(top level)", what, arr);
    }
    c->targets = calloc((size_t)n, sizeof *c->targets);
    if (!c->targets)
        return ipsim__xp_nomem(&m);
    c->n_targets = n;
    for (int i = 0; i < n; i++) {
        char p[IPSIM_JSON_PATH_MAX];
        snprintf(p, sizeof p, "%s[%d]", path, i);
        ipsim_status st = read_target(&m, c, cJSON_GetArrayItem(arr, i), p, &c->targets[i]);
        if (st != IPSIM_OK)
            return st;
    }
    return IPSIM_OK;
}

/* ---- evaluation ---------------------------------------------------------- */

/* Sum of the selection over days d0..d1 of data [day][market][segment]. */
static double window_sum(const cal_selector *s, const double *data, int n_markets, int d0, int d1)
{
    double sum = 0.0;
    for (int d = d0; d <= d1; d++)
        for (int k = 0; k < n_markets; k++) {
            if (!s->market[k])
                continue;
            const double *cell = data + ((size_t)d * (size_t)n_markets + (size_t)k) * IPSIM_N_SEGMENTS;
            for (int g = 0; g < IPSIM_N_SEGMENTS; g++)
                if (s->segment < 0 || s->segment == g)
                    sum += isfinite(cell[g]) ? cell[g] : 0.0;
        }
    return sum;
}

static const double *daily(const ipsim_model *m, int metric, int *n_markets)
{
    const double *data = NULL;
    if (ipsim_model_daily(m, ipsim_metric_name(metric), &data, n_markets) != IPSIM_OK)
        return NULL;
    return data;
}

double ipsim__cal_target_value(const cal_target *t, const ipsim_model *m)
{
    int nm = 0;
    const double *a = daily(m, t->num.metric, &nm);
    if (!a)
        return NAN;
    switch (t->type) {
    case CAL_T_TOTAL: return window_sum(&t->num, a, nm, t->d0, t->d1);
    case CAL_T_MEAN: return window_sum(&t->num, a, nm, t->d0, t->d1) / (t->d1 - t->d0 + 1);
    case CAL_T_SHARE: {
        const double *b = daily(m, t->den.metric, &nm);
        double den = b ? window_sum(&t->den, b, nm, t->d0, t->d1) : NAN;
        return den > 0 ? window_sum(&t->num, a, nm, t->d0, t->d1) / den : NAN;
    }
    case CAL_T_RATIO: {
        double den = window_sum(&t->num, a, nm, t->e0, t->e1);
        return den > 0 ? window_sum(&t->num, a, nm, t->d0, t->d1) / den : NAN;
    }
    case CAL_T_PEAK_DATE: {
        double best = -INFINITY;
        int at = -1;
        for (int d = t->d0; d <= t->d1; d++) {
            double v = window_sum(&t->num, a, nm, d, d);
            if (v > best) {
                best = v;
                at = d;
            }
        }
        return at >= 0 && best > 0 ? (double)(at - t->d0) : NAN;
    }
    default: return NAN;
    }
}
