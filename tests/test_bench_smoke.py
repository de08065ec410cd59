#!/usr/bin/python3
"""scripts/bench works (a smoke test, not a timing test: no time is judged):
`scripts/bench --quick --no-ref --only baseline,sweep` runs this build's
small baseline and tiny sweep, prints the table with every benchmark it ran
and its target, and exits 0. Its rows go to a CSV file that had the
columns of before the build column: the file gets the new header, its old
row is kept (with an empty build), and each new row names the build it
measured (its directory and build type). The reference build is not
exercised here (it compiles another commit); the quick run takes a few
seconds.
"""
import csv
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("IPSIM_BUILD_DIR", os.path.join(SRC, "build"))


def main():
    tmp = tempfile.mkdtemp(prefix="ipsim-test-bench.")
    table = os.path.join(tmp, "targets.csv")
    old_header = ["date", "commit", "ref", "repeat", "quick", "benchmark", "unit", "current",
                  "reference", "ratio", "target", "verdict"]
    old_row = ["2026-01-01T00:00:00", "abc", "def", "1", "0", "baseline", "s", "1", "2", "2.000", "x", "FAIL"]
    with open(table, "w", newline="") as f:
        csv.writer(f).writerows([old_header, old_row])
    cmd = ["/usr/bin/python3", os.path.join(SRC, "scripts", "bench"), "--quick", "--no-ref",
           "--only", "baseline,sweep", "--build", BUILD, "--csv", table]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    print(p.stdout)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    for needle in ("baseline", "tiny sweep", "units/s", ">= 8x faster", "target", "verdict"):
        if needle not in p.stdout:
            sys.exit("FAIL: '%s' missing from the output of scripts/bench --quick" % needle)
    if "framework" in p.stdout.split("benchmark")[-1]:
        sys.exit("FAIL: --only baseline,sweep ran framework_full too")
    print("ok: scripts/bench --quick --no-ref runs and prints its table")
    with open(table, newline="") as f:
        rows = list(csv.reader(f))
    os.remove(table)
    os.rmdir(tmp)
    if rows[0] != old_header + ["build"] or rows[1] != old_row + [""]:
        sys.exit("FAIL: the old table was not migrated: %s" % rows[:2])
    build_name = os.path.basename(os.path.normpath(BUILD))
    new_rows = rows[2:]
    if len(new_rows) != 2 or any(build_name not in r[12] or "(" not in r[12] for r in new_rows):
        sys.exit("FAIL: the new rows do not name the build %s: %s" % (build_name, new_rows))
    print("ok: the old table got the build column; the new rows name the build (%s)" % new_rows[0][12])
    return 0


if __name__ == "__main__":
    sys.exit(main())
