#!/usr/bin/env bash
# EcoPulse proof under load: builds EcoPulse, prepares data, runs every
# benchmark on this machine and writes BENCHMARKS.md with the machine, the
# commands run and the figures (medians of several runs; comparisons as
# ratios measured in the same run; the 1-minute load average next to each).
#
#   bash scripts/bench.sh            # full run: ~15 min once the data is cached, plus PostgreSQL's
#                                    # (the 10k-member copy into the throwaway cluster alone takes minutes)
#   QUICK=1 bash scripts/bench.sh    # short run (~10 min with PostgreSQL): small data, one run each
#
# Beside SQLite, each of accesslog, ingest, store (1k and 10k members) and pages is measured
# on PostgreSQL in the same run, right after SQLite, on a throwaway local cluster
# (scripts/pgtest.sh: fsync off, stopped on exit), with the ratio PostgreSQL ÷ SQLite; PG=0
# leaves PostgreSQL out. The store and pages databases are copied from the SQLite ones with
# `ecopulse copy --to URL`.
#
# Sections (SKIP="accesslog ingest replicas model store pages" leaves some out):
#   accesslog  import of LINES combined lines vs GoAccess (scripts/bench-accesslog.sh; dense and sparse)
#   ingest     push ingest over loopback, batches of 100 and 1,000 (BenchmarkIngestLoopback)
#   replicas   push ingest into one `serve` and into two replicas on one PostgreSQL database
#              (scripts/bench/replicas.sh, scripts/bench/pushload; needs PG=1)
#   model      the pure scoring model at 1k/10k/50k members (BenchmarkScaleScore)
#   store      scoring a day on databases with a year of daily rollups (scripts/bench/gendata, scoretime)
#   pages      wrk on five pages of a year of data for PAGE_MEMBERS members while an access-log
#              import runs; p50/p99, errors, "database is locked" in the log, peak RSS of serve
#
# Knobs (environment): RUNS (repetitions, default 3; QUICK 1), LINES (1000000; QUICK 200000),
# WRK_SECONDS (30; QUICK 5), BASE_SECONDS (wrk without the import first, 10; QUICK 3; 0: none), WRK_CONNS (8), WRK_THREADS (2), WRK_GZIP (1: requests accept gzip, as browsers; 0: not), PAGE_MEMBERS (500; QUICK 100),
# PAGE_DAYS (365; QUICK 90), REPLICA_CLIENTS (8), REPLICA_BATCH (1000), REPLICA_SECONDS (10; QUICK 3), CONTROL_SECONDS (wrk on /healthz after the pages, 10; QUICK 3; 0: none), HANDLER_REQUESTS (per page in BenchmarkPageLatency, 100; QUICK 20), STORE_MEMBERS ("1000 10000 50000": the 50k database takes about 40 min to generate, once, and 7.4 GB; QUICK "1000"), BENCH_CACHE (generated
# databases are kept there between runs, default /var/tmp/ecopulse-bench), REGEN=1 (regenerate
# them), PG (1: PostgreSQL beside SQLite; 0: SQLite alone), PG_STORE_MEMBERS (the store sizes also
# measured on PostgreSQL, "1000 10000"), OUT (default BENCHMARKS.md), NOTES (hand-written sections appended to OUT as they are,
# default docs/benchmarks-notes.md), KEEP=1 (keep the work directory with every raw output).
# Needs go, curl, and (installed with apt-get when missing, as root) goaccess, time, wrk and, unless
# PG=0, postgresql (initdb, pg_ctl, psql).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
export CGO_ENABLED=0
# The SQLite runs are SQLite's even when the shell points the tests at a
# cluster; the PostgreSQL runs name this run's own cluster.
unset ECOPULSE_DB ECOPULSE_ADDR ECOPULSE_TEST_POSTGRES

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
	RUNS=${RUNS:-1} LINES=${LINES:-200000} WRK_SECONDS=${WRK_SECONDS:-5} BASE_SECONDS=${BASE_SECONDS:-3} PAGE_MEMBERS=${PAGE_MEMBERS:-100}
	HANDLER_REQUESTS=${HANDLER_REQUESTS:-20} CONTROL_SECONDS=${CONTROL_SECONDS:-3}
	PAGE_DAYS=${PAGE_DAYS:-90} STORE_MEMBERS=${STORE_MEMBERS:-1000}
fi
RUNS=${RUNS:-3} LINES=${LINES:-1000000} WRK_SECONDS=${WRK_SECONDS:-30} BASE_SECONDS=${BASE_SECONDS:-10} WRK_CONNS=${WRK_CONNS:-8}
WRK_THREADS=${WRK_THREADS:-2} WRK_GZIP=${WRK_GZIP:-1} PAGE_MEMBERS=${PAGE_MEMBERS:-500} PAGE_DAYS=${PAGE_DAYS:-365}
HANDLER_REQUESTS=${HANDLER_REQUESTS:-100} CONTROL_SECONDS=${CONTROL_SECONDS:-10} STORE_MEMBERS=${STORE_MEMBERS:-1000 10000 50000} BENCH_CACHE=${BENCH_CACHE:-/var/tmp/ecopulse-bench}
PG=${PG:-1} PG_STORE_MEMBERS=${PG_STORE_MEMBERS:-1000 10000}
OUT=${OUT:-BENCHMARKS.md} NOTES=${NOTES:-docs/benchmarks-notes.md} SKIP=${SKIP:-} REGEN=${REGEN:-0} KEEP=${KEEP:-0}
STORE_END=2026-06-30 # the scale databases' last day: their content never depends on the clock

WORK=$(mktemp -d /tmp/ecopulse-bench.XXXXXX)
SERVE_PID=
REPLICA_PIDS=()
PG_ADMIN= PG_DIR=
cleanup() {
	[[ -n $SERVE_PID ]] && kill "$SERVE_PID" 2>/dev/null
	[[ ${#REPLICA_PIDS[@]} -gt 0 ]] && kill "${REPLICA_PIDS[@]}" 2>/dev/null
	[[ -n $PG_DIR ]] && bash "$ROOT/scripts/pgtest.sh" stop "$PG_DIR"
	if [[ $KEEP == 1 ]]; then echo "raw outputs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p "$BENCH_CACHE"

T_START=$(date +%s)
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

# Every command whose output makes a figure is listed in BENCHMARKS.md.
CMDS=()
cmd_note() { CMDS+=("$*"); }

# median: the median of the numbers on stdin (empty when none).
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# fmt NUMBER PRINTF-FORMAT: formats a number, or prints "—" when empty.
fmt() { if [[ -z ${1:-} ]]; then printf '—'; else awk -v x="$1" -v f="$2" 'BEGIN { printf f, x }'; fi; }
# xfmt RATIO: a ratio as "2.50×", or "—" when not measured.
xfmt() { if [[ -z ${1:-} ]]; then printf '—'; else awk -v x="$1" 'BEGIN { printf "%.2f×", x }'; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else print a / b }'; }
# goal VALUE OP LIMIT: "met" or "**not met**".
goal() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "") { print "not measured"; exit } ok = (op == "<" ? v < l : v >= l); print (ok ? "met" : "**not met**") }'; }

need_pkg() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	log "installing $2…"
	if [[ $(id -u) -ne 0 ]]; then log "need root to apt-get install $2"; return 1; fi
	apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null; }
}

# ---------------------------------------------------------------- machine
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
[[ -z $CPU ]] && CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
MEM_MB=$(awk '/^MemTotal/ { printf "%.0f", $2 / 1024 }' /proc/meminfo)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
GOVERSION=$(go version | cut -d' ' -f3-)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git status --porcelain 2>/dev/null | grep -c . || true)
log "machine: $(nproc) cores, $MEM_MB MB, $CPU, load $LOAD_START; $GOVERSION; work dir $WORK"

# ---------------------------------------------------------------- build
log "building ecopulse and the bench helpers…"
BUILD_OK=1
go build -o "$WORK/ecopulse" . 2>"$WORK/build.err" || BUILD_OK=0
go build -o "$WORK/gendata" ./scripts/bench/gendata 2>>"$WORK/build.err" || BUILD_OK=0
go build -o "$WORK/scoretime" ./scripts/bench/scoretime 2>>"$WORK/build.err" || BUILD_OK=0
go build -o "$WORK/importbench" ./collectors/accesslog/cmd/importbench 2>>"$WORK/build.err" || BUILD_OK=0
go build -o "$WORK/pushload" ./scripts/bench/pushload 2>>"$WORK/build.err" || BUILD_OK=0
cmd_note "go build -o ecopulse . && go build ./scripts/bench/gendata ./scripts/bench/scoretime ./scripts/bench/pushload ./collectors/accesslog/cmd/importbench"
if [[ $BUILD_OK != 1 ]]; then
	cat "$WORK/build.err" >&2
	log "build failed"
	exit 1
fi
EP=$WORK/ecopulse

# ---------------------------------------------------------------- PostgreSQL
# A throwaway cluster of this machine (scripts/pgtest.sh), reached over TCP
# on 127.0.0.1 as a server on the same host would be; each measured step
# gets a fresh database of it. Stopped and removed by cleanup.
PG_VERSION=
if [[ $PG == 1 ]]; then
	if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
		need_pkg /usr/lib/postgresql/bin/initdb postgresql || true
	fi
	log "starting a throwaway PostgreSQL cluster (scripts/pgtest.sh)…"
	pg_out=$(bash scripts/pgtest.sh 2>"$WORK/pgtest.err") || { cat "$WORK/pgtest.err" >&2; log "PostgreSQL did not start (PG=0 benches SQLite alone)"; exit 1; }
	read -r PG_ADMIN PG_DIR <<<"$pg_out"
	PG_VERSION=$("$(cat "$PG_DIR/bin")/postgres" --version | sed 's/^postgres (PostgreSQL) //')
	cmd_note "bash scripts/pgtest.sh   # throwaway cluster: fsync=off, synchronous_commit=off, full_page_writes=off, shared_buffers=128MB; stopped on exit"
	log "PostgreSQL $PG_VERSION at $PG_ADMIN"
fi
export PG_ADMIN PG_DIR
source scripts/bench/pg.sh
# shellcheck source=scripts/bench/replicas.sh
source scripts/bench/replicas.sh

# PG_SUMMARY rows (step|SQLite|PostgreSQL|ratio) make the summary table.
: >"$WORK/pg-summary.rows"
pg_summary() { printf '%s|%s|%s|%s\n' "$@" >>"$WORK/pg-summary.rows"; }
# slower RATIO: "yes" when PostgreSQL is more than 3× slower.
slower() { awk -v r="$1" 'BEGIN { if (r != "" && r > 3) print "yes" }'; }

# cache_key PARTS…: a key for a generated database: the generator's sources
# with the parameters. Not the schema: a cached database is migrated when it
# is first opened, the way a user's database is upgraded.
cache_key() {
	{ cat scripts/bench/gendata/main.go collectors/demo/*.go 2>/dev/null; echo "$*"; } | sha256sum | cut -c1-12
}

# ensure_db NAME GENDATA-ARGS…: prints the path of a cached database made by
# gendata (made now when missing), and leaves gendata's JSON beside it.
ensure_db() {
	local name=$1; shift
	local path="$BENCH_CACHE/$name-$(cache_key "$@").db"
	if [[ $REGEN == 1 || ! -f $path ]]; then
		rm -f "$path" "$path"-* "$path.tmp" "$path.tmp"-*
		log "generating $name (gendata $*)…"
		if ! "$WORK/gendata" "$@" "$path.tmp" >"$path.json.tmp" 2>"$WORK/gendata-$name.err"; then
			cat "$WORK/gendata-$name.err" >&2
			return 1
		fi
		# gendata closed the database: its WAL is folded in, the file is whole.
		mv "$path.tmp" "$path"
		rm -f "$path.tmp"-*
		mv "$path.json.tmp" "$path.json"
		echo "generated now" >"$path.how"
	else
		echo "cached from an earlier run" >"$path.how"
	fi
	echo "$path"
}

SECTIONS=()

# ---------------------------------------------------------------- accesslog
section_accesslog() {
	need_pkg goaccess goaccess && need_pkg /usr/bin/time time || return 1
	local r
	: >"$WORK/accesslog.rows"
	for ((r = 1; r <= RUNS; r++)); do
		local l
		l=$(load1)
		log "access-log import vs GoAccess, run $r/$RUNS ($LINES lines; load $l)…"
		LINES=$LINES PARSER=0 bash scripts/bench-accesslog.sh >"$WORK/accesslog-$r.out" 2>"$WORK/accesslog-$r.err" || { cat "$WORK/accesslog-$r.err" >&2; return 1; }
		# dense 1000000 lines goaccess 12.00 s 83333 lines/s 176.0 MiB ecopulse 1.00 s 1000000 lines/s 50.0 MiB ratio 12.00x
		#   [postgres 2.00 s 500000 lines/s 50.0 MiB server-cpu 1.50 s rows 80000 pg/sqlite 2.00x]
		# → run shape lines gs gl gr es el er ratio load ps pl pr pcpu prows pratio ("-": not measured)
		awk -v l="$l" -v r="$r" '$1 == "dense" || $1 == "sparse" {
			ps = pl = pr = pc = pn = pq = "-"
			for (i = 3; i <= NF; i++) {
				if ($i == "goaccess") { gs = $(i + 1); gl = $(i + 3); gr = $(i + 5) }
				if ($i == "ecopulse") { es = $(i + 1); el = $(i + 3); er = $(i + 5) }
				if ($i == "ratio") { ra = $(i + 1); sub("x$", "", ra) }
				if ($i == "postgres") { ps = $(i + 1); pl = $(i + 3); pr = $(i + 5) }
				if ($i == "server-cpu") pc = $(i + 1)
				if ($i == "rows") pn = $(i + 1)
				if ($i == "pg/sqlite") { pq = $(i + 1); sub("x$", "", pq) }
			}
			print r, $1, $2, gs, gl, gr, es, el, er, ra, l, ps, pl, pr, pc, pn, pq }' "$WORK/accesslog-$r.out" >>"$WORK/accesslog.rows"
	done
	cmd_note "LINES=$LINES PARSER=0 $([[ $PG == 1 ]] && echo 'PG_ADMIN=URL PG_DIR=DIR ')bash scripts/bench-accesslog.sh   # $RUNS times$([[ $PG == 1 ]] && echo '; with PG_ADMIN: importbench FILE postgres://…/bench_accesslog_SHAPE, a fresh database each')"
	local gv
	gv=$(goaccess --version 2>/dev/null | head -1)
	{
		echo "## Access-log import: EcoPulse vs GoAccess"
		echo
		echo "$LINES combined-format lines made from the real Apache log of the tests' data (collectors/accesslog/testdata) (\`scripts/bench-accesslog.sh\`), $RUNS run(s), medians; the ratio is EcoPulse's lines/s over GoAccess's in the same run. $gv; EcoPulse through \`importbench\` (accesslog.Import into a fresh database). Goals: ratio ≥ 10× (dense), EcoPulse peak RSS < 100 MB."
		if [[ $PG == 1 ]]; then
			echo
			echo "PostgreSQL: the same \`importbench\` into a fresh database of the throwaway cluster (made with \`CREATE DATABASE\` and migrated by importbench, as the SQLite file is: both times include opening and migrating the store), right after the SQLite import of the same log. Its peak RSS is the importer's alone (the server's processes are apart); server CPU is the CPU time of the cluster's processes during the import; rollup rows are the hourly and daily rows it wrote (the same on SQLite). PostgreSQL ÷ SQLite is the ratio of the import times (> 1: slower on PostgreSQL)."
		fi
		echo
		echo "| log | GoAccess s | GoAccess lines/s | GoAccess peak RSS | EcoPulse s | EcoPulse lines/s | EcoPulse peak RSS | ratio | load (1 min) at start | goal ≥ 10× | goal < 100 MB | PostgreSQL s | PostgreSQL lines/s | PostgreSQL importer peak RSS | PostgreSQL server CPU s | rollup rows | PostgreSQL ÷ SQLite |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
		local shape slow=
		for shape in dense sparse; do
			local col gs gl gr es el er ra loads ps pl pr pc pn pq
			col() { awk -v s="$shape" -v c="$1" '$2 == s && $c != "-" { print $c }' "$WORK/accesslog.rows" | median; }
			gs=$(col 4) gl=$(col 5) gr=$(col 6) es=$(col 7) el=$(col 8) er=$(col 9) ra=$(col 10)
			ps=$(col 12) pl=$(col 13) pr=$(col 14) pc=$(col 15) pn=$(col 16) pq=$(col 17)
			loads=$(awk -v s="$shape" '$2 == s { printf "%s%s", sep, $11; sep = ", " }' "$WORK/accesslog.rows")
			# bench-accesslog.sh prints MiB; MB here are 10^6 bytes.
			local grm erm prm
			grm=$(awk -v m="$gr" 'BEGIN { if (m != "") print m * 1.048576 }')
			erm=$(awk -v m="$er" 'BEGIN { if (m != "") print m * 1.048576 }')
			prm=$(awk -v m="$pr" 'BEGIN { if (m != "") print m * 1.048576 }')
			printf '| %s | %s | %s | %s MB | %s | %s | %s MB | %s× | %s | %s | %s | %s | %s | %s MB | %s | %s | %s |\n' "$shape" \
				"$(fmt "$gs" %.2f)" "$(fmt "$gl" %.0f)" "$(fmt "$grm" %.0f)" \
				"$(fmt "$es" %.2f)" "$(fmt "$el" %.0f)" "$(fmt "$erm" %.0f)" \
				"$(fmt "$ra" %.1f)" "$loads" "$(goal "$ra" ">=" 10)" "$(goal "$erm" "<" 100)" \
				"$(fmt "$ps" %.2f)" "$(fmt "$pl" %.0f)" "$(fmt "$prm" %.0f)" "$(fmt "$pc" %.2f)" "$(fmt "$pn" %.0f)" "$(xfmt "$pq")"
			[[ $PG == 1 ]] && pg_summary "access-log import, $shape log ($LINES lines): lines/s" "$(fmt "$el" %.0f)" "$(fmt "$pl" %.0f)" "$pq"
			[[ -n $(slower "$pq") ]] && slow+=" $shape"
		done
		if [[ -n $slow ]]; then
			echo
			why_accesslog $slow
		fi
		echo
		echo "Every run:"
		echo
		echo '```'
		cat "$WORK"/accesslog-*.out | grep -E '^(dense|sparse|load)'
		echo '```'
	} >"$WORK/section-accesslog.md"
}

# why_accesslog SHAPE…: why the import of these logs is more than 3× slower
# on PostgreSQL, with this run's figures (medians of the rows).
why_accesslog() {
	local shape facts=
	for shape in dense sparse; do
		local c
		c() { awk -v s="$shape" -v c="$1" '$2 == s && $c != "-" { print $c }' "$WORK/accesslog.rows" | median; }
		local pn pc es ps
		pn=$(c 16) pc=$(c 15) es=$(c 7) ps=$(c 12)
		facts+="$([[ -n $facts ]] && echo '; ')the $shape log: $(fmt "$pn" %.0f) rollup rows, $(fmt "$es" %.2f) s on SQLite, $(fmt "$ps" %.2f) s on PostgreSQL of which the server used $(fmt "$pc" %.2f) s of CPU ($(fmt "$(awk -v c="$pc" -v n="$pn" 'BEGIN { if (n > 0) print c * 1e6 / n }')" %.0f) µs a row)"
	done
	echo "**Why the import of the $(echo "$@" | sed 's/ / and /') log is more than 3× slower on PostgreSQL.** The import's cost on a store is per rollup row written, not per line read: each hourly and daily row is one row of a multi-row \`INSERT … ON CONFLICT DO UPDATE\` (100 rows a statement with latency histograms, 500 without: data/usage.go), one transaction per 500,000 lines (the default chunk) or 65,536 rollup rows of a chunk, whichever comes first. SQLite does that inside the importer's process, on B-tree pages in its memory. On PostgreSQL every statement's 700 parameters are encoded by the driver, sent over loopback TCP, decoded and bound by a server process, and each row costs a probe of the unique index, a new heap tuple (an update writes a new row version) with its index entries, and a WAL record: fsync off only skips the flush to disk, not that work. This run: $facts (the server's CPU includes migrating the fresh database, a fixed cost that weighs most on the dense log's few rows). The dense log's lines fold into few rows; the sparse log writes nearly a row per line, so its time follows the server's per-row cost. The rest of the PostgreSQL time beyond the two processes' CPU is waiting: the importer for the server's answers, both for a core, as the importer and the server share the machine's $(nproc) cores with each other and with the other jobs of its load."
}

# ---------------------------------------------------------------- ingest
section_ingest() {
	local l
	l=$(load1)
	log "push ingest over loopback (load $l)…"
	local c="go test -run '^\$' -bench 'IngestLoopback' -benchtime 2s -count $RUNS ./app"
	cmd_note "$c"
	go test -run '^$' -bench 'IngestLoopback' -benchtime 2s -count "$RUNS" ./app >"$WORK/ingest.out" 2>&1 || { tail -20 "$WORK/ingest.out" >&2; return 1; }
	local l2 lp= lp2=
	l2=$(load1)
	: >"$WORK/ingest-pg.out"
	if [[ $PG == 1 ]]; then
		# The same benchmarks on PostgreSQL: datatest.MustOpenDB gives each a
		# fresh database of the cluster named by ECOPULSE_TEST_POSTGRES.
		lp=$(load1)
		log "push ingest over loopback on PostgreSQL (load $lp)…"
		cmd_note "ECOPULSE_TEST_POSTGRES=URL $c"
		ECOPULSE_TEST_POSTGRES=$PG_ADMIN go test -run '^$' -bench 'IngestLoopback' -benchtime 2s -count "$RUNS" ./app >"$WORK/ingest-pg.out" 2>&1 || { tail -20 "$WORK/ingest-pg.out" >&2; return 1; }
		lp2=$(load1)
	fi
	# ingest_records FILE NAME-PREFIX: the records/s of every run of one benchmark.
	ingest_records() { awk -v n="$2" 'index($1, n) == 1 { for (i = 1; i < NF; i++) if ($(i + 1) == "records/s") print $i }' "$1"; }
	runs_list() { awk 'NF { printf "%s%.0f", sep, $1; sep = ", "; n++ } END { if (!n) printf "—" }'; }
	local slow=
	{
		echo "## Push ingest over loopback"
		echo
		echo "\`BenchmarkIngestLoopback\`: NDJSON batches POSTed to a real server on 127.0.0.1 with a bearer token by one client, each request sent when the previous one was answered (so each pays its whole cost), each batch stored whole before its answer; $RUNS run(s) of 2 s each, median. Goal: ≥ 100,000 records/s. Load (1 min): $l at start, $l2 at the end."
		if [[ $PG == 1 ]]; then
			echo
			echo "PostgreSQL: the same benchmarks run again right after, with \`ECOPULSE_TEST_POSTGRES\` naming the throwaway cluster (each benchmark's store a fresh database of it). Load (1 min): $lp at start, $lp2 at the end. PostgreSQL ÷ SQLite is the ratio of the time per record, SQLite's records/s over PostgreSQL's (> 1: slower on PostgreSQL)."
		fi
		echo
		echo "| batch | records/s (median) | every run | goal ≥ 100k/s | PostgreSQL records/s (median) | every run | goal ≥ 100k/s on PostgreSQL | PostgreSQL ÷ SQLite |"
		echo "| ---: | ---: | --- | --- | ---: | --- | --- | ---: |"
		local b n all med pall pmed q
		for b in 100 1000; do
			all=$(ingest_records "$WORK/ingest.out" "BenchmarkIngestLoopback/batch=$b-")
			med=$(echo "$all" | median)
			pall=$(ingest_records "$WORK/ingest-pg.out" "BenchmarkIngestLoopback/batch=$b-")
			pmed=$(echo "$pall" | median)
			q=$(ratio "$med" "$pmed")
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$b" "$(fmt "$med" %.0f)" "$(echo "$all" | runs_list)" "$(goal "$med" ">=" 100000)" \
				"$(fmt "$pmed" %.0f)" "$(echo "$pall" | runs_list)" "$([[ -n $pmed ]] && goal "$pmed" ">=" 100000 || echo —)" "$(xfmt "$q")"
			[[ $PG == 1 ]] && pg_summary "push ingest, one client, batches of $b: records/s" "$(fmt "$med" %.0f)" "$(fmt "$pmed" %.0f)" "$q"
			[[ -n $(slower "$q") ]] && slow+=" $b"
		done
		echo
		echo "\`BenchmarkIngestLoopbackConcurrent\`: the same with several clients posting at once, as a gateway's workers do; batches that arrive together share a write transaction (group commit), each still stored whole or not at all and answered once committed. Overlapping requests hide part of the per-request cost: these figures come beside the one-client figures above, which the goal is judged on, never instead of them."
		echo
		echo "| clients | batch | records/s (median) | every run | PostgreSQL records/s (median) | every run | PostgreSQL ÷ SQLite |"
		echo "| ---: | ---: | ---: | --- | ---: | --- | ---: |"
		for n in 4 8; do
			for b in 100 1000; do
				all=$(ingest_records "$WORK/ingest.out" "BenchmarkIngestLoopbackConcurrent/clients=$n/batch=$b-")
				med=$(echo "$all" | median)
				pall=$(ingest_records "$WORK/ingest-pg.out" "BenchmarkIngestLoopbackConcurrent/clients=$n/batch=$b-")
				pmed=$(echo "$pall" | median)
				q=$(ratio "$med" "$pmed")
				printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$b" "$(fmt "$med" %.0f)" "$(echo "$all" | runs_list)" "$(fmt "$pmed" %.0f)" "$(echo "$pall" | runs_list)" "$(xfmt "$q")"
				[[ -n $(slower "$q") ]] && slow+=" $n×$b"
			done
		done
		if [[ -n $slow ]]; then
			echo
			why_ingest $slow
		fi
	} >"$WORK/section-ingest.md"
}

# why_ingest CASE…: why push ingest is more than 3× slower on PostgreSQL in
# these cases (BATCH for one client, CLIENTS×BATCH). The figures were
# measured by hand on a throwaway cluster of this machine (log_statement =
# all for the statements, the cluster's CPU time for the server's share);
# the run decides which paragraphs apply.
why_ingest() {
	local cases
	cases=$(printf '%s\n' "$@" | sed -E 's/^([0-9]+)$/one client × \1/; s/^([0-9]+)×([0-9]+)$/\1 clients × \2/' | paste -sd';' - | sed 's/;/; /g')
	echo "**Why push ingest is more than 3× slower on PostgreSQL here** ($cases records a batch). A batch is one write transaction of about 14 statements, each a round trip to the server over loopback TCP: \`BEGIN\`, the token's count of consumers it created, one lookup per distinct consumer key in the batch (six in the benchmark's batches), two multi-row upserts of hourly rollups and two of daily ones, the stale-day mark, \`COMMIT\` (counted by hand with \`log_statement = all\`). On SQLite each is a call into the same process; on PostgreSQL each wakes a server process and waits for its answer, and on this machine's $(nproc) shared cores the client, the HTTP server and the database server take turns on them. Measured by hand (1,000 batches of 100, one client, load near 6): about 1.4 ms of server CPU per batch, more than SQLite took for the whole request (about 1.1 ms), beside the HTTP side's 2 ms of CPU."
	if printf '%s\n' "$@" | grep -q '1000$'; then
		echo
		echo "Batches of 1,000 pay the same round trips for ten times the records, but their upserts carry ten times the rows: what PostgreSQL adds there is per row — a probe of the unique index, a new row version with its index entries and a WAL record for each hourly and daily rollup row (as in the access-log import), work SQLite does on its B-tree pages inside EcoPulse's own process."
	fi
	if printf '%s\n' "$@" | grep -q '×'; then
		echo
		echo "With several clients, batches that arrive together share a transaction (group commit) and the round trips of one can overlap another's work, but only as far as a core is free for it: on this shared machine the concurrent figures on PostgreSQL vary most from run to run (compare the loads; a run by hand with the load near 6 had 8 clients × 100 at about SQLite's rate)."
	fi
	echo
	echo "The cluster's fsync and synchronous_commit off mean a commit does not wait for the disk: a production cluster with them on adds a WAL flush to every batch."
}

# ---------------------------------------------------------------- model
section_model() {
	local l
	l=$(load1)
	log "scoring model at 1k/10k/50k members (load $l)…"
	local c="go test -run '^\$' -bench 'ScaleScore' -benchtime 3x -count $RUNS ./metrics"
	cmd_note "$c"
	go test -run '^$' -bench 'ScaleScore' -benchtime 3x -count "$RUNS" ./metrics >"$WORK/model.out" 2>&1 || { tail -20 "$WORK/model.out" >&2; return 1; }
	local l2
	l2=$(load1)
	# BenchmarkScaleScore/members=1000/pairs=sorted-2  3  3142057 ns/op  19472 edges ...
	awk '/^BenchmarkScaleScore\// {
		split($1, p, "/"); sub("members=", "", p[2]); sub("pairs=", "", p[3]); sub("-[0-9]+$", "", p[3])
		for (i = 1; i < NF; i++) { if ($(i + 1) == "ns/op") ns = $i; if ($(i + 1) == "edges") e = $i }
		print p[2], p[3], ns / 1e9, e }' "$WORK/model.out" >"$WORK/model.rows"
	{
		echo "## Scoring model (pure): 1k, 10k and 50k members"
		echo
		echo "\`BenchmarkScaleScore\` (metrics/scale_bench_test.go): metrics.Score on n members with 20 pair records per member (about 20·n distinct cooperation edges), pairs sorted as the data layer sends them and in random order; 3 iterations × $RUNS run(s), median. No I/O: this is the model alone. Goal: 10k members < 1 s; cost linear in edges. Load (1 min): $l at start, $l2 at the end."
		echo
		echo "| members | pairs order | edges | s per score | ns per edge | time ratio vs previous size | edge ratio vs previous size | goal < 1 s (10k) |"
		echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
		local order n prev_s prev_e
		for order in sorted random; do
			prev_s= prev_e=
			for n in 1000 10000 50000; do
				local s e
				s=$(awk -v n="$n" -v o="$order" '$1 == n && $2 == o { print $3 }' "$WORK/model.rows" | median)
				e=$(awk -v n="$n" -v o="$order" '$1 == n && $2 == o { print $4 }' "$WORK/model.rows" | median)
				local g="—"
				[[ $n == 10000 ]] && g=$(goal "$s" "<" 1)
				printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$order" "$(fmt "$e" %.0f)" "$(fmt "$s" %.4f)" \
					"$(fmt "$(awk -v s="$s" -v e="$e" 'BEGIN { if (e > 0) print s * 1e9 / e }')" %.0f)" \
					"$(fmt "$(ratio "$s" "$prev_s")" %.2f)" "$(fmt "$(ratio "$e" "$prev_e")" %.2f)" "$g"
				prev_s=$s prev_e=$e
			done
		done
		echo
		echo "Linear growth shows as a time ratio close to the edge ratio (equal ns per edge)."
	} >"$WORK/section-model.md"
}

# ---------------------------------------------------------------- store
# jget JSON KEY: a number of a flat JSON object.
jget() { echo "$1" | grep -o "\"$2\":[^,}]*" | head -1 | cut -d: -f2; }

section_store() {
	: >"$WORK/store.rows"
	local n
	for n in $STORE_MEMBERS; do
		local db
		db=$(ensure_db "scale-$n" -kind scale -members "$n" -days 365 -pairs 20 -end "$STORE_END") || return 1
		local l
		l=$(load1)
		log "scoring a day on the $n-member database (load $l)…"
		local runs=$((RUNS < 5 ? 5 : RUNS))
		cmd_note "gendata -kind scale -members $n -days 365 -pairs 20 -end $STORE_END DB   # $(cat "$db.how")"
		cmd_note "scoretime -day $STORE_END -runs $runs DB"
		"$WORK/scoretime" -day "$STORE_END" -runs "$runs" "$db" >"$WORK/store-$n.json" 2>"$WORK/store-$n.err" || { cat "$WORK/store-$n.err" >&2; return 1; }
		local j gen
		j=$(cat "$WORK/store-$n.json")
		gen=$(cat "$db.json")
		echo "$n $(jget "$j" pairs) $(jget "$j" edges) $(jget "$j" window_s) $(jget "$j" model_s) $(jget "$j" save_s) $(jget "$j" total_s) $l $(jget "$gen" usage_rows) $(jget "$gen" activities) $(jget "$gen" projects) $(jget "$gen" seconds) $(du -m "$db" | cut -f1) $(cat "$db.how" | tr ' ' '_') $(jget "$j" refresh_s) $(jget "$j" catch_up_s) $(jget "$j" catch_up_days) $(jget "$j" catch_up_activity_days)" >>"$WORK/store.rows"
		if [[ $PG == 1 && " $PG_STORE_MEMBERS " == *" $n "* ]]; then
			store_pg "$n" "$db" "$runs" || return 1
		fi
	done
	{
		echo "## Scoring on the store: a year of daily rollups"
		echo
		echo "A day scored the way the scoring job does it (\`scripts/bench/scoretime\`): the refresh of the scored day's usage and activity digests (marked stale before each run, as a day of traffic and community activity does), data.ScoringWindow (the 28-day window and the 28 days before it, in one read transaction, from one digest per day and kind plus the project tables), metrics.Score, SaveDayScores (member score rows and one blob of the day's edges); median of max(5, RUNS) runs (the first, on cold caches, included). The one-off digest of every day (after the migrations that add the digests, or a bulk import) runs before the timed runs and is reported apart. The databases come from \`scripts/bench/gendata -kind scale\`: per member one API consumer with a daily rollup for each of 365 days (AddUsage with day buckets, latency histograms, some 4xx/5xx days), and 20 cooperation edges (a third shared projects with quarterly milestones, the rest shared community threads, one every four weeks). Goal: 10k members < 1 s; cost linear in edges."
		echo
		echo "| members | edges | refresh s | window s | model s | save s | total s | total ratio vs previous | edge ratio vs previous | load (1 min) | goal < 1 s (10k) |"
		echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
		local prev_t= prev_e=
		while read -r n pairs edges win model save total l rows acts projs secs mb how refresh catchup cdays adays; do
			local g="—"
			[[ $n == 10000 ]] && g=$(goal "$total" "<" 1)
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$edges" "$(fmt "$refresh" %.3f)" "$(fmt "$win" %.3f)" "$(fmt "$model" %.4f)" "$(fmt "$save" %.3f)" \
				"$(fmt "$total" %.3f)" "$(fmt "$(ratio "$total" "$prev_t")" %.2f)" "$(fmt "$(ratio "$edges" "$prev_e")" %.2f)" "$l" "$g"
			prev_t=$total prev_e=$edges
		done <"$WORK/store.rows"
		echo
		echo "| members | usage rollups | activities | projects | database | generation | digests catch-up before the runs |"
		echo "| ---: | ---: | ---: | ---: | ---: | --- | --- |"
		while read -r n pairs edges win model save total l rows acts projs secs mb how refresh catchup cdays adays; do
			printf '| %s | %s | %s | %s | %s MB | %s s (%s) | %s s for %s usage and %s activity days |\n' "$n" "$rows" "$acts" "$projs" "$mb" "$(fmt "$secs" %.0f)" "${how//_/ }" "$(fmt "$catchup" %.1f)" "$cdays" "$adays"
		done <"$WORK/store.rows"
		if [[ $PG == 1 ]]; then store_pg_table; fi
	} >"$WORK/section-store.md"
}

# store_pg MEMBERS DB RUNS: copies the scale database into a fresh
# PostgreSQL database (after the SQLite runs: its digests are current, as
# on SQLite) and times the same scoring there.
store_pg() {
	local n=$1 db=$2 runs=$3 name=bench_scale_$1 url
	url=$(pg_newdb "$name") || return 1
	log "copying the $n-member database into PostgreSQL…"
	local t0 t1
	t0=$(date +%s.%N)
	"$EP" copy --db "$db" --to "$url" >"$WORK/copy-$n.out" 2>"$WORK/copy-$n.err" || { tail -5 "$WORK/copy-$n.err" >&2; return 1; }
	t1=$(date +%s.%N)
	cmd_note "ecopulse copy --db DB --to postgres://…/$name   # into a fresh database (CREATE DATABASE)"
	local l
	l=$(load1)
	log "scoring a day on PostgreSQL, $n members (load $l)…"
	cmd_note "scoretime -day $STORE_END -runs $runs postgres://…/$name"
	local c0 c1
	c0=$(pg_cpu)
	"$WORK/scoretime" -day "$STORE_END" -runs "$runs" "$url" >"$WORK/store-pg-$n.json" 2>"$WORK/store-pg-$n.err" || { cat "$WORK/store-pg-$n.err" >&2; return 1; }
	pg_wait_closed "$name"
	c1=$(pg_cpu)
	pg_dropdb "$name"
	local j
	j=$(cat "$WORK/store-pg-$n.json")
	# members edges refresh window model save total load copy-s copied-rows server-cpu-per-run
	echo "$n $(jget "$j" edges) $(jget "$j" refresh_s) $(jget "$j" window_s) $(jget "$j" model_s) $(jget "$j" save_s) $(jget "$j" total_s) $l" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $(sed -n 's/^copied \([0-9]*\) rows.*/\1/p' "$WORK/copy-$n.out" | head -1) $(awk -v a="$c0" -v b="$c1" -v r="$runs" 'BEGIN { print (b - a) / r }')" >>"$WORK/store-pg.rows"
}

# store_pg_table: PostgreSQL's figures beside SQLite's, the ratios, and why
# where PostgreSQL is more than 3× slower.
store_pg_table() {
	[[ -f $WORK/store-pg.rows ]] || return 0
	echo
	echo "### PostgreSQL beside SQLite"
	echo
	echo "Each database above with $(awk '{ print $1 }' "$WORK/store-pg.rows" | paste -sd' ' - | sed 's/ / or /g') members, once scored on SQLite (its digests current), copied into a fresh database of the throwaway cluster (\`ecopulse copy --to URL\`) and the same day scored there by the same \`scoretime\`, median of max(5, RUNS) runs. PostgreSQL ÷ SQLite is the ratio of the totals (> 1: slower on PostgreSQL). Server CPU is the CPU time of the cluster's processes per run."
	echo
	echo "| members | SQLite total s | PostgreSQL total s | PostgreSQL ÷ SQLite | refresh s, SQLite / PostgreSQL | window s, SQLite / PostgreSQL | model s, SQLite / PostgreSQL | save s, SQLite / PostgreSQL | server CPU s per run | copy into PostgreSQL | load (1 min) |"
	echo "| ---: | ---: | ---: | ---: | --- | --- | --- | --- | ---: | --- | --- |"
	local slow=
	while read -r n edges refresh win model save total l copys copied cpu; do
		local sr sw sm ss st q
		read -r sr sw sm ss st < <(awk -v n="$n" '$1 == n { print $15, $4, $5, $6, $7 }' "$WORK/store.rows")
		q=$(ratio "$total" "$st")
		printf '| %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s | %s rows in %s s | %s |\n' "$n" "$(fmt "$st" %.3f)" "$(fmt "$total" %.3f)" "$(xfmt "$q")" \
			"$(fmt "$sr" %.3f)" "$(fmt "$refresh" %.3f)" "$(fmt "$sw" %.3f)" "$(fmt "$win" %.3f)" "$(fmt "$sm" %.4f)" "$(fmt "$model" %.4f)" "$(fmt "$ss" %.3f)" "$(fmt "$save" %.3f)" \
			"$(fmt "$cpu" %.3f)" "$(fmt "$copied" %.0f)" "$(fmt "$copys" %.0f)" "$l"
		pg_summary "scoring a day on the store, $n members: total s" "$(fmt "$st" %.3f)" "$(fmt "$total" %.3f)" "$q"
		[[ -n $(slower "$q") ]] && slow+=" $n"
	done <"$WORK/store-pg.rows"
	if [[ -n $slow ]]; then
		echo
		why_store $slow
	fi
}

# why_store MEMBERS…: why scoring a day is more than 3× slower on
# PostgreSQL at these sizes: the parts' ratios of this run, and what makes
# each part slower there. The per-row figures of the save were measured by
# hand (EXPLAIN (ANALYZE, WAL) of the day's upserts on the 1k database).
why_store() {
	local n parts= rr=0 rw=0 rs=0
	for n in "$@"; do
		local sr sw ss pr pw ps qr qw qs
		read -r sr sw ss < <(awk -v n="$n" '$1 == n { print $15, $4, $6 }' "$WORK/store.rows")
		read -r pr pw ps < <(awk -v n="$n" '$1 == n { print $3, $4, $6 }' "$WORK/store-pg.rows")
		qr=$(ratio "$pr" "$sr") qw=$(ratio "$pw" "$sw") qs=$(ratio "$ps" "$ss")
		parts+="$([[ -n $parts ]] && echo '; ')at $n members the refresh $(fmt "$qr" %.1f)×, the window $(fmt "$qw" %.1f)×, the save $(fmt "$qs" %.1f)× ($(fmt "$sr" %.3f) / $(fmt "$pr" %.3f), $(fmt "$sw" %.3f) / $(fmt "$pw" %.3f), $(fmt "$ss" %.3f) / $(fmt "$ps" %.3f) s)"
		[[ -n $(slower "$qr") ]] && rr=1
		[[ -n $(slower "$qw") ]] && rw=1
		[[ -n $(slower "$qs") ]] && rs=1
	done
	echo "**Why scoring a day is more than 3× slower on PostgreSQL at $(echo "$@" | sed 's/ / and /') members.** The model is the same code on the same input; the store's parts differ. This run, PostgreSQL ÷ SQLite: $parts."
	if [[ $rs == 1 ]]; then
		echo
		echo "- The save (more than 3× here) upserts a score row per member, 60 rows a statement, over the rows of the day's previous save. SQLite rewrites them in place in its B-tree pages, inside the scorer's process. On PostgreSQL each is an update that writes a new row version and new entries in both of the table's indexes: EXPLAIN (ANALYZE, WAL) of the day's 1,000 upserts on the 1k database, by hand on this machine, wrote 4,900 WAL records (about 5 a row; fsync off does not skip them, only their flush) in about 40 ms of server time, five times SQLite's whole save. The statements are prepared in the save's transaction, a round trip each to prepare and to run."
	fi
	if [[ $rw == 1 ]]; then
		echo
		echo "- The window (more than 3× here) reads one digest blob per day and kind and the project tables. On SQLite those pages are read in the scorer's process; on PostgreSQL every row comes over loopback TCP from a server process and is decoded by the driver, so the cost follows the bytes read, and the server and the scorer share the machine's $(nproc) cores."
	fi
	if [[ $rr == 1 ]]; then
		echo
		echo "- The refresh (more than 3× here) rebuilds the scored day's usage and activity digests: a read of the day's rollups and activities and an upsert of their blobs, each statement a round trip, each blob a new row version (and, past 2 kB, compressed and stored out of line)."
	fi
}

# ---------------------------------------------------------------- pages
# wrk_page PHASE SECONDS NAME URL: runs wrk, appends a row to PHASE.rows.
wrk_page() {
	local phase=$1 secs=$2 name=$3 url=$4 l
	l=$(load1)
	log "wrk $name for ${secs}s, $phase (load $l)…"
	local enc=()
	[[ $WRK_GZIP == 1 ]] && enc=(-H "Accept-Encoding: gzip")
	wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${secs}s" --timeout 10s --latency -H "Cookie: ep_session=$SESSION; ep_csrf=$CSRF" "${enc[@]}" "$url" >"$WORK/wrk-$phase-$name.out" 2>&1
	local f=$WORK/wrk-$phase-$name.out
	# Latencies in wrk's units (us, ms, s) → ms.
	local toms='function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }'
	local rps p50 p99 total non2xx sockerr
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
	p50=$(awk "$toms"' $1 == "50%" { print ms($2) }' "$f")
	p99=$(awk "$toms"' $1 == "99%" { print ms($2) }' "$f")
	total=$(awk '/requests in/ { print $1 }' "$f")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")
	sockerr=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$f")
	echo "$name ${rps:-0} ${p50:-} ${p99:-} ${total:-0} ${non2xx:-0} ${sockerr:-0} $l" >>"$WORK/$phase.rows"
}

# wrk_pages PHASE SECONDS: the five pages in turn, then /healthz for
# CONTROL_SECONDS as a control (public: no session to slide, one read).
wrk_pages() {
	: >"$WORK/$1.rows"
	wrk_page "$1" "$2" overview "$BASE/"
	wrk_page "$1" "$2" members "$BASE/members"
	wrk_page "$1" "$2" member "$BASE/members/$SLUG"
	wrk_page "$1" "$2" api-overview "$BASE/api/v1/overview"
	wrk_page "$1" "$2" api-scores "$BASE/api/v1/scores"
	[[ $CONTROL_SECONDS -gt 0 ]] && wrk_page "$1" "$CONTROL_SECONDS" "healthz-control" "$BASE/healthz"
	return 0
}

# pages_table PHASE: the rows of a phase as a markdown table.
pages_table() {
	echo "| page | requests/s | p50 ms | p99 ms | requests | non-2xx | socket errors | load (1 min) at start | goal p99 < 20 ms |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
	while read -r name rps p50 p99 total non2xx sockerr l; do
		local g
		g=$(goal "$p99" "<" 20)
		[[ $name == healthz-control ]] && g="— (control)"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$(fmt "$rps" %.0f)" "$(fmt "$p50" %.2f)" "$(fmt "$p99" %.2f)" \
			"$total" "$non2xx" "$sockerr" "$l" "$g"
	done <"$WORK/$1.rows"
}

# PR holds the pages runs' figures by "BACKEND.name" (sqlite, pg).
declare -A PR

# pages_prepare BACKEND DB: scores as the server would have them (today and
# the backfill, timed) and the viewer the wrk runs log in as.
pages_prepare() {
	local p=$1 db=$2 shown=DB
	[[ $p == pg ]] && shown="postgres://…/bench_pages"
	local t0 t1
	t0=$(date +%s.%N)
	"$EP" score --db "$db" >/dev/null 2>"$WORK/score-$p.err" || { cat "$WORK/score-$p.err" >&2; return 1; }
	t1=$(date +%s.%N)
	PR[$p.score]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	cmd_note "ecopulse score --db $shown   # history backfill before serving"
	"$EP" user add bench --role viewer --db "$db" <"$WORK/password" >/dev/null 2>"$WORK/user-$p.err" || { cat "$WORK/user-$p.err" >&2; return 1; }
	cmd_note "ecopulse user add bench --role viewer --db $shown   # password on stdin"
}

# pages_run BACKEND DB: serves DB, logs in, runs wrk on the pages alone
# (the baseline) and while imports run, and stops the server; the figures
# go to BACKEND-baseline.rows, BACKEND-loaded.rows and PR.
pages_run() {
	local p=$1 db=$2 shown=DB
	[[ $p == pg ]] && shown="postgres://…/bench_pages"
	# The scoring job daily (a slot at 00:00 UTC), not every 5 minutes: its
	# slots are aligned to the clock, so the default would fire within the
	# few minutes of the runs at a different point of them each time.
	ECOPULSE_SCHEDULES_SCORE="@every 24h" "$EP" serve --db "$db" --addr 127.0.0.1:0 >"$WORK/serve-$p.out" 2>"$WORK/serve-$p.log" &
	SERVE_PID=$!
	cmd_note "ECOPULSE_SCHEDULES_SCORE='@every 24h' ecopulse serve --db $shown --addr 127.0.0.1:0"
	local addr= i
	for ((i = 0; i < 600; i++)); do
		addr=$(sed -n 's|.*serving on http://\([^/]*\)/.*|\1|p' "$WORK/serve-$p.out" | head -1)
		[[ -n $addr ]] && break
		kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve-$p.log" >&2; return 1; }
		sleep 0.1
	done
	[[ -n $addr ]] || { log "serve did not start"; return 1; }
	BASE=http://$addr
	local base=$BASE
	# Wait for the start-up scoring run to finish (it logs "scores computed").
	for ((i = 0; i < 1200; i++)); do
		grep -q 'scores computed' "$WORK/serve-$p.log" && break
		sleep 0.1
	done
	local jar=$WORK/cookies-$p
	curl -s -c "$jar" -b "$jar" "$base/login" -o /dev/null
	CSRF=$(awk '$6 == "ep_csrf" { print $7 }' "$jar")
	local code
	code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "name=bench" \
		--data-urlencode "password=$(cat "$WORK/password")" --data-urlencode "csrf=$CSRF" "$base/login")
	SESSION=$(awk '$6 == "ep_session" { print $7 }' "$jar")
	CSRF=$(awk '$6 == "ep_csrf" { print $7 }' "$jar")
	[[ $code == 303 && -n $SESSION ]] || { log "login failed ($code)"; return 1; }
	cmd_note "curl GET /login (ep_session, ep_csrf cookies); curl POST /login name=bench password=… csrf=…"
	SLUG=$(curl -s -H "Cookie: ep_session=$SESSION" "$base/api/v1/scores" | grep -o '"slug":"[^"]*"' | head -1 | cut -d'"' -f4)
	[[ -n $SLUG ]] || { log "no member in /api/v1/scores"; return 1; }
	PR[$p.slug]=$SLUG
	local gz=
	[[ $WRK_GZIP == 1 ]] && gz=" -H 'Accept-Encoding: gzip'"
	local wrkcmd="wrk -t$WRK_THREADS -c$WRK_CONNS -dSECONDS --timeout 10s --latency -H 'Cookie: ep_session=…'$gz URL   # for /, /members, /members/$SLUG, /api/v1/overview, /api/v1/scores$([[ $p == pg ]] && echo ', on PostgreSQL')"

	# Baseline: the pages alone.
	if [[ $BASE_SECONDS -gt 0 ]]; then
		wrk_pages "$p-baseline" "$BASE_SECONDS"
		cmd_note "${wrkcmd/SECONDS/${BASE_SECONDS}s}   # baseline, nothing else running"
	fi

	# Imports, one after the other (each a fresh copy: a new file to the
	# cursor), for as long as wrk runs.
	: >"$WORK/imports-$p.rows"
	rm -f "$WORK/stop-imports" "$WORK/imports.failed"
	(
		k=0
		while [[ ! -f $WORK/stop-imports ]]; do
			k=$((k + 1))
			# A first line of its own gives each copy a head of its own: the
			# import's cursor then reads it as a new file (inodes are reused).
			{ echo "127.0.0.1 - - [17/May/2015:10:05:03 +0000] \"GET /bench/import-$k HTTP/1.1\" 200 512 \"-\" \"bench\""; cat "$WORK/import.log"; } >"$WORK/import-$p-$k.log"
			s=$(date +%s.%N)
			"$EP" import accesslog --db "$db" --json "$WORK/import-$p-$k.log" >"$WORK/import-$p-$k.json" 2>"$WORK/import-$p-$k.err" || echo "import $k failed" >>"$WORK/imports.failed"
			e=$(date +%s.%N)
			echo "$k $(grep -o '"lines":[0-9]*' "$WORK/import-$p-$k.json" | cut -d: -f2) $(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')" >>"$WORK/imports-$p.rows"
			rm -f "$WORK/import-$p-$k.log"
		done
	) &
	local imp_pid=$!
	cmd_note "while wrk runs: ecopulse import accesslog --db $shown --json COPY-OF-$LINES-LINE-SPARSE-LOG   # in a loop"
	sleep 2 # the first import is under way
	wrk_pages "$p-loaded" "$WRK_SECONDS"
	cmd_note "${wrkcmd/SECONDS/${WRK_SECONDS}s}   # while the imports run"
	touch "$WORK/stop-imports"
	wait "$imp_pid"
	PR[$p.hwm_kb]=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVE_PID/status")
	local t2 t3
	t2=$(date +%s.%N)
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID"
	t3=$(date +%s.%N)
	SERVE_PID=
	PR[$p.stop]=$(awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a }')
	PR[$p.locked]=$(grep -ci 'database is locked' "$WORK/serve-$p.log" || true)
	PR[$p.errors]=$(grep -c 'level=ERROR' "$WORK/serve-$p.log" || true)
	PR[$p.imports]=$(wc -l <"$WORK/imports-$p.rows")
	PR[$p.imported]=$(awk '{ s += $2 } END { print s + 0 }' "$WORK/imports-$p.rows")
	PR[$p.imp_secs]=$(awk '{ s += $3 } END { print s + 0 }' "$WORK/imports-$p.rows")
	PR[$p.imp_failed]=0
	[[ -f $WORK/imports.failed ]] && PR[$p.imp_failed]=$(wc -l <"$WORK/imports.failed")
	PR[$p.imp_locked]=$(cat "$WORK"/import-"$p"-*.err 2>/dev/null | grep -ci 'database is locked' || true)
	return 0
}

# pages_notes BACKEND: the run's notes as a list.
pages_notes() {
	local p=$1 mb
	mb=$(awk -v k="${PR[$p.hwm_kb]}" 'BEGIN { if (k != "") print k * 1024 / 1e6 }')
	echo "- Member page: \`/members/${PR[$p.slug]}\`."
	echo "- Concurrent import: ${PR[$p.imports]} import(s), ${PR[$p.imported]} lines in $(fmt "${PR[$p.imp_secs]}" %.1f) s of importing ($(fmt "$(ratio "${PR[$p.imported]}" "${PR[$p.imp_secs]}")" %.0f) lines/s while serving); ${PR[$p.imp_failed]} failed$([[ $p == sqlite ]] && echo "; \"database is locked\" in the imports' output: ${PR[$p.imp_locked]}")."
	if [[ $p == sqlite ]]; then
		echo "- Server log: \"database is locked\": **${PR[$p.locked]}**; ERROR lines: ${PR[$p.errors]}."
		echo "- Peak RSS of \`serve\` (VmHWM, start-up scoring, every wrk run and the imports): **$(fmt "$mb" %.0f) MB** — goal < 200 MB: $(goal "$mb" "<" 200)."
	else
		echo "- Server log: ERROR lines: ${PR[$p.errors]}."
		echo "- Peak RSS of \`serve\` (VmHWM, start-up scoring, every wrk run and the imports; the database server's processes are apart): $(fmt "$mb" %.0f) MB."
	fi
	echo "- SIGTERM to exit: $(fmt "${PR[$p.stop]}" %.2f) s."
}

# pages_compare: the pages' requests/s and p99 on both backends, with the
# ratios; records the loaded ratios for the summary and prints the pages
# more than 3× slower on PostgreSQL to fd 3.
pages_compare() {
	echo "| phase | page | SQLite requests/s | PostgreSQL requests/s | PostgreSQL ÷ SQLite, time per request | SQLite p99 ms | PostgreSQL p99 ms | PostgreSQL ÷ SQLite, p99 |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	local phase label
	for phase in loaded baseline; do
		[[ -f $WORK/sqlite-$phase.rows && -f $WORK/pg-$phase.rows ]] || continue
		label="while importing"
		[[ $phase == baseline ]] && label="baseline"
		local name rps p50 p99 rest prps pp99 q q99
		while read -r name rps p50 p99 rest; do
			read -r prps pp99 < <(awk -v n="$name" '$1 == n { print $2, $4 }' "$WORK/pg-$phase.rows")
			q=$(ratio "$rps" "$prps") q99=$(ratio "$pp99" "$p99")
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$name" "$(fmt "$rps" %.0f)" "$(fmt "$prps" %.0f)" "$(xfmt "$q")" \
				"$(fmt "$p99" %.2f)" "$(fmt "$pp99" %.2f)" "$(xfmt "$q99")"
			[[ $name == healthz-control ]] && continue
			[[ $phase == loaded ]] && pg_summary "page $name while importing: requests/s" "$(fmt "$rps" %.0f)" "$(fmt "$prps" %.0f)" "$q"
			[[ -n $(slower "$q") ]] && echo "requests/s: $name ($label)" >&3
			[[ -n $(slower "$q99") ]] && echo "p99: $name ($label)" >&3
		done <"$WORK/sqlite-$phase.rows"
	done
	local a b qi
	a=$(ratio "${PR[sqlite.imported]}" "${PR[sqlite.imp_secs]}") b=$(ratio "${PR[pg.imported]}" "${PR[pg.imp_secs]}")
	qi=$(ratio "$a" "$b")
	echo
	echo "The imports while the pages were loaded: $(fmt "$a" %.0f) lines/s into SQLite, $(fmt "$b" %.0f) lines/s into PostgreSQL: PostgreSQL ÷ SQLite $(fmt "$qi" %.2f)× (time per line)."
	pg_summary "access-log import while serving the pages: lines/s" "$(fmt "$a" %.0f)" "$(fmt "$b" %.0f)" "$qi"
	[[ -n $(slower "$qi") ]] && echo "import" >&3
	return 0
}

section_pages() {
	need_pkg wrk wrk || return 1
	command -v curl >/dev/null || { log "curl is missing"; return 1; }
	local end
	end=$(date -u -d yesterday +%F)
	local cached
	cached=$(ensure_db "demo-$PAGE_MEMBERS-$PAGE_DAYS-$end" -kind demo -members "$PAGE_MEMBERS" -days "$PAGE_DAYS" -end "$end") || return 1
	cmd_note "gendata -kind demo -members $PAGE_MEMBERS -days $PAGE_DAYS -end $end DB   # $(cat "$cached.how")"
	local db=$WORK/pages.db
	cp "$cached" "$db"
	echo "bench-password-$$-$RANDOM" >"$WORK/password"
	pages_prepare sqlite "$db" || return 1

	# The concurrent import: a large sparse log (a rollup row for nearly every line).
	"$WORK/importbench" -generate "$LINES" -shift 0 -from "$(accesslog_source)" "$WORK/import.log" 2>"$WORK/gen.err" || { cat "$WORK/gen.err" >&2; return 1; }

	pages_run sqlite "$db" || return 1
	# The handlers alone, one request at a time, no network, on the same data.
	local lh
	lh=$(load1)
	log "handler latency on the same database (load $lh)…"
	local handler_ok=1
	ECOPULSE_BENCH_DB="$db" go test -run '^$' -bench 'PageLatency' -benchtime "${HANDLER_REQUESTS}x" ./app >"$WORK/handler.out" 2>&1 || handler_ok=0
	cmd_note "ECOPULSE_BENCH_DB=DB go test -run '^\$' -bench 'PageLatency' -benchtime ${HANDLER_REQUESTS}x ./app"

	# PostgreSQL: the generated database copied into a fresh database of the
	# cluster, then scored, served and loaded the same way.
	local pg_ok=0 copy_secs=
	if [[ $PG == 1 ]]; then
		local url src=$WORK/pages-src.db
		cp "$cached" "$src"
		url=$(pg_newdb bench_pages) || return 1
		log "copying the pages' database into PostgreSQL…"
		local t0 t1
		t0=$(date +%s.%N)
		if "$EP" copy --db "$src" --to "$url" >"$WORK/copy-pages.out" 2>"$WORK/copy-pages.err"; then
			t1=$(date +%s.%N)
			copy_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
			cmd_note "ecopulse copy --db DB --to postgres://…/bench_pages   # the generated database, before scoring, into a fresh database"
			pages_prepare pg "$url" && pages_run pg "$url" && pg_ok=1
		else
			tail -5 "$WORK/copy-pages.err" >&2
		fi
		rm -f "$src"
	fi

	{
		echo "## Pages under load"
		echo
		echo "\`ecopulse serve\` on $PAGE_DAYS days of demo data for $PAGE_MEMBERS members (\`gendata -kind demo -members $PAGE_MEMBERS -days $PAGE_DAYS\`, collectors/demo.Seed; scored by \`ecopulse score\` in $(fmt "${PR[sqlite.score]}" %.0f) s), logged in as a viewer; \`wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s\` (one run per page) on each page in turn, $( [[ $WRK_GZIP == 1 ]] && echo "each request accepting gzip as every browser's does (kept pages are compressed once per build; \`WRK_GZIP=0\` measures uncompressed responses)," || echo "requests without Accept-Encoding (uncompressed responses; \`WRK_GZIP=1\`, the default, accepts gzip as browsers do)," ) while \`ecopulse import accesslog\` (at its default CPU nice 10, as a cron'd import runs) imports copies of a $LINES-line sparse combined log into the same database, one after the other, for the whole time; the server's scoring job is scheduled daily, so that no scoring run falls within the runs (the default, every 5 minutes on the clock, would fire during them at a different point each time: see the notes). Goal: p99 < 20 ms; no errors; no \"database is locked\". The last row, \`/healthz\` (${CONTROL_SECONDS} s), is a control, not a page: public, so no session is read or slid (written), and one small read."
		echo
		echo "### While the imports run"
		echo
		pages_table sqlite-loaded
		if [[ $BASE_SECONDS -gt 0 ]]; then
			echo
			echo "### Baseline: the same pages with nothing else running (${BASE_SECONDS} s each, before the imports started)"
			echo
			pages_table sqlite-baseline
		fi
		echo
		echo "### The handlers alone"
		echo
		if [[ $handler_ok == 1 ]]; then
			echo "\`BenchmarkPageLatency\` (app/pages_bench_test.go) on a copy of the same database after the run: each request timed through the Fiber handler stack (session, queries, templates), one at a time, no network, $HANDLER_REQUESTS requests per page (the member page cycles through 16 members). Load (1 min) at start: $lh."
			echo
			echo "| page | mean ms | p50 ms | p99 ms | goal p99 < 20 ms |"
			echo "| --- | ---: | ---: | ---: | --- |"
			awk '/^BenchmarkPageLatency\// { split($1, p, "/"); sub("-[0-9]+$", "", p[2]); for (i = 1; i < NF; i++) { if ($(i + 1) == "ns/op") ns = $i; if ($(i + 1) == "p50-ms") a = $i; if ($(i + 1) == "p99-ms") b = $i }
				printf "| %s | %.2f | %.2f | %.2f | %s |\n", p[2], ns / 1e6, a, b, (b < 20 ? "met" : "**not met**") }' "$WORK/handler.out"
		else
			echo "**FAILED** (see the script's output)."
			tail -20 "$WORK/handler.out" >&2
		fi
		echo
		pages_notes sqlite
		if [[ $PG == 1 ]]; then
			echo
			echo "### PostgreSQL beside SQLite"
			echo
			if [[ $pg_ok == 1 ]]; then
				echo "The same generated database, as generated, copied into a fresh database of the throwaway cluster (\`ecopulse copy --to URL\`, $(fmt "$copy_secs" %.0f) s), scored there by \`ecopulse score\` in $(fmt "${PR[pg.score]}" %.0f) s, then served, logged into and loaded in the same way right after the SQLite run: the same pages, wrk runs and imports, into the PostgreSQL database. The handlers-alone benchmark reads a SQLite file and is not repeated. PostgreSQL ÷ SQLite: the time per request (SQLite's requests/s over PostgreSQL's) and the p99s' ratio (> 1: slower on PostgreSQL)."
				echo
				local slow
				slow=$(pages_compare 3>&1 >"$WORK/pages-compare.md")
				cat "$WORK/pages-compare.md"
				echo
				echo "#### On PostgreSQL, while the imports run"
				echo
				pages_table pg-loaded
				if [[ $BASE_SECONDS -gt 0 ]]; then
					echo
					echo "#### On PostgreSQL, baseline"
					echo
					pages_table pg-baseline
				fi
				echo
				pages_notes pg
				if [[ -n $slow ]]; then
					echo
					why_pages "$slow"
				fi
			else
				echo "**FAILED** on this run (see the script's output)."
			fi
		fi
	} >"$WORK/section-pages.md"
	PAGES_LOCKED=${PR[sqlite.locked]}
}

# why_pages LINES: why the pages (or the imports beside them) are more than
# 3× slower on PostgreSQL; LINES are pages_compare's, one finding a line.
why_pages() {
	local found=$1
	echo "**Why the pages are more than 3× slower on PostgreSQL here** ($(echo "$found" | sed 's/^import$/the imports while serving/' | paste -sd';' - | sed 's/;/; /g'))."
	if grep -q '^requests' <<<"$found"; then
		echo
		echo "- Requests/s: a kept page is built once per change of the data and then served from memory, so a request's work in the store is small: the viewer's session is read (and, now and then, slid: a write), and \`/healthz\` reads the schema version. On SQLite that is a call into the serving process, a few microseconds; on PostgreSQL it is a round trip over loopback TCP to a server process, which on this machine's $(nproc) cores waits to be scheduled among wrk's threads, \`serve\`'s and the import's. A page rebuilt after an import changed its data runs all its queries that way, a round trip each, in one read transaction."
	fi
	if grep -q '^p99' <<<"$found"; then
		echo
		echo "- p99: with the 1-minute load above the machine's $(nproc) cores (the tables' load column), the slowest requests are the ones that waited for a core, and a request on PostgreSQL needs two processes to be scheduled in turn (\`serve\`'s and the database server's) where SQLite needs one: the tail grows with the load more than the work does. The handlers alone take a few milliseconds at most (the table above, SQLite); the median (p50) columns show the work of a request, the p99s mostly the queue for a core."
	fi
	if grep -q '^requests\|^p99' <<<"$found"; then
		echo
		echo "- One wrk run per page and phase ($WRK_SECONDS s loaded, $BASE_SECONDS s baseline): a page's ratio reflects the load of its few seconds as much as the page; where the other pages' ratios stay near 1 in the same run, a single page's 3× is the machine's noise rather than a cost of PostgreSQL's, and a run on an idle machine (or more seconds) tells them apart."
	fi
	if grep -q '^import' <<<"$found"; then
		echo
		echo "- The imports while serving: the sparse log writes nearly a rollup row per line, and on PostgreSQL each row is server work (an index probe, a new row version with its index entries, a WAL record; see the access-log import's section), done by a server process that here also answers the pages' reads and shares the $(nproc) cores with wrk and \`serve\`; on SQLite the import's writes stay in the importer's process and the pages read from the same file without waiting for it (WAL)."
	fi
}

# accesslog_source prints the real Apache log (collectors/accesslog/testdata),
# un-gzipped into the work directory once.
accesslog_source() {
	local out="$WORK/apache_logs"
	if [[ ! -f $out ]]; then
		gzip -dc "$ROOT/collectors/accesslog/testdata/apache_logs.gz" >"$out"
	fi
	echo "$out"
}

# ---------------------------------------------------------------- run
for s in accesslog ingest replicas model store pages; do
	if skipped "$s"; then
		continue
	fi
	if "section_$s"; then
		SECTIONS+=("$s")
	else
		log "section $s FAILED"
		{ echo "## $s"; echo; echo "**FAILED** on this run (see the script's output)."; } >"$WORK/section-$s.md"
		SECTIONS+=("$s")
	fi
done

T_END=$(date +%s)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "# EcoPulse benchmarks"
	echo
	echo "Written by \`scripts/bench.sh\`$([[ $QUICK == 1 ]] && echo ' (QUICK=1: a short run with small data, not the reference figures)') on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT$([[ $DIRTY -gt 0 ]] && echo " with $DIRTY uncommitted change(s) in the tree"). Run it again with \`make bench\` or \`bash scripts/bench.sh\` (\`QUICK=1\` for a short run); figures are medians of $RUNS run(s) unless said otherwise, comparisons are ratios measured in the same run, and the 1-minute load average is given next to each figure: other jobs share this machine."
	echo
	echo "## Machine"
	echo
	echo "| | |"
	echo "| --- | --- |"
	echo "| CPU | $CPU, $(nproc) cores |"
	echo "| memory | $MEM_MB MB |"
	echo "| load average at start (1, 5, 15 min) | $LOAD_START |"
	echo "| load average at the end | $LOAD_END |"
	echo "| Go | $GOVERSION |"
	[[ $PG == 1 ]] && echo "| PostgreSQL | $PG_VERSION: a throwaway cluster of this machine for this run (scripts/pgtest.sh), fsync off |"
	echo "| kernel | $(uname -sr) |"
	echo "| total run | $(((T_END - T_START) / 60)) min $(((T_END - T_START) % 60)) s |"
	echo
	echo "## Goals"
	echo
	echo "| goal | result |"
	echo "| --- | --- |"
	# Goal rows, from the sections' tables (fields trimmed).
	local_awk='function t(x) { gsub(/^ +| +$/, "", x); return x }'
	[[ -f $WORK/section-accesslog.md ]] && grep -E '^\| (dense|sparse) ' "$WORK/section-accesslog.md" | awk -F'|' "$local_awk"'{ printf "| import of the %s log ≥ 10× the lines/s of GoAccess | %s (%s) |\n| import of the %s log: peak RSS < 100 MB | %s (%s) |\n", t($2), t($11), t($9), t($2), t($12), t($8) }'
	[[ -f $WORK/section-ingest.md ]] && grep -E '^\| (100|1000) ' "$WORK/section-ingest.md" | awk -F'|' "$local_awk"'{ printf "| push ingest, batches of %s: ≥ 100k records/s | %s (%s records/s) |\n", t($2), t($5), t($3) }'
	[[ -f $WORK/section-model.md ]] && grep -E '^\| 10000 \| sorted ' "$WORK/section-model.md" | awk -F'|' "$local_awk"'{ printf "| scoring model alone, 10k members: < 1 s | %s (%s s) |\n", t($9), t($5) }'
	[[ -f $WORK/section-store.md ]] && grep -E '^\| 10000 \| [0-9]+ \| [0-9.]+ \|' "$WORK/section-store.md" | head -1 | awk -F'|' "$local_awk"'{ printf "| scoring a day on the store, 10k members: < 1 s | %s (%s s) |\n", t($12), t($8) }'
	[[ -f $WORK/sqlite-loaded.rows ]] && awk '$1 != "healthz-control" { printf "| %s: p99 < 20 ms while importing | %s (%s ms) |\n", $1, ($4 != "" && $4 < 20) ? "met" : "**not met**", $4 }' "$WORK/sqlite-loaded.rows"
	[[ -f $WORK/section-pages.md ]] && echo "| no \"database is locked\" in the server log | $([[ ${PAGES_LOCKED:-x} == 0 ]] && echo met || echo "**not met** (${PAGES_LOCKED:-not measured})") |"
	[[ -f $WORK/section-pages.md ]] && grep -E 'goal < 200 MB' "$WORK/section-pages.md" | sed -E 's/.*\*\*([0-9]+ MB)\*\* — goal < 200 MB: (.*)\.$/| serve: peak RSS < 200 MB | \2 (\1) |/'
	if [[ $PG == 1 ]]; then
		echo
		echo "## PostgreSQL beside SQLite"
		echo
		echo "Each step below that reads or writes the store also ran on PostgreSQL in the same run, right after SQLite: the access-log import, push ingest, scoring a day on the store (at $(echo "$PG_STORE_MEMBERS" | sed 's/ / and /g') members, where the run has them; the databases copied from the SQLite ones with \`ecopulse copy --to URL\`) and the pages under wrk (sections left out by SKIP excepted). PostgreSQL $PG_VERSION ran as a throwaway cluster that \`scripts/pgtest.sh\` started for this run and removed after it: on this machine, reached over TCP on 127.0.0.1, with fsync=off, synchronous_commit=off, full_page_writes=off and shared_buffers=128MB (the rest PostgreSQL's defaults). What that means for the figures:"
		echo
		echo "- No network between EcoPulse and the database: a round trip costs loopback's tens of microseconds where a database on another host costs a network's, often ten times that or more. Every step that sends many statements is measured at its best here."
		echo "- With fsync and synchronous_commit off a commit never waits for the disk, and nothing here survives a crash of the machine. The write steps (import, ingest, saving scores) are faster than on a production cluster, where each commit waits for its WAL to reach the disk. EcoPulse's SQLite runs in WAL mode with synchronous=NORMAL, which commits without a flush too (the flush comes at checkpoints): the two are compared on the same footing, not at a production cluster's durability. Reads (the pages, the scoring window) hardly depend on these settings."
		echo "- The database server's processes share the machine's $(nproc) cores with EcoPulse and with whatever else runs (see the load averages); SQLite works inside EcoPulse's process."
		echo
		echo "PostgreSQL ÷ SQLite is the ratio of the times (for a throughput, SQLite's over PostgreSQL's): above 1, slower on PostgreSQL. A step more than 3× slower says why in its section."
		echo
		echo "| step | SQLite | PostgreSQL | PostgreSQL ÷ SQLite | |"
		echo "| --- | ---: | ---: | ---: | --- |"
		while IFS='|' read -r step a b q; do
			printf '| %s | %s | %s | %s | %s |\n' "$step" "$a" "$b" "$(xfmt "$q")" "$([[ -n $(slower "$q") ]] && echo "**more than 3× slower**: why in its section")"
		done <"$WORK/pg-summary.rows"
	fi
	for s in "${SECTIONS[@]}"; do
		echo
		cat "$WORK/section-$s.md"
	done
	echo
	echo "## Commands run"
	echo
	echo '```sh'
	printf '%s\n' "${CMDS[@]}"
	echo '```'
	# The hand-written sections (figures measured by hand, the house plan):
	# kept in their own file so that a run does not lose them.
	if [[ -f $NOTES ]]; then
		echo
		sed '1{/^<!--.*-->$/d}' "$NOTES" | sed '1{/^$/d}'
	fi
} >"$OUT"
log "wrote $OUT in $(((T_END - T_START) / 60)) min $(((T_END - T_START) % 60)) s"
