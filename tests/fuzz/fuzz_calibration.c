/*
 * fuzz_calibration.c - libFuzzer harness for the calibration loader
 * (ipsim_calibration_load): strict JSON, the top level, priors, the
 * algorithm, observed targets (every type, inline or from a file), the
 * fixed overrides and the checks of parameter paths and prior ranges
 * against the scenario.
 *
 * The loader reads a file and resolves paths against its directory: the
 * input is written under a scratch folder of scenario links
 * (loader_harness.h).
 *
 * Properties beyond "no crash, no leak, no UB": a failure leaves *out NULL
 * with a message; a success has a name, 1 to 20 parameters with paths,
 * targets with labels, and 2 or more particles.
 */
#define _POSIX_C_SOURCE 200809L

#include "ipsim/calibrate.h"
#include "ipsim/ipsim.h"
#include "loader_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FUZZ_ERRLEN];
    ipsim_calibration *c = (ipsim_calibration *)(uintptr_t)1;
    ipsim_status st;
    const char *input = fuzz_loader_input(data, size, "calibrations", "cal");

    memset(err, 'x', sizeof err);
    err[0] = '\0';
    st = ipsim_calibration_load(input, &c, err, sizeof err);
    fuzz_check_message(err, sizeof err, st != IPSIM_OK);
    if (st != IPSIM_OK) {
        FUZZ_CHECK(c == NULL);
        return 0;
    }
    FUZZ_CHECK(c != NULL);
    FUZZ_CHECK(ipsim_calibration_name(c) != NULL);
    FUZZ_CHECK(ipsim_calibration_parameter_count(c) >= 1 && ipsim_calibration_parameter_count(c) <= 20);
    for (int i = 0; i < ipsim_calibration_parameter_count(c); i++)
        FUZZ_CHECK(ipsim_calibration_parameter_path(c, i) != NULL);
    FUZZ_CHECK(ipsim_calibration_target_count(c) >= 1);
    for (int i = 0; i < ipsim_calibration_target_count(c); i++)
        FUZZ_CHECK(ipsim_calibration_target_label(c, i) != NULL);
    FUZZ_CHECK(ipsim_calibration_particles(c) >= 2);
    ipsim_calibration_destroy(c);
    return 0;
}
