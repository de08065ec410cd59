/*
 * loader_harness.h - the scratch directory shared by the libFuzzer harnesses
 * of loaders that read a file and resolve scenario paths against its
 * directory (experiments, calibrations, allocation problems).
 *
 * Each input is written to TMP/SUBDIR/input.json, where TMP (made once,
 * removed at exit) holds links to every scenario file (scenarios/NAME.json,
 * or $IPSIM_FUZZ_SCENARIOS/NAME.json): seeds name
 * "../jiamusi_baseline.json" as the shipped files under scenarios/SUBDIR do.
 * Header-only: each harness is its own program with its own scratch state.
 */
#ifndef IPSIM_TESTS_FUZZ_LOADER_HARNESS_H
#define IPSIM_TESTS_FUZZ_LOADER_HARNESS_H

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef IPSIM_SOURCE_DIR
#define IPSIM_SOURCE_DIR "."
#endif

#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond))                                                                            \
            abort();                                                                            \
    } while (0)

#define FUZZ_ERRLEN 2048 /* message buffer handed to a loader */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the harness's process state: its scratch directory, the input's folder
 * and the input file */
static char g_dir[PATH_MAX];
static char g_sub[PATH_MAX + 64];
static char g_input[PATH_MAX + 96];

static void fuzz_remove_scratch(void)
{
    DIR *d;
    struct dirent *e;
    char p[PATH_MAX + 300];
    unlink(g_input);
    rmdir(g_sub);
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

static void fuzz_make_scratch(const char *subdir, const char *tag)
{
    const char *tmpdir = getenv("TMPDIR");
    const char *env = getenv("IPSIM_FUZZ_SCENARIOS");
    const char *src = env && *env ? env : IPSIM_SOURCE_DIR "/scenarios";
    char p[PATH_MAX + 300], target[PATH_MAX + 300];
    DIR *d;
    struct dirent *e;
    snprintf(g_dir, sizeof g_dir, "%s/ipsim-fuzz-%s.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp", tag);
    FUZZ_CHECK(mkdtemp(g_dir) != NULL);
    snprintf(g_sub, sizeof g_sub, "%s/%s", g_dir, subdir);
    FUZZ_CHECK(mkdir(g_sub, 0700) == 0);
    snprintf(g_input, sizeof g_input, "%s/input.json", g_sub);
    d = opendir(src);
    if (!d) {
        fprintf(stderr, "fuzz_%s: cannot open %s (set IPSIM_FUZZ_SCENARIOS)\n", tag, src);
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
    atexit(fuzz_remove_scratch);
}

/* Writes the input to TMP/subdir/input.json (making TMP on the first call)
 * and returns that path. */
static const char *fuzz_loader_input(const uint8_t *data, size_t size, const char *subdir,
                                     const char *tag)
{
    FILE *f;
    if (!g_dir[0])
        fuzz_make_scratch(subdir, tag);
    f = fopen(g_input, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
    return g_input;
}

/* Checks a loader's message buffer: terminated, and not empty on failure.
 * Fill err with 'x' and set err[0] = 0 before the call. */
static void fuzz_check_message(const char *err, size_t errlen, int failed)
{
    FUZZ_CHECK(memchr(err, '\0', errlen) != NULL);
    if (failed)
        FUZZ_CHECK(err[0] != '\0');
}

#endif /* IPSIM_TESTS_FUZZ_LOADER_HARNESS_H */
