#!/bin/bash
# scripts/slurm/local-cluster.sh - a private one-node Slurm on this machine
# (munged, slurmctld and slurmd of Debian's slurm-wlm), to submit the sbatch
# scripts of this folder to a real Slurm. Used by tests/test_slurm.py.
#
#   local-cluster.sh start DIR    install the packages if missing (root only),
#                                 write DIR/etc/slurm.conf, start the daemons
#   local-cluster.sh stop DIR     cancel this cluster's jobs, stop the daemons
#                                 it started (by the PIDs in DIR's PID files)
#   local-cluster.sh status DIR   the daemons, sinfo and squeue
#   local-cluster.sh env DIR      the export line for the client commands:
#                                 eval "$(scripts/slurm/local-cluster.sh env DIR)"
#
# Everything lives under DIR (configuration, munge key and socket, state,
# spool, logs, PID files); nothing is written elsewhere except by apt-get.
# Environment: IPSIM_SLURM_PORT (slurmctld's port, default 6917; slurmd uses
# the next one), IPSIM_SLURM_CPUS (default: nproc), IPSIM_SLURM_MPI
# (MpiDefault, default none: like many clusters, a plain `srun` then starts
# OpenMPI programs as independent singletons; sweep-mpi.sbatch asks for
# --mpi=pmix itself).
# No cgroups (proctrack/linuxproc, task/none) and no accounting (no sacct).
# Exit status: 0 done; 77 the packages are missing and cannot be installed
# (not root); 1 anything else.
set -euo pipefail

cmd=${1:-}
[ -n "${2:-}" ] || { echo "usage: $0 start|stop|status|env DIR" >&2; exit 2; }
mkdir -p "$2"
DIR=$(cd "$2" && pwd)
CONF=$DIR/etc/slurm.conf
SOCK=$DIR/munge/socket
PORT=${IPSIM_SLURM_PORT:-6917}
CPUS=${IPSIM_SLURM_CPUS:-$(nproc)}
MPI=${IPSIM_SLURM_MPI:-none}
export SLURM_CONF=$CONF

say() { echo "local-cluster: $*" >&2; }
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
have_all() {
    local c
    for c in munged munge unmunge slurmctld slurmd sbatch squeue scontrol; do
        command -v "$c" >/dev/null || return 1
    done
}

install_packages() {
    have_all && return 0
    if [ "$(id -u)" != 0 ]; then
        say "slurm-wlm and munge are not installed and only root can install them"
        exit 77
    fi
    say "installing slurm-wlm munge with apt-get"
    apt-get update -q >/dev/null
    # Debian's policy-rc.d (if any) keeps the packages from starting their own
    # daemons; this cluster starts its own below either way.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
    have_all || { say "apt-get install slurm-wlm munge did not provide every command"; exit 1; }
}

write_config() {
    mkdir -p "$DIR"/etc "$DIR"/munge "$DIR"/state "$DIR"/spool "$DIR"/log "$DIR"/pid
    chmod 700 "$DIR/munge"
    if [ ! -s "$DIR/munge/key" ]; then
        head -c 1024 /dev/urandom > "$DIR/munge/key"
        chmod 600 "$DIR/munge/key"
    fi
    local user
    user=$(id -un)
    cat > "$CONF" <<EOF
# a one-node Slurm written by ipsim's scripts/slurm/local-cluster.sh
ClusterName=ipsimlocal
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/pid/slurmctld.pid
SlurmdPidFile=$DIR/pid/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=$MPI
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=1000 State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

wait_for() {   # wait_for SECONDS COMMAND...: until COMMAND succeeds
    local end=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.2
    done
}
node_ready() { sinfo -h -n localhost -o %T | grep -Eq '^(idle|mixed|allocated)'; }
ctld_up() { scontrol ping | grep -q UP; }

start() {
    install_packages
    if running "$DIR/pid/slurmctld.pid" || running "$DIR/pid/slurmd.pid"; then
        say "already running in $DIR"
        return 0
    fi
    write_config
    if ! running "$DIR/munge/munged.pid"; then
        munged --force --key-file="$DIR/munge/key" --socket="$SOCK" \
            --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" \
            --seed-file="$DIR/munge/seed"
    fi
    wait_for 10 test -S "$SOCK" || { say "munged did not start (see $DIR/log/munged.log)"; exit 1; }
    munge -S "$SOCK" -n | unmunge -S "$SOCK" >/dev/null \
        || { say "munge credentials do not work"; exit 1; }
    slurmctld -f "$CONF"
    wait_for 30 ctld_up || { say "slurmctld did not come up (see $DIR/log/slurmctld.log)"; exit 1; }
    slurmd -f "$CONF" -N localhost
    wait_for 60 node_ready || { say "the node did not become idle (see $DIR/log/slurmd.log)"; exit 1; }
    say "started in $DIR: munged $(cat "$DIR/munge/munged.pid"), slurmctld" \
        "$(cat "$DIR/pid/slurmctld.pid"), slurmd $(cat "$DIR/pid/slurmd.pid"), port $PORT"
}

stop_pid() {   # stop_pid PIDFILE: TERM, then KILL after 10 s
    local f=$1 pid
    running "$f" || return 0
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    say "stopped $(basename "$f" .pid) ($pid)"
}

stop() {
    if running "$DIR/pid/slurmctld.pid" && [ -f "$CONF" ]; then
        # this cluster is private to DIR: cancel whatever is still queued on it
        scancel --quiet --user="$(id -un)" 2>/dev/null || true
        wait_for 20 test -z "$(squeue -h -o %i 2>/dev/null)" || true
    fi
    stop_pid "$DIR/pid/slurmd.pid"
    stop_pid "$DIR/pid/slurmctld.pid"
    stop_pid "$DIR/munge/munged.pid"
}

status() {
    local p
    for p in munge/munged.pid pid/slurmctld.pid pid/slurmd.pid; do
        if running "$DIR/$p"; then echo "$p: running ($(cat "$DIR/$p"))"; else echo "$p: not running"; fi
    done
    sinfo 2>&1 || true
    squeue 2>&1 || true
}

case "$cmd" in
start) start ;;
stop) stop ;;
status) status ;;
env) echo "export SLURM_CONF=$CONF" ;;
*) echo "usage: $0 start|stop|status|env DIR" >&2; exit 2 ;;
esac
