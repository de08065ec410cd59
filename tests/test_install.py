#!/usr/bin/python3
"""test_install.py - the installed library is usable from outside the tree.

Installs the build tree (cmake --install IPSIM_BUILD_DIR --prefix TMP), then
checks that TMP holds the program, libipsim, the public headers, the man page,
ipsim.pc and the CMake package, and builds one small outside C program (it
loads scenarios/jiamusi_baseline.json, runs it for DAYS days at scale SCALE
through the public API of include/ipsim/ipsim.h and prints the agents and
the arrivals) against the installed tree twice:
  - with cc and `pkg-config --cflags --libs --static ipsim`;
  - as a CMake project: find_package(ipsim CONFIG REQUIRED), ipsim::ipsim.
Both programs must print the same figures as the installed `ipsim run`.

Run by ctest with IPSIM_BUILD_DIR and IPSIM_SOURCE_DIR set; by hand:
    IPSIM_BUILD_DIR=build /usr/bin/python3 tests/test_install.py
Prints one line per check and 'N passed, N failed'; exits 1 on any failure.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("IPSIM_BUILD_DIR") or os.path.join(SRC, "build")
BASELINE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
DAYS, SCALE = 60, 20000   # short, but long enough for arrivals (> 0)
CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror"]   # the public headers compile cleanly
passed = failed = 0

# The outside program: only the public headers, only the public API.
PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ipsim/ipsim.h>
#include <ipsim/experiment.h>

int main(int argc, char **argv)
{
    char err[512];
    ipsim_scenario *sc = NULL;
    ipsim_model *m = NULL;
    ipsim_run_options opt;
    const double *arrivals;
    int n_markets, i, n;
    double total = 0.0;
    ipsim_status st;

    if (argc != 4)
        return 2;
    if (strcmp(ipsim_version(), IPSIM_VERSION_STRING) != 0)
        return 3;
    if (strcmp(ipsim_strerror(IPSIM_ERR_DATA), "invalid scenario data") != 0)
        return 4;
    st = ipsim_scenario_load("/nonexistent/ipsim.json", &sc, err, sizeof err);
    if (st != IPSIM_ERR_NOINPUT || sc != NULL || err[0] == '\0')
        return 5;
    printf("missing file: %s\n", ipsim_strerror(st));

    st = ipsim_scenario_load(argv[1], &sc, err, sizeof err);
    if (st != IPSIM_OK) {
        fprintf(stderr, "%s: %s\n", ipsim_strerror(st), err);
        return 6;
    }
    memset(&opt, 0, sizeof opt);
    ipsim_run_options_init(&opt);
    opt.days = atoi(argv[2]);
    opt.scale = atof(argv[3]);
    opt.threads = 1;
    st = ipsim_model_create(sc, &opt, &m, err, sizeof err);
    if (st == IPSIM_OK)
        st = ipsim_model_run(m, NULL, NULL);
    if (st == IPSIM_OK)
        st = ipsim_model_daily(m, "arrivals", &arrivals, &n_markets);
    if (st != IPSIM_OK) {
        fprintf(stderr, "%s: %s\n", ipsim_strerror(st), err);
        return 7;
    }
    n = ipsim_model_days_total(m) * n_markets * 2;
    for (i = 0; i < n; i++)
        total += arrivals[i];
    printf("scenario %s\n", ipsim_scenario_name(sc));
    printf("agents %llu\n", (unsigned long long)ipsim_model_agent_count(m));
    printf("arrivals %.0f\n", total);
    ipsim_model_destroy(m);
    ipsim_scenario_destroy(sc);
    return 0;
}
"""

CMAKE_PROJECT = """cmake_minimum_required(VERSION 3.18)
project(ipsim_consumer LANGUAGES C)
find_package(ipsim 0.3 CONFIG REQUIRED)
message(STATUS "ipsim_DIR=${ipsim_DIR}")
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE ipsim::ipsim)
"""


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)
    return ok


def run(cmd, **kw):
    """Run cmd; return the CompletedProcess (text, output captured)."""
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tail(p):
    return "\n" + (p.stdout + p.stderr)[-1500:] if p.returncode != 0 else ""


def expected_figures(ipsim, work):
    """(agents, arrivals) as the installed `ipsim run` prints them."""
    out = os.path.join(work, "run.h5")
    p = run([ipsim, "run", BASELINE, "--days", str(DAYS), "--scale", str(SCALE), "--threads", "1",
             "-o", out, "--force"])
    agents = re.search(r"^agents\s+([\d,]+)", p.stdout, re.M)
    total = re.search(r"^total\s+\S+\s+\S+\s+([\d,]+)\s*$", p.stdout, re.M)
    if p.returncode != 0 or not agents or not total:
        return None
    return int(agents.group(1).replace(",", "")), int(total.group(1).replace(",", ""))


def check_program(exe, label, want):
    """Run one outside program and compare its figures with want."""
    p = run([exe, BASELINE, str(DAYS), str(SCALE)], cwd=SRC)
    if not check(p.returncode == 0, f"{label}: the program runs (exit {p.returncode})" + tail(p)):
        return
    got = dict(line.split(" ", 1) for line in p.stdout.splitlines() if " " in line)
    check("missing file: input file missing or unreadable" in p.stdout.splitlines(),
          f"{label}: ipsim_scenario_load of a missing file gives IPSIM_ERR_NOINPUT")
    check(got.get("scenario") == "jiamusi_baseline", f"{label}: scenario name {got.get('scenario')}")
    figures = (int(got.get("agents", -1)), int(float(got.get("arrivals", -1))))
    check(want is not None and figures == want and figures[1] > 0,
          f"{label}: agents and arrivals {figures} as `ipsim run` prints them {want}")


def main():
    if not os.path.isfile(os.path.join(BUILD, "cmake_install.cmake")):
        print(f"FAIL {BUILD} is not a configured build tree (set IPSIM_BUILD_DIR)")
        return 1
    cache = cache_options()
    if cache.get("IPSIM_FUZZ") == "ON":
        print("SKIP a fuzzing build (IPSIM_FUZZ=ON) is not meant to be installed")
        return 0
    if cache.get("IPSIM_SANITIZE") == "ON":   # the outside programs link the sanitizer runtimes too
        CFLAGS.append("-fsanitize=address,undefined")
    env = {k: v for k, v in os.environ.items() if k not in ("DESTDIR", "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH")}
    with tempfile.TemporaryDirectory(prefix="ipsim-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        p = run(["cmake", "--install", BUILD, "--prefix", prefix], env=env)
        if not check(p.returncode == 0, "cmake --install" + tail(p)):
            return 1

        # what is installed
        def one(pattern):
            hits = glob.glob(os.path.join(prefix, pattern), recursive=True)
            check(len(hits) == 1, f"installed {pattern}: {[os.path.relpath(h, prefix) for h in hits]}")
            return hits[0] if len(hits) == 1 else None
        ipsim = one("bin/ipsim")
        one("lib*/**/libipsim.a")
        for h in sorted(glob.glob(os.path.join(SRC, "include", "ipsim", "*.h"))):
            inst = os.path.join(prefix, "include", "ipsim", os.path.basename(h))
            check(os.path.isfile(inst) and open(inst).read() == open(h).read(),
                  f"installed include/ipsim/{os.path.basename(h)}")
        man = os.path.join(prefix, "share", "man", "man1", "ipsim.1")
        check(os.path.isfile(man) and open(man).read() == open(os.path.join(SRC, "scripts", "ipsim.1")).read(),
              "installed share/man/man1/ipsim.1")
        pc = one("lib*/**/pkgconfig/ipsim.pc")
        config = one("lib*/**/cmake/ipsim/ipsimConfig.cmake")
        one("lib*/**/cmake/ipsim/ipsimConfigVersion.cmake")
        one("lib*/**/cmake/ipsim/ipsimTargets.cmake")
        # the package names no build-tree or source-tree path (private
        # include dirs such as sim/ must not leak into the export)
        leaks = []
        for f in glob.glob(os.path.join(prefix, "lib*", "**", "*.cmake"), recursive=True) + ([pc] if pc else []):
            text = open(f).read()
            for tree in (os.path.realpath(SRC), os.path.realpath(BUILD)):
                if tree in text:
                    leaks.append(f"{os.path.relpath(f, prefix)} names {tree}")
        check(not leaks, f"installed package files are relocatable (no source/build paths) {leaks}")

        want = expected_figures(ipsim, tmp) if ipsim else None
        check(want is not None, f"installed `ipsim run` prints agents and arrivals {want}")

        # 1. pkg-config and cc
        src = os.path.join(tmp, "consumer.c")
        with open(src, "w") as f:
            f.write(PROGRAM)
        if shutil.which("pkg-config") is None:
            check(False, "pkg-config is installed (apt-get install pkg-config, or run ./scripts/deps)")
        elif pc:
            pc_env = dict(env, PKG_CONFIG_PATH=os.path.dirname(pc))
            p = run(["pkg-config", "--cflags", "--libs", "--static", "ipsim"], env=pc_env)
            flags = shlex.split(p.stdout)
            check(p.returncode == 0 and "-lipsim" in flags and "-fopenmp" in flags,
                  f"pkg-config --cflags --libs --static ipsim: {p.stdout.strip()}" + tail(p))
            p = run(["pkg-config", "--modversion", "ipsim"], env=pc_env)
            check(p.stdout.strip() == version_of_header(),
                  f"pkg-config --modversion ipsim: {p.stdout.strip()}")
            exe = os.path.join(tmp, "consumer_pc")
            p = run([os.environ.get("CC", "cc")] + CFLAGS + [src, "-o", exe] + flags, env=env)
            if check(p.returncode == 0, "cc consumer.c $(pkg-config --cflags --libs --static ipsim)" + tail(p)):
                check_program(exe, "pkg-config build", want)

        # 2. CMake: find_package(ipsim CONFIG REQUIRED), ipsim::ipsim
        proj = os.path.join(tmp, "cmake_consumer")
        os.makedirs(proj)
        shutil.copy(src, proj)
        with open(os.path.join(proj, "CMakeLists.txt"), "w") as f:
            f.write(CMAKE_PROJECT)
        bdir = os.path.join(proj, "build")
        p = run(["cmake", "-S", proj, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={prefix}",
                 "-DCMAKE_C_FLAGS=" + " ".join(CFLAGS[1:])], env=env)
        found = re.search(r"ipsim_DIR=(.*)", p.stdout)
        check(p.returncode == 0 and found and config
              and os.path.realpath(found.group(1)) == os.path.dirname(os.path.realpath(config)),
              f"find_package(ipsim CONFIG REQUIRED) finds the installed package "
              f"({found.group(1) if found else None})" + tail(p))
        if p.returncode == 0:
            p = run(["cmake", "--build", bdir, "--verbose"], env=env)
            if check(p.returncode == 0, "cmake --build of a project linking ipsim::ipsim" + tail(p)):
                compile_lines = [line for line in p.stdout.splitlines() if "consumer.c" in line and " -c " in line]
                check(compile_lines and all(os.path.join(SRC, "sim") not in line and "/sim " not in line
                                            for line in compile_lines),
                      "ipsim::ipsim gives only the installed include dir (no sim/): "
                      + (compile_lines[0] if compile_lines else "no compile line"))
                check_program(os.path.join(bdir, "consumer"), "CMake build", want)

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cache_options():
    """The IPSIM_* options of the build tree's CMakeCache.txt (name -> value)."""
    opts = {}
    try:
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            for line in f:
                m = re.match(r"(IPSIM_\w+):BOOL=(.*)", line.strip())
                if m:
                    opts[m.group(1)] = m.group(2).upper()
    except OSError:
        pass
    return opts


def version_of_header():
    text = open(os.path.join(SRC, "include", "ipsim", "ipsim.h")).read()
    m = re.search(r'#define IPSIM_VERSION_STRING "([^"]*)"', text)
    return m.group(1) if m else None


if __name__ == "__main__":
    sys.exit(main())
