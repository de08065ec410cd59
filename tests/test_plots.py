"""test_plots.py - the plotting scripts produce their pictures from real runs.

Runs the baseline at a coarse scale, then scripts/plot_run.py on the file, and
checks that the PNG and SVG exist, are of the expected kind and not trivially
small; a sweep file or a non-ipsim file is refused with a clear message.

From a small compare, scripts/plot_compare.py's forest plots: every panel
labels its rows on the y axis with the contrasts it shows, no title, axis
label or tick label is cut by the figure's edge, and spending is labelled as
the visitors' gross on-site spending. The number formats of
scripts/ipsim_results.py: thousands separators, M CNY, intervals, and the
cost of an extra visitor with its ratio interval.
"""
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


with tempfile.TemporaryDirectory() as tmp:
    run = os.path.join(tmp, "run.h5")
    p = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "jiamusi_baseline.json"), "-o", run,
                        "--scale", "5000", "--quiet"], capture_output=True, text=True)
    check(p.returncode == 0, f"baseline run (exit {p.returncode}) {p.stderr[-300:]}")
    prefix = os.path.join(tmp, "pic")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "plot_run.py"), run, "-o", prefix],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"plot_run.py exit {p.returncode} {p.stderr[-500:]}")
    for ext, magic in (("png", b"\x89PNG"), ("svg", b"<?xml")):
        path = f"{prefix}.{ext}"
        ok = os.path.exists(path) and os.path.getsize(path) > 20000
        head = open(path, "rb").read(5) if os.path.exists(path) else b""
        check(ok and head.startswith(magic), f"{ext} written ({os.path.getsize(path) if ok else 0} bytes)")
    bogus = os.path.join(tmp, "bogus.h5")
    with open(bogus, "w") as fh:
        fh.write("not hdf5")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "plot_run.py"), bogus],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "cannot open" in p.stderr, "a non-HDF5 file is refused with a message")

    # plot_compare: labelled forest plots, nothing cut
    cmp_ = os.path.join(tmp, "cmp.h5")
    sc = os.path.join(SRC, "scenarios")
    p = subprocess.run([BIN, "compare", os.path.join(sc, "jiamusi_baseline.json"), os.path.join(sc, "campaign_dispersed.json"),
                        os.path.join(sc, "campaign_shanghai_shenzhen.json"), "-o", cmp_, "--replicates", "2",
                        "--scale", "40000", "--quiet", "--threads", "1"], capture_output=True, text=True)
    check(p.returncode == 0, f"compare (exit {p.returncode}) {p.stderr[-300:]}")
    sys.path.insert(0, os.path.join(SRC, "scripts"))
    import plot_compare  # noqa: E402
    sw = plot_compare.load(cmp_)
    fig = plot_compare.figure_all(sw)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    W, H = fig.bbox.width, fig.bbox.height
    labels = {lab for _, _, lab in plot_compare.contrasts(sw)}
    forest = [ax for ax in fig.axes if ax.get_title().startswith("Difference in ") and "source market" not in ax.get_title()]
    got = [[t.get_text().replace("\n", " ") for t in ax.get_yticklabels()] for ax in forest]
    check(len(forest) == len(sw.outcome_names) and all(set(g) == labels for g in got),
          f"every outcome panel labels its {len(labels)} contrast rows on the y axis")
    ret = [ax for ax in fig.axes if "per 10,000 CNY" in ax.get_title().replace("\n", " ")]
    check(len(ret) == 2 and all(len(ax.get_yticklabels()) >= 1 for ax in ret), "the per-10,000-CNY panels label their rows")
    cut = []
    def shown_ticks(ax):  # tick labels inside the axis range (the others are not drawn)
        x0, x1 = sorted(ax.get_xlim())
        y0, y1 = sorted(ax.get_ylim())
        return ([t for t, v in zip(ax.get_xticklabels(), ax.get_xticks()) if x0 <= v <= x1] +
                [t for t, v in zip(ax.get_yticklabels(), ax.get_yticks()) if y0 <= v <= y1])

    for ax in [a for a in fig.axes if a.axison]:
        for t in [ax.title, ax.xaxis.label, ax.yaxis.label, *shown_ticks(ax)]:
            if t.get_text() and t.get_visible():
                b = t.get_window_extent(r)
                if b.x0 < -1 or b.y0 < -1 or b.x1 > W + 1 or b.y1 > H + 1:
                    cut.append(t.get_text()[:40])
    if fig._suptitle is not None:
        b = fig._suptitle.get_window_extent(r)
        if b.x0 < -1 or b.x1 > W + 1 or b.y1 > H + 1:
            cut.append(fig._suptitle.get_text()[:40])
    check(not cut, f"no title or label cut by the figure's edge ({cut[:3]})")
    clash = []
    for ax in [a for a in fig.axes if a.axison]:
        x0, x1 = sorted(ax.get_xlim())
        xs = [t.get_window_extent(r) for t, v in zip(ax.get_xticklabels(), ax.get_xticks())
              if x0 <= v <= x1 and t.get_text()]
        xs = sorted((b for b in xs if b.height > 0), key=lambda b: b.x0)
        clash += [ax.get_title()[:30] for a, b in zip(xs, xs[1:]) if a.x1 > b.x0 and abs(a.y0 - b.y0) < 2]
    check(not clash, f"no x tick labels overlap ({clash[:3]})")
    texts = " ".join(ax.get_title() + " " + ax.get_xlabel() for ax in fig.axes).replace("\n", " ")
    check("gross on-site spending" in texts and "Return" not in texts, "spending is the visitors' gross on-site spending")

    # plot_sweep: the response curve of a response design
    exp = os.path.join(tmp, "resp.json")
    with open(exp, "w") as fh:
        import json
        json.dump({"name": "resp", "description": "test: response to the campaign budget", "replicates": 2,
                   "scale": 40000, "outcomes": ["arrivals", "cec_arrivals"],
                   "design": {"type": "response", "name": "budget",
                              "path": "interventions[saturation_shanghai_shenzhen].cost_cny",
                              "levels": [0, 2e7, 4e7], "scenario": os.path.join(sc, "campaign_shanghai_shenzhen.json")}},
                  fh)
    resp = os.path.join(tmp, "resp.h5")
    p = subprocess.run([BIN, "sweep", exp, "-o", resp, "--quiet", "--threads", "1"], capture_output=True, text=True)
    check(p.returncode == 0, f"response sweep (exit {p.returncode}) {p.stderr[-300:]}")
    rprefix = os.path.join(tmp, "resp_pic")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "plot_sweep.py"), resp, "-o", rprefix],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"plot_sweep.py on a response design: exit {p.returncode} {p.stderr[-500:]}")
    for ext, magic in (("png", b"\x89PNG"), ("svg", b"<?xml")):
        path = f"{rprefix}.{ext}"
        head = open(path, "rb").read(5) if os.path.exists(path) else b""
        check(head.startswith(magic) and os.path.getsize(path) > 20000, f"response curve {ext} written")
    import plot_sweep  # noqa: E402
    from ipsim_results import Sweep  # noqa: E402
    rfig = plot_sweep.figure(Sweep(resp, "test"))
    titles = [ax.get_title() for ax in rfig.axes if ax.get_title()]
    ylabels = [ax.get_ylabel() for ax in rfig.axes]
    check(len(titles) == 2 and all("response to spend" in t for t in titles)
          and sum("marginal" in y and "per 10,000 CNY" in y for y in ylabels) == 2,
          "one response panel per outcome, with the marginal return per 10,000 CNY")

    # number formats
    from ipsim_results import fmt_ci, fmt_cny, fmt_people, cost_per  # noqa: E402
    check(fmt_ci("spending_cny", 937416000, 845873667, 1028958333, signed=False) == "937.4 M CNY [845.9 M to 1,029.0 M]",
          "money: 937.4 M CNY [845.9 M to 1,029.0 M]")
    check(fmt_ci("cec_arrivals", 326017, 297009, 354991) == "+326,017 [+297,009 to +354,991]",
          "people: +326,017 [+297,009 to +354,991]")
    check(fmt_people(-1333500) == "\u22121,333,500" and fmt_cny(61.349) == "61.3 CNY" and fmt_cny(4.5e5) == "450,000 CNY",
          "separators and units")
    c, lo, hi = cost_per(20e6, 326000, 297009, 354991)
    check(abs(c - 20e6 / 326000) < 1e-9 and abs(lo - 20e6 / 354991) < 1e-9 and abs(hi - 20e6 / 297009) < 1e-9,
          "cost per extra visitor: budget / paired difference, interval from the difference's")
    c, lo, hi = cost_per(20e6, 1e5, -2e5, 3e5)
    check(hi == float("inf") and abs(lo - 20e6 / 3e5) < 1e-9, "an interval reaching zero has no upper bound")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
