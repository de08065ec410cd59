/*
 * scenario_fields.c - the field tables of a scenario and the engine that
 * walks them.
 *
 * Each JSON object kind has a table of field descriptors: key, type, offset
 * into its struct, range, whether it is required, default, unit and a
 * description. One engine walks the tables three ways:
 *   fill    validate a resolved JSON document and fill an sc_data;
 *   emit    write an sc_data back as JSON with every key present;
 *   schema  produce the JSON Schema of the file format.
 * so the loader, the resolved output and the schema cannot drift apart.
 *
 * Tables are filled in table order, not document order, so that sections
 * referred to by name are known before they are referred to: channels come
 * before markets (cpm_cny is keyed by channel), and markets, channels and
 * destination.assets before interventions. Rules one field cannot express
 * (date order, unique names, shares summing to 1, event windows) are the
 * tables' check functions.
 */
#include "scenario/fields.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"

/* ------------------------------------------------------------------------ */
/* descriptors                                                               */
/* ------------------------------------------------------------------------ */

typedef enum {
    FT_NUMBER,      /* double; finite, in [min, max] (F_XMIN/F_XMAX: exclusive) */
    FT_INTEGER,     /* int in [min, max] */
    FT_NAME,        /* char[IPSIM_NAME_MAX]: 1..63 bytes, no control characters */
    FT_IDENT,       /* same, only [A-Za-z0-9_.-] (the scenario name) */
    FT_TEXT,        /* char[IPSIM_TEXT_MAX]: 0..1023 bytes */
    FT_DATE,        /* ipsim_date from "YYYY-MM-DD" */
    FT_SEED,        /* uint64_t from a digit string or an integer <= 2^53 */
    FT_NUMBERS,     /* double[max_items]: exactly max_items numbers */
    FT_WEEKDAYS,    /* int[7] + count: distinct ISO weekdays */
    FT_DATES,       /* ipsim_date[] + count: distinct dates */
    FT_OBJECT,      /* nested struct described by sub */
    FT_ARRAY,       /* array of structs described by sub, + count */
    FT_CHANNEL_MAP, /* double[IPSIM_MAX_CHANNELS] keyed by channel name */
    FT_MECHANISM,   /* sc_mechanism from its name */
    FT_SEGMENT,     /* int: "cec" 0, "mainstream" 1, "all" -1 */
    FT_MARKET,      /* int: market index by name, "*" -1 */
    FT_ASSETS,      /* int[] + count: asset indices by name; empty = all */
    FT_BASE         /* "base": resolved before validation, never stored */
} ftype;

enum {
    F_OPT = 1u,          /* may be absent: default applies */
    F_XMIN = 2u,         /* min is exclusive */
    F_XMAX = 4u,         /* max is exclusive */
    F_ALL_CHANNELS = 8u, /* channel map: every channel must be present */
    F_SUM_ONE = 16u,     /* channel map: values sum to 1 */
    F_NOSTORE = 32u      /* validated but not stored (intervention description) */
};

enum {
    T_UNIQUE_NAME = 1u, /* array elements: the "name" field is unique */
    T_MECHANISM = 2u    /* fields depend on the "mechanism" field */
};

#define MB(m) (1u << (m))
#define M_CAMPAIGN (MB(MECH_PROMOTION) | MB(MECH_C))
#define NO_MIN (-HUGE_VAL)
#define NO_MAX HUGE_VAL
#define SHARE_SUM_TOLERANCE 1e-6
#define SEED_INT_MAX 9007199254740992.0 /* 2^53 */

typedef struct vctx vctx;
typedef struct table table;

typedef struct field {
    const char *key;
    ftype type;
    size_t off;          /* of the value in the enclosing struct */
    double min, max;     /* numbers; integers; elements of lists and maps */
    unsigned flags;      /* F_* */
    double def;          /* default of an optional number or integer */
    const char *unit;    /* NULL: none */
    const char *doc;
    const table *sub;    /* FT_OBJECT, FT_ARRAY */
    size_t count_off;    /* FT_ARRAY, FT_WEEKDAYS, FT_DATES, FT_ASSETS: int count */
    int min_items;       /* FT_ARRAY */
    int max_items;       /* FT_ARRAY, FT_DATES, FT_ASSETS; FT_NUMBERS: exact length */
    unsigned mechs;      /* interventions: mechanisms having the key; 0 = all */
    unsigned req_mechs;  /* interventions: mechanisms requiring it */
} field;

struct table {
    const char *name;    /* singular noun; $defs name of array items */
    const char *doc;
    size_t size;         /* struct size (array elements) */
    const field *fields;
    int n_fields;
    int (*check)(vctx *v, char *elem, int index); /* after the fields; 0 = ok */
    unsigned flags;      /* T_* */
};

struct vctx {
    const char *origin;
    char *err;
    size_t errlen;
    ipsim_json_path path;
    sc_data *data;
    ipsim_status status;
    char *errpath;
    size_t errpathlen;
};

/* ------------------------------------------------------------------------ */
/* messages                                                                  */
/* ------------------------------------------------------------------------ */

/* Record "ORIGIN: PATH: text" and return -1. */
static int fail(vctx *v, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v->status == IPSIM_OK) v->status = IPSIM_ERR_DATA;
    if (v->err && v->errlen) {
        if (v->path.len)
            snprintf(v->err, v->errlen, "%s: %s: %s", v->origin, v->path.s, msg);
        else
            snprintf(v->err, v->errlen, "%s: %s", v->origin, msg);
    }
    if (v->errpath && v->errpathlen) snprintf(v->errpath, v->errpathlen, "%s", v->path.s);
    return -1;
}

static void num_text(double x, char *buf, size_t n)
{
    ipsim_json_number_text(x, buf, n);
}

/* "a number in [0, 1]", "an integer >= 1", "a number > 0" ... */
static void describe_range(const char *what, double min, double max, unsigned flags, char *buf,
                           size_t n)
{
    char a[40], b[40];
    num_text(min, a, sizeof a);
    num_text(max, b, sizeof b);
    int has_min = min > NO_MIN, has_max = max < NO_MAX;
    if (has_min && has_max)
        snprintf(buf, n, "%s in %c%s, %s%c", what, (flags & F_XMIN) ? '(' : '[', a, b,
                 (flags & F_XMAX) ? ')' : ']');
    else if (has_min)
        snprintf(buf, n, "%s %s %s", what, (flags & F_XMIN) ? ">" : ">=", a);
    else if (has_max)
        snprintf(buf, n, "%s %s %s", what, (flags & F_XMAX) ? "<" : "<=", b);
    else
        snprintf(buf, n, "%s", what);
}

static void describe_expected(const field *f, char *buf, size_t n)
{
    char r[128];
    switch (f->type) {
    case FT_NUMBER: describe_range("a number", f->min, f->max, f->flags, buf, n); break;
    case FT_INTEGER: describe_range("an integer", f->min, f->max, f->flags, buf, n); break;
    case FT_NAME:
        snprintf(buf, n, "a name (a string of 1 to %d bytes without control characters)",
                 IPSIM_NAME_MAX - 1);
        break;
    case FT_IDENT:
        snprintf(buf, n, "a name of 1 to %d characters from A-Z a-z 0-9 _ . -", IPSIM_NAME_MAX - 1);
        break;
    case FT_TEXT: snprintf(buf, n, "a string of at most %d bytes", IPSIM_TEXT_MAX - 1); break;
    case FT_DATE: snprintf(buf, n, "a date \"YYYY-MM-DD\""); break;
    case FT_SEED:
        snprintf(buf, n,
                 "a seed (a string of decimal digits up to %" PRIu64
                 " or an integer from 0 to 9007199254740992)",
                 UINT64_MAX);
        break;
    case FT_NUMBERS:
        describe_range("numbers", f->min, f->max, f->flags, r, sizeof r);
        snprintf(buf, n, "an array of %d %s", f->max_items, r);
        break;
    case FT_WEEKDAYS:
        snprintf(buf, n, "an array of distinct ISO weekdays (integers from 1 = Monday to 7 = Sunday)");
        break;
    case FT_DATES:
        snprintf(buf, n, "an array of at most %d distinct dates \"YYYY-MM-DD\"", f->max_items);
        break;
    case FT_OBJECT: snprintf(buf, n, "an object (%s)", f->sub->name); break;
    case FT_ARRAY:
        if (f->min_items > 0)
            snprintf(buf, n, "an array of %d to %d %ss", f->min_items, f->max_items, f->sub->name);
        else
            snprintf(buf, n, "an array of at most %d %ss", f->max_items, f->sub->name);
        break;
    case FT_CHANNEL_MAP:
        describe_range("number", f->min, f->max, f->flags, r, sizeof r);
        snprintf(buf, n, "an object {channel name: %s}", r);
        break;
    case FT_MECHANISM: {
        size_t o = (size_t)snprintf(buf, n, "one of");
        for (int m = 0; m < MECH_COUNT && o < n; m++)
            o += (size_t)snprintf(buf + o, n - o, "%s \"%s\"", m ? "," : "", ipsim_mechanism_names[m]);
        break;
    }
    case FT_SEGMENT: snprintf(buf, n, "one of \"cec\", \"mainstream\", \"all\""); break;
    case FT_MARKET: snprintf(buf, n, "a market name or \"*\" (every market)"); break;
    case FT_ASSETS: snprintf(buf, n, "an array of at most %d distinct asset names", f->max_items); break;
    case FT_BASE: snprintf(buf, n, "a file path"); break;
    }
}

/* "expected WHAT, found WHAT" with WHAT from the field and the value. */
static int fail_expected(vctx *v, const field *f, const cJSON *found, const char *extra)
{
    char want[512], got[160];
    describe_expected(f, want, sizeof want);
    ipsim_json_describe(found, got, sizeof got);
    if (cJSON_IsArray(found)) snprintf(got, sizeof got, "an array of %d elements", cJSON_GetArraySize(found));
    return fail(v, "expected %s, found %s%s", want, got, extra ? extra : "");
}

static int fail_want(vctx *v, const char *want, const cJSON *found, const char *extra)
{
    char got[160];
    ipsim_json_describe(found, got, sizeof got);
    return fail(v, "expected %s, found %s%s", want, got, extra ? extra : "");
}

static void date_text(ipsim_date d, char *buf)
{
    ipsim_date_format(d, buf);
}

/* ------------------------------------------------------------------------ */
/* checks between fields                                                     */
/* ------------------------------------------------------------------------ */

/* key's date value must be on or after (after = 1) or before bound, the
 * date of the key named what. */
static int check_order(vctx *v, const char *key, const char *what, ipsim_date bound, ipsim_date value,
                       int after)
{
    if (after ? value >= bound : value <= bound) return 0;
    char b[16], x[16];
    date_text(bound, b);
    date_text(value, x);
    size_t old = ipsim_json_path_push_key(&v->path, key);
    fail(v, "expected %s on or %s %s %s, found \"%s\"", key, after ? "after" : "before", what, b, x);
    ipsim_json_path_pop(&v->path, old);
    return -1;
}

static int check_period(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_period *p = (const sc_period *)elem;
    return check_order(v, "end", "start", p->start, p->end, 1);
}

static int check_event(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_event *e = (const sc_event *)elem;
    return check_order(v, "end", "start", e->start, e->end, 1);
}

static int check_visit(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_visit *p = (const sc_visit *)elem;
    if (p->satisfaction_negative <= p->satisfaction_positive) return 0;
    char a[40], b[40];
    num_text(p->satisfaction_positive, a, sizeof a);
    num_text(p->satisfaction_negative, b, sizeof b);
    size_t old = ipsim_json_path_push_key(&v->path, "satisfaction_negative");
    fail(v, "expected a number <= satisfaction_positive %s, found %s", a, b);
    ipsim_json_path_pop(&v->path, old);
    return -1;
}

static int check_target(vctx *v, char *elem, int index)
{
    const sc_target *t = (const sc_target *)elem;
    for (int k = 0; k < index; k++) {
        const sc_target *o = t - (index - k);
        if (o->market == t->market && o->segment == t->segment) {
            const char *m = t->market < 0 ? "*" : v->data->markets[t->market].name;
            const char *s = t->segment < 0 ? "all" : ipsim_segment_names[t->segment];
            return fail(v,
                        "expected a market and segment not targeted before, found market \"%s\" "
                        "and segment \"%s\" again (as in targets[%d])",
                        m, s, k);
        }
    }
    return 0;
}

static int check_intervention(vctx *v, char *elem, int index)
{
    (void)index;
    sc_intervention *iv = (sc_intervention *)elem;
    const sc_simulation *sim = &v->data->simulation;
    if (check_order(v, "end", "start", iv->start, iv->end, 1)) return -1;
    ipsim_date last = sim->start_date + sim->days - 1;
    if (iv->start < sim->start_date || iv->start > last) {
        char a[16], b[16], x[16];
        date_text(sim->start_date, a);
        date_text(last, b);
        date_text(iv->start, x);
        size_t old = ipsim_json_path_push_key(&v->path, "start");
        fail(v, "expected a date inside the simulated period %s to %s, found \"%s\"", a, b, x);
        ipsim_json_path_pop(&v->path, old);
        return -1;
    }
    if (iv->mechanism == MECH_E) {
        if (check_order(v, "event_start", "start", iv->start, iv->event_start, 1)) return -1;
        if (check_order(v, "event_end", "event_start", iv->event_start, iv->event_end, 1)) return -1;
        if (check_order(v, "event_end", "end", iv->end, iv->event_end, 0)) return -1;
    } else {
        iv->event_start = iv->start;
        iv->event_end = iv->end;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* the tables                                                                */
/* ------------------------------------------------------------------------ */

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define NUM(S, K, LO, HI, FL, UNIT, DOC)                                                        \
    {.key = #K, .type = FT_NUMBER, .off = offsetof(S, K), .min = LO, .max = HI, .flags = FL,  \
     .unit = UNIT, .doc = DOC}
#define NUMD(S, K, LO, HI, FL, DEF, UNIT, DOC)                                                  \
    {.key = #K, .type = FT_NUMBER, .off = offsetof(S, K), .min = LO, .max = HI,               \
     .flags = F_OPT | (FL), .def = DEF, .unit = UNIT, .doc = DOC}
#define P01(S, K, DOC) NUM(S, K, 0, 1, 0, "1", DOC)
#define NAMEF(S, K, DOC) {.key = #K, .type = FT_NAME, .off = offsetof(S, K), .doc = DOC}
#define DATEF(S, K, DOC) {.key = #K, .type = FT_DATE, .off = offsetof(S, K), .doc = DOC}
#define OBJF(S, K, SUB, DOC) {.key = #K, .type = FT_OBJECT, .off = offsetof(S, K), .sub = &SUB, .doc = DOC}
#define ARRF(S, K, CNT, SUB, LO, HI, FL, DOC)                                                   \
    {.key = #K, .type = FT_ARRAY, .off = offsetof(S, K), .count_off = offsetof(S, CNT),       \
     .sub = &SUB, .min_items = LO, .max_items = HI, .flags = FL, .doc = DOC}
#define TABLE(NAME, DOC, TYPE, FIELDS, CHECK, FLAGS) \
    {NAME, DOC, sizeof(TYPE), FIELDS, N_OF(FIELDS), CHECK, FLAGS}

/* simulation */
static const field simulation_fields[] = {
    DATEF(sc_simulation, start_date, "First simulated day."),
    {.key = "days", .type = FT_INTEGER, .off = offsetof(sc_simulation, days), .min = 1,
     .max = IPSIM_MAX_DAYS, .unit = "d", .doc = "Number of simulated (recorded) days."},
    {.key = "warmup_days", .type = FT_INTEGER, .off = offsetof(sc_simulation, warmup_days), .min = 0,
     .max = 730, .unit = "d", .doc = "Unrecorded days simulated before start_date."},
    {.key = "seed", .type = FT_SEED, .off = offsetof(sc_simulation, seed),
     .doc = "Seed of the random streams: a string of decimal digits (any 64-bit value) or an "
            "integer up to 2^53."},
    NUM(sc_simulation, scale, 1, 1e9, 0, "people/agent", "People represented by one agent."),
    {.key = "threads", .type = FT_INTEGER, .off = offsetof(sc_simulation, threads), .min = 0,
     .max = 1024, .flags = F_OPT, .def = 0, .doc = "OpenMP threads; 0 = the OpenMP default."},
};
static const table simulation_table =
    TABLE("simulation settings", "Simulated period, randomness and resolution.", sc_simulation,
          simulation_fields, NULL, 0);

/* calendar */
static const field period_fields[] = {
    NAMEF(sc_period, name, "Name of the period."),
    DATEF(sc_period, start, "First day (inclusive)."),
    DATEF(sc_period, end, "Last day (inclusive), on or after start."),
};
static const table period_table =
    TABLE("period", "A named run of days.", sc_period, period_fields, check_period, 0);

static const field calendar_fields[] = {
    {.key = "weekend_days", .type = FT_WEEKDAYS, .off = offsetof(sc_calendar, weekend_days),
     .count_off = offsetof(sc_calendar, n_weekend_days), .min = 1, .max = 7, .max_items = 7,
     .doc = "ISO weekday numbers of the weekend (1 = Monday .. 7 = Sunday)."},
    ARRF(sc_calendar, holidays, n_holidays, period_table, 0, IPSIM_MAX_HOLIDAYS, F_OPT,
         "Public holidays (days off)."),
    {.key = "adjusted_workdays", .type = FT_DATES, .off = offsetof(sc_calendar, adjusted_workdays),
     .count_off = offsetof(sc_calendar, n_adjusted_workdays), .max_items = IPSIM_MAX_DATES,
     .flags = F_OPT, .doc = "Weekend days that are worked (make-up workdays)."},
    ARRF(sc_calendar, vacations, n_vacations, period_table, 0, IPSIM_MAX_HOLIDAYS, F_OPT,
         "School vacations."),
};
static const table calendar_table =
    TABLE("calendar", "Weekends, public holidays, make-up workdays and school vacations.",
          sc_calendar, calendar_fields, NULL, 0);

/* segments */
#define WEIGHT(K, DOC) NUM(sc_segment, K, 0, 100, 0, "1", DOC)
static const field segment_fields[] = {
    WEIGHT(w_authenticity, "Weight of authenticity and participation in the experience."),
    WEIGHT(w_emotional, "Weight of emotional value."),
    WEIGHT(w_aesthetic, "Weight of aesthetics and craftsmanship."),
    WEIGHT(w_digital, "Weight of shareability (content co-creation)."),
    WEIGHT(w_service, "Weight of service quality."),
    NUM(sc_segment, taste_cv, 0, 2, 0, "1", "Coefficient of variation of the weights across agents."),
    NUM(sc_segment, digital_dependency, 0, 100, 0, "1",
        "Multiplier on platform (UGC and official) exposure."),
    NUM(sc_segment, trips_per_year, 0, 365, 0, "trips/(person*year)",
        "Leisure trips per person-year to any destination."),
    NUM(sc_segment, beta_distance_per_km, 0, 100, 0, "1/km", "Trip utility lost per km."),
    NUM(sc_segment, beta_cost_per_income, 0, 100, 0, "1",
        "Trip utility lost per unit of trip cost / monthly income."),
    NUM(sc_segment, crowding_sensitivity, 0, 100, 0, "1",
        "Experience lost per unit of excess crowding."),
    P01(sc_segment, post_propensity, "Probability that a visitor posts at shareability 1."),
    NUM(sc_segment, spend_per_night_cny, 0, 1e6, 0, "CNY/night", "On-site spend per visitor-night."),
    NUM(sc_segment, taste_sd_utility, 0, 100, 0, "1",
        "Standard deviation of the agent's random intercept in trip utility."),
};
static const table segment_table =
    TABLE("segment", "Traits of a consumer segment; the weights are the four demands of the "
                     "core experiential consumer (paper 4.1.1) plus service.",
          sc_segment, segment_fields, NULL, 0);

static const field segments_fields[] = {
    {.key = "cec", .type = FT_OBJECT, .off = 0, .sub = &segment_table,
     .doc = "Core experiential consumers."},
    {.key = "mainstream", .type = FT_OBJECT, .off = sizeof(sc_segment), .sub = &segment_table,
     .doc = "Mainstream consumers."},
};
static const table segments_table =
    TABLE("segments", "The two consumer segments.", sc_segment[IPSIM_N_SEGMENTS], segments_fields,
          NULL, 0);

/* channels */
static const field channel_fields[] = {
    NAMEF(sc_channel, name, "Channel name (short_video, commuter_media, ...)."),
    P01(sc_channel, attention, "Probability that an impression is effective."),
};
static const table channel_table =
    TABLE("channel", "A media channel.", sc_channel, channel_fields, NULL, T_UNIQUE_NAME);

/* markets */
static const field awareness_fields[] = {
    {.key = "cec", .type = FT_NUMBER, .off = 0, .min = 0, .max = 1, .unit = "1",
     .doc = "Share of CEC adults aware of the destination at the start."},
    {.key = "mainstream", .type = FT_NUMBER, .off = sizeof(double), .min = 0, .max = 1, .unit = "1",
     .doc = "Share of mainstream adults aware of the destination at the start."},
};
static const table awareness_table =
    TABLE("initial awareness", "Initial awareness by segment.", double[IPSIM_N_SEGMENTS],
          awareness_fields, NULL, 0);

static const field market_fields[] = {
    NAMEF(sc_market, name, "Market (city) name."),
    NAMEF(sc_market, province, "Province of the market."),
    NUM(sc_market, population, 0, 2e9, 0, "people", "Population (2020 census)."),
    P01(sc_market, adult_share, "Share of the population that is adult."),
    P01(sc_market, cec_share, "Share of adults who are core experiential consumers."),
    NUM(sc_market, income_cny_month, 0, 1e7, F_XMIN, "CNY/month",
        "Disposable income per capita per month."),
    NUM(sc_market, distance_km, 0, 50000, 0, "km", "Distance to the destination."),
    NUM(sc_market, travel_cost_cny, 0, 1e7, 0, "CNY", "Round-trip travel cost."),
    NUM(sc_market, travel_time_h, 0, 1000, 0, "h", "One-way travel time."),
    {.key = "cpm_cny", .type = FT_CHANNEL_MAP, .off = offsetof(sc_market, cpm_cny), .min = 0,
     .max = 1e6, .flags = F_XMIN | F_ALL_CHANNELS, .unit = "CNY/1000 impressions",
     .doc = "Media price by channel: every channel must be priced."},
    P01(sc_market, platform_penetration, "Share of adults active on the UGC platform."),
    OBJF(sc_market, initial_awareness, awareness_table, "Initial awareness by segment."),
};
static const table market_table =
    TABLE("market", "A source market.", sc_market, market_fields, NULL, T_UNIQUE_NAME);

/* destination */
static const field event_fields[] = {
    NAMEF(sc_event, name, "Event name."),
    DATEF(sc_event, start, "First day (inclusive)."),
    DATEF(sc_event, end, "Last day (inclusive), on or after start."),
    NUM(sc_event, experience_bonus, -1, 1, 0, "1", "Added to the experience on event days."),
    NUM(sc_event, appeal_bonus, 0, 5, 0, "1", "Added to the utility of trips on event days."),
};
static const table event_table =
    TABLE("event", "A dated event at an asset.", sc_event, event_fields, check_event, 0);

static const field asset_fields[] = {
    NAMEF(sc_asset, name, "Asset name."),
    P01(sc_asset, authenticity, "Authenticity depth."),
    P01(sc_asset, participation, "Participation depth."),
    P01(sc_asset, emotional, "Emotional value."),
    P01(sc_asset, aesthetics, "Aesthetic quality."),
    P01(sc_asset, distinctiveness, "Distinctiveness against substitutes."),
    P01(sc_asset, shareability, "Shareability of the experience."),
    NUM(sc_asset, capacity_per_day, 0, 1e9, F_XMIN, "visitors/d", "Visitors on site per day."),
    NUM(sc_asset, appeal, -100, 100, 0, "1", "Base utility in the asset choice."),
    {.key = "seasonal", .type = FT_NUMBERS, .off = offsetof(sc_asset, seasonal), .min = 0, .max = 1,
     .max_items = IPSIM_MONTHS, .unit = "1",
     .doc = "Availability and appeal multiplier by month, January to December."},
    ARRF(sc_asset, events, n_events, event_table, 0, IPSIM_MAX_EVENTS, F_OPT, "Dated events."),
};
static const table asset_table =
    TABLE("asset", "A cultural-tourism asset of the destination.", sc_asset, asset_fields, NULL,
          T_UNIQUE_NAME);

static const field substitute_fields[] = {
    NAMEF(sc_substitute, name, "Substitute destination name."),
    NUM(sc_substitute, utility, -20, 20, 0, "1",
        "Attractiveness relative to the destination's constant."),
};
static const table substitute_table =
    TABLE("substitute", "A competing destination.", sc_substitute, substitute_fields, NULL,
          T_UNIQUE_NAME);

static const field destination_fields[] = {
    NAMEF(sc_destination, name, "Destination name."),
    P01(sc_destination, service_quality, "Service quality."),
    P01(sc_destination, digital_fluency, "Digital fluency of the destination's official content."),
    NUM(sc_destination, price_level, 0, 100, F_XMIN, "1", "Multiplier on spend and stay cost."),
    P01(sc_destination, initial_reputation, "Expected experience quality at the start."),
    P01(sc_destination, official_claim, "Quality the official content asserts."),
    NUM(sc_destination, erosion_per_year, 0, 1, 0, "1/year",
        "Experiential erosion of emotional value per year."),
    ARRF(sc_destination, assets, n_assets, asset_table, 1, IPSIM_MAX_ASSETS, 0, "Assets."),
    ARRF(sc_destination, substitutes, n_substitutes, substitute_table, 0, IPSIM_MAX_SUBSTITUTES,
         F_OPT, "Competing destinations."),
};
static const table destination_table =
    TABLE("destination", "The destination.", sc_destination, destination_fields, NULL, 0);

/* platform */
static const field platform_fields[] = {
    NUM(sc_platform, post_half_life_days, 0, 3650, F_XMIN, "d", "Half-life of a post's reach."),
    NUM(sc_platform, views_per_post_day, 0, 1e9, 0, "impressions/(post*d)",
        "Effective impressions a fresh post makes per day."),
    NUM(sc_platform, fluency_reach_gain, 0, 100, 0, "1", "Extra reach at digital fluency 1."),
    P01(sc_platform, home_share, "Share of a post's views in the poster's market."),
    NUM(sc_platform, trending_threshold_posts, 0, 1e12, F_XMIN, "posts",
        "Live post stock at half the extra amplification."),
    NUM(sc_platform, trending_max_gain, 0, 1000, 0, "1", "Maximal extra amplification."),
    NUM(sc_platform, trending_hill, 1, 100, 0, "1", "Steepness of the trending response."),
    P01(sc_platform, neutral_post_weight, "Weight of neutral posts in the pool."),
};
static const table platform_table =
    TABLE("platform", "The UGC / short-video platform.", sc_platform, platform_fields, NULL, 0);

/* parameters */
static const field exposure_fields[] = {
    NUM(sc_exposure, adstock_half_life_days, 0, 3650, F_XMIN, "d", "Salience half-life."),
    NUM(sc_exposure, effective_frequency, 0, 1e6, F_XMIN, "1",
        "Salience at which a consumer becomes aware."),
    NUM(sc_exposure, consider_salience, 0, 1e6, F_XMIN, "1", "Salience needed to consider a trip."),
    NUM(sc_exposure, wearout_salience, 0, 1e6, F_XMIN, "1",
        "Salience halving the effect of one more impression."),
    P01(sc_exposure, attitude_learning_rate, "Weight of one impression's signal in the attitude."),
    NUM(sc_exposure, ambient_rate_at_zero_km, 0, 1000, 0, "impressions/(person*d)",
        "Ambient effective impressions per person-day at 0 km."),
    NUM(sc_exposure, ambient_decay_per_km, 0, 100, 0, "1/km", "Decay of ambient exposure per km."),
    NUM(sc_exposure, official_rate, 0, 1000, 0, "impressions/(person*d)",
        "Effective official-content impressions per platform user-day at fluency 1."),
    P01(sc_exposure, official_min_fluency_share, "Share of official reach kept at fluency 0."),
    P01(sc_exposure, segment_precision,
        "Share of segment-targeted impressions landing on the segment."),
    NUM(sc_exposure, initial_salience, 0, 1e6, 0, "1", "Mean salience of initially aware consumers."),
    NUM(sc_exposure, wom_impressions_per_visitor, 0, 1e6, 0, "impressions/visitor",
        "Offline word-of-mouth impressions per returning visitor."),
};
static const table exposure_table =
    TABLE("exposure parameters", "Exposure, salience and attitude.", sc_exposure, exposure_fields,
          NULL, 0);

#define ANY(S, K, DOC) NUM(S, K, -100, 100, 0, "1", DOC)
static const field decision_fields[] = {
    ANY(sc_decision, asc_destination, "Constant of the destination's trip utility."),
    ANY(sc_decision, beta_attitude, "Utility per unit of expected quality."),
    ANY(sc_decision, beta_distinctiveness, "Utility per unit of distinctiveness."),
    ANY(sc_decision, beta_season, "Utility per unit of seasonal appeal."),
    ANY(sc_decision, beta_crowding, "Utility per unit of expected crowding."),
    ANY(sc_decision, beta_loyalty, "Utility per unit of loyalty."),
    NUM(sc_decision, revisit_penalty, 0, 100, 0, "1",
        "Utility lost by a past visitor (variety seeking)."),
    NUM(sc_decision, leisure_weekday, 0, 100, 0, "1", "Relative trip-occasion rate on weekdays."),
    NUM(sc_decision, leisure_weekend, 0, 100, 0, "1", "Relative trip-occasion rate on weekends."),
    NUM(sc_decision, leisure_holiday, 0, 100, 0, "1",
        "Relative trip-occasion rate on public holidays."),
    NUM(sc_decision, leisure_vacation, 0, 100, 0, "1", "Multiplier on top on school-vacation days."),
    NUM(sc_decision, lead_days_base, 1, 3650, 0, "d", "Booking lead time at 0 km."),
    NUM(sc_decision, lead_days_per_1000km, 0, 3650, 0, "d/(1000 km)",
        "Extra booking lead time per 1000 km."),
    NUM(sc_decision, nights_base, 1, 365, 0, "nights", "Trip nights at 0 km."),
    NUM(sc_decision, nights_per_1000km, 0, 365, 0, "nights/(1000 km)", "Extra nights per 1000 km."),
    NUM(sc_decision, stay_cost_per_night_cny, 0, 1e6, 0, "CNY/night",
        "Accommodation cost counted in the trip cost."),
    NUM(sc_decision, cooldown_days, 0, 3650, 0, "d", "Days after a trip before the next decision."),
    NUM(sc_decision, asset_choice_scale, 0, 100, 0, "1",
        "Sensitivity of the asset choice to asset utility."),
};
static const table decision_table =
    TABLE("decision parameters", "Trip decision.", sc_decision, decision_fields, NULL, 0);

static const field visit_fields[] = {
    NUM(sc_visit, disconfirmation_weight, 0, 100, 0, "1", "Oliver's disconfirmation weight."),
    NUM(sc_visit, crowding_threshold, 0, 100, F_XMIN, "1",
        "Occupancy/capacity where crowding starts to hurt."),
    ANY(sc_visit, satisfaction_positive, "Satisfaction at or above which a post is positive."),
    ANY(sc_visit, satisfaction_negative,
        "Satisfaction below which a post is negative; at most satisfaction_positive."),
    P01(sc_visit, experience_learning, "Weight of own experience in the attitude after a visit."),
    NUM(sc_visit, loyalty_gain, 0, 100, 0, "1", "Loyalty change per unit satisfaction above neutral."),
    NUM(sc_visit, loyalty_decay_per_year, 0, 1, 0, "1/year", "Loyalty decay per year."),
    NUM(sc_visit, reputation_learning_rate, 0, 1, 0, "1/d",
        "Daily weight of posted sentiment in the reputation."),
    NUM(sc_visit, crowding_memory_days, 0, 3650, F_XMIN, "d", "Time constant of expected crowding."),
    NUM(sc_visit, post_extremity_gain, 0, 100, 0, "1",
        "Extra posting per unit |satisfaction - neutral|."),
    NUM(sc_visit, repeat_salience_boost, 0, 1e6, 0, "1", "Salience a satisfied visitor keeps."),
};
static const table visit_table =
    TABLE("visit parameters", "Visit, satisfaction and loyalty.", sc_visit, visit_fields,
          check_visit, 0);

static const field parameters_fields[] = {
    OBJF(sc_parameters, exposure, exposure_table, "Exposure, salience and attitude."),
    OBJF(sc_parameters, decision, decision_table, "Trip decision."),
    OBJF(sc_parameters, visit, visit_table, "Visit, satisfaction and loyalty."),
};
static const table parameters_table =
    TABLE("parameters", "Behavioural parameters.", sc_parameters, parameters_fields, NULL, 0);

/* interventions */
static const field target_fields[] = {
    {.key = "market", .type = FT_MARKET, .off = offsetof(sc_target, market),
     .doc = "Name of a market, or \"*\" for every market."},
    {.key = "segment", .type = FT_SEGMENT, .off = offsetof(sc_target, segment),
     .doc = "\"cec\", \"mainstream\" or \"all\"."},
    NUMD(sc_target, weight, 0, 1e6, F_XMIN, 1, "1", "Budget weight per targeted person."),
};
static const table target_table =
    TABLE("target", "A targeted cell (market and segment) of a campaign.", sc_target, target_fields,
          check_target, 0);

#define MNUM(K, LO, HI, DEF, MECHS, UNIT, DOC)                                                   \
    {.key = #K, .type = FT_NUMBER, .off = offsetof(sc_intervention, K), .min = LO, .max = HI,  \
     .flags = F_OPT, .def = DEF, .mechs = MECHS, .unit = UNIT, .doc = DOC}
static const field intervention_fields[] = {
    NAMEF(sc_intervention, name, "Intervention name."),
    {.key = "mechanism", .type = FT_MECHANISM, .off = offsetof(sc_intervention, mechanism),
     .doc = "\"promotion\" or one of the mechanisms \"A\" to \"F\"."},
    DATEF(sc_intervention, start, "First day (inclusive); inside the simulated period."),
    DATEF(sc_intervention, end, "Last day (inclusive), on or after start; may run past the period."),
    NUM(sc_intervention, cost_cny, 0, 1e12, 0, "CNY",
        "Cost; for promotion and C the media budget."),
    {.key = "description", .type = FT_TEXT, .flags = F_OPT | F_NOSTORE,
     .doc = "Free text (not used by the model)."},
    /* mechanism-specific */
    {.key = "targets", .type = FT_ARRAY, .off = offsetof(sc_intervention, targets),
     .count_off = offsetof(sc_intervention, n_targets), .sub = &target_table, .min_items = 1,
     .max_items = IPSIM_MAX_TARGETS, .flags = F_OPT, .mechs = M_CAMPAIGN, .req_mechs = M_CAMPAIGN,
     .doc = "Targeted cells; the budget is spread over them by weight x people."},
    {.key = "channels", .type = FT_CHANNEL_MAP, .off = offsetof(sc_intervention, channel_share),
     .min = 0, .max = 1, .flags = F_OPT | F_SUM_ONE, .mechs = M_CAMPAIGN, .req_mechs = M_CAMPAIGN,
     .unit = "1",
     .doc = "Budget share by channel name; shares sum to 1, channels left out get 0."},
    {.key = "assets", .type = FT_ASSETS, .off = offsetof(sc_intervention, assets),
     .count_off = offsetof(sc_intervention, n_assets), .max_items = IPSIM_MAX_ASSETS,
     .flags = F_OPT, .mechs = MB(MECH_A) | MB(MECH_B) | MB(MECH_E),
     .doc = "Names of the assets affected; absent or empty = every asset."},
    MNUM(shareability_add, 0, 1, 0, MB(MECH_A) | MB(MECH_B), "1", "Added to asset shareability."),
    MNUM(emotional_add, 0, 1, 0, MB(MECH_A) | MB(MECH_E), "1", "Added to asset emotional value."),
    MNUM(aesthetics_add, 0, 1, 0, MB(MECH_A) | MB(MECH_E), "1", "Added to asset aesthetics."),
    MNUM(authenticity_add, 0, 1, 0, MB(MECH_B), "1", "Added to asset authenticity."),
    MNUM(participation_add, 0, 1, 0, MB(MECH_B), "1", "Added to asset participation."),
    MNUM(distinctiveness_add, 0, 1, 0, MB(MECH_B) | MB(MECH_E), "1",
         "Added to asset distinctiveness."),
    MNUM(novelty_half_life_days, 0, 3650, 0, MB(MECH_A), "d",
         "Half-life of the novelty of the additions; 0 = no fading."),
    MNUM(renewal_interval_days, 0, 3650, 0, MB(MECH_A), "d",
         "Days between renewals restoring novelty; 0 = never renewed."),
    MNUM(post_propensity_mult, 0, 10, 1, MB(MECH_B) | MB(MECH_D), "1", "Multiplier on posting."),
    {.key = "event_start", .type = FT_DATE, .off = offsetof(sc_intervention, event_start),
     .flags = F_OPT, .mechs = MB(MECH_E), .req_mechs = MB(MECH_E),
     .doc = "First day of the festival window, on or after start."},
    {.key = "event_end", .type = FT_DATE, .off = offsetof(sc_intervention, event_end),
     .flags = F_OPT, .mechs = MB(MECH_E), .req_mechs = MB(MECH_E),
     .doc = "Last day of the festival window, from event_start to end."},
    MNUM(event_experience_bonus, 0, 1, 0, MB(MECH_B) | MB(MECH_E), "1",
         "Experience bonus on event days (B: weekends and holidays; E: the festival window)."),
    MNUM(event_appeal_bonus, 0, 5, 0, MB(MECH_B) | MB(MECH_E), "1",
         "Trip-utility bonus for trips on event days."),
    MNUM(travel_cost_reduction_cny, 0, 1e6, 0, MB(MECH_E) | MB(MECH_F), "CNY",
         "Travel cost reduction (E: in the festival window)."),
    MNUM(loyalty_gain_mult, 0, 10, 1, MB(MECH_D), "1", "Multiplier on the loyalty gain."),
    MNUM(revisit_penalty_reduction, 0, 1, 0, MB(MECH_D), "1", "Share of the revisit penalty removed."),
    MNUM(community_post_rate_per_year, 0, 365, 0, MB(MECH_D), "posts/(visitor*year)",
         "Community posts per loyal past visitor-year."),
    MNUM(feedback_improvement_per_year, 0, 10, 0, MB(MECH_D), "1/year",
         "Share of the erosion repaired per year."),
    MNUM(service_quality_add, 0, 1, 0, MB(MECH_F), "1", "Added to the service quality."),
    MNUM(hospitality_bonus, 0, 1, 0, MB(MECH_F), "1", "Experience bonus from hospitality."),
    MNUM(official_reach_mult, 0, 10, 1, MB(MECH_F), "1", "Multiplier on official content reach."),
};
static const table intervention_table =
    TABLE("intervention", "A promotion or a mechanism A-F acting over a period.", sc_intervention,
          intervention_fields, check_intervention, T_UNIQUE_NAME | T_MECHANISM);

static const char *const mechanism_docs[MECH_COUNT] = {
    "Conventional promotion: a paid media campaign bought through channels and spread over "
    "target cells (the baseline 'vague target set').",
    "Mechanism A: experience and content design raising the shareability, emotional value and "
    "aesthetics of assets; the novelty fades with a half-life and may be renewed.",
    "Mechanism B: immersive, participatory cultural activities raising authenticity, "
    "participation, distinctiveness and shareability, with bonuses on weekends and holidays.",
    "Mechanism C: a precision campaign aimed at chosen market and segment cells through chosen "
    "channels.",
    "Mechanism D: community and loyalty building: loyalty gains, a smaller revisit penalty, "
    "community posting and feedback that repairs erosion.",
    "Mechanism E: a signature festival in a window inside the intervention, raising "
    "distinctiveness, emotional value and aesthetics and cutting travel cost in the window.",
    "Mechanism F: service and hospitality upgrade with stronger official digital reach and "
    "cheaper travel.",
};

/* the top level */
static const field scenario_fields[] = {
    {.key = "name", .type = FT_IDENT, .off = offsetof(sc_data, name),
     .doc = "Scenario name, used in output names."},
    {.key = "description", .type = FT_TEXT, .off = offsetof(sc_data, description), .flags = F_OPT,
     .doc = "Free text."},
    {.key = "base", .type = FT_BASE, .flags = F_OPT,
     .doc = "Path of a base scenario, relative to this file's directory. The base is loaded first "
            "(bases may chain, at most 8 deep) and this file is merged into it: objects merge key "
            "by key, arrays and other values replace the base's."},
    OBJF(sc_data, simulation, simulation_table, "Simulated period, randomness and resolution."),
    OBJF(sc_data, calendar, calendar_table, "Weekends, holidays and vacations."),
    OBJF(sc_data, segments, segments_table, "Consumer segment traits."),
    ARRF(sc_data, channels, n_channels, channel_table, 1, IPSIM_MAX_CHANNELS, 0, "Media channels."),
    ARRF(sc_data, markets, n_markets, market_table, 1, IPSIM_MAX_MARKETS, 0, "Source markets."),
    OBJF(sc_data, destination, destination_table, "The destination."),
    OBJF(sc_data, platform, platform_table, "The UGC / short-video platform."),
    OBJF(sc_data, parameters, parameters_table, "Behavioural parameters."),
    ARRF(sc_data, interventions, n_interventions, intervention_table, 0, IPSIM_MAX_INTERVENTIONS, 0,
         "Promotions and mechanisms A-F."),
};
/* A scenario must have someone to simulate: at least one market with
 * adults (population x adult_share > 0). */
static int check_scenario(vctx *v, char *elem, int index)
{
    (void)index;
    const sc_data *d = (const sc_data *)elem;
    for (int m = 0; m < d->n_markets; m++)
        if (d->markets[m].population * d->markets[m].adult_share > 0.0) return 0;
    size_t old = ipsim_json_path_push_key(&v->path, "markets");
    fail(v, "expected at least one market with adults (population x adult_share > 0), found "
            "none: nobody to simulate");
    ipsim_json_path_pop(&v->path, old);
    return -1;
}

static const table scenario_table =
    TABLE("scenario", "An ipsim scenario.", sc_data, scenario_fields, check_scenario, 0);

/* ------------------------------------------------------------------------ */
/* fill                                                                      */
/* ------------------------------------------------------------------------ */

static int fill_object(vctx *v, const table *t, const cJSON *obj, char *base, int index);

static const field *find_field(const table *t, const char *key)
{
    for (int i = 0; i < t->n_fields; i++)
        if (strcmp(t->fields[i].key, key) == 0) return &t->fields[i];
    return NULL;
}

static int applies(const field *f, int mech)
{
    return f->mechs == 0 || (mech >= 0 && (f->mechs & MB(mech)));
}

static int in_range(double x, double min, double max, unsigned flags)
{
    if ((flags & F_XMIN) ? !(x > min) : !(x >= min)) return 0;
    if ((flags & F_XMAX) ? !(x < max) : !(x <= max)) return 0;
    return 1;
}

static void copy_string(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int fill_name(vctx *v, const field *f, const cJSON *item, char *dst)
{
    if (!cJSON_IsString(item)) return fail_expected(v, f, item, NULL);
    const char *s = item->valuestring;
    size_t n = strlen(s);
    if (n < 1 || n > IPSIM_NAME_MAX - 1) return fail_expected(v, f, item, NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = f->type == FT_IDENT ? ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
                                     : (c >= 0x20 && c != 0x7F);
        if (!ok) return fail_expected(v, f, item, NULL);
    }
    if (dst) copy_string(dst, s, IPSIM_NAME_MAX);
    return 0;
}

static int fill_date(vctx *v, const field *f, const cJSON *item, ipsim_date *dst)
{
    if (!cJSON_IsString(item)) return fail_expected(v, f, item, NULL);
    int r = ipsim_date_parse(item->valuestring, dst);
    if (r == -2) return fail_want(v, "a real calendar date \"YYYY-MM-DD\"", item, NULL);
    if (r != 0) return fail_expected(v, f, item, NULL);
    return 0;
}

static int fill_seed(vctx *v, const field *f, const cJSON *item, uint64_t *dst)
{
    if (cJSON_IsString(item)) {
        const char *s = item->valuestring;
        size_t n = strlen(s);
        uint64_t x = 0;
        if (n < 1 || n > 20) return fail_expected(v, f, item, NULL);
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') return fail_expected(v, f, item, NULL);
            unsigned d = (unsigned)(s[i] - '0');
            if (x > (UINT64_MAX - d) / 10) return fail_expected(v, f, item, " (too large)");
            x = x * 10 + d;
        }
        *dst = x;
        return 0;
    }
    if (cJSON_IsNumber(item)) {
        double x = item->valuedouble;
        if (x == floor(x) && x >= 0 && x <= SEED_INT_MAX) {
            *dst = (uint64_t)x;
            return 0;
        }
        if (x == floor(x) && x > SEED_INT_MAX)
            return fail_expected(v, f, item, " (integers above 2^53 are inexact in JSON: quote the seed)");
    }
    return fail_expected(v, f, item, NULL);
}

/* Element i of a list, with the path pointing at it on failure. */
static int fill_numbers(vctx *v, const field *f, const cJSON *item, double *dst)
{
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != f->max_items)
        return fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        if (!cJSON_IsNumber(e) || !in_range(e->valuedouble, f->min, f->max, f->flags)) {
            char want[128];
            describe_range("a number", f->min, f->max, f->flags, want, sizeof want);
            ipsim_json_path_push_index(&v->path, i);
            return fail_want(v, want, e, NULL);
        }
        dst[i] = e->valuedouble + 0.0;
    }
    return 0;
}

static int fill_weekdays(vctx *v, const field *f, const cJSON *item, int *dst, int *count)
{
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > f->max_items)
        return fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        size_t old = ipsim_json_path_push_index(&v->path, i);
        if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
            !in_range(e->valuedouble, f->min, f->max, 0))
            return fail_want(v, "an ISO weekday (an integer from 1 = Monday to 7 = Sunday)", e, NULL);
        int d = (int)e->valuedouble;
        for (int k = 0; k < i; k++)
            if (dst[k] == d) return fail_want(v, "a weekday not listed before", e, NULL);
        dst[i] = d;
        ipsim_json_path_pop(&v->path, old);
    }
    *count = i;
    return 0;
}

static int fill_dates(vctx *v, const field *f, const cJSON *item, ipsim_date *dst, int *count)
{
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > f->max_items)
        return fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        size_t old = ipsim_json_path_push_index(&v->path, i);
        field df = {.key = f->key, .type = FT_DATE};
        if (fill_date(v, &df, e, &dst[i])) return -1;
        for (int k = 0; k < i; k++)
            if (dst[k] == dst[i]) return fail_want(v, "a date not listed before", e, NULL);
        ipsim_json_path_pop(&v->path, old);
    }
    *count = i;
    return 0;
}

static int channel_index(const sc_data *d, const char *name)
{
    for (int c = 0; c < d->n_channels; c++)
        if (strcmp(d->channels[c].name, name) == 0) return c;
    return -1;
}

static int fail_unknown_channel(vctx *v, const char *name)
{
    ipsim_suggest sg;
    ipsim_suggest_init(&sg, name);
    for (int c = 0; c < v->data->n_channels; c++) ipsim_suggest_offer(&sg, v->data->channels[c].name);
    if (sg.best) return fail(v, "unknown channel (did you mean \"%s\"?)", sg.best);
    char list[1024];
    size_t o = 0;
    list[0] = '\0';
    for (int c = 0; c < v->data->n_channels && o < sizeof list; c++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", c ? ", " : "", v->data->channels[c].name);
    return fail(v, "unknown channel (channels: %s)", list);
}

static int fill_channel_map(vctx *v, const field *f, const cJSON *item, double *dst)
{
    if (!cJSON_IsObject(item)) return fail_expected(v, f, item, NULL);
    char want[128];
    describe_range("a number", f->min, f->max, f->flags, want, sizeof want);
    double sum = 0;
    for (const cJSON *e = item->child; e; e = e->next) {
        size_t old = ipsim_json_path_push_key(&v->path, e->string);
        int c = channel_index(v->data, e->string);
        if (c < 0) return fail_unknown_channel(v, e->string);
        if (!cJSON_IsNumber(e) || !in_range(e->valuedouble, f->min, f->max, f->flags))
            return fail_want(v, want, e, NULL);
        dst[c] = e->valuedouble + 0.0;
        sum += dst[c];
        ipsim_json_path_pop(&v->path, old);
    }
    if (f->flags & F_ALL_CHANNELS) {
        for (int c = 0; c < v->data->n_channels; c++) {
            if (cJSON_GetObjectItemCaseSensitive(item, v->data->channels[c].name) == NULL) {
                ipsim_json_path_push_key(&v->path, v->data->channels[c].name);
                return fail_want(v, want, NULL, " (every channel must be priced)");
            }
        }
    }
    if ((f->flags & F_SUM_ONE) && fabs(sum - 1) > SHARE_SUM_TOLERANCE) {
        char s[40];
        num_text(sum, s, sizeof s);
        return fail(v, "expected channel shares summing to 1, found shares summing to %s", s);
    }
    return 0;
}

static int fill_mechanism(vctx *v, const field *f, const cJSON *item, sc_mechanism *dst)
{
    if (cJSON_IsString(item))
        for (int m = 0; m < MECH_COUNT; m++)
            if (strcmp(item->valuestring, ipsim_mechanism_names[m]) == 0) {
                *dst = (sc_mechanism)m;
                return 0;
            }
    return fail_expected(v, f, item, NULL);
}

static int fill_segment(vctx *v, const field *f, const cJSON *item, int *dst)
{
    if (cJSON_IsString(item)) {
        if (strcmp(item->valuestring, "all") == 0) {
            *dst = -1;
            return 0;
        }
        for (int s = 0; s < IPSIM_N_SEGMENTS; s++)
            if (strcmp(item->valuestring, ipsim_segment_names[s]) == 0) {
                *dst = s;
                return 0;
            }
    }
    return fail_expected(v, f, item, NULL);
}

static int fill_market(vctx *v, const field *f, const cJSON *item, int *dst)
{
    if (!cJSON_IsString(item)) return fail_expected(v, f, item, NULL);
    if (strcmp(item->valuestring, "*") == 0) {
        *dst = -1;
        return 0;
    }
    ipsim_suggest sg;
    ipsim_suggest_init(&sg, item->valuestring);
    for (int m = 0; m < v->data->n_markets; m++) {
        if (strcmp(v->data->markets[m].name, item->valuestring) == 0) {
            *dst = m;
            return 0;
        }
        ipsim_suggest_offer(&sg, v->data->markets[m].name);
    }
    char extra[128];
    if (sg.best)
        snprintf(extra, sizeof extra, " (no such market; did you mean \"%s\"?)", sg.best);
    else
        snprintf(extra, sizeof extra, " (no such market)");
    return fail_expected(v, f, item, extra);
}

static int fill_assets(vctx *v, const field *f, const cJSON *item, int *dst, int *count)
{
    const sc_destination *d = &v->data->destination;
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > f->max_items)
        return fail_expected(v, f, item, NULL);
    int i = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        size_t old = ipsim_json_path_push_index(&v->path, i);
        if (!cJSON_IsString(e)) return fail_want(v, "an asset name", e, NULL);
        int found = -1;
        ipsim_suggest sg;
        ipsim_suggest_init(&sg, e->valuestring);
        for (int a = 0; a < d->n_assets && found < 0; a++) {
            if (strcmp(d->assets[a].name, e->valuestring) == 0) found = a;
            ipsim_suggest_offer(&sg, d->assets[a].name);
        }
        if (found < 0) {
            char extra[128];
            if (sg.best)
                snprintf(extra, sizeof extra, " (no such asset; did you mean \"%s\"?)", sg.best);
            else
                snprintf(extra, sizeof extra, " (no such asset in destination.assets)");
            return fail_want(v, "an asset name", e, extra);
        }
        for (int k = 0; k < i; k++)
            if (dst[k] == found) return fail_want(v, "an asset not listed before", e, NULL);
        dst[i] = found;
        ipsim_json_path_pop(&v->path, old);
    }
    *count = i;
    if (i == 0) {
        for (int a = 0; a < d->n_assets; a++) dst[a] = a;
        *count = d->n_assets;
    }
    return 0;
}

static int fill_array(vctx *v, const field *f, const cJSON *item, char *base)
{
    const table *t = f->sub;
    int *count = (int *)(base + f->count_off);
    if (!cJSON_IsArray(item)) return fail_expected(v, f, item, NULL);
    int n = cJSON_GetArraySize(item);
    if (n < f->min_items || n > f->max_items) return fail_expected(v, f, item, NULL);
    const field *namef = (t->flags & T_UNIQUE_NAME) ? find_field(t, "name") : NULL;
    char arr[IPSIM_JSON_PATH_MAX];
    snprintf(arr, sizeof arr, "%s", v->path.s);
    int i = 0;
    *count = 0;
    for (const cJSON *e = item->child; e; e = e->next, i++) {
        char *elem = base + f->off + (size_t)i * t->size;
        size_t old = ipsim_json_path_push_index(&v->path, i);
        if (!cJSON_IsObject(e)) {
            char want[128];
            snprintf(want, sizeof want, "an object (a %s)", t->name);
            return fail_want(v, want, e, NULL);
        }
        if (fill_object(v, t, e, elem, i)) return -1;
        if (namef) {
            const char *name = elem + namef->off;
            for (int k = 0; k < i; k++) {
                if (strcmp(base + f->off + (size_t)k * t->size + namef->off, name) == 0) {
                    ipsim_json_path_push_key(&v->path, "name");
                    char want[128], extra[IPSIM_JSON_PATH_MAX + 32];
                    snprintf(want, sizeof want, "a unique %s name", t->name);
                    snprintf(extra, sizeof extra, " (also the name of %s[%d])", arr, k);
                    return fail_want(v, want, cJSON_GetObjectItemCaseSensitive(e, "name"), extra);
                }
            }
        }
        *count = i + 1;
        ipsim_json_path_pop(&v->path, old);
    }
    return 0;
}

static void fill_default(vctx *v, const field *f, char *base)
{
    if (f->flags & F_NOSTORE) return;
    switch (f->type) {
    case FT_NUMBER: *(double *)(base + f->off) = f->def; break;
    case FT_INTEGER: *(int *)(base + f->off) = (int)f->def; break;
    case FT_ASSETS: {
        int *dst = (int *)(base + f->off);
        for (int a = 0; a < v->data->destination.n_assets; a++) dst[a] = a;
        *(int *)(base + f->count_off) = v->data->destination.n_assets;
        break;
    }
    default: break; /* zeroed by the caller: "", empty lists */
    }
}

/* Fill one field from item (NULL: absent); the path names the key. */
static int fill_field(vctx *v, const field *f, const cJSON *item, char *base, int required)
{
    if (item == NULL) {
        if (required) return fail_expected(v, f, NULL, " (required key missing)");
        fill_default(v, f, base);
        return 0;
    }
    char *at = base + f->off;
    switch (f->type) {
    case FT_NUMBER:
        if (!cJSON_IsNumber(item) || !in_range(item->valuedouble, f->min, f->max, f->flags))
            return fail_expected(v, f, item, NULL);
        if (!(f->flags & F_NOSTORE)) *(double *)at = item->valuedouble + 0.0; /* no -0 */
        return 0;
    case FT_INTEGER:
        if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) ||
            !in_range(item->valuedouble, f->min, f->max, f->flags))
            return fail_expected(v, f, item, NULL);
        *(int *)at = (int)item->valuedouble;
        return 0;
    case FT_NAME:
    case FT_IDENT: return fill_name(v, f, item, (f->flags & F_NOSTORE) ? NULL : at);
    case FT_TEXT:
        if (!cJSON_IsString(item) || strlen(item->valuestring) > IPSIM_TEXT_MAX - 1)
            return fail_expected(v, f, item, NULL);
        if (!(f->flags & F_NOSTORE)) copy_string(at, item->valuestring, IPSIM_TEXT_MAX);
        return 0;
    case FT_DATE: return fill_date(v, f, item, (ipsim_date *)at);
    case FT_SEED: return fill_seed(v, f, item, (uint64_t *)at);
    case FT_NUMBERS: return fill_numbers(v, f, item, (double *)at);
    case FT_WEEKDAYS: return fill_weekdays(v, f, item, (int *)at, (int *)(base + f->count_off));
    case FT_DATES: return fill_dates(v, f, item, (ipsim_date *)at, (int *)(base + f->count_off));
    case FT_OBJECT:
        if (!cJSON_IsObject(item)) return fail_expected(v, f, item, NULL);
        return fill_object(v, f->sub, item, at, -1);
    case FT_ARRAY: return fill_array(v, f, item, base);
    case FT_CHANNEL_MAP: return fill_channel_map(v, f, item, (double *)at);
    case FT_MECHANISM: return fill_mechanism(v, f, item, (sc_mechanism *)at);
    case FT_SEGMENT: return fill_segment(v, f, item, (int *)at);
    case FT_MARKET: return fill_market(v, f, item, (int *)at);
    case FT_ASSETS: return fill_assets(v, f, item, (int *)at, (int *)(base + f->count_off));
    case FT_BASE: return 0; /* resolved by the loader */
    }
    return 0;
}

/* "a, b, c" of the keys valid for mech (-1: not a mechanism table); with
 * only_specific, just the mechanism-specific ones. */
static void key_list(const table *t, int mech, int only_specific, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n_fields && o < n; i++) {
        const field *f = &t->fields[i];
        if (f->type == FT_BASE) continue;
        if (only_specific ? (f->mechs == 0 || !applies(f, mech)) : !applies(f, mech)) continue;
        o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", f->key);
    }
}

static int check_keys(vctx *v, const table *t, const cJSON *obj, int mech)
{
    for (const cJSON *e = obj->child; e; e = e->next) {
        const field *f = find_field(t, e->string);
        if (f && applies(f, mech)) continue;
        size_t old = ipsim_json_path_push_key(&v->path, e->string);
        char list[1024];
        if (f) {
            key_list(t, mech, 1, list, sizeof list);
            fail(v, "not a parameter of mechanism \"%s\" (allowed: %s)", ipsim_mechanism_names[mech],
                 list[0] ? list : "none");
            ipsim_json_path_pop(&v->path, old);
            return -1;
        }
        ipsim_suggest sg;
        ipsim_suggest_init(&sg, e->string);
        for (int i = 0; i < t->n_fields; i++)
            if (applies(&t->fields[i], mech)) ipsim_suggest_offer(&sg, t->fields[i].key);
        if (sg.best) {
            fail(v, "unknown key (did you mean \"%s\"?)", sg.best);
        } else {
            key_list(t, mech, 0, list, sizeof list);
            fail(v, "unknown key (valid keys: %s)", list);
        }
        ipsim_json_path_pop(&v->path, old);
        return -1;
    }
    return 0;
}

static int fill_object(vctx *v, const table *t, const cJSON *obj, char *base, int index)
{
    int mech = -1;
    const field *mf = NULL;
    if (t->flags & T_MECHANISM) {
        mf = find_field(t, "mechanism");
        size_t old = ipsim_json_path_push_key(&v->path, mf->key);
        if (fill_field(v, mf, cJSON_GetObjectItemCaseSensitive(obj, mf->key), base, 1)) return -1;
        ipsim_json_path_pop(&v->path, old);
        mech = (int)*(sc_mechanism *)(base + mf->off);
    }
    if (check_keys(v, t, obj, mech)) return -1;
    for (int i = 0; i < t->n_fields; i++) {
        const field *f = &t->fields[i];
        if (f == mf) continue;
        if (!applies(f, mech)) {
            if (f->type == FT_NUMBER) fill_default(v, f, base); /* neutral: *_mult 1, else 0 */
            continue;
        }
        int required = !(f->flags & F_OPT) || (mech >= 0 && (f->req_mechs & MB(mech)));
        size_t old = ipsim_json_path_push_key(&v->path, f->key);
        if (fill_field(v, f, cJSON_GetObjectItemCaseSensitive(obj, f->key), base, required)) return -1;
        ipsim_json_path_pop(&v->path, old);
    }
    if (t->check && t->check(v, base, index)) return -1;
    return 0;
}

ipsim_status ipsim_scenario_fields_fill(const cJSON *doc, const char *origin, sc_data *data,
                                        char *err, size_t errlen, char *errpath, size_t errpathlen)
{
    vctx v;
    memset(&v, 0, sizeof v);
    v.origin = origin ? origin : "(scenario)";
    v.err = err;
    v.errlen = errlen;
    v.errpath = errpath;
    v.errpathlen = errpathlen;
    v.data = data;
    v.status = IPSIM_OK;
    if (errpath && errpathlen) errpath[0] = '\0';
    if (!cJSON_IsObject(doc)) {
        fail_want(&v, "a JSON object at the top level", doc, NULL);
        return v.status;
    }
    if (fill_object(&v, &scenario_table, doc, (char *)data, -1)) return v.status;
    return IPSIM_OK;
}

/* ------------------------------------------------------------------------ */
/* emit                                                                      */
/* ------------------------------------------------------------------------ */

static cJSON *emit_object(const table *t, const char *base, const sc_data *d);

static cJSON *emit_date(ipsim_date day)
{
    char b[16];
    date_text(day, b);
    return cJSON_CreateString(b);
}

/* Add item to container (array if key NULL); on NULL item flag OOM. */
static int add(cJSON *to, const char *key, cJSON *item)
{
    if (item == NULL) return -1;
    if (key) {
        if (!cJSON_AddItemToObject(to, key, item)) {
            cJSON_Delete(item);
            return -1;
        }
    } else if (!cJSON_AddItemToArray(to, item)) {
        cJSON_Delete(item);
        return -1;
    }
    return 0;
}

static cJSON *emit_field(const field *f, const char *base, const sc_data *d)
{
    const char *at = base + f->off;
    cJSON *a = NULL;
    int bad = 0;
    switch (f->type) {
    case FT_NUMBER: return cJSON_CreateNumber(*(const double *)at);
    case FT_INTEGER: return cJSON_CreateNumber(*(const int *)at);
    case FT_NAME:
    case FT_IDENT:
    case FT_TEXT: return cJSON_CreateString(at);
    case FT_DATE: return emit_date(*(const ipsim_date *)at);
    case FT_SEED: {
        char b[32];
        snprintf(b, sizeof b, "%" PRIu64, *(const uint64_t *)at);
        return cJSON_CreateString(b);
    }
    case FT_NUMBERS:
        a = cJSON_CreateArray();
        for (int i = 0; a && i < f->max_items; i++)
            bad |= add(a, NULL, cJSON_CreateNumber(((const double *)at)[i]));
        break;
    case FT_WEEKDAYS: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++) bad |= add(a, NULL, cJSON_CreateNumber(((const int *)at)[i]));
        break;
    }
    case FT_DATES: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++) bad |= add(a, NULL, emit_date(((const ipsim_date *)at)[i]));
        break;
    }
    case FT_OBJECT: return emit_object(f->sub, at, d);
    case FT_ARRAY: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++)
            bad |= add(a, NULL, emit_object(f->sub, at + (size_t)i * f->sub->size, d));
        break;
    }
    case FT_CHANNEL_MAP:
        a = cJSON_CreateObject();
        for (int c = 0; a && c < d->n_channels; c++)
            bad |= add(a, d->channels[c].name, cJSON_CreateNumber(((const double *)at)[c]));
        break;
    case FT_MECHANISM: return cJSON_CreateString(ipsim_mechanism_names[*(const sc_mechanism *)at]);
    case FT_SEGMENT: {
        int s = *(const int *)at;
        return cJSON_CreateString(s < 0 ? "all" : ipsim_segment_names[s]);
    }
    case FT_MARKET: {
        int m = *(const int *)at;
        return cJSON_CreateString(m < 0 ? "*" : d->markets[m].name);
    }
    case FT_ASSETS: {
        int n = *(const int *)(base + f->count_off);
        a = cJSON_CreateArray();
        for (int i = 0; a && i < n; i++)
            bad |= add(a, NULL, cJSON_CreateString(d->destination.assets[((const int *)at)[i]].name));
        break;
    }
    case FT_BASE: return NULL;
    }
    if (bad) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

static cJSON *emit_object(const table *t, const char *base, const sc_data *d)
{
    int mech = (t->flags & T_MECHANISM) ? (int)*(const sc_mechanism *)(base + find_field(t, "mechanism")->off)
                                        : -1;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    for (int i = 0; i < t->n_fields; i++) {
        const field *f = &t->fields[i];
        if (f->type == FT_BASE || (f->flags & F_NOSTORE) || !applies(f, mech)) continue;
        if (add(o, f->key, emit_field(f, base, d))) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

cJSON *ipsim_scenario_fields_emit(const sc_data *data)
{
    return emit_object(&scenario_table, (const char *)data, data);
}

/* ------------------------------------------------------------------------ */
/* schema                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct {
    cJSON *defs;
    int oom;
} sctx;

static cJSON *obj_or_oom(sctx *s, cJSON *o)
{
    if (o == NULL) s->oom = 1;
    return o;
}

static void put(sctx *s, cJSON *o, const char *key, cJSON *value)
{
    if (o == NULL) {
        cJSON_Delete(value);
        s->oom = 1;
    } else if (add(o, key, value)) {
        s->oom = 1;
    }
}

static void put_str(sctx *s, cJSON *o, const char *key, const char *value)
{
    put(s, o, key, cJSON_CreateString(value));
}

static void put_num(sctx *s, cJSON *o, const char *key, double value)
{
    put(s, o, key, cJSON_CreateNumber(value));
}

static void put_range(sctx *s, cJSON *o, double min, double max, unsigned flags)
{
    if (min > NO_MIN) put_num(s, o, (flags & F_XMIN) ? "exclusiveMinimum" : "minimum", min);
    if (max < NO_MAX) put_num(s, o, (flags & F_XMAX) ? "exclusiveMaximum" : "maximum", max);
}

static void put_doc(sctx *s, cJSON *o, const field *f)
{
    char b[1024];
    if (f->unit && strcmp(f->unit, "1") != 0)
        snprintf(b, sizeof b, "%s Unit: %s.", f->doc, f->unit);
    else if (f->unit)
        snprintf(b, sizeof b, "%s Dimensionless.", f->doc);
    else
        snprintf(b, sizeof b, "%s", f->doc);
    put_str(s, o, "description", b);
}

static cJSON *type_schema(sctx *s, const char *type)
{
    cJSON *o = obj_or_oom(s, cJSON_CreateObject());
    put_str(s, o, "type", type);
    return o;
}

static cJSON *date_schema(sctx *s)
{
    cJSON *o = type_schema(s, "string");
    put_str(s, o, "pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    put_str(s, o, "format", "date");
    return o;
}

static cJSON *name_schema(sctx *s)
{
    cJSON *o = type_schema(s, "string");
    put_num(s, o, "minLength", 1);
    put_num(s, o, "maxLength", IPSIM_NAME_MAX - 1);
    return o;
}

static cJSON *schema_object(sctx *s, const table *t, int partial, int mech);

/* "#/$defs/NAME" for array items, defining NAME on first use. */
static cJSON *item_ref(sctx *s, const table *t)
{
    char key[64], ref[96];
    size_t n = 0;
    for (const char *p = t->name; *p && n + 1 < sizeof key; p++) key[n++] = *p == ' ' ? '_' : *p;
    key[n] = '\0';
    if (s->defs && cJSON_GetObjectItemCaseSensitive(s->defs, key) == NULL) {
        cJSON *def;
        if (t->flags & T_MECHANISM) {
            def = obj_or_oom(s, cJSON_CreateObject());
            put_str(s, def, "description", t->doc);
            cJSON *one = obj_or_oom(s, cJSON_CreateArray());
            for (int m = 0; m < MECH_COUNT; m++) put(s, one, NULL, schema_object(s, t, 0, m));
            put(s, def, "oneOf", one);
        } else {
            def = schema_object(s, t, 0, -1);
        }
        put(s, s->defs, key, def);
    }
    snprintf(ref, sizeof ref, "#/$defs/%s", key);
    cJSON *o = obj_or_oom(s, cJSON_CreateObject());
    put_str(s, o, "$ref", ref);
    return o;
}

static cJSON *schema_field(sctx *s, const field *f, int partial, int mech)
{
    cJSON *o = NULL, *items = NULL;
    switch (f->type) {
    case FT_NUMBER:
        o = type_schema(s, "number");
        put_range(s, o, f->min, f->max, f->flags);
        if (f->flags & F_OPT) put_num(s, o, "default", f->def);
        break;
    case FT_INTEGER:
        o = type_schema(s, "integer");
        put_range(s, o, f->min, f->max, f->flags);
        if (f->flags & F_OPT) put_num(s, o, "default", f->def);
        break;
    case FT_NAME: o = name_schema(s); break;
    case FT_IDENT:
        o = type_schema(s, "string");
        put_str(s, o, "pattern", "^[A-Za-z0-9_.-]{1,63}$");
        break;
    case FT_TEXT:
        o = type_schema(s, "string");
        put_num(s, o, "maxLength", IPSIM_TEXT_MAX - 1);
        if (f->flags & F_OPT) put_str(s, o, "default", "");
        break;
    case FT_DATE: o = date_schema(s); break;
    case FT_SEED: {
        o = obj_or_oom(s, cJSON_CreateObject());
        cJSON *any = obj_or_oom(s, cJSON_CreateArray());
        cJSON *str = type_schema(s, "string");
        put_str(s, str, "pattern", "^[0-9]{1,20}$");
        cJSON *num = type_schema(s, "integer");
        put_num(s, num, "minimum", 0);
        put_num(s, num, "maximum", SEED_INT_MAX);
        put(s, any, NULL, str);
        put(s, any, NULL, num);
        put(s, o, "anyOf", any);
        break;
    }
    case FT_NUMBERS:
        o = type_schema(s, "array");
        items = type_schema(s, "number");
        put_range(s, items, f->min, f->max, f->flags);
        put(s, o, "items", items);
        put_num(s, o, "minItems", f->max_items);
        put_num(s, o, "maxItems", f->max_items);
        break;
    case FT_WEEKDAYS:
        o = type_schema(s, "array");
        items = type_schema(s, "integer");
        put_range(s, items, f->min, f->max, 0);
        put(s, o, "items", items);
        put_num(s, o, "maxItems", f->max_items);
        put(s, o, "uniqueItems", cJSON_CreateTrue());
        break;
    case FT_DATES:
        o = type_schema(s, "array");
        put(s, o, "items", date_schema(s));
        put_num(s, o, "maxItems", f->max_items);
        put(s, o, "uniqueItems", cJSON_CreateTrue());
        break;
    case FT_OBJECT: o = schema_object(s, f->sub, partial, -1); break;
    case FT_ARRAY:
        o = type_schema(s, "array");
        put(s, o, "items", item_ref(s, f->sub));
        if (f->min_items) put_num(s, o, "minItems", f->min_items);
        put_num(s, o, "maxItems", f->max_items);
        break;
    case FT_CHANNEL_MAP:
        o = type_schema(s, "object");
        put(s, o, "propertyNames", name_schema(s));
        items = type_schema(s, "number");
        put_range(s, items, f->min, f->max, f->flags);
        put(s, o, "additionalProperties", items);
        if (f->flags & (F_ALL_CHANNELS | F_SUM_ONE)) put_num(s, o, "minProperties", 1);
        break;
    case FT_MECHANISM:
        o = obj_or_oom(s, cJSON_CreateObject());
        if (mech >= 0) {
            put_str(s, o, "const", ipsim_mechanism_names[mech]);
        } else {
            cJSON *e = cJSON_CreateStringArray(ipsim_mechanism_names, MECH_COUNT);
            put(s, o, "enum", e);
        }
        break;
    case FT_SEGMENT: {
        static const char *const segs[] = {"cec", "mainstream", "all"};
        o = obj_or_oom(s, cJSON_CreateObject());
        put(s, o, "enum", cJSON_CreateStringArray(segs, 3));
        break;
    }
    case FT_MARKET: o = name_schema(s); break;
    case FT_ASSETS:
        o = type_schema(s, "array");
        put(s, o, "items", name_schema(s));
        put_num(s, o, "maxItems", f->max_items);
        put(s, o, "uniqueItems", cJSON_CreateTrue());
        break;
    case FT_BASE:
        o = type_schema(s, "string");
        put_num(s, o, "minLength", 1);
        break;
    }
    if (o && f->type != FT_OBJECT) put_doc(s, o, f);
    return o;
}

/* The schema of an object of table t; partial: no required keys, objects
 * below partial too (array items stay complete); mech >= 0: one branch of
 * a mechanism table. */
static cJSON *schema_object(sctx *s, const table *t, int partial, int mech)
{
    cJSON *o = type_schema(s, "object");
    put_str(s, o, "description", mech >= 0 ? mechanism_docs[mech] : t->doc);
    cJSON *props = obj_or_oom(s, cJSON_CreateObject());
    cJSON *req = obj_or_oom(s, cJSON_CreateArray());
    for (int i = 0; i < t->n_fields; i++) {
        const field *f = &t->fields[i];
        if (!applies(f, mech)) continue;
        cJSON *fs = schema_field(s, f, partial, mech);
        if (f->type == FT_OBJECT && fs) {
            /* the object's own description is the table's; say what the key is */
            cJSON *d = cJSON_GetObjectItemCaseSensitive(fs, "description");
            if (d) cJSON_SetValuestring(d, f->doc);
        }
        put(s, props, f->key, fs);
        int required = !(f->flags & F_OPT) || (mech >= 0 && (f->req_mechs & MB(mech)));
        if (required && !partial) put(s, req, NULL, cJSON_CreateString(f->key));
    }
    put(s, o, "properties", props);
    if (req && cJSON_GetArraySize(req) > 0)
        put(s, o, "required", req);
    else
        cJSON_Delete(req);
    put(s, o, "additionalProperties", cJSON_CreateFalse());
    return o;
}

cJSON *ipsim_scenario_fields_schema(void)
{
    sctx s = {NULL, 0};
    cJSON *root = cJSON_CreateObject();
    s.defs = cJSON_CreateObject();
    if (root == NULL || s.defs == NULL) {
        cJSON_Delete(root);
        cJSON_Delete(s.defs);
        return NULL;
    }
    put_str(&s, root, "$schema", "https://json-schema.org/draft/2020-12/schema");
    put_str(&s, root, "title", "ipsim scenario");
    put_str(&s, root, "description",
            "A scenario of ipsim, the agent-based simulator of visitor flows to a cultural-tourism "
            "destination. Generated from the loader's field tables (regenerate with `ipsim schema`). "
            "A file with \"base\" names a base scenario and may leave out any key of an object, "
            "which it inherits; arrays it gives replace the base's whole and must be complete. "
            "Rules this schema cannot express are checked only by the loader: references by name "
            "(markets, channels and assets named in cpm_cny, targets, channels and assets of "
            "interventions), unique names, every channel priced in every market, channel shares "
            "summing to 1, real calendar dates, date order (start <= end; an intervention starting "
            "inside the simulated period; E's event window inside [start, end]), "
            "satisfaction_negative <= satisfaction_positive, and name lengths in bytes.");
    put_str(&s, root, "type", "object");
    cJSON *cond = obj_or_oom(&s, cJSON_CreateObject());
    cJSON *req = obj_or_oom(&s, cJSON_CreateArray());
    put(&s, req, NULL, cJSON_CreateString("base"));
    put(&s, cond, "required", req);
    put(&s, root, "if", cond);
    cJSON *then = schema_object(&s, &scenario_table, 1, -1);
    cJSON *els = schema_object(&s, &scenario_table, 0, -1);
    cJSON *d = cJSON_GetObjectItemCaseSensitive(then, "description");
    if (d) cJSON_SetValuestring(d, "A derived scenario (with \"base\"): every object key is optional.");
    d = cJSON_GetObjectItemCaseSensitive(els, "description");
    if (d) cJSON_SetValuestring(d, "A complete scenario (without \"base\").");
    put(&s, root, "then", then);
    put(&s, root, "else", els);
    put(&s, root, "$defs", s.defs);
    if (s.oom) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
