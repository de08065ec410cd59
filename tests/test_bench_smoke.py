#!/usr/bin/python3
"""scripts/bench works (a smoke test, not a timing test: no time is judged):
`scripts/bench --quick --no-ref --only baseline,sweep` runs this build's
small baseline and tiny sweep, prints the table with every benchmark it ran
and its target, and exits 0. The reference build is not exercised here (it
compiles another commit); the quick run takes a few seconds.
"""
import os
import subprocess
import sys

SRC = os.environ.get("IPSIM_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("IPSIM_BUILD_DIR", os.path.join(SRC, "build"))


def main():
    cmd = ["/usr/bin/python3", os.path.join(SRC, "scripts", "bench"), "--quick", "--no-ref",
           "--only", "baseline,sweep", "--build", BUILD, "--csv", ""]
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
