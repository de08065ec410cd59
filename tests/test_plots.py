"""test_plots.py - the plotting scripts produce their pictures from real runs.

Runs the baseline at a coarse scale, then scripts/plot_run.py on the file, and
checks that the PNG and SVG exist, are of the expected kind and not trivially
small; a sweep file or a non-ipsim file is refused with a clear message.
"""
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


with tempfile.TemporaryDirectory() as tmp:
    run = os.path.join(tmp, "run.h5")
    p = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "jiamusi_baseline.json"), "-o", run,
                        "--scale", "5000", "--quiet"], capture_output=True, text=True)
    check(p.returncode == 0, f"baseline run (exit {p.returncode}) {p.stderr[-300:]}")
    prefix = os.path.join(tmp, "pic")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "plot_run.py"), run, "-o", prefix],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"plot_run.py exit {p.returncode} {p.stderr[-500:]}")
    for ext, magic in (("png", b"\x89PNG"), ("svg", b"<?xml")):
        path = f"{prefix}.{ext}"
        ok = os.path.exists(path) and os.path.getsize(path) > 20000
        head = open(path, "rb").read(5) if os.path.exists(path) else b""
        check(ok and head.startswith(magic), f"{ext} written ({os.path.getsize(path) if ok else 0} bytes)")
    bogus = os.path.join(tmp, "bogus.h5")
    with open(bogus, "w") as fh:
        fh.write("not hdf5")
    p = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "plot_run.py"), bogus],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "cannot open" in p.stderr, "a non-HDF5 file is refused with a message")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
