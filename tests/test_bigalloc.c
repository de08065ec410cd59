/*
 * test_bigalloc.c - the large zeroed arrays of sim/base/bigalloc.c (the
 * agents' records):
 *
 *   - an array of 2 MiB or more is zeroed, aligned to 2 MiB, writable to
 *     its last byte and released; a small one (calloc) and n or size 0 are
 *     valid blocks; n x size past SIZE_MAX is NULL, not a short block;
 *   - on Linux, an array asked for huge pages (IPSIM_BIG_PAGES_HUGE) is
 *     eligible for transparent huge pages in /proc/self/smaps
 *     ("THPeligible: 1") unless the kernel's mode is "never"; with the
 *     default pages and the kernel's mode "madvise" it is not (the build's
 *     default, CMake option IPSIM_HUGE_PAGES, chooses between the two);
 *   - an array asked for the machine's reserved pool (IPSIM_BIG_PAGES_POOL)
 *     is on its 2 MiB pages when the pool has room, taken from and given
 *     back to it, and on the default pages otherwise (check_pool;
 *     tests/test_huge_pool.py reserves a pool to make the first case
 *     happen).
 * Label unit (well under a second).
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/bigalloc.h"
#include "harness.h"

#define MIB ((size_t)1 << 20)
#define BIG_N (5 * MIB + 3) /* bytes: not a whole number of 2 MiB */

/* The kernel's transparent huge page mode: "always", "madvise", "never",
 * or "" where there is none. */
static void thp_mode(char *mode, size_t cap)
{
    mode[0] = '\0';
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return;
    char line[128];
    if (fgets(line, sizeof line, f)) {
        char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
        if (a && b && (size_t)(b - a - 1) < cap) {
            memcpy(mode, a + 1, (size_t)(b - a - 1));
            mode[b - a - 1] = '\0';
        }
    }
    fclose(f);
}

/* The number after `field` (e.g. "THPeligible:", "KernelPageSize:") in
 * the entry of /proc/self/smaps of the mapping that holds p, or -1 if not
 * found. */
static long smaps_value(const void *p, const char *field)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int inside = 0;
    long found = -1;
    size_t len = strlen(field);
    uintptr_t at = (uintptr_t)p;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = at >= lo && at < hi;
        else if (inside && strncmp(line, field, len) == 0) {
            found = atol(line + len);
            break;
        }
    }
    fclose(f);
    return found;
}

/* THPeligible of the mapping that holds p: 0 or 1, or -1 if not found. */
static int thp_eligible(const void *p)
{
    long v = smaps_value(p, "THPeligible:");
    return v < 0 ? -1 : v != 0;
}

/* Free pages of the machine's pool of 2 MiB pages, or -1 if it has none. */
static long pool_free(void)
{
    FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
    long n = -1;
    if (f) {
        if (fscanf(f, "%ld", &n) != 1)
            n = -1;
        fclose(f);
    }
    return n;
}

/* An array asked for the pool's pages (IPSIM_BIG_PAGES_POOL): zeroed,
 * aligned and writable in any case; on 2 MiB pages when the pool had room
 * for it before, and taken from the pool (its free pages fewer by the
 * array's while it lives, as many again after its release); else on the
 * default pages. With IPSIM_TEST_POOL=required (tests/test_huge_pool.py,
 * which reserves the pages) an array not on the pool's pages fails. */
static void check_pool(void)
{
    const long pages = (long)((BIG_N + 2 * MIB - 1) / (2 * MIB));
    const char *want = getenv("IPSIM_TEST_POOL");
    int required = want && strcmp(want, "required") == 0;
    long before = pool_free();
    ipsim_big_pages got = IPSIM_BIG_PAGES_HUGE;
    unsigned char *a = ipsim__big_calloc_pages(BIG_N, 1, IPSIM_BIG_PAGES_POOL, &got);
    CHECK(a != NULL, "an array asked for the pool's pages is allocated (pool: %ld free)", before);
    if (!a)
        return;
    long during = pool_free(), kps = smaps_value(a, "KernelPageSize:");
    CHECK((uintptr_t)a % (2 * MIB) == 0, "it is aligned to 2 MiB");
    size_t nonzero = 0;
    for (size_t i = 0; i < BIG_N; i += 4093)
        nonzero += a[i] != 0;
    CHECK(nonzero == 0 && a[BIG_N - 1] == 0, "it is zeroed");
    memset(a, 0x5a, BIG_N);
    CHECK(a[0] == 0x5a && a[BIG_N - 1] == 0x5a, "it is writable to its last byte");
    if (before >= pages) {
        CHECK(kps == 2048, "with %ld free pages in the pool it is on 2 MiB pages (KernelPageSize %ld kB)", before, kps);
        CHECK(got == IPSIM_BIG_PAGES_POOL, "and says so (got %d)", (int)got);
        CHECK(during == before - pages, "it took its %ld pages from the pool (%ld free -> %ld)", pages, before,
              during);
    } else {
        CHECK(!required, "IPSIM_TEST_POOL=required, but the pool has %ld free pages of the %ld needed", before,
              pages);
        CHECK(kps == 4 || kps < 0, "without room in the pool it is on the default pages (%ld kB)", kps);
        CHECK(got == IPSIM_BIG_PAGES_DEFAULT, "and says so (got %d)", (int)got);
        printf("skip: the pool's pages (%ld free of %ld needed): checked the default pages only\n", before, pages);
    }
    ipsim__big_free(a, BIG_N, 1);
    if (before >= pages)
        CHECK(pool_free() == before, "its release gives the pages back to the pool (%ld free)", pool_free());
}

int main(void)
{
    /* a large array: zeroed, aligned, usable to its end */
    ipsim_big_pages got = IPSIM_BIG_PAGES_POOL;
    unsigned char *a = ipsim__big_calloc(BIG_N, 1, &got);
    CHECK(a != NULL, "a %zu-byte array is allocated", (size_t)BIG_N);
    if (a) {
        CHECK((uintptr_t)a % (2 * MIB) == 0, "it is aligned to 2 MiB");
        CHECK(got == IPSIM_BIG_PAGES_DEFAULT || got == IPSIM_BIG_PAGES_HUGE || got == IPSIM_BIG_PAGES_POOL,
              "it says which pages it is on (%d)", (int)got);
        size_t nonzero = 0;
        for (size_t i = 0; i < BIG_N; i += 4093)
            nonzero += a[i] != 0;
        nonzero += a[BIG_N - 1] != 0;
        CHECK(nonzero == 0, "it is zeroed (%zu sampled bytes are not)", nonzero);
        memset(a, 0xab, BIG_N);
        CHECK(a[BIG_N - 1] == 0xab, "its last byte is writable");
        ipsim__big_free(a, BIG_N, 1);
    }
    /* small and empty arrays, and an overflowing size */
    double *s = ipsim__big_calloc(100, sizeof(double), NULL);
    CHECK(s != NULL && s[99] == 0.0, "a small array is a zeroed calloc block");
    ipsim__big_free(s, 100, sizeof(double));
    void *z = ipsim__big_calloc(0, 16, NULL), *z2 = ipsim__big_calloc(16, 0, NULL);
    CHECK(z != NULL && z2 != NULL, "n or size 0 gives a valid block");
    ipsim__big_free(z, 0, 16);
    ipsim__big_free(z2, 16, 0);
    CHECK(ipsim__big_calloc(SIZE_MAX / 8 + 1, 16, NULL) == NULL, "n x size past SIZE_MAX is NULL");
    ipsim__big_free(NULL, 1, 1); /* a no-op */

    /* huge pages asked for, or not */
    char mode[32];
    thp_mode(mode, sizeof mode);
    if (mode[0] == '\0') {
        printf("skip: no transparent huge pages on this system\n");
    } else {
        unsigned char *h = ipsim__big_calloc_pages(BIG_N, 1, IPSIM_BIG_PAGES_HUGE, NULL);
        unsigned char *d = ipsim__big_calloc_pages(BIG_N, 1, IPSIM_BIG_PAGES_DEFAULT, NULL);
        CHECK(h != NULL && d != NULL, "both arrays are allocated");
        if (h && d) {
            h[0] = d[0] = 1; /* mapped */
            int eh = thp_eligible(h), ed = thp_eligible(d);
            if (eh < 0 || ed < 0) {
                printf("skip: /proc/self/smaps has no THPeligible field\n");
            } else {
                if (strcmp(mode, "never") != 0)
                    CHECK(eh == 1, "an array asked for huge pages is eligible (mode %s)", mode);
                if (strcmp(mode, "madvise") == 0)
                    CHECK(ed == 0, "an array with the default pages is not (mode madvise)");
                if (strcmp(mode, "always") == 0)
                    CHECK(ed == 1, "an array with the default pages is eligible too (mode always)");
            }
        }
        ipsim__big_free(h, BIG_N, 1);
        ipsim__big_free(d, BIG_N, 1);
    }
    check_pool();
    return harness_summary();
}
