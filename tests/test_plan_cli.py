#!/usr/bin/python3
"""The planner's command line and experiment engine: --set on every command
(several applied together, validated once), --set and --arm on sweep and
compare (the same sweep as an edited experiment, bit for bit), experiment
"variations" (the cross product, its layout, and each variation's analysis
equal to a separate sweep with its overrides), and the "response" design
(its analysis recomputed with numpy from /outcomes).

Run by ctest with IPSIM_BIN and IPSIM_SOURCE_DIR set; by hand:
    IPSIM_BIN=build/ipsim /usr/bin/python3 tests/test_plan_cli.py [NAME...]
Model outputs are never hard-coded: runs are compared with each other, and
the analysis with its own recomputation.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import run_tests  # noqa: E402
from sweep_common import BIN, SRC, check, ipsim  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

EX_USAGE, EX_DATAERR = 64, 65
SS = os.path.join(SRC, "scenarios", "campaign_shanghai_shenzhen.json")
BASELINE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
CAMPAIGN = "interventions[saturation_shanghai_shenzhen]"
_tmp = tempfile.mkdtemp(prefix="ipsim-plan-")


def tmp(name):
    return os.path.join(_tmp, name)


def write(name, obj):
    with open(tmp(name), "w") as fh:
        json.dump(obj, fh)
    return tmp(name)


def h5same(a, b):
    """scripts/h5same.py: every dataset and attribute bit for bit."""
    return subprocess.run([sys.executable, os.path.join(SRC, "scripts", "h5same.py"), a, b],
                          capture_output=True, text=True)


def arms_experiment(**extra):
    """Two arms on the Shanghai/Shenzhen campaign scenario: without and with
    the campaign (March-May); small and fast (3 replicates, 40000 people per
    agent, the first 160 days)."""
    exp = {"name": "plan_test", "description": "test: campaign off and on", "base": SS,
           "replicates": 3, "scale": 40000, "set": {"simulation.days": 160},
           "design": {"type": "arms", "reference": "off", "arms": [
               {"name": "off", "set": {CAMPAIGN + ".cost_cny": 0}},
               {"name": "on"}]}}
    exp.update(extra)
    return exp


def test_set_order_never_matters():
    # moving a campaign to autumn: the new start is after the old end, so
    # the start alone is invalid; with the end in the same command it is not
    start, end = CAMPAIGN + ".start=2025-09-01", CAMPAIGN + ".end=2025-11-30"
    p = ipsim("validate", SS, "--set", start)
    check(p.returncode == EX_DATAERR and "expected end on or after start" in p.stderr,
          "the start alone is after the old end", p)
    for args in (("--set", start, "--set", end), ("--set", end, "--set", start)):
        p = ipsim("validate", SS, *args)
        check(p.returncode == 0, "start and end together are valid in any order %s" % (args,), p)
    p = ipsim("resolve", SS, "--set", start, "--set", end)
    check(p.returncode == 0, "resolve", p)
    iv = [i for i in json.loads(p.stdout)["interventions"]
          if i["name"] == "saturation_shanghai_shenzhen"][0]
    check(iv["start"] == "2025-09-01" and iv["end"] == "2025-11-30", "both applied: %s" % iv)
    # together still validated: an end before the new start names both
    p = ipsim("validate", SS, "--set", start, "--set", CAMPAIGN + ".end=2025-08-31")
    check(p.returncode == EX_DATAERR and "--set " + start in p.stderr
          and "expected end on or after start" in p.stderr, "invalid together", p)
    # a run takes them together too
    p = ipsim("run", SS, "--set", start, "--set", end, "--days", "30", "--scale", "40000",
              "-o", tmp("autumn.h5"), "-q")
    check(p.returncode == 0, "run with start then end", p)


def test_sweep_set_equals_edited_experiment():
    exp = write("arms.json", arms_experiment())
    a = tmp("set_cli.h5")
    p = ipsim("sweep", exp, "-o", a, "-q", "--set", "destination.digital_fluency=0.45",
              "--set", "simulation.days=200")
    check(p.returncode == 0, "sweep --set", p)
    # --set replaces the experiment's simulation.days in place and adds the
    # fluency after it: the edited file has them in that order
    edited = write("arms_edited.json", arms_experiment(
        set={"simulation.days": 200, "destination.digital_fluency": 0.45}))
    b = tmp("set_file.h5")
    p = ipsim("sweep", edited, "-o", b, "-q")
    check(p.returncode == 0, "sweep of the edited experiment", p)
    r = h5same(a, b)
    check(r.returncode == 0, "--set sweep == edited experiment, bit for bit: " + r.stderr)
    with h5py.File(a, "r") as f:
        check(f.attrs["days"] == 200, "the base's days changed")
        check("0.45" in f["identity"][()].decode(), "the identity holds the override")
    plain = tmp("plain.h5")
    check(ipsim("sweep", exp, "-o", plain, "-q").returncode == 0, "plain sweep")
    check(h5same(a, plain).returncode != 0, "--set changed the sweep")
    # another --set is another sweep: --resume refuses to mix them
    p = ipsim("sweep", exp, "-o", a, "-q", "--resume", "--set", "destination.digital_fluency=0.5",
              "--set", "simulation.days=200")
    check(p.returncode != 0 and "0.45" in p.stderr and "0.5" in p.stderr,
          "--resume with another --set is refused, naming the difference", p)
    p = ipsim("sweep", exp, "-o", a, "-q", "--resume", "--set", "destination.digital_fluency=0.45",
              "--set", "simulation.days=200")
    check(p.returncode == 0 and "already complete" in p.stderr, "--resume with the same --set", p)


def test_compare_set_and_arm():
    a = tmp("cmp_set.h5")
    p = ipsim("compare", BASELINE, SS, "-o", a, "-q", "--replicates", "2", "--scale", "40000",
              "--set", "destination.digital_fluency=0.45", "--set", "simulation.days=160")
    check(p.returncode == 0, "compare --set", p)
    with h5py.File(a, "r") as f:
        exp = json.loads(f["experiment"][()])
        check(f.attrs["days"] == 160, "applied to every file")
    check(exp["set"] == {"destination.digital_fluency": 0.45, "simulation.days": 160},
          "recorded in /experiment: %s" % exp)
    p = ipsim("compare", BASELINE, SS, "-o", tmp("cmp_arm.h5"), "-q", "--replicates", "2",
              "--scale", "40000", "--set", "simulation.days=160",
              "--arm", "campaign_shanghai_shenzhen:%s.cost_cny=1e7" % CAMPAIGN)
    check(p.returncode == 0, "compare --arm", p)
    with h5py.File(tmp("cmp_arm.h5"), "r") as f:
        check(f["cost_cny"][1] - f["cost_cny"][0] == 1e7, "the arm's campaign costs 10 M")


def test_arm_override():
    exp = write("arms2.json", arms_experiment())
    a = tmp("arm_cli.h5")
    p = ipsim("sweep", exp, "-o", a, "-q", "--arm", "on:%s.cost_cny=5e6" % CAMPAIGN)
    check(p.returncode == 0, "sweep --arm", p)
    e = arms_experiment()
    e["design"]["arms"][1]["set"] = {CAMPAIGN + ".cost_cny": 5e6}
    b = tmp("arm_file.h5")
    check(ipsim("sweep", write("arms2_edited.json", e), "-o", b, "-q").returncode == 0, "edited")
    r = h5same(a, b)
    check(r.returncode == 0, "--arm sweep == edited experiment, bit for bit: " + r.stderr)
    p = ipsim("sweep", exp, "-o", tmp("x.h5"), "-q", "--arm", "of:%s.cost_cny=5e6" % CAMPAIGN)
    check(p.returncode == EX_USAGE and 'no arm "of"' in p.stderr and "off, on" in p.stderr,
          "an unknown arm is a usage error naming the arms", p)
    check(not os.path.exists(tmp("x.h5")), "no output after a usage error")
    p = ipsim("sweep", exp, "-o", tmp("x.h5"), "-q", "--arm", "on=1")
    check(p.returncode == EX_USAGE and "NAME:PATH=VALUE" in p.stderr, "malformed --arm", p)
    p = ipsim("sweep", exp, "-o", tmp("x.h5"), "-q", "--arm", "on:destination.digital_fluency=2")
    check(p.returncode == EX_DATAERR and "design.arms[1].set" in p.stderr
          and "destination.digital_fluency" in p.stderr, "an invalid --arm value", p)


VARIATIONS = [
    {"name": "as_is", "set": {}},
    {"name": "june", "description": "the campaign in the first week of June (after its old end)",
     "set": {CAMPAIGN + ".start": "2025-06-01", CAMPAIGN + ".end": "2025-06-08"}},
    {"name": "half", "set": {CAMPAIGN + ".cost_cny": 1e7}},
]


def test_variations_layout_and_analysis():
    exp = write("var.json", arms_experiment(variations=VARIATIONS))
    out = tmp("var.h5")
    p = ipsim("sweep", exp, "-o", out)
    check(p.returncode == 0, "sweep with variations", p)
    check("how the verdict holds across the variations" in p.stdout and "june" in p.stdout,
          "the report's variations table", p)
    with h5py.File(out, "r") as f:
        names = [s.decode() for s in f["variations/name"][...]]
        check(names == ["as_is", "june", "half"], "/variations/name %s" % names)
        check([s.decode() for s in f["variations/description"][...]][1].startswith("the campaign"),
              "/variations/description")
        check(json.loads(f["variations/set"][2]) == VARIATIONS[2]["set"], "/variations/set")
        check(list(f["point_variation"][...]) == [0, 0, 1, 1, 2, 2], "/point_variation")
        check(f["point_variation"].dtype == np.int32, "int32")
        pn = [s.decode() for s in f["point_name"][...]]
        check(pn[3] == "on@june", "point names %s" % pn)
        y = f["outcomes/cec_arrivals"][...]
        g = f["analysis/variations/cec_arrivals"]
        check(g["diff_mean"].shape == (3, 2), "[variation][arm]")
        check([s.decode() if isinstance(s, bytes) else s for s in g.attrs["arms"]] == ["off", "on"],
              "attribute arms")
        check(np.all(g["diff_mean"][:, 0] == 0) and np.all(g["diff_lo"][:, 0] == 0),
              "the reference's own row is 0")
        for v in range(3):
            d = y[2 * v + 1] - y[2 * v]
            check(np.isclose(g["diff_mean"][v, 1], d.mean()), "paired mean, variation %d" % v)
            half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
            check(np.isclose(g["diff_hi"][v, 1], d.mean() + half), "t interval, variation %d" % v)
            extra = f["cost_cny"][2 * v + 1] - f["cost_cny"][2 * v]
            lo, hi = g["diff_lo"][v, 1], g["diff_hi"][v, 1]
            cpe = g["cost_per_extra_mean"][v, 1]
            if lo > 0 or hi < 0:
                check(np.isclose(cpe, extra / d.mean()), "cost per extra")
            else:
                check(np.isnan(cpe), "NaN when the interval includes 0")
        # the per-point analysis is paired within each variation too
        check(np.isclose(f["analysis/diff/cec_arrivals"][5], (y[5] - y[4]).mean()),
              "/analysis/diff against the reference of the same variation")
    # shards of a sweep with variations merge into the same file
    for k in (1, 2):
        p = ipsim("sweep", exp, "-o", tmp("var.%d.h5" % k), "-q", "--shard", "%d/2" % k)
        check(p.returncode == 0, "shard %d/2" % k, p)
    p = ipsim("merge", tmp("var_merged.h5"), tmp("var.1.h5"), tmp("var.2.h5"), "-q")
    check(p.returncode == 0, "merge", p)
    r = h5same(tmp("var_merged.h5"), out)
    check(r.returncode == 0, "merged shards == the unsharded sweep: " + r.stderr)
    # each variation equals a separate sweep with its overrides applied
    for v, var in enumerate(VARIATIONS):
        sep = tmp("sep_%d.h5" % v)
        args = []
        for k, val in var["set"].items():
            args += ["--set", "%s=%s" % (k, json.dumps(val))]
        p = ipsim("sweep", write("plain.json", arms_experiment()), "-o", sep, "-q", *args)
        check(p.returncode == 0, "separate sweep %s" % var["name"], p)
        with h5py.File(out, "r") as f, h5py.File(sep, "r") as s:
            for m in ("arrivals", "cec_arrivals", "spending_cny"):
                check(np.array_equal(f["outcomes/" + m][2 * v:2 * v + 2], s["outcomes/" + m][...]),
                      "variation %s: /outcomes/%s bit for bit" % (var["name"], m))
                check(np.array_equal(f["analysis/variations/%s/diff_mean" % m][v],
                                     s["analysis/diff/" + m][...]),
                      "variation %s: analysis equals the separate sweep's" % var["name"])


def test_bad_variations():
    cases = [
        (arms_experiment(variations=[]), "variations: expected an array of 1 to 1000"),
        (arms_experiment(variations=[{"name": "a", "set": {}}, {"name": "a", "set": {}}]),
         'variations[1].name: "a" is already the name of variations[0]'),
        (arms_experiment(variations=[{"name": "a"}]), "variations[0].set: missing"),
        (arms_experiment(variations=[{"name": "a", "set": {}, "sett": 1}]),
         'variations[0].sett: unknown key (did you mean "set"?)'),
        (arms_experiment(variations=[{"name": "a", "set": {"destination.digital_fluency": 3}}]),
         'variations[0].set: "destination.digital_fluency" = 3 (point off@a)'),
        (arms_experiment(set={"destination.digital_fluenc": 0.4}), 'set: "destination.digital_fluenc"'),
        (arms_experiment(set=[1]), "set: expected an object of overrides"),
        ({"name": "x", "description": "d", "base": SS, "design": {"type": "response", "name": "b",
          "path": CAMPAIGN + ".cost_cny", "levels": [0, 2e7, 1e7]}},
         "design.levels[2]: expected a number greater than the level before it, found 10000000"),
        ({"name": "x", "description": "d", "base": SS, "design": {"type": "response", "name": "b",
          "path": CAMPAIGN + ".cost_cny", "levels": [0]}}, "design.levels: expected an array of 2"),
        ({"name": "x", "description": "d", "base": SS, "design": {"type": "response", "name": "b",
          "path": "interventions[nope].cost_cny", "levels": [0, 1]}}, "design.levels[0]"),
    ]
    for i, (exp, frag) in enumerate(cases):
        path = write("bad_%d.json" % i, exp)
        p = ipsim("sweep", path, "--dry-run")
        check(p.returncode == EX_DATAERR and frag in p.stderr and path + ": " in p.stderr,
              "case %d: exit 65 with %r" % (i, frag), p)


def test_large_design_checks_variations_together():
    # past the first 1000 points, overrides are checked per distinct value;
    # a variation's overrides only make sense together (its start after the
    # campaign's old end), so they are checked together
    C = CAMPAIGN
    exp = arms_experiment()
    exp["design"] = {"type": "grid", "parameters": [{"name": "f", "path": "destination.digital_fluency",
                                                     "values": [round(0.2 + 0.0005 * i, 4) for i in range(600)]}]}
    exp["variations"] = [{"name": "a", "set": {}},
                         {"name": "june", "set": {C + ".start": "2025-06-01", C + ".end": "2025-06-08"}}]
    p = ipsim("sweep", write("big.json", exp), "--dry-run")
    check(p.returncode == 0 and "1200 points" in p.stdout, "1200 points, valid together", p)
    exp["variations"][1]["set"][C + ".end"] = "2025-05-01"
    p = ipsim("sweep", write("bigbad.json", exp), "--dry-run")
    check(p.returncode == EX_DATAERR and "applied together" in p.stderr and '"2025-05-01"' in p.stderr,
          "invalid together: every override named, and the reason", p)


def test_response_analysis():
    levels = [0, 5e6, 2e7, 4e7]
    exp = write("resp.json", {
        "name": "resp", "description": "test: response of CEC arrivals to the budget",
        "replicates": 4, "scale": 40000, "set": {"simulation.days": 160},
        "design": {"type": "response", "name": "budget", "path": CAMPAIGN + ".cost_cny",
                   "levels": levels, "scenario": SS}})
    out = tmp("resp.h5")
    p = ipsim("sweep", exp, "-o", out)
    check(p.returncode == 0 and "response curve: budget" in p.stdout, "response sweep", p)
    with h5py.File(out, "r") as f:
        check(f.attrs["design"] == "response", "design attribute")
        cost = f["cost_cny"][...]
        for m in ("cec_arrivals", "arrivals", "spending_cny"):
            y = f["outcomes/" + m][...]
            g = f["analysis/response/" + m]
            R = y.shape[1]
            tq = stats.t.ppf(0.975, R - 1)
            check(list(g["level"][...]) == levels, "levels")
            spend = cost - cost[0]
            check(np.array_equal(g["spend_cny"][...], spend), "spend = cost over level 0")
            check(np.array_equal(spend, np.array(levels)), "spend is the level here")
            for i in range(len(levels)):
                d = y[i] - y[0]
                half = tq * d.std(ddof=1) / math.sqrt(R) if i else 0.0
                check(np.isclose(g["incremental_mean"][i], d.mean()), "%s incremental %d" % (m, i))
                check(np.isclose(g["incremental_lo"][i], d.mean() - half, atol=1e-9),
                      "%s incremental_lo %d" % (m, i))
                check(np.isclose(g["incremental_hi"][i], d.mean() + half, atol=1e-9),
                      "%s incremental_hi %d" % (m, i))
                if i == 0:
                    check(np.isnan(g["marginal_mean"][0]), "no marginal at the first level")
                    continue
                step = (spend[i] - spend[i - 1]) / 1e4
                dm = (y[i] - y[i - 1]) / step
                hm = tq * dm.std(ddof=1) / math.sqrt(R)
                check(np.isclose(g["marginal_mean"][i], dm.mean()), "%s marginal %d" % (m, i))
                check(np.isclose(g["marginal_hi"][i], dm.mean() + hm), "%s marginal_hi %d" % (m, i))
                lo, hi = d.mean() - half, d.mean() + half
                if lo > 0 or hi < 0:
                    check(np.isclose(g["cost_per_extra_mean"][i], spend[i] / d.mean()),
                          "%s cost per extra %d" % (m, i))
                    check(np.isclose(g["cost_per_extra_lo"][i], min(spend[i] / lo, spend[i] / hi)),
                          "%s cost per extra lo %d" % (m, i))
                else:
                    check(np.isnan(g["cost_per_extra_mean"][i]), "NaN cost per extra")


def test_report_numbers_readable():
    exp = write("arms3.json", arms_experiment())
    p = ipsim("sweep", exp, "-o", tmp("numbers.h5"))
    check(p.returncode == 0, "sweep", p)
    check(" M CNY" in p.stdout, "money in M CNY", p)
    import re
    body = p.stdout.split("\n\n", 1)[1]  # after the header (seed, scale)
    check(not re.search(r"(?<![\d.,])\d{4,}(?![\d.])", body),
          "no whole number of 4 digits or more without thousands separators", p)


TESTS = [test_set_order_never_matters, test_sweep_set_equals_edited_experiment,
         test_compare_set_and_arm, test_arm_override, test_variations_layout_and_analysis,
         test_bad_variations, test_large_design_checks_variations_together, test_response_analysis,
         test_report_numbers_readable]


def main(argv):
    return run_tests(TESTS, argv, BIN, scratch=_tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
