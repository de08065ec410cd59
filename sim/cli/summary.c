/*
 * summary.c - the summaries the `ipsim` program prints on standard output:
 * the table and totals after a run, the one-line verdict on a scenario
 * (validate) and on an experiment (sweep --dry-run); and the number formats
 * they use. Everything is read through the public API (daily metrics of the
 * model, scenario and experiment accessors).
 */
#include "cli/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_SEGMENTS 2 /* the [segment] axis of daily metrics: cec, mainstream */
#define FMT_LEN 64   /* a formatted number */
#define PERCENT 100.0
#define MILLION 1e6 /* money from here on in millions */

static const char *const segment_labels[N_SEGMENTS] = {"CEC", "mainstream"};

/* ------------------------------------------------------------------------ */
/* Number formats                                                            */
/* ------------------------------------------------------------------------ */

const char *cli_fmt_int(double x, char *buf, size_t len)
{
    char digits[64];
    size_t n, i, o = 0, lead;
    int neg;
    if (!isfinite(x)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    neg = x < 0.0;
    snprintf(digits, sizeof digits, "%.0f", fabs(x));
    n = strlen(digits);
    if (neg && strcmp(digits, "0") != 0 && o + 1 < len)
        buf[o++] = '-';
    lead = n % 3 ? n % 3 : 3;
    for (i = 0; i < n && o + 2 < len; i++) {
        if (i > 0 && i >= lead && (i - lead) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

const char *cli_fmt_share(double num, double den, char *buf, size_t len)
{
    if (den > 0.0 && isfinite(num) && isfinite(den))
        snprintf(buf, len, "%.1f%%", PERCENT * num / den);
    else
        snprintf(buf, len, "n/a");
    return buf;
}

const char *cli_fmt_rate(double x, char *buf, size_t len)
{
    char tmp[32], *e;
    if (!(x > 0.0) || !isfinite(x)) {
        snprintf(buf, len, "0");
        return buf;
    }
    snprintf(tmp, sizeof tmp, "%.1e", x);
    e = strchr(tmp, 'e');
    if (e)
        snprintf(buf, len, "%.*se%d", (int)(e - tmp), tmp, atoi(e + 1));
    else
        snprintf(buf, len, "%s", tmp);
    return buf;
}

/* Money for people: "6,598.4 M CNY" from a million on, else "512,000 CNY". */
static const char *fmt_money(double x, char *buf, size_t len)
{
    char digits[FMT_LEN / 2];
    if (isfinite(x) && fabs(x) >= MILLION) {
        double tenths = floor(fabs(x) / MILLION * 10.0 + 0.5);
        cli_fmt_int(floor(tenths / 10.0), digits, sizeof digits);
        snprintf(buf, len, "%s%s.%d M CNY", x < 0 ? "-" : "", digits, (int)fmod(tenths, 10.0));
    } else {
        snprintf(buf, len, "%s CNY", cli_fmt_int(x, digits, sizeof digits));
    }
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Run summary                                                               */
/* ------------------------------------------------------------------------ */

/* Sum of a daily metric over days: out[market * 2 + segment]. */
static int sum_daily(const ipsim_model *m, const char *metric, double *out, int n_markets)
{
    const double *d;
    int nm, days = ipsim_model_days_total(m), t, k;
    if (ipsim_model_daily(m, metric, &d, &nm) != IPSIM_OK || nm != n_markets)
        return -1;
    for (k = 0; k < n_markets * N_SEGMENTS; k++)
        out[k] = 0.0;
    for (t = 0; t < days; t++)
        for (k = 0; k < n_markets * N_SEGMENTS; k++) {
            double v = d[(size_t)t * (size_t)n_markets * N_SEGMENTS + (size_t)k];
            if (isfinite(v))
                out[k] += v;
        }
    return 0;
}

static double total_of(const double *x, int n)
{
    double s = 0.0;
    int i;
    for (i = 0; i < n; i++)
        s += x[i];
    return s;
}

/* Departure-weighted mean satisfaction over the run. */
static double mean_satisfaction(const ipsim_model *m)
{
    const double *sat, *dep;
    int nm, nm2, days = ipsim_model_days_total(m);
    size_t i, n;
    double num = 0.0, den = 0.0;
    if (ipsim_model_daily(m, "satisfaction_mean", &sat, &nm) != IPSIM_OK ||
        ipsim_model_daily(m, "departures", &dep, &nm2) != IPSIM_OK || nm != nm2)
        return NAN;
    n = (size_t)days * (size_t)nm * N_SEGMENTS;
    for (i = 0; i < n; i++)
        if (isfinite(sat[i]) && dep[i] > 0.0) {
            num += sat[i] * dep[i];
            den += dep[i];
        }
    return den > 0.0 ? num / den : NAN;
}

/* The arrivals table: one row per market, then the totals. */
static void print_arrivals_table(const ipsim_scenario *sc, const double *arr, int nm, double cec_arr,
                                 double tot_arr)
{
    char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN];
    int i, width = (int)strlen("arrivals (people)");
    for (i = 0; i < nm; i++) {
        const char *name = ipsim_scenario_market_name(sc, i);
        int l = name ? (int)strlen(name) : 0;
        if (l > width)
            width = l;
    }
    printf("%-*s  %14s  %14s  %14s\n", width, "arrivals (people)", segment_labels[0],
           segment_labels[1], "total");
    for (i = 0; i < nm; i++) {
        const char *name = ipsim_scenario_market_name(sc, i);
        char fallback[32];
        snprintf(fallback, sizeof fallback, "market %d", i);
        printf("%-*s  %14s  %14s  %14s\n", width, name ? name : fallback,
               cli_fmt_int(arr[i * N_SEGMENTS], a, sizeof a),
               cli_fmt_int(arr[i * N_SEGMENTS + 1], b, sizeof b),
               cli_fmt_int(arr[i * N_SEGMENTS] + arr[i * N_SEGMENTS + 1], c, sizeof c));
    }
    printf("%-*s  %14s  %14s  %14s\n\n", width, "total", cli_fmt_int(cec_arr, a, sizeof a),
           cli_fmt_int(tot_arr - cec_arr, b, sizeof b), cli_fmt_int(tot_arr, c, sizeof c));
}

/* The totals below the table. */
static void print_totals(const ipsim_model *m, int nm, double cec_arr, double tot_arr, double *nights,
                         double *spend, double *pos, double *neg, double *neu)
{
    char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN], d[FMT_LEN];
    double s;
    printf("CEC share of arrivals   %s\n", cli_fmt_share(cec_arr, tot_arr, a, sizeof a));
    if (sum_daily(m, "visitor_nights", nights, nm) == 0)
        printf("visitor-nights          %s\n",
               cli_fmt_int(total_of(nights, nm * N_SEGMENTS), a, sizeof a));
    if (sum_daily(m, "spending_cny", spend, nm) == 0)
        printf("on-site spending        %s (visitors' gross spending at the destination)\n",
               fmt_money(total_of(spend, nm * N_SEGMENTS), a, sizeof a));
    if (sum_daily(m, "posts_positive", pos, nm) == 0 && sum_daily(m, "posts_negative", neg, nm) == 0 &&
        sum_daily(m, "posts_neutral", neu, nm) == 0) {
        double pp = total_of(pos, nm * N_SEGMENTS), pn = total_of(neg, nm * N_SEGMENTS);
        double pu = total_of(neu, nm * N_SEGMENTS), all = pp + pn + pu;
        printf("posts                   %s (positive %s, negative %s, neutral %s)\n",
               cli_fmt_int(all, a, sizeof a), cli_fmt_share(pp, all, b, sizeof b),
               cli_fmt_share(pn, all, c, sizeof c), cli_fmt_share(pu, all, d, sizeof d));
    }
    s = mean_satisfaction(m);
    if (isfinite(s))
        printf("mean satisfaction       %.3f\n", s);
    else
        printf("mean satisfaction       n/a (no departures)\n");
}

void cli_print_run_summary(const ipsim_model *m, const ipsim_scenario *sc, const cli_options *o,
                           double wall)
{
    char a[FMT_LEN], b[FMT_LEN];
    const double *dummy;
    int nm = 0, i;
    double agents = (double)ipsim_model_agent_count(m);
    int days = ipsim_model_days_total(m);
    double *arr = NULL, *nights = NULL, *spend = NULL, *pos = NULL, *neg = NULL, *neu = NULL;
    double tot_arr, cec_arr = 0.0, step_s;

    if (ipsim_model_daily(m, "arrivals", &dummy, &nm) != IPSIM_OK || nm <= 0)
        goto minimal;
    arr = calloc((size_t)nm * N_SEGMENTS, sizeof *arr);
    nights = calloc((size_t)nm * N_SEGMENTS, sizeof *nights);
    spend = calloc((size_t)nm * N_SEGMENTS, sizeof *spend);
    pos = calloc((size_t)nm * N_SEGMENTS, sizeof *pos);
    neg = calloc((size_t)nm * N_SEGMENTS, sizeof *neg);
    neu = calloc((size_t)nm * N_SEGMENTS, sizeof *neu);
    if (!arr || !nights || !spend || !pos || !neg || !neu || sum_daily(m, "arrivals", arr, nm))
        goto minimal;
    tot_arr = total_of(arr, nm * N_SEGMENTS);
    for (i = 0; i < nm; i++)
        cec_arr += arr[i * N_SEGMENTS + 0];

    if (o->quiet) {
        printf("%s: %s arrivals in %d days (%s agents at scale %g) -> %s\n", ipsim_scenario_name(sc),
               cli_fmt_int(tot_arr, a, sizeof a), days, cli_fmt_int(agents, b, sizeof b),
               ipsim_model_scale(m), o->output);
        goto done;
    }

    printf("scenario     %s (%s)\n", ipsim_scenario_name(sc), ipsim_scenario_origin(sc));
    printf("agents       %s at scale %g (people per agent), seed %llu, replicate %u\n",
           cli_fmt_int(agents, a, sizeof a), ipsim_model_scale(m),
           (unsigned long long)ipsim_model_seed(m), (unsigned)o->replicate);
    printf("days         %d\n", days);
    step_s = ipsim_model_wall_seconds(m);
    printf("wall time    %.2f s (model %.2f s: %s agent-days/s, warm-up included)\n", wall, step_s,
           cli_fmt_rate(step_s > 0.0 ? ipsim_model_agent_days(m) / step_s : 0.0, b, sizeof b));
    printf("output       %s\n\n", o->output);
    print_arrivals_table(sc, arr, nm, cec_arr, tot_arr);
    print_totals(m, nm, cec_arr, tot_arr, nights, spend, pos, neg, neu);
    goto done;

minimal:
    printf("%s: %d days, %s agents at scale %g -> %s\n", ipsim_scenario_name(sc), days,
           cli_fmt_int(agents, a, sizeof a), ipsim_model_scale(m), o->output);
done:
    free(arr);
    free(nights);
    free(spend);
    free(pos);
    free(neg);
    free(neu);
}

/* ------------------------------------------------------------------------ */
/* One-line verdicts                                                         */
/* ------------------------------------------------------------------------ */

void cli_print_scenario_summary(const char *path, const ipsim_scenario *sc, const char *agents,
                                double scale, const char *extra)
{
    printf("%s: OK (%s; %d markets, %d assets, %d interventions, %s agents at scale %g%s)\n", path,
           ipsim_scenario_name(sc), ipsim_scenario_market_count(sc), ipsim_scenario_asset_count(sc),
           ipsim_scenario_intervention_count(sc), agents, scale, extra);
}

void cli_print_experiment_summary(const char *path, const ipsim_experiment *e, int replicates)
{
    int r = replicates ? replicates : ipsim_experiment_replicates(e);
    printf("%s: OK (%s; %s design, %d points x %d replicate%s = %d units)\n", path,
           ipsim_experiment_name(e), ipsim_experiment_design(e), ipsim_experiment_points(e), r,
           r == 1 ? "" : "s", ipsim_experiment_points(e) * r);
}
