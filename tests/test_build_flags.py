#!/usr/bin/python3
"""The build honours the compiler flags a user gives (issue 13): CMake puts
the Release flags (-O2) after CMAKE_C_FLAGS, so `-DCMAKE_C_FLAGS="-O3
-march=native"` used to compile at -O2. Configures the project into
temporary directories (no build) and reads the compile command of one
library source from compile_commands.json:
  - Release with CMAKE_C_FLAGS="-O3 -march=native": the last -O is -O3, and
    -march=native is there;
  - plain Release: the last -O is -O2 and there is no -march (portable);
  - Release with IPSIM_NATIVE=ON: -march=native, still -O2;
  - Release with IPSIM_HUGE_PAGES=ON: the library's sources are compiled
    with -DIPSIM_HUGE_PAGES=1 (the records advised as huge pages), which a
    plain Release lacks; with POOL, -DIPSIM_HUGE_PAGES=2 (the machine's
    reserved pool); with off, nothing; any other value is refused;
  - Release with CMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" (a user's Release
    flags): -O1.
Skipped when cmake is not installed.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE = "sim/model/model.c"


def compile_args(tmp, name, *defs):
    """The compiler arguments of PROBE in a Release configure with defs."""
    build = os.path.join(tmp, name)
    cmd = ["cmake", "-S", SRC, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
           "-DIPSIM_BUILD_TESTS=OFF"] + list(defs)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    with open(os.path.join(build, "compile_commands.json")) as f:
        for entry in json.load(f):
            if entry["file"].endswith(PROBE):
                return entry.get("arguments") or shlex.split(entry["command"])
    sys.exit("FAIL: %s not in %s/compile_commands.json" % (PROBE, build))


def last_olevel(args):
    levels = [a for a in args if a.startswith("-O")]
    return levels[-1] if levels else None


def expect(what, cond, args):
    if not cond:
        sys.exit("FAIL: %s\n  %s" % (what, " ".join(args)))
    print("ok: %s" % what)


def main():
    if not shutil.which("cmake"):
        print("skip: no cmake")
        return 0
    tmp = tempfile.mkdtemp(prefix="ipsim-build-flags.")
    try:
        a = compile_args(tmp, "user", "-DCMAKE_C_FLAGS=-O3 -march=native")
        expect("CMAKE_C_FLAGS=-O3 -march=native compiles at -O3", last_olevel(a) == "-O3", a)
        expect("CMAKE_C_FLAGS=-O3 -march=native keeps -march=native", "-march=native" in a, a)
        a = compile_args(tmp, "default")
        expect("plain Release compiles at -O2", last_olevel(a) == "-O2", a)
        expect("plain Release is portable (no -march)",
               not any(x.startswith("-march") for x in a), a)
        expect("plain Release leaves the records' pages to the kernel (no IPSIM_HUGE_PAGES)",
               not any(x.startswith("-DIPSIM_HUGE_PAGES") for x in a), a)
        a = compile_args(tmp, "native", "-DIPSIM_NATIVE=ON")
        expect("IPSIM_NATIVE=ON adds -march=native", "-march=native" in a, a)
        expect("IPSIM_NATIVE=ON keeps -O2", last_olevel(a) == "-O2", a)
        a = compile_args(tmp, "huge", "-DIPSIM_HUGE_PAGES=ON")
        expect("IPSIM_HUGE_PAGES=ON defines IPSIM_HUGE_PAGES=1 (sim/base/bigalloc.c)",
               "-DIPSIM_HUGE_PAGES=1" in a, a)
        a = compile_args(tmp, "pool", "-DIPSIM_HUGE_PAGES=POOL")
        expect("IPSIM_HUGE_PAGES=POOL defines IPSIM_HUGE_PAGES=2 (the reserved pool, bigalloc.c)",
               "-DIPSIM_HUGE_PAGES=2" in a, a)
        a = compile_args(tmp, "off", "-DIPSIM_HUGE_PAGES=off")
        expect("IPSIM_HUGE_PAGES=off defines nothing",
               not any(x.startswith("-DIPSIM_HUGE_PAGES") for x in a), a)
        p = subprocess.run(["cmake", "-S", SRC, "-B", os.path.join(tmp, "bogus"), "-DIPSIM_BUILD_TESTS=OFF",
                            "-DIPSIM_HUGE_PAGES=sometimes"], capture_output=True, text=True)
        expect("IPSIM_HUGE_PAGES=sometimes is refused, naming the accepted values",
               p.returncode != 0 and "expected OFF, ON or POOL" in p.stdout + p.stderr, [p.stderr[-300:]])
        a = compile_args(tmp, "release", "-DCMAKE_C_FLAGS_RELEASE=-O1 -DNDEBUG")
        expect("a user's CMAKE_C_FLAGS_RELEASE is kept", last_olevel(a) == "-O1", a)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
