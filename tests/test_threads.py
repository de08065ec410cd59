#!/usr/bin/python3
"""Threads that never hurt (issue 13; README.md, section Threads):
  - `ipsim validate`, `resolve`, `schema`, `info` and `sweep --dry-run`
    start no thread (counted with strace -f: clone calls with
    CLONE_THREAD);
  - a small run (fewer than IPSIM_SMALL_RUN_AGENTS agents) starts no thread
    by default, and `--threads 2` is exact: one thread more than the
    program's own;
  - OpenMP threads wait passively unless the user set OMP_WAIT_POLICY
    (OMP_DISPLAY_ENV shows libgomp's setting);
  - a sweep of small units at --threads 2 runs two units at once (it starts
    threads) and writes the same datasets, bit for bit, as at --threads 1.
The thread counts are skipped when strace is missing or cannot trace.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_common import BIN, SRC, assert_same, check, grid_experiment, ipsim  # noqa: E402

BASELINE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
SMALL_SCALE = "20000"  # about 6,000 agents: a small run


def threads_started(*args, env=None):
    """Threads the command starts (None when strace cannot tell)."""
    p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=clone,clone3", BIN] + list(args),
                       capture_output=True, text=True, cwd=SRC, env=env)
    if "PTRACE" in p.stderr and p.returncode != 0 or "Operation not permitted" in p.stderr:
        return None
    check(p.returncode == 0, "strace ipsim %s" % " ".join(args), p)
    return sum(1 for line in p.stderr.splitlines() if "CLONE_THREAD" in line)


def wait_policy(env_extra):
    env = dict(os.environ, OMP_DISPLAY_ENV="true")
    env.pop("OMP_WAIT_POLICY", None)
    env.update(env_extra)
    p = subprocess.run([BIN, "validate", BASELINE], capture_output=True, text=True, env=env)
    check(p.returncode == 0, "validate with OMP_DISPLAY_ENV", p)
    for line in p.stderr.splitlines():
        if "OMP_WAIT_POLICY" in line:
            return line.split("=")[1].strip().strip("'")
    return None


def main():
    tmp = tempfile.mkdtemp(prefix="ipsim-threads.")
    try:
        policy = wait_policy({})
        check(policy == "PASSIVE", "OpenMP waits passively by default (got %r)" % policy)
        policy = wait_policy({"OMP_WAIT_POLICY": "active"})
        check(policy == "ACTIVE", "a user's OMP_WAIT_POLICY wins (got %r)" % policy)
        print("ok: OMP_WAIT_POLICY passive by default, the user's setting kept")

        run = os.path.join(tmp, "run.h5")
        p = ipsim("run", BASELINE, "-o", run, "--scale", SMALL_SCALE, "-q")
        check(p.returncode == 0, "small run", p)
        exp = grid_experiment(os.path.join(tmp, "grid.json"), points=3, replicates=2)
        env = dict(os.environ)
        env.pop("OMP_NUM_THREADS", None)
        if shutil.which("strace") is None or threads_started("schema", env=env) is None:
            print("skip: thread counts (no strace, or it cannot trace here)")
        else:
            for args in (["validate", BASELINE], ["resolve", BASELINE], ["schema"],
                         ["info", run], ["sweep", exp, "--dry-run"]):
                n = threads_started(*args, env=env)
                check(n == 0, "ipsim %s starts no thread (started %d)" % (" ".join(args), n))
                print("ok: ipsim %s starts no thread" % args[0])
            n = threads_started("run", BASELINE, "-o", run, "--force", "--scale", SMALL_SCALE,
                                "-q", env=env)
            check(n == 0, "a small run starts no thread by default (started %d)" % n)
            n = threads_started("run", BASELINE, "-o", run, "--force", "--scale", SMALL_SCALE,
                                "-q", "--threads", "2", env=env)
            check(n == 1, "--threads 2 is exact: one thread besides the program's (started %d)" % n)
            print("ok: a small run is single-threaded by default; --threads 2 is exact")
            n = threads_started("sweep", exp, "-o", os.path.join(tmp, "traced.h5"), "-q",
                                "--threads", "2", env=env)
            check(n >= 1, "a sweep of small units at --threads 2 runs units at once (started %d)" % n)
            print("ok: a sweep of small units at --threads 2 starts %d thread(s)" % n)

        one, two = os.path.join(tmp, "t1.h5"), os.path.join(tmp, "t2.h5")
        for out, t in ((one, "1"), (two, "2")):
            p = ipsim("sweep", exp, "-o", out, "-q", "--threads", t)
            check(p.returncode == 0, "sweep --threads %s" % t, p)
        n = assert_same(one, two)
        print("ok: sweep at --threads 1 and 2 (units at once): %d datasets bitwise equal" % n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
