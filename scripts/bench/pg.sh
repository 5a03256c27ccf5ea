# Helpers of the benchmark scripts for the throwaway PostgreSQL cluster that
# scripts/bench.sh starts with scripts/pgtest.sh: sourced, with PG_ADMIN
# (the URL of its maintenance database) and PG_DIR (its directory) set.

# pg_psql ARGS…: psql on the maintenance database, no psqlrc, stop on error.
pg_psql() { "$(cat "$PG_DIR/bin")/psql" "$PG_ADMIN" -qAtX -v ON_ERROR_STOP=1 "$@"; }

# pg_url NAME: the URL of database NAME of the cluster.
pg_url() { echo "$PG_ADMIN" | sed -E "s|^(postgres://[^/]*)/[^?]*|\1/$1|"; }

# pg_newdb NAME: makes an empty database NAME (dropped first if there) and
# prints its URL.
pg_newdb() {
	pg_psql -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null || return 1
	pg_url "$1"
}
pg_dropdb() { pg_psql -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1; }

# pg_cpu: CPU seconds the cluster's processes have used so far: the
# postmaster's own and its ended children's (backends of closed
# connections), plus the live children's.
pg_cpu() {
	local pm tk
	pm=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null) || return 0
	tk=$(getconf CLK_TCK)
	{
		awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
		local c
		for c in $(cat "/proc/$pm/task/$pm/children" 2>/dev/null); do
			awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null
		done
	} | awk -v tk="$tk" '{ s += $1 } END { printf "%.2f\n", s / tk }'
}

# pg_psql_db NAME ARGS…: psql on database NAME.
pg_psql_db() {
	local name=$1
	shift
	"$(cat "$PG_DIR/bin")/psql" "$(pg_url "$name")" -qAtX -v ON_ERROR_STOP=1 "$@"
}

# pg_wait_closed NAME: waits (up to 5 s) until no session is left on
# database NAME, so that pg_cpu counts the work of its ended backends.
pg_wait_closed() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(pg_psql -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'") == 0 ]] && return 0
		sleep 0.1
	done
}
