#!/usr/bin/python3
"""A calibration's posterior carried into sweeps: ipsim sweep|compare
--posterior POSTERIOR.h5 [--draws K].

Specification (scenarios/experiments/README.md, "Parameter uncertainty"):
replicate r of every point runs posterior draw r mod K, whose parameters are
set on top of the point's scenario; the sweep file records the draws
(/posterior_draws) and /analysis/posterior gives each point's mean (arms:
each arm's paired difference against the reference) with a replicate-only
95 % interval (pooled within-draw variance, t with n - K df) and a total one
(spread of the K draw means, t with K - 1 df). The estimator is checked here
against numpy/scipy on the sweep's own outcomes. The posterior file is
written by this test with h5py in the layout of `ipsim calibrate`, so the
test does not wait for a calibration.

Run by ctest with IPSIM_BIN and IPSIM_SOURCE_DIR set; by hand:
    IPSIM_BIN=build/ipsim /usr/bin/python3 tests/test_posterior_sweep.py [NAME...]
"""
import json
import os
import shutil
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_common import SRC, assert_same, check, ipsim  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

EX_USAGE, EX_DATAERR = 64, 65
R, K = 4, 2
SCALE, DAYS = "40000", 45
_tmp = tempfile.mkdtemp(prefix="ipsim-post-")
PARAMS = ["segments.mainstream.spend_per_night_cny", "segments.cec.beta_distance_per_km"]
SAMPLES = np.array([[400.0, 0.002], [650.0, 0.004], [900.0, 0.006], [1200.0, 0.0015],
                    [500.0, 0.007], [800.0, 0.001]])
WEIGHTS = np.array([0.1, 0.25, 0.15, 0.2, 0.2, 0.1])


def tmp(name):
    return os.path.join(_tmp, name)


def posterior(path, samples=SAMPLES, params=PARAMS, weights=WEIGHTS, kind="posterior"):
    with h5py.File(path, "w") as f:
        f.attrs["ipsim_kind"] = kind
        g = f.create_group("posterior")
        g["samples"] = samples
        g["parameter"] = np.array([p.encode() for p in params], dtype=h5py.string_dtype())
        g["weight"] = weights
    return path


def experiment(path):
    """Two arms over a 45-day Jiamusi baseline at a coarse scale."""
    exp = {"name": "post_test", "description": "test: two arms under a posterior",
           "base": {"base": os.path.join(SRC, "scenarios", "jiamusi_baseline.json"),
                    "simulation": {"days": DAYS}},
           "replicates": R, "scale": float(SCALE),
           "design": {"type": "arms", "reference": "ref",
                      "arms": [{"name": "ref"},
                               {"name": "fluent", "set": {"destination.digital_fluency": 0.8}}]}}
    with open(path, "w") as f:
        json.dump(exp, f)
    return path


_done = {}


def sweep_once():
    """The sweep every test reads (run once)."""
    if "out" not in _done:
        exp, post, out = experiment(tmp("exp.json")), posterior(tmp("post.h5")), tmp("out.h5")
        p = ipsim("sweep", exp, "-o", out, "--posterior", post, "--draws", str(K), "--threads", "1")
        check(p.returncode == 0, "the sweep under --posterior runs", p)
        check("with parameter uncertainty" in p.stdout and "widen" in p.stdout,
              "the report prints both intervals", p)
        _done["out"] = out
    return _done["out"]


def test_draws_recorded():
    with h5py.File(sweep_once(), "r") as f:
        g = f["posterior_draws"]
        check([x.decode() if isinstance(x, bytes) else x for x in g["parameter"][()]] == PARAMS,
              "/posterior_draws/parameter are the posterior's paths")
        draw, part, vals = g["draw"][()], g["particle"][()].astype(int), g["values"][()]
        check(list(draw) == [r % K for r in range(R)], "replicate r runs draw r mod K: %s" % draw)
        check(vals.shape == (R, len(PARAMS)), "values [replicate][parameter]")
        for r in range(R):
            check(np.array_equal(vals[r], SAMPLES[part[r]]), "replicate %d has its particle's values" % r)
            check(part[r] == part[r % K], "replicates of one draw share its particle")
        check(g.attrs["draws"] == K and g.attrs["replicates_per_draw"] == R // K, "attributes")
        src = g["source"][()]
        src = src.decode() if isinstance(src, bytes) else src
        check("post.h5" in src and "fingerprint" in src, "source names the file: %s" % src)


def test_unit_equals_a_run_with_the_draw():
    """A unit is exactly `ipsim run` of the point with the draw's --set values
    (so every point of a replicate runs the same draw: pairs stay paired)."""
    out = sweep_once()
    with h5py.File(out, "r") as f:
        vals = f["posterior_draws/values"][()]
        seed = f.attrs["seed_string"]
        seed = seed.decode() if isinstance(seed, bytes) else seed
        sweep_arr = f["outcomes/arrivals"][()]
    base = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
    for point, extra in ((0, []), (1, ["--set", "destination.digital_fluency=0.8"])):
        r = 3
        sets = []
        for j, path in enumerate(PARAMS):
            sets += ["--set", "%s=%.17g" % (path, vals[r][j])]
        run = tmp("run_%d.h5" % point)
        p = ipsim("run", base, "-o", run, "--force", "-q", "--seed", seed, "--replicate", str(r),
                  "--scale", SCALE, "--days", str(DAYS), "--threads", "1", *sets, *extra)
        check(p.returncode == 0, "ipsim run with the draw", p)
        with h5py.File(run, "r") as f:
            total = float(np.nansum(f["daily/arrivals"][()]))
        check(total == sweep_arr[point][r],
              "point %d replicate %d: run %r == sweep %r" % (point, r, total, sweep_arr[point][r]))


def draws_intervals(x):
    """The estimator, independently: numpy/scipy on x[r], draw r mod K."""
    x = np.asarray(x, float)
    groups = [x[k::K] for k in range(K)]
    n = x.size
    mean = x.mean()
    ss_w = sum(((g - g.mean()) ** 2).sum() for g in groups)
    s_w = np.sqrt(ss_w / (n - K))
    half_rep = stats.t.ppf(0.975, n - K) * s_w / np.sqrt(n)
    dm = np.array([g.mean() for g in groups])
    half_tot = stats.t.ppf(0.975, K - 1) * dm.std(ddof=1) / np.sqrt(K)
    return mean, mean - half_rep, mean + half_rep, mean - half_tot, mean + half_tot


def close(a, b):
    return (np.isnan(a) and np.isnan(b)) or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def same_intervals(got, want):
    """Estimates equal and half-widths equal to 1e-9 (GSL's and scipy's t
    quantiles agree to about 1e-12 relative)."""
    halves = lambda v: (v[0], (v[2] - v[1]) / 2, (v[4] - v[3]) / 2, v[1] + v[2] - 2 * v[0],
                        v[3] + v[4] - 2 * v[0])
    g, w = halves(got), halves(want)
    return all(close(g[i], w[i]) for i in range(3)) and all(
        abs(g[i]) <= 1e-9 * max(1.0, abs(w[1]), abs(w[2])) for i in (3, 4))


def test_intervals_match_numpy_scipy():
    with h5py.File(sweep_once(), "r") as f:
        for metric in ("arrivals", "cec_arrivals", "visitor_nights", "spending_cny"):
            y = f["outcomes/" + metric][()]
            a = f["analysis/posterior/" + metric]
            for p in range(2):
                want = draws_intervals(y[p])
                got = [a[s][p] for s in ("mean", "rep_lo", "rep_hi", "total_lo", "total_hi")]
                check(same_intervals(got, want),
                      "%s point %d: %s != numpy/scipy %s" % (metric, p, got, want))
                want = draws_intervals(y[p] - y[0])
                got = [a[s][p] for s in ("diff_mean", "diff_rep_lo", "diff_rep_hi",
                                         "diff_total_lo", "diff_total_hi")]
                check(p == 0 or same_intervals(got, want),
                      "%s diff %d: %s != numpy/scipy %s" % (metric, p, got, want))


def test_law_of_total_variance_on_synthetic_data():
    """The same formulas separate the components: with draws far apart the
    total interval is wider than the replicate-only one, by the ratio the
    variance components predict. (Checks the test's own reference too.)"""
    rng = np.random.default_rng(7)
    k, m = 50, 4
    theta = rng.normal(0, 3.0, k)
    x = np.empty(k * m)
    for r in range(k * m):
        x[r] = theta[r % k] + rng.normal(0, 1.0)
    global K
    saved, K = K, k
    try:
        mean, rl, rh, tl, th = draws_intervals(x)
    finally:
        K = saved
    ratio = (th - tl) / (rh - rl)
    # expected: sqrt((3^2 + 1/4) / k) / sqrt(1 / (k m)) = sqrt(9.25 * 4) = 6.1; sampling
    # error of the two sds at k = 50 is about 10 %, so 4.5 .. 8 cannot fail by chance
    check(4.5 < ratio < 8.0, "total / replicate-only width %.2f, expected about 6.1" % ratio)


def test_resume_with_another_posterior_is_refused():
    out = sweep_once()
    other = posterior(tmp("other.h5"), samples=SAMPLES * np.array([1.01, 1.0]))
    exp = tmp("exp.json")
    p = ipsim("sweep", exp, "-o", out, "--posterior", other, "--draws", str(K), "--resume")
    check(p.returncode != 0 and "posterior" in p.stderr, "another posterior is another sweep", p)
    p = ipsim("sweep", exp, "-o", out, "--resume")
    check(p.returncode != 0 and "posterior" in p.stderr, "no posterior is another sweep", p)
    p = ipsim("sweep", exp, "-o", out, "--posterior", tmp("post.h5"), "--draws", str(K), "--resume")
    check(p.returncode == 0 and "already complete" in p.stderr, "the same posterior resumes", p)


def test_shards_merge_to_the_same_file():
    exp, post = tmp("exp.json"), tmp("post.h5")
    shards = []
    for k in (1, 2):
        s = tmp("shard%d.h5" % k)
        p = ipsim("sweep", exp, "-o", s, "--posterior", post, "--draws", str(K), "--shard",
                  "%d/2" % k, "--threads", "1", "-q")
        check(p.returncode == 0, "shard %d" % k, p)
        shards.append(s)
    merged = tmp("merged.h5")
    p = ipsim("merge", merged, *shards)
    check(p.returncode == 0, "merge", p)
    assert_same(sweep_once(), merged,
                prefixes=("outcomes", "analysis", "posterior_draws/values",
                          "posterior_draws/draw", "posterior_draws/particle"))


def test_bad_uses():
    sweep_once()
    exp = tmp("bad_exp.json")
    experiment(exp)
    p = ipsim("sweep", exp, "-o", tmp("b1.h5"), "--posterior", tmp("post.h5"), "--draws", "3")
    check(p.returncode == EX_USAGE and "--draws 3: expected a divisor of the replicates (4)" in p.stderr,
          "K must divide R", p)
    p = ipsim("sweep", exp, "-o", tmp("b2.h5"), "--draws", "2")
    check(p.returncode == EX_USAGE and "--draws needs --posterior" in p.stderr, "draws alone", p)
    posterior(tmp("notpost.h5"), kind="run")
    p = ipsim("sweep", exp, "-o", tmp("b3.h5"), "--posterior", tmp("notpost.h5"))
    check(p.returncode == EX_DATAERR and "ipsim_kind: expected \"posterior\"" in p.stderr,
          "not a posterior file", p)
    posterior(tmp("badpath.h5"), params=["segments.mainstream.spend_per_nite_cny", PARAMS[1]])
    p = ipsim("sweep", exp, "-o", tmp("b4.h5"), "--posterior", tmp("badpath.h5"))
    check(p.returncode == EX_DATAERR and "/posterior/parameter[0]" in p.stderr,
          "an unknown parameter path names the posterior's parameter", p)
    p = ipsim("sweep", exp, "-o", tmp("b5.h5"), "--posterior", tmp("missing.h5"))
    check(p.returncode == 66, "a missing posterior file is exit 66", p)
    for f in ("b1.h5", "b2.h5", "b3.h5", "b4.h5", "b5.h5"):
        check(not os.path.exists(tmp(f)), "no output after a refused sweep: %s" % f)


def main():
    names = sys.argv[1:]
    tests = [(n, f) for n, f in sorted(globals().items())
             if n.startswith("test_") and callable(f) and (not names or n in names)]
    # the shared sweep first, so each test's time is its own
    failed = 0
    for n, f in tests:
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
