/*
 * harness.h - the one pass/fail harness of the C tests (after GSL's
 * gsl_test): every check is counted, a failed one is printed with its file,
 * line and message, and the summary line and exit code are the same for
 * every test program.
 *
 *   CHECK(cond, "printf format", ...);   count one check
 *   harness_verbose(1);                  also print the checks that pass
 *   return harness_summary();            "N passed, M failed"; 0 or 1
 *
 * Header only: each test program is one file (tests/CMakeLists.txt), so the
 * counters are static to it.
 */
#ifndef IPSIM_TESTS_HARNESS_H
#define IPSIM_TESTS_HARNESS_H

#include <stdarg.h>
#include <stdio.h>

static struct {
    int passed, failed, verbose;
} harness_state;

/* Count one check: a failure prints "FAIL file:line: message", a pass
 * prints "ok   message" in verbose mode. Returns ok. */
static inline int harness_check(int ok, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static inline int harness_check(int ok, const char *file, int line, const char *fmt, ...) {
    if (ok) {
        harness_state.passed++;
        if (!harness_state.verbose) return ok;
        printf("ok   ");
    } else {
        harness_state.failed++;
        printf("FAIL %s:%d: ", file, line);
    }
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    return ok;
}

#define CHECK(cond, ...) harness_check((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

/* Print the checks that pass too (on = 1) or only the failures (0). */
static inline void harness_verbose(int on) { harness_state.verbose = on; }

/* Checks failed so far (a test may stop early on a broken prerequisite). */
static inline int harness_failures(void) { return harness_state.failed; }

/* Print "N passed, M failed" and return the exit code: 0 if every check
 * passed and at least one ran, else 1. */
static inline int harness_summary(void) {
    printf("%d passed, %d failed\n", harness_state.passed, harness_state.failed);
    return harness_state.failed == 0 && harness_state.passed > 0 ? 0 : 1;
}

#endif /* IPSIM_TESTS_HARNESS_H */
