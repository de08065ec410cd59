/*
 * test_scenario.c - unit tests of scenario loading (sim/scenario.c,
 * sim/scenario_fields.c, sim/json_path.c, sim/date.c).
 *
 * Run from the source directory (ctest does). Checks: every
 * scenario file in scenarios/ loads, round-trips through ipsim_scenario_to_json to an
 * identical sc_data and clones identically; overrides change what they
 * name and nothing on failure; base files merge; every file listed in
 * tests/bad_scenarios/cases.tsv is rejected with IPSIM_ERR_DATA and a
 * message containing the expected text (each message is printed for human
 * review); scenarios/ipsim.schema.json equals the generated schema; the
 * date helpers agree with the calendar; the loader limits of issue 11,
 * finding 10 (the date range, exact seeds, no quoting of non-JSON files).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "ipsim/ipsim.h"
#include "json/json_path.h"
#include "scenario/scenario.h"
#include "harness.h"

#ifndef IPSIM_SOURCE_DIR
#define IPSIM_SOURCE_DIR "."
#endif

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of dir's files ending in suffix; returns the count. */
static int list_files(const char *dir, const char *suffix, char ***out)
{
    DIR *d = opendir(dir);
    int n = 0, cap = 0;
    char **names = NULL;
    if (d == NULL) {
        *out = NULL;
        return 0;
    }
    struct dirent *e;
    size_t ns = strlen(suffix);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= ns || strcmp(e->d_name + len - ns, suffix) != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, (size_t)cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    *out = names;
    return n;
}

static void free_list(char **names, int n)
{
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
}

/* Load, round-trip, clone. */
static void test_valid_file(const char *path)
{
    char err[2048] = "";
    ipsim_scenario *sc = NULL;
    ipsim_status st = ipsim_scenario_load(path, &sc, err, sizeof err);
    CHECK(st == IPSIM_OK && sc != NULL, "%s does not load: %s", path, err);
    if (sc == NULL) return;
    CHECK(strcmp(ipsim_scenario_origin(sc), path) == 0, "origin of %s is %s", path,
          ipsim_scenario_origin(sc));
    CHECK(ipsim_scenario_name(sc)[0] != '\0', "%s has an empty name", path);

    char *json = ipsim_scenario_to_json(sc);
    CHECK(json != NULL, "to_json of %s", path);
    ipsim_scenario *back = NULL;
    st = ipsim_scenario_load_buffer(json, json ? strlen(json) : 0, "roundtrip", &back, err, sizeof err);
    CHECK(st == IPSIM_OK, "to_json output of %s does not load: %s", path, err);
    if (back) {
        CHECK(memcmp(ipsim_scenario_data(sc), ipsim_scenario_data(back), sizeof(sc_data)) == 0,
              "round trip of %s changes sc_data", path);
        char *json2 = ipsim_scenario_to_json(back);
        CHECK(json2 && strcmp(json, json2) == 0, "to_json of %s is not a fixed point", path);
        free(json2);
        /* the resolved document validates against every key present */
        cJSON *doc = cJSON_Parse(json);
        CHECK(doc && cJSON_GetObjectItemCaseSensitive(doc, "base") == NULL, "resolved %s keeps base", path);
        cJSON *sim = cJSON_GetObjectItemCaseSensitive(doc, "simulation");
        CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(sim, "seed")), "seed of %s not a string", path);
        CHECK(cJSON_GetObjectItemCaseSensitive(sim, "threads") != NULL, "threads of %s missing", path);
        cJSON_Delete(doc);
    }
    ipsim_scenario *copy = ipsim_scenario_clone(sc);
    CHECK(copy != NULL, "clone of %s", path);
    if (copy) {
        CHECK(memcmp(ipsim_scenario_data(sc), ipsim_scenario_data(copy), sizeof(sc_data)) == 0,
              "clone of %s differs", path);
        char *json3 = ipsim_scenario_to_json(copy);
        CHECK(json3 && json && strcmp(json, json3) == 0, "clone of %s writes other JSON", path);
        free(json3);
    }
    ipsim_scenario_destroy(copy);
    ipsim_scenario_destroy(back);
    free(json);
    ipsim_scenario_destroy(sc);
}

static void test_scenarios_dir(void)
{
    char **names;
    int n = list_files("scenarios", ".json", &names);
    int tested = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], "ipsim.schema.json") == 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "scenarios/%s", names[i]);
        test_valid_file(path);
        tested++;
    }
    CHECK(tested >= 1, "no scenarios/*.json found (run from the source directory)");
    printf("loaded %d scenario files\n", tested);
    free_list(names, n);
    n = list_files("tests/data", ".json", &names);
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "tests/data/%s", names[i]);
        test_valid_file(path);
    }
    free_list(names, n);
}

static int market_index(const sc_data *d, const char *name)
{
    for (int i = 0; i < d->n_markets; i++)
        if (strcmp(d->markets[i].name, name) == 0) return i;
    return -1;
}

/* A failing set leaves everything unchanged and names the path. */
static void expect_set_fails(ipsim_scenario *sc, const char *assignment, ipsim_status want,
                             const char *fragment)
{
    char err[2048] = "";
    sc_data *before = malloc(sizeof *before);
    memcpy(before, ipsim_scenario_data(sc), sizeof *before);
    char *json = ipsim_scenario_to_json(sc);
    ipsim_status st = ipsim_scenario_set(sc, assignment, err, sizeof err);
    CHECK(st == want, "set %s: status %d, want %d (%s)", assignment, st, want, err);
    CHECK(strstr(err, fragment) != NULL, "set %s: message \"%s\" lacks \"%s\"", assignment, err, fragment);
    CHECK(memcmp(before, ipsim_scenario_data(sc), sizeof *before) == 0, "failed set %s changed the data",
          assignment);
    char *json2 = ipsim_scenario_to_json(sc);
    CHECK(json && json2 && strcmp(json, json2) == 0, "failed set %s changed the JSON", assignment);
    printf("  set %-45s -> %s\n", assignment, err);
    free(json);
    free(json2);
    free(before);
}

static void expect_set(ipsim_scenario *sc, const char *assignment)
{
    char err[2048] = "";
    ipsim_status st = ipsim_scenario_set(sc, assignment, err, sizeof err);
    CHECK(st == IPSIM_OK, "set %s failed: %s", assignment, err);
}

static void test_set(void)
{
    char err[2048] = "";
    ipsim_scenario *sc = NULL;
    ipsim_status st = ipsim_scenario_load("scenarios/jiamusi_baseline.json", &sc, err, sizeof err);
    CHECK(st == IPSIM_OK, "baseline: %s", err);
    if (sc == NULL) return;
    const sc_data *d = ipsim_scenario_data(sc);
    int sh = market_index(d, "Shanghai");
    CHECK(sh >= 0, "no Shanghai market in the baseline");
    if (sh < 0) {
        ipsim_scenario_destroy(sc);
        return;
    }

    expect_set(sc, "markets[Shanghai].cec_share=0.5");
    CHECK(d->markets[sh].cec_share == 0.5, "cec_share is %g", d->markets[sh].cec_share);
    expect_set(sc, "markets[2].population=100");
    CHECK(d->markets[2].population == 100, "population is %g", d->markets[2].population);
    expect_set(sc, "destination.digital_fluency=0.8");
    CHECK(d->destination.digital_fluency == 0.8, "digital_fluency");
    expect_set(sc, "destination.assets[hezhe_culture].authenticity=0.9");
    CHECK(d->destination.assets[0].authenticity == 0.9, "authenticity");
    expect_set(sc, "interventions[baseline_promotion].cost_cny=1e6");
    CHECK(d->interventions[0].cost_cny == 1e6, "cost_cny");
    expect_set(sc, "simulation.seed=42");
    CHECK(d->simulation.seed == 42, "seed 42");
    expect_set(sc, "simulation.seed=18446744073709551615");
    CHECK(d->simulation.seed == UINT64_MAX, "seed max");
    expect_set(sc, "simulation.seed=\"7\"");
    CHECK(d->simulation.seed == 7, "seed \"7\"");
    expect_set(sc, "name=variant_1");
    CHECK(strcmp(ipsim_scenario_name(sc), "variant_1") == 0, "name is %s", ipsim_scenario_name(sc));
    expect_set(sc, "description=a bare word string");
    CHECK(strcmp(d->description, "a bare word string") == 0, "description");
    expect_set(sc, "simulation.threads=4");
    CHECK(d->simulation.threads == 4, "threads");
    expect_set(sc, "calendar.holidays=[]");
    CHECK(d->calendar.n_holidays == 0, "holidays not emptied");
    expect_set(sc, "interventions[0].targets[0].weight=2");
    CHECK(d->interventions[0].targets[0].weight == 2, "weight");
    expect_set(sc, "interventions[0].channels={\"short_video\": 1}");
    CHECK(d->interventions[0].channel_share[0] == 1 && d->interventions[0].channel_share[3] == 0,
          "channel shares");
    expect_set(sc, "calendar.weekend_days[0]=5");
    CHECK(d->calendar.weekend_days[0] == 5, "weekend day");

    expect_set_fails(sc, "markets[2].population=-1", IPSIM_ERR_DATA,
                     "--set markets[2].population=-1: markets[2].population: expected a number");
    char want[128];
    snprintf(want, sizeof want, "--set markets[99].population: no such element (markets has %d entries)",
             d->n_markets);
    expect_set_fails(sc, "markets[99].population=1", IPSIM_ERR_DATA, want);
    expect_set_fails(sc, "markets[2].popultion=1", IPSIM_ERR_DATA, "did you mean \"population\"?");
    expect_set_fails(sc, "markets[Shangai].cec_share=0.1", IPSIM_ERR_DATA, "did you mean \"Shanghai\"?");
    expect_set_fails(sc, "destinaton.digital_fluency=1", IPSIM_ERR_DATA, "did you mean \"destination\"?");
    expect_set_fails(sc, "simulation.seed=-1", IPSIM_ERR_DATA, "simulation.seed: expected a seed");
    expect_set_fails(sc, "simulation.seed=18446744073709551616", IPSIM_ERR_DATA, "(too large)");
    expect_set_fails(sc, "simulation.start_date=2025-02-30", IPSIM_ERR_DATA, "real calendar date");
    expect_set_fails(sc, "simulation.start_date=2025-06-01", IPSIM_ERR_DATA,
                     "--set simulation.start_date=2025-06-01: interventions[0].start: expected a date on or after");
    expect_set_fails(sc, "interventions[0].mechanism=\"A\"", IPSIM_ERR_DATA,
                     "interventions[0].targets: not a parameter of mechanism \"A\"");
    expect_set_fails(sc, "markets[0]={\"name\": ", IPSIM_ERR_DATA, "value: line 1");
    expect_set_fails(sc, "markets", IPSIM_ERR_USAGE, "expected PATH=VALUE");
    expect_set_fails(sc, "base=\"x.json\"", IPSIM_ERR_DATA, "no such key \"base\"");
    expect_set_fails(sc, "platform.home_share=1e999", IPSIM_ERR_DATA, "found \"1e999\"");
    expect_set_fails(sc, "markets[0].name=\"Daqing\"", IPSIM_ERR_DATA, "expected a unique market name");
    expect_set_fails(sc, "simulation.days.x=1", IPSIM_ERR_DATA, "simulation.days is not an object");
    ipsim_scenario_destroy(sc);

    /* a key the file leaves to its default exists in the resolved scenario */
    st = ipsim_scenario_load("scenarios/jiamusi_baseline.json", &sc, err, sizeof err);
    if (sc) {
        expect_set(sc, "interventions[0]={\"name\": \"a\", \"mechanism\": \"A\", \"start\": "
                       "\"2025-02-01\", \"end\": \"2025-03-01\", \"cost_cny\": 1}");
        d = ipsim_scenario_data(sc);
        CHECK(d->interventions[0].mechanism == MECH_A, "mechanism A");
        CHECK(d->interventions[0].n_assets == d->destination.n_assets, "A defaults to every asset");
        CHECK(d->interventions[0].post_propensity_mult == 1 && d->interventions[0].loyalty_gain_mult == 1 &&
                  d->interventions[0].official_reach_mult == 1,
              "neutral multipliers");
        CHECK(d->interventions[0].event_start == d->interventions[0].start &&
                  d->interventions[0].event_end == d->interventions[0].end,
              "event window of a non-E mechanism");
        expect_set(sc, "interventions[a].novelty_half_life_days=12");
        CHECK(d->interventions[0].novelty_half_life_days == 12, "novelty");
        ipsim_scenario_destroy(sc);
    }
}

/* A complete scenario without any optional key: built from the baseline
 * by deleting them, with one minimal intervention per mechanism. */
static void test_defaults(void)
{
    char err[2048] = "";
    char *text = read_text("scenarios/jiamusi_baseline.json");
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    CHECK(doc != NULL, "cannot parse the baseline");
    free(text);
    if (doc == NULL) return;
    cJSON *sim = cJSON_GetObjectItemCaseSensitive(doc, "simulation");
    cJSON *cal = cJSON_GetObjectItemCaseSensitive(doc, "calendar");
    cJSON *dest = cJSON_GetObjectItemCaseSensitive(doc, "destination");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "description");
    cJSON_DeleteItemFromObjectCaseSensitive(sim, "threads");
    cJSON_ReplaceItemInObjectCaseSensitive(sim, "seed", cJSON_CreateNumber(12345));
    cJSON_DeleteItemFromObjectCaseSensitive(cal, "holidays");
    cJSON_DeleteItemFromObjectCaseSensitive(cal, "vacations");
    cJSON_DeleteItemFromObjectCaseSensitive(cal, "adjusted_workdays");
    cJSON_DeleteItemFromObjectCaseSensitive(dest, "substitutes");
    cJSON *asset;
    cJSON_ArrayForEach(asset, cJSON_GetObjectItemCaseSensitive(dest, "assets"))
        cJSON_DeleteItemFromObjectCaseSensitive(asset, "events");
    const char *start = cJSON_GetObjectItemCaseSensitive(sim, "start_date")->valuestring;
    const char *first_channel =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "channels"), 0),
                                         "name")->valuestring;
    char iv[4096];
    snprintf(iv, sizeof iv,
             "[{\"name\": \"p\", \"mechanism\": \"promotion\", \"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": 1,"
             "  \"targets\": [{\"market\": \"*\", \"segment\": \"cec\"}], \"channels\": {\"%s\": 1}},"
             " {\"name\": \"a\", \"mechanism\": \"A\", \"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": 0},"
             " {\"name\": \"b\", \"mechanism\": \"B\", \"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": 0, \"assets\": []},"
             " {\"name\": \"c\", \"mechanism\": \"C\", \"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": 1,"
             "  \"targets\": [{\"market\": \"*\", \"segment\": \"all\", \"weight\": 0.5}], \"channels\": {\"%s\": 1}},"
             " {\"name\": \"d\", \"mechanism\": \"D\", \"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": 0},"
             " {\"name\": \"e\", \"mechanism\": \"E\", \"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": 0,"
             "  \"event_start\": \"%s\", \"event_end\": \"%s\"},"
             " {\"name\": \"f\", \"mechanism\": \"F\", \"start\": \"%s\", \"end\": \"%s\", \"cost_cny\": 0,"
             "  \"description\": \"validated, not kept\"}]",
             start, start, first_channel, start, start, start, start, start, start, first_channel, start, start,
             start, start, start, start, start, start);
    cJSON_ReplaceItemInObjectCaseSensitive(doc, "interventions", cJSON_Parse(iv));
    char *json = cJSON_Print(doc);
    cJSON_Delete(doc);
    ipsim_scenario *sc = NULL;
    ipsim_status st = ipsim_scenario_load_buffer(json, strlen(json), "defaults", &sc, err, sizeof err);
    CHECK(st == IPSIM_OK, "scenario without optional keys: %s", err);
    free(json);
    if (sc == NULL) return;
    const sc_data *d = ipsim_scenario_data(sc);
    CHECK(d->description[0] == '\0', "description default");
    CHECK(d->simulation.threads == 0 && d->simulation.seed == 12345, "threads, integer seed");
    CHECK(d->calendar.n_holidays == 0 && d->calendar.n_vacations == 0 && d->calendar.n_adjusted_workdays == 0,
          "calendar defaults");
    CHECK(d->destination.n_substitutes == 0 && d->destination.assets[0].n_events == 0, "destination defaults");
    CHECK(d->n_interventions == 7, "interventions");
    for (int i = 0; i < d->n_interventions; i++) {
        const sc_intervention *v = &d->interventions[i];
        CHECK(v->mechanism == (sc_mechanism)i, "mechanism order");
        CHECK(v->post_propensity_mult == 1 && v->loyalty_gain_mult == 1 && v->official_reach_mult == 1,
              "%s: multipliers default to 1", v->name);
        CHECK(v->shareability_add == 0 && v->travel_cost_reduction_cny == 0 && v->hospitality_bonus == 0,
              "%s: additions default to 0", v->name);
        CHECK(v->event_start == v->start && v->event_end == v->end, "%s: event window", v->name);
        int with_assets = v->mechanism == MECH_A || v->mechanism == MECH_B || v->mechanism == MECH_E;
        CHECK(v->n_assets == (with_assets ? d->destination.n_assets : 0), "%s: assets %d", v->name, v->n_assets);
        for (int a = 0; a < v->n_assets; a++) CHECK(v->assets[a] == a, "%s: asset order", v->name);
    }
    CHECK(d->interventions[0].targets[0].weight == 1 && d->interventions[0].targets[0].market == -1 &&
              d->interventions[0].targets[0].segment == IPSIM_SEG_CEC,
          "target defaults");
    CHECK(d->interventions[3].targets[0].weight == 0.5 && d->interventions[3].targets[0].segment == -1, "C target");
    CHECK(d->interventions[0].channel_share[0] == 1, "channel share");
    for (int c = 1; c < d->n_channels; c++)
        CHECK(d->interventions[0].channel_share[c] == 0, "missing channels get share 0");
    /* the defaults appear in the resolved document, so they can be set */
    expect_set(sc, "interventions[f].official_reach_mult=2");
    CHECK(d->interventions[6].official_reach_mult == 2, "set a defaulted key");
    expect_set(sc, "simulation.threads=2");
    char *out = ipsim_scenario_to_json(sc);
    CHECK(out && strstr(out, "\"threads\": 2") && strstr(out, "\"substitutes\": []") &&
              strstr(out, "\"seed\": \"12345\"") && !strstr(out, "validated, not kept"),
          "resolved document");
    free(out);
    ipsim_scenario_destroy(sc);
}

static void test_base_merge(void)
{
    char dir[] = "/tmp/ipsim_test_scenario_XXXXXX";
    char err[2048] = "";
    if (mkdtemp(dir) == NULL) {
        CHECK(0, "mkdtemp failed");
        return;
    }
    char p_child[512], p_grand[512], p_cyc_a[512], p_cyc_b[512], p_missing[512], p_big[512],
        p_badbase[512], p_badchild[512], text[2048];
    snprintf(p_child, sizeof p_child, "%s/child.json", dir);
    snprintf(p_grand, sizeof p_grand, "%s/grandchild.json", dir);
    snprintf(p_cyc_a, sizeof p_cyc_a, "%s/cycle_a.json", dir);
    snprintf(p_cyc_b, sizeof p_cyc_b, "%s/cycle_b.json", dir);
    snprintf(p_missing, sizeof p_missing, "%s/missing_base.json", dir);
    snprintf(p_big, sizeof p_big, "%s/big.json", dir);
    snprintf(p_badbase, sizeof p_badbase, "%s/bad_base.json", dir);
    snprintf(p_badchild, sizeof p_badchild, "%s/bad_child.json", dir);

    snprintf(text, sizeof text,
             "{\"base\": \"%s/scenarios/jiamusi_baseline.json\", \"name\": \"child\",\n"
             " \"destination\": {\"digital_fluency\": 0.9},\n"
             " \"simulation\": {\"days\": 100},\n"
             " \"calendar\": {\"holidays\": []},\n"
             " \"segments\": {\"cec\": {\"taste_cv\": 0.5}}}\n",
             IPSIM_SOURCE_DIR);
    CHECK(write_text(p_child, text) == 0, "write %s", p_child);
    CHECK(write_text(p_grand, "{\"base\": \"child.json\", \"name\": \"grandchild\", "
                              "\"platform\": {\"home_share\": 0.25}, \"simulation\": {\"seed\": 9}}\n") == 0,
          "write");
    ipsim_scenario *base = NULL, *sc = NULL;
    ipsim_status st = ipsim_scenario_load("scenarios/jiamusi_baseline.json", &base, err, sizeof err);
    CHECK(st == IPSIM_OK, "baseline: %s", err);
    st = ipsim_scenario_load(p_grand, &sc, err, sizeof err);
    CHECK(st == IPSIM_OK, "grandchild: %s", err);
    if (sc && base) {
        const sc_data *b = ipsim_scenario_data(base), *d = ipsim_scenario_data(sc);
        CHECK(strcmp(d->name, "grandchild") == 0, "name %s", d->name);
        CHECK(d->destination.digital_fluency == 0.9, "child's override lost");
        CHECK(d->destination.service_quality == b->destination.service_quality, "sibling key not inherited");
        CHECK(d->destination.n_assets == b->destination.n_assets, "assets not inherited");
        CHECK(d->simulation.days == 100, "days");
        CHECK(d->simulation.start_date == b->simulation.start_date, "start_date not inherited");
        CHECK(d->simulation.seed == 9, "grandchild's seed");
        CHECK(d->platform.home_share == 0.25, "grandchild's override lost");
        CHECK(d->platform.post_half_life_days == b->platform.post_half_life_days, "platform not inherited");
        CHECK(d->calendar.n_holidays == 0, "array not replaced");
        CHECK(d->calendar.n_vacations == b->calendar.n_vacations, "vacations not inherited");
        CHECK(d->segments[0].taste_cv == 0.5 && d->segments[0].w_authenticity == b->segments[0].w_authenticity,
              "segments merge");
        CHECK(memcmp(&d->segments[1], &b->segments[1], sizeof d->segments[1]) == 0, "mainstream changed");
        CHECK(memcmp(&d->markets, &b->markets, sizeof d->markets) == 0, "markets changed");
        CHECK(strcmp(ipsim_scenario_origin(sc), p_grand) == 0, "origin");
    }
    ipsim_scenario_destroy(sc);
    ipsim_scenario_destroy(base);

    /* a base named in a buffer is relative to the current directory */
    const char *buf = "{\"base\": \"scenarios/jiamusi_baseline.json\", \"name\": \"from_buffer\"}";
    st = ipsim_scenario_load_buffer(buf, strlen(buf), "buffer", &sc, err, sizeof err);
    CHECK(st == IPSIM_OK, "buffer with base: %s", err);
    CHECK(sc && strcmp(ipsim_scenario_origin(sc), "buffer") == 0, "buffer origin");
    ipsim_scenario_destroy(sc);
    sc = NULL;

    /* cycles, missing bases, values from a bad base */
    write_text(p_cyc_a, "{\"base\": \"cycle_b.json\", \"name\": \"a\"}");
    write_text(p_cyc_b, "{\"base\": \"./cycle_a.json\", \"name\": \"b\"}");
    st = ipsim_scenario_load(p_cyc_a, &sc, err, sizeof err);
    CHECK(st == IPSIM_ERR_DATA && strstr(err, "base cycle") && sc == NULL, "cycle: %d %s", st, err);
    printf("  %s\n", err);
    write_text(p_missing, "{\"base\": \"nowhere.json\", \"name\": \"m\"}");
    st = ipsim_scenario_load(p_missing, &sc, err, sizeof err);
    CHECK(st == IPSIM_ERR_NOINPUT && strstr(err, "nowhere.json: cannot open: ") && sc == NULL,
          "missing base: %d %s", st, err);
    printf("  %s\n", err);
    snprintf(text, sizeof text,
             "{\"base\": \"%s/scenarios/jiamusi_baseline.json\", \"markets\": [], \"parameters\": "
             "{\"visit\": {\"loyalty_gain\": -1}}}",
             IPSIM_SOURCE_DIR);
    write_text(p_badbase, text);
    write_text(p_badchild, "{\"base\": \"bad_base.json\", \"name\": \"bc\", \"markets\": [{}]}");
    st = ipsim_scenario_load(p_badchild, &sc, err, sizeof err);
    CHECK(st == IPSIM_ERR_DATA && strstr(err, "bad_child.json: markets[0].name: expected a name") &&
              strstr(err, "value from base") == NULL,
          "child's own error: %s", err);
    printf("  %s\n", err);
    write_text(p_badchild, "{\"base\": \"bad_base.json\", \"name\": \"bc\"}");
    st = ipsim_scenario_load(p_badchild, &sc, err, sizeof err);
    CHECK(st == IPSIM_ERR_DATA && strstr(err, "bad_child.json: markets: expected an array of 1 to 400") &&
              strstr(err, "(value from base ") && strstr(err, "bad_base.json)"),
          "base's error: %s", err);
    printf("  %s\n", err);

    /* a file over 16 MiB */
    FILE *f = fopen(p_big, "wb");
    if (f) {
        static char spaces[1 << 16];
        memset(spaces, ' ', sizeof spaces);
        for (int i = 0; i < 257; i++) fwrite(spaces, 1, sizeof spaces, f);
        fclose(f);
        st = ipsim_scenario_load(p_big, &sc, err, sizeof err);
        CHECK(st == IPSIM_ERR_DATA && strstr(err, "file too large"), "big file: %d %s", st, err);
        printf("  %s\n", err);
    }

    const char *files[] = {p_child, p_grand, p_cyc_a, p_cyc_b, p_missing, p_big, p_badbase, p_badchild};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) remove(files[i]);
    rmdir(dir);
}

static void test_bad_scenarios(void)
{
    char *tsv = read_text("tests/bad_scenarios/cases.tsv");
    CHECK(tsv != NULL, "cannot read tests/bad_scenarios/cases.tsv");
    if (tsv == NULL) return;
    int cases = 0;
    char *save = NULL;
    printf("messages for tests/bad_scenarios:\n");
    for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == '\0') continue;
        char *tab = strchr(line, '\t');
        CHECK(tab != NULL, "cases.tsv line without a tab: %s", line);
        if (tab == NULL) continue;
        *tab = '\0';
        const char *fragment = tab + 1;
        char path[1024], err[2048] = "";
        snprintf(path, sizeof path, "tests/bad_scenarios/%s", line);
        ipsim_scenario *sc = NULL;
        ipsim_status st = ipsim_scenario_load(path, &sc, err, sizeof err);
        CHECK(st == IPSIM_ERR_DATA && sc == NULL, "%s: status %d (%s), want IPSIM_ERR_DATA", path, st, err);
        CHECK(strstr(err, fragment) != NULL, "%s: message \"%s\" lacks \"%s\"", path, err, fragment);
        CHECK(strncmp(err, path, strlen(path)) == 0, "%s: message does not start with the file name", path);
        CHECK(strchr(err, '\n') == NULL, "%s: message is not one line", path);
        printf("  %s\n", err);
        ipsim_scenario_destroy(sc);
        cases++;
    }
    CHECK(cases >= 20, "only %d bad scenarios", cases);
    free(tsv);
}

static void test_schema(void)
{
    char *gen = ipsim_scenario_schema_json();
    CHECK(gen != NULL, "ipsim_scenario_schema_json returned NULL");
    char *file = read_text("scenarios/ipsim.schema.json");
    CHECK(file != NULL, "cannot read scenarios/ipsim.schema.json");
    cJSON *a = gen ? cJSON_Parse(gen) : NULL, *b = file ? cJSON_Parse(file) : NULL;
    CHECK(a != NULL, "generated schema is not JSON");
    CHECK(b != NULL, "scenarios/ipsim.schema.json is not JSON");
    CHECK(a && b && cJSON_Compare(a, b, 1),
          "scenarios/ipsim.schema.json differs from the schema the library generates; regenerate it "
          "with `build/ipsim schema > scenarios/ipsim.schema.json`");
    cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "$schema");
    CHECK(cJSON_IsString(s) && strcmp(s->valuestring, "https://json-schema.org/draft/2020-12/schema") == 0,
          "$schema");
    CHECK(gen && strstr(gen, "unevaluated") == NULL && strstr(gen, "$dynamic") == NULL,
          "schema uses a forbidden keyword");
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(gen);
    free(file);
}

static void test_misc(void)
{
    char err[256] = "";
    ipsim_scenario *sc = (ipsim_scenario *)&err; /* must be reset to NULL */
    ipsim_scenario_destroy(NULL);
    ipsim_status st = ipsim_scenario_load("scenarios/no_such_file.json", &sc, err, sizeof err);
    CHECK(st == IPSIM_ERR_NOINPUT && sc == NULL, "missing file: status %d", st);
    CHECK(strstr(err, "scenarios/no_such_file.json: cannot open: No such file or directory") != NULL,
          "missing file message: %s", err);
    st = ipsim_scenario_load("scenarios", &sc, err, sizeof err);
    CHECK(st == IPSIM_ERR_NOINPUT, "directory: status %d (%s)", st, err);
    st = ipsim_scenario_load("scenarios/no_such_file.json", &sc, NULL, 0);
    CHECK(st == IPSIM_ERR_NOINPUT, "NULL err");
    st = ipsim_scenario_load_buffer("", 0, "empty", &sc, err, sizeof err);
    CHECK(st == IPSIM_ERR_DATA && strstr(err, "empty: line 1, column 1: invalid JSON"), "empty: %s", err);
    /* a tiny message buffer truncates, never overruns */
    char tiny[8];
    st = ipsim_scenario_load_buffer("[]", 2, "tiny", &sc, tiny, sizeof tiny);
    CHECK(st == IPSIM_ERR_DATA && strlen(tiny) == 7, "tiny buffer");

    /* dates */
    CHECK(ipsim_date_from_ymd(1970, 1, 1) == 0, "epoch");
    CHECK(ipsim_date_from_ymd(2000, 3, 1) == 11017, "2000-03-01");
    CHECK(ipsim_date_from_ymd(1969, 12, 31) == -1, "1969-12-31");
    CHECK(ipsim_date_iso_weekday(ipsim_date_from_ymd(2025, 1, 1)) == 3, "2025-01-01 is a Wednesday");
    CHECK(ipsim_date_iso_weekday(ipsim_date_from_ymd(1969, 12, 28)) == 7, "1969-12-28 is a Sunday");
    int bad = 0;
    for (ipsim_date d = -800000; d < 3000000; d += 7) {
        int y, m, dd;
        ipsim_date_to_ymd(d, &y, &m, &dd);
        if (ipsim_date_from_ymd(y, m, dd) != d) bad++;
    }
    CHECK(bad == 0, "%d dates do not round-trip", bad);
    ipsim_date x = 0;
    char buf[16];
    CHECK(ipsim_date_parse("2024-02-29", &x) == 0, "leap day 2024");
    ipsim_date_format(x, buf);
    CHECK(strcmp(buf, "2024-02-29") == 0, "format %s", buf);
    CHECK(ipsim_date_parse("2025-02-29", &x) == -2, "2025-02-29");
    CHECK(ipsim_date_parse("1900-02-29", &x) == -2, "1900-02-29");
    CHECK(ipsim_date_parse("2000-02-29", &x) == 0, "2000-02-29");
    CHECK(ipsim_date_parse("2025-04-31", &x) == -2, "2025-04-31");
    CHECK(ipsim_date_parse("2025-1-01", &x) != 0, "2025-1-01");
    CHECK(ipsim_date_parse("2025-01-01x", &x) != 0, "trailing");
    CHECK(ipsim_date_parse("", &x) != 0, "empty date");
    CHECK(strcmp(ipsim_segment_names[IPSIM_SEG_MAINSTREAM], "mainstream") == 0, "segment names");
    CHECK(strcmp(ipsim_mechanism_names[MECH_E], "E") == 0, "mechanism names");
}

/* Issue 11, finding 10: dates in 1900-01-01..2200-12-31, numbers read as
 * another integer than written, files quoted only when they start like
 * JSON. (End to end: tests/test_loader_limits.py.) */
static void test_finding10(void)
{
    char buf[16], why[1024] = "", err[2048] = "";
    /* finding10_date_range */
    CHECK(IPSIM_DATE_MIN == ipsim_date_from_ymd(1900, 1, 1), "IPSIM_DATE_MIN is not 1900-01-01");
    CHECK(IPSIM_DATE_MAX == ipsim_date_from_ymd(2200, 12, 31), "IPSIM_DATE_MAX is not 2200-12-31");
    ipsim_date_format(IPSIM_DATE_MIN, buf);
    CHECK(strcmp(buf, IPSIM_DATE_MIN_TEXT) == 0, "IPSIM_DATE_MIN_TEXT %s", buf);
    ipsim_date_format(IPSIM_DATE_MAX, buf);
    CHECK(strcmp(buf, IPSIM_DATE_MAX_TEXT) == 0, "IPSIM_DATE_MAX_TEXT %s", buf);
    ipsim_scenario *sc = NULL;
    ipsim_status st = ipsim_scenario_load("scenarios/jiamusi_baseline.json", &sc, err, sizeof err);
    CHECK(st == IPSIM_OK, "baseline: %s", err);
    if (sc) {
        expect_set_fails(sc, "simulation.start_date=9999-06-01", IPSIM_ERR_DATA,
                         "simulation.start_date: expected a date from 1900-01-01 to 2200-12-31, "
                         "found \"9999-06-01\"");
        expect_set_fails(sc, "simulation.start_date=2200-12-31", IPSIM_ERR_DATA,
                         "simulation.days: expected an integer in [1, 1] (so that the simulated "
                         "period ends on or before 2200-12-31), found 365");
        expect_set_fails(sc, "simulation.start_date=1900-01-01", IPSIM_ERR_DATA,
                         "simulation.warmup_days: expected an integer in [0, 0] (so that the "
                         "warm-up starts on or after 1900-01-01), found 60");
        expect_set_fails(sc, "calendar.vacations[0].end=2201-01-01", IPSIM_ERR_DATA,
                         "calendar.vacations[0].end: expected a date from 1900-01-01");
        /* finding10_seed_2p53 */
        expect_set_fails(sc, "simulation.seed=9007199254740993.0", IPSIM_ERR_DATA,
                         "found 9007199254740993.0 (a JSON number cannot hold it exactly and reads "
                         "as 9007199254740992)");
        CHECK(ipsim_scenario_set(sc, "simulation.seed=9007199254740993", err, sizeof err) == IPSIM_OK &&
                  ipsim_scenario_data(sc)->simulation.seed == 9007199254740993ull,
              "--set simulation.seed=9007199254740993: %s", err);
        ipsim_scenario_destroy(sc);
    }
    static const char *const inexact[] = {"9007199254740993", "9007199254740993.0",
                                          "9.007199254740993e15", "-9007199254740993",
                                          "1.0000000000000001", "12345678901234567",
                                          "18446744073709551615"};
    static const char *const exact[] = {"9007199254740992", "1e3", "1E+2", "-0", "0.5", "365.0",
                                        "10000000000000000000000", "100000000000000000000e-5",
                                        "0.000e5", "123456789012345"};
    for (size_t i = 0; i < sizeof inexact / sizeof inexact[0] + sizeof exact / sizeof exact[0]; i++) {
        int want = i < sizeof inexact / sizeof inexact[0];
        const char *lit = want ? inexact[i] : exact[i - sizeof inexact / sizeof inexact[0]];
        char text[64];
        snprintf(text, sizeof text, "{\"a\": [\"9\", %s]}", lit);
        cJSON *root = NULL;
        st = ipsim_json_parse(text, strlen(text), &root, why, sizeof why);
        CHECK(st == IPSIM_OK, "parse %s: %s", text, why);
        if (root == NULL) continue;
        const cJSON *num = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "a"), 1);
        cJSON *copy = cJSON_Duplicate(root, 1);
        const char *got = ipsim__json_inexact_integer(num);
        const char *kept = ipsim__json_inexact_integer(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(copy, "a"), 1));
        if (want)
            CHECK(got && strcmp(got, lit) == 0 && kept && strcmp(kept, lit) == 0,
                  "%s: not marked as read inexactly (%s)", lit, got ? got : "NULL");
        else
            CHECK(got == NULL, "%s: marked as read inexactly", lit);
        CHECK(ipsim__json_inexact_integer(cJSON_GetObjectItemCaseSensitive(root, "a")) == NULL,
              "an array is not a number");
        cJSON_Delete(copy);
        cJSON_Delete(root);
    }
    /* finding10_no_quote */
    static const char shadow[] = "root:$y$j9T$abc:19000::\n";
    cJSON *root = NULL;
    st = ipsim_json_parse(shadow, strlen(shadow), &root, why, sizeof why);
    CHECK(st == IPSIM_ERR_DATA && root == NULL &&
              strcmp(why, "not a JSON document (the first character is not '{' or '[')") == 0,
          "a non-JSON document: %s", why);
    st = ipsim__json_parse_value(shadow, strlen(shadow), &root, why, sizeof why);
    CHECK(st == IPSIM_ERR_DATA && strstr(why, "near 'root:"), "a --set value is quoted: %s", why);
    static const char binary[] = "\xEF\xBB\xBF\n \x7F\xFF";
    st = ipsim_json_parse(binary, strlen(binary), &root, why, sizeof why);
    CHECK(st == IPSIM_ERR_DATA && strstr(why, "not a JSON document") && !strstr(why, "0x"),
          "a binary document: %s", why);
    st = ipsim_json_parse("\n [1,\n x", 8, &root, why, sizeof why);
    CHECK(st == IPSIM_ERR_DATA && strstr(why, "line 3, column 2: invalid JSON near 'x'"),
          "a JSON-like document is quoted: %s", why);
    st = ipsim_json_parse("\"abc\"", 5, &root, why, sizeof why);
    CHECK(st == IPSIM_OK && cJSON_IsString(root), "a valid scalar document: %s", why);
    cJSON_Delete(root);
    st = ipsim_json_parse(" \n", 2, &root, why, sizeof why);
    CHECK(st == IPSIM_ERR_DATA && strstr(why, "the file is empty"), "empty document: %s", why);
}

int main(void)
{
    if (chdir(IPSIM_SOURCE_DIR) != 0) {
        printf("cannot chdir to %s\n", IPSIM_SOURCE_DIR);
        return 1;
    }
    test_scenarios_dir();
    test_set();
    test_defaults();
    test_base_merge();
    test_bad_scenarios();
    test_schema();
    test_misc();
    test_finding10();
    return harness_summary();
}
