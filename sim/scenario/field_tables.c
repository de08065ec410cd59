/*
 * field_tables.c - the field tables of a scenario: one table of field
 * descriptors (field_table.h) per JSON object kind, from the top-level
 * scenario down to an intervention's targets, and the lookups in them.
 *
 * The tables are walked by fill.c (validate and fill an sc_data), emit.c
 * (write it back as JSON) and schema.c (the JSON Schema). Tables are filled
 * in table order, not document order, so that sections referred to by name
 * are known before they are referred to: channels come before markets
 * (cpm_cny is keyed by channel), and markets, channels and
 * destination.assets before interventions. Rules one field cannot express
 * (date order, event windows, targets named once) are the tables' check
 * functions (checks.c).
 */
#include <string.h>

#include "scenario/field_table.h"

#define M_CAMPAIGN (MB(MECH_PROMOTION) | MB(MECH_C)) /* the paid media campaigns */
#define M_TARGETED (M_CAMPAIGN | MB(MECH_SPARK))     /* reach chosen market x segment cells */
#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define NUM(S, K, LO, HI, FL, UNIT, DOC) \
    { \
        .key = #K, .type = FT_NUMBER, .off = offsetof(S, K), .min = LO, .max = HI, .flags = FL, \
        .unit = UNIT, .doc = DOC \
    }
#define NUMD(S, K, LO, HI, FL, DEF, UNIT, DOC) \
    { \
        .key = #K, .type = FT_NUMBER, .off = offsetof(S, K), .min = LO, .max = HI, \
        .flags = F_OPT | (FL), .def = DEF, .unit = UNIT, .doc = DOC \
    }
#define P01(S, K, DOC) NUM(S, K, 0, 1, 0, "1", DOC)
#define NAMEF(S, K, DOC) \
    { \
        .key = #K, .type = FT_NAME, .off = offsetof(S, K), .doc = DOC \
    }
#define DATEF(S, K, DOC) \
    { \
        .key = #K, .type = FT_DATE, .off = offsetof(S, K), .doc = DOC \
    }
#define OBJF(S, K, SUB, DOC) \
    { \
        .key = #K, .type = FT_OBJECT, .off = offsetof(S, K), .sub = &SUB, .doc = DOC \
    }
#define ARRF(S, K, CNT, SUB, LO, HI, FL, DOC) \
    { \
        .key = #K, .type = FT_ARRAY, .off = offsetof(S, K), .count_off = offsetof(S, CNT), \
        .sub = &SUB, .min_items = LO, .max_items = HI, .flags = FL, .doc = DOC \
    }
#define TABLE(NAME, DOC, TYPE, FIELDS, CHECK, FLAGS) \
    { \
        NAME, DOC, sizeof(TYPE), FIELDS, N_OF(FIELDS), CHECK, FLAGS \
    }

/* simulation */
static const field simulation_fields[] = {
    DATEF(sc_simulation, start_date, "First simulated day."),
    {.key = "days",
     .type = FT_INTEGER,
     .off = offsetof(sc_simulation, days),
     .min = 1,
     .max = IPSIM_MAX_DAYS,
     .unit = "d",
     .doc = "Number of simulated (recorded) days."},
    {.key = "warmup_days",
     .type = FT_INTEGER,
     .off = offsetof(sc_simulation, warmup_days),
     .min = 0,
     .max = 730,
     .unit = "d",
     .doc = "Unrecorded days simulated before start_date."},
    {.key = "seed",
     .type = FT_SEED,
     .off = offsetof(sc_simulation, seed),
     .doc = "Seed of the random streams: a string of decimal digits (any 64-bit value) or an "
            "integer up to 2^53."},
    NUM(sc_simulation, scale, 1, 1e9, 0, "people/agent", "People represented by one agent."),
    {.key = "threads",
     .type = FT_INTEGER,
     .off = offsetof(sc_simulation, threads),
     .min = 0,
     .max = 1024,
     .flags = F_OPT,
     .def = 0,
     .doc = "OpenMP threads; 0 = the OpenMP default."},
};
static const table simulation_table =
    TABLE("simulation settings", "Simulated period, randomness and resolution.", sc_simulation,
          simulation_fields, ipsim__sf_check_simulation, 0);

/* calendar */
static const field period_fields[] = {
    NAMEF(sc_period, name, "Name of the period."),
    DATEF(sc_period, start, "First day (inclusive)."),
    DATEF(sc_period, end, "Last day (inclusive), on or after start."),
};
static const table period_table =
    TABLE("period", "A named run of days.", sc_period, period_fields, ipsim__sf_check_period, 0);

static const field calendar_fields[] = {
    {.key = "weekend_days",
     .type = FT_WEEKDAYS,
     .off = offsetof(sc_calendar, weekend_days),
     .count_off = offsetof(sc_calendar, n_weekend_days),
     .min = 1,
     .max = 7,
     .max_items = 7,
     .doc = "ISO weekday numbers of the weekend (1 = Monday .. 7 = Sunday)."},
    ARRF(sc_calendar, holidays, n_holidays, period_table, 0, IPSIM_MAX_HOLIDAYS, F_OPT,
         "Public holidays (days off)."),
    {.key = "adjusted_workdays",
     .type = FT_DATES,
     .off = offsetof(sc_calendar, adjusted_workdays),
     .count_off = offsetof(sc_calendar, n_adjusted_workdays),
     .max_items = IPSIM_MAX_DATES,
     .flags = F_OPT,
     .doc = "Weekend days that are worked (make-up workdays)."},
    ARRF(sc_calendar, vacations, n_vacations, period_table, 0, IPSIM_MAX_HOLIDAYS, F_OPT,
         "School vacations."),
};
static const table calendar_table =
    TABLE("calendar", "Weekends, public holidays, make-up workdays and school vacations.", sc_calendar,
          calendar_fields, NULL, 0);

/* A market's own calendar: a name and the calendar's keys (sc_calendar is
 * the first member of sc_named_calendar, so the same offsets apply). */
static const field named_calendar_fields[] = {
    NAMEF(sc_named_calendar, name, "Calendar name, which markets[].calendar refers to."),
    {.key = "weekend_days",
     .type = FT_WEEKDAYS,
     .off = offsetof(sc_calendar, weekend_days),
     .count_off = offsetof(sc_calendar, n_weekend_days),
     .min = 1,
     .max = 7,
     .max_items = 7,
     .doc = "ISO weekday numbers of the weekend (1 = Monday .. 7 = Sunday)."},
    ARRF(sc_calendar, holidays, n_holidays, period_table, 0, IPSIM_MAX_HOLIDAYS, F_OPT,
         "Public holidays (days off) of the markets using this calendar."),
    {.key = "adjusted_workdays",
     .type = FT_DATES,
     .off = offsetof(sc_calendar, adjusted_workdays),
     .count_off = offsetof(sc_calendar, n_adjusted_workdays),
     .max_items = IPSIM_MAX_DATES,
     .flags = F_OPT,
     .doc = "Weekend days that are worked (make-up workdays)."},
    ARRF(sc_calendar, vacations, n_vacations, period_table, 0, IPSIM_MAX_HOLIDAYS, F_OPT,
         "School vacations of the markets using this calendar."),
};
static const table named_calendar_table =
    TABLE("market calendar",
          "A calendar of its own for the markets naming it (their residents' leisure days).",
          sc_named_calendar, named_calendar_fields, NULL, T_UNIQUE_NAME);

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
    TABLE("segment",
          "Traits of a consumer segment; the weights are the four demands of the "
          "core experiential consumer (paper 4.1.1) plus service.",
          sc_segment, segment_fields, NULL, 0);

static const field segments_fields[] = {
    {.key = "cec",
     .type = FT_OBJECT,
     .off = 0,
     .sub = &segment_table,
     .doc = "Core experiential consumers."},
    {.key = "mainstream",
     .type = FT_OBJECT,
     .off = sizeof(sc_segment),
     .sub = &segment_table,
     .doc = "Mainstream consumers."},
};
static const table segments_table = TABLE("segments", "The two consumer segments.",
                                          sc_segment[IPSIM_N_SEGMENTS], segments_fields, NULL, 0);

/* channels */
static const field channel_fields[] = {
    NAMEF(sc_channel, name, "Channel name (short_video, commuter_media, ...)."),
    P01(sc_channel, attention, "Probability that an impression is effective."),
};
static const table channel_table =
    TABLE("channel", "A media channel.", sc_channel, channel_fields, NULL, T_UNIQUE_NAME);

/* markets */
static const field awareness_fields[] = {
    {.key = "cec",
     .type = FT_NUMBER,
     .off = 0,
     .min = 0,
     .max = 1,
     .unit = "1",
     .doc = "Share of CEC adults aware of the destination at the start."},
    {.key = "mainstream",
     .type = FT_NUMBER,
     .off = sizeof(double),
     .min = 0,
     .max = 1,
     .unit = "1",
     .doc = "Share of mainstream adults aware of the destination at the start."},
};
static const table awareness_table = TABLE("initial awareness", "Initial awareness by segment.",
                                           double[IPSIM_N_SEGMENTS], awareness_fields, NULL, 0);

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
    {.key = "cpm_cny",
     .type = FT_CHANNEL_MAP,
     .off = offsetof(sc_market, cpm_cny),
     .min = 0,
     .max = 1e6,
     .flags = F_XMIN | F_ALL_CHANNELS,
     .unit = "CNY/1000 impressions",
     .doc = "Media price by channel: every channel must be priced."},
    P01(sc_market, platform_penetration, "Share of adults active on the UGC platform."),
    OBJF(sc_market, initial_awareness, awareness_table, "Initial awareness by segment."),
    {.key = "local",
     .type = FT_INTEGER,
     .off = offsetof(sc_market, local),
     .min = 0,
     .max = 1,
     .flags = F_OPT,
     .def = 0,
     .doc = "1: the destination city's own residents, who make local visits (parameters.day_visits) "
            "and no overnight trips; not covered by the \"*\" campaign target. 0: a source market."},
    {.key = "calendar",
     .type = FT_NAME,
     .off = offsetof(sc_market, calendar),
     .flags = F_OPT,
     .doc = "Name of one of calendars[]: the weekends, holidays, make-up workdays and school "
            "vacations of this market's residents (their leisure rate, 7.1, and same-day or local "
            "visit rates, 7.12); absent: the scenario's calendar."},
};
static const table market_table =
    TABLE("market", "A source market.", sc_market, market_fields, ipsim__sf_check_market, T_UNIQUE_NAME);

/* destination */
static const field event_fields[] = {
    NAMEF(sc_event, name, "Event name."),
    DATEF(sc_event, start, "First day (inclusive)."),
    DATEF(sc_event, end, "Last day (inclusive), on or after start."),
    {.key = "weekdays",
     .type = FT_WEEKDAYS,
     .off = offsetof(sc_event, weekdays),
     .count_off = offsetof(sc_event, n_weekdays),
     .min = 1,
     .max = 7,
     .max_items = 7,
     .flags = F_OPT,
     .doc = "A weekly rule: only the days from start to end on these ISO weekdays (1 = Monday .. "
            "7 = Sunday), e.g. [6] for every Saturday; absent or empty = every day."},
    {.key = "dates",
     .type = FT_DATES,
     .off = offsetof(sc_event, dates),
     .count_off = offsetof(sc_event, n_dates),
     .max_items = IPSIM_MAX_EVENT_DATES,
     .flags = F_OPT,
     .doc = "More event days, listed one by one (they may lie outside start..end)."},
    NUM(sc_event, experience_bonus, -1, 1, 0, "1", "Added to the experience on event days."),
    NUM(sc_event, appeal_bonus, 0, 5, 0, "1", "Added to the utility of trips on event days."),
};
static const table event_table =
    TABLE("event", "A dated event at an asset.", sc_event, event_fields, ipsim__sf_check_event, 0);

static const field asset_fields[] = {
    NAMEF(sc_asset, name, "Asset name."),
    P01(sc_asset, authenticity, "Authenticity depth."),
    P01(sc_asset, participation, "Participation depth."),
    P01(sc_asset, emotional, "Emotional value."),
    P01(sc_asset, aesthetics, "Aesthetic quality."),
    P01(sc_asset, distinctiveness, "Distinctiveness against substitutes."),
    P01(sc_asset, shareability, "Shareability of the experience."),
    NUM(sc_asset, capacity_per_day, 0, 1e9, F_XMIN, "visitors/d",
        "Visitors admitted on site per day (overnight and day visitors); bookings and day visits "
        "beyond it are turned away."),
    NUM(sc_asset, appeal, -100, 100, 0, "1", "Base utility in the asset choice."),
    {.key = "seasonal",
     .type = FT_NUMBERS,
     .off = offsetof(sc_asset, seasonal),
     .min = 0,
     .max = 1,
     .max_items = IPSIM_MONTHS,
     .unit = "1",
     .doc = "Availability and appeal multiplier by month, January to December."},
    ARRF(sc_asset, events, n_events, event_table, 0, IPSIM_MAX_EVENTS, F_OPT, "Dated events."),
};
static const table asset_table = TABLE("asset", "A cultural-tourism asset of the destination.",
                                       sc_asset, asset_fields, NULL, T_UNIQUE_NAME);

static const field substitute_fields[] = {
    NAMEF(sc_substitute, name, "Substitute destination name."),
    NUM(sc_substitute, utility, -20, 20, 0, "1",
        "Attractiveness relative to the destination's constant."),
};
static const table substitute_table = TABLE("substitute", "A competing destination.", sc_substitute,
                                            substitute_fields, NULL, T_UNIQUE_NAME);

static const field destination_fields[] = {
    NAMEF(sc_destination, name, "Destination name."),
    P01(sc_destination, service_quality, "Service quality."),
    P01(sc_destination, digital_fluency, "Digital fluency of the destination's official content."),
    NUM(sc_destination, price_level, 0, 100, F_XMIN, "1", "Multiplier on spend and stay cost."),
    P01(sc_destination, initial_reputation, "Expected experience quality at the start."),
    P01(sc_destination, official_claim, "Quality the official content asserts."),
    NUM(sc_destination, erosion_per_year, 0, 1, 0, "1/year",
        "Experiential erosion of emotional value per year."),
    NUMD(sc_destination, accommodation_per_night, 0, 1e9, 0, 0, "people",
         "Guest beds: overnight visitors the destination can lodge per night; 0 = no limit."),
    NUMD(sc_destination, price_response, 0, 100, 0, 0, "1",
         "Rise of the stay cost (share) at full accommodation, proportional to the booked share "
         "of beds on the arrival night."),
    NUMD(sc_destination, price_cap, 0, 100, 0, 0, "1", "Largest rise of the stay cost (share)."),
    ARRF(sc_destination, assets, n_assets, asset_table, 1, IPSIM_MAX_ASSETS, 0, "Assets."),
    ARRF(sc_destination, substitutes, n_substitutes, substitute_table, 0, IPSIM_MAX_SUBSTITUTES, F_OPT,
         "Competing destinations."),
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
    NUM(sc_platform, trending_threshold_posts, 0, 1e12, F_XMIN, "posts/d",
        "Post flow added to both the recent and the baseline flow of the trending velocity: "
        "rises of smaller flows barely count."),
    NUM(sc_platform, trending_max_gain, 0, 1000, 0, "1", "Maximal extra amplification."),
    NUM(sc_platform, trending_hill, 1, 100, 0, "1", "Steepness of the trending response."),
    P01(sc_platform, neutral_post_weight, "Weight of neutral posts in the pool."),
    NUMD(sc_platform, trending_velocity, 0, 1e6, F_XMIN, 3.0, "1",
         "Velocity (recent over baseline post flow, minus 1) at half the extra amplification."),
    NUMD(sc_platform, trending_short_half_life_days, 0, 3650, F_XMIN, 3.0, "d",
         "Half-life of the recent post flow the trending velocity compares."),
    NUMD(sc_platform, trending_baseline_half_life_days, 0, 3650, F_XMIN, 30.0, "d",
         "Half-life of the baseline post flow (how fast platform attention moves on)."),
    NUMD(sc_platform, trending_negative_weight, 0, 1, 0, 0.25, "1",
         "Weight of a negative post in the trending flow (a positive post weighs 1)."),
    NUMD(sc_platform, fatigue_impressions, 0, 1e9, F_XMIN, 40.0, "impressions",
         "Recent UGC impressions per person that halve the pull of more UGC (novelty wears off)."),
    NUMD(sc_platform, fatigue_half_life_days, 0, 3650, F_XMIN, 60.0, "d",
         "Half-life of that fatigue."),
    NUMD(sc_platform, fatigue_renewal_reset, 0, 1, 0, 0, "1",
         "Share of the per-cell UGC fatigue a content renewal removes: each renewal of a mechanism A "
         "intervention (renewal_interval_days) makes the destination's content new again."),
    NUMD(sc_platform, community_renewal_days, 0, 36500, F_XMIN, 30, "d",
         "While a mechanism D intervention runs, its community's new content removes fatigue like "
         "one renewal every this many days (spread over the days)."),
};
static const table platform_table =
    TABLE("platform", "The UGC / short-video platform.", sc_platform, platform_fields, NULL, 0);

/* parameters */
/* defaults of the official audience (ODD 7.3; the baseline's values) */
#define OFFICIAL_FOLLOW_RATE_DEFAULT 7.2e-5
#define OFFICIAL_EVENT_GAIN_DEFAULT 2.0
#define OFFICIAL_FOLLOW_DEFAULT 1e-4
#define OFFICIAL_HALF_LIFE_DEFAULT 90.0
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
        "Effective official-content impressions per follower-day of the destination's official "
        "accounts at fluency 1 (the followers are a share of the platform users that grows with "
        "exposure, events and marketing: official_follow_per_impression)."),
    P01(sc_exposure, official_min_fluency_share, "Share of official reach kept at fluency 0."),
    P01(sc_exposure, segment_precision,
        "Share of segment-targeted impressions landing on the segment."),
    NUM(sc_exposure, initial_salience, 0, 1e6, 0, "1", "Mean salience of initially aware consumers."),
    NUM(sc_exposure, wom_impressions_per_visitor, 0, 1e6, 0, "impressions/visitor",
        "Offline word-of-mouth impressions per returning visitor."),
    NUMD(sc_exposure, official_follow_rate, 0, 1, 0, OFFICIAL_FOLLOW_RATE_DEFAULT, "1/d",
         "Daily probability that a non-following platform user starts following the destination's "
         "official accounts, from their own continuous content."),
    NUMD(sc_exposure, official_event_follow_gain, 0, 1000, 0, OFFICIAL_EVENT_GAIN_DEFAULT, "1",
         "Extra such follows on event days (an asset event, B's weekend and holiday events, E's "
         "festival window): official_follow_rate x (1 + gain)."),
    NUMD(sc_exposure, official_follow_per_impression, 0, 1, 0, OFFICIAL_FOLLOW_DEFAULT,
         "follows/impression",
         "Follows won per effective paid, spark or UGC impression of the destination reaching a "
         "non-follower: marketing grows the audience."),
    NUMD(sc_exposure, official_follower_half_life_days, 0, 36500, F_XMIN, OFFICIAL_HALF_LIFE_DEFAULT,
         "d", "Half-life of the official audience without new follows (unfollows, inactive accounts)."),
};
static const table exposure_table = TABLE("exposure parameters", "Exposure, salience and attitude.",
                                          sc_exposure, exposure_fields, NULL, 0);

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
static const table visit_table = TABLE("visit parameters", "Visit, satisfaction and loyalty.",
                                       sc_visit, visit_fields, ipsim__sf_check_visit, 0);

#define DAYRATE(K, DOC) NUMD(sc_day_visits, K, 0, 100, 0, 0, "visits/(person*d)", DOC)
static const field day_visits_fields[] = {
    DAYRATE(local_rate_weekday, "Local visits per considering resident on a weekday."),
    DAYRATE(local_rate_weekend, "Local visits per considering resident on a weekend day."),
    DAYRATE(local_rate_holiday, "Local visits per considering resident on a public holiday."),
    DAYRATE(same_day_rate_weekday, "Same-day visits per considering person on a weekday, at 0 km."),
    DAYRATE(same_day_rate_weekend,
            "Same-day visits per considering person on a weekend day, at 0 km."),
    DAYRATE(same_day_rate_holiday,
            "Same-day visits per considering person on a public holiday, at 0 km."),
    NUMD(sc_day_visits, same_day_max_km, 0, 1e5, 0, 0, "km",
         "Markets farther than this make no same-day visits."),
    NUMD(sc_day_visits, same_day_decay_per_km, 0, 100, 0, 0, "1/km",
         "Distance decay of same-day visits."),
    NUMD(sc_day_visits, spend_per_visit_cny, 0, 1e6, 0, 0, "CNY/visit",
         "On-site spend of a local or same-day visit (added to spending_cny)."),
};
static const table day_visits_table =
    TABLE("day-visit parameters", "Residents' local visits and same-day visits (no overnight stay).",
          sc_day_visits, day_visits_fields, NULL, 0);

static const field parameters_fields[] = {
    OBJF(sc_parameters, exposure, exposure_table, "Exposure, salience and attitude."),
    OBJF(sc_parameters, decision, decision_table, "Trip decision."),
    OBJF(sc_parameters, visit, visit_table, "Visit, satisfaction and loyalty."),
    {.key = "day_visits",
     .type = FT_OBJECT,
     .off = offsetof(sc_parameters, day_visits),
     .sub = &day_visits_table,
     .flags = F_OPT,
     .doc = "Residents' local visits and same-day visits; absent = none."},
};
static const table parameters_table =
    TABLE("parameters", "Behavioural parameters.", sc_parameters, parameters_fields, NULL, 0);

/* interventions */
static const field target_fields[] = {
    {.key = "market",
     .type = FT_MARKET,
     .off = offsetof(sc_target, market),
     .doc = "Name of a market, or \"*\" for every market."},
    {.key = "segment",
     .type = FT_SEGMENT,
     .off = offsetof(sc_target, segment),
     .doc = "\"cec\", \"mainstream\" or \"all\"."},
    NUMD(sc_target, weight, 0, 1e6, F_XMIN, 1, "1", "Budget weight per targeted person."),
};
static const table target_table =
    TABLE("target", "A targeted cell (market and segment) of a campaign.", sc_target, target_fields,
          ipsim__sf_check_target, 0);

#define MNUM(K, LO, HI, DEF, MECHS, UNIT, DOC) \
    { \
        .key = #K, .type = FT_NUMBER, .off = offsetof(sc_intervention, K), .min = LO, .max = HI, \
        .flags = F_OPT, .def = DEF, .mechs = MECHS, .unit = UNIT, .doc = DOC \
    }
static const field intervention_fields[] = {
    NAMEF(sc_intervention, name, "Intervention name."),
    {.key = "mechanism",
     .type = FT_MECHANISM,
     .off = offsetof(sc_intervention, mechanism),
     .doc = "\"promotion\", one of the mechanisms \"A\" to \"F\", or \"spark\"."},
    DATEF(sc_intervention, start,
          "First day (inclusive); on or after the first simulated "
          "day (starting after the last one, it has no effect)."),
    DATEF(sc_intervention, end, "Last day (inclusive), on or after start; may run past the period."),
    NUM(sc_intervention, cost_cny, 0, 1e12, 0, "CNY",
        "Cost; for promotion and C the media budget; for a spark any cost, often 0 (not media spend)."),
    {.key = "description",
     .type = FT_TEXT,
     .flags = F_OPT | F_NOSTORE,
     .doc = "Free text (not used by the model)."},
    /* mechanism-specific */
    {.key = "targets",
     .type = FT_ARRAY,
     .off = offsetof(sc_intervention, targets),
     .count_off = offsetof(sc_intervention, n_targets),
     .sub = &target_table,
     .min_items = 1,
     .max_items = IPSIM_MAX_TARGETS,
     .flags = F_OPT,
     .mechs = M_TARGETED | MB(MECH_E) | MB(MECH_F),
     .req_mechs = M_TARGETED,
     .doc = "Targeted cells. Campaigns: the budget is spread over them by weight x people; a "
            "spark's views per person are multiplied by the weight. E, F: the travel cost "
            "reduction applies only to these cells, times the weight (absent = every market, "
            "weight 1)."},
    {.key = "channels",
     .type = FT_CHANNEL_MAP,
     .off = offsetof(sc_intervention, channel_share),
     .min = 0,
     .max = 1,
     .flags = F_OPT | F_SUM_ONE,
     .mechs = M_CAMPAIGN,
     .req_mechs = M_CAMPAIGN,
     .unit = "1",
     .doc = "Budget share by channel name; shares sum to 1, channels left out get 0."},
    {.key = "assets",
     .type = FT_ASSETS,
     .off = offsetof(sc_intervention, assets),
     .count_off = offsetof(sc_intervention, n_assets),
     .max_items = IPSIM_MAX_ASSETS,
     .flags = F_OPT,
     .mechs = MB(MECH_A) | MB(MECH_B) | MB(MECH_E),
     .doc = "Names of the assets affected; absent or empty = every asset."},
    MNUM(shareability_add, 0, 1, 0, MB(MECH_A) | MB(MECH_B), "1", "Added to asset shareability."),
    MNUM(emotional_add, 0, 1, 0, MB(MECH_A) | MB(MECH_E), "1", "Added to asset emotional value."),
    MNUM(aesthetics_add, 0, 1, 0, MB(MECH_A) | MB(MECH_E), "1", "Added to asset aesthetics."),
    MNUM(authenticity_add, 0, 1, 0, MB(MECH_B), "1", "Added to asset authenticity."),
    MNUM(participation_add, 0, 1, 0, MB(MECH_B), "1", "Added to asset participation."),
    MNUM(distinctiveness_add, 0, 1, 0, MB(MECH_B) | MB(MECH_E), "1",
         "Added to asset distinctiveness."),
    MNUM(
        novelty_half_life_days, 0, 3650, 0, MB(MECH_A) | MB(MECH_SPARK), "d",
        "A: half-life of the novelty (0 = no fading); spark: half-life of its daily views (0 = none)."),
    MNUM(renewal_interval_days, 0, 3650, 0, MB(MECH_A), "d",
         "Days between renewals restoring novelty; 0 = never renewed."),
    MNUM(post_propensity_mult, 0, 10, 1, MB(MECH_B) | MB(MECH_D), "1", "Multiplier on posting."),
    {.key = "event_start",
     .type = FT_DATE,
     .off = offsetof(sc_intervention, event_start),
     .flags = F_OPT,
     .mechs = MB(MECH_E),
     .req_mechs = MB(MECH_E),
     .doc = "First day of the festival window, on or after start."},
    {.key = "event_end",
     .type = FT_DATE,
     .off = offsetof(sc_intervention, event_end),
     .flags = F_OPT,
     .mechs = MB(MECH_E),
     .req_mechs = MB(MECH_E),
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
    {.key = "views_per_person_day",
     .type = FT_NUMBER,
     .off = offsetof(sc_intervention, views_per_person_day),
     .min = 0,
     .max = 1000,
     .flags = F_OPT,
     .mechs = MB(MECH_SPARK),
     .req_mechs = MB(MECH_SPARK),
     .unit = "impressions/(person*d)",
     .doc = "Spark: effective impressions per targeted person on its first day (then halving every "
            "novelty_half_life_days)."},
    {.key = "content_signal",
     .type = FT_NUMBER,
     .off = offsetof(sc_intervention, content_signal),
     .min = 0,
     .max = 1,
     .flags = F_OPT,
     .mechs = MB(MECH_SPARK),
     .req_mechs = MB(MECH_SPARK),
     .unit = "1",
     .doc = "Spark: the quality its content shows (0 = a scandal, 1 = a rave)."},
    MNUM(platform_share, 0, 1, 1, MB(MECH_SPARK), "1",
         "Spark: share of its views seen on the short-video platform (these scale with a cell's "
         "digital dependency x platform penetration; the rest, e.g. television, reach everyone)."),
};
static const table intervention_table =
    TABLE("intervention", "A promotion, a mechanism A-F or a spark acting over a period.",
          sc_intervention, intervention_fields, ipsim__sf_check_intervention,
          T_UNIQUE_NAME | T_MECHANISM);

const char *const ipsim__sf_mechanism_docs[MECH_COUNT] = {
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
    "Spark: a dated piece of content nobody need pay for (a food blogger's video, a film or "
    "series, a news story, a concert) that puts the destination in front of chosen market and "
    "segment cells from its start day, its views halving with a half-life, with a quality "
    "signal; cost_cny (may be 0) is not media spend.",
};

/* dated parameters (ODD 7.13) */
static const field schedule_fields[] = {
    {.key = "path",
     .type = FT_TEXT,
     .off = offsetof(sc_schedule, path),
     .doc = "--set style path of a numeric destination or asset field, e.g. "
            "\"destination.digital_fluency\" or \"destination.assets[Old Town].capacity_per_day\"."},
    DATEF(sc_schedule, from, "First day of the change, on or after simulation.start_date (the "
                             "warm-up runs with the scenario's values)."),
    {.key = "to",
     .type = FT_DATE,
     .off = offsetof(sc_schedule, to),
     .flags = F_OPT,
     .doc = "End of a linear ramp from the value in force on from to value, on or after from; "
            "absent (or equal to from): a step to value on from."},
    {.key = "value",
     .type = FT_NUMBER,
     .off = offsetof(sc_schedule, value),
     .min = NO_MIN,
     .max = NO_MAX,
     .doc = "The field's value from to on (checked against the field's own range)."},
};
static const table schedule_table =
    TABLE("dated parameter", "A destination or asset field that changes on a date or ramps between "
                             "two dates.",
          sc_schedule, schedule_fields, ipsim__sf_check_schedule, 0);

/* the top level */
static const field scenario_fields[] = {
    {.key = "name",
     .type = FT_IDENT,
     .off = offsetof(sc_data, name),
     .doc = "Scenario name, used in output names."},
    {.key = "description",
     .type = FT_TEXT,
     .off = offsetof(sc_data, description),
     .flags = F_OPT,
     .doc = "Free text."},
    {.key = "base",
     .type = FT_BASE,
     .flags = F_OPT,
     .doc = "Path of a base scenario, relative to this file's directory. The base is loaded first "
            "(bases may chain, at most 8 deep) and this file is merged into it: objects merge key "
            "by key, arrays and other values replace the base's."},
    OBJF(sc_data, simulation, simulation_table, "Simulated period, randomness and resolution."),
    OBJF(sc_data, calendar, calendar_table, "Weekends, holidays and vacations."),
    ARRF(sc_data, calendars, n_calendars, named_calendar_table, 1, IPSIM_MAX_CALENDARS, F_OPT,
         "Calendars of their own for markets whose residents' holidays or school vacations differ "
         "from the scenario's calendar (markets[].calendar names one)."),
    OBJF(sc_data, segments, segments_table, "Consumer segment traits."),
    ARRF(sc_data, channels, n_channels, channel_table, 1, IPSIM_MAX_CHANNELS, 0, "Media channels."),
    ARRF(sc_data, markets, n_markets, market_table, 1, IPSIM_MAX_MARKETS, 0, "Source markets."),
    OBJF(sc_data, destination, destination_table, "The destination."),
    OBJF(sc_data, platform, platform_table, "The UGC / short-video platform."),
    OBJF(sc_data, parameters, parameters_table, "Behavioural parameters."),
    ARRF(sc_data, interventions, n_interventions, intervention_table, 0, IPSIM_MAX_INTERVENTIONS, 0,
         "Promotions, mechanisms A-F and sparks."),
    ARRF(sc_data, schedule, n_schedule, schedule_table, 1, IPSIM_MAX_SCHEDULE, F_OPT,
         "Dated parameters: destination or asset fields that change on a date or ramp between "
         "dates; entries on the same path apply in date order."),
};
const table ipsim__sf_scenario_table =
    TABLE("scenario", "An ipsim scenario.", sc_data, scenario_fields, ipsim__sf_check_scenario, 0);

/* ------------------------------------------------------------------------ */
/* lookups                                                                   */
/* ------------------------------------------------------------------------ */

/* The field of t named key, or NULL (contract in field_table.h). */
const field *ipsim__sf_find_field(const table *t, const char *key)
{
    for (int i = 0; i < t->n_fields; i++)
        if (strcmp(t->fields[i].key, key) == 0)
            return &t->fields[i];
    return NULL;
}

/* Whether f exists for mechanism mech (contract in field_table.h). */
int ipsim__sf_applies(const field *f, int mech)
{
    return f->mechs == 0 || (mech >= 0 && (f->mechs & MB(mech)));
}
