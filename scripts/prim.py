#!/usr/bin/python3
"""prim.py - scenario discovery with PRIM: where in parameter space does a plan lose?

Usage: scripts/prim.py SWEEP.h5 --plan X --versus Y [--outcome NAME] [--threshold T]
       scripts/prim.py SWEEP.h5 --versus-file OTHER.h5 [--outcome NAME] [--threshold T]
       scripts/prim.py SWEEP.h5 --below VALUE [--outcome NAME]
       common options: [--alpha A] [--paste-alpha A] [--min-support S] [--min-coverage C]
                       [--json BOX.json] [-o PREFIX]

The Patient Rule Induction Method (Friedman and Fisher 1999, "Bump hunting
in high-dimensional data", Statistics and Computing 9:123-143), written here
from the paper's description in numpy. Given rows x (sampled parameter
values) and a 0/1 case of interest y, PRIM looks for a box (a range per
parameter) where the cases are dense:
  - peeling: starting from the box holding every row, repeatedly remove the
    slice of about `alpha` of the rows in the box at the low or high end of
    one parameter, the slice whose removal leaves the highest density of
    cases, until fewer than `min_support` of all rows remain; every box on
    the way is kept (the peeling trajectory, from high coverage and low
    density to low coverage and high density);
  - choosing: among the boxes of the trajectory that still hold at least
    `min_coverage` of all cases, the one with the largest coverage x density
    (the densest box alone would be over-peeled: density keeps rising a
    little while coverage falls fast);
  - pasting: the chosen box is widened again, a slice of about `paste_alpha`
    of its rows at a time, while that raises its density.
Coverage is the share of all cases inside the box, density the share of the
box's rows that are cases, support the share of all rows inside the box.

The case of interest, from a sweep file (scenarios/experiments/README.md):
  - --plan X --versus Y on a file whose parameters are sampled (an lhs,
    sobol or morris design: /design/<parameter>) and whose plans are
    variations (/variations): a row per design point, the case "X's mean
    paired difference to Y over the replicates is below T" (T = 0: X
    loses);
  - --plan X --versus Y on an arms file with posterior draws
    (/posterior_draws): a row per replicate (each replicate is one draw,
    shared by every arm), the case "X minus Y in that replicate < T";
  - --versus-file OTHER.h5: two sweeps of the same sampled design and seed
    (the plan of SWEEP.h5 against the plan of OTHER.h5, pairs by point and
    replicate);
  - --below VALUE: one sweep of a sampled design, the case "the outcome's
    mean at the point is below VALUE".
It prints the trajectory and the chosen box; --json writes the result for
scripts/report.py --prim; -o PREFIX draws the trajectory (PNG and SVG).
Needs Debian's python3-numpy, python3-scipy, python3-h5py (matplotlib for -o).
"""
import argparse
import html
import json
import os
import sys

import numpy as np

MIN_ROWS = 30          # fewer rows than this: too few for a box to mean anything
MIN_CASES = 3          # at least this many cases and non-cases


LESS = {"cec_arrivals": "fewer CEC visitors", "arrivals": "fewer visitors", "visitor_nights": "fewer visitor-nights",
        "spending_cny": "less visitors' gross on-site spending"}


def less(outcome):
    """'fewer CEC visitors' for an outcome's name."""
    return LESS.get(outcome, f"less {outcome}")


class PrimError(Exception):
    """The data do not allow scenario discovery (too few rows or cases)."""


# ---------------------------------------------------------------- the algorithm

def _stats(y_in, n_all, cases_all):
    k = int(y_in.sum())
    n = len(y_in)
    return {"coverage": k / cases_all if cases_all else float("nan"),
            "density": k / n if n else float("nan"), "support": n / n_all, "n": n, "cases": k}


def _inside(X, lo, hi):
    return np.all((X >= lo) & (X <= hi), axis=1)


def _peel_candidates(X, y, mask, alpha):
    """Every one-slice peel of the box of rows `mask`: [(density, rows left,
    dim, side, new limit)]."""
    out = []
    idx = np.flatnonzero(mask)
    n_box = len(idx)
    for j in range(X.shape[1]):
        xj = X[idx, j]
        for side in (0, 1):
            q = np.quantile(xj, alpha if side == 0 else 1 - alpha, method="linear")
            keep = xj > q if side == 0 else xj < q
            if keep.all() or not keep.any():
                # ties: remove the whole extreme value instead
                ext = xj.min() if side == 0 else xj.max()
                keep = xj != ext
                if keep.all() or not keep.any():
                    continue
                q = ext
            left = int(keep.sum())
            if left >= n_box:
                continue
            lim = xj[keep].min() if side == 0 else xj[keep].max()
            out.append((float(y[idx[keep]].mean()), left, j, side, float(lim)))
    return out


def peel(X, y, alpha=0.05, min_support=0.05):
    """The peeling trajectory: [(lo, hi)] boxes from the full box (the data's
    range) inward. X: rows x parameters; y: 0/1 per row."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    lo, hi = X.min(axis=0).copy(), X.max(axis=0).copy()
    traj = [(lo.copy(), hi.copy())]
    n = len(y)
    while True:
        mask = _inside(X, lo, hi)
        cands = _peel_candidates(X, y, mask, alpha)
        cands = [c for c in cands if c[1] >= max(min_support * n, 1)]
        if not cands:
            break
        # the highest density left; among equals, the peel that removes least
        d, left, j, side, lim = max(cands, key=lambda c: (c[0], c[1]))
        if side == 0:
            lo[j] = lim
        else:
            hi[j] = lim
        traj.append((lo.copy(), hi.copy()))
    return traj


def paste(X, y, lo, hi, alpha=0.01):
    """Widen box [lo, hi] a slice at a time while its density rises."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    lo, hi = lo.copy(), hi.copy()
    dmin, dmax = X.min(axis=0), X.max(axis=0)
    while True:
        mask = _inside(X, lo, hi)
        dens = y[mask].mean() if mask.any() else 0.0
        n_add = max(1, int(np.ceil(alpha * mask.sum())))
        best = None
        for j in range(X.shape[1]):
            others = np.ones(len(y), bool)
            for k in range(X.shape[1]):
                if k != j:
                    others &= (X[:, k] >= lo[k]) & (X[:, k] <= hi[k])
            for side in (0, 1):
                if (side == 0 and lo[j] <= dmin[j]) or (side == 1 and hi[j] >= dmax[j]):
                    continue
                out = others & ((X[:, j] < lo[j]) if side == 0 else (X[:, j] > hi[j]))
                vals = np.sort(X[out, j])
                if not len(vals):
                    continue
                lim = vals[-min(n_add, len(vals))] if side == 0 else vals[min(n_add, len(vals)) - 1]
                nlo, nhi = lo.copy(), hi.copy()
                if side == 0:
                    nlo[j] = lim
                else:
                    nhi[j] = lim
                m2 = _inside(X, nlo, nhi)
                d2 = y[m2].mean()
                if d2 > dens + 1e-12 and (best is None or d2 > best[0]):
                    best = (d2, nlo, nhi)
        if best is None:
            return lo, hi
        _, lo, hi = best


def prim(X, y, names, alpha=0.05, paste_alpha=0.01, min_support=0.05, min_coverage=0.5):
    """PRIM on rows X (n x d) and cases y (0/1). Returns a dict: parameters,
    trajectory [{coverage, density, support, n, cases, restricted}], chosen
    (index in the trajectory), box {lo, hi, coverage, density, support, n,
    cases, restricted [{parameter, lo, hi, data_lo, data_hi}], p_value},
    n, n_cases, base_density. Raises PrimError when there are fewer than
    MIN_ROWS rows or MIN_CASES cases or non-cases."""
    X = np.asarray(X, float)
    y = np.asarray(y, bool).astype(float)
    ok = np.all(np.isfinite(X), axis=1)
    X, y = X[ok], y[ok]
    n, k = len(y), int(y.sum())
    if n < MIN_ROWS:
        raise PrimError(f"{n} rows; PRIM needs at least {MIN_ROWS}")
    if k < MIN_CASES or n - k < MIN_CASES:
        raise PrimError(f"{k} cases of interest in {n} rows; PRIM needs at least {MIN_CASES} cases and "
                        f"{MIN_CASES} other rows")
    dlo, dhi = X.min(axis=0), X.max(axis=0)

    def restricted(lo, hi):
        return [{"parameter": names[j], "lo": float(lo[j]), "hi": float(hi[j]), "data_lo": float(dlo[j]),
                 "data_hi": float(dhi[j])} for j in range(X.shape[1]) if lo[j] > dlo[j] or hi[j] < dhi[j]]

    traj = peel(X, y, alpha, min_support)
    rows = []
    for lo, hi in traj:
        s = _stats(y[_inside(X, lo, hi)], n, k)
        s["restricted"] = len(restricted(lo, hi))
        rows.append(s)
    ok_cov = [i for i, r in enumerate(rows) if r["coverage"] >= min_coverage]
    chosen = max(ok_cov or [0], key=lambda i: (rows[i]["coverage"] * rows[i]["density"], rows[i]["density"]))
    lo, hi = paste(X, y, *traj[chosen], alpha=paste_alpha)
    box = _stats(y[_inside(X, lo, hi)], n, k)
    from scipy.stats import binomtest
    box["p_value"] = float(binomtest(box["cases"], box["n"], k / n, alternative="greater").pvalue)
    box.update({"lo": lo.tolist(), "hi": hi.tolist(), "restricted": restricted(lo, hi)})
    return {"parameters": list(names), "trajectory": rows, "chosen": int(chosen), "box": box, "n": n,
            "n_cases": k, "base_density": k / n, "alpha": alpha, "paste_alpha": paste_alpha,
            "min_support": min_support, "min_coverage": min_coverage}


# ---------------------------------------------------------------- sweep files

def _paired_mean(a, b):
    d = np.asarray(a, float) - np.asarray(b, float)
    return np.nanmean(d, axis=-1)


def discover_arms(sw, plan, versus, outcome="cec_arrivals", threshold=0.0, **kw):
    """Rows = replicates of an arms file with posterior draws; case: plan
    minus versus in the replicate below threshold."""
    if not sw.posterior:
        raise PrimError("the file has no posterior draws (/posterior_draws)")
    import report_decision as rd
    view, _ = rd.main_view(sw)
    for p in (plan, versus):
        if p not in view.points:
            raise PrimError(f"no arm named {p!r} (arms: {', '.join(view.points)})")
    y_all = view.outcomes[outcome]
    d = np.asarray(y_all[view.points.index(plan)], float) - np.asarray(y_all[view.points.index(versus)], float)
    X = sw.posterior["values"][: len(d)]
    res = prim(X, d < threshold, sw.posterior["parameters"], **kw)
    res.update(question=f"where {plan} brings {less(outcome)} than {versus}"
               + (f" (by more than {-threshold:g})" if threshold < 0 else ""),
               rows="replicates (posterior draws)", plan=plan, versus=versus, outcome=outcome,
               threshold=threshold, source=os.path.basename(sw.path))
    return res


def design_matrix(sw, points=None):
    names = [p for p in (sw.params or sorted(sw.design_values)) if p in sw.design_values]
    if not names:
        raise PrimError("the file has no sampled parameters (/design/<parameter>: an lhs, sobol or morris design)")
    X = np.column_stack([np.asarray(sw.design_values[p], float) for p in names])
    return (X if points is None else X[points]), names


def discover_variations(sw, plan, versus, outcome="cec_arrivals", threshold=0.0, **kw):
    """Rows = design points of a sampled design run under variations (the
    plans); case: plan's mean paired difference to versus below threshold."""
    names = [v["name"] for v in sw.variations]
    for p in (plan, versus):
        if p not in names:
            raise PrimError(f"no variation named {p!r} (variations: {', '.join(names) or 'none'})")
    pv = np.asarray(sw.point_variation, int)
    a, b = np.flatnonzero(pv == names.index(plan)), np.flatnonzero(pv == names.index(versus))
    X, pn = design_matrix(sw, a)
    Xb, _ = design_matrix(sw, b)
    if X.shape != Xb.shape or not np.allclose(X, Xb):
        raise PrimError("the two variations do not share their design points")
    d = _paired_mean(sw.outcomes[outcome][a], sw.outcomes[outcome][b])
    res = prim(X, d < threshold, pn, **kw)
    res.update(question=f"where {plan} brings {less(outcome)} than {versus}", rows="design points",
               plan=plan, versus=versus, outcome=outcome, threshold=threshold, source=os.path.basename(sw.path))
    return res


def discover_files(sw, other, outcome="cec_arrivals", threshold=0.0, **kw):
    """Rows = design points of two sweeps of the same sampled design and
    seed; case: sw's mean paired difference to other below threshold."""
    X, pn = design_matrix(sw)
    Xo, pno = design_matrix(other)
    if pn != pno or X.shape != Xo.shape or not np.allclose(X, Xo):
        raise PrimError(f"{other.path} does not have the same design points as {sw.path}")
    if sw.attrs.get("seed") != other.attrs.get("seed"):
        raise PrimError("the two sweeps have different seeds: their replicates are not paired")
    d = _paired_mean(sw.outcomes[outcome], other.outcomes[outcome])
    a, b = sw.attrs.get("experiment_name", sw.path), other.attrs.get("experiment_name", other.path)
    res = prim(X, d < threshold, pn, **kw)
    res.update(question=f"where {a} brings {less(outcome)} than {b}", rows="design points", plan=a, versus=b,
               outcome=outcome, threshold=threshold,
               source=f"{os.path.basename(sw.path)} vs {os.path.basename(other.path)}")
    return res


def discover_below(sw, value, outcome="cec_arrivals", **kw):
    """Rows = design points; case: the outcome's mean over replicates below value."""
    X, pn = design_matrix(sw)
    m = np.nanmean(np.asarray(sw.outcomes[outcome], float), axis=-1)
    res = prim(X, m < value, pn, **kw)
    res.update(question=f"where {outcome} is below {value:,.6g}", rows="design points", outcome=outcome,
               threshold=value, source=os.path.basename(sw.path))
    return res


# ---------------------------------------------------------------- output

def fmt(x, minus="-"):
    return f"{x:,.4g}".replace("-", minus)


def box_text(res):
    res = dict({"question": "the case of interest", "rows": "rows"}, **res)
    b = res["box"]
    lines = [f"PRIM: {res['question']} ({res['n']} {res['rows']}, {res['n_cases']} cases, "
             f"base density {res['base_density']:.1%})",
             "trajectory (peeling):", "   box  coverage  density  support  restricted"]
    for i, r in enumerate(res["trajectory"]):
        lines.append(f"  {i:4d}  {r['coverage']:8.1%}  {r['density']:7.1%}  {r['support']:7.1%}  {r['restricted']:10d}"
                     + ("   <- chosen" if i == res["chosen"] else ""))
    lines.append(f"chosen box after pasting: coverage {b['coverage']:.1%}, density {b['density']:.1%}, "
                 f"support {b['support']:.1%} ({b['cases']} of {b['n']} rows; one-sided binomial p = "
                 f"{b['p_value']:.2g} against the base density, optimistic: the box was chosen on these data)")
    for r in b["restricted"] or []:
        lines.append(f"  {r['parameter']:30s} {fmt(r['lo'])} to {fmt(r['hi'])}   "
                     f"(sampled {fmt(r['data_lo'])} to {fmt(r['data_hi'])})")
    if not b["restricted"]:
        lines.append("  no parameter is restricted: the cases are spread over the whole sampled space")
    return "\n".join(lines)


def box_html(res):
    """The report's scenario-discovery section for a result of prim()."""
    E = html.escape
    res = dict({"question": "the case of interest", "rows": "rows"}, **res)
    b = res["box"]
    h = [f"<h2>Where the chosen plan loses: scenario discovery</h2><p>PRIM (Friedman and Fisher 1999, "
         f"<code>scripts/prim.py</code>) looked for the region of the sampled parameters {E(res['question'])}: "
         f"{res['n_cases']} of {res['n']} {E(res['rows'])} ({res['base_density']:.0%}) are such cases "
         f"(source <code>{E(str(res.get('source', '')))}</code>).</p>"]
    if b["restricted"]:
        h.append(f"<p>The box below holds <b>{b['coverage']:.0%} of the cases</b> (coverage) and in it <b>"
                 f"{b['density']:.0%} of the rows are cases</b> (density, against {res['base_density']:.0%} "
                 f"overall); it holds {b['support']:.0%} of the rows. One-sided binomial p = {b['p_value']:.2g} "
                 f"against the overall rate (optimistic: the box was chosen on the same data).</p>")
        h.append("<table class=prim><tr><th>parameter</th><th class=num>box: from</th><th class=num>to</th>"
                 "<th class=num>sampled range</th></tr>")
        for r in b["restricted"]:
            M = "\u2212"
            h.append(f"<tr><td><code>{E(r['parameter'])}</code></td><td class=num>{fmt(r['lo'], M)}</td>"
                     f"<td class=num>{fmt(r['hi'], M)}</td><td class=num>{fmt(r['data_lo'], M)} to "
                     f"{fmt(r['data_hi'], M)}</td></tr>")
        h.append("</table>")
    else:
        h.append("<p>PRIM found <b>no region</b>: no box restricting a parameter is denser in cases than the "
                 "whole sampled space with enough coverage; the losses are spread over it.</p>")
    t = res["trajectory"]
    h.append(f"<p class=sub>Peeling trajectory ({len(t)} boxes, alpha {res['alpha']:g}): coverage/density "
             + ", ".join(f"{r['coverage']:.0%}/{r['density']:.0%}" for r in t[:: max(1, len(t) // 8)])
             + f"; chosen: box {res['chosen']} (the largest coverage × density with coverage ≥ "
             f"{res['min_coverage']:.0%}), then "
             f"pasted.</p>")
    return "\n".join(h)


def figure(res):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = res["trajectory"]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot([r["coverage"] for r in t], [r["density"] for r in t], "k-o", ms=3, label="peeling trajectory")
    c = t[res["chosen"]]
    ax.plot([c["coverage"]], [c["density"]], "ks", ms=9, mfc="white", label="chosen (before pasting)")
    ax.plot([res["box"]["coverage"]], [res["box"]["density"]], "k*", ms=12, label="chosen, pasted")
    ax.set_xlabel("coverage (share of all cases in the box)")
    ax.set_ylabel("density (share of the box's rows that are cases)")
    ax.set_title("PRIM: " + res["question"], fontsize=9, wrap=True)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from ipsim_results import Sweep
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--plan", help="the plan (arm or variation) whose losses are looked for")
    ap.add_argument("--versus", help="the plan it is compared with")
    ap.add_argument("--versus-file", help="a second sweep of the same design: the other plan")
    ap.add_argument("--below", type=float, help="case: the outcome's mean at a point is below this value")
    ap.add_argument("--outcome", default="cec_arrivals")
    ap.add_argument("--threshold", type=float, default=0.0, help="case: plan minus versus below this (default 0)")
    ap.add_argument("--alpha", type=float, default=0.05, help="peeling fraction (default 0.05)")
    ap.add_argument("--paste-alpha", type=float, default=0.01, help="pasting fraction (default 0.01)")
    ap.add_argument("--min-support", type=float, default=0.05, help="smallest box, share of rows (default 0.05)")
    ap.add_argument("--min-coverage", type=float, default=0.5, help="chosen box: least coverage (default 0.5)")
    ap.add_argument("--json", help="write the result as JSON (for scripts/report.py --prim)")
    ap.add_argument("-o", "--output", help="prefix of the trajectory figure (PNG and SVG)")
    a = ap.parse_args()
    kw = dict(alpha=a.alpha, paste_alpha=a.paste_alpha, min_support=a.min_support, min_coverage=a.min_coverage)
    sw = Sweep(a.file, "prim.py")
    if a.outcome not in sw.outcomes:
        raise SystemExit(f"prim.py: {a.file}: no outcome {a.outcome!r} (outcomes: {', '.join(sw.outcomes)})")
    try:
        if a.versus_file:
            res = discover_files(sw, Sweep(a.versus_file, "prim.py"), a.outcome, a.threshold, **kw)
        elif a.below is not None:
            res = discover_below(sw, a.below, a.outcome, **kw)
        elif a.plan and a.versus:
            if sw.variations and sw.design_values:
                res = discover_variations(sw, a.plan, a.versus, a.outcome, a.threshold, **kw)
            else:
                res = discover_arms(sw, a.plan, a.versus, a.outcome, a.threshold, **kw)
        else:
            raise SystemExit("prim.py: give --plan X --versus Y, --versus-file OTHER.h5 or --below VALUE")
    except PrimError as e:
        raise SystemExit(f"prim.py: {a.file}: {e}")
    print(box_text(res))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=1)
        print(a.json)
    if a.output:
        from ipsim_results import save
        print("\n".join(save(figure(res), a.output)))


if __name__ == "__main__":
    main()
