#!/usr/bin/python3
"""MPI sweeps (registered only with -DIPSIM_MPI=ON): a sweep under mpirun
with 2 and 3 ranks writes the same datasets as the serial sweep, and a
sharded sweep run under MPI merges to the same file too.

    IPSIM_BIN=build-mpi/ipsim /usr/bin/python3 tests/test_sweep_mpi.py
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_common import BIN, SSD, assert_same, check, grid_experiment, ipsim  # noqa: E402

MPIRUN = shutil.which("mpirun")


def main():
    if not MPIRUN:
        print("mpirun not found (apt-get install openmpi-bin)")
        return 1
    tmp = tempfile.mkdtemp(prefix="ipsim-mpi-")
    failed = 0
    try:
        exp = grid_experiment(os.path.join(tmp, "grid.json"), points=3, replicates=3)
        serial = os.path.join(tmp, "serial.h5")
        p = ipsim("sweep", exp, "-o", serial, "-q")
        check(p.returncode == 0, "serial sweep", p)
        for n in (2, 3):
            t0 = time.time()
            out = os.path.join(tmp, "mpi%d.h5" % n)
            p = ipsim("sweep", exp, "-o", out, "-q",
                      prefix=(MPIRUN, "-np", str(n), "--oversubscribe", "--allow-run-as-root"))
            try:
                check(p.returncode == 0, "mpirun -np %d sweep" % n, p)
                k = assert_same(serial, out)
                print("ok   mpirun -np %d: %d datasets identical to the serial sweep (%.1fs)"
                      % (n, k, time.time() - t0))
            except AssertionError as e:
                failed += 1
                print("FAIL mpirun -np %d: %s" % (n, e))
        # the shipped arms experiment, with per-market outcomes, under 2 ranks
        a, b = os.path.join(tmp, "ssd_serial.h5"), os.path.join(tmp, "ssd_mpi.h5")
        p1 = ipsim("sweep", SSD, "-o", a, "--replicates", "2", "--scale", "40000", "-q")
        p2 = ipsim("sweep", SSD, "-o", b, "--replicates", "2", "--scale", "40000", "-q",
                   prefix=(MPIRUN, "-np", "2", "--oversubscribe", "--allow-run-as-root"))
        try:
            check(p1.returncode == 0 and p2.returncode == 0, "arms sweeps", p2)
            k = assert_same(a, b)
            print("ok   arms experiment: %d datasets identical under MPI" % k)
        except AssertionError as e:
            failed += 1
            print("FAIL arms experiment under MPI: %s" % e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s" % ("all MPI sweep tests passed" if not failed else "%d failed" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
