"""test_export.py - `ipsim export`: result files as tidy CSV tables.

From a coarse run, a tiny grid sweep with keep_daily and a small compare:
  - every table reads back with pandas (python3-pandas) and with Python's csv
    module, and its values equal the HDF5 file's exactly (h5py): the run's
    daily metrics, summary, assets, destination, interventions and cells; the
    sweep's EMA Workbench pair (experiments.csv, outcomes.csv, row for row),
    outcomes in long format with the design parameters, by market and segment,
    the daily series and the analysis tables; the compare's paired
    differences and per-10,000-CNY returns; metadata and the JSON;
  - README.txt names every file written and every column of each;
  - --list, --table (a subset into a directory, one table into FILE.csv);
  - refusals: a non-empty directory without --force, --force on a directory
    holding other files, a symbolic link as DIR, an existing FILE.csv, a .csv
    output without --table or with two tables, an unknown table, a missing or
    non-ipsim input; nothing is left behind (no DIR.tmp-*); --force replaces a
    previous export, and a link named FILE.csv is replaced, never followed;
  - run, sweep and compare refuse an output named *.csv and point to export.
"""
import csv
import glob
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
SC = os.path.join(SRC, "scenarios")
try:
    import pandas as pd
except ImportError:  # Debian: python3-pandas
    pd = None
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


def ipsim(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=600)


def rows(path):
    """A CSV file as (header, rows) with the csv module."""
    with open(path, newline="", encoding="utf-8") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


def num(s):
    return float("nan") if s == "" else float(s)


def same(a, b):
    """Exact equality of float arrays, NaN equal to NaN."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def readme_lists(d, files):
    r = open(os.path.join(d, "README.txt"), encoding="utf-8").read().split("READING")[0]
    missing = [f for f in files if f not in r]
    for f in files:
        if f.endswith(".csv"):
            head, _ = rows(os.path.join(d, f))
            missing += [f"{f}:{c}" for c in head if f"      {c} " not in r]
    return missing


with tempfile.TemporaryDirectory() as tmp:
    T = lambda *p: os.path.join(tmp, *p)  # noqa: E731

    # ------------------------------------------------------------------ a run
    run = T("run.h5")
    p = ipsim("run", os.path.join(SC, "framework_full.json"), "-o", run, "--scale", "40000", "--quiet",
              "--threads", "1")
    check(p.returncode == 0, f"run (exit {p.returncode}) {p.stderr[-300:]}")
    d = T("run_csv")
    p = ipsim("export", run, "-o", d)
    check(p.returncode == 0, f"export a run (exit {p.returncode}) {p.stderr[-300:]}")
    want = ["daily.csv", "summary.csv", "assets.csv", "destination.csv", "interventions.csv", "cells.csv",
            "metadata.csv", "scenario.json", "README.txt"]
    got = sorted(os.listdir(d)) if os.path.isdir(d) else []
    check(sorted(want) == got, f"run export files {got}")
    check(all(os.path.join(d, f) in p.stdout for f in want), "the files written are listed on stdout")
    check(not glob.glob(T("run_csv.tmp-*")), "no temporary directory left")
    with h5py.File(run) as f:
        markets = [text(m) for m in f["market"][...]]
        segments = [text(s) for s in f["segment"][...]]
        assets = [text(a) for a in f["asset"][...]]
        daily = {k: f["daily/" + k][...] for k in f["daily"]}
        summary = {k: f["summary/" + k][...] for k in f["summary"]}
        asset_daily = {k: f["asset_daily/" + k][...] for k in f["asset_daily"]}
        dest = {k: f["destination_daily/" + k][...] for k in f["destination_daily"]}
        iv = {k: f["interventions/" + k][...] for k in ("name", "mechanism", "start", "end", "cost_cny")}
        cells = {k: f["cells/" + k][...] for k in f["cells"]}
        scenario = text(f["scenario"][()])
        start = text(f.attrs["start_date"])
        seed = int(f.attrs["seed"])
    # daily, with the csv module: every value at its coordinates
    head, body = rows(os.path.join(d, "daily.csv"))
    check(head == ["day", "date", "market", "segment", "metric", "value"], f"daily.csv header {head}")
    D, M, S = daily["arrivals"].shape
    check(len(body) == D * M * S * len(daily), f"daily.csv has day x market x segment x metric rows ({len(body)})")
    back = {k: np.full(v.shape, -1.0) for k, v in daily.items()}
    for r in body:
        back[r[4]][int(r[0]), markets.index(r[2]), segments.index(r[3])] = num(r[5])
    check(all(same(back[k], daily[k]) for k in daily), "daily.csv (csv module) equals /daily exactly, NaN as empty")
    check(any(np.isnan(daily["satisfaction_mean"]).ravel()) and any(r[4] == "satisfaction_mean" and r[5] == ""
                                                                      for r in body),
          "NaN satisfaction is an empty field")
    import datetime as dt
    d0 = dt.date.fromisoformat(start)
    check(all(r[1] == (d0 + dt.timedelta(days=int(r[0]))).isoformat() for r in body[:: 997]),
          f"dates count from start_date {start}")
    if pd is None:
        print("SKIP pandas read-back: python3-pandas not installed (the csv module checks run)")
    else:
        df = pd.read_csv(os.path.join(d, "daily.csv"), float_precision="round_trip")
        arr = df.pivot_table(index=["day", "market", "segment"], columns="metric", values="value",
                             dropna=False, aggfunc="first")
        k = arr.loc[(17, "Harbin", "cec")]
        check(all(same(k[m], daily[m][17, markets.index("Harbin"), 0]) for m in daily),
              "pandas: daily.csv pivots back to /daily")
        sm = pd.read_csv(os.path.join(d, "summary.csv"), float_precision="round_trip")
        ok = all(same(sm[(sm.market == mk) & (sm.segment == sg) & (sm.metric == m)].value.iloc[0],
                      summary[m][markets.index(mk), segments.index(sg)])
                 for m in summary for mk in markets for sg in segments)
        check(ok and len(sm) == len(summary) * M * S, "pandas: summary.csv equals /summary")
        a = pd.read_csv(os.path.join(d, "assets.csv"), float_precision="round_trip")
        ok = all(same(a[a.metric == m].value.to_numpy().reshape(D, len(assets)),
                      np.asarray([[asset_daily[m][i, j] for j in
                                   [assets.index(x) for x in a[a.metric == m].asset.iloc[:len(assets)]]]
                                  for i in range(D)]))
                 for m in asset_daily)
        check(ok, "pandas: assets.csv equals /asset_daily")
        de = pd.read_csv(os.path.join(d, "destination.csv"), float_precision="round_trip")
        check(all(same(de[de.metric == m].value, dest[m]) for m in dest), "pandas: destination.csv equals /destination_daily")
        iv_df = pd.read_csv(os.path.join(d, "interventions.csv"), float_precision="round_trip")
        check(list(iv_df.columns) == ["intervention", "mechanism", "start", "end", "cost_cny"]
              and list(iv_df.intervention) == [text(x) for x in iv["name"]]
              and list(iv_df.start) == [text(x) for x in iv["start"]] and same(iv_df.cost_cny, iv["cost_cny"]),
              "pandas: interventions.csv equals /interventions")
        ce = pd.read_csv(os.path.join(d, "cells.csv"), float_precision="round_trip")
        check(same(ce.agents.to_numpy().reshape(M, S), cells["agents"]) and
              same(ce.people.to_numpy().reshape(M, S), cells["people"]), "pandas: cells.csv equals /cells")
        md = pd.read_csv(os.path.join(d, "metadata.csv"), dtype=str, keep_default_na=False).set_index("attribute").value
        check(md["seed"] == str(seed) and md["start_date"] == start, "metadata.csv: seed and start_date")
    check(json.load(open(os.path.join(d, "scenario.json"))) == json.loads(scenario), "scenario.json is /scenario")
    missing = readme_lists(d, want[:-1])
    check(not missing, f"README.txt names every file and column (missing: {missing[:5]})")

    # --------------------------------------------- a grid sweep with keep_daily
    exp = T("kd.json")
    json.dump({"name": "t_export", "description": "export test", "base": os.path.join(SC, "jiamusi_baseline.json"),
               "replicates": 2, "scale": 60000, "keep_daily": ["arrivals", "spending_cny"],
               "design": {"type": "grid", "parameters": [
                   {"name": "fluency", "path": "destination.digital_fluency", "values": [0.3, 0.7]},
                   {"name": "value", "path": "destination.service_quality", "values": [0.5, 0.8]}]}},
              open(exp, "w"))
    sw = T("kd.h5")
    p = ipsim("sweep", exp, "-o", sw, "--quiet", "--threads", "1")
    check(p.returncode == 0, f"sweep with keep_daily (exit {p.returncode}) {p.stderr[-300:]}")
    d = T("sweep_csv")
    p = ipsim("export", sw, "-o", d)
    check(p.returncode == 0, f"export a sweep (exit {p.returncode}) {p.stderr[-300:]}")
    files = sorted(os.listdir(d)) if os.path.isdir(d) else []
    for f_ in ("experiments.csv", "outcomes.csv", "outcomes_long.csv", "outcomes_by_market.csv",
               "outcomes_by_segment.csv", "daily.csv", "analysis_point.csv", "metadata.csv", "experiment.json",
               "README.txt"):
        check(f_ in files, f"sweep export has {f_}")
    with h5py.File(sw) as f:
        names = [text(n) for n in f["point_name"][...]]
        markets = [text(m) for m in f["market"][...]]
        segments = [text(s) for s in f["segment"][...]]
        out = {k: f["outcomes/" + k][...] for k in f["outcomes"]}
        bym = {k: f["outcomes_by_market/" + k][...] for k in f["outcomes_by_market"]}
        bys = {k: f["outcomes_by_segment/" + k][...] for k in f["outcomes_by_segment"]}
        dly = {k: f["daily/" + k][...] for k in f["daily"]}
        design = {k: f["design/" + k][...] for k in f["design"]}
        mean = {k: f["analysis/mean/" + k][...] for k in f["analysis/mean"]}
        cost = f["cost_cny"][...]
        done = f["units/done"][...]
    P, R = out["arrivals"].shape
    head, body = rows(os.path.join(d, "experiments.csv"))
    check(head == ["point", "point_name", "fluency", "design_value", "replicate", "cost_cny", "done", "run_seconds",
                   "scenario", "policy", "model"], f"experiments.csv header {head} (a parameter named 'value' "
                                                   "becomes design_value)")
    check(len(body) == P * R and all(int(r[0]) == i // R and int(r[4]) == i % R and r[1] == names[i // R]
                                     and num(r[2]) == design["fluency"][i // R] and num(r[3]) == design["value"][i // R]
                                     and num(r[5]) == cost[i // R] and num(r[6]) == done[i // R, i % R]
                                     and r[7 + 1] == r[4] and r[9] == r[1] and r[10] == "ipsim"
                                     for i, r in enumerate(body)),
          "experiments.csv: one row per point x replicate, parameters, cost, done, EMA scenario/policy/model")
    head, body = rows(os.path.join(d, "outcomes.csv"))
    check(head == sorted(out) and len(body) == P * R and
          all(same([num(r[k]) for r in body], out[o].ravel()) for k, o in enumerate(head)),
          "outcomes.csv: one column per outcome, the rows of experiments.csv, values exact")
    head, body = rows(os.path.join(d, "outcomes_long.csv"))
    check(head == ["point", "point_name", "fluency", "design_value", "replicate", "outcome", "value"],
          f"outcomes_long.csv header {head}")
    back = {k: np.full((P, R), -1.0) for k in out}
    for r in body:
        back[r[5]][int(r[0]), int(r[4])] = num(r[6])
    check(len(body) == P * R * len(out) and all(same(back[k], out[k]) for k in out),
          "outcomes_long.csv equals /outcomes (one row per point x replicate x outcome)")
    if pd is not None:
        bm = pd.read_csv(os.path.join(d, "outcomes_by_market.csv"), float_precision="round_trip")
        ok = len(bm) == P * R * len(markets) * len(bym) and all(
            same(bm[bm.outcome == k].value.to_numpy().reshape(P, R, len(markets)), v) for k, v in bym.items())
        check(ok and list(bm[bm.outcome == "arrivals"].market.iloc[:len(markets)]) == markets, "pandas: outcomes_by_market.csv equals /outcomes_by_market")
        bs = pd.read_csv(os.path.join(d, "outcomes_by_segment.csv"), float_precision="round_trip")
        ok = all(same(bs[bs.outcome == k].value.to_numpy().reshape(P, R, len(segments)), v) for k, v in bys.items())
        check(ok, "pandas: outcomes_by_segment.csv equals /outcomes_by_segment")
        dd = pd.read_csv(os.path.join(d, "daily.csv"), float_precision="round_trip")
        check(list(dd.columns) == ["point", "point_name", "replicate", "day", "market", "segment", "metric", "value"],
              f"daily.csv columns {list(dd.columns)}")
        ok = all(same(dd[dd.metric == k].value.to_numpy().reshape(v.shape), v) for k, v in dly.items())
        check(ok and len(dd) == sum(v.size for v in dly.values()), "pandas: the sweep's daily.csv equals /daily")
        an = pd.read_csv(os.path.join(d, "analysis_point.csv"), float_precision="round_trip")
        check(list(an.columns)[:5] == ["point", "point_name", "fluency", "design_value", "outcome"]
              and list(an.columns)[5:] == ["mean", "sd"], f"analysis_point.csv columns {list(an.columns)}")
        check(all(same(an[an.outcome == k]["mean"], v) for k, v in mean.items()), "pandas: analysis_point.csv mean = /analysis/mean")
        # the EMA Workbench pair, as its analysis functions take it
        ex = pd.read_csv(os.path.join(d, "experiments.csv"), float_precision="round_trip")
        oc = {k: v.to_numpy() for k, v in pd.read_csv(os.path.join(d, "outcomes.csv"), float_precision="round_trip").items()}
        check(len(ex) == len(oc["cec_arrivals"]) and same(oc["cec_arrivals"], out["cec_arrivals"].ravel())
              and set(["scenario", "policy", "model"]) <= set(ex.columns),
              "EMA Workbench: experiments DataFrame and outcomes dict of arrays, row for row")
    missing = readme_lists(d, [f_ for f_ in files if f_ != "README.txt"])
    check(not missing, f"README.txt names every file and column of the sweep export (missing: {missing[:5]})")

    # ------------------------------------------------------------ a compare
    cmp_ = T("cmp.h5")
    p = ipsim("compare", os.path.join(SC, "jiamusi_baseline.json"), os.path.join(SC, "campaign_dispersed.json"),
              os.path.join(SC, "campaign_shanghai_shenzhen.json"), "-o", cmp_, "--replicates", "2", "--scale", "40000",
              "--quiet", "--threads", "1")
    check(p.returncode == 0, f"compare (exit {p.returncode}) {p.stderr[-300:]}")
    d = T("cmp_csv")
    p = ipsim("export", cmp_, "-o", d)
    check(p.returncode == 0, f"export a compare (exit {p.returncode}) {p.stderr[-300:]}")
    with h5py.File(cmp_) as f:
        names = [text(n) for n in f["point_name"][...]]
        diff = {s: f[f"analysis/{s}/cec_arrivals"][...] for s in ("diff", "diff_ci_low", "diff_ci_high")}
        per = {k: f["analysis/per_10k_cny/" + k][...] for k in f["analysis/per_10k_cny"]}
        bym_diff = f["analysis/by_market/diff/arrivals"][...]
        markets = [text(m) for m in f["market"][...]]
    head, body = rows(os.path.join(d, "analysis_point.csv"))
    check(head == ["point", "point_name", "is_reference", "outcome", "mean", "sd", "diff", "diff_ci_low",
                   "diff_ci_high"], f"analysis_point.csv header {head}")
    got = {s: [num(r[head.index(s)]) for r in body if r[3] == "cec_arrivals"] for s in diff}
    check(all(same(got[s], diff[s]) for s in diff), "analysis_point.csv: paired differences of CEC arrivals exact")
    head, body = rows(os.path.join(d, "analysis_per_10k_cny.csv"))
    check(head[:3] == ["point", "point_name", "is_reference"] and
          head[3:6] == ["extra_arrivals", "extra_arrivals_ci_low", "extra_arrivals_ci_high"]
          and all(same([num(r[head.index(k)]) for r in body], v) for k, v in per.items()),
          f"analysis_per_10k_cny.csv: one row per arm, each statistic then its interval ({head[3:]})")
    head, body = rows(os.path.join(d, "analysis_point_market.csv"))
    got = np.array([[num(r[head.index("diff")]) for r in body if r[0] == str(i) and r[head.index("outcome")] == "arrivals"]
                    for i in range(len(names))])
    check(same(got, bym_diff), "analysis_point_market.csv: paired differences by market exact")
    json_ok = json.load(open(os.path.join(d, "experiment.json")))["design"]["type"] == "arms"
    check(json_ok, "experiment.json is the experiment")

    # --------------------------------------------------------- list, --table
    p = ipsim("export", cmp_, "--list")
    check(p.returncode == 0 and "analysis_point" in p.stdout and "outcomes_long" in p.stdout and "rows" in p.stdout,
          "--list prints the tables with their rows")
    one = T("one.csv")
    p = ipsim("export", cmp_, "-o", one, "--table", "outcomes_long")
    check(p.returncode == 0 and os.path.isfile(one) and rows(one)[0][-2:] == ["outcome", "value"],
          f"-o FILE.csv --table outcomes_long writes one CSV (exit {p.returncode}) {p.stderr[-200:]}")
    check(not glob.glob(one + ".tmp-*"), "no temporary file left")
    p = ipsim("export", cmp_, "-o", one, "--table", "outcomes")
    check(p.returncode == 73 and "already exists" in p.stderr and rows(one)[0][-1] == "value",
          "an existing FILE.csv is refused without --force (73) and left alone")
    p = ipsim("export", cmp_, "-o", one, "--table", "outcomes.csv", "--force")
    check(p.returncode == 0 and rows(one)[0][0] == "arrivals", "--force replaces FILE.csv (a table named with .csv)")
    target, link = T("target.txt"), T("link.csv")
    open(target, "w").write("keep me\n")
    os.symlink(target, link)
    p = ipsim("export", cmp_, "-o", link, "--table", "outcomes", "--force")
    check(p.returncode == 0 and not os.path.islink(link) and open(target).read() == "keep me\n",
          "a link named FILE.csv is replaced by the file, its target untouched")
    p = ipsim("export", cmp_, "-o", T("x.csv"))
    check(p.returncode == 64 and "--table" in p.stderr and "outcomes_long" in p.stderr and not os.path.exists(T("x.csv")),
          f"a .csv output without --table is a usage error naming the tables (exit {p.returncode})")
    p = ipsim("export", cmp_, "-o", T("x.csv"), "--table", "outcomes,metadata")
    check(p.returncode == 64 and not os.path.exists(T("x.csv")), "a .csv output with two tables is refused (64)")
    p = ipsim("export", cmp_, "-o", T("sub"), "--table", "nosuch")
    check(p.returncode == 64 and "no table 'nosuch'" in p.stderr and not os.path.exists(T("sub")),
          "an unknown table is refused (64), naming it")
    p = ipsim("export", cmp_, "-o", T("sub"), "--table", "outcomes,analysis_point")
    got = sorted(os.listdir(T("sub"))) if os.path.isdir(T("sub")) else []
    check(p.returncode == 0 and got == ["README.txt", "analysis_point.csv", "outcomes.csv"],
          f"--table into a directory writes those tables and the README ({got})")
    r = open(T("sub", "README.txt")).read().split("READING")[0] if got else ""
    check("outcomes_long.csv" not in r and "analysis_point.csv" in r, "the README describes only the files written")

    # ------------------------------------------------------------ refusals
    d = T("cmp_csv")
    before = sorted(os.listdir(d))
    p = ipsim("export", cmp_, "-o", d)
    check(p.returncode == 73 and "not empty" in p.stderr and sorted(os.listdir(d)) == before,
          "a non-empty directory is refused without --force (73), untouched")
    stamp = os.path.getmtime(os.path.join(d, "outcomes.csv"))
    p = ipsim("export", run, "-o", d, "--force")
    got = sorted(os.listdir(d))
    check(p.returncode == 0 and "daily.csv" in got and "experiments.csv" not in got,
          "--force replaces a previous export (the old files are gone)")
    check(not glob.glob(d + ".tmp-*") and not glob.glob(d + ".old-*"), "no .tmp- or .old- directory left")
    open(os.path.join(d, "notes.docx"), "w").write("mine")
    p = ipsim("export", cmp_, "-o", d, "--force")
    check(p.returncode == 73 and "notes.docx" in p.stderr and os.path.exists(os.path.join(d, "notes.docx"))
          and "daily.csv" in os.listdir(d), "--force refuses a directory holding other files (73), untouched")
    os.makedirs(T("real"))
    os.symlink(T("real"), T("dirlink"))
    p = ipsim("export", cmp_, "-o", T("dirlink"))
    check(p.returncode == 73 and "symbolic link" in p.stderr and os.listdir(T("real")) == [],
          "a symbolic link as DIR is refused (73); nothing written through it")
    p = ipsim("export", cmp_, "-o", T("nodir", "sub"))
    check(p.returncode == 73 and not os.path.exists(T("nodir")), "a missing parent directory is refused (73)")
    empty = T("empty")
    os.makedirs(empty)
    p = ipsim("export", cmp_, "-o", empty + "/")
    check(p.returncode == 0 and "outcomes.csv" in os.listdir(empty), "an empty directory is filled (trailing slash too)")
    p = ipsim("export", T("missing.h5"), "-o", T("m"))
    check(p.returncode == 66 and not os.path.exists(T("m")), "a missing input: 66")
    p = ipsim("export", os.path.join(SC, "jiamusi_baseline.json"), "-o", T("m"))
    check(p.returncode == 65 and "not an ipsim result file" in p.stderr and not os.path.exists(T("m")),
          "a file that is not an ipsim result: 65")
    p = ipsim("export", cmp_)
    check(p.returncode == 64 and "-o" in p.stderr, "export without -o: usage error")
    check(not glob.glob(T("*.tmp-*")), "no temporary files anywhere after the refusals")

    # ------------------------------------------- HDF5 commands refuse .csv
    for args in (["run", os.path.join(SC, "jiamusi_baseline.json"), "-o", T("r.csv")],
                 ["sweep", exp, "-o", T("s.CSV")],
                 ["sweep", exp, "-o", T("s.csv"), "--resume"],
                 ["compare", os.path.join(SC, "jiamusi_baseline.json"), os.path.join(SC, "campaign_dispersed.json"),
                  "-o", T("c.csv")]):
        p = ipsim(*args)
        out_name = args[args.index("-o") + 1]
        check(p.returncode == 64 and "ipsim export" in p.stderr and not os.path.exists(out_name),
              f"{args[0]} -o {os.path.basename(out_name)} is refused, pointing to 'ipsim export' (exit {p.returncode})")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
