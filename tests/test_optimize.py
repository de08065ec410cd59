#!/usr/bin/python3
"""End-to-end tests of `ipsim optimize` (sim/optimize/) on a small problem:
two decision variables (Shanghai and Harbin, core experiential consumers,
short video, spring 2025), a 2 M CNY budget in 500,000 CNY units, 2 search
and 2 fresh replicates at scale 40,000, at most 5 COBYLA evaluations; two
plans: the base scenario itself and the shipped Shanghai/Shenzhen campaign.

- the output opens in h5py with the documented layout (ipsim_kind
  "optimize", /allocation, /plans, /convergence) and `ipsim info` says what
  it is;
- the best allocation spends exactly the budget, within the bounds, in
  whole units, and so does every allocation the search evaluated;
- the best allocation is the best of those evaluated (its search objective
  is the largest of the convergence trace);
- common random numbers: the plan that is the base scenario itself has an
  increment of exactly 0 on every fresh replicate, and best - plan is the
  mean of the paired per-replicate differences;
- determinism: the same problem again (at 2 threads instead of 1) gives the
  same file, bit for bit in every dataset;
- the JSON Schema of problems is a valid 2020-12 schema, accepts the shipped
  problem and the fuzz seeds and rejects the bad inputs it can see;
  --dry-run checks the shipped problem.
Run by ctest (test_optimize) with IPSIM_BIN set; about 20 s of CPU.
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
SCEN = os.path.join(SRC, "scenarios")
XP = os.path.join(SCEN, "experiments")
BUDGET, UNIT, MAX = 2000000, 500000, 1500000

failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures += 1


def run(args):
    return subprocess.run([BIN] + args, capture_output=True, text=True)


def problem(tmp):
    doc = {
        "name": "small_test",
        "base": os.path.join(SCEN, "jiamusi_baseline.json"),
        "budget_cny": BUDGET,
        "campaign": {"from": "2025-03-01", "to": "2025-04-30"},
        "objective": {"name": "cec_arrivals", "from": "2025-03-01", "to": "2025-09-30"},
        "variables": {"markets": ["Shanghai", "Harbin"], "segments": ["cec"], "channels": ["short_video"],
                      "split": ["markets"], "min_unit_cny": UNIT,
                      "bounds": {"*": {"max_cny": MAX}, "Harbin": {"min_cny": 500000, "max_cny": MAX}}},
        "replicates": 2, "final_replicates": 2, "scale": 40000, "seed": 11,
        "plans": [{"name": "same_as_base", "scenario": os.path.join(SCEN, "jiamusi_baseline.json")},
                  {"name": "shanghai_shenzhen", "scenario": os.path.join(SCEN, "campaign_shanghai_shenzhen.json")}],
        "algorithm": {"method": "COBYLA", "max_evaluations": 5},
    }
    path = os.path.join(tmp, "small.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return path


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
        attrs = {k: f.attrs[k] for k in f.attrs if k != "wall_seconds"}
    return out, attrs


def test_small(tmp):
    prob = problem(tmp)
    out1, out2 = os.path.join(tmp, "a.h5"), os.path.join(tmp, "b.h5")
    p = run(["optimize", prob, "-o", out1, "--threads", "1"])
    check(p.returncode == 0, "ipsim optimize exits 0 (%s)" % p.stderr[-300:])
    if p.returncode != 0:
        return
    check("2,000,000" in p.stdout and "Best allocation - plan" in p.stdout,
          "the summary table has thousands separators and the paired differences")
    with h5py.File(out1, "r") as f:
        check(f.attrs["ipsim_kind"] == "optimize", "root attribute ipsim_kind = optimize")
        names = [n.decode() if isinstance(n, bytes) else n for n in f["allocation/variables"][()]]
        check(names == ["Shanghai", "Harbin"], "variables are the split markets: %s" % names)
        best = f["allocation/best"][()]
        lo, hi = f["allocation/lower_cny"][()], f["allocation/upper_cny"][()]
        check(list(lo) == [0, 500000] and list(hi) == [MAX, MAX], "bounds as given: %s %s" % (lo, hi))
        check(best.sum() == BUDGET, "the best allocation spends the budget exactly: %s" % best)
        check(np.all(best >= lo) and np.all(best <= hi), "the best allocation is within the bounds")
        check(np.all(best % UNIT == 0), "the best allocation is in whole units")
        trace = f["convergence/objective"][()]
        alloc = f["convergence/allocation"][()]
        check(1 <= len(trace) <= 5 and alloc.shape == (len(trace), 2), "convergence trace: %d evaluations" % len(trace))
        check(np.all(alloc.sum(axis=1) == BUDGET) and np.all(alloc >= lo) and np.all(alloc <= hi),
              "every evaluated allocation is feasible")
        search = f["allocation/best"].attrs["search_objective"]
        check(search == trace.max(), "the best allocation is the best evaluated (%g = max %g)" % (search, trace.max()))
        check(any(np.array_equal(a, best) for a, t in zip(alloc, trace) if t == trace.max()),
              "the best allocation is one of those with the largest objective")
        plans = [n.decode() if isinstance(n, bytes) else n for n in f["plans/name"][()]]
        check(plans == ["same_as_base", "shanghai_shenzhen"], "plans in order: %s" % plans)
        reps = f["plans/objective_replicates"][()]
        check(reps.shape == (2, 2) and np.all(reps[0] == 0.0),
              "common random numbers: the base scenario as a plan has increment 0 on every replicate: %s" % reps[0])
        check(f["plans/cost_cny"][0] == 0 and f["plans/cost_cny"][1] == 20000000, "plan costs over the base")
        bo = f["allocation/objective_replicates"][()]
        diff = f["plans/diff"][()]
        check(np.allclose(diff, [np.mean(bo - reps[0]), np.mean(bo - reps[1])]),
              "best - plan is the mean paired difference")
        check(f["plans/diff_ci_low"][1] <= diff[1] <= f["plans/diff_ci_high"][1], "the interval holds the mean")
        check(f["allocation/sensitivity"].shape == (2,) and f["allocation/sensitivity"].attrs["step_cny"] == UNIT,
              "sensitivity per variable, step = the unit")
        check("problem" in f and "small_test" in f["problem"][()].decode(), "/problem holds the problem file")
    p = run(["info", out1])
    check(p.returncode == 0 and "optimize" in p.stdout and "Shanghai" in p.stdout,
          "ipsim info recognises the allocation file")
    p = run(["optimize", prob, "-o", out2, "--threads", "2", "-q"])
    check(p.returncode == 0 and p.stdout == "", "a second run, quiet, at 2 threads")
    if p.returncode == 0:
        d1, a1 = datasets(out1)
        d2, a2 = datasets(out2)
        same = d1.keys() == d2.keys() and all(np.array_equal(d1[k], d2[k], equal_nan=d1[k].dtype.kind == "f")
                                              if hasattr(d1[k], "dtype") else d1[k] == d2[k] for k in d1)
        check(same and a1 == a2, "deterministic: same datasets and attributes at 1 and 2 threads")
    p = run(["optimize", prob, "-o", out1])
    check(p.returncode == 73, "an existing output is refused without --force")


def test_set(tmp):
    """--set overrides the base and every plan together (validated once) and
    is recorded; a bad override is refused naming it, exit 65."""
    prob = problem(tmp)
    out = os.path.join(tmp, "set.h5")
    sets = ["--set", "simulation.days=300", "--set", "markets[Shanghai].cec_share=0.5"]
    p = run(["optimize", prob, "-o", out, "--threads", "1", "-q"] + sets)
    check(p.returncode == 0, "optimize with two --set exits 0 (%s)" % p.stderr[-300:])
    if p.returncode == 0:
        with h5py.File(out, "r") as f:
            rec = f.attrs["set"]
            rec = rec.decode() if isinstance(rec, bytes) else rec
            check(rec == "simulation.days=300\nmarkets[Shanghai].cec_share=0.5",
                  "the overrides are recorded in the file: %r" % rec)
            ref = os.path.join(tmp, "a.h5")
            if os.path.exists(ref):
                with h5py.File(ref, "r") as g:
                    check(not np.array_equal(f["plans/objective_replicates"][()],
                                             g["plans/objective_replicates"][()]),
                          "the overrides change the plans' outcomes (they reach the plan scenarios)")
    p = run(["optimize", prob, "--dry-run", "--set", "markets[Nowhere].cec_share=0.5"])
    check(p.returncode == 65 and "markets[Nowhere]" in p.stderr, "a bad --set: exit 65 naming it (%s)" % p.stderr.strip())


def test_posterior(tmp):
    """--posterior: every replicate runs a posterior draw (weighted
    resampling keyed by the seed), shared by every allocation and plan; the
    file records the posterior and each replicate's particle. A posterior
    with one particle of all the weight equals --set of its values."""
    prob = problem(tmp)
    params = ["segments.mainstream.spend_per_night_cny", "segments.cec.beta_distance_per_km"]
    samples = np.array([[400.0, 0.002], [900.0, 0.006], [650.0, 0.004]])

    def post(path, weights):
        with h5py.File(path, "w") as f:
            f.attrs["ipsim_kind"] = "posterior"
            g = f.create_group("posterior")
            g["samples"] = samples
            g["parameter"] = np.array([x.encode() for x in params], dtype=h5py.string_dtype())
            g["weight"] = np.asarray(weights, float)
        return path

    spread = post(os.path.join(tmp, "spread.h5"), [0.3, 0.3, 0.4])
    out = os.path.join(tmp, "post.h5")
    p = run(["optimize", prob, "-o", out, "--threads", "1", "-q", "--posterior", spread])
    check(p.returncode == 0, "optimize --posterior exits 0 (%s)" % p.stderr[-300:])
    if p.returncode == 0:
        with h5py.File(out, "r") as f:
            pp = f["posterior_particle"][()]
            check(len(pp) == 4 and set(pp) <= {0, 1, 2} and f.attrs["posterior_draws"] == 4,
                  "one draw per replicate (2 search + 2 fresh), particles of the file: %s" % pp)
            check(len(f.attrs["posterior_fingerprint"]) == 16, "the posterior's fingerprint is recorded")
    # all the weight on particle 1: the same as --set of its values
    one = post(os.path.join(tmp, "one.h5"), [0.0, 1.0, 0.0])
    a, b = os.path.join(tmp, "one_post.h5"), os.path.join(tmp, "one_set.h5")
    p1 = run(["optimize", prob, "-o", a, "--threads", "1", "-q", "--posterior", one])
    p2 = run(["optimize", prob, "-o", b, "--threads", "1", "-q",
              "--set", "%s=900" % params[0], "--set", "%s=0.006" % params[1]])
    check(p1.returncode == 0 and p2.returncode == 0, "both runs exit 0 (%s%s)" % (p1.stderr[-200:], p2.stderr[-200:]))
    if p1.returncode == 0 and p2.returncode == 0:
        with h5py.File(a, "r") as f, h5py.File(b, "r") as g:
            same = all(np.array_equal(f[k][()], g[k][()]) for k in
                       ("allocation/best", "plans/objective_replicates", "convergence/objective"))
            check(same, "a one-particle posterior gives the runs of --set with its values (bitwise)")
    bad = post(os.path.join(tmp, "bad.h5"), [0.3, 0.3, 0.4])
    with h5py.File(bad, "a") as f:
        del f["posterior/parameter"]
        f["posterior/parameter"] = np.array([b"markets[Nowhere].population", params[1].encode()],
                                            dtype=h5py.string_dtype())
    p = run(["optimize", prob, "-o", os.path.join(tmp, "bad_out.h5"), "--posterior", bad])
    check(p.returncode == 65 and "markets[Nowhere]" in p.stderr and not os.path.exists(os.path.join(tmp, "bad_out.h5")),
          "a posterior parameter that does not apply: exit 65 naming it, no output (%s)" % p.stderr.strip()[-200:])


# bad inputs only the loader can see (they need the base scenario or arithmetic)
SCHEMA_CANNOT_SEE = {"opt_bounds_below_budget.json", "opt_unknown_market.json", "opt_unknown_channel.json",
                     "opt_window_outside.json", "opt_objective_window_outside.json",
                     "opt_unit_not_divisor.json", "opt_missing_plan.json"}


def test_schema():
    try:
        import jsonschema
    except ImportError:
        print("SKIP schema: python3-jsonschema not installed")
        return
    schema = json.load(open(os.path.join(XP, "optimize.schema.json"), encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    check(True, "optimize.schema.json is a valid 2020-12 schema")
    v = jsonschema.Draft202012Validator(schema)
    shipped = [os.path.join(XP, "allocate_spring_20m.json")]
    seeds = os.path.join(SRC, "tests", "fuzz", "seeds", "optimize")
    shipped += [os.path.join(seeds, n) for n in sorted(os.listdir(seeds))]
    for path in shipped:
        errs = [e.message for e in v.iter_errors(json.load(open(path, encoding="utf-8")))]
        check(not errs, "%s satisfies the schema %s" % (os.path.relpath(path, SRC), errs[:2]))
    bad = os.path.join(SRC, "tests", "bad_inputs")
    names = sorted(n for n in os.listdir(bad) if n.startswith("opt_") and n.endswith(".json"))
    check(len(names) >= 6, "bad allocation problems in tests/bad_inputs: %d" % len(names))
    for name in names:
        errs = list(v.iter_errors(json.load(open(os.path.join(bad, name), encoding="utf-8"))))
        if name in SCHEMA_CANNOT_SEE:
            check(not errs, "the schema accepts %s (only the loader can refuse it)" % name)
        else:
            check(bool(errs), "the schema rejects tests/bad_inputs/%s" % name)
    p = run(["optimize", os.path.join(XP, "allocate_spring_20m.json"), "--dry-run"])
    check(p.returncode == 0 and "14 variables" in p.stdout, "--dry-run of the shipped problem: %s" % p.stdout.strip())


def main():
    with tempfile.TemporaryDirectory(prefix="ipsim-opt-") as tmp:
        test_schema()
        test_small(tmp)
        test_set(tmp)
        test_posterior(tmp)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
