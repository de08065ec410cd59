/*
 * scenario.h - the validated, in-memory form of a scenario (internal).
 *
 * Every struct field below is a JSON key of the same name at the path given
 * in its comment; units are in the comment. The loader (scenario.c) fills
 * every field, applying the documented default when the key is absent, and
 * guarantees the ranges stated in its field tables, so model code never
 * re-checks them. Names of markets, assets and interventions are unique.
 *
 * Layout of a scenario file (top level):
 *   name, description, base?            strings
 *   simulation   {start_date, days, seed, scale, threads}
 *   calendar     {weekend_days, holidays[], adjusted_workdays[], vacations[]}
 *   segments     {cec{...}, mainstream{...}}           consumer segment traits
 *   markets[]    source markets
 *   channels[]   media channels (name, attention)
 *   destination  {..., assets[], substitutes[]}
 *   platform     {...}                                 UGC / short-video platform
 *   parameters   {exposure{...}, decision{...}, visit{...}, posting{...}}
 *   interventions[]                                    mechanisms A-F, promotion
 */
#ifndef IPSIM_SCENARIO_H
#define IPSIM_SCENARIO_H

#include <stdint.h>
#include "ipsim/ipsim.h"

#define IPSIM_MAX_MARKETS 400
#define IPSIM_MAX_ASSETS 32
#define IPSIM_MAX_CHANNELS 8
#define IPSIM_MAX_SUBSTITUTES 16
#define IPSIM_MAX_HOLIDAYS 64
#define IPSIM_MAX_DATES 128
#define IPSIM_MAX_INTERVENTIONS 64
#define IPSIM_MAX_TARGETS 64
#define IPSIM_MAX_EVENTS 32
#define IPSIM_MAX_EVENT_DATES 64
#define IPSIM_MAX_SCHEDULE 64 /* dated parameter entries */
#define IPSIM_MAX_CALENDARS 16 /* named market calendars */
#define IPSIM_MAX_DAYS 3660 /* ten years */
#define IPSIM_NAME_MAX 64   /* bytes incl. NUL for every name */
#define IPSIM_TEXT_MAX 1024 /* description */
#define IPSIM_N_SEGMENTS 2
#define IPSIM_MONTHS 12

enum { IPSIM_SEG_CEC = 0, IPSIM_SEG_MAINSTREAM = 1 };

/* A day is stored as days since 1970-01-01 (proleptic Gregorian); JSON uses
 * ISO 8601 "YYYY-MM-DD" strings. */
typedef int32_t ipsim_date;

/* The dates a scenario may name: every date field, and the simulated period
 * from the first warm-up day to the last recorded day, lie in
 * IPSIM_DATE_MIN..IPSIM_DATE_MAX (the loader refuses the rest). */
#define IPSIM_DATE_MIN (-25567) /* 1900-01-01 */
#define IPSIM_DATE_MAX 84370    /* 2200-12-31 */
#define IPSIM_DATE_MIN_TEXT "1900-01-01"
#define IPSIM_DATE_MAX_TEXT "2200-12-31"

typedef struct {           /* simulation */
    ipsim_date start_date; /* "2025-01-01"; warm-up start to end inside the date range */
    int days;              /* 1..IPSIM_MAX_DAYS, default 365 */
    int warmup_days;       /* unrecorded days simulated before start_date, 0..730 */
    uint64_t seed;         /* string of digits or integer <= 2^53 */
    double scale;          /* people per agent, >= 1, default 1000 */
    int threads;           /* 0 = OpenMP default */
} sc_simulation;

typedef struct {
    char name[IPSIM_NAME_MAX];
    ipsim_date start, end; /* inclusive; start <= end */
} sc_period;

typedef struct {                            /* calendar */
    int weekend_days[7];                    /* ISO weekday numbers 1=Mon..7=Sun */
    int n_weekend_days;                     /* default [6,7] */
    sc_period holidays[IPSIM_MAX_HOLIDAYS]; /* public holidays (days off) */
    int n_holidays;
    ipsim_date adjusted_workdays[IPSIM_MAX_DATES]; /* weekend days worked */
    int n_adjusted_workdays;
    sc_period vacations[IPSIM_MAX_HOLIDAYS]; /* school vacations */
    int n_vacations;
} sc_calendar;

typedef struct {  /* calendars[i]: a market's own calendar */
    sc_calendar c; /* first: the calendar table's offsets apply */
    char name[IPSIM_NAME_MAX];
} sc_named_calendar;

/* The four demands of the core experiential consumer (paper 4.1.1), used as
 * weights of experience dimensions. */
typedef struct {                 /* segments.cec, segments.mainstream */
    double w_authenticity;       /* weight of authenticity & participation, >= 0 */
    double w_emotional;          /* weight of emotional value, >= 0 */
    double w_aesthetic;          /* weight of aesthetics & craftsmanship, >= 0 */
    double w_digital;            /* weight of shareability (content co-creation), >= 0 */
    double w_service;            /* weight of service quality, >= 0 */
    double taste_cv;             /* coefficient of variation of the weights across agents, 0..2 */
    double digital_dependency;   /* multiplier on platform (UGC, official) exposure, >= 0 */
    double trips_per_year;       /* leisure trips per person-year, any destination, >= 0 */
    double beta_distance_per_km; /* utility per km, >= 0 */
    double beta_cost_per_income; /* utility per (trip cost / monthly income), >= 0 */
    double crowding_sensitivity; /* experience lost per unit excess crowding, >= 0 */
    double post_propensity;      /* probability a visitor posts at shareability 1, 0..1 */
    double spend_per_night_cny;  /* on-site spend per visitor-night, >= 0 */
    double taste_sd_utility;     /* sd of the agent's random intercept in trip utility, >= 0 */
} sc_segment;

typedef struct {               /* channels[i] */
    char name[IPSIM_NAME_MAX]; /* "short_video", "commuter_media", ... */
    double attention;          /* probability an impression is effective, 0..1 */
} sc_channel;

typedef struct { /* markets[i] */
    char name[IPSIM_NAME_MAX];
    char province[IPSIM_NAME_MAX];
    double population;                          /* people (2020 census), >= 0 */
    double adult_share;                         /* 0..1 */
    double cec_share;                           /* share of adults who are CEC, 0..1 */
    double income_cny_month;                    /* disposable income per capita per month, > 0 */
    double distance_km;                         /* to the destination, >= 0 */
    double travel_cost_cny;                     /* round trip, >= 0 */
    double travel_time_h;                       /* one way, >= 0 */
    double cpm_cny[IPSIM_MAX_CHANNELS];         /* cpm_cny{channel: CNY per 1000 impressions}, > 0;
                                                 * every channel must be priced */
    double platform_penetration;                /* share of adults active on the UGC platform, 0..1 */
    double initial_awareness[IPSIM_N_SEGMENTS]; /* initial_awareness{cec, mainstream}, 0..1 */
    int local; /* 1: the destination city's own residents (local visits,
                * no overnight trips), 0 (default): a source market */
    char calendar[IPSIM_NAME_MAX]; /* name of its own calendar in calendars[], "" = the scenario's */
    int calendar_index;            /* resolved by the loader: index into calendars[], -1 = none */
} sc_market;

typedef struct { /* destination.assets[i].events[j] */
    char name[IPSIM_NAME_MAX];
    ipsim_date start, end; /* the event runs on the days start..end (inclusive) */
    int weekdays[7];       /* ...that fall on these ISO weekdays (none listed: every day) */
    int n_weekdays;
    ipsim_date dates[IPSIM_MAX_EVENT_DATES]; /* and on these dates too */
    int n_dates;
    double experience_bonus; /* added to experience on event days, -1..1 */
    double appeal_bonus;     /* added to trip utility for trips on event days, >= 0 */
} sc_event;

typedef struct { /* destination.assets[i] */
    char name[IPSIM_NAME_MAX];
    double authenticity;           /* authenticity depth, 0..1 */
    double participation;          /* participation depth, 0..1 */
    double emotional;              /* emotional value, 0..1 */
    double aesthetics;             /* aesthetic quality, 0..1 */
    double distinctiveness;        /* against substitutes, 0..1 */
    double shareability;           /* 0..1 */
    double capacity_per_day;       /* visitors on site per day, > 0 */
    double appeal;                 /* base utility in the asset choice, any */
    double seasonal[IPSIM_MONTHS]; /* availability/appeal multiplier by month, 0..1 */
    sc_event events[IPSIM_MAX_EVENTS];
    int n_events;
} sc_asset;

typedef struct { /* destination.substitutes[i] */
    char name[IPSIM_NAME_MAX];
    double utility; /* attractiveness relative to the destination's constant */
} sc_substitute;

typedef struct { /* destination */
    char name[IPSIM_NAME_MAX];
    double service_quality;         /* 0..1 */
    double digital_fluency;         /* 0..1 */
    double price_level;             /* multiplier on spend and stay cost, > 0 */
    double initial_reputation;      /* expected experience quality, 0..1 */
    double official_claim;          /* quality the official content asserts, 0..1 */
    double erosion_per_year;        /* experiential erosion of emotional value, 0..1 */
    double accommodation_per_night; /* guest beds (people per night), 0 = no limit */
    double price_response;          /* stay-cost rise at full accommodation, >= 0 */
    double price_cap;               /* largest stay-cost rise, >= 0 */
    sc_asset assets[IPSIM_MAX_ASSETS];
    int n_assets; /* >= 1 */
    sc_substitute substitutes[IPSIM_MAX_SUBSTITUTES];
    int n_substitutes;
} sc_destination;

typedef struct {                          /* platform */
    double post_half_life_days;           /* > 0 */
    double views_per_post_day;            /* effective impressions a fresh post makes per day, >= 0 */
    double fluency_reach_gain;            /* extra reach at digital_fluency 1, >= 0 */
    double home_share;                    /* share of a post's views in the poster's market, 0..1 */
    double trending_threshold_posts;      /* post flow (posts/day) added to the recent and the baseline
                                           * flow: rises of smaller flows barely count, > 0 */
    double trending_max_gain;             /* maximal extra amplification, >= 0 */
    double trending_hill;                 /* steepness of the trending response, >= 1 */
    double neutral_post_weight;           /* weight of neutral posts in the pool, 0..1 */
    double trending_velocity;             /* recent/baseline flow - 1 at half the extra gain, > 0 */
    double trending_short_half_life_days; /* window of the recent post flow, > 0 */
    double trending_baseline_half_life_days; /* window of the baseline post flow, > 0 */
    double trending_negative_weight;         /* weight of negative posts in the trending flow, 0..1 */
    double fatigue_impressions;              /* UGC impressions per person halving UGC's pull, > 0 */
    double fatigue_half_life_days;           /* recovery half-life of that fatigue, > 0 */
    double fatigue_renewal_reset;            /* share of the fatigue a content renewal removes, 0..1 */
    double community_renewal_days; /* D's community content renews like one renewal per this many
                                    * days, > 0 */
} sc_platform;

typedef struct {                    /* parameters.exposure */
    double adstock_half_life_days;  /* salience half-life, > 0 */
    double effective_frequency;     /* salience at which a consumer becomes aware, > 0 */
    double consider_salience;       /* salience needed to consider a trip, > 0 */
    double wearout_salience;        /* salience halving the effect of one more impression, > 0 */
    double attitude_learning_rate;  /* weight of one impression's signal in the attitude, 0..1 */
    double ambient_rate_at_zero_km; /* effective impressions per person-day at 0 km, >= 0 */
    double ambient_decay_per_km;    /* >= 0 */
    double official_rate; /* effective official-content impressions per follower-day at fluency 1,
                             >= 0 (7.3: the official audience) */
    double official_min_fluency_share; /* share of official reach kept at fluency 0, 0..1 */
    double segment_precision; /* share of segment-targeted impressions landing on the segment, 0..1 */
    double initial_salience;  /* mean salience of initially aware consumers, >= 0 */
    double wom_impressions_per_visitor; /* offline word-of-mouth impressions per returning visitor, >=
                                           0 */
    double official_follow_rate;           /* daily probability a non-following platform user follows
                                            * the official accounts, 0..1 */
    double official_event_follow_gain;     /* extra such follows on event days (x (1 + gain)), >= 0 */
    double official_follow_per_impression; /* follows per effective paid, spark or UGC impression of a
                                            * non-follower, 0..1 */
    double official_follower_half_life_days; /* half-life of the audience without new follows, > 0 */
} sc_exposure;

typedef struct {                 /* parameters.decision */
    double asc_destination;      /* constant of the destination's trip utility */
    double beta_attitude;        /* utility per unit of expected quality */
    double beta_distinctiveness; /* utility per unit of distinctiveness */
    double beta_season;          /* utility per unit of seasonal appeal */
    double beta_crowding;        /* utility per unit of expected crowding */
    double beta_loyalty;         /* utility per unit of loyalty */
    double revisit_penalty;      /* utility lost by a past visitor (variety seeking), >= 0 */
    double leisure_weekday;      /* relative trip-occasion rate, >= 0 */
    double leisure_weekend;
    double leisure_holiday;
    double leisure_vacation;        /* multiplier on top on vacation days, >= 0 */
    double lead_days_base;          /* booking lead time at 0 km, >= 1 */
    double lead_days_per_1000km;    /* >= 0 */
    double nights_base;             /* trip nights at 0 km, >= 1 */
    double nights_per_1000km;       /* >= 0 */
    double stay_cost_per_night_cny; /* accommodation cost counted in trip cost, >= 0 */
    double cooldown_days;           /* days after a trip before the next decision, >= 0 */
    double asset_choice_scale;      /* sensitivity of the asset choice to asset utility, >= 0 */
} sc_decision;

typedef struct {                     /* parameters.visit */
    double disconfirmation_weight;   /* Oliver's disconfirmation weight, >= 0 */
    double crowding_threshold;       /* occupancy/capacity where crowding starts to hurt, > 0 */
    double satisfaction_positive;    /* satisfaction at or above: positive post */
    double satisfaction_negative;    /* satisfaction below: negative post */
    double experience_learning;      /* weight of own experience in the attitude after a visit, 0..1 */
    double loyalty_gain;             /* loyalty change per unit satisfaction above neutral, >= 0 */
    double loyalty_decay_per_year;   /* 0..1 */
    double reputation_learning_rate; /* per day weight of posted sentiment in reputation, 0..1 */
    double crowding_memory_days;     /* time constant of expected crowding, > 0 */
    double post_extremity_gain;      /* extra posting per unit |satisfaction - neutral|, >= 0 */
    double repeat_salience_boost;    /* salience a satisfied visitor keeps, >= 0 */
} sc_visit;

typedef struct {               /* parameters.day_visits */
    double local_rate_weekday; /* local visits per considering resident per day, >= 0 */
    double local_rate_weekend;
    double local_rate_holiday;
    double same_day_rate_weekday; /* same-day visits per considering person per day at 0 km, >= 0 */
    double same_day_rate_weekend;
    double same_day_rate_holiday;
    double same_day_max_km;       /* markets farther away make no same-day visits, >= 0 */
    double same_day_decay_per_km; /* distance decay of same-day visits, >= 0 */
    double spend_per_visit_cny;   /* on-site spend of a local or same-day visit, >= 0 */
} sc_day_visits;

typedef struct {
    sc_exposure exposure;
    sc_decision decision;
    sc_visit visit;
    sc_day_visits day_visits;
} sc_parameters;

/* Interventions. "mechanism" is one of "promotion", "A".."F", "spark". */
typedef enum {
    MECH_PROMOTION = 0,
    MECH_A,
    MECH_B,
    MECH_C,
    MECH_D,
    MECH_E,
    MECH_F,
    MECH_SPARK,
    MECH_COUNT
} sc_mechanism;

typedef struct {   /* interventions[i].targets[j] */
    int market;    /* index into markets; -1 means every market ("*") */
    int segment;   /* IPSIM_SEG_*, or -1 for both ("all") */
    double weight; /* > 0, default 1: budget weight per targeted person */
} sc_target;

typedef struct { /* interventions[i] */
    char name[IPSIM_NAME_MAX];
    sc_mechanism mechanism;
    ipsim_date start, end; /* inclusive */
    double cost_cny;       /* >= 0; for promotion and C this is the media budget */
    /* promotion, C (campaigns), spark: the cells reached */
    sc_target targets[IPSIM_MAX_TARGETS];
    int n_targets;
    double channel_share[IPSIM_MAX_CHANNELS]; /* channels{name: share}, sums to 1 */
    /* A, B, E: the assets affected (empty list = all assets) */
    int assets[IPSIM_MAX_ASSETS];
    int n_assets;
    double shareability_add;              /* A, B */
    double emotional_add;                 /* A, E */
    double aesthetics_add;                /* A, E */
    double authenticity_add;              /* B */
    double participation_add;             /* B */
    double distinctiveness_add;           /* B, E */
    double novelty_half_life_days;        /* A: 0 = no fading; spark: half-life of its views */
    double renewal_interval_days;         /* A: 0 = never renewed */
    double post_propensity_mult;          /* B, D: multiplier on posting, >= 0 */
    double event_experience_bonus;        /* B (weekends/holidays), E (event window) */
    double event_appeal_bonus;            /* B, E */
    ipsim_date event_start, event_end;    /* E: festival window inside [start, end] */
    double travel_cost_reduction_cny;     /* E (event window), F */
    double loyalty_gain_mult;             /* D, >= 0 */
    double revisit_penalty_reduction;     /* D, 0..1 share of the penalty removed */
    double community_post_rate_per_year;  /* D: posts per loyal past visitor-year */
    double feedback_improvement_per_year; /* D: share of erosion repaired per year */
    double service_quality_add;           /* F */
    double hospitality_bonus;             /* F: experience bonus from hospitality */
    double official_reach_mult;           /* F: multiplier on official content reach, >= 0 */
    double views_per_person_day; /* spark: effective impressions per targeted person on day 1 */
    double content_signal;       /* spark: quality signal its content carries, 0..1 */
    double platform_share;       /* spark: share of its views seen on the platform, 0..1 */
} sc_intervention;

typedef struct {             /* schedule[i]: a dated parameter */
    char path[IPSIM_TEXT_MAX]; /* --set style path of a numeric destination or asset field */
    ipsim_date from, to;       /* ramp from the value in force at from to value at to;
                                * to == from (or absent): a step on from */
    double value;
    size_t offset; /* resolved by the loader: byte offset of the field in sc_data */
} sc_schedule;

struct sc_data {
    char name[IPSIM_NAME_MAX];
    char description[IPSIM_TEXT_MAX];
    sc_simulation simulation;
    sc_calendar calendar;
    sc_named_calendar calendars[IPSIM_MAX_CALENDARS]; /* markets' own calendars (7.1) */
    int n_calendars;
    sc_segment segments[IPSIM_N_SEGMENTS];
    sc_market markets[IPSIM_MAX_MARKETS];
    int n_markets; /* >= 1 */
    sc_channel channels[IPSIM_MAX_CHANNELS];
    int n_channels; /* >= 1 */
    sc_destination destination;
    sc_platform platform;
    sc_parameters parameters;
    sc_intervention interventions[IPSIM_MAX_INTERVENTIONS];
    int n_interventions;
    sc_schedule schedule[IPSIM_MAX_SCHEDULE]; /* dated parameters, in file order */
    int n_schedule;
};
typedef struct sc_data sc_data;

/* The validated data of a scenario (never NULL for a loaded scenario). */
const sc_data *ipsim_scenario_data(const ipsim_scenario *sc);

/* A new scenario (*out, caller destroys): from with the n assignments
 * applied together, exactly what ipsim_scenario_clone(from) then
 * ipsim_scenario_set_all give (same status, message and *failed), but
 * cheaper: from's data is not copied. */
ipsim_status ipsim__scenario_derive(const ipsim_scenario *from, const char *const *assignments,
                                    int n, int *failed, ipsim_scenario **out, char *err,
                                    size_t errlen);

/* Date helpers shared by the loader, calendar and output. */
ipsim_date ipsim_date_from_ymd(int y, int m, int d);
void ipsim_date_to_ymd(ipsim_date day, int *y, int *m, int *d);
int ipsim_date_iso_weekday(ipsim_date day); /* 1 = Monday .. 7 = Sunday */
/* Parse "YYYY-MM-DD" (a real calendar date); returns 0 on success. */
int ipsim_date_parse(const char *s, ipsim_date *out);
/* Format into buf (at least 11 bytes). */
void ipsim_date_format(ipsim_date day, char *buf);

extern const char *const ipsim_segment_names[IPSIM_N_SEGMENTS]; /* "cec", "mainstream" */
extern const char *const ipsim_mechanism_names[MECH_COUNT];     /* "promotion", "A".."F", "spark" */

#endif /* IPSIM_SCENARIO_H */
