#!/usr/bin/env python3
"""scale_study.py - the scale-convergence study of ODD 7.10 (issue 12 item 1).

Runs build/tests/test_scale --print (R replicates of the baseline and the
framework_full breakout at scales 100, 1000, 5000, 20000 and 50000 people per
agent), saves the table as results/scale_study_after.tsv and draws one panel
per statistic (mean +- sd over replicates against the scale, log axis), with
the same figures measured before the change (results/scale_study_before.tsv,
made the same way at commit edb9e91) in grey.

Usage: scripts/scale_study.py [--replicates R] [--build DIR] [--no-run]
       [--out sim/figures/scale_study.png]
--no-run redraws from the saved tables. Needs python3-numpy and
python3-matplotlib.
"""
import argparse
import os
import subprocess
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATS = ["arrivals per year (M)", "CEC share of arrivals", "positive share of posts",
         "take-off day (7-day mean at half its peak)", "peak 7-day mean arrivals (k/day)"]
DIV = [1e6, 1, 1, 1, 1e3]
SCALES = ["100", "1000", "5000", "20000", "50000"]


def read(path):
    rows = {}
    with open(path) as f:
        for line in f:
            p = line.split("\t")
            if len(p) < 13 or not p[0].endswith(".json"):
                continue
            vals = [float(x) for x in p[3:13]]
            rows.setdefault(p[0], []).append((float(p[1]), vals))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=8)
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--no-run", action="store_true")
    ap.add_argument("--out", default=os.path.join(SRC, "sim", "figures", "scale_study.png"))
    a = ap.parse_args()
    after = os.path.join(SRC, "results", "scale_study_after.tsv")
    before = os.path.join(SRC, "results", "scale_study_before.tsv")
    if not a.no_run:
        exe = os.path.join(a.build, "tests", "test_scale")
        with open(after, "w") as f:
            for sc in ["jiamusi_baseline.json", "framework_full.json"]:
                out = subprocess.run([exe, "--print", "--replicates", str(a.replicates), sc] + SCALES,
                                     check=True, capture_output=True, text=True).stdout
                f.write(out)
                sys.stdout.write(out)
    data = {"before": read(before) if os.path.exists(before) else {}, "after": read(after)}
    fig, axes = plt.subplots(2, 5, figsize=(17, 6.5))
    for row, sc in enumerate(["jiamusi_baseline.json", "framework_full.json"]):
        for k in range(5):
            ax = axes[row][k]
            for label, colour, marker in [("before (edb9e91)", "0.6", "s"), ("after", "black", "o")]:
                rows = data["before" if label.startswith("before") else "after"].get(sc, [])
                if not rows:
                    continue
                x = [r[0] for r in rows]
                m = [r[1][2 * k] / DIV[k] for r in rows]
                s = [r[1][2 * k + 1] / DIV[k] for r in rows]
                ax.errorbar(x, m, yerr=s, color=colour, marker=marker, capsize=3, label=label)
            ax.set_xscale("log")
            ax.set_title(STATS[k], fontsize=9)
            if k == 0:
                ax.set_ylabel(sc.replace(".json", ""))
            if row == 1:
                ax.set_xlabel("people per agent (scale)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Scale convergence: mean ± sd over replicates (ODD 7.10)")
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
