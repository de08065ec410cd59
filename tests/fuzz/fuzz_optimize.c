/*
 * fuzz_optimize.c - libFuzzer harness for the allocation-problem loader
 * (ipsim_optimize_load): strict JSON, the top level, the campaign and
 * objective windows, the decision variables (markets, segments, channels,
 * months, split, unit, bounds), replicates, seed, the algorithm and the
 * plans (scenario files checked against the base).
 *
 * The loader reads a file and resolves "base" and the plans' "scenario"
 * against the file's directory, so each input is written to
 * TMP/experiments/input.json, where TMP (made once, removed at exit) holds
 * links to every scenario file (scenarios/NAME.json): seeds name
 * "../jiamusi_baseline.json" as the shipped problems do.
 *
 * Properties beyond "no crash, no leak, no UB": a failure leaves *out NULL
 * with a message; a success describes itself in one line.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipsim/optimize.h"
#include "ipsim/ipsim.h"

#ifndef IPSIM_SOURCE_DIR
#define IPSIM_SOURCE_DIR "."
#endif

#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond))                                                                            \
            abort();                                                                            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the harness's process state: its scratch directory */
static char g_dir[PATH_MAX];
static char g_input[PATH_MAX + 32];

static void remove_scratch(void)
{
    DIR *d;
    struct dirent *e;
    char p[PATH_MAX + 300];
    unlink(g_input);
    snprintf(p, sizeof p, "%s/experiments", g_dir);
    rmdir(p);
    if ((d = opendir(g_dir)) != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(g_dir);
}

static void make_scratch(void)
{
    const char *tmpdir = getenv("TMPDIR");
    const char *env = getenv("IPSIM_FUZZ_SCENARIOS");
    const char *src = env && *env ? env : IPSIM_SOURCE_DIR "/scenarios";
    char p[PATH_MAX + 300], target[PATH_MAX + 300];
    DIR *d;
    struct dirent *e;
    snprintf(g_dir, sizeof g_dir, "%s/ipsim-fuzz-opt.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    FUZZ_CHECK(mkdtemp(g_dir) != NULL);
    snprintf(p, sizeof p, "%s/experiments", g_dir);
    FUZZ_CHECK(mkdir(p, 0700) == 0);
    snprintf(g_input, sizeof g_input, "%s/experiments/input.json", g_dir);
    d = opendir(src);
    if (!d) {
        fprintf(stderr, "fuzz_optimize: cannot open %s (set IPSIM_FUZZ_SCENARIOS)\n", src);
        abort();
    }
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(target, sizeof target, "%s/%s", src, e->d_name);
        snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
        if (symlink(target, p) != 0) {
            /* not fatal: that scenario is then missing */
        }
    }
    closedir(d);
    atexit(remove_scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[2048];
    ipsim_optimize *op = (ipsim_optimize *)(uintptr_t)1;
    ipsim_status st;
    FILE *f;

    if (!g_dir[0])
        make_scratch();
    f = fopen(g_input, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);

    memset(err, 'x', sizeof err);
    err[0] = '\0';
    st = ipsim_optimize_load(g_input, &op, err, sizeof err);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    if (st != IPSIM_OK) {
        FUZZ_CHECK(op == NULL);
        FUZZ_CHECK(err[0] != '\0');
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
