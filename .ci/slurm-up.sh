#!/usr/bin/env bash
# Brings up a single-node Slurm cluster on this machine (Debian 12, Slurm
# 22.05 from the slurm-wlm package) for CI and local development. Needs root.
# No munge, no systemd: auth/none + cred/none, daemons started directly.
#
#   bash .ci/slurm-up.sh      # install if needed, configure, start, self-test
#
# Idempotent: if slurmctld and slurmd are already running and sinfo answers,
# it only makes sure the node is usable and returns 0 (set SLURM_UP_SELFTEST=1
# to run the job self-test then too; SLURM_UP_SELFTEST=0 skips it always).
#
# Stop the cluster:  scontrol shutdown
#   (or: kill "$(cat /run/slurmctld.pid)" "$(cat /run/slurmd.pid)")
# Logs: /var/log/slurm/slurmctld.log, /var/log/slurm/slurmd.log
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
LOG_DIR=/var/log/slurm
CTLD_LOG=$LOG_DIR/slurmctld.log
SLURMD_LOG=$LOG_DIR/slurmd.log
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
STATE_DIR=/var/spool/slurmctld
SPOOL_DIR=/var/spool/slurmd
READY_TIMEOUT=${SLURM_UP_TIMEOUT:-60}
SELFTEST=${SLURM_UP_SELFTEST:-}
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

log() { echo "slurm-up: $*" >&2; }

diagnostics() {
	{
		echo "---- sinfo ----"
		timeout 10 sinfo -N -l 2>&1 || true
		echo "---- scontrol show node ----"
		timeout 10 scontrol show node 2>&1 || true
		echo "---- slurm processes ----"
		ps -C slurmctld,slurmd,slurmstepd -o pid=,args= 2>&1 || echo "(none)"
		for f in "$CTLD_LOG" "$LOG_DIR/slurmctld.out" "$SLURMD_LOG" "$LOG_DIR/slurmd.out"; do
			[ -s "$f" ] || continue
			echo "---- tail -n 40 $f ----"
			tail -n 40 "$f"
		done
	} >&2
}

die() {
	echo "slurm-up: ERROR: $*" >&2
	diagnostics
	echo "slurm-up: ERROR: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || { echo "slurm-up: ERROR: must run as root" >&2; exit 1; }

HOST=$(hostname -s)
[ -n "$HOST" ] || { echo "slurm-up: ERROR: empty hostname" >&2; exit 1; }

# ---------------------------------------------------------------- install
PLUGIN_DIR=/usr/lib/$(uname -m)-linux-gnu/slurm-wlm
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
	! command -v sbatch >/dev/null || [ ! -e "$PLUGIN_DIR/auth_none.so" ]; then
	log "installing slurm-wlm"
	t0=$SECONDS
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || { echo "slurm-up: ERROR: apt-get update failed" >&2; exit 1; }
	apt-get install -y -qq --no-install-recommends slurm-wlm >/dev/null ||
		{ echo "slurm-up: ERROR: apt-get install slurm-wlm failed" >&2; exit 1; }
	log "installed slurm-wlm in $((SECONDS - t0)) s"
fi
for p in auth_none cred_none proctrack_linuxproc task_none select_cons_tres sched_backfill; do
	[ -e "$PLUGIN_DIR/$p.so" ] || { echo "slurm-up: ERROR: Slurm plugin $PLUGIN_DIR/$p.so missing" >&2; exit 1; }
done

# ---------------------------------------------------------------- helpers
# True if a live (non-zombie) process has exactly this name.
# shellcheck disable=SC2009 # pgrep -x would also count zombies
running() { ps -C "$1" -o stat= 2>/dev/null | grep -v '^Z' >/dev/null; }

ctld_up() { [[ "$(timeout 5 scontrol ping 2>/dev/null || true)" == *"is UP"* ]]; }

node_state() { timeout 10 sinfo -h -n "$HOST" -o %T 2>/dev/null | sed -n 1p; }

# Waits until the node is usable; resumes it if it is down or drained.
wait_ready() {
	local deadline=$((SECONDS + READY_TIMEOUT)) state last_resume=-100
	while :; do
		state=$(node_state || true)
		case "$state" in
		idle | mixed | allocated | completing)
			log "node $HOST is $state"
			return 0
			;;
		inval*)
			die "node $HOST is INVALID: its slurm.conf line does not match what slurmd reports (see slurmctld log)"
			;;
		down | drain* | fail*)
			# Responding but down/drained: bring it back (not more than every 5 s).
			if ((SECONDS - last_resume >= 5)); then
				log "node $HOST is $state; resuming it"
				scontrol update nodename="$HOST" state=resume 2>&1 | sed 's/^/slurm-up: scontrol: /' >&2 || true
				last_resume=$SECONDS
			fi
			;;
		esac
		if ! running slurmctld; then die "slurmctld is not running"; fi
		if ! running slurmd; then die "slurmd is not running"; fi
		if ((SECONDS >= deadline)); then
			die "node $HOST not ready after ${READY_TIMEOUT} s (state: '${state:-no answer from sinfo}')"
		fi
		sleep 1
	done
}

# A short job self-test (well under 30 s): a plain job, a 3-task array and a
# dependency chain, run concurrently.
selftest() {
	local dir t0=$SECONDS rc=0 out id first
	dir=$(mktemp -d /tmp/slurm-check.XXXXXX)
	chmod 755 "$dir"
	log "self-test: submitting jobs (outputs in $dir)"
	(
		out=$(timeout 60 sbatch --wait --job-name=check-ok --output="$dir/ok-%j.out" --wrap 'echo ok') ||
			{ echo "plain job: sbatch --wait failed: $out" >"$dir/fail.ok"; exit 1; }
		id=${out##* }
		[ "$(cat "$dir/ok-$id.out" 2>/dev/null)" = ok ] ||
			{ echo "plain job $id: output is '$(cat "$dir/ok-$id.out" 2>&1)', want 'ok'" >"$dir/fail.ok"; exit 1; }
	) &
	local p_ok=$!
	(
		# shellcheck disable=SC2016 # $SLURM_ARRAY_TASK_ID is for the job's shell
		out=$(timeout 60 sbatch --wait --array=0-2 --job-name=check-array --output="$dir/array-%A_%a.out" \
			--wrap 'echo $SLURM_ARRAY_TASK_ID') ||
			{ echo "array job: sbatch --wait failed: $out" >"$dir/fail.array"; exit 1; }
		id=${out##* }
		for i in 0 1 2; do
			[ "$(cat "$dir/array-${id}_$i.out" 2>/dev/null)" = "$i" ] ||
				{ echo "array job ${id}_$i: output is '$(cat "$dir/array-${id}_$i.out" 2>&1)', want '$i'" >"$dir/fail.array"; exit 1; }
		done
	) &
	local p_array=$!
	(
		first=$(sbatch --parsable --job-name=check-dep1 --output="$dir/dep1-%j.out" \
			--wrap "echo first > $dir/chain") ||
			{ echo "dependency chain: first sbatch failed: $first" >"$dir/fail.dep"; exit 1; }
		first=${first%%;*}
		out=$(timeout 60 sbatch --wait --parsable --dependency="afterok:$first" --job-name=check-dep2 \
			--output="$dir/dep2-%j.out" --wrap "cat $dir/chain; echo second") ||
			{ echo "dependency chain: sbatch --wait --dependency=afterok:$first failed: $out" >"$dir/fail.dep"; exit 1; }
		id=${out%%;*}
		[ "$(tr '\n' ' ' <"$dir/dep2-$id.out" 2>/dev/null)" = "first second " ] ||
			{ echo "dependency chain $first -> $id: output is '$(cat "$dir/dep2-$id.out" 2>&1)', want 'first second'" >"$dir/fail.dep"; exit 1; }
	) &
	local p_dep=$!
	wait "$p_ok" || rc=1
	wait "$p_array" || rc=1
	wait "$p_dep" || rc=1
	if [ "$rc" -ne 0 ]; then
		cat "$dir"/fail.* >&2 2>/dev/null || true
		{ echo "---- squeue ----"; timeout 10 squeue -l 2>&1 || true; } >&2
		die "Slurm job self-test failed (job outputs kept in $dir)"
	fi
	rm -rf "$dir"
	log "self-test passed in $((SECONDS - t0)) s (plain job, 3-task array, afterok dependency)"
}

# ---------------------------------------------------------------- already up?
if running slurmctld && running slurmd && timeout 10 sinfo -h >/dev/null 2>&1; then
	log "slurmctld and slurmd already running"
	wait_ready
	if [ "$SELFTEST" = 1 ]; then selftest; fi
	exit 0
fi

# Something is half up (or not up at all): stop what is left and start clean.
if running slurmctld || running slurmd; then
	log "stopping partially running Slurm daemons"
	timeout 10 scontrol shutdown >/dev/null 2>&1 || true
	for _ in $(seq 1 10); do
		running slurmctld || running slurmd || break
		sleep 0.5
	done
	# Whatever is left (e.g. a lone slurmd): SIGTERM, by exact process name.
	for d in slurmctld slurmd; do
		for pid in $(ps -C "$d" -o pid= || true); do kill "$pid" 2>/dev/null || true; done
	done
	for _ in $(seq 1 20); do
		running slurmctld || running slurmd || break
		sleep 0.5
	done
	if running slurmctld || running slurmd; then
		die "could not stop the running Slurm daemons (pids: $(ps -C slurmctld,slurmd -o pid= | tr '\n' ' '))"
	fi
fi

# ---------------------------------------------------------------- config
# Hardware as slurmd sees it.
HW=$(slurmd -C 2>/dev/null | head -n 1 || true)
CPUS=$(sed -n 's/.*\bCPUs=\([0-9][0-9]*\).*/\1/p' <<<"$HW")
MEM=$(sed -n 's/.*\bRealMemory=\([0-9][0-9]*\).*/\1/p' <<<"$HW")
[ -n "$CPUS" ] || CPUS=$(nproc --all)
[ -n "$MEM" ] || MEM=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
# Modest: 90 % of physical memory, so the node is never INVALID for having
# less memory than configured. Memory is not a consumable (CR_Core).
MEM=$((MEM * 9 / 10))
((MEM >= 1)) || MEM=1

mkdir -p "$CONF_DIR" "$LOG_DIR" "$STATE_DIR" "$SPOOL_DIR"
chmod 755 "$STATE_DIR" "$SPOOL_DIR"

NEW_CONF=$(mktemp)
cat >"$NEW_CONF" <<EOF
# Written by .ci/slurm-up.sh: single-node Slurm on $HOST, no munge.
ClusterName=local
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818

AuthType=auth/none
CredType=cred/none
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true

SchedulerType=sched/backfill
# Schedule batch jobs as soon as they are submitted (default: up to 3 s later).
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Every logical CPU is one schedulable core (even with hyperthreading), so
# N one-CPU jobs run at once; slurmd reports the configured layout.
SlurmdParameters=config_overrides
ReturnToService=2

StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$CTLD_LOG
SlurmdLogFile=$SLURMD_LOG
SlurmctldDebug=info
SlurmdDebug=info

SlurmctldTimeout=120
SlurmdTimeout=300
InactiveLimit=0
MinJobAge=300
KillWait=30
Waittime=0

NodeName=$HOST NodeAddr=127.0.0.1 NodeHostname=$HOST CPUs=$CPUS Boards=1 SocketsPerBoard=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
if [ -f "$CONF" ] && ! cmp -s "$NEW_CONF" "$CONF"; then
	cp -p "$CONF" "$CONF.bak.$(date +%Y%m%d%H%M%S)"
	log "replaced existing $CONF (old copy kept as $CONF.bak.*)"
fi
install -m 644 "$NEW_CONF" "$CONF"
rm -f "$NEW_CONF"
log "wrote $CONF: node $HOST, CPUs=$CPUS, RealMemory=$MEM MB, partition debug"

# ---------------------------------------------------------------- start
# The daemons fork into the background themselves; their stdio goes to files
# so they never hold a CI pipe open.
t_start=$SECONDS
log "starting slurmctld"
slurmctld </dev/null >>"$LOG_DIR/slurmctld.out" 2>&1 || die "slurmctld failed to start"
for _ in $(seq 1 40); do
	ctld_up && break
	running slurmctld || die "slurmctld exited during startup"
	sleep 0.5
done
ctld_up || die "slurmctld does not answer 'scontrol ping' after 20 s"

log "starting slurmd"
slurmd -N "$HOST" </dev/null >>"$LOG_DIR/slurmd.out" 2>&1 || die "slurmd failed to start"
sleep 0.5
running slurmd || die "slurmd exited during startup"

wait_ready
log "Slurm up in $((SECONDS - t_start)) s"

if [ "$SELFTEST" != 0 ]; then selftest; fi
log "done. Stop with: scontrol shutdown"
