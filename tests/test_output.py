#!/usr/bin/python3
"""End-to-end test of the HDF5 result file contract (sim/io/run_write.c) and of
`ipsim info` (sim/io/info.c).

Runs `$IPSIM_BIN run scenarios/jiamusi_baseline.json -o TMP/out.h5 --scale
20000 --quiet` and checks with h5py every dataset, attribute and dimension
scale of the contract, the invariants between datasets, that h5dump and (if
installed) xarray/netCDF4 read the file, that two runs with the same seed
give identical datasets, that an existing file is not overwritten without
--force, and what `ipsim info` prints.

Environment (set by ctest): IPSIM_BIN (the ipsim program), IPSIM_SOURCE_DIR.
Prints one line per failed check and "N passed, M failed"; exits 1 on any
failure.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.getcwd())
BIN = os.environ.get("IPSIM_BIN") or os.path.join(
    os.environ.get("IPSIM_BUILD_DIR", os.path.join(SRC, "build")), "ipsim")
SCENARIO = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
SCALE = 20000

METRICS = ["aware", "considering", "booked", "arrivals", "repeat_arrivals",
           "visitors_on_site", "visitor_nights", "departures", "spending_cny",
           "posts_positive", "posts_negative", "posts_neutral",
           "satisfaction_mean", "paid_impressions", "ugc_impressions",
           "overnight_arrivals", "same_day_visits", "local_visits", "visits_all",
           "turned_away"]
FLOWS = ["arrivals", "repeat_arrivals", "visitor_nights", "departures",
         "spending_cny", "posts_positive", "posts_negative", "posts_neutral",
         "paid_impressions", "ugc_impressions", "overnight_arrivals",
         "same_day_visits", "local_visits", "visits_all", "turned_away"]
STOCKS = ["aware", "considering", "booked", "visitors_on_site"]
ASSET_METRICS = ["visitors", "crowding", "day_visitors", "occupancy_rate"]
DEST_METRICS = ["reputation", "amplification", "post_stock", "ugc_signal"]
ROOT_TEXT = ["ipsim_version", "git_commit", "scenario_name", "seed_string",
             "start_date", "Conventions", "title", "source", "history"]
ROOT_NUMBERS = ["seed", "replicate", "scale", "n_agents", "days",
                "wall_seconds", "agent_days_per_second"]

passed = 0
failed = 0


def check(cond, what):
    """Count one check; print it if it failed. Returns cond."""
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return bool(cond)


def text(v):
    """An attribute or string value as str (h5py may give bytes)."""
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def run(*args):
    return subprocess.run([BIN, *args], cwd=SRC, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=540)


def run_model(out, *extra):
    return run("run", SCENARIO, "-o", out, "--scale", str(SCALE), "--quiet", *extra)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def dims_ok(ds, names):
    """Every dimension of ds has the scale /<name> attached and labelled."""
    if len(ds.dims) != len(names):
        return False
    for i, name in enumerate(names):
        d = ds.dims[i]
        if d.label != name or len(d) < 1 or d[0].name.split("/")[-1] != name:
            return False
    return True


# ---- checks on one file -------------------------------------------------

def check_root(f, sc):
    for a in ROOT_TEXT + ROOT_NUMBERS:
        check(a in f.attrs, "root attribute %s present" % a)
    if not all(a in f.attrs for a in ROOT_TEXT + ROOT_NUMBERS):
        return
    check(text(f.attrs["scenario_name"]) == sc["name"], "scenario_name is the scenario's name")
    check(text(f.attrs["Conventions"]) == "CF-1.8", "Conventions = CF-1.8")
    check(text(f.attrs["title"]) == "ipsim run: " + sc["name"], "title")
    check(text(f.attrs["source"]).startswith("ipsim " + text(f.attrs["ipsim_version"])), "source")
    check(text(f.attrs["seed_string"]) == str(int(f.attrs["seed"])), "seed_string matches seed")
    check(f.attrs["seed"].dtype == np.uint64, "seed is uint64")
    check(f.attrs["n_agents"].dtype == np.uint64 and int(f.attrs["n_agents"]) > 0, "n_agents")
    check(float(f.attrs["scale"]) == SCALE, "scale = --scale")
    check(int(f.attrs["days"]) == int(sc["simulation"]["days"]), "days = scenario days")
    check(text(f.attrs["start_date"]) == sc["simulation"]["start_date"], "start_date")
    check(float(f.attrs["wall_seconds"]) >= 0, "wall_seconds >= 0")
    sim = sc.get("simulation", {})
    check(float(sim.get("scale", -1)) == float(f.attrs["scale"])
          and int(sim.get("days", -1)) == int(f.attrs["days"])
          and str(sim.get("seed", "")) == text(f.attrs["seed_string"]),
          "/scenario holds the run's seed, scale and days (found %s)" % sim)


def check_scales(f, sc, days):
    for name in ["day", "market", "segment", "asset"]:
        ok = check(name in f, "/%s present" % name)
        if ok:
            check(text(f[name].attrs.get("CLASS", b"")) == "DIMENSION_SCALE",
                  "/%s is a dimension scale" % name)
    if "day" in f:
        day = f["day"]
        check(np.array_equal(day[...], np.arange(days)), "/day = 0..days-1")
        check(text(day.attrs.get("units", "")) == "days since " + sc["simulation"]["start_date"],
              "/day units")
        check(text(day.attrs.get("calendar", "")) == "proleptic_gregorian", "/day calendar")
        check(text(day.attrs.get("long_name", "")) == "simulation day", "/day long_name")
    if "market" in f:
        names = [text(x) for x in f["market"][...]]
        check(names == [m["name"] for m in sc["markets"]], "/market = scenario market names")
    if "segment" in f:
        check([text(x) for x in f["segment"][...]] == ["cec", "mainstream"], "/segment")
    if "asset" in f:
        names = [text(x) for x in f["asset"][...]]
        check(names == [a["name"] for a in sc["destination"]["assets"]],
              "/asset = scenario asset names")


def check_variable(f, path, shape, dims):
    if not check(path in f, "%s present" % path):
        return None
    ds = f[path]
    check(ds.shape == shape, "%s shape %s (found %s)" % (path, shape, ds.shape))
    check(ds.dtype == np.float64, "%s is float64" % path)
    check("units" in ds.attrs and "long_name" in ds.attrs, "%s has units and long_name" % path)
    check(dims_ok(ds, dims), "%s has scales %s attached and labelled" % (path, dims))
    return ds[...]


def check_daily(f, days, nm):
    daily = {}
    for m in METRICS:
        v = check_variable(f, "daily/" + m, (days, nm, 2), ["day", "market", "segment"])
        if v is not None:
            daily[m] = v
            check(f["daily/" + m].compression == "gzip", "daily/%s is deflated" % m)
    sat = f.get("daily/satisfaction_mean")
    if sat is not None:
        fill = sat.attrs.get("_FillValue")
        check(fill is not None and np.isnan(fill), "satisfaction_mean _FillValue NaN")
    if "spending_cny" in daily:
        check(text(f["daily/spending_cny"].attrs["units"]) == "CNY", "spending_cny units CNY")
    for m, v in daily.items():
        if m == "satisfaction_mean":
            continue
        check(np.all(np.isfinite(v)), "daily/%s finite" % m)
        check(np.all(v >= 0), "daily/%s >= 0" % m)
    if "visitor_nights" in daily and "visitors_on_site" in daily:
        check(np.array_equal(daily["visitor_nights"], daily["visitors_on_site"]),
              "visitor_nights == visitors_on_site")
    if "satisfaction_mean" in daily and "departures" in daily:
        s, d = daily["satisfaction_mean"], daily["departures"]
        check(np.all(np.isfinite(s[d > 0])), "satisfaction_mean finite where departures > 0")
        check(np.all(np.isnan(s[d == 0])), "satisfaction_mean NaN where no departures")
    check(np.sum(daily.get("arrivals", 0)) > 0, "some arrivals")
    return daily


def check_summary(f, daily, nm):
    for m in METRICS:
        v = check_variable(f, "summary/" + m, (nm, 2), ["market", "segment"])
        if v is None or m not in daily:
            continue
        d = daily[m]
        if m in FLOWS:
            check(np.allclose(v, d.sum(axis=0), rtol=1e-9, atol=1e-6),
                  "summary/%s == sum of daily" % m)
        elif m in STOCKS:
            check(np.array_equal(v, d[-1]), "summary/%s == last day" % m)
        elif "departures" in daily:
            w = daily["departures"]
            ok = np.isfinite(d) & (w > 0)
            num = np.where(ok, d * w, 0).sum(axis=0)
            den = np.where(ok, w, 0).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                want = np.where(den > 0, num / den, np.nan)
            check(np.allclose(v, want, equal_nan=True), "summary/satisfaction_mean weighted mean")


def check_assets_destination(f, days, na):
    for m in ASSET_METRICS:
        v = check_variable(f, "asset_daily/" + m, (days, na), ["day", "asset"])
        if v is not None:
            check(np.all(np.isfinite(v)) and np.all(v >= 0), "asset_daily/%s finite, >= 0" % m)
    for m in DEST_METRICS:
        v = check_variable(f, "destination_daily/" + m, (days,), ["day"])
        if v is not None:
            # ugc_signal has no value while there are no live posts
            ok = ~np.isinf(v) if m == "ugc_signal" else np.isfinite(v)
            check(np.all(ok), "destination_daily/%s finite" % m)


def check_interventions(f, sc):
    names = [iv["name"] for iv in sc.get("interventions", [])]
    for col in ["intervention", "name", "mechanism", "start", "end", "cost_cny"]:
        path = "interventions/" + col
        if check(path in f, "%s present" % path):
            check(f[path].shape == (len(names),), "%s has one entry per intervention" % path)
            if col != "intervention":
                check(dims_ok(f[path], ["intervention"]), "%s on the intervention scale" % path)
    if "interventions/name" in f:
        check([text(x) for x in f["interventions/name"][...]] == names,
              "interventions/name = scenario interventions")
    if "interventions/start" in f and names:
        s = text(f["interventions/start"][0])
        check(len(s) == 10 and s[4] == "-" and s[7] == "-", "interventions/start is ISO 8601")
    if "interventions/cost_cny" in f:
        check(np.all(f["interventions/cost_cny"][...] >= 0), "interventions cost >= 0")


def check_cells(f, nm):
    if not check("cells/agents" in f and "cells/people" in f, "/cells/agents and /cells/people"):
        return
    agents = f["cells/agents"][...]
    check(agents.shape == (nm, 2), "cells/agents shape")
    check(dims_ok(f["cells/agents"], ["market", "segment"]), "cells/agents scales")
    check(int(agents.sum()) == int(f.attrs.get("n_agents", -1)), "cells/agents sums to n_agents")
    check(np.allclose(f["cells/people"][...], agents * float(f.attrs.get("scale", 0))),
          "cells/people = agents x scale")


def check_file(path):
    """All h5py checks of one result file; returns the daily arrays."""
    with h5py.File(path, "r") as f:
        ok = check("scenario" in f and f["scenario"].shape == (), "/scenario scalar present")
        try:
            sc = json.loads(text(f["scenario"][()])) if ok else None
        except ValueError:
            sc = None
        if not check(isinstance(sc, dict), "/scenario parses as a JSON object"):
            with open(SCENARIO) as fh:
                sc = json.load(fh)
        days = int(f.attrs.get("days", sc["simulation"]["days"]))
        nm = len(sc["markets"])
        na = len(sc["destination"]["assets"])
        check_root(f, sc)
        check_scales(f, sc, days)
        daily = check_daily(f, days, nm)
        check_summary(f, daily, nm)
        check_assets_destination(f, days, na)
        check_interventions(f, sc)
        check_cells(f, nm)
        return sc


# ---- tools other than h5py ----------------------------------------------

def check_h5dump(path):
    if shutil.which("h5dump") is None:
        print("note: h5dump not installed; skipping the h5dump checks")
        return
    p = subprocess.run(["h5dump", "-H", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    check(p.returncode == 0, "h5dump -H exits 0")
    check('GROUP "daily"' in p.stdout and 'DATASET "arrivals"' in p.stdout,
          "h5dump -H lists daily/arrivals")
    p = subprocess.run(["h5dump", "-H", "-d", "/daily/arrivals", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(p.returncode == 0 and "/daily/arrivals" in p.stdout, "h5dump -d /daily/arrivals")


def check_xarray(path):
    try:
        import xarray as xr
        import netCDF4  # noqa: F401  (the engine)
    except ImportError:
        print("note: xarray or netCDF4 not importable; skipping the netCDF checks")
        return
    with xr.open_dataset(path, engine="netcdf4") as ds:
        dims = set(ds.dims)
        check({"day", "market", "segment", "asset"} <= dims, "xarray root dims (found %s)" % dims)
        check(not any(d.startswith("phony_dim") for d in dims), "xarray: no phony dims")
        check(str(ds["day"].dtype).startswith("datetime64"), "xarray decodes /day as dates")
    groups = {"daily": ("day", "market", "segment"), "summary": ("market", "segment"),
              "asset_daily": ("day", "asset"), "destination_daily": ("day",),
              "cells": ("market", "segment"), "interventions": ("intervention",)}
    for g, want in groups.items():
        with xr.open_dataset(path, engine="netcdf4", group=g) as ds:
            bad = [(v, ds[v].dims) for v in ds.data_vars if ds[v].dims != want]
            check(not bad, "xarray group %s dims %s (bad: %s)" % (g, want, bad))


def check_determinism(out1, out2):
    with h5py.File(out1, "r") as a, h5py.File(out2, "r") as b:
        names = []
        a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        check(any(n.startswith("daily/") for n in names), "datasets to compare")
        for n in names:
            same = n in b and np.array_equal(a[n][...], b[n][...],
                                             equal_nan=a[n].dtype.kind == "f")
            check(same, "same seed gives the same %s" % n)


def check_overwrite(tmp, out):
    before = digest(out)
    p = run_model(out)
    check(p.returncode == 73, "existing output without --force: exit 73 (got %d)" % p.returncode)
    check("--force" in p.stderr, "refusal message mentions --force")
    check(digest(out) == before, "existing output left untouched")
    check(not os.path.exists(out + ".tmp"), "no .tmp left after a refusal")
    missing = os.path.join(tmp, "no_such_dir", "x.h5")
    p = run_model(missing)
    check(p.returncode == 73, "output in a missing directory: exit 73 (got %d)" % p.returncode)
    check(not os.path.exists(missing + ".tmp"), "no .tmp in a missing directory")


def check_info(tmp, out, sc):
    p = run("info", out)
    check(p.returncode == 0, "ipsim info exits 0 (stderr: %s)" % p.stderr.strip())
    check(sc["name"] in p.stdout, "ipsim info prints the scenario name")
    check("arrivals" in p.stdout, "ipsim info prints arrivals")
    check("(not present)" not in p.stdout, "ipsim info finds every part of a complete file")
    p = run("info", os.path.join(tmp, "missing.h5"))
    check(p.returncode == 66, "ipsim info on a missing file: exit 66 (got %d)" % p.returncode)
    other = os.path.join(tmp, "other.h5")
    with h5py.File(other, "w") as f:
        f["x"] = 1
    p = run("info", other)
    check(p.returncode == 65, "ipsim info on a non-ipsim HDF5 file: exit 65 (got %d)" % p.returncode)
    check("not an ipsim result file" in p.stderr, "non-ipsim file message")
    partial = os.path.join(tmp, "partial.h5")
    shutil.copy(out, partial)
    with h5py.File(partial, "a") as f:
        del f["summary"]
        del f["asset_daily"]
    p = run("info", partial)
    check(p.returncode == 0 and "(not present)" in p.stdout and "arrivals" in p.stdout,
          "ipsim info reports missing parts as (not present)")


def main():
    if not os.access(BIN, os.X_OK):
        print("FAIL: IPSIM_BIN %r is not an executable" % BIN)
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="ipsim_test_output_")
    try:
        out1 = os.path.join(tmp, "out.h5")
        out2 = os.path.join(tmp, "out2.h5")
        p = run_model(out1)
        if not check(p.returncode == 0 and os.path.exists(out1),
                     "ipsim run exits 0 and writes the file (exit %d, stderr: %s)"
                     % (p.returncode, p.stderr.strip())):
            print("%d passed, %d failed" % (passed, failed))
            return 1
        check(not os.path.exists(out1 + ".tmp"), "no .tmp left after a run")
        sc = check_file(out1)
        check_h5dump(out1)
        check_xarray(out1)
        p = run_model(out2)
        if check(p.returncode == 0, "second run exits 0"):
            check_determinism(out1, out2)
        check_overwrite(tmp, out1)
        p = run_model(out2, "--force")
        check(p.returncode == 0, "--force overwrites an existing output")
        check_info(tmp, out1, sc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
