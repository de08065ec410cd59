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
  - when Debian's chromium is installed, the page is rendered headless to a
    PNG that is checked to be non-blank (skipped with a message otherwise).
"""
import html
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
