#!/usr/bin/python3
"""gen_manpage.py - write the man page scripts/ipsim.1 with help2man.

Usage: scripts/gen_manpage.py [--ipsim build/ipsim] [-o scripts/ipsim.1]

help2man (Debian package help2man, not needed to build or test ipsim) turns
`ipsim --help` and `ipsim --version` into the page; the help of every command
(`ipsim help COMMAND`) is appended as a section of its own, together with
FILES and SEE ALSO. View it with: man ./scripts/ipsim.1
tests/test_docs.py checks that the page names every command of `ipsim --help`
and, when help2man is installed, that it is up to date.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def commands(exe):
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    block = out.split("Commands:", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\s{2}([a-z]+)\s", block, re.M)]


def roff_verbatim(text):
    lines = []
    for ln in text.rstrip("\n").split("\n"):
        ln = ln.replace("\\", "\\e")
        if ln.startswith((".", "'")):
            ln = "\\&" + ln
        lines.append(ln)
    return ".nf\n" + "\n".join(lines) + "\n.fi\n"


def include_text(exe):
    parts = []
    for c in commands(exe):
        if c == "help":
            continue
        h = subprocess.run([exe, "help", c], capture_output=True, text=True).stdout
        h = h.split("\nExit status:", 1)[0]  # the exit codes are listed once, from --help
        parts.append(f".SS \"ipsim {c}\"\n" + roff_verbatim(h))
    return ("[COMMANDS]\n" + "\n".join(parts) +
            "\n[FILES]\n.TP\n.B scenarios/*.json\nScenario files; schema in scenarios/ipsim.schema.json, reference in "
            "scenarios/REFERENCE.md.\n.TP\n.B scenarios/experiments/*.json\nExperiment files for "
            ".B ipsim sweep.\n.TP\n.B OUT.h5\nResult files (HDF5, readable as netCDF-4); layout in results/README.md, "
            "\"Output (HDF5)\".\n"
            "\n[SEE ALSO]\nREADME.md and sim/ODD.md in the ipsim source tree; scripts/plot_run.py, "
            "scripts/plot_compare.py, scripts/plot_sweep.py, scripts/report.py;\n.BR h5dump (1),\n.BR ncdump (1).\n")


def generate(exe, out):
    if not shutil.which("help2man"):
        sys.exit("gen_manpage.py: help2man not found; install it with: apt-get install help2man")
    with tempfile.TemporaryDirectory() as tmp:
        inc = os.path.join(tmp, "ipsim.h2m")
        with open(inc, "w") as fh:
            fh.write(include_text(exe))
        # a fixed program name, not the build path
        wrapper = os.path.join(tmp, "ipsim")
        with open(wrapper, "w") as fh:
            fh.write(f"#!/bin/sh\nexec '{os.path.abspath(exe)}' \"$@\"\n")
        os.chmod(wrapper, 0o755)
        subprocess.run(["help2man", "--no-info", "--section=1", "--include", inc,
                        "--name=simulate visitor flows to a cultural-tourism destination", "--output", out,
                        wrapper], check=True, env=dict(os.environ, SOURCE_DATE_EPOCH="1780000000"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ipsim", default=os.environ.get("IPSIM_BIN", os.path.join(ROOT, "build", "ipsim")))
    ap.add_argument("-o", "--output", default=os.path.join(ROOT, "scripts", "ipsim.1"))
    a = ap.parse_args()
    generate(a.ipsim, a.output)
    print(a.output)


if __name__ == "__main__":
    main()
