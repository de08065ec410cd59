/*
 * fuzz_experiment.c - libFuzzer harness for the experiment loader
 * (ipsim_experiment_load): strict JSON, designs (arms, factorial, grid,
 * lhs, sobol, morris), overrides of every point and the validation of each
 * point's scenario.
 *
 * The loader reads a file and resolves paths against its directory: the
 * input is written under a scratch folder of scenario links
 * (loader_harness.h).
 *
 * Properties beyond "no crash, no leak, no UB": a failure leaves *out NULL
 * with a message; a success has a name, a known design, 1 or more points
 * and replicates.
 */
#define _POSIX_C_SOURCE 200809L

#include "ipsim/experiment.h"
#include "ipsim/ipsim.h"
#include "loader_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FUZZ_ERRLEN];
    ipsim_experiment *e = (ipsim_experiment *)(uintptr_t)1;
    ipsim_status st;
    const char *input = fuzz_loader_input(data, size, "experiments", "xp");

    memset(err, 'x', sizeof err);
    err[0] = '\0';
    st = ipsim_experiment_load(input, &e, err, sizeof err);
    fuzz_check_message(err, sizeof err, st != IPSIM_OK);
    if (st != IPSIM_OK) {
        FUZZ_CHECK(e == NULL);
        return 0;
    }
    FUZZ_CHECK(e != NULL);
    FUZZ_CHECK(ipsim_experiment_name(e) != NULL);
    FUZZ_CHECK(ipsim_experiment_design(e) != NULL);
    FUZZ_CHECK(ipsim_experiment_points(e) >= 1);
    FUZZ_CHECK(ipsim_experiment_replicates(e) >= 1);
    ipsim_experiment_destroy(e);
    return 0;
}
