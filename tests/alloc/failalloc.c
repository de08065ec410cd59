/*
 * failalloc.c - allocation-failure injection for the ipsim program (tests
 * only; SQLite's test_malloc.c idea).
 *
 * Linked into the test program ipsim_failalloc (the ipsim command line with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,
 * --wrap=aligned_alloc,--wrap=mmap: the agents' records are mapped,
 * sim/base/bigalloc.c), so every
 * allocation made by libipsim and the command line itself, and, through
 * cJSON_InitHooks, every allocation of cJSON, goes through the counters
 * below. Allocations inside other shared libraries (HDF5, GSL, libgomp,
 * libc's stdio) are not counted.
 *
 * Environment:
 *   IPSIM_FAILALLOC_N=N       the N-th counted allocation (from 1) fails,
 *                             once (a transient failure; 0 or unset: none)
 *   IPSIM_FAILALLOC_STICKY=1  the N-th and every later allocation fails
 *   IPSIM_FAILALLOC_TRACE=1   print a backtrace of the failing call on stderr
 *                             (addresses: resolve them with addr2line -f -e)
 *   IPSIM_FAILALLOC_COUNT=F   at exit, write the number of counted
 *                             allocations to the file F (for the driver,
 *                             tests/test_alloc_failure.py, to know the
 *                             range of N)
 * Counting is serialised with an atomic counter; the driver runs with
 * --threads 1 so that the N-th allocation is the same one every time.
 */
#define _GNU_SOURCE   /* backtrace */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <execinfo.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cjson/cJSON.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__real_aligned_alloc(size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void *__wrap_aligned_alloc(size_t a, size_t n);
void *__real_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);

static atomic_ullong failalloc_count;
static unsigned long long failalloc_n;
static int failalloc_sticky;
static int failalloc_trace;

enum { FAILALLOC_TRACE_DEPTH = 16 };

/* Count one allocation; return 1 when it must fail. */
static int failalloc_fails(void) {
    unsigned long long k = atomic_fetch_add(&failalloc_count, 1) + 1;
    if (failalloc_n == 0) return 0;
    int fail = failalloc_sticky ? k >= failalloc_n : k == failalloc_n;
    if (fail && failalloc_trace) {
        void *frames[FAILALLOC_TRACE_DEPTH];
        int depth = backtrace(frames, FAILALLOC_TRACE_DEPTH);
        backtrace_symbols_fd(frames, depth, STDERR_FILENO);
    }
    return fail;
}

void *__wrap_malloc(size_t n) { return failalloc_fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { return failalloc_fails() ? NULL : __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { return failalloc_fails() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { return failalloc_fails() ? NULL : __real_aligned_alloc(a, n); }
void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off) {
    return failalloc_fails() ? MAP_FAILED : __real_mmap(a, n, prot, flags, fd, off);
}
char *__wrap_strdup(const char *s) {
    if (failalloc_fails()) return NULL;
    size_t n = strlen(s) + 1;
    char *d = __real_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void *failalloc_cjson_malloc(size_t n) { return __wrap_malloc(n); }

static void failalloc_report(void) {
    const char *path = getenv("IPSIM_FAILALLOC_COUNT");
    if (!path || !*path) return;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%llu\n", (unsigned long long)atomic_load(&failalloc_count));
    fclose(f);
}

__attribute__((constructor)) static void failalloc_init(void) {
    const char *n = getenv("IPSIM_FAILALLOC_N");
    const char *sticky = getenv("IPSIM_FAILALLOC_STICKY");
    failalloc_n = n ? strtoull(n, NULL, 10) : 0;
    failalloc_sticky = sticky && strcmp(sticky, "1") == 0;
    const char *trace = getenv("IPSIM_FAILALLOC_TRACE");
    failalloc_trace = trace && strcmp(trace, "1") == 0;
    cJSON_Hooks hooks = {failalloc_cjson_malloc, free};
    cJSON_InitHooks(&hooks);
    atexit(failalloc_report);
}
