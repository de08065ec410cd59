#!/usr/bin/python3
"""Finding 4 of issue 11 under MPI (registered only with -DIPSIM_MPI=ON):
`mpirun -np N ipsim run ... -o OUT --force` used to run the model on every
rank and have every rank write OUT (a 0-byte file in 3 of 11 tries). A run
is one process: started as one of N > 1 MPI ranks it refuses at once
(exit 64), says to use `ipsim sweep`, and writes nothing.

    IPSIM_BIN=build-mpi/ipsim /usr/bin/python3 tests/test_io_safety_mpi.py
"""
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build-mpi", "ipsim")
MPIRUN = shutil.which("mpirun")
EX_USAGE = 64


def finding4_mpi_run_refused(tmp):
    out = os.path.join(tmp, "o.h5")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    for force in (["--force"], []):
        p = subprocess.run([MPIRUN, "-np", "2", "--oversubscribe", BIN, "run",
                            os.path.join(SRC, "scenarios", "mechanism_a.json"), "-o", out,
                            "--scale", "20000", "--days", "30", "-q"] + force,
                           capture_output=True, text=True, env=env, timeout=300)
        what = "mpirun -np 2 ipsim run %s" % " ".join(force)
        if p.returncode == 0:
            raise AssertionError("%s: exit 0 (every rank ran and wrote the file)" % what)
        if "ipsim sweep" not in p.stderr or "MPI ranks" not in p.stderr:
            raise AssertionError("%s: the message does not point to 'ipsim sweep':\n%s" % (what, p.stderr[-800:]))
        if p.stderr.count("started as one of") != 1:
            raise AssertionError("%s: the message is not printed once (rank 0 only):\n%s" % (what, p.stderr[-800:]))
        if os.listdir(tmp):
            raise AssertionError("%s: files written: %s" % (what, os.listdir(tmp)))
    # started alone (mpirun -np 1) it is an ordinary run
    p = subprocess.run([MPIRUN, "-np", "1", BIN, "run", os.path.join(SRC, "scenarios", "mechanism_a.json"),
                        "-o", out, "--scale", "20000", "--days", "30", "-q"],
                       capture_output=True, text=True, env=env, timeout=300)
    if p.returncode != 0 or not os.path.isfile(out):
        raise AssertionError("mpirun -np 1 ipsim run: exit %d\n%s" % (p.returncode, p.stderr[-800:]))


def main():
    if not MPIRUN:
        print("mpirun not found (apt-get install openmpi-bin)")
        return 1
    tmp = tempfile.mkdtemp(prefix="ipsim-safety-mpi-")
    try:
        finding4_mpi_run_refused(tmp)
    except AssertionError as e:
        print("FAIL finding4_mpi_run_refused: %s" % e)
        print("0 passed, 1 failed")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok   finding4_mpi_run_refused")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
