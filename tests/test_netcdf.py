"""test_netcdf.py - run and sweep files open anywhere: as netCDF-4 with xarray
(engine="netcdf4", every group) and with `ncdump -h`, with named dimensions
(no phony_dim_N) and a `units` attribute on every numeric variable.

Writes, at a coarse scale: a run, a compare (arms) file, a factorial and a
grid sweep. Skips with a message (exit 0) when python3-xarray,
python3-netcdf4 or netcdf-bin is missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
SC = os.path.join(SRC, "scenarios")
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


try:
    import numpy as np
    import netCDF4
    import xarray as xr
except ImportError as e:
    print(f"SKIP: {e}; install python3-xarray python3-netcdf4 (scripts/deps)")
    sys.exit(0)
if not shutil.which("ncdump"):
    print("SKIP: ncdump not found; install netcdf-bin (scripts/deps)")
    sys.exit(0)

DIMS = {"day", "market", "segment", "asset", "intervention", "point", "replicate", "parameter"}
# variables that are text or whose unit is the scenario key's own (grid/lhs/sobol/morris design values)
NO_UNITS = {"/scenario", "/experiment", "/point_name", "/market", "/segment", "/asset", "/parameter",
            "/point", "/replicate", "/day"}


def groups(g, pre=""):
    yield pre or "/"
    for k, v in g.groups.items():
        yield from groups(v, pre + "/" + k)


def inspect(path, what, design=None):
    p = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
    check(p.returncode == 0, f"{what}: ncdump -h exits 0 ({p.stderr.strip()[:200]})")
    check("phony_dim" not in p.stdout, f"{what}: ncdump shows no phony_dim")
    with netCDF4.Dataset(path) as nc:
        gs = list(groups(nc))
    bad_dims, no_units, errors, warns = set(), [], [], []
    nvars = 0
    for g in gs:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                ds = xr.open_dataset(path, engine="netcdf4", group=None if g == "/" else g)
            except Exception as e:  # noqa: BLE001 - report any failure
                errors.append(f"{g}: {type(e).__name__}: {e}")
                continue
            warns += [f"{g}: {x.message}" for x in w if "phony" in str(x.message) or "dimension" in
                      str(x.message).lower()]
        with ds:
            bad_dims |= set(ds.sizes) - DIMS
            for v in ds.variables:
                full = (g.rstrip("/") + "/" + v) if g != "/" else "/" + v
                nvars += 1
                if full in NO_UNITS or ds[v].dtype.kind in "OSU":
                    continue
                if g == "/design" and design not in ("factorial", "arms"):
                    continue
                if v in ds.coords and v in DIMS:
                    continue
                if "units" not in ds[v].attrs and "units" not in ds[v].encoding:
                    no_units.append(full)
    check(not errors, f"{what}: xarray opens all {len(gs)} groups " + "; ".join(errors)[:300])
    check(not bad_dims, f"{what}: every dimension is named ({sorted(bad_dims)})")
    check(not no_units, f"{what}: every numeric variable of {nvars} has units (missing: {no_units[:6]})")
    check(not warns, f"{what}: no warnings about dimensions ({warns[:2]})")


with tempfile.TemporaryDirectory() as tmp:
    run = os.path.join(tmp, "run.h5")
    p = subprocess.run([BIN, "run", os.path.join(SC, "jiamusi_baseline.json"), "-o", run, "--scale", "20000",
                        "--quiet", "--threads", "1"], capture_output=True, text=True)
    check(p.returncode == 0, f"run (exit {p.returncode}) {p.stderr[-200:]}")
    inspect(run, "run file")
    ds = xr.open_dataset(run, engine="netcdf4")
    check(str(ds["day"].dtype).startswith("datetime64"), "run: /day decodes to dates (CF units)")
    d = xr.open_dataset(run, engine="netcdf4", group="daily").assign_coords(ds.coords)
    check(d["arrivals"].dims == ("day", "market", "segment") and "Harbin" in d["market"].values,
          "run: /daily/arrivals is (day, market, segment) with market names")

    cmp_ = os.path.join(tmp, "cmp.h5")
    p = subprocess.run([BIN, "compare", os.path.join(SC, "jiamusi_baseline.json"),
                        os.path.join(SC, "campaign_shanghai_shenzhen.json"), "-o", cmp_, "--replicates", "2",
                        "--scale", "20000", "--quiet", "--threads", "1"], capture_output=True, text=True)
    check(p.returncode == 0, f"compare (exit {p.returncode}) {p.stderr[-200:]}")
    inspect(cmp_, "compare file", "arms")
    o = xr.open_dataset(cmp_, engine="netcdf4", group="outcomes_by_market")
    check(o["arrivals"].dims == ("point", "replicate", "market"), "compare: outcomes_by_market dims named")

    exp = {"name": "nc_factorial", "description": "two factors", "base": os.path.join(SC, "jiamusi_baseline.json"),
           "replicates": 2, "scale": 20000,
           "design": {"type": "factorial", "factors": [
               {"name": "fluency", "off": {}, "on": {"destination.digital_fluency": 0.7}},
               {"name": "service", "off": {}, "on": {"destination.service_quality": 0.8}}]}}
    grid = {"name": "nc_grid", "description": "grid", "base": os.path.join(SC, "jiamusi_baseline.json"),
            "replicates": 1, "scale": 20000,
            "design": {"type": "grid", "parameters": [
                {"name": "fluency", "path": "destination.digital_fluency", "values": [0.3, 0.6]}]}}
    for e, design in ((exp, "factorial"), (grid, "grid")):
        ef, out = os.path.join(tmp, e["name"] + ".json"), os.path.join(tmp, e["name"] + ".h5")
        with open(ef, "w") as fh:
            json.dump(e, fh)
        p = subprocess.run([BIN, "sweep", ef, "-o", out, "--quiet", "--threads", "1"], capture_output=True, text=True)
        check(p.returncode == 0, f"{design} sweep (exit {p.returncode}) {p.stderr[-300:]}")
        inspect(out, f"{design} sweep file", design)
    a = xr.open_dataset(os.path.join(tmp, "nc_factorial.h5"), engine="netcdf4", group="analysis/main_effect")
    check(a["arrivals"].dims == ("parameter",) and np.isfinite(a["arrivals"].values).all(),
          "factorial: analysis/main_effect/arrivals on the parameter dimension")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
