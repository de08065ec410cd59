#!/usr/bin/python3
"""Sweeps keep their resume guarantee under kill -9 at random moments
(issue 7, "nothing lost"): a sweep is started, killed with SIGKILL after a
random delay, resumed with --resume and killed again, several times, then
resumed to the end. The file must then hold the same datasets, bit for bit,
as an uninterrupted sweep; no OUT.tmp.* may remain, and no OUT may exist
while the sweep is unfinished. The delays are drawn from a seeded
generator (IPSIM_KILL_SEED, default 7) so that a failure can be replayed.
Skipped when the build has no 'ipsim sweep'.
"""
import fcntl
import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep_common import BIN, SRC, assert_same, check, grid_experiment, ipsim  # noqa: E402

KILLS = 6


def main():
    if subprocess.run([BIN, "help", "sweep"], capture_output=True).returncode != 0:
        print("skip: no 'ipsim sweep' in this build")
        return 0
    seed = int(os.environ.get("IPSIM_KILL_SEED", "7"))
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="ipsim-sweep-kill.")
    try:
        exp = grid_experiment(os.path.join(tmp, "grid.json"), points=5, replicates=4)
        ref = os.path.join(tmp, "reference.h5")
        t0 = time.time()
        p = ipsim("sweep", exp, "-o", ref, "-q")
        check(p.returncode == 0, "uninterrupted sweep", p)
        full = time.time() - t0
        print("uninterrupted sweep: %.2fs (seed %d)" % (full, seed))

        out = os.path.join(tmp, "killed.h5")
        journal = out + ".journal"
        kills = 0
        last_killed = False
        for attempt in range(KILLS):
            args = [BIN, "sweep", exp, "-o", out, "-q"]
            if os.path.exists(journal):
                args.append("--resume")
            proc = subprocess.Popen(args, cwd=SRC, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            # anywhere from start-up to past a whole sweep's time
            delay = rng.uniform(0.0, max(0.2, full * 0.6))
            time.sleep(delay)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait()
            err = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
            state = "killed" if proc.returncode == -signal.SIGKILL else "exit %d" % proc.returncode
            last_killed = proc.returncode == -signal.SIGKILL
            print("  attempt %d: after %.3fs %s; journal %s, output %s"
                  % (attempt + 1, delay, state, os.path.exists(journal), os.path.exists(out)))
            if proc.returncode != -signal.SIGKILL:
                check(proc.returncode == 0, "sweep ended with exit %d: %s" % (proc.returncode, err))
            if os.path.exists(out):
                # complete: the rename is the last step before the journal goes
                break
        if not os.path.exists(out):
            p = ipsim("sweep", exp, "-o", out, "--resume", "-q")
            check(p.returncode == 0, "final resume", p)
            last_killed = False
        elif os.path.exists(journal):
            # killed between publishing OUT and removing the journal
            p = ipsim("sweep", exp, "-o", out, "--resume", "-q")
            check(p.returncode == 0, "resume after a kill between rename and journal removal", p)
            last_killed = False
        check(os.path.exists(out), "the sweep file exists after resuming")
        check(not os.path.exists(journal), "journal removed once the sweep is complete")
        check(not glob.glob(glob.escape(out) + ".tmp*"), "no OUT.tmp.* left")
        lock = out + ".lock"
        if last_killed and os.path.exists(lock):
            # killed after publishing OUT but before removing OUT.lock: the
            # file may stay, but the dead writer's flock went with it
            with open(lock, "rb") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    held = False
                except OSError:
                    held = True
            check(not held, "a leftover OUT.lock of a killed writer is not held")
        else:
            check(not os.path.exists(lock), "no OUT.lock left")
        n = assert_same(ref, out)
        print("%d kills; resumed file equals the uninterrupted one in %d datasets" % (kills, n))
        check(kills >= 2, "at least two kills landed (got %d): the sweep is too fast to test"
              % kills)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print("FAIL: %s" % e)
        sys.exit(1)
