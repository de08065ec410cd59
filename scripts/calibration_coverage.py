#!/usr/bin/python3
"""Coverage study of `ipsim calibrate`: are the posterior intervals honest?

    scripts/calibration_coverage.py [--truths K] [--particles N] [--generations G]
                                    [--scale S] [--days D] [--threads T] [--ipsim BIN]

For each of K truths drawn from the flat priors of the recovery test
(destination.digital_fluency on [0, 1], segments.mainstream.spend_per_night_cny
on [300, 1300]) it simulates the observed targets at the truth (a seed the
calibration never uses), calibrates both parameters from the priors, and
records whether each truth lies inside the weighted 50 % and 90 % posterior
intervals. Honest intervals cover the truth about 50 % and 90 % of the time
(up to the binomial error of K truths, and to ABC's tolerance: a final
tolerance above zero widens the posterior, so ABC errs on the side of
over-coverage). Prints one line per truth and the coverage table; not run in
CI (minutes), reported in scenarios/calibrations/README.md.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRIORS = {"destination.digital_fluency": (0.0, 1.0),
          "segments.mainstream.spend_per_night_cny": (300.0, 1300.0)}


def wquantile(x, w, qs):
    o = np.argsort(x)
    x, w = x[o], w[o] / w.sum()
    c = np.cumsum(w)
    return [x[min(np.searchsorted(c, q - 1e-12), len(x) - 1)] for q in qs]


def targets(bin_, tmp, truth, seed, scale, days):
    out = os.path.join(tmp, "truth.h5")
    sets = sum((["--set", "%s=%r" % kv] for kv in truth.items()), [])
    subprocess.run([bin_, "run", os.path.join(SRC, "scenarios", "jiamusi_baseline.json"), "-o", out,
                    "--force", "-q", "--scale", str(scale), "--days", str(days), "--seed", str(seed),
                    "--threads", "1"] + sets, check=True, capture_output=True)
    with h5py.File(out, "r") as f:
        arr = f["daily/arrivals"][()]
        spend = f["daily/spending_cny"][()].sum()
    half = days // 2
    a, b = float(arr[:half].sum()), float(arr[half:days].sum())
    return [
        {"metric": "arrivals", "from": "2025-01-01", "to": day(half - 1), "value": a,
         "sd": 0.08 * a, "source": "simulated"},
        {"metric": "arrivals", "from": day(half), "to": day(days - 1), "value": b,
         "sd": 0.08 * b, "source": "simulated"},
        {"type": "share", "metric": "spending_cny", "of": {"metric": "arrivals"},
         "from": "2025-01-01", "to": day(days - 1), "value": float(spend / arr.sum()),
         "sd": 0.04 * float(spend / arr.sum()), "source": "simulated"},
    ]


def day(i):
    import datetime
    return (datetime.date(2025, 1, 1) + datetime.timedelta(days=i)).isoformat()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truths", type=int, default=20)
    ap.add_argument("--particles", type=int, default=60)
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--scale", type=float, default=2000)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--ipsim", default=os.path.join(SRC, "build", "ipsim"))
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    hits = {p: {50: 0, 90: 0} for p in PRIORS}
    errs = {p: [] for p in PRIORS}
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="ipsim-coverage-") as tmp:
        for k in range(a.truths):
            truth = {p: float(rng.uniform(lo, hi)) for p, (lo, hi) in PRIORS.items()}
            cal = {"name": "coverage", "description": "coverage study",
                   "scenario": os.path.join(SRC, "scenarios", "jiamusi_baseline.json"),
                   "scale": a.scale, "set": ["simulation.days=%d" % a.days],
                   "parameters": [{"path": p, "prior": {"type": "uniform", "low": lo, "high": hi}}
                                  for p, (lo, hi) in PRIORS.items()],
                   "observed": targets(a.ipsim, tmp, truth, 1000 + k, a.scale, a.days),
                   "algorithm": {"type": "abc-smc", "particles": a.particles,
                                 "generations": a.generations, "seed": 1 + k}}
            path, out = os.path.join(tmp, "cal.json"), os.path.join(tmp, "post.h5")
            with open(path, "w") as fh:
                json.dump(cal, fh)
            subprocess.run([a.ipsim, "calibrate", path, "-o", out, "--force", "-q",
                            "--threads", str(a.threads)], check=True)
            line = []
            with h5py.File(out, "r") as f:
                x, w = f["posterior/samples"][()], f["posterior/weight"][()]
                for j, p in enumerate(PRIORS):
                    q05, q25, q75, q95 = wquantile(x[:, j], w, [0.05, 0.25, 0.75, 0.95])
                    t = truth[p]
                    hits[p][50] += q25 <= t <= q75
                    hits[p][90] += q05 <= t <= q95
                    width = PRIORS[p][1] - PRIORS[p][0]
                    errs[p].append(abs(float((w * x[:, j]).sum()) - t) / width)
                    line.append("%s %.4g in [%.4g, %.4g]%s" % (p.split(".")[-1], t, q05, q95,
                                                               "" if q05 <= t <= q95 else " MISS"))
            print("truth %2d: %s  (%.0f s)" % (k + 1, "; ".join(line), time.time() - t0), flush=True)
    K = a.truths
    print("\ncoverage over %d truths (%d particles, %d generations, scale %g, %d days; %.0f s)"
          % (K, a.particles, a.generations, a.scale, a.days, time.time() - t0))
    print("%-42s %10s %10s %18s" % ("parameter", "50% int.", "90% int.", "mean |error|/width"))
    for p in PRIORS:
        print("%-42s %9.0f%% %9.0f%% %18.3f" % (p, 100.0 * hits[p][50] / K, 100.0 * hits[p][90] / K,
                                               float(np.mean(errs[p]))))
    print("binomial sd of a coverage at K = %d: %.0f%% (50%%), %.0f%% (90%%)"
          % (K, 100 * math.sqrt(0.25 / K), 100 * math.sqrt(0.09 / K)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
