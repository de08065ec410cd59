"""report_fixtures.py - sweep files for tests/test_report.py and tests/test_prim.py.

FIXTURES, marked as such: until `ipsim sweep` writes variations and response
curves itself (scenarios/experiments/README.md), these functions run a real
sweep with an arms design and then add, with h5py, exactly the datasets of
the agreed layout (/variations, /point_variation, /analysis/variations/...,
/analysis/response/..., /posterior_draws/...), computed in numpy from the
file's own replicates. Posterior draws are made up (a fixture of the layout,
not of a calibration): one parameter follows the paired difference so that
scenario discovery has something to find.
"""
import json
import os
import subprocess

import h5py
import numpy as np
from scipy import stats

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SC = os.path.join(SRC, "scenarios")
OUTS = ("arrivals", "cec_arrivals", "visitor_nights", "spending_cny")
SSZ = "interventions[saturation_shanghai_shenzhen]"
DIS = "interventions[dispersed_campaign]"

ARMS = [("baseline", "jiamusi_baseline.json"), ("dispersed", "campaign_dispersed.json"),
        ("shanghai_shenzhen", "campaign_shanghai_shenzhen.json")]
# variation name, description, overrides per arm (the union is what /variations/set records)
VARIATIONS = [
    ("main", "20 M CNY in spring, Shanghai and Shenzhen", {}),
    ("budget_10m", "10 M CNY instead of 20 M", {"dispersed": {DIS + ".cost_cny": 10e6},
                                                  "shanghai_shenzhen": {SSZ + ".cost_cny": 10e6}}),
    ("beijing_guangzhou", "Beijing and Guangzhou instead of Shanghai and Shenzhen",
     {"shanghai_shenzhen": {SSZ + ".targets": [{"market": "Beijing", "segment": "cec", "weight": 1},
                                               {"market": "Guangzhou", "segment": "cec", "weight": 1}]}}),
]


def run(binary, exp, out, tmp):
    path = os.path.join(tmp, os.path.basename(out) + ".json")
    with open(path, "w") as fh:
        json.dump(exp, fh)
    p = subprocess.run([binary, "sweep", path, "-o", out, "--quiet", "--threads", "1"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"ipsim sweep {path}: exit {p.returncode}: {p.stderr[-400:]}")
    return out


def paired_t(d):
    """mean, lo, hi of d over its last axis (95% t)."""
    n = d.shape[-1]
    m = d.mean(axis=-1)
    half = stats.t.ppf(0.975, n - 1) * d.std(axis=-1, ddof=1) / np.sqrt(n)
    return m, m - half, m + half


AUTUMN = ("autumn", "the same 20 M CNY in September-November",
          {a: {f"{k}.end": "2025-11-30", f"{k}.start": "2025-09-01"} for a, k in (("dispersed", DIS),
                                                                                ("shanghai_shenzhen", SSZ))})


def variations_file(binary, out, tmp, replicates=3, scale=20000, variations=None):
    """A sweep of 3 arms x the variations (default VARIATIONS; point v * 3 + p),
    with the variations layout added."""
    global VARIATIONS
    saved = VARIATIONS
    VARIATIONS = variations or VARIATIONS
    try:
        return _variations_file(binary, out, tmp, replicates, scale)
    finally:
        VARIATIONS = saved


def _variations_file(binary, out, tmp, replicates, scale):
    arms = []
    for vname, _, per_arm in VARIATIONS:
        for aname, scen in ARMS:
            arms.append({"name": f"{vname}.{aname}", "scenario": os.path.join(SC, scen), "set": per_arm.get(aname, {})})
    run(binary, {"name": "variations_fixture", "description": "Concentrate or spread, under variations?",
                 "base": os.path.join(SC, "jiamusi_baseline.json"), "replicates": replicates, "scale": scale,
                 "design": {"type": "arms", "reference": "main.baseline", "arms": arms}}, out, tmp)
    nv, na = len(VARIATIONS), len(ARMS)
    with h5py.File(out, "r+") as f:
        exp = json.loads(f["experiment"][()])
        exp["design"] = {"type": "arms", "reference": "baseline",
                         "arms": [{"name": a, "scenario": os.path.join(SC, s)} for a, s in ARMS]}
        exp["variations"] = [{"name": v, "description": d, "set": {k: x for o in per.values() for k, x in o.items()}}
                             for v, d, per in VARIATIONS]
        del f["experiment"]
        f["experiment"] = json.dumps(exp)
        st = h5py.string_dtype()
        f.create_dataset("variations/name", data=[v[0] for v in VARIATIONS], dtype=st)
        f.create_dataset("variations/description", data=[v[1] for v in VARIATIONS], dtype=st)
        f.create_dataset("variations/set", data=[json.dumps(e["set"]) for e in exp["variations"]], dtype=st)
        f.create_dataset("point_variation", data=np.repeat(np.arange(nv), na).astype(np.int32))
        cost = f["cost_cny"][...].reshape(nv, na)
        for o in OUTS:
            y = f["outcomes/" + o][...].reshape(nv, na, -1)
            m, lo, hi = paired_t(y - y[:, :1, :])
            g = f.create_group(f"analysis/variations/{o}")
            for k, v in (("diff_mean", m), ("diff_lo", lo), ("diff_hi", hi)):
                g[k] = np.where(np.arange(na) == 0, 0.0, v)
            extra = cost - cost[:, :1]
            with np.errstate(divide="ignore", invalid="ignore"):
                ok = (lo > 0) & (extra > 0)
                g["cost_per_extra_mean"] = np.where(ok, extra / m, np.nan)
                g["cost_per_extra_lo"] = np.where(ok, extra / hi, np.nan)
                g["cost_per_extra_hi"] = np.where(ok, extra / lo, np.nan)
            g.attrs["arms"] = [a for a, _ in ARMS]
            g.attrs["variations"] = [v[0] for v in VARIATIONS]
    return out


LEVELS = [0, 5e6, 10e6, 20e6, 40e6]


def response_file(binary, out, tmp, replicates=3, scale=20000):
    """A response curve of the Shanghai/Shenzhen campaign's spend (levels
    LEVELS), with /analysis/response added and the design attribute "response"."""
    arms = [{"name": f"spend_{int(v / 1e6)}m", "set": {SSZ + ".cost_cny": v}} for v in LEVELS]
    run(binary, {"name": "response_fixture", "description": "How does CEC arrivals respond to spend?",
                 "base": os.path.join(SC, "campaign_shanghai_shenzhen.json"), "replicates": replicates, "scale": scale,
                 "design": {"type": "arms", "reference": arms[0]["name"], "arms": arms}}, out, tmp)
    lv = np.array(LEVELS)
    with h5py.File(out, "r+") as f:
        f.attrs["design"] = "response"
        for o in OUTS:
            y = f["outcomes/" + o][...]
            g = f.create_group(f"analysis/response/{o}")
            g["level"] = lv
            for k, v in zip(("incremental_mean", "incremental_lo", "incremental_hi"), paired_t(y - y[:1])):
                g[k] = v
            step = np.diff(lv, prepend=np.nan)[:, None] / 1e4
            mg = paired_t((y - np.roll(y, 1, axis=0)) / step)
            for k, v in zip(("marginal_mean", "marginal_lo", "marginal_hi"), mg):
                g[k] = np.where(np.arange(len(lv)) == 0, np.nan, v)
            m, lo, hi = (np.asarray(g[k]) for k in ("incremental_mean", "incremental_lo", "incremental_hi"))
            with np.errstate(divide="ignore", invalid="ignore"):
                ok = (lo > 0) & (lv > 0)
                g["cost_per_extra_mean"] = np.where(ok, lv / m, np.nan)
                g["cost_per_extra_lo"] = np.where(ok, lv / hi, np.nan)
                g["cost_per_extra_hi"] = np.where(ok, lv / lo, np.nan)
    return out


def posterior_file(binary, out, tmp, replicates=40, scale=20000):
    """A comparison of the two campaigns and the baseline with made-up
    posterior draws: "authenticity_weight" follows the paired difference
    shanghai_shenzhen - dispersed in CEC arrivals (plus noise), "noise" does not."""
    run(binary, {"name": "posterior_fixture", "description": "Concentrate or spread, with parameter uncertainty?",
                 "base": os.path.join(SC, "jiamusi_baseline.json"), "replicates": replicates, "scale": scale,
                 "design": {"type": "arms", "reference": "baseline",
                            "arms": [{"name": a, "scenario": os.path.join(SC, s)} for a, s in ARMS]}}, out, tmp)
    with h5py.File(out, "r+") as f:
        y = f["outcomes/cec_arrivals"][...]
        d = y[2] - y[1]
        rng = np.random.default_rng(7)
        rank = (np.argsort(np.argsort(d)) + 0.5) / len(d)
        vals = np.column_stack([rank + rng.normal(0, 0.05, len(d)), rng.random(len(d))])
        st = h5py.string_dtype()
        f.create_dataset("posterior_draws/parameter", data=["authenticity_weight", "noise"], dtype=st)
        f["posterior_draws/values"] = vals
        f.create_dataset("posterior_draws/source", data="fixture.h5 (made-up draws: a test fixture)", dtype=st)
    return out
