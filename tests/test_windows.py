#!/usr/bin/python3
"""Outcome windows of experiments ("windows" and "ratios").

Specification (scenarios/experiments/README.md, "Outcome windows"): each
window adds outcomes <window>.arrivals, .cec_arrivals, .visits_all,
.visitor_nights, .spending_cny (totals over the inclusive dates) and
.peak_day (the recorded day index of the largest daily visits_all in the
window, units "days since START"); each ratio adds <name> = the metric's
total over the numerator window / over the denominator window. They are
outcomes like the others: written to /outcomes, analysed by every design,
merged from shards. Checked here against the daily series the same sweep
keeps (keep_daily), exactly: the same additions in the same order.

Run by ctest with IPSIM_BIN and IPSIM_SOURCE_DIR set; by hand:
    IPSIM_BIN=build/ipsim /usr/bin/python3 tests/test_windows.py [NAME...]
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

EX_DATAERR = 65
DAYS = 45
_tmp = tempfile.mkdtemp(prefix="ipsim-win-")
WINDOWS = [{"name": "early", "from": "2025-01-01", "to": "2025-01-15"},
           {"name": "late", "from": "2025-01-20", "to": "2025-02-10"},
           {"name": "one_day", "from": "2025-02-14", "to": "2025-02-14"}]
RATIOS = [{"name": "late_over_early", "numerator": "late", "denominator": "early",
           "metric": "visits_all"},
          {"name": "spend_decay", "numerator": "one_day", "denominator": "late",
           "metric": "spending_cny"}]


def tmp(name):
    return os.path.join(_tmp, name)


def experiment(path, design, **extra):
    exp = {"name": "win_test", "description": "test: outcome windows",
           "base": {"base": os.path.join(SRC, "scenarios", "jiamusi_baseline.json"),
                    "simulation": {"days": DAYS}},
           "replicates": 3, "scale": 40000,
           "keep_daily": ["arrivals", "visits_all", "visitor_nights", "spending_cny"],
           "windows": WINDOWS, "ratios": RATIOS, "design": design}
    exp.update(extra)
    with open(path, "w") as f:
        json.dump(exp, f)
    return path


GRID = {"type": "grid", "parameters": [{"name": "fluency", "path": "destination.digital_fluency",
                                        "values": [0.3, 0.8]}]}
ARMS = {"type": "arms", "arms": [{"name": "ref"},
                                 {"name": "fluent", "set": {"destination.digital_fluency": 0.8}}]}
_done = {}


def sweep(name, design):
    if name not in _done:
        out = tmp(name + ".h5")
        p = ipsim("sweep", experiment(tmp(name + ".json"), design), "-o", out, "--threads", "1")
        check(p.returncode == 0, "the %s sweep with windows runs" % name, p)
        _done[name] = (out, p.stdout)
    return _done[name]


def day_index(date):
    return int((np.datetime64(date) - np.datetime64("2025-01-01")).astype(int))


def window_sum(daily, d0, d1, segment=None):
    """daily [day][market][segment] summed in the model's order: day, market,
    segment, finite values only (plain float additions, so bit for bit)."""
    s = 0.0
    for t in range(d0, d1 + 1):
        for m in range(daily.shape[1]):
            for g in range(daily.shape[2]):
                x = float(daily[t, m, g])
                if np.isfinite(x) and (segment is None or g == segment):
                    s += x
    return s


def test_window_totals_equal_the_daily_series():
    out, _ = sweep("grid", GRID)
    with h5py.File(out, "r") as f:
        seg = [s.decode() if isinstance(s, bytes) else s for s in f["segment"][()]]
        cec = seg.index("cec")
        P, R = f["outcomes/arrivals"].shape
        for w in WINDOWS:
            d0, d1 = day_index(w["from"]), day_index(w["to"])
            for p in range(P):
                for r in range(R):
                    for metric in ("arrivals", "visits_all", "visitor_nights", "spending_cny"):
                        want = window_sum(f["daily/" + metric][p, r], d0, d1)
                        got = f["outcomes/%s.%s" % (w["name"], metric)][p, r]
                        check(got == want, "%s.%s [%d][%d]: %r != sum of the daily series %r"
                              % (w["name"], metric, p, r, got, want))
                    want = window_sum(f["daily/arrivals"][p, r], d0, d1, segment=cec)
                    got = f["outcomes/%s.cec_arrivals" % w["name"]][p, r]
                    check(got == want, "%s.cec_arrivals: %r != %r" % (w["name"], got, want))
                    per_day = [window_sum(f["daily/visits_all"][p, r], t, t) for t in range(d0, d1 + 1)]
                    want = d0 + int(np.argmax(per_day))  # the first largest day
                    got = f["outcomes/%s.peak_day" % w["name"]][p, r]
                    check(got == want, "%s.peak_day: %r != %r" % (w["name"], got, want))
        for q in RATIOS:
            num = f["outcomes/%s.%s" % (q["numerator"], q["metric"])][()]
            den = f["outcomes/%s.%s" % (q["denominator"], q["metric"])][()]
            check(np.array_equal(f["outcomes/" + q["name"]][()], num / den), "ratio %s" % q["name"])
        units = f["outcomes/late.peak_day"].attrs["units"]
        units = units.decode() if isinstance(units, bytes) else units
        check(units == "days since 2025-01-01", "peak_day units name the ISO start date: %s" % units)
        names = [x.decode() if isinstance(x, bytes) else x for x in f["windows/outcome"][()]]
        check(len(names) == 6 * len(WINDOWS) + len(RATIOS) and names[-1] == "spend_decay",
              "/windows/outcome lists the window outcomes")


def test_windows_are_analysed_like_other_outcomes():
    out, text = sweep("grid", GRID)
    with h5py.File(out, "r") as f:
        y = f["outcomes/late.visits_all"][()]
        m = f["analysis/mean/late.visits_all"][()]
        check(np.allclose(m, y.mean(axis=1), rtol=1e-12), "grid: mean over replicates")
    check("window outcomes" in text and "late_over_early" in text, "the report lists them")
    out, text = sweep("arms", ARMS)
    with h5py.File(out, "r") as f:
        y = f["outcomes/late_over_early"][()]
        d = f["analysis/diff/late_over_early"][()]
        check(np.allclose(d[1], np.mean(y[1] - y[0]), rtol=1e-12), "arms: paired difference")
    check("late_over_early" in text, "the arms report lists the ratio", None)


def test_shards_merge_to_the_same_file():
    exp = tmp("grid.json")
    sweep("grid", GRID)
    shards = []
    for k in (1, 2):
        s = tmp("wshard%d.h5" % k)
        p = ipsim("sweep", exp, "-o", s, "--shard", "%d/2" % k, "--threads", "1", "-q")
        check(p.returncode == 0, "shard %d" % k, p)
        shards.append(s)
    p = ipsim("merge", tmp("wmerged.h5"), *shards)
    check(p.returncode == 0, "merge", p)
    assert_same(sweep("grid", GRID)[0], tmp("wmerged.h5"),
                prefixes=("outcomes", "analysis", "windows", "daily"))
    with h5py.File(tmp("wmerged.h5"), "r") as f:
        units = f["outcomes/late.peak_day"].attrs["units"]
        units = units.decode() if isinstance(units, bytes) else units
        check(units == "days since 2025-01-01", "merged peak_day units: %s" % units)


def test_bad_windows_name_the_json_path():
    cases = [
        (dict(windows=[{"name": "w", "from": "2025-01-01", "to": "2025-03-01"}], ratios=None),
         'windows[0].to: expected a date from 2025-01-01 to 2025-02-14 (the simulated period), '
         'found "2025-03-01"'),
        (dict(windows=[{"name": "w", "from": "2025-01-10", "to": "2025-01-02"}], ratios=None),
         'windows[0].to: expected a date on or after "from", found "2025-01-02"'),
        (dict(windows=[{"name": "w", "from": "2025-01-01", "to": "2025-01-02"}],
              ratios=[{"name": "r", "numerator": "w", "denominator": "x", "metric": "arrivals"}]),
         'ratios[0].denominator: expected the name of one of windows, found "x"'),
        (dict(windows=[{"name": "arrivals", "from": "2025-01-01", "to": "2025-01-02"}], ratios=None),
         "windows[0].name: expected a name no other window or outcome has"),
        (dict(windows=[{"name": "w", "from": "2025-1-01", "to": "2025-01-02"}], ratios=None),
         "windows[0].from: expected a date YYYY-MM-DD"),
    ]
    for i, (extra, fragment) in enumerate(cases):
        path = experiment(tmp("bad%d.json" % i), GRID, **extra)
        if extra.get("ratios") is None:
            with open(path) as fh:
                exp = json.load(fh)
            exp.pop("ratios")
            with open(path, "w") as fh:
                json.dump(exp, fh)
        p = ipsim("sweep", path, "--dry-run")
        check(p.returncode == EX_DATAERR and fragment in p.stderr, "case %d: %s" % (i, fragment), p)


def main():
    names = sys.argv[1:]
    tests = [(n, f) for n, f in sorted(globals().items())
             if n.startswith("test_") and callable(f) and (not names or n in names)]
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
