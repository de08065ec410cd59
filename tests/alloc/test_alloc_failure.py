#!/usr/bin/python3
"""Allocation-failure suite (issue 10; SQLite's test_malloc.c idea).

For `ipsim validate`, `ipsim run`, `ipsim sweep` and the problem loader of
`ipsim optimize` (--dry-run; the whole optimize as "optimize_run" when
named) on small inputs (tests/alloc/small.json, small_sweep.json,
small_optimize.json), make the N-th
allocation of libipsim, the command line and cJSON fail, for every N from 1
to the number of allocations the command makes, and require each attempt to
either
  - succeed (exit 0) with output identical to an undisturbed run (validate:
    the same standard output; run and sweep: every dataset and attribute
    bitwise equal, scripts/h5same.py), or
  - exit 71 (EX_OSERR, "out of memory") and leave no output file and no
    temporary file behind.
Anything else - above all exit 0 with wrong output (a false success) - fails.

Run by ctest (label "alloc") with IPSIM_BIN, IPSIM_FAILALLOC_BIN and
IPSIM_SOURCE_DIR set; by hand:
    IPSIM_BIN=build/ipsim IPSIM_FAILALLOC_BIN=build/tests/alloc/ipsim_failalloc \\
        /usr/bin/python3 tests/alloc/test_alloc_failure.py [validate|run|sweep]...
IPSIM_ALLOC_JOBS (default 2) attempts run at once; IPSIM_ALLOC_STRIDE=K
tries only every K-th N (a quick look; CI uses 1).
"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
FBIN = os.environ.get("IPSIM_FAILALLOC_BIN") or os.path.join(SRC, "build", "tests", "alloc", "ipsim_failalloc")
JOBS = int(os.environ.get("IPSIM_ALLOC_JOBS", "2"))
STRIDE = int(os.environ.get("IPSIM_ALLOC_STRIDE", "1"))
SMALL = os.path.join(SRC, "tests", "alloc", "small.json")
SWEEP = os.path.join(SRC, "tests", "alloc", "small_sweep.json")
OPTIMIZE = os.path.join(SRC, "tests", "alloc", "small_optimize.json")
EX_OSERR = 71
sys.path.insert(0, os.path.join(SRC, "scripts"))
import h5same  # noqa: E402  (scripts/h5same.py)

# command name -> (arguments with {out} for the output file, whether it writes a file)
COMMANDS = {
    "validate": (["validate", SMALL], False),
    "run": (["run", SMALL, "-o", "{out}", "--threads", "1", "-q"], True),
    "sweep": (["sweep", SWEEP, "-o", "{out}", "--threads", "1", "-q"], True),
    "optimize": (["optimize", OPTIMIZE, "--dry-run"], False),  # the problem loader
    "optimize_run": (["optimize", OPTIMIZE, "-o", "{out}", "--threads", "1", "-q"], True),
}
# run only when named (26,000 allocations: twice the sweep's)
ON_DEMAND = {"optimize_run"}


def args_for(name, out):
    return [a.replace("{out}", out) for a in COMMANDS[name][0]]


def attempt(name, n, work, reference):
    """Run the command with the n-th allocation failing; None if fine, else a message."""
    d = tempfile.mkdtemp(dir=work)
    out = os.path.join(d, "out.h5")
    env = dict(os.environ, IPSIM_FAILALLOC_N=str(n))
    p = subprocess.run([FBIN, *args_for(name, out)], cwd=SRC, env=env, capture_output=True, text=True, timeout=120)
    writes = COMMANDS[name][1]
    left = sorted(f for f in os.listdir(d) if not f.endswith(".journal"))
    try:
        if p.returncode == 0:
            if writes:
                if not os.path.exists(out):
                    return "exit 0 but no output file"
                import io
                import contextlib
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    same = h5same.main(out, reference) == 0
                if not same:
                    return "FALSE SUCCESS: exit 0 with different output: " + err.getvalue().strip()[:400]
                if left != ["out.h5"]:
                    return "exit 0 but stray files %s" % left
            elif p.stdout != reference:
                return "FALSE SUCCESS: exit 0 with different output: %r (expected %r)" % (p.stdout[:200], reference[:200])
            return None
        if p.returncode == EX_OSERR:
            if writes and left:
                return "exit 71 but left %s" % left
            return None
        return "exit %d (expected 0 or 71): %s" % (p.returncode, p.stderr.strip()[-300:])
    finally:
        for root, dirs, files in os.walk(d, topdown=False):
            for f in files:
                os.unlink(os.path.join(root, f))
            os.rmdir(root)


def check_command(name, work):
    # the undisturbed reference, from the ordinary program
    ref_out = os.path.join(work, name + "_ref.h5")
    p = subprocess.run([BIN, *args_for(name, ref_out)], cwd=SRC, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        return ["reference %s failed (exit %d): %s" % (name, p.returncode, p.stderr)]
    reference = ref_out if COMMANDS[name][1] else p.stdout
    # how many allocations an undisturbed run of the wrapped program makes
    count_file = os.path.join(work, name + ".count")
    d = tempfile.mkdtemp(dir=work)
    env = dict(os.environ, IPSIM_FAILALLOC_COUNT=count_file)
    p = subprocess.run([FBIN, *args_for(name, os.path.join(d, "out.h5"))], cwd=SRC, env=env,
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        return ["undisturbed %s of the failalloc program failed (exit %d): %s" % (name, p.returncode, p.stderr)]
    total = int(open(count_file).read())
    ns = list(range(1, total + 1, STRIDE))
    problems = []
    outcomes = {0: 0, EX_OSERR: 0}
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
        for n, msg in zip(ns, pool.map(lambda n: attempt(name, n, work, reference), ns)):
            if msg:
                problems.append("%s, allocation %d of %d fails: %s" % (name, n, total, msg))
    print("%-8s %d allocations, %d tried, %d problems" % (name, total, len(ns), len(problems)), flush=True)
    return problems


def main(argv):
    names = argv or [n for n in COMMANDS if n not in ON_DEMAND]
    problems = []
    with tempfile.TemporaryDirectory(prefix="ipsim-alloc-") as work:
        for name in names:
            problems += check_command(name, work)
    for line in problems[:60]:
        print("FAIL " + line)
    if len(problems) > 60:
        print("... and %d more" % (len(problems) - 60))
    print("%d problems" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
