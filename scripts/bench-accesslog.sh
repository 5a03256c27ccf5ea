#!/usr/bin/env bash
# Compares EcoPulse's access-log import with GoAccess on the same 1,000,000
# combined-format lines, made by shifting copies of the real Apache log
# (collectors/accesslog/testdata/apache_logs.gz) forward in time, in two shapes:
#   dense  — copy k moved by k seconds: the log's four days at 100× the
#            traffic, as a busy API gateway writes them (the rollups
#            aggregate, as they do on real gateway logs);
#   sparse — copy k moved by k times the log's whole span: 400 days of a
#            quiet site, where nearly every line is a rollup row of its own
#            (the worst case for a store that aggregates per hour).
#
#   bash scripts/bench-accesslog.sh            # 1,000,000 lines
#   LINES=200000 bash scripts/bench-accesslog.sh
#
# Prints lines/s and peak RSS of each, and the ratio. Needs root for the
# apt-get installs of goaccess and time when they are missing.
#
# With PG_ADMIN and PG_DIR set (a throwaway cluster's URL and directory, as
# scripts/pgtest.sh prints them; scripts/bench.sh sets them), EcoPulse also
# imports each log into a fresh PostgreSQL database of that cluster, right
# after the SQLite file, and the row gains its time, lines/s, the importer's
# peak RSS, the cluster's CPU seconds during the import, the rollup rows
# written and the time ratio PostgreSQL ÷ SQLite.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
LINES=${LINES:-1000000}
SRC=${SRC:-}
WORK=$(mktemp -d /tmp/bench-accesslog.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [[ -z $SRC ]]; then # the real Apache log of the tests' data
	SRC="$WORK/apache_logs"
	gzip -dc "$ROOT/collectors/accesslog/testdata/apache_logs.gz" >"$SRC"
fi
export CGO_ENABLED=0
PG_ADMIN=${PG_ADMIN:-} PG_DIR=${PG_DIR:-}
if [[ -n $PG_ADMIN ]]; then
	# shellcheck source=scripts/bench/pg.sh
	source "$ROOT/scripts/bench/pg.sh"
fi

need_pkg() { # command package
	if ! command -v "$1" >/dev/null 2>&1 && ! [[ -x $1 ]]; then
		echo "installing $2…" >&2
		if [[ $(id -u) -ne 0 ]]; then echo "need root to apt-get install $2" >&2; exit 1; fi
		apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null; }
	fi
}
need_pkg goaccess goaccess
need_pkg /usr/bin/time time

echo "building importbench…" >&2
go build -o "$WORK/importbench" ./collectors/accesslog/cmd/importbench

# measure NAME CMD…: runs CMD under /usr/bin/time -v, sets SECS and RSS_KB.
measure() {
	local name=$1; shift
	/usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
		echo "$name failed:" >&2; cat "$WORK/$name.err" >&2; exit 1; }
	local wall
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/$name.time")
	SECS=$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }')
	RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/$name.time")
}

# compare SHAPE SHIFT: generates the log, runs both tools on it, prints a row.
compare() {
	local shape=$1 shift=$2 log=$WORK/$1.log
	echo "generating $LINES $shape lines from $SRC…" >&2
	"$WORK/importbench" -generate "$LINES" -shift "$shift" -from "$SRC" "$log"
	local n
	n=$(wc -l <"$log")
	cat "$log" >/dev/null # warm the page cache for both
	echo "running goaccess ($shape)…" >&2
	measure "goaccess-$shape" goaccess "$log" --log-format=COMBINED --no-progress --no-global-config -o "$WORK/goaccess-$shape.json"
	local gs=$SECS gr=$RSS_KB
	echo "running ecopulse import ($shape)…" >&2
	rm -f "$WORK/$shape.db"*
	measure "ecopulse-$shape" "$WORK/importbench" "$log" "$WORK/$shape.db"
	local es=$SECS er=$RSS_KB
	cat "$WORK/ecopulse-$shape.out" >&2
	local pg=
	if [[ -n $PG_ADMIN ]]; then
		# The same import into a fresh PostgreSQL database, migrated by
		# importbench as the SQLite file is.
		echo "running ecopulse import into PostgreSQL ($shape)…" >&2
		local name=bench_accesslog_$shape url c0 c1 rows
		url=$(pg_newdb "$name")
		c0=$(pg_cpu)
		measure "postgres-$shape" "$WORK/importbench" "$log" "$url"
		pg_wait_closed "$name"
		c1=$(pg_cpu)
		rows=$(pg_psql_db "$name" -c "SELECT (SELECT count(*) FROM api_usage_hourly) + (SELECT count(*) FROM api_usage_daily)")
		pg_dropdb "$name"
		cat "$WORK/postgres-$shape.out" >&2
		pg=$(awk -v n="$n" -v ps="$SECS" -v pr="$RSS_KB" -v es="$es" -v c="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" -v rows="$rows" 'BEGIN {
			printf "   postgres %7.2f s %9.0f lines/s %6.1f MiB   server-cpu %6.2f s   rows %d   pg/sqlite %5.2fx", ps, n / ps, pr / 1024, c, rows, ps / es }')
	fi
	awk -v shape="$shape" -v n="$n" -v gs="$gs" -v gr="$gr" -v es="$es" -v er="$er" -v pg="$pg" 'BEGIN {
		ga = n / gs; ep = n / es
		printf "%-6s %9d lines  goaccess %7.2f s %9.0f lines/s %6.1f MiB   ecopulse %7.2f s %9.0f lines/s %6.1f MiB   ratio %5.2fx%s\n", shape, n, gs, ga, gr / 1024, es, ep, er / 1024, ep / ga, pg
	}'
	rm -f "$log" "$WORK/$shape.db"*
}

printf "load average: %s   cores: %s   (goals: ratio >= 10x on the dense log, ecopulse peak RSS < 100 MiB)\n" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
compare dense 1s
compare sparse 0

if [[ ${PARSER:-1} == 1 ]]; then
	echo "parser alone (no store), go test -bench BenchmarkParseCombined:" >&2
	go test -run '^$' -bench '^BenchmarkParseCombined$' -benchtime 2000000x ./collectors/accesslog/ | grep -E 'Benchmark|lines/s' || true
fi
