#!/usr/bin/python3
"""Issue 11 sweep findings under MPI (registered only with -DIPSIM_MPI=ON):

  4  a second MPI sweep of the same output is refused (rank 0 holds OUT.lock)
  5  --resume under MPI refuses a journal of another resolved scenario
 12  a Slurm step of 2 tasks whose MPI world is 1 process is refused; the
     same step launched as a world of 2 ranks runs
 13  --resume of a complete sweep under MPI is a no-op (exit 0)

    IPSIM_BIN=build-mpi/ipsim /usr/bin/python3 tests/test_sweep_safety_mpi.py [NAME...]
"""
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_sweep_safety as t  # noqa: E402
from sweep_common import BIN, SRC, check  # noqa: E402

MPIRUN = shutil.which("mpirun")
EX_USAGE, EX_DATAERR, EX_CANTCREAT = 64, 65, 73


def mpi(n, *args, env=None, timeout=300):
    """ipsim ARGS under mpirun -np n (env passed to the ranks with -x)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    e.update(env or {})
    xs = []
    for k in env or {}:
        xs += ["-x", k]
    cmd = [MPIRUN, "-np", str(n), "--oversubscribe", "--allow-run-as-root", *xs, BIN, *args]
    try:
        return subprocess.run(cmd, cwd=SRC, capture_output=True, text=True, timeout=timeout,
                              env=e)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, -999, "", "timed out after %ss" % timeout)


def finding4_mpi_two_writers_refused():
    # enough units that the first sweep is still running when the second
    # mpirun has been refused and SIGINT reaches it: 3000 units sometimes
    # finished first (2 ranks, units side by side: 1 of 3 runs on a fresh
    # clone, 2026-12-02); 40000 units take minutes
    d, base, exp = t.setup("m4", replicates=40000)
    out = os.path.join(d, "o.h5")
    e = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    first = subprocess.Popen([MPIRUN, "-np", "2", "--oversubscribe", "--allow-run-as-root", BIN,
                              "sweep", exp, "-o", out, "-q"], cwd=SRC, env=e,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        check(t.wait_for(lambda: os.path.exists(out + ".journal"), 60), "first sweep started")
        p = mpi(2, "sweep", exp, "-o", out, "--force", "-q", timeout=120)
        check(first.poll() is None, "the first sweep was still running (exit %s: %s)"
              % (first.returncode, first.stderr.read() if first.returncode is not None else ""))
        check(p.returncode == EX_CANTCREAT and "another ipsim" in p.stderr,
              "a second MPI writer is refused", p)
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    p = t.run("sweep", exp, "-o", out, "--resume", "--replicates", "1", "-q")
    check(p.returncode == EX_DATAERR and "replicates 40000 in the journal, 1 now" in p.stderr,
          "the journal is the first sweep's, intact", p)


def finding5_mpi_resume_refuses_another_scenario():
    # enough units that SIGINT lands mid-sweep (20 sometimes all finished
    # first on a fresh clone, 2026-12-02)
    d, base, exp = t.setup("m5", replicates=2000)
    out = os.path.join(d, "o.h5")
    t.interrupt_after_first_unit(exp, out)
    t.set_fluency(base, 0.25)
    p = mpi(2, "sweep", exp, "-o", out, "--resume", "-q")
    check(p.returncode == EX_DATAERR and "point 0 'ref': destination.digital_fluency 0.2 in the "
          "journal, 0.25 now" in p.stderr, "MPI --resume after editing the base refused", p)
    t.set_fluency(base, 0.2)
    p = mpi(2, "sweep", exp, "-o", out, "--resume", "-q")
    check(p.returncode == 0, "MPI --resume with the base restored", p)


def finding12_mpi_world_must_match_slurm():
    d, base, exp = t.setup("m12")
    out = os.path.join(d, "o.h5")
    p = t.run("sweep", exp, "-o", out, "-q", env={"SLURM_STEP_NUM_TASKS": "2"})
    check(p.returncode == EX_USAGE and "world of 1" in p.stderr and "srun --mpi=pmix" in p.stderr,
          "a 2-task Slurm step with an MPI world of 1 is refused", p)
    check(not os.path.exists(out), "nothing written")
    p = mpi(2, "sweep", exp, "-o", out, "-q", env={"SLURM_STEP_NUM_TASKS": "2"})
    check(p.returncode == 0, "the same step as a world of 2 ranks runs", p)


def finding13_mpi_resume_of_complete_sweep_is_noop():
    d, base, exp = t.setup("m13")
    out = os.path.join(d, "o.h5")
    p = mpi(2, "sweep", exp, "-o", out, "-q")
    check(p.returncode == 0, "MPI sweep", p)
    before = open(out, "rb").read()
    p = mpi(2, "sweep", exp, "-o", out, "--resume")
    check(p.returncode == 0 and "already complete" in p.stderr, "MPI --resume of a complete sweep",
          p)
    check(open(out, "rb").read() == before, "the file is untouched")


TESTS = [finding4_mpi_two_writers_refused, finding5_mpi_resume_refuses_another_scenario,
         finding12_mpi_world_must_match_slurm, finding13_mpi_resume_of_complete_sweep_is_noop]


def main(argv):
    if not MPIRUN:
        print("mpirun not found (apt-get install openmpi-bin)")
        return 1
    selected = [f for f in TESTS if not argv[1:] or f.__name__ in argv[1:]]
    passed = failed = 0
    for f in selected:
        t0 = time.time()
        try:
            f()
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s (%.1fs): %s" % (f.__name__, time.time() - t0, e))
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print("ok   %s (%.1fs)" % (f.__name__, time.time() - t0))
        sys.stdout.flush()
    shutil.rmtree(t._tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
