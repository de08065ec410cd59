#!/usr/bin/python3
"""The runner shared by the Python end-to-end tests (the Python side of
tests/harness.h): run the test functions named on the command line (all by
default), print "ok"/"FAIL"/"SKIP" per test with its time, a traceback for
anything but a failed check, and a closing count; exit 1 on any failure.

A test is selected by its full name, its name without "test_", or a prefix
followed by "_" (e.g. "finding4" selects "finding4_two_writers_refused").
"""
import os
import shutil
import sys
import time
import traceback


class Skip(Exception):
    """Raised by a test that cannot run here (says why)."""


def _selected(test, args):
    name = test.__name__
    return (not args or name in args or name[5:] in args
            or any(name.startswith(a + "_") for a in args))


def run_tests(tests, argv, binary, scratch=None):
    """Runs the tests of `tests` that argv[1:] selects; `binary` must be an
    executable (the ipsim program under test); `scratch` (a folder) is
    removed at the end. Returns the exit code."""
    if not os.access(binary, os.X_OK):
        print("ipsim program not found at %s (set IPSIM_BIN)" % binary)
        print("0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    for t in [t for t in tests if _selected(t, argv[1:])]:
        t0 = time.time()
        try:
            t()
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (t.__name__, e))
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s (%.1fs): %s" % (t.__name__, time.time() - t0, e))
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print("ok   %s (%.1fs)" % (t.__name__, time.time() - t0))
        sys.stdout.flush()
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0
