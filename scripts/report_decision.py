"""report_decision.py - the planner's decision at the top of report.py's page.

Used by scripts/report.py (and its tests); needs Debian's python3-h5py,
numpy and matplotlib. It computes, from the replicates of a sweep file
(paired differences, common random numbers; 95% t intervals):
  - the verdict per objective (CEC arrivals, all arrivals, visitor-nights,
    visitors' gross on-site spending): the plan with the most of it, its
    paired margin over the runner-up (or the reference when there is one
    plan), and the budget per extra unit (extra cost / paired difference
    against the reference, cost from /cost_cny), in one sentence;
  - the robustness table of a sweep with variations (/variations,
    /point_variation): the verdict in every variation, flagged where it
    differs from the main one;
  - the response-curve section of a file with /analysis/response;
  - what the intervals cover when the sweep used posterior draws.
"""
import base64
import html
import io
import json

import numpy as np

from ipsim_results import (OUTCOMES, cost_per, diff, fmt_ci, fmt_cny, subset,
                           variation_points)

E = html.escape

# objective: outcome, short name (plural), one unit (None: money)
OBJECTIVES = (("cec_arrivals", "CEC visitors", "CEC visitor"),
              ("arrivals", "visitors (all segments)", "visitor"),
              ("visitor_nights", "visitor-nights", "visitor-night"),
              ("spending_cny", "visitors' gross on-site spending", None))


def clear(lo, hi):
    """True when the interval [lo, hi] excludes zero."""
    return bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))


def extra_cost(sw, i):
    """Point i's intervention cost over the reference's (CNY), NaN without /cost_cny."""
    if sw.cost is None:
        return float("nan")
    return float(sw.cost[i]) - float(sw.cost[sw.reference])


# ---------------------------------------------------------------- the verdict

def verdict(sw, name):
    """The verdict on outcome `name` among sw's points. Candidates are the
    points other than the reference; the winner is the one with the largest
    mean paired difference against the reference, compared (paired, the same
    replicates) with the runner-up, or with the reference when it is the only
    candidate (then, when it clearly loses, the reference is the winner).
    Returns a dict: win, other (point indices), m, lo, hi (winner minus
    other), clear (the interval excludes zero), cost (winner's extra cost),
    cpe / cpe_lo / cpe_hi (CNY per extra unit, winner against the
    reference), other_cpe; None when the outcome is absent or there is
    nothing to compare."""
    if name not in sw.outcomes or len(sw.points) < 2:
        return None
    ref = sw.reference
    cands = [p for p in range(len(sw.points)) if p != ref]
    gain = {p: diff(sw, name, p, ref) for p in cands}
    order = sorted(cands, key=lambda p: -np.nan_to_num(gain[p][0], nan=-np.inf))
    win = order[0]
    other = order[1] if len(order) > 1 else ref
    m, lo, hi = diff(sw, name, win, other)
    if other == ref and clear(lo, hi) and m < 0:
        win, other = ref, win
        m, lo, hi = -m, -hi, -lo

    def cpe(p):
        if p == ref:
            return (float("nan"),) * 3
        g = gain[p]
        return cost_per(extra_cost(sw, p), *g)

    c = cpe(win)
    return {"name": name, "win": win, "other": other, "m": float(m), "lo": float(lo), "hi": float(hi),
            "clear": clear(lo, hi), "cost": extra_cost(sw, win), "other_cost": extra_cost(sw, other),
            "cpe": c[0], "cpe_lo": c[1], "cpe_hi": c[2], "other_cpe": cpe(other)[0],
            "reference": other == ref or win == ref}


def cost_phrase(c, lo, hi):
    """'59.6 CNY [51.7 to 70.2]'."""
    if not np.isfinite(c):
        return ""
    if np.isinf(hi) and np.isfinite(lo):
        return f"{fmt_cny(c)} [at least {fmt_cny(lo, unit=False)}; no upper bound]"
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{fmt_cny(c)} [{fmt_cny(lo, unit=False)} to {fmt_cny(hi, unit=False)}]"
    return fmt_cny(c)


def sentence(sw, v, many, one):
    """One sentence on verdict v (see verdict())."""
    b = lambda p: f"<b>{E(sw.points[p])}</b>"  # noqa: E731
    W, O = v["win"], v["other"]
    money = v["name"] == "spending_cny"
    amount = fmt_ci(v["name"], v["m"], v["lo"], v["hi"])
    what = f"{amount} more {'in ' if money else ''}{E(many)}"
    budget = ""
    if np.isfinite(v["cost"]) and W != sw.reference:
        budget = f" ({fmt_cny(v['cost'])} over {E(sw.points[sw.reference])})" if v["cost"] > 0 else ""
    if not v["clear"]:
        return (f"<b>{E(many[0].upper() + many[1:])}: the data cannot tell {b(W)} and {b(O)} apart</b>: "
                f"{b(W)} brings {what} than {b(O)}, an interval that includes zero "
                f"({sw.replicates} paired replicates).")
    s = f"<b>{E(many[0].upper() + many[1:])}: choose {b(W)}</b>{budget}: it brings {what} than {b(O)}"
    s += " (paired replicates, common random numbers)"
    if money:
        s += "; this is money the visitors spend at the destination, not a return on the budget"
    elif np.isfinite(v["cpe"]) and one:
        s += f", at {cost_phrase(v['cpe'], v['cpe_lo'], v['cpe_hi'])} per extra {E(one)}"
        if O != sw.reference and np.isfinite(v["other_cpe"]):
            s += f" (against {fmt_cny(v['other_cpe'])} with {b(O)})"
    return s + "."


def bottom_line(sw):
    """[(outcome, verdict, sentence HTML)] for every objective in the file."""
    out = []
    for name, many, one in OBJECTIVES:
        v = verdict(sw, name)
        if v:
            out.append((name, v, sentence(sw, v, many, one)))
    return out


# ---------------------------------------------------------------- variations

def arm_names(sw):
    """The arm (design point) names of a sweep with variations, in design order."""
    pts = variation_points(sw)
    n = len(pts[min(pts)])
    names = [a.get("name") for a in sw.experiment.get("design", {}).get("arms", [])]
    if len(names) == n and all(names):
        return names
    return [sw.points[p] for p in pts[min(pts)]]


def main_variation(sw):
    """The index of the main variation: the first whose overrides are empty,
    else the first one; None without variations."""
    if not sw.variations:
        return None
    for k, var in enumerate(sw.variations):
        if not var.get("set"):
            return k
    return 0


def variation_view(sw, k):
    """The sweep restricted to variation k, its points named by arm; the
    reference is the design's "reference" arm (else the arm at the position
    of the file's reference point in the first variation)."""
    vp = variation_points(sw)
    names = arm_names(sw)
    first = vp[min(vp)]
    ref = sw.experiment.get("design", {}).get("reference")
    if ref not in names:
        ref = names[first.index(sw.reference)] if sw.reference in first else names[0]
    return subset(sw, vp.get(k, []), names, ref)


def main_view(sw):
    """(the sweep of the main question, main variation index or None)."""
    k = main_variation(sw)
    if k is None:
        return sw, None
    return variation_view(sw, k), k


def verdict_key(sw, v):
    """The verdict as a comparable label: the winner's name, or 'tie'."""
    if v is None:
        return None
    return sw.points[v["win"]] if v["clear"] else "tie"


def robustness(sw):
    """Rows of the robustness table: [(variation index, {outcome: (view, verdict)})]."""
    rows = []
    for k in range(len(sw.variations)):
        view = variation_view(sw, k)
        rows.append((k, {name: (view, verdict(view, name)) for name, _, _ in OBJECTIVES}))
    return rows


def overrides_text(sets):
    """Overrides in words; money in M CNY."""
    def val(k, v):
        if k.endswith("cost_cny") and isinstance(v, (int, float)) and not isinstance(v, bool):
            return fmt_cny(v)
        return json.dumps(v, ensure_ascii=False)
    return "; ".join(f"{k} = {val(k, v)}" for k, v in sets.items()) or "(none)"


def robustness_html(sw):
    """The robustness table ('where the verdict flips'), or '' without variations."""
    if not sw.variations:
        return ""
    k0 = main_variation(sw)
    rows = robustness(sw)
    main = rows[k0][1]
    names = [(n, many) for n, many, _ in OBJECTIVES if main.get(n, (None, None))[1] is not None]
    if not names:
        return ""
    first, first_many = names[0]
    h = [f"<h2>Where the verdict flips</h2><p>The same plans under {len(rows)} variations of the question "
         f"(each a set of overrides on every arm; paired within the variation, {sw.replicates} replicates). "
         f"The main question is <b>{E(sw.variations[k0]['name'])}</b>. The margin is the winner's paired "
         f"difference in {E(first_many)} over the runner-up, with its 95% interval; <b>flips</b> marks a "
         f"variation whose verdict differs from the main one (another winner, or a tie: the interval "
         f"includes zero).</p>"]
    short = {"arrivals": "all visitors", "visitor_nights": "visitor-nights", "spending_cny": "on-site spending"}
    unit = OBJECTIVES[[o[0] for o in OBJECTIVES].index(first)][2] or "unit"
    h.append(f"<table class=robust><tr><th>variation</th><th>{E(first_many)}: winner</th><th>runner-up</th>"
             f"<th class=num>margin [95% CI]</th><th class=num>CNY per extra {E(unit)}</th><th>verdict</th>"
             + ("<th>other objectives: winner</th>" if names[1:] else "") + "</tr>")
    flips = 0
    notes = []
    for k, per in rows:
        view, v = per[first]
        var = sw.variations[k]
        if v is None:
            continue
        if var.get("set"):
            notes.append(f"<li><b>{E(var['name'])}</b>: <code>{E(overrides_text(var['set']))}</code></li>")
        what = E(var.get("description") or "")
        key, key0 = verdict_key(view, v), verdict_key(main[first][0], main[first][1])
        flip = k != k0 and key != key0
        flips += flip
        win = (E(view.points[v["win"]]) if v["clear"] else
               f"<i>tie</i> <span class=sub>({E(view.points[v['win']])} ahead)</span>")
        other = E(view.points[v["other"]])
        cells = [f"<td><b>{E(var['name'])}</b>{' <i>(main)</i>' if k == k0 else ''}"
                 f"{'<br><span class=sub>' + what + '</span>' if what else ''}</td>",
                 f"<td>{win}</td><td>{other}</td><td class=num>{fmt_ci(first, v['m'], v['lo'], v['hi'])}</td>",
                 f"<td class='num cost'>{cost_phrase(v['cpe'], v['cpe_lo'], v['cpe_hi']) or 'n/a'}</td>",
                 f"<td>{'<b>flips</b>' if flip else ('main' if k == k0 else 'holds')}</td>"]
        more = []
        for n, m in names[1:]:
            vw, vv = per[n]
            if vv is None:
                continue
            f2 = k != k0 and verdict_key(vw, vv) != verdict_key(main[n][0], main[n][1])
            more.append(f"{E(short.get(n, m))}: {E(vw.points[vv['win']]) if vv['clear'] else '<i>tie</i>'}"
                        f"{' <b>(flips)</b>' if f2 else ''}")
        if names[1:]:
            cells.append(f"<td class=more>{'<br>'.join(more)}</td>")
        h.append(f"<tr{' class=flip' if flip else ''}>" + "".join(cells) + "</tr>")
    h.append("</table>")
    h.append(f"<p class=sub>{flips} of {len(rows) - 1} variations change the verdict on {E(first_many)}. "
             "Each row is computed from the file's replicates: the winner has the largest mean paired difference "
             "against the reference arm in that variation; the margin is its paired difference to the runner-up; "
             "the cost is the winner's extra budget over the reference divided by its paired gain over the "
             "reference. The overrides of each variation:</p>")
    h.append("<ul class=sets>" + "".join(notes) + "</ul>")
    return "\n".join(h)


def robustness_sentence(sw):
    """A short sentence for the bottom line on how the verdict holds."""
    if not sw.variations:
        return ""
    k0 = main_variation(sw)
    rows = robustness(sw)
    first = next((n for n, _, _ in OBJECTIVES if rows[k0][1][n][1] is not None), None)
    if first is None:
        return ""
    key0 = verdict_key(*rows[k0][1][first])
    flips = [sw.variations[k]["name"] for k, per in rows if k != k0 and verdict_key(*per[first]) != key0]
    many = next(m for n, m, _ in OBJECTIVES if n == first)
    if not flips:
        return (f"The verdict on {E(many)} holds in all {len(rows) - 1} other variations of the question "
                "(table below).")
    return (f"<b>The verdict on {E(many)} is fragile</b>: it changes in {len(flips)} of {len(rows) - 1} other "
            f"variations ({E(', '.join(flips))}; table below).")


# ---------------------------------------------------------------- posterior draws

def posterior_html(sw):
    """What the intervals cover when the sweep drew parameters from a posterior."""
    po = sw.posterior
    if not po:
        return ""
    vals = po["values"]
    k = len(np.unique(vals, axis=0)) if vals.ndim == 2 and vals.size else 0
    return (f"<p class=post><b>The intervals include parameter uncertainty.</b> This sweep drew the model's "
            f"parameters from a posterior ({len(po['parameters'])} parameters: {E(', '.join(po['parameters'][:8]))}"
            f"{'…' if len(po['parameters']) > 8 else ''}; {k} distinct draws over {vals.shape[0]} replicates; "
            f"source <code>{E(po['source'])}</code>): replicate <i>r</i> of every arm uses the same draw, so "
            f"the paired intervals cover both the model's randomness and the uncertainty in those parameters.</p>")


# ---------------------------------------------------------------- response curves

def response_outcomes(sw):
    """The outcomes with a response curve under /analysis/response."""
    names = sorted({k.split("/")[1] for k in sw.analysis if k.startswith("response/") and k.count("/") >= 2})
    return [n for n, _, _ in OBJECTIVES if n in names] + [n for n in names if n not in [o[0] for o in OBJECTIVES]]


def response_rows(sw, name):
    """{column: array} of the response curve of `name`."""
    g = lambda c: np.asarray(sw.a(f"response/{name}/{c}"), float)  # noqa: E731
    cols = ["level", "spend_cny"] + [f"{w}_{s}" for w in ("incremental", "marginal", "cost_per_extra")
                                     for s in ("mean", "lo", "hi")]
    r = {c: g(c) for c in cols if sw.a(f"response/{name}/{c}") is not None}
    if "spend_cny" in r:  # the spend at each level (the level itself when it is a budget)
        r["level"] = r["spend_cny"]
    return r


def response_figure(sw, names):
    """A figure: incremental outcome (top) and marginal return per 10,000 CNY
    (bottom) against spend, one column per outcome, with 95% intervals."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ipsim_results import thousands
    fig, axes = plt.subplots(2, len(names), figsize=(4.2 * len(names) + 1, 7.2), squeeze=False)
    for c, name in enumerate(names):
        r = response_rows(sw, name)
        x = r["level"] / 1e6
        money = name == "spending_cny"
        unit = "M CNY" if money else OUTCOMES.get(name, (name, "", 1, name))[3]
        title = OUTCOMES.get(name, (name,))[0]
        ax = axes[0][c]
        div = 1e6 if money else 1
        ax.fill_between(x, r["incremental_lo"] / div, r["incremental_hi"] / div, color="0.85", label="95% CI")
        ax.plot(x, r["incremental_mean"] / div, "k-o", ms=4, label="mean")
        ax.axhline(0, color="0.4", ls="--", lw=0.8)
        ax.set_title(f"{title}:\nincrement over zero spend ({unit})", fontsize=9)
        ax.set_xlabel("spend (M CNY)")
        ax = axes[1][c]
        if "marginal_mean" in r:
            xm = (x[1:] + x[:-1]) / 2
            m, lo, hi = (r[f"marginal_{s}"][1:] for s in ("mean", "lo", "hi"))
            ax.errorbar(xm, m, yerr=[m - lo, hi - m], fmt="ks", ms=4, capsize=3)
            ax.axhline(0, color="0.4", ls="--", lw=0.8)
        ax.set_title(f"marginal return: {'CNY of visitors spending' if money else unit}\nper 10,000 CNY more", fontsize=9)
        ax.set_xlabel("spend, middle of the step (M CNY)")
        if c == 0:
            axes[0][c].legend(fontsize=8, loc="upper left")
    fig.suptitle("Response to spend, paired against zero spend (95% intervals)", fontsize=12)
    thousands(fig)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def response_sentence(name, r):
    """Where the marginal return of `name` is highest, and where it stops being clear."""
    if "marginal_mean" not in r or len(r["level"]) < 2:
        return ""
    lv, m, lo, hi = r["level"], r["marginal_mean"], r["marginal_lo"], r["marginal_hi"]
    steps = range(1, len(lv))
    best = max(steps, key=lambda i: np.nan_to_num(m[i], nan=-np.inf))
    last_clear = [i for i in steps if clear(lo[i], hi[i]) and m[i] > 0]
    s = (f"the best step is {fmt_cny(lv[best - 1])} to {fmt_cny(lv[best])}: "
         f"{fmt_ci(name, m[best], lo[best], hi[best])} per 10,000 CNY")
    if not last_clear:
        return s + "; no step's marginal return is clearly above zero (every interval includes zero)."
    tail = [i for i in steps if i > last_clear[-1]]
    if tail:
        s += (f"; beyond {fmt_cny(lv[tail[0] - 1])}, the marginal return's interval includes zero "
              "(no clear gain from more money)")
    return s + "."


def response_html(sw):
    """The response-curve section, or '' when the file has no /analysis/response."""
    names = response_outcomes(sw)
    if not names:
        return ""
    h = ["<h2>Response to spend</h2><p>Each level of spend is paired against zero spend (the same replicates). "
         "Incremental: the paired difference to zero spend; marginal: the difference to the previous level "
         "divided by the extra spend, per 10,000 CNY; cost per extra: spend / incremental outcome. 95% "
         "intervals.</p>"]
    h.append(f"<figure><img alt='incremental outcome and marginal return against spend' "
             f"src='{response_figure(sw, names[:4])}'><figcaption>Top: incremental outcome against spend, with "
             f"its 95% interval (grey band). Bottom: marginal return per 10,000 CNY for each step between levels "
             f"(square at the middle of the step, bar the 95% interval); a dashed line marks zero.</figcaption>"
             f"</figure><ul>")
    for name in names:
        s = response_sentence(name, response_rows(sw, name))
        if s:
            h.append(f"<li><b>{E(OUTCOMES.get(name, (name,))[0])}</b>: {s}</li>")
    h.append("</ul>")
    for name in names:
        r = response_rows(sw, name)
        unit = "CNY of budget per CNY" if name == "spending_cny" else \
            f"CNY per extra {OUTCOMES.get(name, (name, '', 1, name))[3].rstrip('s')}"
        h.append(f"<table class=resp><tr><th>{E(OUTCOMES.get(name, (name,))[0])}: spend</th>"
                 f"<th class=num>incremental [95% CI]</th><th class=num>marginal per 10,000 CNY [95% CI]</th>"
                 f"<th class=num>{E(unit)} [95% CI]</th></tr>")
        for i in range(len(r["level"])):
            g = lambda w: (fmt_ci(name, r[f"{w}_mean"][i], r[f"{w}_lo"][i], r[f"{w}_hi"][i])  # noqa: E731
                           if f"{w}_mean" in r and np.isfinite(r[f"{w}_mean"][i]) else "n/a")
            cpe = "n/a"
            if "cost_per_extra_mean" in r and np.isfinite(r["cost_per_extra_mean"][i]):
                cpe = cost_phrase(r["cost_per_extra_mean"][i], r["cost_per_extra_lo"][i],
                                  r["cost_per_extra_hi"][i]) if name != "spending_cny" else \
                    f"{r['cost_per_extra_mean'][i]:.3g}"
            h.append(f"<tr><td>{fmt_cny(r['level'][i])}</td><td class=num>{g('incremental')}</td>"
                     f"<td class=num>{g('marginal') if i else '—'}</td><td class=num>{cpe}</td></tr>")
        h.append("</table>")
    return "\n".join(h)


def response_bottom(sw):
    """[(outcome, sentence HTML)] for a response file: what the top level of
    spend brings over zero spend, at what cost, and where the marginal
    return is best."""
    out = []
    for name, many, one in OBJECTIVES:
        if name not in response_outcomes(sw):
            continue
        r = response_rows(sw, name)
        if "incremental_mean" not in r or len(r["level"]) < 2:
            continue
        i = len(r["level"]) - 1
        m, lo, hi = r["incremental_mean"][i], r["incremental_lo"][i], r["incremental_hi"][i]
        s = (f"<b>{E(many[0].upper() + many[1:])}</b>: spending {fmt_cny(r['level'][i])} brings "
             f"{fmt_ci(name, m, lo, hi)} {'in ' if name == 'spending_cny' else ''}{E(many)} over zero spend")
        if not clear(lo, hi):
            s += " (the interval includes zero: the data cannot tell it from zero spend)"
        elif one and "cost_per_extra_mean" in r and np.isfinite(r["cost_per_extra_mean"][i]):
            s += (f", at {cost_phrase(r['cost_per_extra_mean'][i], r['cost_per_extra_lo'][i], r['cost_per_extra_hi'][i])}"
                  f" per extra {E(one)}")
        tail = response_sentence(name, r)
        out.append((name, s + ("; " + tail if tail else ".")))
    return out
