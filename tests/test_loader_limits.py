#!/usr/bin/python3
"""Loader limits of issue 11, finding 10, end to end: what the loader accepts
at the edges and what its messages must not say.

- finding10_date_range: every date, and the simulated period from its first
  warm-up day to its last day, lies in 1900-01-01 .. 2200-12-31, in files and
  with --set; the edges themselves are accepted.
- finding10_seed_2p53: a seed written as a JSON number must read as the
  integer written (9007199254740993 reads as ...992 and is refused, with the
  advice to write the string "9007199254740993"); a file and --set give the
  same seed.
- finding10_no_quote: a file that does not start like JSON ('{' or '[') is
  refused without quoting any of its bytes, whether it is a scenario, a base
  or an experiment; a typo in a file that does start like JSON is still
  quoted.

Run by ctest (test_loader_limits) with IPSIM_BIN set; by hand:
    IPSIM_BIN=build/ipsim /usr/bin/python3 tests/test_loader_limits.py [NAME...]
Prints one line per test and 'N passed, N failed'; exits 1 on any failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
BASELINE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
EX_DATAERR = 65
RANGE = "expected a date from 1900-01-01 to 2200-12-31"
SECRET = "root:$y$j9T$finding10secret:19000:0:99999:7:::\n"


def ipsim(*args):
    return subprocess.run([BIN, *args], cwd=SRC, capture_output=True, text=True, timeout=120)


def check(cond, what, proc=None):
    if not cond:
        detail = ""
        if proc is not None:
            detail = "\n  exit %s\n  stderr: %s" % (proc.returncode, proc.stderr.strip()[-1500:])
        raise AssertionError(what + detail)


def refused(proc, fragment, what):
    check(proc.returncode == EX_DATAERR, "%s: expected exit %d" % (what, EX_DATAERR), proc)
    check(fragment in proc.stderr, "%s: stderr lacks %r" % (what, fragment), proc)


def accepted(proc, what):
    check(proc.returncode == 0, "%s: expected exit 0" % what, proc)


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w" if isinstance(text, str) else "wb") as fh:
        fh.write(text)
    return path


def derived(tmp, name, simulation, start, end):
    """A scenario over the baseline with these simulation keys and one
    promotion from start to end."""
    doc = {"base": BASELINE, "name": name, "simulation": simulation,
           "interventions": [{"name": "p", "mechanism": "promotion", "start": start, "end": end,
                              "cost_cny": 1000, "targets": [{"market": "*", "segment": "all"}],
                              "channels": {"short_video": 1}}]}
    return write(tmp, name + ".json", json.dumps(doc))


def resolved_seed(proc):
    check(proc.returncode == 0, "resolve failed", proc)
    return json.loads(proc.stdout)["simulation"]["seed"]


# --- finding10_date_range ------------------------------------------------------

def test_finding10_date_range_period(tmp):
    p = derived(tmp, "late", {"start_date": "2199-06-01", "days": 3660}, "2199-06-01", "2199-12-31")
    r = ipsim("validate", p)
    refused(r, p + ": simulation.days: expected an integer in [1, 579] (so that the simulated "
            "period ends on or before 2200-12-31), found 3660", "period past 2200-12-31")
    p = derived(tmp, "last", {"start_date": "2199-06-01", "days": 579}, "2199-06-01", "2200-12-31")
    accepted(ipsim("validate", p), "period ending 2200-12-31")


def test_finding10_date_range_warmup(tmp):
    sim = {"start_date": "1900-03-01", "days": 30, "warmup_days": 60}
    p = derived(tmp, "early", sim, "1900-03-01", "1900-03-30")
    r = ipsim("validate", p)
    refused(r, p + ": simulation.warmup_days: expected an integer in [0, 59] (so that the warm-up "
            "starts on or after 1900-01-01), found 60", "warm-up before 1900-01-01")
    sim["warmup_days"] = 59
    p = derived(tmp, "first", sim, "1900-03-01", "1900-03-30")
    accepted(ipsim("validate", p), "warm-up from 1900-01-01")


def test_finding10_date_range_fields(tmp):
    p = derived(tmp, "far", {"start_date": "9999-06-01", "days": 3660}, "9999-06-01", "9999-12-31")
    refused(ipsim("validate", p), p + ': simulation.start_date: %s, found "9999-06-01"' % RANGE,
            "start_date 9999-06-01 in a file")
    r = ipsim("validate", BASELINE, "--set", "simulation.start_date=9999-06-01")
    refused(r, '--set simulation.start_date=9999-06-01: simulation.start_date: %s, found "9999-06-01"'
            % RANGE, "start_date 9999-06-01 with --set")
    for path, value in [("calendar.holidays[0].start", "1899-12-31"),
                        ("calendar.adjusted_workdays[0]", "2201-01-01"),
                        ("interventions[0].end", "2201-01-01")]:
        r = ipsim("validate", BASELINE, "--set", "%s=%s" % (path, value))
        refused(r, '%s: %s, found "%s"' % (path, RANGE, value), "%s=%s" % (path, value))
    r = ipsim("validate", BASELINE, "--set", "interventions[0].end=2200-12-31")
    accepted(r, "an intervention ending 2200-12-31")


# --- finding10_seed_2p53 -------------------------------------------------------

def test_finding10_seed_2p53(tmp):
    p = write(tmp, "seed.json", '{"base": "%s", "simulation": {"seed": 9007199254740993}}' % BASELINE)
    refused(ipsim("validate", p), p + ': simulation.seed: expected a seed (a string of decimal digits '
            'up to 18446744073709551615 or an integer from 0 to 9007199254740992), found '
            '9007199254740993 (a JSON number cannot hold it exactly and reads as 9007199254740992: '
            'write the seed as a string, "9007199254740993")', "seed 2^53 + 1 as a number")
    for text in ("9007199254740993.0", "9.007199254740993e15", "1.0000000000000001",
                 "18446744073709551615"):
        p = write(tmp, "seed.json", '{"base": "%s", "simulation": {"seed": %s}}' % (BASELINE, text))
        refused(ipsim("validate", p), "found %s (a JSON number cannot hold it exactly" % text,
                "seed %s" % text)
        r = ipsim("validate", BASELINE, "--set", "simulation.seed=%s" % text)
        if text.isdigit():  # a bare number on the command line is taken as a string
            accepted(r, "--set simulation.seed=%s" % text)
        else:
            refused(r, "found %s (a JSON number cannot hold it exactly" % text, "--set seed %s" % text)


def test_finding10_seed_consistent(tmp):
    """The same seed from a file (string, or exact number) and from --set."""
    exact = write(tmp, "exact.json", '{"base": "%s", "simulation": {"seed": 9007199254740992}}' % BASELINE)
    string = write(tmp, "string.json", '{"base": "%s", "simulation": {"seed": "9007199254740993"}}' % BASELINE)
    check(resolved_seed(ipsim("resolve", exact)) == "9007199254740992", "2^53 as a number")
    check(resolved_seed(ipsim("resolve", string)) == "9007199254740993", "2^53 + 1 as a string")
    number = write(tmp, "number.json", '{"base": "%s", "simulation": {"seed": 9007199254740993}}' % BASELINE)
    r = ipsim("resolve", number)
    check(r.returncode != 0 or resolved_seed(r) == "9007199254740993",
          "the number 9007199254740993 in a file became another seed than with --set", r)
    for value in ("9007199254740993", '"9007199254740993"'):
        r = ipsim("resolve", BASELINE, "--set", "simulation.seed=" + value)
        check(resolved_seed(r) == "9007199254740993", "--set simulation.seed=%s" % value)
    r = ipsim("resolve", BASELINE, "--set", "simulation.seed=9007199254740992.0")
    check(resolved_seed(r) == "9007199254740992", "--set simulation.seed=9007199254740992.0 (exact)")


# --- finding10_no_quote --------------------------------------------------------

def no_secret(proc, what):
    for k in range(0, len(SECRET) - 4):
        check(SECRET[k:k + 5] not in proc.stderr, "%s: stderr quotes the file (%r)"
              % (what, SECRET[k:k + 5]), proc)


def test_finding10_no_quote(tmp):
    fs = write(tmp, "fs", SECRET)
    for name, text in [("sh.json", '{"base": "%s", "name": "x"}' % fs),
                       ("rel.json", '{"base": "fs", "name": "x"}')]:
        p = write(tmp, name, text)
        r = ipsim("validate", p)
        refused(r, p + ": base: " + fs + ": not a JSON document (the first character is not '{' or '[')",
                "base naming a non-JSON file (%s)" % name)
        no_secret(r, "base " + name)
    r = ipsim("validate", fs)
    refused(r, fs + ": not a JSON document", "a non-JSON scenario")
    no_secret(r, "scenario")
    # binary bytes, invalid UTF-8 and a NUL: no byte value, line or column either
    blob = write(tmp, "blob", b"\xef\xbb\xbf \n\x7fELF\xff\x00\xfe" + SECRET.encode())
    p = write(tmp, "blob.json", '{"base": "blob", "name": "x"}')
    r = ipsim("validate", p)
    refused(r, "blob: not a JSON document", "a binary base")
    check("byte 0x" not in r.stderr and "line " not in r.stderr, "binary base: a byte or position shown", r)
    no_secret(r, "binary base")
    if ipsim("help", "sweep").returncode == 0:
        r = ipsim("sweep", fs, "--dry-run")
        refused(r, fs + ": not a JSON document", "a non-JSON experiment")
        no_secret(r, "experiment")


def test_finding10_quote_kept(tmp):
    """A file that starts like JSON is still quoted near its typo, and a
    --set value near its own."""
    p = write(tmp, "typo.json", '{\n  "name": "x",\n  "days": 365x\n}\n')
    refused(ipsim("validate", p), p + ": line 3, column 14: invalid JSON near 'x'", "a JSON typo")
    r = ipsim("validate", BASELINE, "--set", "markets[0]={oops}")
    refused(r, "invalid JSON near 'oops}'", "a --set typo")
    r = ipsim("validate", BASELINE, "--set", 'name="open')
    refused(r, "unexpected end of file (expected a closing '\"')", "a --set string cut short")


def main():
    if not os.access(BIN, os.X_OK):
        print("test_loader_limits: %s is not an executable (set IPSIM_BIN)" % BIN)
        return 1
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    if len(sys.argv) > 1:
        tests = [(n, f) for n, f in tests if n in sys.argv[1:] or n[5:] in sys.argv[1:]]
    passed = failed = 0
    for name, fn in tests:
        tmp = tempfile.mkdtemp(prefix="ipsim-limits.")
        try:
            fn(tmp)
            passed += 1
            print("ok   " + name)
        except Exception:
            failed += 1
            print("FAIL " + name)
            print("    " + traceback.format_exc().strip().replace("\n", "\n    "))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
