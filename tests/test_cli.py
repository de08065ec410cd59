#!/usr/bin/python3
"""End-to-end tests of the ipsim command-line program.

Run by ctest with IPSIM_BIN (the program) and IPSIM_SOURCE_DIR set; by hand:
    IPSIM_BIN=build/ipsim /usr/bin/python3 tests/test_cli.py [NAME...]
Prints one line per test and 'N passed, N failed'; exits 1 on any failure.
"""
import glob
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import Skip, run_tests  # noqa: E402

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
BASELINE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
FAST = ["--scale", "20000"]

try:
    import h5py
    import numpy as np
except ImportError:  # pragma: no cover - scripts/deps installs them
    h5py = None
    np = None

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_CANTCREAT, EX_TEMPFAIL = 64, 65, 66, 73, 75


def ipsim(*args, timeout=300):
    """Run ipsim; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([BIN, *args], cwd=SRC, capture_output=True, text=True, timeout=timeout)


def check(cond, what, proc=None):
    if not cond:
        detail = ""
        if proc is not None:
            detail = "\n  exit %s\n  stdout: %s\n  stderr: %s" % (
                proc.returncode, proc.stdout[-2000:].strip(), proc.stderr[-2000:].strip())
        raise AssertionError(what + detail)


def expect_exit(proc, code, what):
    check(proc.returncode == code, "%s: expected exit %d, got %d" % (what, code, proc.returncode), proc)


def need_h5py():
    if h5py is None:
        raise Skip("python3-h5py not installed")


_tmp = tempfile.mkdtemp(prefix="ipsim-test-cli-")


def tmp(name):
    return os.path.join(_tmp, name)


_runs = {}


def run_once(key, *args):
    """Run 'ipsim run BASELINE -o <tmp>/<key>.h5 ARGS' once and cache it."""
    if key not in _runs:
        out = tmp(key + ".h5")
        proc = ipsim("run", BASELINE, "-o", out, "--quiet", *args)
        expect_exit(proc, 0, "run %s" % " ".join(args))
        check(os.path.isfile(out), "run %s: no output file" % key)
        _runs[key] = out
    return _runs[key]


def read_group(path, group="daily"):
    need_h5py()
    out = {}
    with h5py.File(path, "r") as f:
        check(group in f, "%s: no /%s group" % (path, group))
        for name, ds in f[group].items():
            if isinstance(ds, h5py.Dataset):
                out[name] = ds[...]
    check(out, "%s: /%s is empty" % (path, group))
    return out


def same_arrays(a, b):
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def market_names(path):
    need_h5py()
    with h5py.File(path, "r") as f:
        if "market" in f:
            return [m.decode() if isinstance(m, bytes) else str(m) for m in f["market"][...]]
    resolved = json.loads(ipsim("resolve", BASELINE).stdout)
    return [m["name"] for m in resolved["markets"]]


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------

def test_version():
    p = ipsim("--version")
    expect_exit(p, 0, "--version")
    check(re.match(r"^ipsim 0\.3\.0 \(git \S+\)\n$", p.stdout), "--version output: %r" % p.stdout)
    expect_exit(ipsim("-V"), 0, "-V")


def test_help():
    p = ipsim("--help")
    expect_exit(p, 0, "--help")
    for word in ("Usage:", "run", "validate", "resolve", "info", "schema", "Exit status", "Examples"):
        check(word in p.stdout, "--help lacks %r" % word, p)
    for args in (["help", "run"], ["run", "--help"], ["validate", "-h"], ["help"], ["info", "--help"]):
        p = ipsim(*args)
        expect_exit(p, 0, " ".join(args))
        check("Usage: ipsim" in p.stdout, "%s: no usage line" % " ".join(args), p)
    p = ipsim("help", "run")
    for opt in ("--output", "--seed", "--replicate", "--threads", "--scale", "--days", "--set",
                "--max-memory", "--quiet", "--force"):
        check(opt in p.stdout, "help run lacks %s" % opt, p)


def test_usage_errors():
    cases = [
        [], ["frobnicate"], ["--bogus"], ["run", BASELINE, "-o", tmp("u.h5"), "--bogus"],
        ["run", BASELINE], ["run", "-o", tmp("u.h5")], ["help", "frobnicate"],
        ["schema", "extra"], ["validate"], ["validate", BASELINE, BASELINE], ["run", BASELINE, "-o"],
    ]
    for args in cases:
        p = ipsim(*args)
        expect_exit(p, EX_USAGE, "ipsim %s" % " ".join(args))
        check(p.stderr.startswith("ipsim: ") or p.stderr.startswith("Usage:"),
              "ipsim %s: stderr not prefixed" % " ".join(args), p)
        check(p.stdout == "", "ipsim %s: wrote to stdout on error" % " ".join(args), p)
    p = ipsim("run", BASELINE)
    check("-o" in p.stderr and "ipsim help run" in p.stderr, "missing -o message", p)
    check(not os.path.exists(tmp("u.h5")), "usage error created a file")


def test_bad_numbers():
    bad = [
        ("--seed", "abc"), ("--seed", "-1"), ("--seed", "18446744073709551616"), ("--seed", ""),
        ("--seed", "1.5"), ("--seed", " 7"), ("--seed", "+7"), ("--replicate", "4294967296"),
        ("--threads", "x"), ("--threads", "-2"), ("--scale", "0"), ("--scale", "-5"),
        ("--scale", "nan"), ("--scale", "inf"), ("--scale", "1e999"), ("--scale", "10x"),
        ("--days", "0"), ("--days", "3.5"), ("--days", "99999999999"), ("--max-memory", "12Q"),
        ("--max-memory", "-1G"),
    ]
    for opt, val in bad:
        out = tmp("bad.h5")
        p = ipsim("run", BASELINE, "-o", out, opt, val)
        expect_exit(p, EX_USAGE, "run %s %r" % (opt, val))
        check(opt in p.stderr, "run %s %r: message does not name the option" % (opt, val), p)
        check(not os.path.exists(out), "run %s %r created the output" % (opt, val))


def test_seed_max_accepted():
    out = tmp("seedmax.h5")
    p = ipsim("run", BASELINE, "-o", out, "--seed", "18446744073709551615", "--days", "3", "--quiet",
              *FAST)
    expect_exit(p, 0, "run --seed 2^64-1")


def test_validate_scenarios():
    files = sorted(f for f in glob.glob(os.path.join(SRC, "scenarios", "*.json"))
                   if not f.endswith(".schema.json"))
    check(files, "no scenarios/*.json")
    pat = re.compile(r"^(.*): OK \(([^;]+); (\d+) markets, (\d+) assets, (\d+) interventions, "
                     r"~?[\d,]+ agents at scale [0-9.e+]+.*\)\n$")
    for f in files:
        p = ipsim("validate", f)
        expect_exit(p, 0, "validate %s" % os.path.basename(f))
        check(pat.match(p.stdout), "validate %s: unexpected output %r" % (f, p.stdout), p)


def test_validate_bad_scenarios():
    d = os.path.join(SRC, "tests", "bad_scenarios")
    tsv = os.path.join(d, "cases.tsv")
    if not os.path.isfile(tsv):
        raise Skip("tests/bad_scenarios/cases.tsv not there yet")
    cases = {}
    with open(tsv, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, _, fragment = line.partition("\t")
            cases[name.strip()] = fragment.strip()
    check(cases, "cases.tsv lists no case")
    for name, fragment in sorted(cases.items()):
        path = os.path.join(d, name)
        check(os.path.isfile(path), "cases.tsv names %s, which does not exist" % name)
        # relative to the source dir, as messages name files the way they were given
        p = ipsim("validate", os.path.relpath(path, SRC))
        expect_exit(p, EX_DATAERR, "validate bad_scenarios/%s" % name)
        check(fragment in p.stderr, "validate bad_scenarios/%s: stderr lacks %r" % (name, fragment), p)
        check(p.stdout == "", "validate bad_scenarios/%s: wrote to stdout" % name, p)
    # every bad scenario is rejected, listed or not
    for path in sorted(glob.glob(os.path.join(d, "*.json"))):
        p = ipsim("validate", path)
        expect_exit(p, EX_DATAERR, "validate %s" % os.path.relpath(path, SRC))


def test_missing_scenario():
    for cmd in (["validate"], ["resolve"], ["run", "-o", tmp("missing.h5")]):
        p = ipsim(*cmd, tmp("no-such-scenario.json"))
        expect_exit(p, EX_NOINPUT, "%s of a missing scenario" % cmd[0])
    check(not os.path.exists(tmp("missing.h5")), "run of a missing scenario created output")


def test_output_missing_dir():
    out = tmp("no/such/dir/out.h5")
    t0 = time.time()
    p = ipsim("run", BASELINE, "-o", out)
    expect_exit(p, EX_CANTCREAT, "output into a missing directory")
    check(time.time() - t0 < 10, "missing directory detected only after %.0fs" % (time.time() - t0))
    check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), "left a file behind")
    check("mkdir" in p.stderr or "does not exist" in p.stderr, "message does not say what to do", p)


def test_output_unwritable():
    afile = tmp("afile")
    with open(afile, "w") as fh:
        fh.write("x")
    for out in (os.path.join(afile, "out.h5"), "/proc/ipsim-test-out.h5"):
        p = ipsim("run", BASELINE, "-o", out)
        expect_exit(p, EX_CANTCREAT, "output to %s" % out)
        check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), "left %s behind" % out)
    # a read-only directory (only meaningful when not root)
    if os.geteuid() != 0:
        ro = tmp("ro")
        os.mkdir(ro)
        os.chmod(ro, 0o555)
        try:
            p = ipsim("run", BASELINE, "-o", os.path.join(ro, "out.h5"))
            expect_exit(p, EX_CANTCREAT, "output into a read-only directory")
        finally:
            os.chmod(ro, 0o755)
    # a directory as the output
    p = ipsim("run", BASELINE, "-o", _tmp, "--force")
    expect_exit(p, EX_CANTCREAT, "a directory as output")


def test_existing_output():
    out = tmp("exists.h5")
    original = b"not an hdf5 file, must survive\n" * 10
    with open(out, "wb") as fh:
        fh.write(original)
    p = ipsim("run", BASELINE, "-o", out, *FAST)
    expect_exit(p, EX_CANTCREAT, "existing output without --force")
    check("--force" in p.stderr, "message does not mention --force", p)
    with open(out, "rb") as fh:
        check(fh.read() == original, "existing output was modified")
    p = ipsim("run", BASELINE, "-o", out, "--force", "--quiet", "--days", "5", *FAST)
    expect_exit(p, 0, "existing output with --force")
    with open(out, "rb") as fh:
        check(fh.read(8) == b"\x89HDF\r\n\x1a\n", "--force did not replace the file with HDF5")
    check(not os.path.exists(out + ".tmp"), "left .tmp behind")


def test_baseline_run():
    out = tmp("baseline_full.h5")
    t0 = time.time()
    p = ipsim("run", BASELINE, "-o", out, *FAST)
    expect_exit(p, 0, "baseline run")
    check(os.path.isfile(out) and not os.path.exists(out + ".tmp"), "output not in place")
    for word in ("jiamusi_baseline", "Harbin", "Shanghai", "CEC share", "visitor-nights", "CNY",
                 "satisfaction", "agent-days/s"):
        check(word in p.stdout, "summary lacks %r" % word, p)
    check("\r" not in p.stderr, "progress line drawn although stderr is not a terminal", p)
    print("    (baseline at scale 20000: %.1fs)" % (time.time() - t0))
    _runs["base"] = out
    p = ipsim("run", BASELINE, "-o", tmp("quiet.h5"), "--quiet", *FAST)
    expect_exit(p, 0, "--quiet run")
    check(len(p.stdout.strip().splitlines()) == 1, "--quiet prints more than one line", p)
    check(p.stderr == "", "--quiet printed to stderr", p)
    p = ipsim("info", out)
    expect_exit(p, 0, "info")
    check(p.stdout.strip(), "info printed nothing", p)


def test_info_errors():
    expect_exit(ipsim("info", tmp("nothing.h5")), EX_NOINPUT, "info of a missing file")
    need_h5py()
    other = tmp("other.h5")
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    expect_exit(ipsim("info", other), EX_DATAERR, "info of a non-ipsim HDF5 file")


def test_schema_and_resolve():
    p = ipsim("schema")
    expect_exit(p, 0, "schema")
    schema = json.loads(p.stdout)
    check(isinstance(schema, dict) and "$schema" in schema, "schema is not a JSON Schema")
    p = ipsim("resolve", BASELINE, "--set", "destination.digital_fluency=0.8")
    expect_exit(p, 0, "resolve")
    resolved = json.loads(p.stdout)
    check(abs(resolved["destination"]["digital_fluency"] - 0.8) < 1e-12, "resolve ignored --set")
    check(resolved["name"] == "jiamusi_baseline", "resolved name")


def test_same_seed_identical():
    a = run_once("s1a", "--seed", "11", *FAST)
    b = run_once("s1b", "--seed", "11", *FAST)
    da, db = read_group(a), read_group(b)
    check(da.keys() == db.keys(), "different /daily datasets")
    for k in da:
        check(same_arrays(da[k], db[k]), "same seed, different /daily/%s" % k)
    if shutil.which("h5diff"):
        p = subprocess.run(["h5diff", "-d", "0", a, b, "/daily", "/daily"], capture_output=True,
                           text=True)
        check(p.returncode == 0, "h5diff /daily of two same-seed runs: %s" % p.stdout[-1000:])


def test_different_seed_differs():
    a = read_group(run_once("s1a", "--seed", "11", *FAST))
    c = read_group(run_once("s2", "--seed", "12", *FAST))
    check(not same_arrays(a["arrivals"], c["arrivals"]), "seeds 11 and 12 gave identical arrivals")
    r = read_group(run_once("s1r1", "--seed", "11", "--replicate", "1", *FAST))
    check(not same_arrays(a["arrivals"], r["arrivals"]), "replicates 0 and 1 gave identical arrivals")


def test_set_zero_population():
    out = run_once("noharbin", "--set", "markets[Harbin].population=0", *FAST)
    arr = read_group(out)["arrivals"]
    names = market_names(out)
    check("Harbin" in names, "no Harbin market in %s" % names)
    h = names.index("Harbin")
    check(arr.ndim == 3 and arr.shape[1] == len(names), "arrivals shape %s" % (arr.shape,))
    check(float(np.nansum(arr[:, h, :])) == 0.0, "arrivals from Harbin with population 0")
    check(float(np.nansum(arr)) > 0.0, "no arrivals at all")


def test_set_bad_value():
    for assignment, fragment in (("markets[Harbin].population=abc", "population"),
                                 ("markets[Harbin].population=-5", "population"),
                                 ("destination.no_such_key=1", "no_such_key"),
                                 ("markets[Atlantis].population=1", "Atlantis")):
        out = tmp("badset.h5")
        p = ipsim("run", BASELINE, "-o", out, "--set", assignment, *FAST)
        expect_exit(p, EX_DATAERR, "--set %s" % assignment)
        check(fragment in p.stderr, "--set %s: stderr lacks %r" % (assignment, fragment), p)
        check(not os.path.exists(out), "--set %s created output" % assignment)
        p = ipsim("validate", BASELINE, "--set", assignment)
        expect_exit(p, EX_DATAERR, "validate --set %s" % assignment)


def test_days():
    need_h5py()
    out = run_once("d30", "--days", "30", *FAST)
    with h5py.File(out, "r") as f:
        check("days" in f.attrs, "no root attribute 'days' (has %s)" % sorted(f.attrs.keys()))
        check(int(np.asarray(f.attrs["days"]).ravel()[0]) == 30, "days attribute %r" % f.attrs["days"])
        check(f["daily/arrivals"].shape[0] == 30, "arrivals has %d days" % f["daily/arrivals"].shape[0])


def test_sweep_warns_once():
    """A compare of 2 arms x 2 replicates at a coarse scale: every unit's
    model warns the same resolution limits (ODD 7.10); each is printed once."""
    out = tmp("warn_once.h5")
    dispersed = os.path.join(SRC, "scenarios", "campaign_dispersed.json")
    p = ipsim("compare", BASELINE, dispersed, "--replicates", "2", "--scale", "20000", "-o", out)
    assert p.returncode == 0, p.stderr
    warnings = [l for l in p.stderr.splitlines() if "warning:" in l]
    assert warnings and len(warnings) == len(set(warnings)), "repeated warnings:\n" + "\n".join(warnings)
    r = ipsim("run", BASELINE, "--scale", "20000", "-o", tmp("warn_once_run.h5"))
    assert sorted(l for l in r.stderr.splitlines() if "warning:" in l) == sorted(warnings), \
        "a sweep prints the warnings one run prints"


def test_threads_identical():
    # a full year with a breakout (fluent destination, saturation campaign), so
    # both the candidate and the direct sampling modes run; 1, 2 and 8 threads
    scen = os.path.join(SRC, "scenarios", "campaign_shanghai_shenzhen.json")
    common = ("--seed", "5", "--scale", "2000", "--set", "destination.digital_fluency=0.9")
    outs = {}
    for t in ("1", "2", "8"):
        outs[t] = tmp("threads%s.h5" % t)
        p = subprocess.run([BIN, "run", scen, "-o", outs[t], "--force", "--quiet", "--threads", t, *common],
                           cwd=SRC, capture_output=True, text=True)
        check(p.returncode == 0, "run --threads %s exit %d: %s" % (t, p.returncode, p.stderr[-500:]))
    if shutil.which("h5diff"):
        for t in ("2", "8"):
            for group in ("/daily", "/summary", "/asset_daily", "/destination_daily", "/cells"):
                p = subprocess.run(["h5diff", outs["1"], outs[t], group, group], capture_output=True, text=True)
                check(p.returncode == 0, "h5diff %s (1 vs %s threads) exit %d: %s"
                      % (group, t, p.returncode, p.stdout[-1000:]))
    if h5py is not None:
        da = read_group(outs["1"])
        for t in ("2", "8"):
            db = read_group(outs[t])
            for k in da:
                check(same_arrays(da[k], db[k]), "/daily/%s differs between 1 and %s threads" % (k, t))


def _interrupt(sig, force_existing):
    out = tmp("interrupted.h5")
    for f in (out, out + ".tmp"):
        if os.path.exists(f):
            os.remove(f)
    original = b"previous result\n"
    # about 30 M agents: several seconds (--scale 50 finished within the
    # second on a fast day, 2026-12-02)
    args = [BIN, "run", BASELINE, "-o", out, "--scale", "4"]
    if force_existing:
        with open(out, "wb") as fh:
            fh.write(original)
        args.append("--force")
    proc = subprocess.Popen(args, cwd=SRC, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    check(proc.poll() is None, "the --scale 4 run finished within 1s; cannot test %s" % sig.name)
    proc.send_signal(sig)
    try:
        stdout, stderr = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("run did not stop within 180s of %s" % sig.name)
    check(proc.returncode == EX_TEMPFAIL, "%s: expected exit 75, got %d\n  stderr: %s"
          % (sig.name, proc.returncode, stderr.strip()))
    check("interrupted" in stderr and "nothing written" in stderr, "%s: message %r" % (sig.name, stderr))
    check(not os.path.exists(out + ".tmp"), "%s left OUT.tmp" % sig.name)
    if force_existing:
        with open(out, "rb") as fh:
            check(fh.read() == original, "%s changed the existing output" % sig.name)
    else:
        check(not os.path.exists(out), "%s left OUT" % sig.name)


def test_sigterm():
    _interrupt(signal.SIGTERM, False)


def test_sigint_keeps_existing():
    _interrupt(signal.SIGINT, True)


TESTS = [v for k, v in list(globals().items()) if k.startswith("test_") and callable(v)]


def main(argv):
    return run_tests(TESTS, argv, BIN, scratch=_tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
