#!/usr/bin/python3
"""The optimised build (scripts/build-fast; CMake IPSIM_PGO, issue 13):
  - scripts/build-fast --portable into a temporary directory, trained at a
    small scale, exits 0 and leaves a program that gives bitwise the
    results of the test build's own ipsim (its --ref check, which the
    script makes itself; this test repeats it on framework_full);
  - the profile is real: the training left a profile of the kernel
    (kernel.c's .gcda) and the final compile of kernel.c used it
    (-fprofile-use in compile_commands.json);
  - it asks for the machine's huge page pool (bigalloc.c compiled with
    IPSIM_HUGE_PAGES=2) and says what the pool holds;
  - a configure with IPSIM_PGO=bogus fails and names the accepted values.
Label slow (two builds of the program, about a minute). Skipped without
cmake or gcc.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))


def fail(msg):
    sys.exit("FAIL: " + msg)


def ok(msg):
    print("ok: " + msg)


def main():
    if not shutil.which("cmake") or not shutil.which("gcc"):
        print("skip: no cmake or gcc")
        return 0
    tmp = tempfile.mkdtemp(prefix="ipsim-test-build-fast.")
    try:
        bld = os.path.join(tmp, "fast")
        p = subprocess.run([os.path.join(SRC, "scripts", "build-fast"), "--portable", "--build", bld,
                            "--train-scale", "2000", "--check-scale", "20000", "--ref", BIN],
                           capture_output=True, text=True)
        if p.returncode != 0:
            fail("scripts/build-fast exited %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
        prog = p.stdout.strip().splitlines()[-1]
        if prog != os.path.join(bld, "ipsim") or not os.access(prog, os.X_OK):
            fail("the program printed (%s) is not %s/ipsim" % (prog, bld))
        if "bitwise equal to %s's" % BIN not in p.stdout:
            fail("no check against the test build's ipsim:\n" + p.stdout)
        ok("scripts/build-fast built %s, checked against %s" % (prog, BIN))

        profile = os.path.join(bld, "pgo-profile")
        gcda = [f for f in os.listdir(profile) if f.endswith("kernel.c.gcda")]
        if not gcda:
            fail("no profile of kernel.c in %s" % profile)
        with open(os.path.join(bld, "compile_commands.json")) as f:
            cmds = [e for e in json.load(f) if e["file"].endswith("sim/model/kernel.c")]
        if not cmds or "-fprofile-use" not in cmds[0]["command"]:
            fail("kernel.c was not compiled with -fprofile-use: %s" % (cmds[0]["command"] if cmds else "absent"))
        ok("the training profiled kernel.c (%s) and its compile used the profile" % gcda[0])
        bigalloc = [e for e in json.load(open(os.path.join(bld, "compile_commands.json")))
                    if e["file"].endswith("sim/base/bigalloc.c")]
        if not bigalloc or "-DIPSIM_HUGE_PAGES=2" not in bigalloc[0]["command"]:
            fail("bigalloc.c was not compiled for the huge page pool (IPSIM_HUGE_PAGES=POOL): %s"
                 % (bigalloc[0]["command"] if bigalloc else "absent"))
        if "huge page pool" not in p.stdout:
            fail("build-fast did not say what the huge page pool holds:\n" + p.stdout)
        ok("the agents' records go on the machine's huge page pool when it has room (POOL build)")

        outs = []
        for name, binary in (("fast", prog), ("test", BIN)):
            out = os.path.join(tmp, name + ".h5")
            q = subprocess.run([binary, "run", os.path.join(SRC, "scenarios", "framework_full.json"), "-o", out,
                                "--scale", "20000", "--threads", "2", "-q"], capture_output=True, text=True)
            if q.returncode != 0:
                fail("%s run failed: %s" % (name, q.stderr))
            outs.append(out)
        q = subprocess.run(["/usr/bin/python3", os.path.join(SRC, "scripts", "h5same.py")] + outs,
                           capture_output=True, text=True)
        if q.returncode != 0:
            fail("framework_full differs between the optimised and the test build:\n" + q.stdout + q.stderr)
        ok("framework_full at 2 threads: bitwise the test build's results")

        q = subprocess.run(["cmake", "-S", SRC, "-B", os.path.join(tmp, "bogus"), "-DIPSIM_BUILD_TESTS=OFF",
                            "-DIPSIM_PGO=bogus"], capture_output=True, text=True)
        if q.returncode == 0 or "expected generate, use or empty" not in q.stderr:
            fail("IPSIM_PGO=bogus configured (exit %d):\n%s" % (q.returncode, q.stderr[-2000:]))
        ok("IPSIM_PGO=bogus is refused with the accepted values")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
