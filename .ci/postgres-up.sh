#!/usr/bin/env bash
# Brings up a PostgreSQL server for the tests of store/postgres, listening
# only on a unix socket (no TCP), and prints the one line to export:
#
#   export "$(bash .ci/postgres-up.sh)"     # RETOLD_TEST_POSTGRES=host=... user=postgres dbname=postgres
#   go test ./store/postgres/
#
#   bash .ci/postgres-up.sh /some/dir       # keep the data directory there instead
#
# Installs Debian's postgresql when no initdb is found. Idempotent: the
# server's state lives in /tmp/retold-pg (its socket directory, log, and a
# record of its data directory), and a second run finds the server running
# and only prints the line again. Run as root, the server runs as the
# `postgres` system user (initdb refuses root); run as anyone else, as that
# user. Authentication is `trust`, so the socket directory is private
# (mode 0700): only the server's user and root can connect.
#
# Stop it:  runuser -u postgres -- pg_ctl -D "$(cat /tmp/retold-pg/datadir)" stop
# Log:      /tmp/retold-pg/postgres.log
set -euo pipefail

STATE=${RETOLD_PG_STATE:-/tmp/retold-pg} # another place only to test this script
SOCK=$STATE/socket
LOG=$STATE/postgres.log
DATA=$(realpath -m "${1:-$STATE/data}")
READY_TIMEOUT=${RETOLD_PG_TIMEOUT:-60}

log() { echo "postgres-up: $*" >&2; }
die() {
	log "ERROR: $*"
	if [ -s "$LOG" ]; then
		echo "---- tail -n 30 $LOG ----" >&2
		tail -n 30 "$LOG" >&2 || true
	fi
	exit 1
}

# bindir finds PostgreSQL's programs: Debian keeps them in
# /usr/lib/postgresql/<version>/bin (the newest wins), elsewhere initdb is
# on the PATH.
bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		echo "$d"
	elif command -v initdb >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v initdb)")"
	fi
}

BIN=$(bindir)
if [ -z "$BIN" ]; then
	[ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
	log "installing postgresql"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null || die "apt-get install postgresql failed"
	BIN=$(bindir)
	[ -n "$BIN" ] || die "postgresql installed, but no initdb under /usr/lib/postgresql/*/bin"
fi
for p in initdb pg_ctl pg_isready; do
	[ -x "$BIN/$p" ] || die "$BIN/$p missing"
done

# The server's user: initdb and postgres refuse to run as root.
if [ "$(id -u)" -eq 0 ]; then
	RUNAS=postgres
	id -u "$RUNAS" >/dev/null 2>&1 ||
		useradd --system --home-dir "$STATE" --shell /usr/sbin/nologin "$RUNAS" ||
		die "cannot create the system user $RUNAS"
	as() {
		if command -v runuser >/dev/null 2>&1; then
			runuser -u "$RUNAS" -- "$@"
		else
			su -s /bin/sh "$RUNAS" -c "$(printf '%q ' "$@")"
		fi
	}
else
	RUNAS=$(id -un)
	as() { "$@"; }
fi

mkdir -p "$STATE" 2>/dev/null || true
[ -d "$STATE" ] && [ -w "$STATE" ] || die "$STATE is not a directory $(id -un) can write"
[ ! -O "$STATE" ] || chmod 0755 "$STATE"
# One run at a time: two at once must not both start a server.
exec 9>"$STATE/lock"
flock 9

ready() { "$BIN/pg_isready" -q -h "$1" -U postgres -d postgres -t 5 >/dev/null 2>&1; }
# postmaster prints the PID of the server of data directory $1, if any
# (line 1 of its postmaster.pid; line 5 is its socket directory).
postmaster() { [ -r "$1/postmaster.pid" ] && sed -n 1p "$1/postmaster.pid"; }
# alive: a process that is not a zombie (a server killed a moment ago is
# one until reaped, and pg_ctl would take it for running).
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

# A running server is reused, whichever data directory it has.
if [ -s "$STATE/datadir" ]; then
	running=$(cat "$STATE/datadir")
	if pid=$(postmaster "$running") && alive "$pid"; then
		sock=$(sed -n 5p "$running/postmaster.pid")
		if [ -n "$sock" ] && ready "$sock"; then
			[ "$running" = "$DATA" ] || log "a server is running already with data directory $running: using it, not $DATA"
			log "reusing the server of $running on $sock"
			echo "RETOLD_TEST_POSTGRES=host=$sock user=postgres dbname=postgres"
			exit 0
		fi
	fi
fi

mkdir -p "$SOCK"
chown "$RUNAS" "$SOCK"
chmod 0700 "$SOCK"
touch "$LOG"
chown "$RUNAS" "$LOG"

if [ ! -s "$DATA/PG_VERSION" ]; then
	mkdir -p "$DATA"
	[ -z "$(ls -A "$DATA")" ] || die "$DATA exists, is not empty and is not a PostgreSQL data directory"
	chown "$RUNAS" "$DATA"
	chmod 0700 "$DATA"
	# UTF-8 with a Unicode-aware ctype where the machine has one, so that
	# lower() and the text search parser know non-ASCII letters.
	locale=C
	if locale -a 2>/dev/null | grep -qix 'C.utf-\?8'; then
		locale=C.UTF-8
	fi
	log "initdb $DATA (locale $locale)"
	as "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale="$locale" >>"$LOG" 2>&1 ||
		die "initdb $DATA failed"
fi
echo "$DATA" >"$STATE/datadir"

if pid=$(postmaster "$DATA") && alive "$pid"; then
	log "the server of $DATA is running (PID $pid)"
else
	# A server that was killed: wait for its process to be gone, so that
	# the new one does not take its lock file for a live server's.
	if [ -n "${pid:-}" ]; then
		for _ in $(seq 50); do
			ps -p "$pid" >/dev/null 2>&1 || break
			sleep 0.2
		done
	fi
	log "starting the server of $DATA on $SOCK"
	# Settings on the command line, so they hold for a data directory
	# made elsewhere too: no TCP, the socket here, durable commits, and
	# room for parallel test packages.
	as "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$READY_TIMEOUT" \
		-o "-c listen_addresses='' -c unix_socket_directories='$SOCK' -c fsync=on -c max_connections=200" \
		start >&2 9>&- || die "pg_ctl start failed" # the server must not inherit the lock
fi
sock=$(sed -n 5p "$DATA/postmaster.pid")
[ -n "$sock" ] || sock=$SOCK

deadline=$((SECONDS + READY_TIMEOUT))
until ready "$sock"; do
	[ "$SECONDS" -lt "$deadline" ] || die "the server does not accept connections on $sock after ${READY_TIMEOUT}s"
	sleep 0.5
done
log "ready on $sock"
echo "RETOLD_TEST_POSTGRES=host=$sock user=postgres dbname=postgres"
