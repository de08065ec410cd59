#!/usr/bin/python3
"""report.py - a planner's report of a comparison, as one self-contained HTML page.

Usage: scripts/report.py OUT.h5 [-o REPORT.html] [--experiment EXPERIMENT.json]
                         [--ipsim PATH]

OUT.h5 is a file written by `ipsim compare` or by `ipsim sweep` with an arms
design. The page (default: results/<file stem>_report.html) holds:
  - the question (the experiment's description) and the arms, with each arm's
    scenario description and intervention cost;
  - the headline differences with their 95% confidence intervals in plain
    words, and the return per 10,000 CNY of extra cost;
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
from ipsim_results import OUTCOMES, diff, fmt_num, sig3, default_prefix  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
E = html.escape


# ---------------------------------------------------------------- numbers in words

def _mag(x, cny):
    """A magnitude in words: 326,000; CNY 928 million."""
    if cny:
        ax = abs(x)
        return f"CNY {sig3(ax) / 1e6:,.3g} million" if 1e6 <= ax < 1e9 else f"CNY {fmt_num(ax)}"
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
        sa, sb = _mag(a, cny), _mag(b, cny)
        if cny:
            sa = sa[4:]
        # "297,000–355,000"; "CNY 861–994 million" keeps one unit word
        for w in (" million", " billion"):
            if sa.endswith(w) and sb.endswith(w):
                sa = sa[: -len(w)]
        return f"95% CI {sa}–{sb}" if not cny else f"95% CI {sb[:4]}{sa}–{sb[4:]}"
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
        return (f"brings {_mag(m, True)} {'more' if up else 'less'} on-site spending ({r}) than {{arm}}" if first
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
    for which, unit in (("arrivals", "extra visitors"), ("spending_cny", "of extra on-site spending")):
        v = sw.a(f"per_10k_cny/extra_{which}")
        lo, hi = sw.a(f"per_10k_cny/extra_{which}_ci_low"), sw.a(f"per_10k_cny/extra_{which}_ci_high")
        if v is None or not np.isfinite(v[i]):
            continue
        cny = which == "spending_cny"
        out.append(f"{'' if v[i] >= 0 else '−'}{_mag(v[i], cny)} {unit} "
                   f"({_range(lo[i], hi[i], cny)})")
    if not out:
        return None
    return (f"Per 10,000 CNY of extra cost ({fmt_num(cost[i] / 1e6)} million CNY more than "
            f"<b>{E(sw.points[sw.reference])}</b>), <b>{E(sw.points[i])}</b> brings " + " and ".join(out) + ".")


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
            for k, v in sets.items():
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


def cell(v):
    if isinstance(v, str) and v == "__absent__":
        return "<span class=absent>(absent)</span>"
    if isinstance(v, dict):
        keep = {k: v[k] for k in ("mechanism", "start", "end", "cost_cny", "targets") if k in v}
        s = json.dumps(keep, ensure_ascii=False)
        return f"<code>{E(s)}</code>"
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
"""


def png_uri(fig, dpi=100):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plot_compare.plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def build(sw, resolved, note, exp_label):
    exp = sw.experiment
    ref = sw.reference
    A = sw.attrs
    P = len(sw.points)
    q = exp.get("description") or "(the experiment has no description)"
    h = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
         f"<title>ipsim report: {E(str(A.get('experiment_name', '')))}</title><style>{CSS}</style></head><body>"]
    h.append(f"<h1>What the model says: {E(str(A.get('experiment_name', '')))}</h1>")
    h.append(f"<p class=sub>ipsim comparison report from <code>{E(exp_label)}</code>; "
             f"{P} arms × {sw.replicates} paired replicates; written {dt.date.today().isoformat()}.</p>")
    h.append(f"<h2>The question</h2><p class=question>{E(q)}</p>")

    # arms
    h.append("<h2>The arms</h2><table><tr><th>arm</th><th>what it is</th><th class=num>intervention cost</th>"
             "<th class=num>arrivals (mean)</th><th class=num>CEC arrivals (mean)</th></tr>")
    arms_src, _ = arm_sources(exp)
    src = {n: (s, st) for n, s, st in arms_src}
    for p, name in enumerate(sw.points):
        desc = resolved.get(name, {}).get("description", "")
        s, st = src.get(name, (None, {}))
        how = (f"scenario <code>{E(s)}</code>" if s else
               "the base with " + ", ".join(f"<code>{E(k)} = {E(json.dumps(v))}</code>" for k, v in st.items())
               if st else "the base scenario")
        tag = " <i>(reference)</i>" if p == ref else ""
        cost = sw.cost[p] if sw.cost is not None else np.nan
        h.append(f"<tr><td><b>{E(name)}</b>{tag}</td><td>{E(desc)}<br><span class=sub>{how}</span></td>"
                 f"<td class=num>{fmt_num(cost / 1e6)} M CNY</td>"
                 f"<td class=num>{fmt_num(np.nanmean(sw.outcomes['arrivals'][p]))}</td>"
                 f"<td class=num>{fmt_num(np.nanmean(sw.outcomes['cec_arrivals'][p]))}</td></tr>")
    h.append("</table>")

    # headlines
    days = A.get("days", 365)
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
    h.append("<h2>All paired differences</h2><table><tr><th>outcome</th><th>contrast</th><th class=num>difference"
             "</th><th class=num>95% CI low</th><th class=num>95% CI high</th></tr>")
    for name in sw.outcome_names:
        title, axis, div, _ = OUTCOMES.get(name, (name, name, 1, ""))
        unit = axis[axis.find("(") + 1:-1] if "(" in axis else ""
        for i, j, lab in plot_compare.contrasts(sw):
            m, lo, hi = diff(sw, name, i, j)
            f = (lambda x: f"{sig3(x / div):,.4g}") if div != 1e3 else (lambda x: f"{sig3(x / div):,.4g}")
            h.append(f"<tr><td>{E(title)} ({E(unit)})</td><td>{E(lab)}</td><td class=num>{f(m)}</td>"
                     f"<td class=num>{f(lo)}</td><td class=num>{f(hi)}</td></tr>")
    h.append("</table>")

    # figures
    h.append("<h2>Figures</h2>")
    h.append(f"<figure><img alt='forest plot of paired differences per outcome' "
             f"src='{png_uri(plot_compare.figure_outcomes(sw))}'><figcaption>Paired differences with 95% "
             f"confidence intervals, one panel per outcome; the last two panels are the return per 10,000 CNY "
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
    h.append("<div class=caveat><p><b>Read with care.</b> These are model outputs under assumed parameters, not "
             "forecasts. The intervals cover the model's own randomness (the replicates), not the uncertainty in "
             "its parameters or its structure; a sensitivity sweep (<code>ipsim sweep</code> with a sobol or morris "
             f"design) shows how much the answer moves with them. At scale {A.get('scale', 0):g}, each simulated "
             f"agent stands for {A.get('scale', 0):g} people, so counts move in steps of that size. From the model "
             "description (<code>sim/ODD.md</code>, section 7.8, Calibration and findings):</p>")
    for p in cav.split("\n\n"):
        h.append(f"<blockquote>{E(p)}</blockquote>")
    h.append("</div></body></html>")
    return "\n".join(h)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output", help="HTML file to write (default results/<stem>_report.html)")
    ap.add_argument("--experiment", help="the experiment file (to find the arms' scenario files)")
    ap.add_argument("--question", help="the question to print (default: the experiment's description)")
    ap.add_argument("--ipsim", help="the ipsim program (default: $IPSIM_BIN, build/ipsim, then PATH)")
    a = ap.parse_args()
    sw = plot_compare.load(a.file, "report.py")
    if a.question:
        sw.experiment["description"] = a.question
    exp_dir = os.path.dirname(os.path.abspath(a.experiment)) if a.experiment else None
    resolved, note = resolve_arms(sw, find_ipsim(a.ipsim), exp_dir)
    if note:
        print(f"report.py: note: {note}", file=sys.stderr)
    page = build(sw, resolved, note, os.path.basename(a.file))
    out = a.output or default_prefix(a.file, "_report") + ".html"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(page)
    print(out)


if __name__ == "__main__":
    main()
