"""test_prim.py - scenario discovery with PRIM (scripts/prim.py).

  - a synthetic problem whose true box is known: 5 uniform parameters on
    [0, 1], cases where x0 > 0.6 and x2 < 0.3, 5% of the labels flipped;
    over 3 seeds the chosen box restricts x0 from 0.6 and x2 up to 0.3
    within 0.03 (the spacing of 1000 points is about 0.001 per parameter,
    and the flipped labels move a peel by a few rows), and leaves every
    other parameter at least 90% of its range; coverage and density are
    recounted here;
  - the peeling trajectory starts at the full box (coverage 100%, the base
    density) and its coverage never rises;
  - too few rows or too few cases: PrimError, not a box;
  - a small real sweep: two 40-point LHS sweeps with the same design and
    seed, the Shanghai/Shenzhen campaign and the dispersed one; the CLI
    (--versus-file, --json) counts its cases from the paired differences
    (recomputed here with h5py), its box's coverage and density are
    recounted from the design points; the same two plans as variations of
    one sweep (a FIXTURE made with h5py in the agreed layout) give the same
    box; --below on one file; a sweep with another seed is refused;
  - report.py --prim BOX.json shows the box.
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
SC = os.path.join(SRC, "scenarios")
sys.path.insert(0, os.path.join(SRC, "scripts"))
import prim  # noqa: E402

passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


def recount(X, y, box):
    inside = np.all((X >= np.array(box["lo"])) & (X <= np.array(box["hi"])), axis=1)
    return (y & inside).sum() / y.sum(), (y & inside).sum() / inside.sum()


# ---------------------------------------------------------------- synthetic
TOL = 0.03
for seed in range(3):
    rng = np.random.default_rng(seed)
    X = rng.random((1000, 5))
    y = ((X[:, 0] > 0.6) & (X[:, 2] < 0.3)) ^ (rng.random(1000) < 0.05)
    r = prim.prim(X, y, [f"x{i}" for i in range(5)])
    b = r["box"]
    lim = {q["parameter"]: q for q in b["restricted"]}
    x0, x2 = lim.get("x0"), lim.get("x2")
    ok = x0 is not None and x2 is not None and abs(x0["lo"] - 0.6) < TOL and abs(x2["hi"] - 0.3) < TOL \
        and x0["hi"] > 1 - TOL and x2["lo"] < TOL
    check(ok, f"seed {seed}: box x0 from {x0 and round(x0['lo'], 3)}, x2 up to {x2 and round(x2['hi'], 3)} "
          f"(true 0.6, 0.3; tolerance {TOL})")
    others = [q for q in b["restricted"] if q["parameter"] not in ("x0", "x2")]
    check(all(q["hi"] - q["lo"] >= 0.9 * (q["data_hi"] - q["data_lo"]) for q in others),
          f"seed {seed}: the other parameters keep at least 90% of their range {[q['parameter'] for q in others]}")
    cov, den = recount(X, y, b)
    check(abs(cov - b["coverage"]) < 1e-12 and abs(den - b["density"]) < 1e-12 and den > 0.85 and cov > 0.6,
          f"seed {seed}: coverage {cov:.3f}, density {den:.3f} (recounted; base density {y.mean():.3f})")
    t = r["trajectory"]
    check(t[0]["coverage"] == 1 and abs(t[0]["density"] - y.mean()) < 1e-12 and
          all(a["coverage"] >= c["coverage"] for a, c in zip(t, t[1:])) and t[-1]["support"] >= 0.05,
          f"seed {seed}: trajectory of {len(t)} boxes from the full box, coverage never rising, support >= 5%")

for X, y, what in ((np.random.default_rng(1).random((20, 2)), np.arange(20) % 2 == 0, "20 rows"),
                   (np.random.default_rng(1).random((100, 2)), np.arange(100) < 2, "2 cases")):
    try:
        prim.prim(X, y, ["a", "b"])
        check(False, f"{what}: PrimError expected")
    except prim.PrimError as e:
        check(True, f"{what}: refused ({e})")

# ---------------------------------------------------------------- a small real sweep
with tempfile.TemporaryDirectory() as tmp:
    def sweep(base, name, seed=20250501):
        exp = {"name": name, "description": "PRIM test", "base": os.path.join(SC, base), "replicates": 1,
               "scale": 40000, "seed": seed,
               "design": {"type": "lhs", "n": 40, "parameters": [
                   {"name": "fluency", "path": "destination.digital_fluency", "min": 0.1, "max": 0.9},
                   {"name": "asc", "path": "parameters.decision.asc_destination", "min": -1.6, "max": -0.4}]}}
        path, out = os.path.join(tmp, name + ".json"), os.path.join(tmp, name + ".h5")
        with open(path, "w") as fh:
            json.dump(exp, fh)
        p = subprocess.run([BIN, "sweep", path, "-o", out, "--quiet", "--threads", "1"], capture_output=True, text=True)
        check(p.returncode == 0, f"lhs sweep {name} (exit {p.returncode}) {p.stderr[-300:]}")
        return out

    conc = sweep("campaign_shanghai_shenzhen.json", "concentrated")
    disp = sweep("campaign_dispersed.json", "dispersed")
    other = sweep("campaign_dispersed.json", "dispersed_seed2", seed=7)
    with h5py.File(conc) as f, h5py.File(disp) as g:
        X = np.column_stack([f["design/fluency"][...], f["design/asc"][...]])
        d = (f["outcomes/cec_arrivals"][...] - g["outcomes/cec_arrivals"][...]).mean(axis=1)
    thr = float(np.median(d))  # half the points are cases: the test does not depend on the model's answer
    box_json = os.path.join(tmp, "box.json")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "prim.py"), conc, "--versus-file", disp,
                        "--threshold", repr(thr), "--json", box_json, "-o", os.path.join(tmp, "traj")],
                       capture_output=True, text=True)
    check(p.returncode == 0 and "chosen box after pasting" in p.stdout, f"prim.py --versus-file exit {p.returncode} "
          f"{p.stderr[-300:]}")
    res = json.load(open(box_json)) if os.path.exists(box_json) else {}
    case = d < thr
    check(res.get("n") == 40 and res.get("n_cases") == int(case.sum()),
          f"real sweep: {res.get('n_cases')} cases of {res.get('n')} design points (recounted: {case.sum()})")
    if res:
        order = [res["parameters"].index(n) for n in ("fluency", "asc")]
        cov, den = recount(X, case, {"lo": np.array(res["box"]["lo"])[order], "hi": np.array(res["box"]["hi"])[order]})
        check(abs(cov - res["box"]["coverage"]) < 1e-12 and abs(den - res["box"]["density"]) < 1e-12,
              f"real sweep: box coverage {cov:.1%}, density {den:.1%} recounted from the design points")
    check(os.path.getsize(os.path.join(tmp, "traj.png")) > 10000, "real sweep: trajectory figure written")
    # FIXTURE: the two plans as variations of one sweep (the agreed layout: point v * n + p, /variations,
    # /point_variation), made by h5py from the two real sweeps: the same problem, so the same box
    import shutil  # noqa: E402
    comb = os.path.join(tmp, "combined.h5")
    shutil.copy(conc, comb)
    with h5py.File(comb, "r+") as f, h5py.File(disp) as g:
        for grp in ("outcomes", "design"):
            for k in list(f[grp]):
                data = np.concatenate([f[f"{grp}/{k}"][...], g[f"{grp}/{k}"][...]])
                del f[f"{grp}/{k}"]
                f[f"{grp}/{k}"] = data
        names = [n.decode() for n in f["point_name"][...]]
        del f["point_name"]
        f.create_dataset("point_name", data=[f"concentrated.{n}" for n in names] + [f"dispersed.{n}" for n in names],
                         dtype=h5py.string_dtype())
        f.create_dataset("variations/name", data=["concentrated", "dispersed"], dtype=h5py.string_dtype())
        f.create_dataset("variations/set", data=["{}", "{}"], dtype=h5py.string_dtype())
        f["point_variation"] = np.repeat([0, 1], len(names)).astype(np.int32)
    box2 = os.path.join(tmp, "box2.json")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "prim.py"), comb, "--plan", "concentrated",
                        "--versus", "dispersed", "--threshold", repr(thr), "--json", box2], capture_output=True, text=True)
    res2 = json.load(open(box2)) if os.path.exists(box2) else {}
    check(p.returncode == 0 and res2.get("n_cases") == res.get("n_cases") and
          res2.get("box", {}).get("lo") == res.get("box", {}).get("lo") and
          res2.get("box", {}).get("hi") == res.get("box", {}).get("hi"),
          f"plans as variations of one sweep: the same cases and box as two files (exit {p.returncode}) "
          f"{p.stderr[-200:]}")
    with h5py.File(conc) as f:
        m = f["outcomes/cec_arrivals"][...].mean(axis=1)
    below = float(np.quantile(m, 0.4))
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "prim.py"), conc, "--below", repr(below)],
                       capture_output=True, text=True)
    check(p.returncode == 0 and f"{int((m < below).sum())} cases" in p.stdout,
          f"--below: {int((m < below).sum())} cases (exit {p.returncode}) {p.stderr[-200:]}")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "prim.py"), conc, "--versus-file", other],
                       capture_output=True, text=True)
    check(p.returncode != 0 and ("same design points" in p.stderr or "seeds" in p.stderr),
          f"another seed is refused: {p.stderr.strip()[-120:]}")
    # the report shows a box given with --prim
    cmp_ = os.path.join(tmp, "cmp.h5")
    p = subprocess.run([BIN, "compare", os.path.join(SC, "jiamusi_baseline.json"),
                        os.path.join(SC, "campaign_shanghai_shenzhen.json"), "-o", cmp_, "--replicates", "2",
                        "--scale", "40000", "--quiet", "--threads", "1"], capture_output=True, text=True)
    page = os.path.join(tmp, "r.html")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "report.py"), cmp_, "-o", page, "--prim", box_json],
                       capture_output=True, text=True, env=dict(os.environ, IPSIM_BIN=BIN))
    text = open(page, encoding="utf-8").read() if os.path.exists(page) else ""
    check(p.returncode == 0 and "scenario discovery</h2>" in text and f"{res.get('n_cases')} of 40" in text,
          f"report.py --prim shows the box (exit {p.returncode}) {p.stderr[-200:]}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
