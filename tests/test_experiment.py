#!/usr/bin/python3
"""End-to-end tests of experiments: ipsim sweep, compare and merge.

Run by ctest with IPSIM_BIN and IPSIM_SOURCE_DIR set; by hand:
    IPSIM_BIN=build/ipsim /usr/bin/python3 tests/test_experiment.py [NAME...]
Model outputs are never hard-coded: runs are compared with each other.
"""
import glob
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import run_tests  # noqa: E402
from sweep_common import (BIN, EXPERIMENTS, SRC, SSD, assert_same, check,  # noqa: E402
                          grid_experiment, ipsim)

import h5py  # noqa: E402
import numpy as np  # noqa: E402

EX_DATAERR, EX_CANTCREAT, EX_TEMPFAIL = 65, 73, 75
_tmp = tempfile.mkdtemp(prefix="ipsim-exp-")


def tmp(name):
    return os.path.join(_tmp, name)


def test_shipped_experiments_validate():
    files = sorted(glob.glob(os.path.join(EXPERIMENTS, "*.json")))
    names = {os.path.basename(f) for f in files}
    for want in ("shanghai_shenzhen_vs_dispersed.json", "mechanisms_factorial.json",
                 "sensitivity_sobol.json"):
        check(want in names, "scenarios/experiments/%s missing" % want)
    for f in files:
        with open(f) as fh:
            doc = json.load(fh)
        check(len(doc.get("description", "")) > 40 or f.endswith("schema.json"), "%s: no description" % f)
        if f.endswith("schema.json"):
            continue
        if "budget_cny" in doc:  # an allocation problem (ipsim optimize, OPTIMIZE.md)
            p = ipsim("optimize", f, "--dry-run")
            check(p.returncode == 0, "%s does not validate as an allocation problem" % f, p)
            continue
        p = ipsim("sweep", f, "--dry-run")
        check(p.returncode == 0 and ": OK (" in p.stdout, "%s does not validate" % f, p)
    p = ipsim("sweep", os.path.join(EXPERIMENTS, "mechanisms_factorial.json"), "--dry-run")
    check("64 points" in p.stdout, "factorial over A-F has 64 points", p)
    p = ipsim("sweep", os.path.join(EXPERIMENTS, "sensitivity_sobol.json"), "--dry-run")
    check("512 points" in p.stdout, "sobol N(k+2) = 64 x 8 points", p)


BAD = [
    ({"name": "x", "description": "d", "base": "B", "desing": {}}, 'desing: unknown key (did you mean "design"?)'),
    ({"name": "x", "description": "d", "base": "B", "replicates": 0,
      "design": {"type": "arms", "arms": [{"name": "a"}, {"name": "b"}]}},
     "replicates: expected a whole number from 1 to 100000, found 0"),
    ({"name": "x", "description": "d", "base": "B", "design": {"type": "arm"}},
     "design.type: expected one of arms, factorial, grid, lhs, sobol, morris"),
    ({"name": "x", "description": "d", "base": "B",
      "design": {"type": "arms", "arms": [{"name": "a"}, {"name": "b", "set": {"destination.digital_fluency": 2}}]}},
     'design.arms[1].set: "destination.digital_fluency" = 2'),
    ({"name": "x", "description": "d", "base": "B",
      "design": {"type": "arms", "arms": [{"name": "a"}, {"name": "b", "set": {"destination.digital_fluenc": 0.5}}]}},
     'did you mean "digital_fluency"'),
    ({"name": "x", "description": "d", "base": "B",
      "design": {"type": "factorial", "factors": [{"name": "f", "on": {"markets[Shanghai].cec_share": "high"}}]}},
     'design.factors[0].on: "markets[Shanghai].cec_share"'),
    ({"name": "x", "description": "d", "base": "B",
      "design": {"type": "lhs", "n": 4, "parameters": [{"name": "p", "path": "platform.home_share", "min": 0.5, "max": 0.2}]}},
     "design.parameters[0].max: expected a number greater than min, found 0.2"),
    ({"name": "x", "description": "d", "base": "B",
      "design": {"type": "morris", "trajectories": 2, "levels": 3,
                 "parameters": [{"name": "p", "path": "platform.home_share", "min": 0.2, "max": 0.5}]}},
     "design.levels: expected an even number of levels, found 3"),
    ({"name": "x", "description": "d", "base": "B",
      "design": {"type": "arms", "reference": "c", "arms": [{"name": "a"}, {"name": "b"}]}},
     "design.reference: expected the name of one of design.arms"),
]


def test_bad_experiments_exit_65_with_path():
    base = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
    for i, (exp, message) in enumerate(BAD):
        if exp.get("base") == "B":
            exp["base"] = base
        path = tmp("bad%d.json" % i)
        with open(path, "w") as f:
            json.dump(exp, f)
        p = ipsim("sweep", path, "-o", tmp("bad%d.h5" % i))
        check(p.returncode == EX_DATAERR, "bad experiment %d: exit 65" % i, p)
        check(path + ": " in p.stderr and message in p.stderr,
              "bad experiment %d: message names the file and %r" % (i, message), p)
        check(not os.path.exists(tmp("bad%d.h5" % i)), "nothing written")
    with open(tmp("syntax.json"), "w") as f:
        f.write('{"name": "x",, }')
    p = ipsim("sweep", tmp("syntax.json"), "-o", tmp("syntax.h5"))
    check(p.returncode == EX_DATAERR and "line 1, column" in p.stderr, "syntax error located", p)


def test_arms_sweep_file_layout_and_info():
    out = tmp("arms.h5")
    p = ipsim("sweep", SSD, "-o", out, "--replicates", "2", "--scale", "20000")
    check(p.returncode == 0, "arms sweep runs", p)
    check("paired differences against the reference arm" in p.stdout, "analysis printed", p)
    check("6 done, 0 failed, 0 left" in p.stderr, "summary line", p)
    check(not os.path.exists(out + ".journal"), "journal removed when complete")
    with h5py.File(out, "r") as f:
        a = f.attrs
        check(a["ipsim_kind"] == "sweep" and a["design"] == "arms", "kind and design attributes")
        check(int(a["replicates"]) == 2 and int(a["points"]) == 3, "replicates and points attrs")
        for k in ("seed", "ipsim_version", "git_commit", "scale", "fingerprint"):
            check(k in a, "attribute %s" % k)
        exp = json.loads(f["experiment"][()].decode() if isinstance(f["experiment"][()], bytes)
                         else f["experiment"][()])
        check(exp["name"] == "shanghai_shenzhen_vs_dispersed", "/experiment is the JSON")
        names = [x.decode() for x in f["point_name"][...]]
        check(names == ["baseline", "dispersed", "shanghai_shenzhen"], "point names %s" % names)
        nm = f["market"].shape[0]
        for m in ("arrivals", "cec_arrivals", "visitor_nights", "spending_cny",
                  "positive_post_share", "repeat_visit_share", "peak_crowding"):
            check(f["outcomes/" + m].shape == (3, 2), "/outcomes/%s [point][replicate]" % m)
        check(f["outcomes_by_market/arrivals"].shape == (3, 2, nm), "by market")
        arr = f["outcomes/arrivals"][...]
        check(np.allclose(f["outcomes_by_market/arrivals"][...].sum(axis=2), arr),
              "markets add up to the total")
        check(np.allclose(f["outcomes_by_segment/arrivals"][...].sum(axis=2), arr),
              "segments add up to the total")
        check(np.allclose(f["outcomes_by_segment/arrivals"][..., 0], f["outcomes/cec_arrivals"][...]),
              "CEC segment = cec_arrivals")
        cost = f["cost_cny"][...]
        check(cost[1] > cost[0] and cost[2] > cost[0], "campaign arms cost more")
        d = f["analysis/diff/arrivals"][...]
        check(d[0] == 0.0, "reference differs from itself by 0")
        mean = f["analysis/mean/arrivals"][...]
        check(np.allclose(mean, arr.mean(axis=1)), "analysis mean = mean of /outcomes")
        check(np.isclose(d[2], (arr[2] - arr[0]).mean()), "paired diff")
        check("analysis/per_10k_cny/extra_arrivals" in f, "return per 10,000 CNY")
        check(f["outcomes/arrivals"].dims[0].label == "point", "dimension scales attached")
    p = ipsim("info", out)
    check(p.returncode == 0 and "ipsim sweep file" in p.stdout and "arms" in p.stdout,
          "ipsim info describes a sweep file", p)
    p = ipsim("sweep", SSD, "-o", out, "--replicates", "2", "--scale", "20000")
    check(p.returncode == EX_CANTCREAT, "existing output refused without --force", p)


def test_compare_command():
    out = tmp("cmp.h5")
    base = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
    arm = os.path.join(SRC, "scenarios", "campaign_dispersed.json")
    p = ipsim("compare", base, arm, "-o", out, "--replicates", "2", "--scale", "40000", "-q")
    check(p.returncode == 0, "compare runs", p)
    with h5py.File(out, "r") as f:
        names = [x.decode() for x in f["point_name"][...]]
        check(names == ["jiamusi_baseline", "campaign_dispersed"], "arms named after scenarios")
        check(f["analysis"].attrs["reference"] == "jiamusi_baseline", "first file is the reference")
    # same numbers as the arms experiment on the same scenarios (common random numbers)
    ssd = tmp("arms_for_compare.h5")
    p = ipsim("sweep", SSD, "-o", ssd, "--replicates", "2", "--scale", "40000", "-q")
    with h5py.File(out, "r") as a, h5py.File(ssd, "r") as b:
        check(np.array_equal(a["outcomes/arrivals"][...], b["outcomes/arrivals"][0:2]),
              "compare = arms experiment on the same scenarios")


def test_shards_merged_equal_unsharded():
    exp = grid_experiment(tmp("grid.json"), points=3, replicates=3)
    full = tmp("full.h5")
    p = ipsim("sweep", exp, "-o", full, "-q")
    check(p.returncode == 0, "unsharded sweep", p)
    shards = []
    for k in (1, 2):
        s = tmp("shard%d.h5" % k)
        p = ipsim("sweep", exp, "-o", s, "--shard", "%d/2" % k, "-q")
        check(p.returncode == 0, "shard %d/2" % k, p)
        with h5py.File(s, "r") as f:
            check(f.attrs["shard"] == "%d/2" % k and "analysis" not in f, "shard file")
            done = f["units/done"][...].ravel()
            check(list(np.nonzero(done)[0]) == list(range(k - 1, 9, 2)), "u %% N == K-1")
        shards.append(s)
    merged = tmp("merged.h5")
    p = ipsim("merge", merged, shards[0])
    check(p.returncode == EX_DATAERR and "units" in p.stderr, "merge of one shard is incomplete", p)
    p = ipsim("merge", merged, *shards)
    check(p.returncode == 0, "merge", p)
    n = assert_same(full, merged)
    check(n > 20, "compared %d datasets" % n)
    other = grid_experiment(tmp("grid2.json"), points=3, replicates=2)
    p = ipsim("sweep", other, "-o", tmp("other.h5"), "--shard", "2/2", "-q")
    p = ipsim("merge", tmp("merged2.h5"), shards[0], tmp("other.h5"))
    check(p.returncode == EX_DATAERR and "different sweep" in p.stderr, "foreign shard refused", p)


def test_kill9_then_resume_equals_uninterrupted():
    exp = grid_experiment(tmp("killgrid.json"), points=5, replicates=4)
    ref = tmp("uninterrupted.h5")
    p = ipsim("sweep", exp, "-o", ref, "-q")
    check(p.returncode == 0, "uninterrupted sweep", p)
    out = tmp("killed.h5")
    journal = out + ".journal"
    proc = subprocess.Popen([BIN, "sweep", exp, "-o", out, "-q"], cwd=SRC,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    header = 32
    deadline = time.time() + 120
    size0 = None
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(journal):
            size = os.path.getsize(journal)
            if size0 is None and size > header:
                size0 = size  # one record: its size is the record size
            if size0 and size >= header + 2 * (size0 - header):
                break
        time.sleep(0.005)
    check(proc.poll() is None, "the sweep was still running when killed")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    check(not os.path.exists(out), "no output after kill -9")
    check(os.path.exists(journal), "journal kept")
    # a torn record at the end (as from a kill inside write) is dropped
    with open(journal, "ab") as f:
        f.write(b"\x43\x45\x52\x4a" + b"\x00" * 11)
    p = ipsim("sweep", exp, "-o", out, "-q")
    check(p.returncode == EX_CANTCREAT and "--resume" in p.stderr, "journal without --resume", p)
    p = ipsim("sweep", exp, "-o", out, "--resume")
    check(p.returncode == 0, "resume", p)
    check("resumed:" in p.stderr and " done, 0 failed, 0 left" in p.stderr,
          "resume reports done, failed, left", p)
    before = int(p.stderr.split("resumed: ")[1].split()[0])
    check(before >= 2, "at least two units kept from before the kill (%d)" % before)
    n = assert_same(ref, out)
    check(n > 20, "compared %d datasets" % n)
    check(not os.path.exists(journal), "journal removed")
    # a journal of another sweep, or of an older format, is refused
    with open(tmp("k3.h5.journal"), "wb") as f:
        f.write(b"IPSIMJ1\n" + b"\x01" * 24)
    p = ipsim("sweep", exp, "-o", tmp("k3.h5"), "--resume")
    check(p.returncode == EX_DATAERR and ("different sweep" in p.stderr or
                                          "older ipsim" in p.stderr), "foreign journal", p)


def test_sigint_keeps_units_and_exits_75():
    exp = grid_experiment(tmp("intgrid.json"), points=3, replicates=4)
    out = tmp("int.h5")
    proc = subprocess.Popen([BIN, "sweep", exp, "-o", out, "-q"], cwd=SRC,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(out + ".journal") and os.path.getsize(out + ".journal") > 32:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        return  # finished before the signal arrived
    check(proc.returncode == EX_TEMPFAIL and "--resume" in err, "SIGINT: exit 75, hint: %s" % err)
    p = ipsim("sweep", exp, "-o", out, "--resume", "-q")
    check(p.returncode == 0, "resume after SIGINT", p)


def test_shanghai_shenzhen_beats_dispersed():
    out = tmp("ssd.h5")
    p = ipsim("sweep", SSD, "-o", out, "--scale", "5000", "--replicates", "10", "-q")
    check(p.returncode == 0, "shipped arms experiment at test scale", p)
    with h5py.File(out, "r") as f:
        names = [x.decode() for x in f["point_name"][...]]
        cec = f["outcomes/cec_arrivals"][...]
    d = cec[names.index("shanghai_shenzhen")] - cec[names.index("dispersed")]
    n = len(d)
    from statistics import mean, stdev
    t975 = {5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 11: 2.201}[n - 1]
    lo = mean(d) - t975 * stdev(d) / math.sqrt(n)
    print("     Shanghai/Shenzhen - dispersed CEC arrivals: %.0f, 95%% CI [%.0f, %.0f] (n=%d)"
          % (mean(d), lo, mean(d) + t975 * stdev(d) / math.sqrt(n), n))
    check(lo > 0, "Shanghai/Shenzhen beats dispersed in CEC arrivals with a positive paired CI "
          "(diffs %s)" % d)


def test_factorial_and_sampled_designs_run():
    base = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
    common = {"description": "test", "base": base, "replicates": 1, "scale": 80000,
              "outcomes": ["arrivals", "cec_arrivals"]}
    designs = {
        "fact": {"type": "factorial", "resolution": 3, "factors": [
            {"name": "fluency", "off": {"destination.digital_fluency": 0.3},
             "on": {"destination.digital_fluency": 0.8}},
            {"name": "service", "off": {"destination.service_quality": 0.4},
             "on": {"destination.service_quality": 0.8}},
            {"name": "views", "off": {"platform.views_per_post_day": 2},
             "on": {"platform.views_per_post_day": 5}}]},
        "lhs": {"type": "lhs", "n": 4, "parameters": [
            {"name": "fluency", "path": "destination.digital_fluency", "min": 0.3, "max": 0.8}]},
        "morris": {"type": "morris", "trajectories": 2, "levels": 4, "parameters": [
            {"name": "fluency", "path": "destination.digital_fluency", "min": 0.3, "max": 0.8},
            {"name": "views", "path": "platform.views_per_post_day", "min": 2, "max": 5}]},
        "sobol": {"type": "sobol", "n": 4, "parameters": [
            {"name": "fluency", "path": "destination.digital_fluency", "min": 0.3, "max": 0.8},
            {"name": "views", "path": "platform.views_per_post_day", "min": 2, "max": 5}]},
    }
    expect = {"fact": ("main_effect", 4), "lhs": ("mean", 4), "morris": ("mu_star", 6),
              "sobol": ("first_order", 16)}
    for name, design in designs.items():
        exp = dict(common, name=name, design=design)
        path = tmp(name + ".json")
        with open(path, "w") as f:
            json.dump(exp, f)
        out = tmp(name + ".h5")
        p = ipsim("sweep", path, "-o", out)
        check(p.returncode == 0, "%s sweep" % name, p)
        stat, points = expect[name]
        with h5py.File(out, "r") as f:
            check(f.attrs["points"] == points, "%s: %d points" % (name, points))
            check("analysis/%s/arrivals" % stat in f, "%s: /analysis/%s" % (name, stat))
            check("analysis/mean/visitor_nights" not in f, "outcomes list limits the analysis")
            if name == "fact":
                check(f.attrs["resolution"] == 3, "2^(3-1) fraction of resolution 3")
                x = np.array([f["design/" + k][...] for k in ("fluency", "service", "views")])
                check(sorted(map(tuple, x.T.tolist())) == sorted(set(map(tuple, x.T.tolist()))),
                      "distinct runs")
        check("ipsim sweep file" in p.stdout, "%s: report printed" % name, p)


TESTS = [test_shipped_experiments_validate, test_bad_experiments_exit_65_with_path,
         test_arms_sweep_file_layout_and_info, test_compare_command,
         test_shards_merged_equal_unsharded, test_kill9_then_resume_equals_uninterrupted,
         test_sigint_keeps_units_and_exits_75, test_shanghai_shenzhen_beats_dispersed,
         test_factorial_and_sampled_designs_run]


def main(argv):
    return run_tests(TESTS, argv, BIN, scratch=_tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
