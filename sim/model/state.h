/*
 * state.h - the full state of one model run and the per-day inputs the
 * phases share (internal). The ODD's section 2 lists the same variables.
 *
 * Time: the model steps through internal days tau = 0 .. warmup+days-1;
 * tau = warmup is the scenario's start_date and the first recorded day.
 * Calendar and intervention inputs are tabulated for tau up to
 * n_days_ext = warmup + days + max lead time + max nights, so decisions
 * about future arrival days can read them.
 */
#ifndef IPSIM_MODEL_STATE_H
#define IPSIM_MODEL_STATE_H

#include <math.h>
#include <stdint.h>
#include "model/results.h"
#include "model/rng.h"

/* Funnel states. "considering" is AWARE with salience >= consider_salience. */
enum {
    ST_UNAWARE = 0,  /* has not reached the effective frequency */
    ST_AWARE = 1,    /* knows the destination, free to decide */
    ST_BOOKED = 2,   /* day_mark = arrival day */
    ST_ON_TRIP = 3,  /* day_mark = departure day */
    ST_RETURNED = 4, /* cooling down after a trip; day_mark = end of cooldown */
    ST_PENDING = 5,  /* booking requested today, confirmed or refused tomorrow
                      * against capacity (capacity.c); day_mark = arrival day */
    ST_COUNT
};

#define MAX_TRIP_NIGHTS 30
#define MAX_IMPRESSIONS 1000  /* cap of one agent's impressions in a day */
#define SALIENCE_FLOOR 1e-4f  /* salience below this is set to 0 (no denormals) */
#define CANDIDATE_BLOCK 4096  /* agents per block of candidate sampling */
#define POISSON_TABLE 16      /* entries of a cell's table of today's Poisson CDF */
#define DIRECT_THRESHOLD 0.25 /* candidate probability above which every agent draws */
#define COMMUNITY_DIRECT_THRESHOLD 0.5 /* D: P(a loyal past visitor posts) above which every
                                        * past visitor draws (community.c) */
#define LOYALTY_Q 255.0       /* loyalty stored as uint8 / 255 */
#define ATTITUDE_Q 65535.0    /* attitude stored as uint16 / 65535 */
#define SAT_FIXED 1048576.0   /* satisfaction sums in fixed point (2^20) */

/* A stored attitude's value q / ATTITUDE_Q. Where the CPU has FMA, without
 * a division: x = q R (R the double nearest 1 / ATTITUDE_Q) is off by an ulp
 * for 88 of the 65536 q, and one correction by the exact remainder
 * q - x ATTITUDE_Q (an FMA) makes it the correctly rounded quotient for
 * every q (test_attitude_q checks all 65536), so the value is bitwise the
 * division's. A candidate touch had two divisions, this one and the
 * salience's (exposure.h); with one, the optimised build took 0.987x the
 * user time (32 pairs side by side, within their noise). */
static inline double attitude_value(uint16_t q)
{
#if defined(__FMA__)
    const double r = 1.0 / ATTITUDE_Q, d = (double)q, x = d * r;
    return fma(fma(-x, ATTITUDE_Q, d), r, x);
#else
    return q / ATTITUDE_Q;
#endif
}

/* Per-agent state: one 16-byte record per agent (aligned by calloc), so an
 * agent who acts on a day (ODD 3) costs one cache line, not one per field;
 * agents are stored cell by cell (cell = market * 2 + segment), so market
 * and segment are implicit. */
/* exp(x) remembered for its last argument: the same value, computed once
 * while the argument stays the same (a zeroed memo is empty: exp(x) > 0
 * unless it underflows, and an underflow is simply recomputed). */
typedef struct {
    double x, y;
} exp_memo;
static inline double exp_memo_get(exp_memo *c, double x)
{
    if (!(c->y > 0) || x != c->x) {
        c->x = x;
        c->y = exp(x);
    }
    return c->y;
}

typedef struct {
    float salience;    /* adstock of effective impressions, as of day sal_day - 1
                        * (lazy: decayed when the agent is touched, agenda.c) */
    uint16_t sal_day;  /* 1 + the day salience was last brought up to date; 0 = before day 0 */
    uint16_t attitude; /* expected experience quality, 0..65535 -> 0..1 */
    uint16_t day_mark; /* meaning depends on state (see enum) ; for AWARE
                        * agents who visited: the day their last trip ended */
    uint8_t state;
    uint8_t asset;   /* main asset of the current or last trip */
    uint8_t visits;  /* completed trips, saturating at 255 */
    uint8_t nights;  /* nights of the current or last trip */
    uint8_t loyalty; /* 0..255 -> 0..1, value at the end of the last trip */
    uint8_t flags;   /* AGF_* bits */
} ipsim_agent;
_Static_assert(sizeof(ipsim_agent) == 16, "an agent's state is 16 bytes (issue 13)");
typedef struct {
    ipsim_agent *a; /* [n_agents] */
    int on_pool;    /* a is on 2 MiB pages of the machine's pool (bigalloc.c): no page walks,
                     * so the candidate loop prefetches further ahead (kernel.c) */
} ipsim_agents;
enum {
    AGF_CONSIDERING = 1, /* counted as considering in the incremental counts */
    AGF_CROWD_LISTED = 2 /* on its block's crowd list (small cells only, crowding.c) */
};

/* Calendar, one entry per internal day. */
typedef struct {
    int n;           /* n_days_ext */
    uint8_t *flags;  /* CAL_* bits */
    uint8_t *month;  /* 0..11 */
    double *leisure; /* relative trip-occasion rate, normalised to mean 1 over the run */
    uint8_t *market_flags;  /* [n_markets][n]: the flags of each market's own calendar (7.1) */
    double *market_leisure; /* [n_markets][n]: its leisure rate, normalised likewise */
} ipsim_calendar;
enum { CAL_WEEKEND = 1, CAL_HOLIDAY = 2, CAL_VACATION = 4, CAL_WORKDAY_ADJ = 8 };

/* Effective destination on one internal day, after interventions. */
typedef struct {
    double authenticity, participation, emotional, aesthetics, distinctiveness, shareability;
    double experience_bonus; /* events on that day */
    double appeal_bonus;     /* events on that day (trip and asset utility) */
    double post_mult;        /* posting multiplier for visitors of this asset */
} asset_day;

typedef struct {
    double service_quality;
    double hospitality_bonus;
    double travel_cost_reduction;
    double official_reach_mult;
    double loyalty_gain_mult;
    double revisit_penalty_reduction;
    double community_post_rate;  /* per loyal past visitor per day */
    double feedback_improvement; /* share of erosion repaired per day */
    double post_mult;            /* destination-wide posting multiplier (D) */
    double fatigue_renewal;      /* share of UGC fatigue kept after today's renewals (A, D), 7.3 */
} dest_day;

/* Per-cell inputs for the agent loop on one day (computed serially). */
typedef struct {
    double lambda;      /* effective impressions per person today */
    double p0;          /* exp(-lambda) */
    double signal;      /* mean quality signal of today's content */
    double p_occasion;  /* trip-occasion probability today */
    double v_cell;      /* cell part of the destination's trip utility */
    double sub_weight;  /* (substitutes' pull) sum_k exp(V_k), already x exp(-beta_D D) */
    exp_memo sub_exp[IPSIM_MAX_SUBSTITUTES]; /* exp(V_k): the same most days (decision.c) */
    exp_memo distinct_exp;                   /* exp(-beta_D D) */
    exp_memo ambient_exp;                    /* the ambient rate's exp (exposure.c) */
    int arrival_tau;    /* arrival day of a booking made today */
    double nights_mean; /* expected trip nights (real) */
    double asset_cdf[IPSIM_MAX_ASSETS]; /* cumulative asset choice probabilities */
    double paid_impressions;            /* people-level impressions bought, landing on this cell */
    double ugc_lambda;                  /* part of lambda from UGC */
    double official_followers;          /* people following the official accounts today (7.3) */
    /* Poisson(lambda) CDF F(0..pois_n-1) by the recurrence of the inversion
     * (exposure.c), its last term, and whether the inversion stops there */
    double pois_cdf[POISSON_TABLE];
    double pois_p_last;
    int pois_n, pois_stop;
    /* candidate sampling (kernel.c): an agent-day is a candidate if it has an
     * impression (prob p_expose) or, considering, a trip occasion (prob
     * p_occasion); impressions are found by exponential spacings, occasions
     * by geometric gaps (gaps.h) */
    double p_expose;         /* 1 - p0 */
    double log_no_occasion;  /* log(1 - p_occasion) (gap mode) */
    int direct_expose;       /* p_expose >= DIRECT_THRESHOLD: every agent draws n */
    int direct_occasion;     /* p_occasion >= DIRECT_THRESHOLD: every considering agent draws O */
    /* day visits (dayvisits.c), people, after admission at the assets */
    double local_visits;    /* residents' local visits today (local markets) */
    double same_day_visits; /* same-day visits today (other markets) */
    double day_turned_away; /* day visits refused for lack of capacity */
} cell_day;

/* Per-thread accumulators for one day; integers so that sums do not depend
 * on the order of addition (bitwise identical at any thread count). */
typedef struct {
    int64_t *cell;              /* [n_cells][ACC_COUNT] */
    int64_t *market_posts;      /* [n_markets][3] positive, negative, neutral (people) */
    int64_t *market_signal;     /* [n_markets][3] sum of posted experience x SAT_FIXED, by sentiment */
    int64_t *market_returns;    /* [n_markets] returning visitors (word of mouth) */
    int64_t *market_wom_signal; /* [n_markets] sum of their experience x SAT_FIXED */
    int64_t *delta;             /* [n_cells][CNT_COUNT] changes of the persistent counts today */
    int64_t active;             /* agents touched today (each touch once) */
    char pad[64];
} thread_acc;

/* Persistent per-cell counts kept at each transition (agenda.c): one per
 * state, then the considering agents (AWARE, salience >= consider). */
enum { CNT_CONSIDERING = ST_COUNT, CNT_COUNT };

/* A list of agents (indices within their cell) of one block. */
typedef struct {
    uint32_t *k;
    uint32_t n, cap;
} ev_list;

/* The buffers of a block's processed EARLY and LATE lists, kept for the
 * next lists the block starts (agenda.c): a list then starts with the room
 * a day's list needed instead of growing to it again by reallocation. */
#define EV_SPARES 4
typedef struct {
    uint32_t *k[EV_SPARES];
    uint32_t cap[EV_SPARES];
    int n;
} ev_spares;

/* The event calendar (agenda.c, ODD 3): agents of each cell are cut into
 * blocks of EVENT_BLOCK; each block has, per internal day, an EARLY list
 * (processed before the day's candidates: confirmations of yesterday's
 * requests, cool-down ends) and a LATE list (after them: arrivals,
 * departures, salience falling below consider_salience), and a list of its
 * past visitors (community posting). Only the thread working on a block
 * writes its lists, so no locks are needed. */
#define EVENT_BLOCK 65536 /* agents per block of the calendar (a multiple of CANDIDATE_BLOCK) */
typedef struct {
    int n_blocks;
    int n_days;        /* days with lists: warmup + days */
    int *blk_cell;     /* [n_blocks] cell of each block */
    uint32_t *blk_k0;  /* [n_blocks] first agent (within the cell) */
    uint32_t *blk_k1;  /* [n_blocks] one past the last */
    ev_list *early;    /* [n_blocks][n_days] (ev_at) */
    ev_list *late;     /* [n_blocks][n_days] */
    ev_spares *spares; /* [n_blocks] buffers of processed EARLY and LATE lists */
    ev_list *visitors; /* [n_blocks] agents with at least one completed trip */
    uint32_t *vis_sorted; /* [n_blocks] length of the sorted prefix of visitors */
    uint8_t *blk_crowd;   /* [n_blocks] 1: the cell is evaluated whole for crowding, from crowd */
    ev_list *crowd;       /* [n_blocks] agents crowding.c looks at (blk_crowd blocks): every
                           * agent considering, PENDING or RETURNED is on it (AGF_CROWD_LISTED) */
    double **crowd_icpt;  /* [n_blocks][crowd[b].cap] their trip-logit intercepts (a static
                           * trait, kept so as not to redraw it every day) */
    uint64_t vis_listed;  /* past visitors on the lists of D's days, summed (diagnostics) */
    uint64_t vis_asked;   /* ... of whom asked to post (all in direct mode; landed in skip) */
    int vis_walk_all;     /* test hook: 1 = community posting in direct mode every day */
    /* today's community posting, the same for every block (community.c,
     * ipsim__community_prepare): its rate, P(at least one poster) of a
     * loyalty-1 agent, log(1 - that) for the gaps, direct mode */
    double comm_rate, comm_p_max, comm_log_q;
    int comm_direct;
    int cand_direct_all;  /* test hook: 1 = impressions and occasions in direct mode every day */
    int64_t *count;    /* [n_cells][CNT_COUNT] */
    uint64_t *cons_bits;  /* one bit per agent: AGF_CONSIDERING or PENDING, kept by every
                           * touch (kernel.c): who may use an occasion (kernel.c) or add
                           * to today's expected bookings (crowding.c) */
    size_t *cons_word0;   /* [n_cells] first word of each cell's bits (cells start on a
                           * cache line of bits, so blocks never share a word) */
    uint16_t *cons_count; /* set bits of each block of candidate sampling (cons_count) */
    uint64_t active;   /* agents touched on the last day stepped */
    int ok;            /* 0 if an allocation failed (the run stops with IPSIM_ERR_NOMEM) */
} ipsim_agenda;

/* The EARLY or LATE list of block b for day tau: a block's lists of every
 * day lie together, so the pushes while a block is processed (to the days
 * its agents' next events fall on) find the lists' heads in cache. */
static inline size_t ev_at(const ipsim_agenda *ev, int tau, int b)
{
    return (size_t)b * (size_t)ev->n_days + (size_t)tau;
}

/* Bit of agent k of cell in the considering bitmap (read, set to v), and
 * the number of set bits of each block of candidate sampling (kept with
 * the bits: the occasion walk skips a block whose set bits its first gap
 * passes, kernel.c). Counts are indexed by word / CONS_COUNT_WORDS. */
#define CONS_LINE_BITS 512 /* a cache line of bits */
#define CONS_COUNT_WORDS (CONS_LINE_BITS / 64)
static inline int cons_bit(const ipsim_agenda *ev, int cell, uint32_t k)
{
    return (int)((ev->cons_bits[ev->cons_word0[cell] + k / 64] >> (k % 64)) & 1u);
}
static inline uint16_t *cons_count(const ipsim_agenda *ev, int cell, uint32_t k)
{
    return &ev->cons_count[(ev->cons_word0[cell] + (size_t)(k / CANDIDATE_BLOCK) * (CANDIDATE_BLOCK / 64)) /
                           CONS_COUNT_WORDS];
}
static inline void cons_bit_set(ipsim_agenda *ev, int cell, uint32_t k, int v)
{
    uint64_t *w = &ev->cons_bits[ev->cons_word0[cell] + k / 64];
    uint64_t bit = (uint64_t)1 << (k % 64);
    int had = (*w & bit) != 0;
    if (had == (v != 0))
        return;
    *w = v ? (*w | bit) : (*w & ~bit);
    uint16_t *n = cons_count(ev, cell, k);
    *n = (uint16_t)(v ? *n + 1 : *n - 1);
}

enum {
    ACC_UNAWARE = 0,
    ACC_AWARE,
    ACC_CONSIDERING,
    ACC_BOOKED,
    ACC_ON_TRIP,
    ACC_RETURNED,
    ACC_ARRIVALS,
    ACC_REPEAT,
    ACC_DEPARTURES,
    ACC_SPEND,
    ACC_POS,
    ACC_NEG,
    ACC_NEU,
    ACC_SAT_SUM,
    ACC_UGC_IMPRESSIONS,
    ACC_TURNED_AWAY,
    ACC_COUNT
};

/* Platform and destination state carried from day to day. */
typedef struct {
    double *post_stock;              /* [n_markets] live post weight */
    double *post_signal;             /* [n_markets] live post weight x experience */
    double *wom_stock;               /* [n_markets] pending word-of-mouth impressions */
    double *wom_signal;              /* [n_markets] their experience-weighted sum */
    double reputation;               /* 0..1 */
    double amplification;            /* >= 1 */
    double flow_short, weight_short; /* recent trending post flow (EMA) and its weight */
    double flow_base, weight_base;   /* baseline trending post flow (EMA) and its weight */
    double *fatigue;                 /* [n_cells] recent UGC impressions per person (novelty) */
    double *followers; /* [n_cells] share of platform users following the official accounts (7.3) */
    double crowd_expect;             /* expected crowding index */
    double erosion;                  /* 0..1 experiential erosion level */
} ipsim_platform;

struct ipsim_model {
    ipsim_scenario *scenario; /* owned copy */
    const sc_data *sc;        /* = ipsim_scenario_data(scenario) */
    ipsim_run_options opt;
    ipsim_rng rng;
    uint64_t seed;
    double scale;
    int days;   /* recorded days */
    int warmup; /* unrecorded days before start_date */
    int n_days_ext;
    int tau; /* next internal day to simulate */
    int n_markets, n_cells, n_assets, threads;
    int horizon;       /* longest lead time + longest trip, days */
    float sal_decay;   /* daily salience retention 0.5^(1/adstock_half_life_days) */
    double *sal_pow;   /* [warmup + days + 1]: sal_decay^d, by pow() (agenda.c) */
    float *sal_keep_at; /* [warmup + days + 1]: entry n the least salience still >= consider_salience
                         * n days later (salience_decay_days), +inf if none (agenda.c) */
    int *sal_keep_first;    /* buckets of saliences by their float bits: the least n of each (agenda.c) */
    uint32_t sal_keep_base; /* the bits of sal_keep_at[1], the first bucket's start */
    int sal_keep_shift;     /* bits of a float below its bucket's */
    double att_keep[MAX_IMPRESSIONS + 1]; /* (1 - attitude_learning_rate)^n, by pow() */
    double post_decay; /* daily post retention 0.5^(1/post_half_life_days) */

    /* population */
    uint64_t n_agents;
    uint32_t *cell_n;     /* [n_cells] agents per cell */
    uint64_t *cell_start; /* [n_cells + 1] first agent of each cell */
    double *cell_people;  /* [n_cells] cell_n x scale */
    ipsim_agents ag;

    ipsim_calendar cal;
    asset_day *asset_days; /* [n_days_ext][n_assets] */
    dest_day *dest_days;   /* [n_days_ext] */
    double *paid_cell;     /* [n_days_ext][n_cells] people-level effective impressions */
    double *paid_bought;   /* [n_days_ext][n_cells] people-level impressions bought */
    double *spark_cell;    /* [n_days_ext][n_cells] spark impressions per person */
    double *spark_signal;  /* [n_days_ext][n_cells] the same x their content signal */

    cell_day *cells;     /* [n_cells] today's inputs */
    int64_t *occ_expect; /* [n_days_ext][n_assets] expected people whose booking requests
                          * made today cover the night, fixed point (crowding.c),
                          * atomically updated; cleared by phase 5a (capacity.c) */
    int64_t *occupancy;  /* [n_days_ext][n_assets] overnight agents on site, counted
                          * when their booking is confirmed (atomically updated) */
    double *confirmed;   /* [n_days_ext][n_assets] expected people confirmed (capacity.c) */
    double *accept;      /* [n_days_ext][n_assets] acceptance probability of a night
                          * requested yesterday (capacity.c) */
    double *day_load;    /* [n_days_ext][n_assets] day visitors admitted (people) */
    ipsim_platform pf;
    struct ipsim_schedule *sched; /* dated parameters (schedule.c); NULL: none */

    ipsim_agenda ev;  /* event calendar and incremental counts (agenda.c) */
    thread_acc *acc; /* [threads] */
    ipsim_results res;
    double wall_seconds;
};

/* ---- phases (one file each, in the ODD's order; step.c runs them) ---- */

/* calendar.c */
int ipsim__calendar_build(ipsim_calendar *cal, const sc_data *sc, int warmup, int days, int n_days_ext,
                          const sc_decision *d);
void ipsim__calendar_free(ipsim_calendar *cal);
/* Whether asset event e runs on date d: a day from start to end on one of
 * its weekdays (every day if none are listed), or one of its dates. */
int ipsim__event_on(const sc_event *e, ipsim_date d);
/* internal day -> calendar date */
ipsim_date ipsim__calendar_date(const sc_data *sc, int warmup, int tau);

/* interventions.c: tabulate effective assets and destination per day, and
 * paid and spark impressions per cell per day, for every internal day. */
void ipsim__interventions_tabulate(struct ipsim_model *m);

/* schedule.c (ODD 7.13): with a schedule, m->sc becomes a private copy of
 * the scenario data (create; -1 out of memory) whose scheduled fields
 * apply sets to their values on internal day tau; free releases it. */
int ipsim__schedule_create(struct ipsim_model *m);
void ipsim__schedule_apply(struct ipsim_model *m, int tau);
void ipsim__schedule_free(struct ipsim_model *m);

/* population.c */
int ipsim__population_create(struct ipsim_model *m);
void ipsim__population_free(struct ipsim_model *m);
double ipsim__population_bytes_per_agent(void);

/* exposure.c: per-cell exposure rates for day tau (platform state of the
 * previous day), and the per-agent update. */
void ipsim__exposure_prepare(struct ipsim_model *m, int tau);
/* The cell's table of the Poisson(lambda) CDF from its lambda and p0: the
 * first POISSON_TABLE steps of the inversion's recurrence from n = 0 (fewer
 * where F(n) reaches 1 or P(n) underflows), done once a day for each cell in
 * direct mode (kernel.c, candidates_prepare: only direct mode reads it) with
 * the same operations in the same order, so the counts below are bit for
 * bit those of the recurrence alone for every u in [0, 1]. */
void ipsim__exposure_poisson_table(cell_day *c);
/* number of impressions (direct mode): inverse Poisson CDF at u in [0, 1]
 * (after ipsim__exposure_poisson_table) */
int ipsim__exposure_count(const cell_day *c, double u);
/* the impressions of one agent: exposure.h (inline) */

/* decision.c */
void ipsim__decision_prepare(struct ipsim_model *m, int tau);
/* A considering agent with a trip occasion today chooses; u_choice and
 * u_asset are its DAILY words v2 and v3. Returns 1 if it booked. */
int ipsim__decision_agent(struct ipsim_model *m, const cell_day *c, int cell, uint32_t k, uint64_t i,
                          int tau, double u_choice, double u_asset);

/* Trip probability on an occasion (ODD 7.4) of agent i (= cell_start + k)
 * of cell-day c whose last trip ended on day last_trip_end (loyalty decays
 * from there to tau); the same value ipsim__decision_agent compares.
 * intercept: the agent's ipsim__decision_intercept if known, else NULL. */
double ipsim__decision_probability(const struct ipsim_model *m, const cell_day *c, int cell,
                                   uint32_t k, uint64_t i, int tau, int last_trip_end,
                                   const double *intercept);
/* Agent k of cell's random intercept of the trip logit (a static trait,
 * TRAIT block 1: taste_sd_utility x z1, ODD 7.4). */
double ipsim__decision_intercept(const struct ipsim_model *m, int cell, uint32_t k);
/* Asset choice on internal day tau for weights w: cumulative choice
 * probabilities in cdf, choice-weighted distinctiveness; returns the
 * inclusive value (-INFINITY if every asset is closed). */
double ipsim__decision_asset_choice(const struct ipsim_model *m, int tau, const double w[5],
                                    double cdf[], double *distinct);
/* Mean taste weights of a segment. */
void ipsim__decision_segment_weights(const sc_segment *g, double w[5]);

/* visit.c */
void ipsim__visit_arrive(struct ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                         int64_t *acc);
void ipsim__visit_depart(struct ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                         thread_acc *ta, int64_t *acc);
/* tastes of an agent: weights of the five experience dimensions and the
 * random intercept of its trip utility */
typedef struct {
    double w[5];
    double intercept;
} agent_taste;
void ipsim__visit_taste(const struct ipsim_model *m, int cell, uint32_t k, agent_taste *t);
/* taste-weighted quality of an asset on a day (no crowding, no bonuses) */
double ipsim__visit_quality(const struct ipsim_model *m, const double w[5], int tau, int asset);

/* crowding.c (ODD 7.5): crowding from the expected occupancy.
 * ..._sample adds the expected booking requests of agents k0..k1-1 of a
 * cell today (block b of the calendar; after their impressions and
 * decisions, before arrivals);
 * ..._requested returns the expected people requested today for asset a on
 * night tau and clears it (phase 5a); ..._expected is asset a's expected
 * people on site on night tau (expected confirmed overnight visitors plus
 * admitted day visitors, at most the capacity); ..._trip the mean crowding
 * beyond the threshold over a stay; ..._index the visitor-weighted
 * crowding index of 7.6. */
void ipsim__crowding_sample(struct ipsim_model *m, int cell, int b, uint32_t k0, uint32_t k1, int tau);
double ipsim__crowding_requested(struct ipsim_model *m, int tau, int a);
/* The first and last night today's requests may cover (from every cell's
 * arrival day and nights): on no other night did ..._sample add any. */
void ipsim__crowding_request_days(const struct ipsim_model *m, int *lo, int *hi);
double ipsim__crowding_expected(const struct ipsim_model *m, int tau, int a);
double ipsim__crowding_trip(const struct ipsim_model *m, int a, int arrive, int nights);
double ipsim__crowding_index(const struct ipsim_model *m, int tau);

/* people.c: how many of an agent's `scale` people (scale >= 1, not
 * necessarily whole) do something each does independently with probability
 * p: Binomial(floor(scale), p) at uniform word w0, plus one with probability
 * frac(scale) p at word w1 (ODD 4.9). */
int64_t ipsim__people_count(double scale, double p, uint32_t w0, uint32_t w1);
/* The probability that ipsim__people_count(scale, p, .) is at least 1 (under
 * its own sampler, normal approximation included), without cancellation. */
double ipsim__people_some(double scale, double p);
/* ipsim__people_count(scale, p, .) conditional on being at least 1, from two
 * words (exact restriction of the same sampler; p > 0; 0 if p <= 0). */
int64_t ipsim__people_count_pos(double scale, double p, uint32_t w0, uint32_t w1);

/* resolution.c (ODD 7.10): what this scale cannot resolve, one bit per
 * quantity (IPSIM_UNRESOLVED_*): the rule the warnings and tests/test_scale.c
 * share. */
enum {
    IPSIM_UNRESOLVED_OCCUPANCY = 1, /* realised occupancy outputs of an asset */
    IPSIM_UNRESOLVED_TRENDING = 2,  /* trending velocity */
    IPSIM_UNRESOLVED_TIMING = 4     /* daily and weekly peaks, take-off dates */
};
unsigned ipsim__resolution_unresolved(const struct ipsim_model *m);
/* Warn (log callback) once per unresolved quantity; returns the number of
 * warnings. */
int ipsim__resolution_warn(const struct ipsim_model *m);
/* capacity.c (ODD 7.11): booking requests against asset capacity and
 * accommodation. */
/* Step b0 of 4b for a PENDING agent (its request was made yesterday):
 * confirmed (BOOKED, occupancy counted) or refused (AWARE again, counted in
 * acc[ACC_TURNED_AWAY]). */
void ipsim__capacity_confirm(struct ipsim_model *m, int cell, uint32_t k, uint64_t i, int tau,
                             int64_t *acc);
/* Phase 5a: the acceptance probabilities of today's requests (read
 * tomorrow), then the request tally is cleared. */
void ipsim__capacity_update(struct ipsim_model *m, int tau);
/* Stay-cost multiplier on arrival day tau (price response to booked beds). */
double ipsim__capacity_price_mult(const struct ipsim_model *m, int tau);

/* dayvisits.c (ODD 7.12): phase 5b, residents' local visits and same-day
 * visits of day tau, admitted at the assets' remaining capacity. */
void ipsim__day_visits(struct ipsim_model *m, int tau);

/* community.c: mechanism D (ODD 7.7, part of 4d). The past visitors of a
 * block asked on day tau: every one (direct mode) or those landed on by
 * geometric gaps of parameter p_max over the block's sorted list (skip mode,
 * thinned in ipsim__community_post). */
typedef struct {
    int direct;     /* 1: every past visitor draws (p_max > COMMUNITY_DIRECT_THRESHOLD) */
    double rate;    /* today's community_post_rate */
    double p_max;   /* P(at least one poster) of a loyalty-1 agent */
    double log_q;   /* log(1 - p_max) */
    const ipsim_rng *rng;
    uint32_t cell, block, day, j, used; /* gap stream: (cell, block of the cell, day) */
    philox4x32_ctr_t buf;
} community_pass;
/* Today's posting probabilities, the same for every block, computed once
 * before the agents' pass (serially: kernel.c) when today's
 * community_post_rate > 0. */
void ipsim__community_prepare(struct ipsim_model *m, int tau);
/* Prepare the pass of block b (of cell `cell`) on day tau, when today's
 * community_post_rate > 0; returns the list position of the first agent
 * asked (>= the list length: none). */
uint64_t ipsim__community_begin(const struct ipsim_model *m, int cell, int b, int tau,
                                community_pass *cp);
/* The list position of the next agent asked after position j. */
uint64_t ipsim__community_next(community_pass *cp, uint64_t j);
/* Agent i = cell_start + k, asked by pass cp on day tau: a past visitor may
 * post as a community member. Returns 1 if some of its people posted (its
 * salience went up). */
int ipsim__community_post(struct ipsim_model *m, const community_pass *cp, int cell, uint32_t k,
                          uint64_t i, int tau, thread_acc *ta, int64_t *acc);

/* agenda.c: the event calendar and lazy salience (ODD 3). */
int ipsim__agenda_create(struct ipsim_model *m);
void ipsim__agenda_free(struct ipsim_model *m);
/* Bytes per agent of the calendar's dense state (the considering bitmap). */
double ipsim__agenda_bytes_per_agent(void);
/* Append agent k of block b to the EARLY (late = 0) or LATE list of day
 * tau; a day past the last simulated day is dropped. */
void ipsim__agenda_push(struct ipsim_model *m, int late, int tau, int b, uint32_t k);
/* List l of block b (its EARLY or LATE list of the day just processed)
 * emptied; its buffer is kept for the block's next new list (or freed). */
void ipsim__agenda_recycle(struct ipsim_model *m, int b, ev_list *l);
/* Add agent k of block b to the block's past visitors (at its first departure). */
void ipsim__agenda_visitor(struct ipsim_model *m, int b, uint32_t k);
/* Cells of fewer than CROWD_WHOLE agents are evaluated whole for crowding
 * (crowding.c), from a list of the agents that may book instead of a pass
 * over all: agenda_crowd puts agent i (= k of block b) on it unless it is
 * there already (AGF_CROWD_LISTED); crowding.c drops the others. */
#define CROWD_SAMPLE 512 /* agents of a cell evaluated a day at most (about), crowding.c */
#define CROWD_WHOLE (2 * CROWD_SAMPLE)
void ipsim__agenda_crowd(struct ipsim_model *m, int b, uint32_t k, uint64_t i);
/* Sort block b's past visitors by agent (memory order); 0, or -1 out of memory. */
int ipsim__agenda_sort_visitors(struct ipsim_model *m, int b);
/* First day after `from` (at most the run's last) on which salience s
 * (current as of day from) has decayed below consider_salience, or INT_MAX
 * if none (agenda.c). */
int ipsim__salience_below(const struct ipsim_model *m, float s, int from);

/* kernel.c: ODD phase 4 (agents, 4a-4e) for day tau, fused into one
 * parallel pass over the blocks of the event calendar (agenda.c), after
 * ipsim__exposure_prepare and ipsim__decision_prepare; leaves today's sums
 * and end-of-day counts in m->acc[0]. Returns 0, or -1 out of memory. */
int ipsim__kernel_agents(struct ipsim_model *m, int tau);

/* platform.c: update after the agent loop from the reduced accumulators. */
void ipsim__platform_init(struct ipsim_model *m);
void ipsim__platform_update(struct ipsim_model *m, int tau, const int64_t *market_posts,
                            const int64_t *market_signal, const int64_t *market_returns,
                            const int64_t *market_wom_signal);
void ipsim__platform_free(struct ipsim_model *m);
double ipsim__platform_ugc_signal(const struct ipsim_model *m);
double ipsim__platform_post_stock(const struct ipsim_model *m);

/* helpers */
static inline int cell_market(int cell)
{
    return cell / IPSIM_N_SEGMENTS;
}
static inline int cell_segment(int cell)
{
    return cell % IPSIM_N_SEGMENTS;
}
static inline double clamp01(double x)
{
    return x < 0 ? 0 : (x > 1 ? 1 : x);
}
/* llround(x) for finite |x| < 2^63, inline: trunc(|x|) and its fraction
 * (exact), rounded half away from zero as llround does. */
static inline int64_t round_i64(double x)
{
    double t = x < 0 ? -x : x;
    int64_t r = (int64_t)t;
    if (t - (double)r >= 0.5)
        r++;
    return x < 0 ? -r : r;
}

/* satisfaction halfway between the negative and positive post thresholds */
static inline double sat_neutral(const sc_visit *v)
{
    return 0.5 * (v->satisfaction_positive + v->satisfaction_negative);
}

/* *p += v on a total that the agents' pass shares between its threads:
 * atomically when the pass runs on more than one thread, a plain add
 * otherwise (a locked add costs tens of cycles even uncontended, and
 * small runs make several a cell-day). Integer sums: the order of the
 * adds never matters (ODD 3). */
static inline void shared_add(const struct ipsim_model *m, int64_t *p, int64_t v)
{
    if (m->threads > 1) {
#pragma omp atomic
        *p += v;
    } else {
        *p += v;
    }
}

/* Salience stored as of day `from` (after that day's decay) decayed to
 * day `to` (ODD 3 and 4a): multiplied by sal_decay^(to - from) in double
 * precision and rounded to float once, 0 below the floor. Salience only
 * falls between touches, so the floor is tested at the end only.
 * sal_pow[d] = sal_decay^d (the model's table); salience_decay_days
 * takes the number of days, at least 1. */
static inline float salience_decay_days(const double *sal_pow, float s, int days)
{
    float v = (float)((double)s * sal_pow[days]); /* days >= 1 */
    return v < SALIENCE_FLOOR ? 0.0f : v;
}
static inline float salience_decay_by(const double *sal_pow, float s, int from, int to)
{
    return to <= from ? s : salience_decay_days(sal_pow, s, to - from);
}
/* The same with the model's table. */
static inline float salience_decay(const struct ipsim_model *m, float s, int from, int to)
{
    return salience_decay_by(m->sal_pow, s, from, to);
}
/* Agent i's salience today (tau), after today's decay, without storing it. */
static inline float salience_now(const struct ipsim_model *m, uint64_t i, int tau)
{
    return salience_decay(m, m->ag.a[i].salience, (int)m->ag.a[i].sal_day - 1, tau);
}
/* Bring agent a's stored salience up to day tau (after today's decay),
 * sal_pow the model's table. */
static inline void agent_salience_sync_by(const double *sal_pow, ipsim_agent *a, int tau)
{
    /* days since it was last brought up to date (sal_day <= tau + 1
     * always), tested once */
    int days = tau + 1 - (int)a->sal_day;
    if (days > 0) {
        a->salience = salience_decay_days(sal_pow, a->salience, days);
        a->sal_day = (uint16_t)(tau + 1);
    }
}
/* The same with the model's table. */
static inline void agent_salience_sync(const struct ipsim_model *m, ipsim_agent *a, int tau)
{
    agent_salience_sync_by(m->sal_pow, a, tau);
}
/* The same for agent i. */
static inline void salience_sync(struct ipsim_model *m, uint64_t i, int tau)
{
    agent_salience_sync(m, &m->ag.a[i], tau);
}

#endif /* IPSIM_MODEL_STATE_H */
