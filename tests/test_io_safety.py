#!/usr/bin/python3
"""Hardening of `ipsim run` outputs and `ipsim info` inputs (issue 11,
"nothing lost, nothing mixed"): one test function per finding, named
finding<N>_<what>. Each failed with the build before the fix (shown by
running this file with IPSIM_BIN=/path/to/old/ipsim) and passes now.

  finding1_output_not_regular   -o at a FIFO, a character device or a
                                symlink is refused (with --force too) and
                                left as it was
  finding4_one_writer           two `run --force` of one output: the second
                                is refused at once (exit 73) while the
                                first holds OUT.lock; temp files are unique
                                and created O_EXCL; the lock file itself
                                may not be a symlink
  finding8_info_fifo            `info` of a FIFO is refused at once (66)
  finding9_info_hostile         `info` of hostile or corrupt HDF5 files
                                (generated here with h5py): exit 65, no
                                sanitizer report, no hang, never a summary
                                of nonsense
  finding11_scenario_reproduces /scenario of a run made with --days,
                                --scale, --seed and --set reruns to
                                identical datasets; --days N and --set
                                simulation.days=N give the same file
(The MPI part of finding 4 is tests/test_io_safety_mpi.py.)

Run by ctest (test_io_safety, in the normal and the ASan build) with
IPSIM_BIN set; `python3 tests/test_io_safety.py [NAME...]` runs some by hand.
IPSIM_SAFETY_TIMEOUT (seconds per command, default 60) bounds each call: a
call that runs out of time is a hang.
"""
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import Skip, run_tests  # noqa: E402

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim")
PY = "/usr/bin/python3"
TIMEOUT = float(os.environ.get("IPSIM_SAFETY_TIMEOUT", "60"))
SCEN = os.path.join(SRC, "scenarios")
FAST = ["--scale", "20000", "--days", "30", "-q"]
EX_DATAERR, EX_NOINPUT, EX_CANTCREAT = 65, 66, 73
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer",
                   "Segmentation fault", "core dumped", "HDF5-DIAG")

_tmp = tempfile.mkdtemp(prefix="ipsim-safety-")


def ipsim(*args, timeout=None):
    try:
        return subprocess.run([BIN] + [str(a) for a in args], capture_output=True, text=True,
                              timeout=timeout or TIMEOUT, errors="replace")
    except subprocess.TimeoutExpired:
        raise AssertionError("ipsim %s: no answer within %gs (hangs)" % (" ".join(map(str, args)), timeout or TIMEOUT))


def check(cond, what, proc=None):
    if not cond:
        if proc is not None:
            what += "\n    exit %d\n    stdout: %s\n    stderr: %s" % (proc.returncode, proc.stdout[-800:],
                                                                      proc.stderr[-800:])
        raise AssertionError(what)


def no_sanitizer(proc, what):
    for mark in SANITIZER_MARKS:
        check(mark not in proc.stderr and mark not in proc.stdout, "%s: %r in the output" % (what, mark), proc)


def tmp(name):
    d = os.path.join(_tmp, name)
    os.makedirs(d, exist_ok=True)
    return d


def need_h5py():
    try:
        import h5py  # noqa: F401
        import numpy  # noqa: F401
    except ImportError:
        raise Skip("python3-h5py/numpy not installed")


_base = {}


def base_run():
    """A small valid run file (made once)."""
    if "run" not in _base:
        out = os.path.join(tmp("base"), "run.h5")
        p = ipsim("run", os.path.join(SCEN, "mechanism_a.json"), "-o", out, "--force", *FAST)
        check(p.returncode == 0, "the base run failed", p)
        _base["run"] = out
    return _base["run"]


# ---- finding 1 --------------------------------------------------------------

def finding1_output_not_regular():
    d = tmp("f1")
    scen = os.path.join(SCEN, "mechanism_a.json")
    fifo = os.path.join(d, "fifo.h5")
    os.mkfifo(fifo)
    nodes = [("FIFO", fifo)]
    if os.geteuid() == 0:  # a device node like /dev/null (mknod needs root)
        dev = os.path.join(d, "null.h5")
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        nodes.append(("character device", dev))
    victim = os.path.join(d, "victim.txt")
    with open(victim, "w") as fh:
        fh.write("precious\n")
    link = os.path.join(d, "link.h5")
    os.symlink(victim, link)
    nodes.append(("symbolic link", link))
    for kind, node in nodes:
        before = os.lstat(node)
        for force in (["--force"], []):
            p = ipsim("run", scen, "-o", node, *force, *FAST)
            check(p.returncode == EX_CANTCREAT, "run -o %s %s: expected exit 73" % (kind, force), p)
            check("not a regular file" in p.stderr, "run -o %s: message names the problem" % kind, p)
            after = os.lstat(node)
            check(stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) and after.st_ino == before.st_ino,
                  "run -o %s %s replaced the node" % (kind, force))
    with open(victim) as fh:
        check(fh.read() == "precious\n", "the symlink's target was changed")
    check(sorted(os.listdir(d)) == sorted(os.path.basename(n) for _, n in nodes) + ["victim.txt"],
          "files left behind: %s" % sorted(os.listdir(d)))


# ---- finding 4 --------------------------------------------------------------

def finding4_one_writer():
    d = tmp("f4")
    out = os.path.join(d, "o.h5")
    slow = os.path.join(SCEN, "jiamusi_baseline.json")
    fast = os.path.join(SCEN, "mechanism_a.json")
    # the first writer runs long enough (a few seconds) to be caught midway
    first = subprocess.Popen([BIN, "run", slow, "-o", out, "--force", "-q", "--scale", "8",
                              "--days", "365", "--threads", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.time()  # the lock is taken before the run starts
        while not os.path.exists(out + ".lock") and first.poll() is None and time.time() - t0 < 1.5:
            time.sleep(0.02)
        time.sleep(0.2)
        check(first.poll() is None, "the first writer ended too soon to test (make its run longer)")
        p = ipsim("run", fast, "-o", out, "--force", *FAST)
        still = first.poll() is None
    finally:
        so, se = first.communicate(timeout=600)
    check(p.returncode == EX_CANTCREAT, "a second writer of one output: expected exit 73 at once", p)
    check("another ipsim process is writing" in p.stderr, "the second writer's message", p)
    check(still, "the second writer did not answer before the first ended")
    check(first.returncode == 0, "the first writer failed: %s" % se)
    need_h5py()
    import h5py
    with h5py.File(out, "r") as f:
        check(f.attrs["scenario_name"] == "jiamusi_baseline" and int(f.attrs["days"]) == 365,
              "the output holds the first writer's run")
    check(sorted(os.listdir(d)) == ["o.h5"], "files left behind: %s" % sorted(os.listdir(d)))

    # a stale lock file (its holder was killed) does not block, and goes
    open(out + ".lock", "w").close()
    p = ipsim("run", fast, "-o", out, "--force", *FAST)
    check(p.returncode == 0, "a stale OUT.lock blocked the run", p)
    # stale temp files of crashed writers are removed; others are kept
    for name in ("o.h5.tmp.123.456", "o.h5.tmp.notours"):
        open(os.path.join(d, name), "w").close()
    p = ipsim("run", fast, "-o", out, "--force", *FAST)
    check(p.returncode == 0, "run with stale temp files", p)
    check(sorted(os.listdir(d)) == ["o.h5", "o.h5.tmp.notours"], "stale temp files: %s" % sorted(os.listdir(d)))
    os.unlink(os.path.join(d, "o.h5.tmp.notours"))
    # the lock file is never followed: a symlink there is refused
    victim = os.path.join(d, "victim.txt")
    with open(victim, "w") as fh:
        fh.write("precious\n")
    os.symlink(victim, out + ".lock")
    p = ipsim("run", fast, "-o", out, "--force", *FAST)
    check(p.returncode == EX_CANTCREAT and "symbolic link" in p.stderr, "a symlink as OUT.lock is refused", p)
    with open(victim) as fh:
        check(fh.read() == "precious\n", "the lock symlink's target was changed")


# ---- finding 8 --------------------------------------------------------------

def finding8_info_fifo():
    d = tmp("f8")
    fifo = os.path.join(d, "fifo.h5")
    os.mkfifo(fifo)
    t0 = time.time()
    p = ipsim("info", fifo, timeout=10)
    check(p.returncode == EX_NOINPUT, "info of a FIFO: expected exit 66", p)
    check("not a regular file" in p.stderr, "info of a FIFO: message", p)
    check(time.time() - t0 < 5, "info of a FIFO took %.1fs" % (time.time() - t0))
    p = ipsim("info", d, timeout=10)
    check(p.returncode == EX_NOINPUT, "info of a directory: expected exit 66", p)


# ---- finding 9 --------------------------------------------------------------

def hostile_files(base, d):
    """Hostile or corrupt variants of the run file base in d: [(name, path)]."""
    import h5py
    import numpy as np
    out = []
    with h5py.File(base, "r") as f:   # markets (M) and assets (A) of the base run
        M = int(f["market"].shape[0])
        A = int(f["asset_daily/crowding"].shape[1])

    def variant(name, edit):
        p = os.path.join(d, name + ".h5")
        shutil.copy(base, p)
        with h5py.File(p, "a") as f:
            edit(f)
        out.append((name, p))

    def replace(path, data=None, **kw):
        def edit(f):
            del f[path]
            if data is None:
                f.create_dataset(path, **kw)
            else:
                f[path] = data
        return edit

    def setattr_(k, v):
        def edit(f):
            f.attrs[k] = v
        return edit

    def delattr_(k):
        def edit(f):
            del f.attrs[k]
        return edit

    variant("days_2e62", setattr_("days", np.int64(2 ** 62)))
    variant("days_zero", setattr_("days", np.int32(0)))
    variant("days_negative", setattr_("days", np.int32(-5)))
    variant("days_fraction", setattr_("days", 30.5))
    variant("days_string", setattr_("days", "thirty"))
    variant("days_array", setattr_("days", np.array([30, 30], dtype=np.int32)))
    variant("days_missing", delattr_("days"))
    variant("days_not_matching", setattr_("days", np.int32(29)))
    variant("start_date_bad", setattr_("start_date", "2025-13-45"))
    variant("start_date_9999", setattr_("start_date", "9999-12-31"))
    variant("start_date_number", setattr_("start_date", 20250101))
    variant("scale_nan", setattr_("scale", np.nan))
    variant("scale_negative", setattr_("scale", -1.0))
    variant("n_agents_negative", setattr_("n_agents", np.int64(-7)))
    variant("version_number", setattr_("ipsim_version", 3))
    variant("seed_float", setattr_("seed", 1.5))
    variant("days_completed_over", setattr_("days_completed", np.int32(31)))
    variant("name_huge_fixed", setattr_("scenario_name", np.bytes_(b"x" * (1 << 17))))
    # datasets: huge, wrong shape, wrong type, wrong values
    variant("arrivals_2e40_chunked", replace("daily/arrivals", shape=(2 ** 40,), dtype="f8", chunks=(1024,)))
    variant("arrivals_2e40_3d", replace("daily/arrivals", shape=(2 ** 20, 2 ** 19, 2), dtype="f8",
                                        chunks=(1, 16, 2)))
    variant("summary_2e40", replace("summary/arrivals", shape=(2 ** 39, 2), dtype="f8", chunks=(64, 2)))
    variant("arrivals_huge_chunk", replace("daily/arrivals", shape=(30, M, 2), maxshape=(None, M, 2),
                                           dtype="f8", chunks=(2 ** 20, M, 2)))
    variant("arrivals_wrong_rank", replace("daily/arrivals", np.zeros((30, 2 * M))))
    variant("arrivals_wrong_days", replace("daily/arrivals", np.zeros((29, M, 2))))
    variant("arrivals_wrong_markets", replace("daily/arrivals", np.zeros((30, M + 1, 2))))
    variant("arrivals_three_segments", replace("daily/arrivals", np.zeros((30, M, 3))))
    variant("arrivals_strings", replace("daily/arrivals", np.array([b"x"] * 30)))
    variant("arrivals_negative", replace("daily/arrivals", -np.ones((30, M, 2))))
    variant("arrivals_nan", replace("daily/arrivals", np.full((30, M, 2), np.nan)))
    variant("arrivals_inf", replace("daily/arrivals", np.full((30, M, 2), np.inf)))
    variant("summary_wrong_markets", replace("summary/arrivals", np.zeros((M - 1, 2))))
    variant("summary_arrivals_nan", replace("summary/arrivals", np.full((M, 2), np.nan)))
    variant("crowding_wrong_assets", replace("asset_daily/crowding", np.zeros((30, A + 2))))
    variant("destination_wrong_days", replace("destination_daily/reputation", np.zeros(31)))
    variant("market_too_many", replace("market", np.array([b"m%d" % i for i in range(100000)])))
    variant("market_numbers", replace("market", np.arange(13.0)))
    variant("market_empty", replace("market", np.array([], dtype="S1")))
    variant("segment_three", replace("segment", np.array([b"a", b"b", b"c"])))
    variant("day_wrong_length", replace("day", np.arange(31, dtype=np.int32)))
    variant("interventions_mismatched", replace("interventions/cost_cny", np.zeros(5)))
    variant("interventions_too_many", replace("interventions/name", np.array([b"i"] * 100000)))
    variant("cells_wrong_shape", replace("cells/agents", np.zeros((13, 3), dtype=np.uint32)))
    variant("daily_is_dataset", replace("daily", np.zeros(3)))
    variant("group_many_members", lambda f: [f["daily"].create_dataset("x%d" % i, data=np.zeros((30, 13, 2)))
                                             for i in range(300)])
    variant("market_string_huge_fixed", replace("market", np.array([b"m" * 100000] * 13)))
    # links: soft, external (to a FIFO: following it would hang), a cycle
    fifo = os.path.join(d, "fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)

    def external(f):
        del f["daily"]
        f["daily"] = h5py.ExternalLink(fifo, "/daily")
    variant("daily_external_fifo", external)

    def external_ds(f):
        del f["summary/arrivals"]
        f["summary/arrivals"] = h5py.ExternalLink(fifo, "/x")
    variant("arrivals_external_fifo", external_ds)

    def soft(f):
        del f["summary"]
        f["summary"] = h5py.SoftLink("/summary")
    variant("summary_soft_cycle", soft)

    def external_storage(f):  # raw data read from another file (a FIFO)
        del f["summary/arrivals"]
        f.create_dataset("summary/arrivals", shape=(13, 2), dtype="f8", external=[(fifo, 0, 13 * 2 * 8)])
    variant("arrivals_external_storage", external_storage)

    # generic listing of another kind: a hard-link cycle of many branches
    def cycle(f):
        f.attrs["ipsim_kind"] = "other"
        g = f.create_group("loop")
        for i in range(12):
            g["l%d" % i] = g
    variant("kind_other_link_cycle", cycle)

    # bytes: truncated and bit-flipped copies
    with open(base, "rb") as fh:
        raw = fh.read()
    for n in (0, 7, 512, 2048, len(raw) // 2, len(raw) - 1):
        p = os.path.join(d, "truncated_%d.h5" % n)
        with open(p, "wb") as fh:
            fh.write(raw[:n])
        out.append(("truncated_%d" % n, p))
    rng = random.Random(11)
    for k in range(40):
        b = bytearray(raw)
        for _ in range(1 + k % 4):
            i = rng.randrange(0, min(len(b), 8192) if k % 2 else len(b))
            b[i] ^= 1 << rng.randrange(8)
        p = os.path.join(d, "bitflip_%02d.h5" % k)
        with open(p, "wb") as fh:
            fh.write(bytes(b))
        out.append(("bitflip_%02d" % k, p))
    return out


def finding9_info_hostile():
    need_h5py()
    d = tmp("f9")
    base = base_run()
    p = ipsim("info", base)
    check(p.returncode == 0 and "(not present)" not in p.stdout, "info of the valid base file", p)
    no_sanitizer(p, "info of the valid base file")
    fails = []
    for name, path in hostile_files(base, d):
        try:
            p = ipsim("info", path, timeout=30)
        except AssertionError as e:
            fails.append("%s: %s" % (name, e))
            continue
        bad = [m for m in SANITIZER_MARKS if m in p.stderr or m in p.stdout]
        flipped = name.startswith("bitflip_")
        if bad:
            fails.append("%s: sanitizer or crash output %s: %s" % (name, bad, p.stderr[-400:]))
        elif name.startswith("kind_other"):  # another kind: listed, cycles once
            if p.returncode != 0:
                fails.append("%s: exit %d (stderr: %s)" % (name, p.returncode, p.stderr.strip()[-300:]))
        elif flipped and p.returncode == 0:
            # a flip may hit a byte that does not matter; then the summary
            # must be whole (no part silently lost)
            if "(not present)" in p.stdout:
                fails.append("%s: exit 0 with parts (not present)" % name)
        elif p.returncode != EX_DATAERR:
            fails.append("%s: exit %d, expected 65 (stderr: %s)" % (name, p.returncode, p.stderr.strip()[-300:]))
        elif not any(m in p.stderr for m in ("not a valid ipsim run file", "not an ipsim result file",
                                             "not a valid ipsim result file")):
            fails.append("%s: message %r" % (name, p.stderr.strip()[-300:]))
    check(not fails, "%d hostile files:\n  %s" % (len(fails), "\n  ".join(fails)))


# ---- finding 11 -------------------------------------------------------------

def h5same(a, b):
    return subprocess.run([PY, os.path.join(SRC, "scripts", "h5same.py"), a, b],
                          capture_output=True, text=True)


def finding11_scenario_reproduces():
    need_h5py()
    import h5py
    d = tmp("f11")
    scen = os.path.join(SCEN, "mechanism_a.json")
    a, b = os.path.join(d, "days.h5"), os.path.join(d, "set.h5")
    common = ["--scale", "20000", "--seed", "77", "--set", "destination.digital_fluency=0.3", "-q", "--force"]
    p = ipsim("run", scen, "-o", a, "--days", "30", *common)
    check(p.returncode == 0, "run --days 30", p)
    p = ipsim("run", scen, "-o", b, "--set", "simulation.days=30", *common)
    check(p.returncode == 0, "run --set simulation.days=30 (as --days 30 is accepted)", p)
    s = h5same(a, b)
    check(s.returncode == 0, "--days 30 and --set simulation.days=30 differ: %s" % s.stderr)
    with h5py.File(a, "r") as f:
        sc = json.loads(f["scenario"][()])
        replicate = int(f.attrs["replicate"])
    sim = sc["simulation"]
    check(sim["days"] == 30 and sim["scale"] == 20000 and str(sim["seed"]) == "77",
          "/scenario holds the run's days, scale and seed: %s" % sim)
    check(sc["destination"]["digital_fluency"] == 0.3, "/scenario holds the --set value")
    stored = os.path.join(d, "stored.json")
    with open(stored, "w") as fh:
        json.dump(sc, fh)
    c = os.path.join(d, "again.h5")
    p = ipsim("run", stored, "-o", c, "--replicate", replicate, "-q")
    check(p.returncode == 0, "running the stored /scenario", p)
    s = h5same(a, c)
    check(s.returncode == 0, "rerunning /scenario does not reproduce the run: %s" % s.stderr)
    # the same holds for a run of the whole period with the defaults
    e = os.path.join(d, "plain.h5")
    p = ipsim("run", os.path.join(SCEN, "mechanism_b.json"), "-o", e, "--scale", "20000", "--days", "45", "-q")
    check(p.returncode == 0, "run mechanism_b", p)
    with h5py.File(e, "r") as f:
        with open(stored, "w") as fh:
            fh.write(f["scenario"][()].decode())
    p = ipsim("run", stored, "-o", os.path.join(d, "plain2.h5"), "-q")
    check(p.returncode == 0 and h5same(e, os.path.join(d, "plain2.h5")).returncode == 0,
          "mechanism_b: /scenario reproduces the run", p)


TESTS = [finding1_output_not_regular, finding4_one_writer, finding8_info_fifo, finding9_info_hostile,
         finding11_scenario_reproduces]


def main(argv):
    return run_tests(TESTS, argv, BIN, scratch=_tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
