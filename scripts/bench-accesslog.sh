#!/usr/bin/env bash
# Compares EcoPulse's access-log import with GoAccess on the same 1,000,000
# combined-format lines, made by shifting copies of the real Apache log of
# shared/fixtures forward in time (copy k moved by k times the log's span,
# in whole days, so the result reads as one continuous log).
#
#   bash scripts/bench-accesslog.sh            # 1,000,000 lines
#   LINES=200000 bash scripts/bench-accesslog.sh
#
# Prints lines/s and peak RSS of each, and the ratio. Needs root for the
# apt-get installs of goaccess and time when they are missing.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
LINES=${LINES:-1000000}
SRC=${SRC:-}
if [[ -z $SRC ]]; then
	for c in "$ROOT/../shared/fixtures/elastic/examples/apache_logs/apache_logs" \
		/work/shared/fixtures/elastic/examples/apache_logs/apache_logs \
		"$ROOT/collectors/accesslog/testdata/apache_sample.log"; do
		if [[ -f $c ]]; then SRC=$c; break; fi
	done
fi
WORK=$(mktemp -d /tmp/bench-accesslog.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export CGO_ENABLED=0

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

LOG=$WORK/access.log
echo "generating $LINES lines from $SRC…" >&2
"$WORK/importbench" -generate "$LINES" -from "$SRC" "$LOG"
n=$(wc -l <"$LOG")
echo "log: $n lines, $(du -h "$LOG" | cut -f1)" >&2
cat "$LOG" >/dev/null # warm the page cache for both

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

echo "running goaccess…" >&2
measure goaccess goaccess "$LOG" --log-format=COMBINED --no-progress --no-global-config -o "$WORK/goaccess.json"
GA_SECS=$SECS GA_RSS=$RSS_KB

echo "running ecopulse import…" >&2
measure ecopulse "$WORK/importbench" "$LOG" "$WORK/ecopulse.db"
EP_SECS=$SECS EP_RSS=$RSS_KB
cat "$WORK/ecopulse.out" >&2

awk -v n="$n" -v gs="$GA_SECS" -v gr="$GA_RSS" -v es="$EP_SECS" -v er="$EP_RSS" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v nproc="$(nproc)" 'BEGIN {
	ga = n / gs; ep = n / es
	printf "lines: %d   load average: %s   cores: %s\n", n, load, nproc
	printf "%-22s %8.2f s  %10.0f lines/s  peak RSS %6.1f MiB\n", "goaccess (COMBINED)", gs, ga, gr / 1024
	printf "%-22s %8.2f s  %10.0f lines/s  peak RSS %6.1f MiB\n", "ecopulse import", es, ep, er / 1024
	printf "ratio ecopulse/goaccess: %.2fx (goal >= 10x), ecopulse peak RSS goal < 100 MiB: %s\n", ep / ga, (er / 1024 < 100 ? "met" : "NOT met")
}'

if [[ ${PARSER:-1} == 1 ]]; then
	echo "parser alone (no store), go test -bench BenchmarkParseCombined:" >&2
	go test -run '^$' -bench '^BenchmarkParseCombined$' -benchtime 2000000x ./collectors/accesslog/ | grep -E 'Benchmark|lines/s' || true
fi
