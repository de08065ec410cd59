#!/usr/bin/python3
"""Bad-input corpus: every case of tests/bad_inputs/cases.tsv (format in its
header) runs `ipsim` once and must exit with the expected code, print the
expected fragment on stderr, finish within the per-case timeout, and leave
no new or changed file behind. Run by ctest (test_bad_inputs) with IPSIM_BIN
set; `python3 tests/test_bad_inputs.py [NAME...]` runs some cases by hand.

IPSIM_BAD_INPUTS_TIMEOUT (seconds per case, default 60: generous for the
ASan+UBSan build) bounds each case; a case that runs out of time is a hang.
"""
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
DIR = os.path.join(SRC, "tests", "bad_inputs")
TIMEOUT = float(os.environ.get("IPSIM_BAD_INPUTS_TIMEOUT", "60"))
SENTINEL = b"precious results, must survive a failed run\n" * 64
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer",
                   "Traceback", "Segmentation fault", "core dumped", "HDF5-DIAG")


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 5:
                raise SystemExit("cases.tsv:%d: expected 5 TAB-separated columns, found %d"
                                 % (lineno, len(cols)))
            name, code, fragment, setup, args = cols
            cases.append({"name": name, "exit": int(code), "fragment": fragment,
                          "setup": [] if setup == "-" else setup.split(","), "args": args,
                          "line": lineno})
    return cases


def snapshot(root):
    """{relative path: sha256 or 'dir'/'fifo'} of everything under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            out[os.path.relpath(p, root)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.isfile(p) or os.path.islink(p):
                out[os.path.relpath(p, root)] = "special"
                continue
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            out[os.path.relpath(p, root)] = h.hexdigest()
    return out


def try_mount_ro(path):
    os.mkdir(path)  # (root only: mount(8) fails for others)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def prepare(case, tmp):
    """Set up {tmp}; returns a reason to skip, or None. May set case['mounted']."""
    out = os.path.join(tmp, "out.h5")
    for s in case["setup"]:
        if s == "existing":
            with open(out, "wb") as fh:
                fh.write(SENTINEL)
        elif s == "afile":
            with open(os.path.join(tmp, "afile"), "wb") as fh:
                fh.write(b"a regular file\n")
        elif s == "fifo":
            os.mkfifo(os.path.join(tmp, "fifo.json"))
        elif s == "big":
            with open(os.path.join(tmp, "big.json"), "wb") as fh:
                fh.write(b'{"name": "big", "description": "')
                fh.write(b"x" * (17 << 20))
                fh.write(b'"}\n')
        elif s == "deep":
            with open(os.path.join(tmp, "deep.json"), "wb") as fh:
                fh.write(b'{"a":' * 100000 + b"1" + b"}" * 100000)
        elif s == "longstr":
            with open(os.path.join(tmp, "longstr.json"), "wb") as fh:
                fh.write(b'{"base": "%s", "name": "' % os.path.join(SRC, "scenarios", "jiamusi_baseline.json").encode())
                fh.write(b"n" * (4 << 20))
                fh.write(b'"}\n')
        elif s == "longkey":
            with open(os.path.join(tmp, "longkey.json"), "wb") as fh:
                fh.write(b'{"base": "%s", "' % os.path.join(SRC, "scenarios", "jiamusi_baseline.json").encode())
                fh.write(b"k" * (1 << 20))
                fh.write(b'": 1}\n')
        elif s == "manykeys":
            with open(os.path.join(tmp, "manykeys.json"), "wb") as fh:
                fh.write(b'{"base": "%s"' % os.path.join(SRC, "scenarios", "jiamusi_baseline.json").encode())
                for i in range(200000):
                    fh.write(b', "k%d": %d' % (i, i))
                fh.write(b"}\n")
        elif s == "h5trunc":
            with open(os.path.join(tmp, "trunc.h5"), "wb") as fh:
                fh.write(b"\x89HDF\r\n\x1a\n" + b"\x00" * 40 + b"garbage" * 100)
        elif s == "rofs":
            if os.geteuid() != 0 or not try_mount_ro(os.path.join(tmp, "ro")):
                return "cannot mount a read-only tmpfs here"
            case["mounted"] = os.path.join(tmp, "ro")
        elif s == "fullfs":
            full = os.path.join(tmp, "full")
            os.mkdir(full)
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", full],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if os.geteuid() != 0 or r.returncode != 0:
                return "cannot mount a small tmpfs here"
            case["mounted"] = full
        elif s == "existing_full":
            with open(os.path.join(tmp, "full", "out.h5"), "wb") as fh:
                fh.write(SENTINEL[:4096])
        elif s == "sweep":
            r = subprocess.run([BIN, "help", "sweep"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            if r.returncode != 0:
                return "no 'ipsim sweep' command in this build"
        else:
            raise SystemExit("cases.tsv:%d: unknown setup %r" % (case["line"], s))
    return None


def expand(case, tmp):
    subst = {
        "{in}": os.path.relpath(DIR, SRC),
        "{base}": os.path.join("scenarios", "jiamusi_baseline.json"),
        "{xp}": os.path.join("scenarios", "experiments"),
        "{out}": os.path.join(tmp, "out.h5"),
        "{tmp}": tmp,
    }
    argv = []
    for word in shlex.split(case["args"]):
        for k, v in subst.items():
            word = word.replace(k, v)
        word = word.replace("{long}", "x" * 100000)
        b = os.fsencode(word).replace(b"{badutf8}", b"\xff\xfe")
        argv.append(b)
    return argv


def run_case(case, root):
    tmp = tempfile.mkdtemp(prefix=case["name"] + ".", dir=root)
    problems = []
    try:
        skip = prepare(case, tmp)
        if skip:
            return "skip", skip
        before = snapshot(tmp)
        src_before = snapshot(DIR)
        argv = [os.fsencode(BIN)] + expand(case, tmp)
        t0 = time.time()
        try:
            p = subprocess.run(argv, cwd=SRC, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return "fail", ["no exit within %.0f s (a hang)" % TIMEOUT]
        elapsed = time.time() - t0
        err = p.stderr.decode("utf-8", "replace")
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode != case["exit"]:
            problems.append("exit %d, expected %d" % (p.returncode, case["exit"]))
        if case["fragment"] != "-" and case["fragment"] not in err:
            problems.append("stderr lacks %r" % case["fragment"])
        for mark in SANITIZER_MARKS:
            if mark in err:
                problems.append("stderr shows %r" % mark)
        for line in err.splitlines():
            if line and not (line.startswith("ipsim: ") or line.startswith("Usage: ")):
                problems.append("stderr line not prefixed 'ipsim: ': %r" % line[:120])
                break
        if p.returncode != 0 and out:
            problems.append("wrote to stdout although it failed: %r" % out[:120])
        if p.returncode == 0 and case["exit"] == 0 and err.strip():
            problems.append("exit 0 but stderr not empty")
        after = snapshot(tmp)
        if after != before:
            new = sorted(set(after) - set(before))
            changed = sorted(k for k in before if k in after and after[k] != before[k])
            gone = sorted(set(before) - set(after))
            problems.append("files changed in {tmp}: new %s, changed %s, removed %s" % (new, changed, gone))
        if snapshot(DIR) != src_before:
            problems.append("files changed in tests/bad_inputs/")
        if problems:
            problems.append("stderr was: %s" % err.strip()[:600])
            return "fail", problems
        return "pass", "%.2fs" % elapsed
    finally:
        if case.get("mounted"):
            subprocess.run(["umount", case["mounted"]], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if not os.access(BIN, os.X_OK):
        print("test_bad_inputs: %s is not an executable (set IPSIM_BIN)" % BIN)
        return 1
    cases = read_cases(os.path.join(DIR, "cases.tsv"))
    names = [c["name"] for c in cases]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        print("FAIL cases.tsv: duplicate case names %s" % dups)
        return 1
    if len(sys.argv) > 1:
        cases = [c for c in cases if c["name"] in sys.argv[1:]]
    root = tempfile.mkdtemp(prefix="ipsim-bad-inputs.")
    failed = skipped = 0
    t0 = time.time()
    try:
        for case in cases:
            status, detail = run_case(case, root)
            if status == "fail":
                failed += 1
                print("FAIL %s (cases.tsv line %d):" % (case["name"], case["line"]))
                for d in detail:
                    print("    " + d)
            elif status == "skip":
                skipped += 1
                print("skip %s: %s" % (case["name"], detail))
            else:
                print("ok   %-32s exit %-3d %s" % (case["name"], case["exit"], detail))
        leftovers = os.listdir(root)
        if leftovers:
            print("FAIL temporary directories left: %s" % leftovers)
            failed += 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("%d cases: %d passed, %d failed, %d skipped (%.1fs)"
          % (len(cases), len(cases) - failed - skipped, failed, skipped, time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
