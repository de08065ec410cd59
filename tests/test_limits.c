/*
 * test_limits.c - limits and expressiveness of scenarios (issue 12 item 9).
 *
 *  - events as weekly rules and date lists: "every Saturday from 13 May to
 *    28 October" gives the event's bonus on exactly those days, and listed
 *    dates add days;
 *  - per-market travel cost reductions: an F intervention with targets cuts
 *    the trip cost of the targeted market only;
 *  - `--set PATH[+]=VALUE` appends an array element (and fails on a
 *    non-array);
 *  - 400 markets load and run (markets appended with [+]); 401 are refused;
 *    the memory estimate and the run time are printed.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ipsim/ipsim.h"
#include "model/state.h"
#include "harness.h"

static ipsim_scenario *load(void) {
    char err[1024], path[1024];
    snprintf(path, sizeof path, "%s/scenarios/jiamusi_baseline.json", IPSIM_SOURCE_DIR);
    ipsim_scenario *sc = NULL;
    if (ipsim_scenario_load(path, &sc, err, sizeof err)) {
        printf("load: %s\n", err);
        exit(2);
    }
    return sc;
}

static void set(ipsim_scenario *sc, const char *a) {
    char err[1024];
    if (ipsim_scenario_set(sc, a, err, sizeof err)) {
        printf("set %s: %s\n", a, err);
        exit(2);
    }
}

static ipsim_model *create(const ipsim_scenario *sc, double scale, int days) {
    ipsim_run_options o;
    ipsim_run_options_init(&o);
    o.threads = 2;
    o.scale = scale;
    o.days = days;
    ipsim_model *m = NULL;
    char err[512];
    if (ipsim_model_create(sc, &o, &m, err, sizeof err)) {
        printf("create: %s\n", err);
        exit(2);
    }
    return m;
}

static void test_weekly_events(void) {
    ipsim_scenario *sc = load();
    set(sc, "destination.assets[0].events=[{\"name\": \"league\", \"start\": \"2025-05-13\", "
            "\"end\": \"2025-10-28\", \"weekdays\": [6], \"dates\": [\"2025-11-15\", \"2025-12-06\"], "
            "\"experience_bonus\": 0.1, \"appeal_bonus\": 0.5}]");
    ipsim_model *m = create(sc, 10000, 365);
    int bad = 0, n = 0;
    for (int tau = 0; tau < m->warmup + m->days; tau++) {
        ipsim_date d = ipsim__calendar_date(m->sc, m->warmup, tau);
        int y, mo, dd;
        ipsim_date_to_ymd(d, &y, &mo, &dd);
        int want = (d >= ipsim_date_from_ymd(2025, 5, 13) && d <= ipsim_date_from_ymd(2025, 10, 28) &&
                    ipsim_date_iso_weekday(d) == 6) ||
                   d == ipsim_date_from_ymd(2025, 11, 15) || d == ipsim_date_from_ymd(2025, 12, 6);
        int got = m->asset_days[(size_t)tau * m->n_assets].appeal_bonus > 0;
        bad += want != got;
        n += got;
    }
    CHECK(bad == 0 && n == 26, "every Saturday 13 May-28 October plus two listed dates: %d event days, %d wrong",
          n, bad);
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
}

static void test_market_cost_cut(void) {
    ipsim_scenario *a = load(), *b = load();
    set(b, "interventions[+]={\"name\": \"special_train\", \"mechanism\": \"F\", \"start\": \"2025-01-01\", "
           "\"end\": \"2025-12-31\", \"cost_cny\": 0, \"travel_cost_reduction_cny\": 40, "
           "\"targets\": [{\"market\": \"Hegang\", \"segment\": \"all\"}]}");
    set(a, "simulation.warmup_days=0");   /* the first arrival day is inside the intervention */
    set(b, "simulation.warmup_days=0");
    ipsim_model *ma = create(a, 10000, 30), *mb = create(b, 10000, 30);
    ipsim_model_step(ma);
    ipsim_model_step(mb);
    int only = 1, hegang = 0;
    for (int c = 0; c < ma->n_cells; c++) {
        int is = strcmp(ma->sc->markets[cell_market(c)].name, "Hegang") == 0;
        double dv = mb->cells[c].v_cell - ma->cells[c].v_cell;
        if (is) hegang += dv > 0;
        else only &= dv == 0;
    }
    CHECK(hegang == 2 && only, "a targeted fare cut raises only Hegang's trip utility (%d cells up)", hegang);
    ipsim_model_destroy(ma);
    ipsim_model_destroy(mb);
    ipsim_scenario_destroy(a);
    ipsim_scenario_destroy(b);
}

static void test_append(void) {
    ipsim_scenario *sc = load();
    char err[1024];
    int n0 = ipsim_scenario_data(sc)->n_interventions;
    set(sc, "interventions[+]={\"name\": \"extra\", \"mechanism\": \"F\", \"start\": \"2025-03-01\", "
            "\"end\": \"2025-03-31\", \"cost_cny\": 0}");
    CHECK(ipsim_scenario_data(sc)->n_interventions == n0 + 1, "[+] appends an intervention");
    ipsim_status st = ipsim_scenario_set(sc, "destination[+]=1", err, sizeof err);
    CHECK(st == IPSIM_ERR_DATA && strstr(err, "not an array"), "[+] on an object fails: %s", err);
    st = ipsim_scenario_set(sc, "interventions[+]={\"name\": \"extra\"}", err, sizeof err);
    CHECK(st == IPSIM_ERR_DATA && ipsim_scenario_data(sc)->n_interventions == n0 + 1,
          "an invalid appended element is refused, the scenario unchanged: %s", err);
    ipsim_scenario_destroy(sc);
}

static void test_400_markets(void) {
    ipsim_scenario *sc = load();
    char a[1024], err[1024];
    int have = ipsim_scenario_data(sc)->n_markets;
    for (int i = have; i < IPSIM_MAX_MARKETS; i++) {
        /* a prefecture-sized city 500-3000 km away */
        double km = 500 + (i * 37) % 2500;
        snprintf(a, sizeof a,
                 "markets[+]={\"name\": \"city%03d\", \"province\": \"P\", \"population\": %d, "
                 "\"adult_share\": 0.85, \"cec_share\": 0.2, \"income_cny_month\": 3500, "
                 "\"distance_km\": %g, \"travel_cost_cny\": %g, \"travel_time_h\": 4, "
                 "\"cpm_cny\": {\"short_video\": 20, \"commuter_media\": 25, \"hsr_station\": 35, "
                 "\"broadcast\": 10}, \"platform_penetration\": 0.7, "
                 "\"initial_awareness\": {\"cec\": 0.03, \"mainstream\": 0.02}}",
                 i, 1000000 + (i * 7919) % 5000000, km, 0.8 * km);
        set(sc, a);
    }
    CHECK(ipsim_scenario_data(sc)->n_markets == IPSIM_MAX_MARKETS, "%d markets load", IPSIM_MAX_MARKETS);
    ipsim_status st = ipsim_scenario_set(sc, "markets[+]={\"name\": \"one_too_many\"}", err, sizeof err);
    CHECK(st == IPSIM_ERR_DATA && strstr(err, "400"), "market 401 is refused: %s", err);

    ipsim_run_options o;
    ipsim_run_options_init(&o);
    o.scale = 1000;
    double mem = ipsim_model_memory_estimate(sc, &o);
    ipsim_model *m = create(sc, 1000, 120);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ipsim_model_run(m, NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    double arr = 0;
    const double *x = results_daily(&m->res, MET_ARRIVALS);
    int finite = 1;
    for (size_t i = 0; i < (size_t)m->days * m->n_cells; i++) {
        arr += x[i];
        finite &= isfinite(x[i]);
    }
    printf("  400 markets, scale 1000: %llu agents, %d cells, memory estimate %.1f MiB, 120 days in %.2f s, "
           "arrivals %.0f\n", (unsigned long long)m->n_agents, m->n_cells, mem / 1048576.0, secs, arr);
    CHECK(m->n_cells == 2 * IPSIM_MAX_MARKETS && finite && arr > 0, "400 markets run (%d cells)", m->n_cells);
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
}

int main(void) {
    test_weekly_events();
    test_market_cost_cut();
    test_append();
    test_400_markets();
    return harness_summary();
}
