#!/usr/bin/python3
"""report.py - a planner's report of a comparison, as one self-contained HTML page.

Usage: scripts/report.py OUT.h5 [-o REPORT.html] [--experiment EXPERIMENT.json]
                         [--ipsim PATH] [--question TEXT] [--prim BOX.json]

OUT.h5 is a file written by `ipsim compare`, by `ipsim sweep` with an arms
design (with or without variations and posterior draws), or a response
curve (/analysis/response). The page (default: results/<file stem>_report.html)
holds:
  - the bottom line (scripts/report_decision.py), one sentence per
    objective (CEC visitors, all visitors, visitor-nights, visitors' gross
    on-site spending): the plan with the most of it, its paired margin over
    the runner-up [95% CI] and what one extra unit costs (extra budget /
    paired gain over the reference), or that the data cannot tell them
    apart; how the verdict holds across the variations; whether the
    intervals include parameter uncertainty (posterior draws);
  - where the verdict flips: one row per variation (a sweep with variations);
  - the question (the experiment's description) and the cost of one extra
    visitor and one extra CEC visitor per arm;
  - the response to spend (a response curve): figure and tables;
  - where the chosen plan loses (PRIM, scripts/prim.py): from the posterior
    draws of the file, or a box given with --prim BOX.json;
  - the arms: each arm's own description (an arm made with `set` shows its
    overrides, and the base scenario's description only as the base's), its
    intervention cost, mean arrivals and peak crowding (flagged when above
    capacity);
  - the headline differences with their 95% confidence intervals in plain
    words, and the extra visitors per 10,000 CNY of extra cost; spending is
    the visitors' gross on-site spending, not a return on the budget;
  - the figures of scripts/plot_compare.py, embedded as PNG (data: URIs);
  - the assumptions: every resolved scenario value that differs between the
    arms (each arm is resolved with `ipsim resolve`), the scale, replicates,
    seed and version, and the caveat of sim/ODD.md section 7.8.
Nothing is loaded from elsewhere when the page is opened: no scripts, no
style sheets, no fonts, no network.

The arms' scenario files are looked up relative to the experiment file. The
sweep file does not record where that was, so report.py tries, in order:
the directory of --experiment, the current directory, the repository root,
scenarios/experiments/ and scenarios/. Without the files the page is still
written, with a note instead of the table of differences.
"""
import argparse
import base64
import datetime as dt
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_compare  # noqa: E402
import report_decision as rd  # noqa: E402
from ipsim_results import (OUTCOMES, Sweep, diff, fmt_num, fmt_cny, fmt_value, fmt_ci,  # noqa: E402
                           cost_per, default_prefix)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
E = html.escape


# ---------------------------------------------------------------- numbers in words

def _mag(x, cny):
    """A magnitude in words: 326,000; 928.4 M CNY."""
    if cny:
        return fmt_cny(abs(x))
    return fmt_num(abs(x))


def _pp(x):
    v = x * 100
    s = f"{abs(v):.2f}" if abs(v) < 1 else f"{abs(v):.1f}"
    return ("−" if v < 0 and float(s) != 0 else "+") + s


def _range(lo, hi, cny=False, pp=False):
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "no interval: too few replicates"
    if pp:
        return f"95% CI {_pp(lo)} to {_pp(hi)} points"
    if lo >= 0 or hi <= 0:
        a, b = sorted((abs(lo), abs(hi)))
        if cny:  # "845.9 M–1,029.0 M CNY": the unit once
            return f"95% CI {fmt_cny(a, unit=False)}–{fmt_cny(b)}"
        return f"95% CI {_mag(a, cny)}–{_mag(b, cny)}"  # "297,000–355,000"
    return f"95% CI −{_mag(lo, cny)} to +{_mag(hi, cny)}"


def clear(lo, hi):
    return np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)


def clause(name, m, lo, hi, first):
    """Words for a paired difference m [lo, hi] of outcome `name`; {arm} marks
    where the other arm's name goes."""
    title, _, _, word = OUTCOMES.get(name, (name, name, 1, name))
    pp = name.endswith("_share")
    cny = name == "spending_cny"
    if not clear(lo, hi):
        d = f"{_pp(m)} percentage points" if pp else (("+" if m >= 0 else "−") + _mag(m, cny)
                                                        if name != "peak_crowding" else f"{m:+.2g}".replace("-", "−"))
        tail = f"(difference {d}; {_range(lo, hi, cny, pp)}, which includes zero)"
        return (f"makes no clear difference to the {title} against {{arm}} {tail}" if first
                else f"about the same as {{arm}} {tail}")
    up = m > 0
    r = _range(lo, hi, cny, pp)
    if pp:
        return (f"{'raises' if up else 'lowers'} the {title} by {abs(m) * 100:.1f} percentage points ({r}) "
                f"against {{arm}}" if first
                else f"{abs(m) * 100:.1f} points {'higher' if up else 'lower'} ({r}) than {{arm}}")
    if name == "peak_crowding":
        r = _range(lo, hi)
        return (f"{'raises' if up else 'lowers'} peak crowding (visitors / capacity) by {abs(m):.2g} ({r}) "
                f"against {{arm}}" if first
                else f"{abs(m):.2g} {'higher' if up else 'lower'} ({r}) than {{arm}}")
    if cny:
        return (f"brings {_mag(m, True)} {'more' if up else 'less'} visitors' gross on-site spending ({r}) "
                f"than {{arm}}" if first
                else f"{_mag(m, True)} {'more' if up else 'less'} ({r}) than {{arm}}")
    return (f"brings {_mag(m, False)} {'more' if up else 'fewer'} {word} ({r}) than {{arm}}" if first
            else f"{_mag(m, False)} {'more' if up else 'fewer'} ({r}) than {{arm}}")


def headline(sw, name, i):
    """One sentence: arm i against the reference and against every earlier arm."""
    ref = sw.reference
    others = [p for p in range(len(sw.points)) if p != ref]
    b = lambda p: f"<b>{E(sw.points[p])}</b>"  # noqa: E731
    m, lo, hi = diff(sw, name, i, ref)
    parts = [clause(name, m, lo, hi, True).replace("{arm}", b(ref))]
    for j in others:
        if j >= i:
            break
        m, lo, hi = diff(sw, name, i, j)
        parts.append(clause(name, m, lo, hi, False).replace("{arm}", b(j)))
    return f"{b(i)} " + ", and ".join(parts) + "."


def returns_sentence(sw, i):
    cost = sw.a("per_10k_cny/extra_cost_cny")
    if cost is None or not cost[i] > 0:
        return None
    out = []
    for which, unit in (("arrivals", "extra visitors"),
                        ("spending_cny", "of extra gross on-site spending by the visitors")):
        v = sw.a(f"per_10k_cny/extra_{which}")
        lo, hi = sw.a(f"per_10k_cny/extra_{which}_ci_low"), sw.a(f"per_10k_cny/extra_{which}_ci_high")
        if v is None or not np.isfinite(v[i]):
            continue
        cny = which == "spending_cny"
        out.append(f"{'' if v[i] >= 0 else '−'}{_mag(v[i], cny)} {unit} "
                   f"({_range(lo[i], hi[i], cny)})")
    if not out:
        return None
    return (f"Per 10,000 CNY of extra cost ({fmt_cny(cost[i])} more than "
            f"<b>{E(sw.points[sw.reference])}</b>), <b>{E(sw.points[i])}</b> brings " + " and ".join(out) +
            ". The spending is money the visitors spend at the destination (lodging, food, tickets), "
            "not a return to whoever pays for the campaign.")


# ---------------------------------------------------------------- the bottom line

# objectives of the bottom line: outcome, what one unit is (singular, plural)
OBJECTIVES = (("cec_arrivals", "core experiential (CEC) visitor", "core experiential (CEC) visitors"),
              ("arrivals", "visitor", "visitors (all segments)"))


def extra_costs(sw):
    """Each arm's intervention cost over the reference's (CNY)."""
    c = sw.a("per_10k_cny/extra_cost_cny")
    if c is not None:
        return np.asarray(c, float)
    if sw.cost is not None:
        return np.asarray(sw.cost, float) - float(sw.cost[sw.reference])
    return np.full(len(sw.points), np.nan)


def fmt_cost_ci(c, lo, hi):
    """'61.4 CNY [55.8, 67.2]'; an unbounded upper end says so."""
    if not np.isfinite(c):
        return "n/a"
    if np.isinf(hi) and np.isfinite(lo):
        return f"{fmt_cny(c)} [at least {fmt_cny(lo, unit=False)}; no upper bound]"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{fmt_cny(c)} [no interval]"
    return f"{fmt_cny(c)} [{fmt_cny(lo, unit=False)} to {fmt_cny(hi, unit=False)}]"


def bottom_rows(sw, name):
    """[(arm index, extra cost, m, lo, hi, cost per extra, its lo, its hi)] for
    every arm but the reference."""
    cost = extra_costs(sw)
    out = []
    for i in range(len(sw.points)):
        if i == sw.reference:
            continue
        m, lo, hi = diff(sw, name, i, sw.reference)
        out.append((i, cost[i], m, lo, hi) + cost_per(cost[i], m, lo, hi))
    return out


def bottom_table(sw):
    """The cost of one extra visitor and one extra CEC visitor, per arm."""
    names = [o for o in OBJECTIVES if o[0] in sw.outcomes]
    h = ["<table class=bottom><tr><th>arm</th><th class=num>extra budget vs "
         f"{E(sw.points[sw.reference])}</th>"]
    for name, one, many in names:
        h.append(f"<th class=num>extra {E(many)} [95% CI]</th><th class=num>CNY per extra {E(one)} [95% CI]</th>")
    h.append("</tr>")
    rows = {name: {r[0]: r for r in bottom_rows(sw, name)} for name, _, _ in names}
    cost = extra_costs(sw)
    for i in range(len(sw.points)):
        if i == sw.reference:
            continue
        h.append(f"<tr><td><b>{E(sw.points[i])}</b></td><td class=num>{fmt_cny(cost[i], signed=True)}</td>")
        for name, _, _ in names:
            _, _, m, lo, hi, c, clo, chi = rows[name][i]
            h.append(f"<td class=num>{fmt_ci(name, m, lo, hi)}</td><td class=num>{fmt_cost_ci(c, clo, chi)}</td>")
        h.append("</tr>")
    h.append("</table>")
    return "".join(h)


def crowding_note(sw):
    """A sentence when some arm's mean peak crowding is above capacity."""
    if "peak_crowding" not in sw.outcomes:
        return ""
    pk = [float(np.nanmean(sw.outcomes["peak_crowding"][p])) for p in range(len(sw.points))]
    over = [p for p, v in enumerate(pk) if v > 1]
    if not over:
        return ""
    who = "every arm" if len(over) == len(pk) else ", ".join(f"<b>{E(sw.points[p])}</b>" for p in over)
    return (f"<p class=warn><b>Over capacity:</b> in {who}, the busiest asset receives more visitors in a day "
            "than its capacity: peak crowding (visitors / capacity) " +
            ", ".join(f"{pk[p]:.2f} in <b>{E(sw.points[p])}</b>" for p in over) +
            ". In the model crowding lowers the visitors' experience and so their posts, and the expected "
            "crowding deters others (sim/ODD.md 7.5, 7.6); a real destination would also turn people away.</p>")


# ---------------------------------------------------------------- arm scenarios

def find_ipsim(opt):
    for c in (opt, os.environ.get("IPSIM_BIN"), os.path.join(ROOT, "build", "ipsim"), shutil.which("ipsim")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def arm_sources(exp):
    """[(name, scenario path or None, set dict)] and the base (path, inline dict or None)."""
    d = exp.get("design", {})
    arms = [(a.get("name"), a.get("scenario"), a.get("set") or {}) for a in d.get("arms", [])]
    return arms, exp.get("base")


def resolve_arms(sw, exe, exp_dir_opt):
    """Resolve every arm with `ipsim resolve`. Returns ({arm: scenario dict}, note or None)."""
    if not exe:
        return {}, "the ipsim program was not found (give --ipsim), so the arms were not resolved"
    arms, base = arm_sources(sw.experiment)
    rel = [s for _, s, _ in arms if s] + ([base] if isinstance(base, str) else [])
    cands = [exp_dir_opt, os.getcwd(), ROOT, os.path.join(ROOT, "scenarios", "experiments"),
             os.path.join(ROOT, "scenarios")]
    where = next((c for c in cands if c and all(os.path.isfile(os.path.join(c, r)) for r in rel)), None)
    if where is None:
        return {}, ("the arms' scenario files (" + ", ".join(rel) + ") were not found next to the experiment; "
                    "give --experiment PATH to the experiment file")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        base_file = None
        if isinstance(base, str):
            base_file = os.path.join(where, base)
        elif isinstance(base, dict):
            b = dict(base)
            if isinstance(b.get("base"), str):
                b["base"] = os.path.abspath(os.path.join(where, b["base"]))
            base_file = os.path.join(tmp, "base.json")
            with open(base_file, "w") as fh:
                json.dump(b, fh)
        for name, scen, sets in arms:
            f = os.path.join(where, scen) if scen else base_file
            if not f:
                return {}, f"arm {name} has neither a scenario nor a base"
            cmd = [exe, "resolve", f]
            # the experiment's own overrides (key "set") first, then the arm's
            for k, v in list((sw.experiment.get("set") or {}).items()) + list(sets.items()):
                cmd += ["--set", f"{k}={json.dumps(v)}"]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                return {}, f"'ipsim resolve' failed for arm {name}: {p.stderr.strip()}"
            out[name] = json.loads(p.stdout)
    return out, None


def flatten(v, path="", out=None):
    """JSON -> {path: leaf}; arrays of named objects use [name] like --set."""
    out = {} if out is None else out
    if isinstance(v, dict):
        for k, x in v.items():
            flatten(x, f"{path}.{k}" if path else k, out)
    elif isinstance(v, list) and v and all(isinstance(x, dict) and "name" in x for x in v):
        for x in v:
            out[f"{path}[{x['name']}]"] = ("__object__", x)
            flatten({k: y for k, y in x.items() if k != "name"}, f"{path}[{x['name']}]", out)
    else:
        out[path] = v
    return out


def differences(resolved, arms):
    flat = {a: flatten({k: v for k, v in resolved[a].items() if k not in ("name", "description")}) for a in arms}
    keys = []
    for a in arms:
        for k in flat[a]:
            if k not in keys:
                keys.append(k)
    rows, gone = [], []
    for k in keys:
        if any(k.startswith(g) for g in gone):
            continue
        vals = [flat[a].get(k, "__absent__") for a in arms]
        objs = [isinstance(v, tuple) for v in vals]
        if any(objs):
            if all(objs):
                continue  # the same named element everywhere: compare its leaves
            gone.append(k + ".")
            gone.append(k + "[")
            rows.append((k, [v[1] if isinstance(v, tuple) else "__absent__" for v in vals]))
            continue
        if any(json.dumps(v, sort_keys=True) != json.dumps(vals[0], sort_keys=True) for v in vals):
            rows.append((k, vals))
    return rows


def intervention_text(v):
    """An intervention in words: 'C, 2025-03-01 to 2025-05-31, 20.0 M CNY; targets Shanghai cec (1), ...'."""
    parts = [str(v.get("mechanism", "?"))]
    if "start" in v or "end" in v:
        parts.append(f"{v.get('start', '?')} to {v.get('end', '?')}")
    if isinstance(v.get("cost_cny"), (int, float)):
        parts.append(fmt_cny(v["cost_cny"]))
    text = ", ".join(parts)
    tg = v.get("targets")
    if isinstance(tg, list) and tg:
        text += "; targets " + ", ".join(
            f"{t.get('market', '?')} {t.get('segment', '?')}" + (f" ({t['weight']:g})" if isinstance(
                t.get("weight"), (int, float)) else "") for t in tg if isinstance(t, dict))
    return text


def value_text(path, v):
    """A scenario value for people: money in M CNY, the rest as JSON."""
    if path.endswith("cost_cny") and isinstance(v, (int, float)) and not isinstance(v, bool):
        return fmt_cny(v)
    return json.dumps(v, ensure_ascii=False)


def cell(v):
    if isinstance(v, str) and v == "__absent__":
        return "<span class=absent>(absent)</span>"
    if isinstance(v, dict):
        return E(intervention_text(v)) if "mechanism" in v else f"<code>{E(json.dumps(v, ensure_ascii=False))}</code>"
    if isinstance(v, float):
        return E(f"{v:,.6g}")
    if isinstance(v, int) and not isinstance(v, bool):
        return E(f"{v:,}")
    return f"<code>{E(json.dumps(v, ensure_ascii=False))}</code>"


# ---------------------------------------------------------------- ODD caveat

def odd_caveat():
    path = os.path.join(ROOT, "sim", "ODD.md")
    try:
        t = open(path, encoding="utf-8").read()
        sec = t.split("### 7.8", 1)[1].split("\n### ", 1)[0]
        paras = []
        for p in sec.split("\n\n"):
            paras += [re.sub(r"\s+", " ", b.strip()) for b in re.split(r"^\* ", p, flags=re.M) if b.strip()]
        pick = [p for p in paras if "calibrated" in p][:1] + [p for p in paras if "depends on the objective" in p][:1]
        return "\n\n".join(pick)
    except (OSError, IndexError):
        return ("Parameters marked \"calibrated\" were set by hand against a few targets; everything else is a "
                "literature value or an assumption.")


# ---------------------------------------------------------------- page

CSS = """
body{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;max-width:1100px;margin:24px auto;padding:0 20px;
color:#111;line-height:1.45;font-size:15px}
h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;border-bottom:2px solid #333;padding-bottom:3px;margin-top:34px}
.sub{color:#444;font-size:13px}.question{font-size:17px;background:#f2f2f2;border-left:5px solid #333;
padding:10px 16px}ul.head li{margin:8px 0}table{border-collapse:collapse;width:100%;font-size:13px;margin:10px 0}
th,td{border:1px solid #999;padding:4px 7px;text-align:left;vertical-align:top}th{background:#e6e6e6}
td.key{min-width:230px;max-width:300px}td.num{text-align:right;white-space:nowrap}code{font-size:12px;word-break:break-word}.absent{color:#666;font-style:italic}
img{width:100%;border:1px solid #ccc}.caveat{border:2px solid #333;padding:10px 16px;background:#fafafa}
blockquote{margin:8px 0 8px 10px;padding-left:12px;border-left:4px solid #999;color:#222;font-size:14px}
figcaption{font-size:13px;color:#333;margin:4px 0 18px}
ul.bottom li{margin:10px 0;font-size:16px}tr.flip td{background:#e8e8e8;font-weight:bold}
table.robust td.more{font-size:12px;font-weight:normal}table.robust td.cost{white-space:normal;min-width:90px}
table.robust{font-size:12.5px}
.rob,.post{font-size:15px;border-left:5px solid #333;padding:6px 12px;background:#f7f7f7}table.bottom td{font-size:12.5px}
.warn{border-left:5px solid #333;padding:6px 12px;background:#f2f2f2}ul.sets{margin:4px 0 4px 18px;padding:0}
"""


def png_uri(fig, dpi=100):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plot_compare.plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


UNIT_WORDS = {"arrivals": "people", "cec_arrivals": "people", "visitor_nights": "nights", "spending_cny": "CNY",
              "positive_post_share": "percentage points", "repeat_visit_share": "percentage points",
              "peak_crowding": "visitors / capacity"}


def arm_row(sw, resolved, p):
    """A row of the arms table: the arm's own description. An arm made with
    `set` on the base scenario is described by its overrides (its own
    description when it sets one); the base's description is shown as the
    base's, never as the arm's."""
    name = sw.points[p]
    arms = {a.get("name"): a for a in sw.experiment.get("design", {}).get("arms", [])}
    arm = arms.get(name, {})
    sets = arm.get("set") or {}
    scen = arm.get("scenario")
    res = resolved.get(name, {})
    own = arm.get("description") or sets.get("description")
    if scen:
        what = E(own or res.get("description", "")) + f"<br><span class=sub>scenario <code>{E(scen)}</code></span>"
    elif sets:
        changes = "".join(f"<li><code>{E(k)}</code> = {E(value_text(k, v))}</li>"
                          for k, v in sets.items() if k != "description")
        base = sw.experiment.get("base")
        base_name = base if isinstance(base, str) else "the inline base"
        what = (f"{E(own) + '<br>' if own else ''}<i>the base scenario with these overrides:</i>"
                f"<ul class=sets>{changes}</ul><span class=sub>base ({E(str(base_name))}): "
                f"{E(res.get('description', ''))}</span>")
    else:
        what = (E(own or res.get("description", "")) +
                "<br><span class=sub>the base scenario, unchanged</span>")
    tag = " <i>(reference)</i>" if p == sw.reference else ""
    cost = sw.cost[p] if sw.cost is not None else np.nan
    pk = float(np.nanmean(sw.outcomes["peak_crowding"][p])) if "peak_crowding" in sw.outcomes else np.nan
    crowd = ("n/a" if not np.isfinite(pk) else
             f"<b>{pk:.2f}: over capacity</b>" if pk > 1 else f"{pk:.2f}")
    return (f"<tr><td><b>{E(name)}</b>{tag}</td><td>{what}</td><td class=num>{fmt_cny(cost)}</td>"
            f"<td class=num>{fmt_value('arrivals', np.nanmean(sw.outcomes['arrivals'][p]))}</td>"
            f"<td class=num>{fmt_value('cec_arrivals', np.nanmean(sw.outcomes['cec_arrivals'][p]))}</td>"
            f"<td class=num>{crowd}</td></tr>")


def decision_top(sw_full, sw):
    """The bottom line: one sentence per objective, how the verdict holds
    across the variations, and what the intervals cover."""
    if rd.response_outcomes(sw_full) and sw_full.design != "arms":
        lines = [t for _, t in rd.response_bottom(sw_full)]
    else:
        lines = [t for _, _, t in rd.bottom_line(sw)]
    if not lines:
        return ""
    h = ["<h2>The bottom line</h2><ul class=bottom>"] + [f"<li>{t}</li>" for t in lines] + ["</ul>"]
    rob = rd.robustness_sentence(sw_full)
    if rob:
        h.append(f"<p class=rob>{rob}</p>")
    h.append(rd.posterior_html(sw_full))
    return "\n".join(h)


def build(sw_full, resolved, note, exp_label, prim_section=""):
    """The page. sw_full is the whole file; the arms, the detailed answer and
    the figures are those of the main question (the main variation when the
    file has variations)."""
    sw, _ = rd.main_view(sw_full)
    exp = sw.experiment
    ref = sw.reference
    A = sw.attrs
    P = len(sw.points)
    q = exp.get("description") or "(the experiment has no description)"
    h = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
         f"<title>ipsim report: {E(str(A.get('experiment_name', '')))}</title><style>{CSS}</style></head><body>"]
    h.append(f"<h1>What the model says: {E(str(A.get('experiment_name', '')))}</h1>")
    nv = f" × {len(sw_full.variations)} variations" if sw_full.variations else ""
    h.append(f"<p class=sub>ipsim comparison report from <code>{E(exp_label)}</code>; "
             f"{P} arms{nv} × {sw.replicates} paired replicates; written {dt.date.today().isoformat()}.</p>")
    days = A.get("days", 365)
    h.append(decision_top(sw_full, sw))
    h.append(rd.robustness_html(sw_full))
    h.append(f"<h2>The question</h2><p class=question>{E(q)}</p>")
    if bottom_rows(sw, "cec_arrivals") or bottom_rows(sw, "arrivals"):
        h.append("<h2>Cost per extra visitor</h2>")
        h.append(bottom_table(sw))
        h.append(f"<p class=sub>Extra budget: the arm's intervention cost minus the reference's. Extra visitors: "
                 f"the mean paired difference over {sw.replicates} replicates, with its 95% t interval. The cost "
                 f"of one extra visitor is the extra budget divided by the extra visitors; its interval is the "
                 f"extra budget divided by the ends of the visitors' interval (no upper bound when that interval "
                 f"reaches zero). Visitors' on-site spending is what they spend at the destination, not a return "
                 f"on the budget.</p>")
    h.append(rd.response_html(sw_full))
    h.append(prim_section)

    # arms
    h.append("<h2>The arms</h2><table><tr><th>arm</th><th>what it is</th><th class=num>intervention cost</th>"
             "<th class=num>arrivals (mean)</th><th class=num>CEC arrivals (mean)</th>"
             "<th class=num>peak crowding (visitors / capacity)</th></tr>")
    h += [arm_row(sw, resolved, p) for p in range(P)]
    h.append("</table>")
    h.append(crowding_note(sw))

    # for a response curve, the section "Response to spend" replaces the pairwise answer
    if not (rd.response_outcomes(sw_full) and sw_full.design != "arms"):
        # headlines
        h.append(f"<h2>The answer, with its uncertainty</h2><p>Totals over the {days} simulated days. Each difference "
                 f"is paired: replicate <i>r</i> of every arm uses the same random numbers, so the difference is due to "
                 f"the arms, and the 95% confidence interval (CI) is a paired t interval over the {sw.replicates} "
                 f"replicates. \"No clear difference\" means the interval includes zero.</p><ul class=head>")
        others = [p for p in range(P) if p != ref]
        for name in ("cec_arrivals", "arrivals", "spending_cny", "visitor_nights"):
            if name in sw.outcomes:
                for i in others[::-1]:
                    h.append(f"<li>{headline(sw, name, i)}</li>")
        for i in others[::-1]:
            s = returns_sentence(sw, i)
            if s:
                h.append(f"<li>{s}</li>")
        h.append("</ul><p>Side effects:</p><ul class=head>")
        for name in ("positive_post_share", "repeat_visit_share", "peak_crowding"):
            if name in sw.outcomes:
                for i in others[::-1]:
                    h.append(f"<li>{headline(sw, name, i)}</li>")
        h.append("</ul>")

        # numbers table
        h.append("<h2>All paired differences</h2><table><tr><th>outcome</th><th>contrast</th><th class=num>difference "
                 "[95% CI]</th><th class=num>clear?</th></tr>")
        for name in sw.outcome_names:
            title = OUTCOMES.get(name, (name,))[0]
            unit = UNIT_WORDS.get(name, sw.units.get(name, ""))
            for i, j, lab in plot_compare.contrasts(sw):
                m, lo, hi = diff(sw, name, i, j)
                h.append(f"<tr><td>{E(title)} ({E(unit)})</td><td>{E(lab)}</td>"
                         f"<td class=num>{E(fmt_ci(name, m, lo, hi))}</td>"
                         f"<td class=num>{'yes' if clear(lo, hi) else 'no: includes 0'}</td></tr>")
        h.append("</table>")

        # figures
        h.append("<h2>Figures</h2>")
        h.append(f"<figure><img alt='forest plot of paired differences per outcome' "
                 f"src='{png_uri(plot_compare.figure_outcomes(sw))}'><figcaption>Paired differences with 95% "
                 f"confidence intervals, one panel per outcome, one row per contrast (named on the left); the last "
                 f"two panels are the extra arrivals and the visitors' extra gross on-site spending per 10,000 CNY "
                 f"of extra intervention cost. A dashed line marks no difference.</figcaption></figure>")
        if sw.by_market:
            h.append(f"<figure><img alt='paired differences by source market' "
                     f"src='{png_uri(plot_compare.figure_markets(sw))}'><figcaption>The same contrasts by source "
                     f"market: where the extra visitors come from.</figcaption></figure>")

    # assumptions
    h.append("<h2>Assumptions</h2>")
    if resolved:
        rows = differences(resolved, sw.points)
        h.append(f"<p>The arms are the same model with these resolved scenario values changed ({len(rows)} "
                 f"differences; everything else, {sum(1 for _ in flatten(resolved[sw.points[0]]))} values in all, "
                 f"is identical). Paths are as for <code>ipsim run --set</code>.</p>")
        h.append("<table><tr><th>scenario value</th>" + "".join(f"<th>{E(n)}</th>" for n in sw.points) + "</tr>")
        for k, vals in rows:
            h.append(f"<tr><td class=key><code>{E(k)}</code></td>" + "".join(f"<td>{cell(v)}</td>" for v in vals) + "</tr>")
        h.append("</table>")
    else:
        h.append(f"<p><i>The scenario differences could not be listed: {E(note or '')}.</i></p>")
    h.append("<table>")
    for k, v in (("replicates per arm", sw.replicates),
                 ("scale", f"{A.get('scale', 0):g} people per simulated agent"),
                 ("seed", f"{A.get('seed_string', A.get('seed'))} (common random numbers across arms)"),
                 ("simulated days", days),
                 ("program", f"ipsim {A.get('ipsim_version', '?')} (git {A.get('git_commit', '?')})"),
                 ("history", A.get("history", ""))):
        h.append(f"<tr><th>{E(k)}</th><td>{E(str(v))}</td></tr>")
    h.append("</table>")
    cav = odd_caveat()
    cover = ("The intervals cover the model's own randomness and the uncertainty in the parameters drawn from "
             "the posterior (see the bottom line), not the uncertainty in its other parameters or its structure"
             if sw_full.posterior else
             "The intervals cover the model's own randomness (the replicates), not the uncertainty in "
             "its parameters or its structure")
    h.append("<div class=caveat><p><b>Read with care.</b> These are model outputs under assumed parameters, not "
             f"forecasts. {cover}; a sensitivity sweep (<code>ipsim sweep</code> with a sobol or morris "
             f"design) shows how much the answer moves with them. At scale {A.get('scale', 0):g}, each simulated "
             f"agent stands for {A.get('scale', 0):g} people, so counts move in steps of that size. From the model "
             "description (<code>sim/ODD.md</code>, section 7.8, Calibration and findings):</p>")
    for p in cav.split("\n\n"):
        h.append(f"<blockquote>{E(p)}</blockquote>")
    h.append("</div></body></html>")
    return "\n".join(h)


def load(path):
    """A comparison (arms design) or a response curve (/analysis/response)."""
    sw = Sweep(path, "report.py")
    if sw.design != "arms" and not rd.response_outcomes(sw):
        raise SystemExit(f"report.py: {path}: a {sw.design} sweep, not a comparison (arms) or a response curve; "
                         "use scripts/plot_sweep.py for it")
    if len(sw.points) < 2:
        raise SystemExit(f"report.py: {path}: only one arm; nothing to compare")
    return sw


def prim_section(sw, box_json):
    """The scenario-discovery section: from --prim BOX.json, else from the
    file itself when it allows it (posterior draws with enough replicates);
    '' otherwise."""
    import prim
    if box_json:
        try:
            with open(box_json, encoding="utf-8") as fh:
                res = json.load(fh)
        except (OSError, ValueError) as e:
            raise SystemExit(f"report.py: {box_json}: cannot read the PRIM box: {e}")
        return prim.box_html(res)
    view, _ = rd.main_view(sw)
    v = rd.verdict(view, "cec_arrivals") or rd.verdict(view, "arrivals")
    if not sw.posterior or v is None:
        return ""
    try:
        res = prim.discover_arms(sw, view.points[v["win"]], view.points[v["other"]], v["name"])
    except prim.PrimError as e:
        return f"<h2>Where the chosen plan loses</h2><p><i>No scenario discovery: {E(str(e))}.</i></p>"
    return prim.box_html(res)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output", help="HTML file to write (default results/<stem>_report.html)")
    ap.add_argument("--experiment", help="the experiment file (to find the arms' scenario files)")
    ap.add_argument("--question", help="the question to print (default: the experiment's description)")
    ap.add_argument("--ipsim", help="the ipsim program (default: $IPSIM_BIN, build/ipsim, then PATH)")
    ap.add_argument("--prim", metavar="BOX.json",
                    help="a scenario-discovery box written by scripts/prim.py --json, shown in the report")
    a = ap.parse_args()
    sw = load(a.file)
    if a.question:
        sw.experiment["description"] = a.question
    exp_dir = os.path.dirname(os.path.abspath(a.experiment)) if a.experiment else None
    resolved, note = resolve_arms(sw, find_ipsim(a.ipsim), exp_dir)
    if note:
        print(f"report.py: note: {note}", file=sys.stderr)
    page = build(sw, resolved, note, os.path.basename(a.file), prim_section(sw, a.prim))
    out = a.output or default_prefix(a.file, "_report") + ".html"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(page)
    print(out)


if __name__ == "__main__":
    main()
