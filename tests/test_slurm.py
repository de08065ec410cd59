#!/usr/bin/python3
"""The Slurm scripts of scripts/slurm/ on a real one-node Slurm (label "slurm").

scripts/slurm/local-cluster.sh starts a private Slurm (munged, slurmctld,
slurmd of Debian's slurm-wlm; installed with apt-get when root and missing)
under a temporary folder, on ports 6917/6918 (IPSIM_SLURM_PORT; the next
free pair in steps of 10 when taken). Then, on a
small arms experiment (120 days, 3 arms, 2 replicates, scale 500: units
of about 50 ms, long enough that a cut lands while units are left):

  array   sweep-array.sbatch with 3 shards: logs %x-%A_%a.out and %x-%j.out,
          the merged file equals the serial sweep (scripts/h5same.py); a
          requeued task of a complete shard does nothing and exits 0, and
          appends to its log
  refuse  the submit step refuses an existing OUT.h5, N above the number of
          units, and shards left by an earlier attempt, submitting nothing
  recover shard 2 is cut short (SIGTERM once its journal exists, as a time
          limit would): its task fails, the merge is cancelled
          (--kill-on-invalid-dep=yes); --recover resubmits only shard 2 and a
          merge, and the result equals the serial sweep; with every shard
          complete, --recover submits just the merge
  mpi     sweep-mpi.sbatch with 2 tasks (srun --mpi=pmix): one MPI sweep (a
          single summary line, not one per rank), equal to the serial sweep;
          an MPI run cut short is finished by the finishing job; a launch
          that fails makes the finishing job fail without rerunning anything
          (needs the MPI build: IPSIM_MPI_BIN, else IPSIM_SOURCE_DIR/build-mpi/ipsim;
          skipped with a message otherwise)

Skips (exit 0, "SKIP: ...") only when slurm-wlm/munge are missing and this
is not root. The daemons are stopped (by their PID files) in any case.

    /usr/bin/python3 tests/test_slurm.py
    IPSIM_MPI_BIN=build-mpi/ipsim /usr/bin/python3 tests/test_slurm.py
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(os.environ.get("IPSIM_BIN") or os.path.join(SRC, "build", "ipsim"))
SLURM = os.path.join(SRC, "scripts", "slurm")
CLUSTER = os.path.join(SLURM, "local-cluster.sh")
ARRAY = os.path.join(SLURM, "sweep-array.sbatch")
MPI = os.path.join(SLURM, "sweep-mpi.sbatch")
H5SAME = os.path.join(SRC, "scripts", "h5same.py")
PORT = os.environ.get("IPSIM_SLURM_PORT", "6917")   # slurmctld; slurmd takes the next one
WAIT = 240          # seconds for one group of jobs
# people per agent in the experiment: units of about 50 ms (120 days), so
# that the cutter's SIGTERM, sent within milliseconds of the journal's
# appearance, always finds units left (at scale 50000 and 30 days a whole
# sweep took 0.1 s and an MPI run once finished first)
UNIT_SCALE = 500
FINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
         "PREEMPTED", "BOOT_FAIL", "DEADLINE"}


def free_ports(first):
    """The first port from first on (in steps of 10) where it and the next are
    free, so that two runs of this test on one machine do not clash."""
    for port in range(first, first + 200, 10):
        try:
            for p in (port, port + 1):
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as Slurm does
                    s.bind(("", p))
            return port
        except OSError:
            continue
    return first


def mpi_bin():
    b = os.environ.get("IPSIM_MPI_BIN")
    if b:
        return os.path.abspath(b)
    b = os.path.join(SRC, "build-mpi", "ipsim")
    return b if os.path.exists(b) else None


# a stand-in for ipsim that cuts one sweep short the way a time limit would
# (SIGTERM; ipsim stops after the unit in flight and keeps its journal): the
# array task IPSIM_TEST_CUT, or rank 0 of the MPI run when IPSIM_TEST_CUT=run.
# Should the sweep finish before the signal, the output is removed, so the
# shard is always partial (journal) or missing, never complete.
CUTTER = r"""#!/bin/bash
real=${IPSIM_TEST_REAL:?}
cut=0
case "${IPSIM_SLURM_ROLE:-}" in
shard) [ "${SLURM_ARRAY_TASK_ID:-}" = "${IPSIM_TEST_CUT:-}" ] && cut=1 ;;
run) [ "${IPSIM_TEST_CUT:-}" = run ] && [ "${PMIX_RANK:-0}" = 0 ] && cut=1 ;;
esac
out= prev=
for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
if [ "$cut" = 1 ] && [ "$1" = sweep ] && [ -n "$out" ]; then
    "$real" "$@" &
    pid=$!
    while [ ! -e "$out.journal" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.002; done
    kill -TERM "$pid" 2>/dev/null
    rc=0
    wait "$pid" || rc=$?
    if [ -e "$out" ] && [ ! -e "$out.journal" ]; then rm -f "$out"; echo "test-cutter: finished first; removed $out" >&2; fi
    echo "test-cutter: cut short (ipsim exit $rc)" >&2
    exit 75
fi
exec "$real" "$@"
"""


class Failed(Exception):
    pass


def check(cond, what, proc=None):
    if not cond:
        if proc is not None:
            what += "\n  exit %s\n  stdout: %s\n  stderr: %s" % (
                proc.returncode, (proc.stdout or "")[-3000:].strip(), (proc.stderr or "")[-3000:].strip())
        raise Failed(what)


class Test:
    def __init__(self, tmp):
        self.tmp = tmp
        self.cluster = os.path.join(tmp, "cluster")
        self.work = os.path.join(tmp, "work")
        os.makedirs(self.work)
        self.env = dict(os.environ)
        self.env.update({"SLURM_CONF": os.path.join(self.cluster, "etc", "slurm.conf"),
                         "IPSIM_SLURM_PORT": str(free_ports(int(PORT))), "IPSIM": BIN,
                         # 1 CPU a shard: two shards at a time on a 2-CPU machine
                         "IPSIM_SBATCH_OPTS": "--cpus-per-task=1 --time=10:00",
                         "IPSIM_SBATCH_MERGE_OPTS": "--time=10:00"})
        self.env.pop("SLURM_JOB_ID", None)
        self.failed = 0

    # ---- helpers ---------------------------------------------------------
    def run(self, args, env=None, timeout=120):
        e = dict(self.env)
        e.update(env or {})
        return subprocess.run(args, cwd=self.work, env=e, capture_output=True, text=True,
                              timeout=timeout)

    def job_lines(self, jobid):
        p = self.run(["scontrol", "-o", "show", "job", str(jobid)])
        check(p.returncode == 0, "scontrol show job %s" % jobid, p)
        out = []
        for line in p.stdout.splitlines():
            f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            out.append(f)
        return out

    def wait(self, *jobids, timeout=WAIT):
        """Wait until every job (array jobs: every task) has ended; returns
        {jobid: [(task, state, reason)...]}."""
        end = time.time() + timeout
        while True:
            res, busy = {}, False
            for j in jobids:
                lines = self.job_lines(j)
                res[j] = [(f.get("ArrayTaskId", ""), f.get("JobState", "?"), f.get("Reason", ""))
                          for f in lines]
                busy |= any(s not in FINAL for _, s, _ in res[j])
            if not busy:
                return res
            if time.time() > end:
                q = self.run(["squeue"]).stdout
                raise Failed("jobs %s not done after %d s: %s\n%s" % (jobids, timeout, res, q))
            time.sleep(0.5)

    def same(self, a, b):
        p = subprocess.run([sys.executable, H5SAME, a, b], cwd=self.work, capture_output=True,
                           text=True)
        check(p.returncode == 0, "%s differs from %s (scripts/h5same.py)" % (a, b), p)

    def log(self, name):
        with open(os.path.join(self.work, "results", "slurm", name)) as f:
            return f.read()

    def queue_empty(self):
        return self.run(["squeue", "-h"]).stdout.strip() == ""

    def part(self, name, fn):
        t0 = time.time()
        try:
            fn()
            print("ok   %-8s (%.0f s)" % (name, time.time() - t0), flush=True)
        except (Failed, subprocess.TimeoutExpired) as e:
            self.failed += 1
            print("FAIL %-8s %s" % (name, e), flush=True)

    # ---- the experiment and the serial reference -------------------------
    def setup(self):
        exp = os.path.join(self.work, "exp.json")
        base = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
        with open(exp, "w") as f:
            f.write("""{"name": "slurm_test", "description": "test: three arms of digital fluency",
 "base": {"base": "%s", "simulation": {"days": 120}},
 "replicates": 2, "scale": %d,
 "design": {"type": "arms", "reference": "low", "arms": [
   {"name": "low", "set": {"destination.digital_fluency": 0.3}},
   {"name": "mid", "set": {"destination.digital_fluency": 0.5}},
   {"name": "high", "set": {"destination.digital_fluency": 0.8}}]}}
""" % (base, UNIT_SCALE))
        p = self.run([BIN, "sweep", "exp.json", "-o", "serial.h5", "-q"])
        check(p.returncode == 0, "serial sweep", p)
        cutter = os.path.join(self.tmp, "cutter.sh")
        with open(cutter, "w") as f:
            f.write(CUTTER)
        os.chmod(cutter, 0o755)
        self.cutter = cutter

    # ---- the parts -------------------------------------------------------
    def array(self):
        p = self.run([ARRAY, "exp.json", "out/a.h5", "3"])
        check(p.returncode == 0, "sweep-array.sbatch submit", p)
        m = re.search(r"job array (\d+) and the merge as job (\d+)", p.stdout)
        check(m, "submit output: %r" % p.stdout)
        arr, merge = m.group(1), m.group(2)
        res = self.wait(arr, merge)
        check(all(s == "COMPLETED" for _, s, _ in res[arr] + res[merge]), "job states: %s" % res)
        self.same("out/a.h5", "serial.h5")
        for k in (1, 2, 3):
            self.log("ipsim-sweep-%s_%d.out" % (arr, k))
        check("paired differences" in self.log("ipsim-merge-%s.out" % merge),
              "the merge log has no analysis")
        # a requeued task whose shard is complete does nothing, and exits 0
        # (ipsim's own --resume of a complete file exits 73); its log is
        # appended to, not truncated
        p = self.run(["scontrol", "requeue", "%s_1" % arr])
        check(p.returncode == 0, "scontrol requeue %s_1" % arr, p)
        # Slurm holds a requeued job for about 2 minutes (Reason=BeginTime)
        for _ in range(20):
            time.sleep(0.5)
            if self.run(["scontrol", "update", "jobid=%s_1" % arr, "StartTime=now"]).returncode == 0:
                break
        res = self.wait(arr)
        check(all(s == "COMPLETED" for _, s, _ in res[arr]), "after the requeue: %s" % res)
        text = self.log("ipsim-sweep-%s_1.out" % arr)
        check("already complete" in text and "2 units: 2 done" in text,
              "the requeued task's log:\n" + text)

    def refuse(self):
        before = self.run(["squeue", "-h", "-o", "%i"]).stdout
        p = self.run([ARRAY, "exp.json", "out/a.h5", "3"])       # out/a.h5 exists
        check(p.returncode == 73 and "already exists" in p.stderr, "existing OUT.h5 not refused", p)
        p = self.run([ARRAY, "exp.json", "out/n.h5", "7"])       # 6 units
        check(p.returncode == 64 and "6 units" in p.stderr, "N > units not refused", p)
        os.makedirs(os.path.join(self.work, "out"), exist_ok=True)
        open(os.path.join(self.work, "out", "n.shard2-of-3.h5.journal"), "w").close()
        p = self.run([ARRAY, "exp.json", "out/n.h5", "3"])       # leftovers
        check(p.returncode == 73 and "--recover" in p.stderr, "leftover shards not refused", p)
        os.remove(os.path.join(self.work, "out", "n.shard2-of-3.h5.journal"))
        if MPI_BIN:
            p = self.run([MPI, "exp.json", "out/a.h5"], env={"IPSIM": MPI_BIN})
            check(p.returncode == 73 and "already exists" in p.stderr,
                  "sweep-mpi.sbatch: existing OUT.h5 not refused", p)
        after = self.run(["squeue", "-h", "-o", "%i"]).stdout
        check(before == after == "", "a refused submission submitted jobs: %r" % after)

    def recover(self):
        cut = {"IPSIM": self.cutter, "IPSIM_TEST_REAL": BIN, "IPSIM_TEST_CUT": "2"}
        p = self.run([ARRAY, "exp.json", "out/r.h5", "3"], env=cut)
        check(p.returncode == 0, "sweep-array.sbatch submit", p)
        arr, merge = re.search(r"job array (\d+) and the merge as job (\d+)", p.stdout).groups()
        res = self.wait(arr, merge)
        states = {t: s for t, s, _ in res[arr]}
        check(states == {"1": "COMPLETED", "2": "FAILED", "3": "COMPLETED"},
              "array states: %s" % res[arr])
        check(res[merge][0][1] == "CANCELLED", "the merge was not cancelled: %s" % res[merge])
        check(not os.path.exists(os.path.join(self.work, "out", "r.h5")), "r.h5 written")
        shard2 = os.path.join(self.work, "out", "r.shard2-of-3.h5")
        was = "partial (journal)" if os.path.exists(shard2 + ".journal") else "missing"
        check(not os.path.exists(shard2) or os.path.exists(shard2 + ".journal"),
              "shard 2 complete after being cut")
        check(self.queue_empty(), "jobs left in the queue after the failure")
        # resubmitting the whole array is refused (shards 1 and 3 are there)
        p = self.run([ARRAY, "exp.json", "out/r.h5", "3"])
        check(p.returncode == 73 and "--recover" in p.stderr, "plain resubmit not refused", p)
        p = self.run([ARRAY, "--recover", "exp.json", "out/r.h5", "3"])
        check(p.returncode == 0, "--recover", p)
        m = re.search(r"resubmitted shards (\S+) of 3 as job array (\d+) and the merge as job (\d+)",
                      p.stdout)
        check(m and m.group(1) == "2", "--recover should resubmit shard 2 only: %r" % p.stdout)
        arr2, merge2 = m.group(2), m.group(3)
        res = self.wait(arr2, merge2)
        check([s for _, s, _ in res[arr2] + res[merge2]] == ["COMPLETED", "COMPLETED"],
              "recovery job states: %s" % res)
        self.same("out/r.h5", "serial.h5")
        shard_log = self.log("ipsim-sweep-%s_2.out" % arr2)
        check(was == "missing" or "resumed:" in shard_log, "shard 2 did not resume: " + shard_log)
        # every shard complete (a requeued task finished, say): only a merge
        os.remove(os.path.join(self.work, "out", "r.h5"))
        p = self.run([ARRAY, "--recover", "exp.json", "out/r.h5", "3"])
        m = re.search(r"every shard is complete; submitted the merge as job (\d+)", p.stdout)
        check(p.returncode == 0 and m, "--recover with every shard complete", p)
        res = self.wait(m.group(1))
        check(res[m.group(1)][0][1] == "COMPLETED", "merge: %s" % res)
        self.same("out/r.h5", "serial.h5")
        print("     shard 2 was %s after the cut; --recover resubmitted only it" % was)

    def mpi(self):
        env = {"IPSIM": MPI_BIN, "IPSIM_SBATCH_OPTS": "--ntasks=2 --time=10:00"}
        p = self.run([MPI, "exp.json", "out/m.h5"], env=env)
        check(p.returncode == 0, "sweep-mpi.sbatch submit", p)
        run, fin = re.search(r"as job (\d+) and its finishing job as (\d+)", p.stdout).groups()
        res = self.wait(run, fin)
        check([r[0][1] for r in res.values()] == ["COMPLETED", "COMPLETED"], "states: %s" % res)
        self.same("out/m.h5", "serial.h5")
        summaries = re.findall(r"^ipsim: out/m.h5: 6 units", self.log("ipsim-sweep-mpi-%s.out" % run), re.M)
        check(len(summaries) == 1, "%d summary lines in the MPI log: the ranks ran as %s"
              % (len(summaries), "independent copies (no PMI)" if len(summaries) > 1 else "?"))
        check("paired differences" in self.log("ipsim-sweep-finish-%s.out" % fin),
              "the finishing job did not print the analysis")

    def mpi_cut(self):
        env = {"IPSIM": self.cutter, "IPSIM_TEST_REAL": MPI_BIN, "IPSIM_TEST_CUT": "run",
               "IPSIM_SBATCH_OPTS": "--ntasks=2 --time=10:00",
               "IPSIM_SBATCH_MERGE_OPTS": "--cpus-per-task=2 --time=10:00"}
        p = self.run([MPI, "exp.json", "out/c.h5"], env=env)
        check(p.returncode == 0, "sweep-mpi.sbatch submit", p)
        run, fin = re.search(r"as job (\d+) and its finishing job as (\d+)", p.stdout).groups()
        res = self.wait(run, fin)
        check(res[fin][0][1] == "COMPLETED", "the finishing job: %s" % res)
        text = self.log("ipsim-sweep-finish-%s.out" % fin)
        if "stopped before the end" in text:
            check("with 2 threads" in text and "resumed:" in text,
                  "the finishing job did not resume with 2 threads:\n" + text)
        else:
            # the cutter removed a finished file: nothing to resume
            check(False, "the MPI run was not cut short:\n" + text)
        self.same("out/c.h5", "serial.h5")

    def mpi_launch_fails(self):
        env = {"IPSIM": MPI_BIN, "IPSIM_LAUNCH": "false", "IPSIM_SBATCH_OPTS": "--ntasks=2 --time=10:00"}
        p = self.run([MPI, "exp.json", "out/f.h5"], env=env)
        check(p.returncode == 0, "sweep-mpi.sbatch submit", p)
        run, fin = re.search(r"as job (\d+) and its finishing job as (\d+)", p.stdout).groups()
        res = self.wait(run, fin)
        check(res[run][0][1] == "FAILED" and res[fin][0][1] == "FAILED",
              "a failed launch should fail both jobs: %s" % res)
        text = self.log("ipsim-sweep-finish-%s.out" % fin)
        check("wrote neither" in text, "the finishing job does not say why:\n" + text)
        check(not any(os.path.exists(os.path.join(self.work, "out", n)) for n in ("f.h5", "f.h5.journal")),
              "the finishing job ran the sweep")


MPI_BIN = mpi_bin()


def main():
    for f in (BIN, CLUSTER, ARRAY, MPI):
        if not os.path.exists(f):
            print("missing: %s" % f)
            return 1
    tmp = tempfile.mkdtemp(prefix="ipsim-slurm-")
    t = Test(tmp)
    t0 = time.time()
    try:
        p = t.run([CLUSTER, "start", t.cluster], timeout=900)
        if p.returncode == 77:
            print("SKIP: slurm-wlm and munge are not installed and this is not root: %s"
                  % p.stderr.strip())
            return 0
        if p.returncode != 0:
            print("FAIL could not start the local Slurm:\n%s\n%s" % (p.stdout, p.stderr))
            for log in ("slurmctld.log", "slurmd.log", "munged.log"):
                path = os.path.join(t.cluster, "log", log)
                if os.path.exists(path):
                    print("---- %s\n%s" % (log, open(path).read()[-3000:]))
            return 1
        print("ok   cluster  (%.0f s) %s" % (time.time() - t0, p.stderr.strip().splitlines()[-1]),
              flush=True)
        t.setup()
        t.part("array", t.array)
        t.part("refuse", t.refuse)
        t.part("recover", t.recover)
        if MPI_BIN:
            t.part("mpi", t.mpi)
            t.part("mpi-cut", t.mpi_cut)
            t.part("mpi-fail", t.mpi_launch_fails)
        else:
            print("skip mpi      no MPI build (set IPSIM_MPI_BIN or build build-mpi with "
                  "-DIPSIM_MPI=ON): sweep-mpi.sbatch not tested")
    finally:
        p = t.run([CLUSTER, "stop", t.cluster], timeout=120)
        if p.returncode != 0:
            print("FAIL stopping the local Slurm: %s" % p.stderr)
            t.failed += 1
        if t.failed:
            print("kept %s for inspection" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%s (%.0f s)" % ("all Slurm tests passed" if not t.failed else "%d failed" % t.failed,
                           time.time() - t0))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
