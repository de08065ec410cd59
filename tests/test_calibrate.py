#!/usr/bin/python3
"""End-to-end tests of `ipsim calibrate` (ABC-SMC) and its posterior file.

- recovery: observed figures simulated at a known parameter point of the
  Jiamusi baseline (destination.digital_fluency = 0.6 and
  segments.mainstream.spend_per_night_cny = 700; scale 2000, 120 days, a
  seed and replicate the calibration never uses) are fitted from flat
  priors; the truth must lie inside each weighted 90 % posterior interval
  and the posterior mean within 20 % of the prior's width of the truth
  (tolerance: the posterior sd of digital_fluency is about 0.1 with these
  targets, whose sd is twice the replicate noise, so 0.2 is two posterior
  sds; the spending parameter is pinned far tighter). The run is
  deterministic (fixed seeds), so the test is not flaky; it fails when the
  algorithm or the model stops identifying the parameters.
- determinism: the same posterior at 1 and 2 threads;
- kill -9 in the middle, then --resume: the same posterior as an
  uninterrupted run, bit for bit; no journal left behind;
- the file layout (/posterior, /generations, /observed, /predictive),
  `ipsim info` on it, refusals (existing output, stale journal);
- the JSON Schema of calibration files accepts the shipped calibrations
  (and is itself a valid 2020-12 schema); --dry-run checks them.
Run by ctest (test_calibrate) with IPSIM_BIN set.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
BASE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
CALDIR = os.path.join(SRC, "scenarios", "calibrations")

TRUTH = {"destination.digital_fluency": 0.6, "segments.mainstream.spend_per_night_cny": 700.0}
PRIORS = {"destination.digital_fluency": (0.0, 1.0),
          "segments.mainstream.spend_per_night_cny": (300.0, 1300.0)}
SCALE, DAYS = 2000, 120
MEAN_TOLERANCE = 0.2  # of the prior's width

failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1


def run(args, **kw):
    return subprocess.run([BIN] + args, capture_output=True, text=True, **kw)


def weighted_interval(x, w, lo=0.05, hi=0.95):
    order = np.argsort(x)
    x, w = x[order], w[order] / w.sum()
    cum = np.cumsum(w)
    return x[np.searchsorted(cum, lo)], x[min(np.searchsorted(cum, hi - 1e-12), len(x) - 1)]


def observe(tmp):
    """Targets simulated at TRUTH (seed 99, replicate 5)."""
    out = os.path.join(tmp, "truth.h5")
    sets = sum((["--set", "%s=%r" % kv] for kv in TRUTH.items()), [])
    p = run(["run", BASE, "-o", out, "--scale", str(SCALE), "--days", str(DAYS), "--seed", "99",
             "--replicate", "5", "--threads", "1", "-q"] + sets)
    assert p.returncode == 0, p.stderr
    with h5py.File(out, "r") as f:
        arr = f["daily/arrivals"][()]
        spend = f["daily/spending_cny"][()].sum()
    jan_feb, mar_apr = arr[:59].sum(), arr[59:120].sum()
    return [
        {"metric": "arrivals", "from": "2025-01-01", "to": "2025-02-28", "value": float(jan_feb),
         "sd": 0.08 * jan_feb, "source": "simulated at the truth (seed 99, replicate 5)"},
        {"metric": "arrivals", "from": "2025-03-01", "to": "2025-04-30", "value": float(mar_apr),
         "sd": 0.08 * mar_apr, "source": "simulated at the truth"},
        {"name": "spending per arrival", "type": "share", "metric": "spending_cny",
         "of": {"metric": "arrivals"}, "from": "2025-01-01", "to": "2025-04-30",
         "value": float(spend / arr.sum()), "sd": 0.04 * spend / arr.sum(),
         "source": "simulated at the truth"},
    ]


def calibration(tmp, name, observed, particles, generations, seed=7):
    cal = {
        "name": name,
        "description": "recovery test: two parameters from flat priors",
        "scenario": BASE,
        "scale": SCALE,
        "set": ["simulation.days=%d" % DAYS],
        "parameters": [{"path": p, "prior": {"type": "uniform", "low": lo, "high": hi}}
                       for p, (lo, hi) in PRIORS.items()],
        "observed": "observed.json",
        "algorithm": {"type": "abc-smc", "particles": particles, "generations": generations,
                      "quantile": 0.5, "seed": seed},
    }
    with open(os.path.join(tmp, "observed.json"), "w") as fh:
        json.dump({"observed": observed}, fh, indent=1)
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as fh:
        json.dump(cal, fh, indent=1)
    return path


def test_recovery(tmp, observed):
    path = calibration(tmp, "recovery", observed, particles=100, generations=5)
    out = os.path.join(tmp, "recovery.h5")
    t0 = time.time()
    p = run(["calibrate", path, "-o", out, "--threads", "2"])
    secs = time.time() - t0
    check(p.returncode == 0, "recovery calibration runs (%.0f s) %s" % (secs, p.stderr[-400:]))
    if p.returncode != 0:
        return
    with h5py.File(out, "r") as f:
        names = [s.decode() if isinstance(s, bytes) else s for s in f["posterior/parameter"][()]]
        x, w = f["posterior/samples"][()], f["posterior/weight"][()]
        check(abs(w.sum() - 1) < 1e-9 and (w >= 0).all(), "posterior weights are normalised")
        for k, name in enumerate(names):
            lo, hi = weighted_interval(x[:, k], w)
            mean = float((w * x[:, k]).sum())
            truth = TRUTH[name]
            width = PRIORS[name][1] - PRIORS[name][0]
            check(lo <= truth <= hi, "%s: truth %g inside the 90%% interval [%.4g, %.4g]"
                  % (name, truth, lo, hi))
            check(abs(mean - truth) <= MEAN_TOLERANCE * width,
                  "%s: posterior mean %.4g within %g x prior width of the truth %g"
                  % (name, mean, MEAN_TOLERANCE, truth))
            check(hi - lo < 0.8 * width, "%s: the posterior is narrower than the prior" % name)
        tols = [f["generations/%d" % g].attrs["tolerance"] for g in range(f.attrs["generations"])]
        check(all(b < a for a, b in zip(tols, tols[1:])), "tolerances decrease: %s" % tols)
        for g in range(f.attrs["generations"]):
            ess = f["generations/%d" % g].attrs["ess"]
            check(0 < ess <= 100 + 1e-9, "generation %d: ESS %.1f in (0, N]" % (g, ess))
        check(f["predictive/values"].shape == (100, 3), "/predictive/values is [particle][target]")
        check(f["observed/value"].shape == (3,) and "source" in f["observed"],
              "/observed holds the targets with their sources")
    info = run(["info", out])
    check(info.returncode == 0 and "posterior  mean" in info.stdout and "90%" in info.stdout
          and "destination.digital_fluency" in info.stdout and "generations" in info.stdout,
          "ipsim info summarises the posterior")
    print(info.stdout)


def same_posterior(a, b):
    with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
        keys = ["posterior/samples", "posterior/weight", "predictive/values"]
        keys += ["generations/%d/samples" % i for i in range(f.attrs["generations"])]
        return (f.attrs["generations"] == g.attrs["generations"] and
                all(np.array_equal(f[k][()], g[k][()]) for k in keys))


def test_threads_and_resume(tmp, observed):
    path = calibration(tmp, "small", observed, particles=24, generations=4, seed=11)
    one, two = os.path.join(tmp, "one.h5"), os.path.join(tmp, "two.h5")
    p1 = run(["calibrate", path, "-o", one, "--threads", "1", "-q"])
    p2 = run(["calibrate", path, "-o", two, "--threads", "2", "-q"])
    check(p1.returncode == 0 and p2.returncode == 0, "small calibrations run " + p1.stderr + p2.stderr)
    check(same_posterior(one, two), "the posterior does not depend on the number of threads")

    # kill -9 once the journal holds a generation, then resume
    killed = os.path.join(tmp, "killed.h5")
    journal = killed + ".journal"
    proc = subprocess.Popen([BIN, "calibrate", path, "-o", killed, "--threads", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    header = 32
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(journal) and os.path.getsize(journal) > header + 1000:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    check(os.path.exists(journal) and not os.path.exists(killed),
          "after kill -9: a journal and no posterior file")
    p = run(["calibrate", path, "-o", killed])
    check(p.returncode == 73 and "--resume" in p.stderr, "a stale journal is refused without --resume")
    p = run(["calibrate", path, "-o", killed, "--resume", "--threads", "1"])
    check(p.returncode == 0 and "resumed" in p.stderr, "--resume finishes " + p.stderr[-300:])
    check(same_posterior(one, killed), "the resumed posterior equals the uninterrupted one")
    check(not os.path.exists(journal), "the journal is removed when the posterior is written")
    p = run(["calibrate", path, "-o", killed, "-q"])
    check(p.returncode == 73, "an existing posterior file is refused without --force")
    # a journal of another calibration
    other = calibration(tmp, "other", observed, particles=24, generations=4, seed=12)
    with open(killed + ".journal", "wb") as fh:
        fh.write(b"IPSIMC1\n" + b"\0" * 24)
    p = run(["calibrate", other, "-o", killed, "--resume", "--force", "-q"])
    check(p.returncode == 65 and "another calibration" in p.stderr,
          "a journal of another calibration is refused " + p.stderr)


def test_shipped():
    try:
        import jsonschema
    except ImportError:
        print("SKIP schema: python3-jsonschema not installed")
        jsonschema = None
    schema_path = os.path.join(CALDIR, "calibration.schema.json")
    schema = json.load(open(schema_path, encoding="utf-8"))
    shipped = sorted(f for f in os.listdir(CALDIR) if f.endswith(".json") and "schema" not in f)
    check(len(shipped) >= 1, "scenarios/calibrations ships calibrations: %s" % shipped)
    if jsonschema:
        jsonschema.Draft202012Validator.check_schema(schema)
        check(True, "calibration.schema.json is a valid 2020-12 schema")
    for name in shipped:
        doc = json.load(open(os.path.join(CALDIR, name), encoding="utf-8"))
        if jsonschema:
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
            check(not errors, "%s satisfies the schema %s" % (name, [e.message for e in errors][:2]))
        p = run(["calibrate", os.path.join(CALDIR, name), "--dry-run"])
        check(p.returncode == 0 and "parameter" in p.stdout, "ipsim calibrate --dry-run %s" % name)
    if jsonschema:
        bad_dir = os.path.join(SRC, "tests", "bad_inputs")
        for name in sorted(os.listdir(bad_dir)):
            if not name.startswith("cal_") or not name.endswith(".json"):
                continue
            try:
                doc = json.load(open(os.path.join(bad_dir, name), encoding="utf-8"))
            except ValueError:
                continue
            if isinstance(doc, dict) and doc.get("_schema_valid"):
                continue
            errs = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
            ok = bool(errs) or name in SCHEMA_CANNOT_SEE
            check(ok, "the schema rejects tests/bad_inputs/%s" % name)


# bad inputs only the loader can see (they need the scenario)
SCHEMA_CANNOT_SEE = {"cal_unknown_path.json", "cal_unknown_market.json", "cal_outside_period.json",
                     "cal_prior_out_of_range.json", "cal_missing_scenario.json",
                     "cal_unknown_market_path.json",
                     "cal_prior_low_high.json"}  # (JSON Schema cannot compare two values)


def main():
    with tempfile.TemporaryDirectory(prefix="ipsim-cal-") as tmp:
        observed = observe(tmp)
        test_shipped()
        test_threads_and_resume(tmp, observed)
        test_recovery(tmp, observed)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
