#!/usr/bin/python3
"""plot_run.py - pictures of one ipsim run (a file written by `ipsim run`).

Usage: scripts/plot_run.py OUT.h5 [-o PREFIX] [--smooth DAYS]

Writes PREFIX.png and PREFIX.svg (default: results/<file stem>_run) with five
panels over the simulated period, public holidays shaded:
  1. the funnel: people aware, considering, holding a booking (stocks) and
     arrivals per day (flow), on a log scale;
  2. arrivals per day by source market, stacked (the six largest markets,
     the rest as "other");
  3. the core experiential consumers' share of arrivals;
  4. positive and negative UGC posts per day;
  5. crowding (visitors on site / capacity) per asset.
Styles use line patterns, markers and hatching as well as grey levels, so
the figure reads in greyscale. Needs Debian's python3-matplotlib, h5py, numpy.
"""
import argparse
import datetime as dt
import json
import os
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.dates as mdates  # noqa: E402

LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "x"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo"]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def smooth(x, days):
    """Centred moving average over `days` days (edges use what exists)."""
    if days <= 1:
        return x
    k = np.ones(days)
    num = np.convolve(x, k, mode="same")
    den = np.convolve(np.ones_like(x), k, mode="same")
    return num / den


def shade_holidays(ax, scenario, dates):
    lo, hi = dates[0], dates[-1]
    for h in scenario.get("calendar", {}).get("holidays", []):
        a = dt.date.fromisoformat(h["start"])
        b = dt.date.fromisoformat(h["end"]) + dt.timedelta(days=1)
        if b < lo or a > hi:
            continue
        ax.axvspan(a, b, color="0.88", lw=0, zorder=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output", help="output prefix (PNG and SVG)")
    ap.add_argument("--smooth", type=int, default=7, help="moving average for daily flows (days)")
    a = ap.parse_args()
    try:
        f = h5py.File(a.file, "r")
    except OSError as e:
        sys.exit(f"plot_run.py: {a.file}: cannot open: {e}")
    if "daily" not in f or "scenario" not in f:
        sys.exit(f"plot_run.py: {a.file}: not an ipsim run file (no /daily or /scenario); "
                 "for sweeps use scripts/plot_sweep.py or scripts/plot_compare.py")
    scenario = json.loads(text(f["scenario"][()]))
    start = dt.date.fromisoformat(text(f.attrs["start_date"]))
    days = f["daily/arrivals"].shape[0]
    dates = np.array([start + dt.timedelta(days=d) for d in range(days)])
    markets = [text(m) for m in f["market"][...]]
    assets = [text(x) for x in f["asset"][...]]
    D = {k: f["daily/" + k][...] for k in f["daily"]}
    name = text(f.attrs.get("scenario_name", os.path.basename(a.file)))
    scale = float(np.asarray(f.attrs.get("scale", 1)).ravel()[0])

    fig, axes = plt.subplots(5, 1, figsize=(11, 17), sharex=True, constrained_layout=True)
    fig.suptitle(f"ipsim run: {name} (scale {scale:g} people per agent, seed "
                 f"{text(f.attrs.get('seed_string', f.attrs.get('seed', '?')))})", fontsize=13)

    # 1 funnel
    ax = axes[0]
    series = [("aware", D["aware"].sum(axis=(1, 2)), "people aware (stock)"),
              ("considering", D["considering"].sum(axis=(1, 2)), "considering a trip (stock)"),
              ("booked", D["booked"].sum(axis=(1, 2)), "holding a booking (stock)"),
              ("arrivals", smooth(D["arrivals"].sum(axis=(1, 2)), a.smooth),
               f"arrivals per day ({a.smooth}-day mean)")]
    for i, (_, y, label) in enumerate(series):
        ax.plot(dates, np.where(y > 0, y, np.nan), color=str(0.15 * i), ls=LINESTYLES[i], lw=1.6, label=label,
                marker=MARKERS[i], markevery=30, ms=4)
    ax.set_yscale("log")
    ax.set_ylabel("people")
    ax.set_title("Funnel: awareness, consideration, bookings and arrivals")
    ax.legend(loc="lower right", fontsize=8)

    # 2 arrivals by market, stacked
    ax = axes[1]
    by_market = D["arrivals"].sum(axis=2)
    order = np.argsort(by_market.sum(axis=0))[::-1]
    top = list(order[:6])
    stacks = [smooth(by_market[:, m], a.smooth) for m in top]
    labels = [markets[m] for m in top]
    rest = [m for m in order[6:]]
    if rest:
        stacks.append(smooth(by_market[:, rest].sum(axis=1), a.smooth))
        labels.append("other")
    grey = [str(0.25 + 0.1 * i) for i in range(len(stacks))]
    polys = ax.stackplot(dates, *stacks, labels=labels, colors=grey, edgecolor="black", lw=0.3)
    for p, h in zip(polys, HATCHES):
        p.set_hatch(h)
    ax.set_ylabel("arrivals per day (people)")
    ax.set_title(f"Arrivals by source market ({a.smooth}-day mean; public holidays shaded)")
    ax.legend(loc="upper left", fontsize=8, ncol=4)

    # 3 CEC share
    ax = axes[2]
    cec = smooth(D["arrivals"][:, :, 0].sum(axis=1), a.smooth)
    tot = smooth(D["arrivals"].sum(axis=(1, 2)), a.smooth)
    share = np.where(tot > 0, 100 * cec / np.where(tot > 0, tot, 1), np.nan)
    ax.plot(dates, share, color="0.1", lw=1.6, label=f"CEC share of arrivals ({a.smooth}-day mean)")
    year = 100 * D["arrivals"][:, :, 0].sum() / max(D["arrivals"].sum(), 1)
    ax.axhline(year, color="0.4", ls="--", lw=1, label=f"whole period: {year:.1f} %")
    ax.set_ylabel("per cent of arrivals")
    ax.set_ylim(0, 100)
    ax.set_title("Core experiential consumers (CEC) among arrivals")
    ax.legend(loc="upper right", fontsize=8)

    # 4 posts
    ax = axes[3]
    for i, (k, label) in enumerate([("posts_positive", "positive posts"), ("posts_negative", "negative posts"),
                                    ("posts_neutral", "neutral posts")]):
        y = smooth(D[k].sum(axis=(1, 2)), a.smooth)
        ax.plot(dates, y, color=str(0.25 * i), ls=LINESTYLES[i], lw=1.5, marker=MARKERS[i], markevery=30, ms=4,
                label=f"{label} ({a.smooth}-day mean)")
    ax.set_ylabel("posts per day")
    ax.set_title("User-generated content by sentiment")
    ax.legend(loc="upper left", fontsize=8)

    # 5 crowding
    ax = axes[4]
    crowd = f["asset_daily/crowding"][...]
    for i, asset in enumerate(assets):
        ax.plot(dates, crowd[:, i], color=str(min(0.15 * i, 0.7)), ls=LINESTYLES[i % len(LINESTYLES)], lw=1.2,
                marker=MARKERS[i % len(MARKERS)], markevery=30, ms=4, label=asset.replace("_", " "))
    thr = scenario.get("parameters", {}).get("visit", {}).get("crowding_threshold")
    if thr is not None:
        ax.axhline(thr, color="black", lw=0.8, ls=":", label=f"crowding threshold ({thr:g})")
    ax.set_ylabel("visitors on site / capacity")
    ax.set_title("Crowding per asset")
    ax.legend(loc="upper left", fontsize=8, ncol=3)

    for ax in axes:
        shade_holidays(ax, scenario, dates)
        ax.grid(True, color="0.85", lw=0.5)
    axes[-1].xaxis.set_major_locator(mdates.MonthLocator())
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    axes[-1].set_xlabel(f"date ({dates[0].year})")

    prefix = a.output or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "results",
                                      os.path.splitext(os.path.basename(a.file))[0] + "_run")
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(f"{prefix}.{ext}", dpi=110)
    print(f"{prefix}.png\n{prefix}.svg")


if __name__ == "__main__":
    main()
