#!/usr/bin/python3
"""test_cases.py - the public cases of issue 12 item 11 against their published figures.

For each case (scenarios/cases/NAME.json with NAME.observed.json beside it):
- the scenario validates and runs at SCALE without a resolution warning
  (ipsim warns when a scale cannot resolve trending, timing or occupancy;
  ODD 7.10), REPLICATES replicates;
- every "total" target of the observed file (visits_all, spending_cny over
  a window) lands within a factor X2 = 2 of the reported figure, on the mean
  over replicates (issue 12: "within x2 of each reported figure");
- Zibo 2023: the peak week (the 7 consecutive days with the most visits,
  mean series) lies between 1 March and 15 May, and the last week of June
  (24-30 June) has at most half the peak week's visits; the barbecue
  asset's busiest day is within x2 of the 135,800 customers a day reported;
- Harbin 2023-24: the peak week lies in the winter season (8 November to
  29 February); Ice-Snow World's visitors over its 61 days (18 December to
  16 February) are within x2 of the 2.71 M reported.
It prints every figure reported vs simulated (mean +- sd over replicates).

Thresholds: x2 is the issue's criterion. The replicate sd of every figure
was measured at under 3 % of its mean at scale 1000 (4 replicates), so a
mean that is inside the band is not inside it by noise; the Zibo fade ratio
(last June week over the peak week of the mean series) was 0.42 against
the bound 0.5, and its replicate spread is small (the ratio to the May Day
week: 0.428, sd 0.010 over 4 replicates).

Label slow (tests/CMakeLists.txt): 8 s of CPU (32 s of wall time on a
loaded machine).
"""
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
CASES = os.path.join(SRC, "scenarios", "cases")
SCALE = 1000          # resolved: trending up to 1,818, occupancy up to 3,750, >= 50,000 agents
REPLICATES = 4
X2 = 2.0

failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1


def day(s):
    return dt.date.fromisoformat(s)


class Run:
    """One replicate's daily series, summed over markets and segments."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            sd = f.attrs["start_date"]
            self.start = day(sd.decode() if isinstance(sd, bytes) else str(sd))
            self.daily = {k: f["daily"][k][:].sum(axis=(1, 2)) for k in ("visits_all", "spending_cny")}
            names = [a.decode() if isinstance(a, bytes) else str(a) for a in f["asset"][:]]
            on_site = f["asset_daily/visitors"][:] + f["asset_daily/day_visitors"][:]
            self.asset = {n: on_site[:, i] for i, n in enumerate(names)}

    def index(self, date):
        return (day(date) - self.start).days

    def window(self, series, a, b):
        return float(series[self.index(a):self.index(b) + 1].sum())


def simulate(name, tmp):
    scen = os.path.join(CASES, name + ".json")
    p = subprocess.run([BIN, "validate", scen], capture_output=True, text=True)
    check(p.returncode == 0, f"{name}: ipsim validate ({p.stdout.strip() or p.stderr.strip()})")
    runs = []
    for r in range(REPLICATES):
        out = os.path.join(tmp, f"{name}_{r}.h5")
        p = subprocess.run([BIN, "run", scen, "-o", out, "--scale", str(SCALE), "--replicate", str(r),
                            "--threads", "1"], capture_output=True, text=True)
        if p.returncode != 0:
            check(False, f"{name} replicate {r} runs: {p.stderr[-400:]}")
            sys.exit(1)
        if r == 0:
            check("warning" not in p.stderr,
                  f"{name}: scale {SCALE} is resolved (no resolution warning) {p.stderr.strip()[:300]}")
        runs.append(Run(out))
    return runs


def report(label, reported, sims, unit=1e6, fmt="{:.2f}"):
    m, s = float(np.mean(sims)), float(np.std(sims, ddof=1))
    print(f"     {label:<46} reported {fmt.format(reported / unit):>9}  simulated "
          f"{fmt.format(m / unit)} +- {fmt.format(s / unit)}", flush=True)
    return m


def check_targets(name, runs):
    obs = json.load(open(os.path.join(CASES, name + ".observed.json")))["observed"]
    for t in obs:
        kind = t.get("type", "total")
        if kind == "total":
            sims = [r.window(r.daily[t["metric"]], t["from"], t["to"]) for r in runs]
            unit = 1e9 if t["metric"] == "spending_cny" else 1e6   # B CNY, M visits
            m = report(t["name"], t["value"], sims, unit=unit)
            check(t["value"] / X2 <= m <= t["value"] * X2,
                  f"{name}: {t['name']} within x{X2:g} of {t['value']:,.0f} (simulated {m:,.0f})")
        elif kind == "ratio":
            rel = t["relative_to"]
            sims = [r.window(r.daily[t["metric"]], t["from"], t["to"]) /
                    r.window(r.daily[t["metric"]], rel["from"], rel["to"]) for r in runs]
            report(t["name"] + " (ratio)", t["value"], sims, unit=1, fmt="{:.3f}")
        elif kind == "peak_date":
            sims = []
            for r in runs:
                i0, i1 = r.index(t["from"]), r.index(t["to"])
                sims.append(int(np.argmax(r.daily[t["metric"]][i0:i1 + 1])) + i0 - r.index(t["value"]))
            print(f"     {t['name']:<46} reported {t['value']}  simulated {t['value']} "
                  f"{np.mean(sims):+.1f} +- {np.std(sims, ddof=1):.1f} days", flush=True)


def peak_week(runs):
    """start date and total of the busiest 7 consecutive days of the mean visits series"""
    mean = np.mean([r.daily["visits_all"] for r in runs], axis=0)
    wk = np.convolve(mean, np.ones(7), "valid")
    i = int(np.argmax(wk))
    return runs[0].start + dt.timedelta(days=i), float(wk[i])


def zibo(runs):
    name = "zibo_2023"
    check_targets(name, runs)
    start, peak = peak_week(runs)
    end = start + dt.timedelta(days=6)
    june = np.mean([r.window(r.daily["visits_all"], "2023-06-24", "2023-06-30") for r in runs])
    print(f"     peak week {start}..{end}: {peak / 1e6:.2f} M visits; last week of June {june / 1e6:.2f} M "
          f"({june / peak:.2f} of the peak week)", flush=True)
    check(day("2023-03-01") <= start and end <= day("2023-05-15"),
          f"{name}: the peak week ({start}..{end}) lies between 1 March and 15 May")
    check(june <= 0.5 * peak, f"{name}: the last week of June ({june:,.0f}) is at most half the peak week ({peak:,.0f})")
    bbq = [float(r.asset["barbecue"].max()) for r in runs]
    m = report("barbecue customers on the busiest day", 135800, bbq, unit=1, fmt="{:,.0f}")
    check(135800 / X2 <= m <= 135800 * X2, f"{name}: the barbecue's busiest day within x2 of 135,800 ({m:,.0f})")


def harbin(runs):
    name = "harbin_2023_24"
    check_targets(name, runs)
    start, peak = peak_week(runs)
    print(f"     peak week from {start}: {peak / 1e6:.2f} M visits", flush=True)
    check(day("2023-11-08") <= start and start + dt.timedelta(days=6) <= day("2024-02-29"),
          f"{name}: the peak week (from {start}) lies in the winter season (8 Nov-29 Feb)")
    isw = [r.window(r.asset["ice_snow_world"], "2023-12-18", "2024-02-16") for r in runs]
    m = report("Ice-Snow World visitors, 61 days", 2.71e6, isw)
    check(2.71e6 / X2 <= m <= 2.71e6 * X2, f"{name}: Ice-Snow World's visitors within x2 of 2.71 M ({m:,.0f})")


def main():
    with tempfile.TemporaryDirectory(prefix="ipsim_cases_") as tmp:
        zibo(simulate("zibo_2023", tmp))
        harbin(simulate("harbin_2023_24", tmp))
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
