#!/usr/bin/python3
"""plot_sweep.py - pictures of a sweep (a file written by `ipsim sweep`).

Usage: scripts/plot_sweep.py OUT.h5 [-o PREFIX] [--outcomes a,b,...]

Writes PREFIX.png and PREFIX.svg (default: results/<file stem>_sweep). What
is drawn depends on the file's design (root attribute `design`):
  factorial  main effect of each factor on each outcome (mean with the factor
             on minus mean with it off) with 95% t intervals, and heat maps of
             the two-way interactions for arrivals and CEC arrivals (each cell
             printed with its value; * marks an interval that excludes 0);
  sobol      first-order and total Sobol indices per parameter and outcome,
             with bootstrap 95% intervals;
  morris     mu* (mean absolute elementary effect) against sigma per
             parameter, one panel per outcome;
  grid       response curves: the replicate mean (95% t interval) of each
             outcome against the parameter with the most values, one line
             per combination of the others;
  lhs        scatter of each point's replicate mean against each parameter;
  response   response curves (/analysis/response): per outcome, the
             incremental outcome against the spend, paired against the first
             level (95% t interval), and the marginal return per 10,000 CNY
             of the step from the previous level (with its interval);
  arms       use scripts/plot_compare.py.
Markers, line styles, hatching and printed values make every figure readable
in greyscale. Needs Debian's python3-matplotlib, h5py, numpy.
"""
import argparse
import warnings
import itertools
import os
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
warnings.filterwarnings("ignore", message=".*converting a masked element to nan.*")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ipsim_results import (OUTCOMES, MARKERS, FACES, LINESTYLES, Sweep, t975, thousands,  # noqa: E402
                           default_prefix, save)


def label(sw, name):
    title, xlabel, div, _ = OUTCOMES.get(name, (name, f"{name} ({sw.units.get(name, '1')})", 1.0, ""))
    return title, xlabel, div


def grid_axes(n, cols=3, h=3.0, w=14, extra=0.0):
    rows = max(1, (n + cols - 1) // cols)
    fig = plt.figure(figsize=(w, h * rows + 1.0 + extra), constrained_layout=True)
    return fig, rows, cols


def panels(fig, n, rows, cols):
    axes = np.ravel(fig.subplots(rows, cols, squeeze=False))
    for ax in axes[n:]:
        ax.set_axis_off()
    return axes[:n]


def factorial(sw, outcomes):
    k = len(sw.params)
    inter = [o for o in ("arrivals", "cec_arrivals") if f"interaction/{o}" in sw.analysis]
    rows = (len(outcomes) + 2) // 3
    fig = plt.figure(figsize=(14, 3.0 * rows + (5.2 if inter else 0) + 1.0), constrained_layout=True)
    if inter:
        top, bottom = fig.subfigures(2, 1, height_ratios=[3.0 * rows, 5.2])
    else:
        top, bottom = fig, None
    axes = panels(top, len(outcomes), rows, 3)
    for ax, name in zip(axes, outcomes):
        title, xlabel, div = label(sw, name)
        m = sw.a(f"main_effect/{name}")
        lo = sw.a(f"main_effect_ci_low/{name}")
        hi = sw.a(f"main_effect_ci_high/{name}")
        if m is None:
            ax.set_axis_off()
            continue
        pos = np.arange(k)[::-1]
        ok = np.isfinite(lo) & np.isfinite(hi)
        err = np.vstack([np.where(ok, m - lo, 0), np.where(ok, hi - m, 0)]) / div
        ax.barh(pos, m / div, color=[("0.35" if (l_ > 0 or h_ < 0) else "white") for l_, h_ in zip(lo, hi)],
                edgecolor="black", lw=0.8, height=0.6)
        ax.errorbar(m / div, pos, xerr=err, ls="none", color="black", capsize=3, lw=1)
        ax.set_yticks(pos)
        ax.set_yticklabels(sw.params, fontsize=9)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_axisbelow(True)
        ax.set_title(f"Main effect on {title}", fontsize=10)
        ax.set_xlabel(f"effect: {xlabel}", fontsize=9)
        ax.grid(True, axis="x", color="0.85", lw=0.5)
    if inter:
        top.suptitle("Main effects: mean(on) − mean(off), 95% t interval over replicates "
                     "(grey bar: interval excludes 0; white: it does not)", fontsize=10)
        for ax, name in zip(bottom.subplots(1, len(inter), squeeze=False)[0], inter):
            title, xlabel, div = label(sw, name)
            v = sw.a(f"interaction/{name}") / div
            lo = sw.a(f"interaction_ci_low/{name}")
            hi = sw.a(f"interaction_ci_high/{name}")
            lim = np.nanmax(np.abs(v)) or 1
            im = ax.imshow(v, cmap="RdBu_r", vmin=-lim, vmax=lim)
            for i, j in itertools.product(range(k), range(k)):
                if i == j or not np.isfinite(v[i, j]):
                    continue
                sig = lo[i, j] > 0 or hi[i, j] < 0
                ax.text(j, i, f"{v[i, j]:+.0f}{'*' if sig else ''}", ha="center", va="center", fontsize=8,
                        fontweight="bold" if sig else "normal",
                        color="white" if abs(v[i, j]) > 0.6 * lim else "black")
            ax.set_xticks(range(k))
            ax.set_yticks(range(k))
            ax.set_xticklabels(sw.params)
            ax.set_yticklabels(sw.params)
            ax.set_title(f"Two-way interactions: {title}\n(* and bold: 95% interval excludes 0)", fontsize=10)
            fig.colorbar(im, ax=ax, shrink=0.85, label=f"interaction: {xlabel}")
    return fig


def sobol(sw, outcomes):
    fig, rows, cols = grid_axes(len(outcomes), h=0.45 * len(sw.params) + 1.6)
    k = len(sw.params)
    for ax, name in zip(panels(fig, len(outcomes), rows, cols), outcomes):
        title, _, _ = label(sw, name)
        pos = np.arange(k)[::-1]
        for s, (stat, lab, face, hatch, dy) in enumerate((("first_order", "first-order S1", "white", "//", 0.2),
                                                          ("total_order", "total ST", "0.45", "", -0.2))):
            v = sw.a(f"{stat}/{name}")
            lo, hi = sw.a(f"{stat}_ci_low/{name}"), sw.a(f"{stat}_ci_high/{name}")
            if v is None:
                continue
            ok = np.isfinite(lo) & np.isfinite(hi)
            err = np.vstack([np.where(ok, np.maximum(v - lo, 0), 0), np.where(ok, np.maximum(hi - v, 0), 0)])
            ax.barh(pos + dy, v, height=0.38, color=face, hatch=hatch, edgecolor="black", lw=0.8, label=lab)
            ax.errorbar(v, pos + dy, xerr=err, ls="none", color="black", capsize=2, lw=0.9)
        if all(sw.a(f"{st}/{name}") is None or not np.isfinite(sw.a(f"{st}/{name}")).any()
               for st in ("first_order", "total_order")):
            ax.text(0.5, 0.5, "no variance over the design:\nindices undefined", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9)
        ax.set_yticks(pos)
        ax.set_yticklabels(sw.params, fontsize=9)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlim(min(-0.05, ax.get_xlim()[0]), max(1.05, ax.get_xlim()[1]))
        ax.set_axisbelow(True)
        ax.set_title(f"Sobol indices: {title}", fontsize=10)
        ax.set_xlabel("share of output variance (1)", fontsize=9)
        ax.legend(fontsize=8, loc="best")
        ax.grid(True, axis="x", color="0.85", lw=0.5)
    fig.suptitle("Sobol sensitivity indices with bootstrap 95% intervals (Saltelli 2010 first-order, "
                 "Jansen total) of the replicate means", fontsize=11)
    return fig


def morris(sw, outcomes):
    fig, rows, cols = grid_axes(len(outcomes), h=3.6)
    for ax, name in zip(panels(fig, len(outcomes), rows, cols), outcomes):
        title, xlabel, div = label(sw, name)
        ms, sg = sw.a(f"mu_star/{name}"), sw.a(f"sigma/{name}")
        if ms is None:
            ax.set_axis_off()
            continue
        if not np.nanmax(np.r_[ms, sg], initial=0) > 0:
            ax.text(0.5, 0.5, "no elementary effect:\nthe outcome does not vary", ha="center", va="center",
                    transform=ax.transAxes, fontsize=9)
            ax.set_title(f"Morris screening: {title}", fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        for p, pname in enumerate(sw.params):
            ax.plot(ms[p] / div, sg[p] / div, ls="none", marker=MARKERS[p % len(MARKERS)],
                    mfc=FACES[p % len(FACES)], mec="black", ms=8, label=pname)
            ax.annotate(pname, (ms[p] / div, sg[p] / div), textcoords="offset points", xytext=(5, 4), fontsize=7)
        top = np.nanmax(np.r_[ms, sg]) / div if np.isfinite(np.nanmax(np.r_[ms, sg])) else 1
        ax.plot([0, top], [0, top], color="0.5", ls=":", lw=0.8)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_title(f"Morris screening: {title}", fontsize=10)
        ax.set_xlabel(f"mu* per scaled range: {xlabel}", fontsize=8)
        ax.set_ylabel("sigma (same unit)", fontsize=8)
        ax.grid(True, color="0.85", lw=0.5)
    axes = fig.axes
    if axes:
        axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Morris elementary effects: mu* (importance) against sigma (non-linearity or interaction); "
                 "dotted: sigma = mu*", fontsize=11)
    return fig


def point_stats(sw, name):
    y = np.asarray(sw.outcomes[name], float)
    n = np.isfinite(y).sum(axis=1)
    m = np.nanmean(y, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.nanstd(y, axis=1, ddof=1)
        half = np.array([t975(k - 1) if k > 1 else np.nan for k in n]) * sd / np.sqrt(n)
    return m, half


def grid(sw, outcomes):
    X = {p: np.asarray(sw.design_values[p]) for p in sw.params}
    xname = max(sw.params, key=lambda p: len(np.unique(X[p])))
    others = [p for p in sw.params if p != xname]
    combos = sorted({tuple(X[o][i] for o in others) for i in range(len(sw.points))})
    fig, rows, cols = grid_axes(len(outcomes), h=3.2)
    xr = np.ptp(X[xname]) or 1.0
    dodge = np.linspace(-0.012, 0.012, len(combos)) * xr if len(combos) > 1 else [0.0]
    for ax, name in zip(panels(fig, len(outcomes), rows, cols), outcomes):
        title, ylabel, div = label(sw, name)
        m, half = point_stats(sw, name)
        for c, combo in enumerate(combos):
            sel = np.array([all(X[o][i] == v for o, v in zip(others, combo)) for i in range(len(sw.points))])
            order = np.argsort(X[xname][sel])
            xs, ys, hs = X[xname][sel][order], m[sel][order] / div, half[sel][order] / div
            lab = ", ".join(f"{o} = {v:g}" for o, v in zip(others, combo)) or "mean"
            ax.errorbar(xs + dodge[c], ys, yerr=np.where(np.isfinite(hs), hs, 0), color=str(min(0.15 * c, 0.6)),
                        ls=LINESTYLES[c % len(LINESTYLES)], marker=MARKERS[c % len(MARKERS)],
                        mfc=FACES[c % len(FACES)], mec="black", capsize=3, lw=1.3, label=lab)
        ax.set_title(f"{title[0].upper() + title[1:]} against {xname}", fontsize=10)
        ax.set_xlabel(f"{xname} (scenario units)", fontsize=9)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.grid(True, color="0.85", lw=0.5)
    if fig.axes:
        fig.axes[0].legend(fontsize=7)
    fig.suptitle(f"Response curves: replicate mean with 95% t interval ({sw.replicates} replicates)", fontsize=11)
    return fig


def lhs(sw, outcomes):
    outs = outcomes[:4]
    k = len(sw.params)
    fig = plt.figure(figsize=(min(3.6 * k + 1, 18), 2.9 * len(outs) + 1), constrained_layout=True)
    axes = fig.subplots(len(outs), k, squeeze=False)
    for r, name in enumerate(outs):
        title, ylabel, div = label(sw, name)
        m, _ = point_stats(sw, name)
        for c, p in enumerate(sw.params):
            ax = axes[r][c]
            ax.plot(sw.design_values[p], m / div, ls="none", marker=MARKERS[r % len(MARKERS)], mfc=FACES[r],
                    mec="black", ms=5)
            ax.set_xlabel(f"{p} (scenario units)", fontsize=8)
            if c == 0:
                ax.set_ylabel(ylabel, fontsize=8)
            ax.grid(True, color="0.85", lw=0.5)
    fig.suptitle(f"Latin hypercube: replicate mean of each point against each parameter "
                 f"({len(sw.points)} points x {sw.replicates} replicates)", fontsize=11)
    return fig


def response(sw, outcomes):
    """Incremental outcome (left axis, line) and marginal return (right
    axis, bars) against spend, from /analysis/response."""
    import h5py
    with h5py.File(sw.path, "r") as f:
        if "analysis/response" not in f:
            sys.exit(f"plot_sweep.py: {sw.path}: no /analysis/response (an unfinished sweep?)")
        g = f["analysis/response"]
        pname, path = g.attrs.get("name", "level"), g.attrs.get("path", "")
        pname = pname.decode() if isinstance(pname, bytes) else str(pname)
        path = path.decode() if isinstance(path, bytes) else str(path)
        data = {o: {k: g[o][k][...] for k in g[o]} for o in outcomes if o in g}
    outs = [o for o in outcomes if o in data]
    fig, rows, cols = grid_axes(len(outs), cols=2, h=3.6, w=13)
    for ax, name in zip(panels(fig, len(outs), rows, cols), outs):
        d = data[name]
        title, ylabel, div = label(sw, name)
        x = d["spend_cny"] / 1e6
        m, lo, hi = d["incremental_mean"] / div, d["incremental_lo"] / div, d["incremental_hi"] / div
        ax.fill_between(x, lo, hi, color="0.85", lw=0, label="95% interval (paired)")
        ax.plot(x, m, color="black", marker="o", mfc="white", lw=1.5, label="incremental (vs the first level)")
        ax.axhline(0, color="0.4", lw=0.6)
        ax.set_xlabel(f"spend over the first level (M CNY): {pname}", fontsize=9)
        ax.set_ylabel(f"incremental {ylabel}", fontsize=8)
        ax.set_title(f"{title[0].upper() + title[1:]}: response to spend", fontsize=10)
        ax.grid(True, color="0.85", lw=0.5)
        ax2 = ax.twinx()
        mm, ml, mh = d["marginal_mean"], d["marginal_lo"], d["marginal_hi"]
        ok = np.isfinite(mm)
        if ok.any():
            xm = (x[1:] + x[:-1]) / 2
            w = np.diff(x) * 0.5
            ax2.bar(xm[ok[1:]], mm[1:][ok[1:]], width=w[ok[1:]], color="none", edgecolor="0.35", hatch="///",
                    lw=0.8, label="marginal per 10,000 CNY (step from the level before)")
            ax2.errorbar(xm[ok[1:]], mm[1:][ok[1:]],
                         yerr=[mm[1:][ok[1:]] - ml[1:][ok[1:]], mh[1:][ok[1:]] - mm[1:][ok[1:]]],
                         ls="none", color="0.35", capsize=3, lw=0.9)
        unit = sw.units.get(name, "1")
        ax2.set_ylabel(f"marginal {'people' if unit == '1' else unit} per 10,000 CNY", fontsize=8)
        a0, a1 = ax.get_ylim()  # the zero of both axes on one line
        b0, b1 = ax2.get_ylim()
        frac = -a0 / (a1 - a0) if a1 > a0 else 0.0
        if 0.0 < frac < 1.0 and b1 > 0:
            if b0 >= 0 or -b0 / (b1 - b0) < frac:
                b0 = -frac * b1 / (1.0 - frac)
            else:
                b1 = -b0 * (1.0 - frac) / frac
            ax2.set_ylim(b0, b1)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper left")
    fig.suptitle(f"Response curve of {path or pname}: incremental outcome and marginal return "
                 f"({sw.replicates} replicates, common random numbers)", fontsize=11)
    return fig


DRAW = {"factorial": factorial, "sobol": sobol, "morris": morris, "grid": grid, "lhs": lhs,
        "response": response}


def figure(sw, outcomes=None):
    outs = [o for o in (outcomes or sw.outcome_names) if o in sw.outcomes]
    fig = DRAW[sw.design](sw, outs)
    fig.get_layout_engine()  # keep constrained layout
    return thousands(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output", help="output prefix (PNG and SVG)")
    ap.add_argument("--outcomes", help="comma-separated outcomes (default: all in the file)")
    a = ap.parse_args()
    sw = Sweep(a.file, "plot_sweep.py")
    if sw.design == "arms":
        sys.exit(f"plot_sweep.py: {a.file}: an arms comparison; use scripts/plot_compare.py for it")
    if sw.design not in DRAW:
        sys.exit(f"plot_sweep.py: {a.file}: unknown design '{sw.design}' (known: {', '.join(DRAW)}, arms)")
    if not sw.analysis and sw.design in ("factorial", "sobol", "morris", "response"):
        sys.exit(f"plot_sweep.py: {a.file}: no /analysis (an unmerged shard or an unfinished sweep?); "
                 "run 'ipsim merge' or 'ipsim sweep ... --resume' first")
    outs = a.outcomes.split(",") if a.outcomes else None
    if outs:
        bad = [o for o in outs if o not in sw.outcomes]
        if bad:
            sys.exit(f"plot_sweep.py: unknown outcome(s) {', '.join(bad)}; the file has: {', '.join(sw.outcomes)}")
    fig = figure(sw, outs)
    name = sw.attrs.get("experiment_name", "?")
    note = (f"{os.path.basename(a.file)}: experiment {name}, {sw.design} design, {len(sw.points)} points x "
            f"{sw.replicates} replicates, scale {sw.attrs.get('scale', 0):g} people per agent")
    st = fig._suptitle.get_text() if fig._suptitle is not None else ""
    fig.suptitle(f"{st}\n{note}" if st else note, fontsize=10)
    print("\n".join(save(fig, a.output or default_prefix(a.file, "_sweep"))))


if __name__ == "__main__":
    main()
