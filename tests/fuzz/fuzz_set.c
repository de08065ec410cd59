/*
 * fuzz_set.c - libFuzzer harness for the --set override parser
 * (ipsim_scenario_set): JSON paths with indices and [name] selectors, the
 * value parser (JSON or a bare word), replacement and whole re-validation.
 *
 * The baseline scenario (scenarios/jiamusi_baseline.json, found through
 * IPSIM_FUZZ_BASELINE, then the source tree) is loaded once. Each input is
 * split at newlines into up to 8 assignments applied in turn to a clone.
 * Properties: a failed assignment leaves the scenario unchanged (same
 * resolved JSON); after each successful one the resolved document loads
 * again as a scenario.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsim/ipsim.h"

#ifndef IPSIM_SOURCE_DIR
#define IPSIM_SOURCE_DIR "."
#endif

#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond))                                                                            \
            abort();                                                                            \
    } while (0)

#define MAX_ASSIGNMENTS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ipsim_scenario *baseline(void)
{
    /* the harness's one piece of process state: the scenario it edits */
    static ipsim_scenario *base;
    if (!base) {
        char err[2048] = "";
        const char *env = getenv("IPSIM_FUZZ_BASELINE");
        const char *path = env && *env ? env : IPSIM_SOURCE_DIR "/scenarios/jiamusi_baseline.json";
        if (ipsim_scenario_load(path, &base, err, sizeof err) != IPSIM_OK) {
            fprintf(stderr, "fuzz_set: cannot load the baseline %s: %s\n", path, err);
            abort();
        }
    }
    return base;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[2048];
    ipsim_scenario *sc;
    char *buf, *line, *next;
    int n = 0;

    if (size > 4096)
        return 0;
    sc = ipsim_scenario_clone(baseline());
    FUZZ_CHECK(sc != NULL);
    buf = malloc(size + 1);
    FUZZ_CHECK(buf != NULL);
    memcpy(buf, data, size);
    buf[size] = '\0';

    for (line = buf; line && n < MAX_ASSIGNMENTS; line = next, n++) {
        char *before, *after;
        ipsim_status st;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        before = ipsim_scenario_to_json(sc);
        FUZZ_CHECK(before != NULL);
        memset(err, 'x', sizeof err);
        err[0] = '\0';
        st = ipsim_scenario_set(sc, line, err, sizeof err);
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        after = ipsim_scenario_to_json(sc);
        FUZZ_CHECK(after != NULL);
        if (st != IPSIM_OK) {
            FUZZ_CHECK(st == IPSIM_ERR_DATA || st == IPSIM_ERR_USAGE || st == IPSIM_ERR_NOMEM ||
                       st == IPSIM_ERR_LIMIT);
            FUZZ_CHECK(err[0] != '\0');
            FUZZ_CHECK(strcmp(before, after) == 0); /* unchanged on failure */
        } else {
            ipsim_scenario *again = NULL;
            err[0] = '\0';
            st = ipsim_scenario_load_buffer(after, strlen(after), "fuzz-set-resolved", &again,
                                            err, sizeof err);
            FUZZ_CHECK(st == IPSIM_OK);
            ipsim_scenario_destroy(again);
        }
        free(before);
        free(after);
    }
    free(buf);
    ipsim_scenario_destroy(sc);
    return 0;
}
