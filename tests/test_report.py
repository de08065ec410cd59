"""test_report.py - the comparison and sweep pictures and the planner's report.

From a small compare run (3 arms, 2 replicates, coarse scale) and two tiny
sweeps (a 2-factor factorial and a grid):
  - scripts/plot_compare.py and scripts/plot_sweep.py write PNG and SVG, and
    refuse the other kind of file with a message naming the right script;
  - scripts/report.py writes one self-contained HTML page: no http(s)
    sources, no <link>, <script> or @import, every image a data: URI; it holds
    the question, the arms, the headline numbers (checked against the file),
    the differing scenario values and the ODD 7.8 caveat;
  - the page opens with the bottom line: for CEC visitors and all visitors,
    each arm's extra visitors and the cost of one extra visitor (extra budget /
    paired difference, its interval from the difference's), checked against
    the file; spending is called the visitors' gross on-site spending, never a
    return; peak crowding above 1 is flagged as over capacity; numbers carry
    thousands separators and units, and nothing in the tables is cut;
  - an arms experiment with `set` arms: the arms table shows each arm's
    overrides, and the base scenario's description only as the base's;
  - the page OPENS with the bottom line: one sentence per objective (CEC
    arrivals, arrivals, visitor-nights, spending), the winner's paired margin
    over the runner-up and its cost per extra unit, recomputed here in numpy
    from /outcomes and /cost_cny; "cannot tell apart" when the interval
    includes zero;
  - FIXTURES (tests/report_fixtures.py: real sweeps with the agreed datasets
    added by h5py, until ipsim writes them): the robustness table of a sweep
    with variations (winner, margin and flips recomputed here), the response
    curves (figure and table from /analysis/response), and with posterior
    draws the note on parameter uncertainty and the PRIM box (coverage and
    density recounted here);
  - when Debian's chromium is installed, the page is rendered headless to a
    PNG that is checked to be non-blank (skipped with a message otherwise).
"""
import html
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
SC = os.path.join(SRC, "scenarios")
PY = sys.executable
sys.path.insert(0, os.path.join(SRC, "scripts"))
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


def script(name, *args):
    return subprocess.run([PY, os.path.join(SRC, "scripts", name), *args], capture_output=True, text=True,
                          env=dict(os.environ, IPSIM_BIN=BIN))


def pictures(prefix, what):
    for ext, magic in (("png", b"\x89PNG"), ("svg", b"<?xml")):
        path = f"{prefix}.{ext}"
        size = os.path.getsize(path) if os.path.exists(path) else 0
        head = open(path, "rb").read(5) if size else b""
        check(size > 20000 and head.startswith(magic), f"{what}: {ext} written ({size} bytes)")


with tempfile.TemporaryDirectory() as tmp:
    cmp_ = os.path.join(tmp, "cmp.h5")
    p = subprocess.run([BIN, "compare", os.path.join(SC, "jiamusi_baseline.json"),
                        os.path.join(SC, "campaign_dispersed.json"), os.path.join(SC, "campaign_shanghai_shenzhen.json"),
                        "-o", cmp_, "--replicates", "3", "--scale", "20000", "--quiet", "--threads", "1"], capture_output=True, text=True)
    check(p.returncode == 0, f"compare (exit {p.returncode}) {p.stderr[-300:]}")

    # plot_compare
    p = script("plot_compare.py", cmp_, "-o", os.path.join(tmp, "cmp_pic"))
    check(p.returncode == 0, f"plot_compare.py exit {p.returncode} {p.stderr[-400:]}")
    pictures(os.path.join(tmp, "cmp_pic"), "plot_compare.py")

    # tiny sweeps for plot_sweep
    base = os.path.join(SC, "jiamusi_baseline.json")
    exps = {"factorial": {"type": "factorial", "factors": [
                {"name": "fluency", "off": {}, "on": {"destination.digital_fluency": 0.7}},
                {"name": "service", "off": {}, "on": {"destination.service_quality": 0.8}}]},
            "grid": {"type": "grid", "parameters": [
                {"name": "fluency", "path": "destination.digital_fluency", "values": [0.2, 0.5]},
                {"name": "asc", "path": "parameters.decision.asc_destination", "values": [-1.2, -0.6]}]}}
    for design, d in exps.items():
        ef, out = os.path.join(tmp, design + ".json"), os.path.join(tmp, design + ".h5")
        with open(ef, "w") as fh:
            json.dump({"name": f"t_{design}", "description": design, "base": base, "replicates": 2,
                       "scale": 20000, "design": d}, fh)
        p = subprocess.run([BIN, "sweep", ef, "-o", out, "--quiet", "--threads", "1"], capture_output=True, text=True)
        check(p.returncode == 0, f"{design} sweep (exit {p.returncode}) {p.stderr[-300:]}")
        p = script("plot_sweep.py", out, "-o", os.path.join(tmp, design + "_pic"))
        check(p.returncode == 0, f"plot_sweep.py on a {design} exit {p.returncode} {p.stderr[-400:]}")
        pictures(os.path.join(tmp, design + "_pic"), f"plot_sweep.py ({design})")
    p = script("plot_sweep.py", cmp_)
    check(p.returncode != 0 and "plot_compare.py" in p.stderr, "plot_sweep.py sends an arms file to plot_compare.py")
    p = script("plot_compare.py", os.path.join(tmp, "factorial.h5"))
    check(p.returncode != 0 and "plot_sweep.py" in p.stderr, "plot_compare.py sends a factorial to plot_sweep.py")
    p = script("report.py", os.path.join(tmp, "grid.h5"), "-o", os.path.join(tmp, "x.html"))
    check(p.returncode != 0 and not os.path.exists(os.path.join(tmp, "x.html")), "report.py refuses a grid sweep")

    # the report
    html_path = os.path.join(tmp, "report.html")
    question = "Does the Shanghai/Shenzhen campaign bring more core experiential visitors?"
    p = script("report.py", cmp_, "-o", html_path, "--question", question)
    check(p.returncode == 0, f"report.py exit {p.returncode} {p.stderr[-400:]}")
    page = open(html_path, encoding="utf-8").read() if os.path.exists(html_path) else ""
    check(len(page) > 50000, f"report written ({len(page)} characters)")
    low = page.lower()
    check(not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", low), "no http(s) src or href")
    check("<link" not in low and "<script" not in low and "@import" not in low and "url(" not in low,
          "no <link>, <script>, @import or url(): nothing loaded from elsewhere")
    imgs = re.findall(r"<img[^>]*src='([^']*)'", page)
    check(len(imgs) >= 2 and all(s.startswith("data:image/png;base64,") for s in imgs),
          f"{len(imgs)} figures embedded as data: URIs")
    check(question.replace("/", "/") in page, "the question is on the page")
    for arm in ("jiamusi_baseline", "campaign_dispersed", "campaign_shanghai_shenzhen"):
        check(arm in page, f"arm {arm} named")
    import h5py  # noqa: E402
    import numpy as np  # noqa: E402
    from ipsim_results import fmt_num  # noqa: E402
    with h5py.File(cmp_) as f:
        names = [n.decode() for n in f["point_name"][...]]
        k = names.index("campaign_shanghai_shenzhen")
        d = f["analysis/diff/cec_arrivals"][k]
        lo, hi = f["analysis/diff_ci_low/cec_arrivals"][k], f["analysis/diff_ci_high/cec_arrivals"][k]
    words = re.sub(r"<[^>]+>", "", page)
    clear = lo > 0 or hi < 0
    phrase = (f"{fmt_num(abs(d))} {'more' if d > 0 else 'fewer'} core experiential visitors" if clear
              else "makes no clear difference to the core experiential (CEC) arrivals")
    check(phrase in words and fmt_num(abs(d)) in words, f"headline: CEC difference {fmt_num(d)} in plain words")
    check(fmt_num(abs(lo)) in words and fmt_num(abs(hi)) in words, f"headline interval {fmt_num(lo)}-{fmt_num(hi)}")
    check("interventions[saturation_shanghai_shenzhen]" in page and "interventions[dispersed_campaign]" in page,
          "assumptions: the interventions that differ between arms are listed")
    check("7.8" in page and "calibrated" in page and "not forecasts" in page, "the ODD 7.8 caveat is quoted")

    # the bottom line, opening the page
    from ipsim_results import fmt_ci, fmt_cny, cost_per  # noqa: E402
    check(words.find("The bottom line") < words.find("The arms") < words.find("The answer, with"),
          "the bottom line comes before the arms and the detailed answer")
    with h5py.File(cmp_) as f:
        extra = f["analysis/per_10k_cny/extra_cost_cny"][k]
        pk = f["outcomes/peak_crowding"][...].mean(axis=1)
        dd = {o: [f[f"analysis/{s}/{o}"][k] for s in ("diff", "diff_ci_low", "diff_ci_high")]
              for o in ("cec_arrivals", "arrivals")}
    for o, one in (("cec_arrivals", "core experiential (CEC) visitor"), ("arrivals", "visitor")):
        m_, lo_, hi_ = dd[o]
        c, clo, chi = cost_per(extra, m_, lo_, hi_)
        check(fmt_ci(o, m_, lo_, hi_) in words, f"bottom line: extra {o} {fmt_ci(o, m_, lo_, hi_)}")
        if np.isfinite(c):
            check(fmt_cny(c) in words and f"per extra {one}" in words,
                  f"bottom line: {fmt_cny(c)} per extra {one} (= {fmt_cny(extra)} / {m_:,.0f})")
    check("visitors' gross on-site spending" in words and "not a return" in words and
          "return per 10,000" not in words.lower(), "spending is the visitors' gross on-site spending, not a return")
    over = pk > 1
    check((("over capacity" in words) == bool(over.any())), f"peak crowding above capacity flagged ({pk.round(2)})")
    with h5py.File(cmp_) as f:
        commit, seed_s = str(f.attrs["git_commit"]), str(f.attrs["seed_string"])
    raw = re.findall(r"\d{7,}", words.replace(commit, "").replace(seed_s, ""))
    check(not raw, f"no raw numbers of 7 digits or more: thousands separators ({raw[:3]})")
    for cut in ("positive_post_ ", "repeat_visit_ "):
        check(cut not in words, f"no cut header '{cut.strip()}'")

    # the bottom line: one sentence per objective, recomputed here from /outcomes
    from scipy import stats  # noqa: E402

    def t_int(d):
        n = d.shape[-1]
        m = d.mean(axis=-1)
        half = stats.t.ppf(0.975, n - 1) * d.std(axis=-1, ddof=1) / np.sqrt(n)
        return m, m - half, m + half

    def verdict_np(y, cost, ref):
        """winner, other, (m, lo, hi) winner - other, CNY per extra unit of the winner (vs ref)"""
        cands = [i for i in range(len(y)) if i != ref]
        gain = {i: (y[i] - y[ref]).mean() for i in cands}
        order = sorted(cands, key=lambda i: -gain[i])
        w, o = order[0], (order[1] if len(order) > 1 else ref)
        m, lo, hi = t_int(y[w] - y[o])
        cpe = (cost[w] - cost[ref]) / gain[w] if gain[w] > 0 and cost[w] > cost[ref] else float("nan")
        return w, o, (m, lo, hi), cpe

    h2s = re.findall(r"<h2>([^<]*)</h2>", page)
    check(h2s[:2] == ["The bottom line", "The question"], f"the page opens with the bottom line ({h2s[:3]})")
    # (with variations, the robustness table comes second: checked below)
    top = html.unescape(re.sub(r"<[^>]+>", "", page.split("<h2>The bottom line</h2>")[1].split("<h2>")[0]))
    items = [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in
             re.findall(r"<li>(.*?)</li>", page.split("<h2>The bottom line</h2>")[1].split("<h2>")[0], re.S)]
    with h5py.File(cmp_) as f:
        names = [n.decode() for n in f["point_name"][...]]
        cost = f["cost_cny"][...]
        outs = {o: f["outcomes/" + o][...].astype(float) for o in ("cec_arrivals", "arrivals", "visitor_nights",
                                                                    "spending_cny")}
    starts = {"cec_arrivals": "CEC visitors", "arrivals": "Visitors (all segments)", "visitor_nights": "Visitor-nights",
              "spending_cny": "Visitors' gross on-site spending"}
    check(len(items) == 4 and [it.split(":")[0] for it in items] == list(starts.values()),
          f"one sentence per objective, in order ({[it[:25] for it in items]})")
    def shown_amount(text, o, m, lo, hi):
        """fmt_ci of (m, lo, hi) as the text shows it: the report and numpy
        sum in other orders, so a value on a rounding boundary may print one
        unit apart; nudging each by 1e-9 of itself finds the printed form."""
        for c in itertools.product(*[(x, x * (1 - 1e-9), x * (1 + 1e-9)) for x in (m, lo, hi)]):
            a = fmt_ci(o, *c)
            if a in text:
                return a
        return fmt_ci(o, m, lo, hi)

    for (o, y), it in zip(outs.items(), items):
        w, oth, (m_, lo_, hi_), cpe = verdict_np(y, cost, 0)
        amount = shown_amount(it, o, m_, lo_, hi_)
        clear_ = lo_ > 0 or hi_ < 0
        ok = amount in it and names[w] in it and names[oth] in it
        if clear_:
            ok = ok and f"choose {names[w]}" in it and "cannot tell" not in it
            if o != "spending_cny":
                ok = ok and fmt_cny(cpe) in it
            else:
                ok = ok and "not a return" in it
        else:
            ok = ok and "cannot tell" in it and "includes zero" in it
        check(ok, f"bottom line, {o}: {names[w]} - {names[oth]} = {amount}"
              f"{f', {fmt_cny(cpe)} each' if clear_ and o != 'spending_cny' else ''} "
              f"({'clear' if clear_ else 'cannot tell'}) [{it[:160]}]")
    check("parameter uncertainty" not in top, "no posterior draws: the bottom line does not claim parameter uncertainty")

    # FIXTURES (tests/report_fixtures.py): real sweeps with the agreed layout added by h5py
    sys.path.insert(0, os.path.join(SRC, "tests"))
    import report_fixtures as rf  # noqa: E402
    var_h5 = rf.variations_file(BIN, os.path.join(tmp, "var.h5"), tmp)
    var_html = os.path.join(tmp, "var.html")
    p = script("report.py", var_h5, "-o", var_html)
    check(p.returncode == 0, f"report.py on a sweep with variations exit {p.returncode} {p.stderr[-300:]}")
    vp = open(var_html, encoding="utf-8").read() if os.path.exists(var_html) else ""
    rob = vp.split("<h2>Where the verdict flips</h2>")[-1].split("</table>")[0]
    rrows = {html.unescape(re.search(r"<b>(.*?)</b>", r).group(1)):
             html.unescape(re.sub(r"<[^>]+>", " ", r)) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", rob, re.S)[1:]}
    vh2 = re.findall(r"<h2>([^<]*)</h2>", vp)
    check(vh2[:3] == ["The bottom line", "Where the verdict flips", "The question"],
          f"with variations: the bottom line, then the robustness table ({vh2[:3]})")
    check("<h2>Where the verdict flips</h2>" in vp and list(rrows) == [v[0] for v in rf.VARIATIONS],
          f"robustness table: one row per variation ({list(rrows)})")
    with h5py.File(var_h5) as f:
        y = f["outcomes/cec_arrivals"][...].astype(float).reshape(len(rf.VARIATIONS), len(rf.ARMS), -1)
        vc = f["cost_cny"][...].reshape(len(rf.VARIATIONS), len(rf.ARMS))
    arm = [a for a, _ in rf.ARMS]
    keys = []
    for k, (vname, _, _) in enumerate(rf.VARIATIONS):
        w, oth, (m_, lo_, hi_), _ = verdict_np(y[k], vc[k], 0)
        keys.append(arm[w] if (lo_ > 0 or hi_ < 0) else "tie")
    for k, (vname, _, _) in enumerate(rf.VARIATIONS):
        w, oth, (m_, lo_, hi_), _ = verdict_np(y[k], vc[k], 0)
        row = re.sub(r"\s+", " ", rrows.get(vname, ""))
        flip = k > 0 and keys[k] != keys[0]
        amount = shown_amount(row, "cec_arrivals", m_, lo_, hi_)
        shown = row.split(amount)[0]
        ok = amount in row and shown.rstrip().endswith(arm[oth]) and \
            ((" tie " in shown) if keys[k] == "tie" else (f" {keys[k]} " in shown))
        check(ok and (("flips" in row.split(amount)[-1].split("(flips)")[0]) == flip),
              f"robustness, {vname}: winner {keys[k]}, margin {fmt_ci('cec_arrivals', m_, lo_, hi_)} over "
              f"{arm[oth]}, {'flips' if flip else 'holds'} [{row[:200]}]")
    nflip = sum(1 for k in range(1, len(keys)) if keys[k] != keys[0])
    vtop = html.unescape(re.sub(r"<[^>]+>", "", vp.split("<h2>The bottom line</h2>")[1].split("<h2>")[0]))
    check((f"changes in {nflip} of {len(keys) - 1}" in vtop) if nflip else ("holds in all" in vtop),
          f"the bottom line says how the verdict holds ({nflip} flips)")
    check(vp.count("<tr><td><b>") < 12 and "3 arms × 3 variations" in vp,
          "the arms table is the main variation's (3 arms), the header counts the variations")

    # response curves (FIXTURE: /analysis/response added to a real sweep of spend levels)
    resp_h5 = rf.response_file(BIN, os.path.join(tmp, "resp.h5"), tmp)
    resp_html = os.path.join(tmp, "resp.html")
    p = script("report.py", resp_h5, "-o", resp_html)
    check(p.returncode == 0, f"report.py on a response curve exit {p.returncode} {p.stderr[-300:]}")
    rp = open(resp_html, encoding="utf-8").read() if os.path.exists(resp_html) else ""
    sec = rp.split("<h2>Response to spend</h2>")[-1]
    check("<h2>Response to spend</h2>" in rp and "<img alt='incremental outcome and marginal return" in sec,
          "response curves: a section with a figure")
    with h5py.File(resp_h5) as f:
        inc = [f[f"analysis/response/cec_arrivals/incremental_{s}"][...] for s in ("mean", "lo", "hi")]
        mg = [f[f"analysis/response/cec_arrivals/marginal_{s}"][...] for s in ("mean", "lo", "hi")]
    tab = html.unescape(re.sub(r"<[^>]+>", " ", sec.split("<table class=resp>")[1].split("</table>")[0]))
    ok = all(fmt_ci("cec_arrivals", *(v[i] for v in inc)) in tab for i in range(len(rf.LEVELS))) and \
        all(fmt_ci("cec_arrivals", *(v[i] for v in mg)) in tab for i in range(1, len(rf.LEVELS)))
    check(ok, "response table: incremental and marginal CEC arrivals with intervals, per level, from the file")
    rtop = html.unescape(re.sub(r"<[^>]+>", "", rp.split("<h2>The bottom line</h2>")[1].split("<h2>")[0]))
    check("The answer, with its uncertainty" not in rp and "All paired differences" not in rp,
          "a response file: the response section replaces the pairwise answer (no all-pairs forest plot)")
    check(f"spending {fmt_cny(rf.LEVELS[-1])} brings {fmt_ci('cec_arrivals', *(v[-1] for v in inc))}" in rtop,
          "a response file's bottom line: what the top level brings over zero spend")

    # the same from `ipsim sweep` itself when it has the response design (else skipped: the fixture above stands in)
    real_exp = os.path.join(tmp, "real_resp.json")
    with open(real_exp, "w") as fh:
        json.dump({"name": "real_response", "description": "response design, written by ipsim",
                   "base": os.path.join(SC, "campaign_shanghai_shenzhen.json"), "replicates": 2, "scale": 40000,
                   "design": {"type": "response", "name": "budget", "path": rf.SSZ + ".cost_cny",
                              "levels": [0, 10e6, 20e6]}}, fh)
    real_h5 = os.path.join(tmp, "real_resp.h5")
    p = subprocess.run([BIN, "sweep", real_exp, "-o", real_h5, "--quiet", "--threads", "1"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        print(f"SKIP a response curve written by ipsim: this ipsim has no response design ({p.stderr.strip()[:120]})")
    else:
        p = script("report.py", real_h5, "-o", os.path.join(tmp, "real_resp.html"))
        page_r = open(os.path.join(tmp, "real_resp.html"), encoding="utf-8").read() if p.returncode == 0 else ""
        with h5py.File(real_h5) as f:
            inc = [f[f"analysis/response/cec_arrivals/incremental_{s}"][...] for s in ("mean", "lo", "hi")]
        tab = html.unescape(re.sub(r"<[^>]+>", " ", page_r.split("<table class=resp>")[1].split("</table>")[0])) \
            if "<table class=resp>" in page_r else ""
        check(p.returncode == 0 and fmt_ci("cec_arrivals", *(v[-1] for v in inc)) in tab,
              f"a response curve written by ipsim: the report's table holds its /analysis/response (exit "
              f"{p.returncode}) {p.stderr[-200:]}")

    # posterior draws and PRIM (FIXTURE: made-up draws added to a real 40-replicate comparison)
    post_h5 = rf.posterior_file(BIN, os.path.join(tmp, "post.h5"), tmp)
    post_html = os.path.join(tmp, "post.html")
    p = script("report.py", post_h5, "-o", post_html)
    check(p.returncode == 0, f"report.py with posterior draws exit {p.returncode} {p.stderr[-300:]}")
    pp = open(post_html, encoding="utf-8").read() if os.path.exists(post_html) else ""
    ptop = html.unescape(re.sub(r"<[^>]+>", "", pp.split("<h2>The bottom line</h2>")[1].split("<h2>")[0]))
    check("intervals include parameter uncertainty" in ptop and "uncertainty in the parameters drawn" in pp,
          "posterior draws: the bottom line and the caveat say the intervals include parameter uncertainty")
    psec = html.unescape(re.sub(r"<[^>]+>", " ", pp.split("scenario discovery</h2>")[-1].split("<h2>")[0]))
    with h5py.File(post_h5) as f:
        y = f["outcomes/cec_arrivals"][...].astype(float)
        X = f["posterior_draws/values"][...]
    w, oth, _, _ = verdict_np(y, np.zeros(3), 0)
    case = (y[w] - y[oth]) < 0
    import prim  # noqa: E402
    res = prim.prim(X, case, ["authenticity_weight", "noise"])
    inbox = np.all((X >= res["box"]["lo"]) & (X <= res["box"]["hi"]), axis=1)
    cov, den = (case & inbox).sum() / case.sum(), (case & inbox).sum() / inbox.sum()
    check("scenario discovery</h2>" in pp and f"{case.sum()} of {len(case)}" in psec and f"{cov:.0%} of the cases" in psec
          and f"{den:.0%} of the rows are cases" in psec and "authenticity_weight" in psec,
          f"PRIM box in the report: {case.sum()} cases of {len(case)}, coverage {cov:.0%}, density {den:.0%}")

    # an arms experiment with `set` arms
    exp = os.path.join(tmp, "set.json")
    with open(exp, "w") as fh:
        json.dump({"name": "t_set", "description": "Half the budget, or other markets?",
                   "base": os.path.join(SC, "campaign_shanghai_shenzhen.json"), "replicates": 2, "scale": 40000,
                   "design": {"type": "arms", "reference": "baseline", "arms": [
                       {"name": "baseline", "scenario": os.path.join(SC, "jiamusi_baseline.json")},
                       {"name": "ssz_20m", "set": {}},
                       {"name": "ssz_10m", "set": {"interventions[saturation_shanghai_shenzhen].cost_cny": 10000000}},
                       {"name": "bj_gz", "set": {"interventions[saturation_shanghai_shenzhen].targets": [
                           {"market": "Beijing", "segment": "cec", "weight": 1},
                           {"market": "Guangzhou", "segment": "cec", "weight": 1}]}}]}}, fh)
    set_h5 = os.path.join(tmp, "set.h5")
    p = subprocess.run([BIN, "sweep", exp, "-o", set_h5, "--quiet", "--threads", "1"], capture_output=True, text=True)
    check(p.returncode == 0, f"sweep with set arms (exit {p.returncode}) {p.stderr[-300:]}")
    set_html = os.path.join(tmp, "set.html")
    p = script("report.py", set_h5, "-o", set_html, "--experiment", exp)
    check(p.returncode == 0, f"report.py on set arms exit {p.returncode} {p.stderr[-300:]}")
    sp = open(set_html, encoding="utf-8").read() if os.path.exists(set_html) else ""
    arms_part = sp.split("<h2>The arms</h2>")[-1].split("</table>")[0]
    row = lambda name: arms_part.split(f"<b>{name}</b>")[-1].split("</tr>")[0]  # noqa: E731
    check("interventions[saturation_shanghai_shenzhen].cost_cny</code> = 10.0 M CNY" in row("ssz_10m")
          and "with these overrides" in row("ssz_10m"), "the 10 M arm shows its override")
    check("Beijing" in row("bj_gz") and "Guangzhou" in row("bj_gz"), "the Beijing/Guangzhou arm shows its targets")
    base_desc = json.load(open(os.path.join(SC, "campaign_shanghai_shenzhen.json")))["description"][:40]
    r10 = re.sub(r"\s+", " ", row("ssz_10m"))
    bd = html.escape(base_desc)
    check(bd in r10 and r10.index("overrides") < r10.index(bd) and "base (" in r10,
          "the base scenario's description is shown as the base's, after the overrides")
    check("10.0 M CNY" in row("ssz_10m") or "16.0 M CNY" in row("ssz_10m"), "the 10 M arm's cost is its own")

    # what a browser shows
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP chromium screenshot: chromium not installed (Debian: apt-get install chromium)")
    else:
        shot = os.path.join(tmp, "shot.png")
        prof = tempfile.mkdtemp(dir=tmp)
        p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={prof}", f"--screenshot={shot}", "--window-size=1200,3000",
                            "file://" + html_path], capture_output=True, text=True, timeout=120)
        check(p.returncode == 0 and os.path.exists(shot), f"chromium renders the page (exit {p.returncode})")
        try:
            import numpy as np
            import matplotlib.image as mpimg
            img = mpimg.imread(shot)
            dark = float((img[..., :3].mean(axis=2) < 0.5).mean())
            check(img.shape[0] >= 3000 and 0.01 < dark < 0.6, f"screenshot {img.shape[1]}x{img.shape[0]}, "
                  f"{dark:.1%} dark pixels (text and figures, not blank)")
        except Exception as e:  # noqa: BLE001
            check(False, f"screenshot readable: {e}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
