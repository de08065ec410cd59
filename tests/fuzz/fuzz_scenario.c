/*
 * fuzz_scenario.c - libFuzzer harness for the scenario loader
 * (ipsim_scenario_load_buffer): strict JSON, base chains, merging,
 * validation against the field tables.
 *
 * Properties checked beyond "no crash, no leak, no UB" (ASan/UBSan):
 *   - the status is one of the documented ones and, on failure, *out is
 *     NULL and the message is non-empty and NUL-terminated;
 *   - on success the resolved document (ipsim_scenario_to_json) loads
 *     again and resolves to the same text (a fixed point), and a clone
 *     resolves to the same text too;
 *   - ipsim_model_memory_estimate never returns a negative or NaN figure.
 *
 * A "base" in the input resolves relative to the current directory;
 * scripts/fuzz runs this harness from scenarios/, so seeds that name
 * "jiamusi_baseline.json" work.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipsim/ipsim.h"

#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond))                                                                            \
            abort();                                                                            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[2048];
    ipsim_scenario *sc = (ipsim_scenario *)(uintptr_t)1;
    ipsim_status st;

    memset(err, 'x', sizeof err);
    err[0] = '\0';
    st = ipsim_scenario_load_buffer((const char *)data, size, "fuzz", &sc, err, sizeof err);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    if (st != IPSIM_OK) {
        FUZZ_CHECK(sc == NULL);
        FUZZ_CHECK(st == IPSIM_ERR_DATA || st == IPSIM_ERR_NOINPUT || st == IPSIM_ERR_NOMEM ||
                   st == IPSIM_ERR_LIMIT);
        FUZZ_CHECK(err[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(sc != NULL);
    FUZZ_CHECK(ipsim_scenario_name(sc) != NULL);

    {
        char *text = ipsim_scenario_to_json(sc);
        ipsim_scenario *again = NULL, *copy;
        char *text2, *text3;
        ipsim_run_options opt;
        double est;

        FUZZ_CHECK(text != NULL);
        err[0] = '\0';
        st = ipsim_scenario_load_buffer(text, strlen(text), "fuzz-resolved", &again, err,
                                        sizeof err);
        FUZZ_CHECK(st == IPSIM_OK); /* the resolved scenario must load again */
        text2 = ipsim_scenario_to_json(again);
        FUZZ_CHECK(text2 != NULL && strcmp(text, text2) == 0);

        copy = ipsim_scenario_clone(sc);
        FUZZ_CHECK(copy != NULL);
        text3 = ipsim_scenario_to_json(copy);
        FUZZ_CHECK(text3 != NULL && strcmp(text, text3) == 0);

        memset(&opt, 0, sizeof opt);
        ipsim_run_options_init(&opt);
        est = ipsim_model_memory_estimate(sc, &opt);
        FUZZ_CHECK(!isnan(est) && est >= 0.0);

        free(text);
        free(text2);
        free(text3);
        ipsim_scenario_destroy(again);
        ipsim_scenario_destroy(copy);
    }
    ipsim_scenario_destroy(sc);
    return 0;
}
