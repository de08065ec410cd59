#!/usr/bin/python3
"""plot_compare.py - pictures of a comparison (a file written by `ipsim compare`,
or by `ipsim sweep` with an arms design).

Usage: scripts/plot_compare.py OUT.h5 [-o PREFIX]

Writes PREFIX.png and PREFIX.svg (default: results/<file stem>_compare), a
forest plot of paired differences with 95% confidence intervals (paired t
over the common-random-number replicates):
  top     one panel per outcome (arrivals, CEC arrivals, visitor-nights,
          on-site spending, positive-post share, repeat-visit share, peak
          crowding): every arm minus the reference arm, and every later arm
          minus every earlier one (e.g. Shanghai/Shenzhen minus dispersed);
  middle  per 10,000 CNY of extra intervention cost: extra arrivals and the
          visitors' extra gross on-site spending (money spent at the
          destination, not a return on the budget; arms that cost more than
          the reference only);
  bottom  arrivals and CEC arrivals by source market, for the same contrasts.
Each contrast has its own marker and fill (black, white, grey), so the figure
reads in greyscale, and its name labels its row on the y axis. Needs Debian's python3-matplotlib, h5py, numpy.
"""
import argparse
import os
import textwrap
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ipsim_results import (OUTCOMES, MARKERS, FACES, Sweep, diff, contrasts,  # noqa: E402
                           default_prefix, save, thousands)


def _style(c):
    return dict(marker=MARKERS[c % len(MARKERS)], mfc=FACES[c % len(FACES)], mec="black", color="black",
                ms=7, capsize=3, lw=1.2, ls="none")


def row_label(label):
    """A contrast's row label on the y axis: 'A − B' on two lines."""
    a, sep, b = label.partition(" − ")
    return f"{a}\n− {b}" if sep else label


def label_rows(ax, labels):
    """Row labels (top row first) on the y axis of a forest panel."""
    n = len(labels)
    ax.set_yticks([n - 1 - k for k in range(n)])
    ax.set_yticklabels([row_label(x) for x in labels], fontsize=7.5)
    ax.tick_params(axis="y", length=0)


def contrast_table(sw, name):
    """[(label, mean, lo, hi)] for every contrast of outcome `name`."""
    rows = []
    for i, j, label in contrasts(sw):
        m, lo, hi = diff(sw, name, i, j)
        rows.append((label, m, lo, hi))
    return rows


def draw_outcome(ax, sw, name):
    title, xlabel, div, _ = OUTCOMES.get(name, (name, f"{name} ({sw.units.get(name, '1')})", 1.0, ""))
    rows = contrast_table(sw, name)
    n = len(rows)
    for c, (label, m, lo, hi) in enumerate(rows):
        yy = n - 1 - c
        err = None
        if np.isfinite(lo) and np.isfinite(hi):
            err = [[(m - lo) / div], [(hi - m) / div]]
        ax.errorbar([m / div], [yy], xerr=err, **_style(c))
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    label_rows(ax, [r[0] for r in rows])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_title(textwrap.fill(f"Difference in {title}", 40), fontsize=10)
    ax.set_xlabel(textwrap.fill(f"difference: {xlabel}", 44), fontsize=9)
    ax.grid(True, axis="x", color="0.85", lw=0.5)


def draw_return(ax, sw, which):
    """which: 'arrivals' or 'spending_cny'."""
    cost = sw.a("per_10k_cny/extra_cost_cny")
    v = sw.a(f"per_10k_cny/extra_{which}")
    lo = sw.a(f"per_10k_cny/extra_{which}_ci_low")
    hi = sw.a(f"per_10k_cny/extra_{which}_ci_high")
    rows = []
    for c, (i, j, label) in enumerate(contrasts(sw)):
        if j != sw.reference or v is None or cost is None or not (cost[i] > 0) or not np.isfinite(v[i]):
            continue
        rows.append((c, label, v[i], lo[i] if lo is not None else np.nan, hi[i] if hi is not None else np.nan,
                     cost[i]))
    unit = "people" if which == "arrivals" else "thousand CNY"
    div = 1.0 if which == "arrivals" else 1e3
    word = "extra arrivals" if which == "arrivals" else "visitors' extra gross on-site spending"
    if not rows:
        ax.text(0.5, 0.5, "no arm costs more than the reference", ha="center", va="center",
                transform=ax.transAxes, fontsize=9)
        ax.set_axis_off()
        return
    n = len(rows)
    for k, (c, label, m, l_, h_, _) in enumerate(rows):
        err = [[(m - l_) / div], [(h_ - m) / div]] if np.isfinite(l_) and np.isfinite(h_) else None
        ax.errorbar([m / div], [n - 1 - k], xerr=err, **_style(c))
        ax.annotate(f"{m:,.0f}" if div == 1 else f"{m / div:,.0f} k", (m / div, n - 1 - k),
                    textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    label_rows(ax, [r[1] for r in rows])
    ax.set_ylim(-0.7, n - 0.3)
    costs = sorted({r[5] for r in rows})
    title = (f"{word[0].upper() + word[1:]} per 10,000 CNY of extra cost (extra cost "
             + ", ".join(f"{x / 1e6:g} M CNY" for x in costs) + ")")
    ax.set_title(textwrap.fill(title, 34), fontsize=10)
    ax.set_xlabel(textwrap.fill(f"{word} per 10,000 CNY ({unit})", 40), fontsize=9)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.grid(True, axis="x", color="0.85", lw=0.5)


def draw_markets(ax, sw, name):
    if name not in sw.by_market or not sw.markets:
        ax.set_axis_off()
        return
    title, xlabel, div, _ = OUTCOMES.get(name, (name, name, 1.0, ""))
    cs = contrasts(sw)
    M = len(sw.markets)
    off = np.linspace(0.25, -0.25, len(cs)) if len(cs) > 1 else [0.0]
    for c, (i, j, label) in enumerate(cs):
        m, lo, hi = (np.asarray(x, float) for x in diff(sw, name, i, j, "by_market"))
        pos = M - 1 - np.arange(M) + off[c]
        ok = np.isfinite(lo) & np.isfinite(hi)
        err = np.vstack([np.where(ok, m - lo, 0), np.where(ok, hi - m, 0)]) / div
        st = _style(c)
        st["ms"] = 5
        ax.errorbar(m / div, pos, xerr=err, **st)
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    ax.set_yticks(M - 1 - np.arange(M))
    ax.set_yticklabels(sw.markets, fontsize=8)
    for k in range(M):
        if k % 2:
            ax.axhspan(M - 1 - k - 0.5, M - 1 - k + 0.5, color="0.94", lw=0, zorder=0)
    ax.set_ylim(-0.6, M - 0.4)
    ax.set_title(f"Difference in {title} by source market", fontsize=10)
    ax.set_xlabel(f"difference: {xlabel}", fontsize=9)
    ax.grid(True, axis="x", color="0.85", lw=0.5)


def legend_handles(sw):
    return [Line2D([], [], **{k: v for k, v in _style(c).items() if k not in ("capsize",)}, label=label)
            for c, (_, _, label) in enumerate(contrasts(sw))]


def suptitle(sw):
    return (f"ipsim comparison: {sw.attrs.get('experiment_name', '?')} - paired differences, 95% CI over "
            f"{sw.replicates} common-random-number replicates (scale {sw.attrs.get('scale', 0):g} people per "
            f"agent, {sw.attrs.get('days', '?')} days)")


def put_legend(sub, sw, title="contrast (paired difference, 95% CI)"):
    """A legend of the contrasts in its own (sub)figure row (matplotlib 3.6 has no 'outside')."""
    ax = sub.subplots()
    ax.set_axis_off()
    ax.legend(handles=legend_handles(sw), loc="center", ncol=min(3, len(contrasts(sw))), fontsize=9,
              title=title, title_fontsize=9, frameon=True)


def figure_outcomes(sw, with_return=True, cols=2):
    """The outcome panels and the per-10,000-CNY panels (the report's figure:
    two columns, so that the row labels stay legible on a page)."""
    names = sw.outcome_names
    n = len(names) + (2 if with_return else 0)
    rows = (n + cols - 1) // cols
    fig = plt.figure(figsize=(5.5 * cols, 2.6 * rows + 1.0), constrained_layout=True)
    leg, body = fig.subfigures(2, 1, height_ratios=[0.8, 2.6 * rows])
    put_legend(leg, sw)
    axes = np.ravel(body.subplots(rows, cols))
    for ax, name in zip(axes, names):
        draw_outcome(ax, sw, name)
    k = len(names)
    if with_return:
        draw_return(axes[k], sw, "arrivals")
        draw_return(axes[k + 1], sw, "spending_cny")
        k += 2
    for ax in axes[k:]:
        ax.set_axis_off()
    return thousands(fig)


def figure_markets(sw):
    names = [n for n in ("arrivals", "cec_arrivals") if n in sw.by_market]
    h = 0.38 * max(len(sw.markets), 4) + 1.2
    fig = plt.figure(figsize=(14, h + 0.8), constrained_layout=True)
    leg, body = fig.subfigures(2, 1, height_ratios=[0.8, h])
    put_legend(leg, sw)
    for ax, name in zip(body.subplots(1, max(len(names), 1), squeeze=False)[0], names):
        draw_markets(ax, sw, name)
    return thousands(fig)


def figure_all(sw):
    """Everything in one figure (what the command line writes)."""
    names = sw.outcome_names
    n = len(names) + 2
    cols = 3
    rows = (n + cols - 1) // cols
    mh = 0.36 * max(len(sw.markets), 4) + 1.2
    fig = plt.figure(figsize=(14, 2.9 * rows + mh + 1.4), constrained_layout=True)
    leg, top, bottom = fig.subfigures(3, 1, height_ratios=[0.8, 2.9 * rows, mh])
    put_legend(leg, sw)
    axes = np.ravel(top.subplots(rows, cols))
    for ax, name in zip(axes, names):
        draw_outcome(ax, sw, name)
    draw_return(axes[len(names)], sw, "arrivals")
    draw_return(axes[len(names) + 1], sw, "spending_cny")
    for ax in axes[n:]:
        ax.set_axis_off()
    names_m = [x for x in ("arrivals", "cec_arrivals") if x in sw.by_market]
    if names_m:
        for ax, name in zip(bottom.subplots(1, len(names_m), squeeze=False)[0], names_m):
            draw_markets(ax, sw, name)
    fig.suptitle(textwrap.fill(suptitle(sw), 110), fontsize=12)
    return thousands(fig)


def load(path, tool="plot_compare.py"):
    sw = Sweep(path, tool)
    if sw.design != "arms":
        raise SystemExit(f"{tool}: {path}: a {sw.design} sweep, not a comparison (arms); "
                         "use scripts/plot_sweep.py for it")
    if len(sw.points) < 2:
        raise SystemExit(f"{tool}: {path}: only one arm; nothing to compare")
    return sw


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output", help="output prefix (PNG and SVG)")
    a = ap.parse_args()
    sw = load(a.file)
    fig = figure_all(sw)
    print("\n".join(save(fig, a.output or default_prefix(a.file, "_compare"))))


if __name__ == "__main__":
    main()
