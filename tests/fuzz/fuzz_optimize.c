/*
 * fuzz_optimize.c - libFuzzer harness for the allocation-problem loader
 * (ipsim_optimize_load): strict JSON, the top level, the campaign and
 * objective windows, the decision variables (markets, segments, channels,
 * months, split, unit, bounds), replicates, seed, the algorithm and the
 * plans (scenario files checked against the base).
 *
 * The loader reads a file and resolves paths against its directory: the
 * input is written under a scratch folder of scenario links
 * (loader_harness.h).
 *
 * Properties beyond "no crash, no leak, no UB": a failure leaves *out NULL
 * with a message; a success describes itself in one line.
 */
#define _POSIX_C_SOURCE 200809L

#include "ipsim/ipsim.h"
#include "ipsim/optimize.h"
#include "loader_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FUZZ_ERRLEN];
    ipsim_optimize *op = (ipsim_optimize *)(uintptr_t)1;
    ipsim_status st;
    const char *input = fuzz_loader_input(data, size, "experiments", "opt");

    memset(err, 'x', sizeof err);
    err[0] = '\0';
    st = ipsim_optimize_load(input, &op, err, sizeof err);
    fuzz_check_message(err, sizeof err, st != IPSIM_OK);
    if (st != IPSIM_OK) {
        FUZZ_CHECK(op == NULL);
        return 0;
    }
    FUZZ_CHECK(op != NULL);
    char *d = ipsim_optimize_describe(op);
    FUZZ_CHECK(d != NULL && d[0] != '\0');
    free(d);
    FUZZ_CHECK(ipsim_optimize_summary(op) == NULL); /* nothing to summarise before a run */
    ipsim_optimize_destroy(op);
    return 0;
}
