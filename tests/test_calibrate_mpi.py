#!/usr/bin/python3
"""MPI over particles in `ipsim calibrate` (registered only with
-DIPSIM_MPI=ON; label mpi).

Specification (scenarios/calibrations/README.md, "Determinism and
parallelism"): under mpirun the ranks share the particle slots of each
generation (slot i on rank i mod size) and rank 0 writes the posterior, which
is the same, bit for bit, as a serial run's at any number of ranks: every
dataset of the posterior file and the simulation count agree. A calibration
killed under MPI resumes, serially, to the same posterior.

    IPSIM_BIN=build-mpi/ipsim /usr/bin/python3 tests/test_calibrate_mpi.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_common import BIN, SRC, check, datasets  # noqa: E402

import numpy as np  # noqa: E402
import h5py  # noqa: E402

MPIRUN = shutil.which("mpirun")
BASE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
_tmp = tempfile.mkdtemp(prefix="ipsim-calmpi-")


def calibration(path):
    """Two parameters, two targets, 9 particles (not a multiple of the ranks),
    3 generations, a short coarse run: seconds per generation."""
    cal = {
        "name": "mpi_test", "description": "test: MPI over particles",
        "scenario": BASE, "scale": 20000, "set": ["simulation.days=60"],
        "parameters": [
            {"path": "destination.digital_fluency", "prior": {"type": "uniform", "low": 0, "high": 1}},
            {"path": "segments.mainstream.spend_per_night_cny",
             "prior": {"type": "uniform", "low": 300, "high": 1300}}],
        "observed": [
            {"metric": "arrivals", "from": "2025-01-01", "to": "2025-02-28", "value": 120000,
             "sd": 20000, "source": "test"},
            {"type": "share", "metric": "spending_cny", "of": {"metric": "arrivals"},
             "from": "2025-01-01", "to": "2025-02-28", "value": 1500, "sd": 200, "source": "test"}],
        "algorithm": {"type": "abc-smc", "particles": 9, "generations": 3, "seed": 5},
    }
    with open(path, "w") as fh:
        json.dump(cal, fh)
    return path


def run(args, n=None, timeout=900):
    cmd = [BIN, *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    if n:
        cmd = [MPIRUN, "-np", str(n), "--oversubscribe", "--allow-run-as-root", *cmd]
    return subprocess.run(cmd, cwd=SRC, capture_output=True, text=True, timeout=timeout, env=env)


def same(a, b):
    da, db = datasets(a), datasets(b)
    check(set(da) == set(db), "dataset lists differ: %s" % sorted(set(da) ^ set(db)))
    for k in sorted(da):
        x, y = np.asarray(da[k]), np.asarray(db[k])
        if x.dtype.kind == "f":
            ok = x.shape == y.shape and np.array_equal(x.view(np.uint64), y.view(np.uint64))
        else:
            ok = x.shape == y.shape and np.array_equal(x, y)
        check(ok, "%s differs between %s and %s" % (k, a, b))
    with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
        for attr in ("simulations", "generations", "stop_reason"):
            check(f.attrs[attr] == g.attrs[attr], "attribute %s: %r != %r"
                  % (attr, f.attrs[attr], g.attrs[attr]))
        for i in range(f.attrs["generations"]):
            for attr in ("tolerance", "acceptance_rate", "ess", "simulations"):
                check(f["generations/%d" % i].attrs[attr] == g["generations/%d" % i].attrs[attr],
                      "generation %d %s differs" % (i, attr))


def test_mpi_equals_serial():
    check(MPIRUN is not None, "mpirun on PATH")
    cal = calibration(os.path.join(_tmp, "cal.json"))
    serial, two, three = (os.path.join(_tmp, n) for n in ("serial.h5", "two.h5", "three.h5"))
    p = run(["calibrate", cal, "-o", serial, "--threads", "1", "-q"])
    check(p.returncode == 0, "serial calibration: %s" % p.stderr[-2000:])
    p = run(["calibrate", cal, "-o", two, "--threads", "1", "-q"], n=2)
    check(p.returncode == 0, "mpirun -n 2 calibration: %s" % p.stderr[-2000:])
    same(serial, two)
    p = run(["calibrate", cal, "-o", three, "--threads", "2"], n=3)
    check(p.returncode == 0, "mpirun -n 3 calibration: %s" % p.stderr[-2000:])
    check("MPI ranks: yes" in p.stderr and p.stdout.count("ipsim posterior file") == 1,
          "rank 0 alone reports: %s" % p.stdout[-500:])
    same(serial, three)


def test_sweep_with_posterior_and_windows_under_mpi():
    check(MPIRUN is not None, "mpirun on PATH")
    cal = calibration(os.path.join(_tmp, "cal.json"))
    post = os.path.join(_tmp, "post.h5")
    if not os.path.exists(post):
        p = run(["calibrate", cal, "-o", post, "--threads", "1", "-q"])
        check(p.returncode == 0, "calibration: %s" % p.stderr[-2000:])
    exp = os.path.join(_tmp, "exp.json")
    with open(exp, "w") as fh:
        json.dump({"name": "mpi_post", "description": "test: posterior and windows under MPI",
                   "base": {"base": BASE, "simulation": {"days": 45}}, "replicates": 4,
                   "scale": 40000,
                   "windows": [{"name": "jan", "from": "2025-01-01", "to": "2025-01-31"},
                               {"name": "feb", "from": "2025-02-01", "to": "2025-02-14"}],
                   "ratios": [{"name": "feb_over_jan", "numerator": "feb", "denominator": "jan",
                               "metric": "visits_all"}],
                   "design": {"type": "arms", "arms": [
                       {"name": "ref"},
                       {"name": "fluent", "set": {"destination.digital_fluency": 0.8}}]}}, fh)
    serial, two = os.path.join(_tmp, "sw1.h5"), os.path.join(_tmp, "sw2.h5")
    for out, n in ((serial, None), (two, 2)):
        p = run(["sweep", exp, "-o", out, "--posterior", post, "--draws", "2", "--threads", "1",
                 "-q"], n=n)
        check(p.returncode == 0, "sweep (%s ranks): %s" % (n or 1, p.stderr[-2000:]))
    da = {k: v for k, v in datasets(serial).items()
          if k.startswith(("outcomes", "analysis", "posterior_draws", "windows"))}
    db = {k: v for k, v in datasets(two).items()
          if k.startswith(("outcomes", "analysis", "posterior_draws", "windows"))}
    check(set(da) == set(db) and "outcomes/feb_over_jan" in da, "the same datasets")
    for k in da:
        x, y = np.asarray(da[k]), np.asarray(db[k])
        same = np.array_equal(x.view(np.uint64), y.view(np.uint64)) if x.dtype.kind == "f" \
            else np.array_equal(x, y)
        check(same, "%s differs between 1 and 2 ranks" % k)


def main():
    failed = 0
    for n, f in sorted(globals().items()):
        if n.startswith("test_") and callable(f) and (len(sys.argv) < 2 or n in sys.argv[1:]):
            try:
                f()
                print("ok   %s" % n)
            except Exception:
                failed += 1
                print("FAIL %s" % n)
                traceback.print_exc()
    shutil.rmtree(_tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
