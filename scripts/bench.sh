#!/usr/bin/env bash
# EcoPulse proof under load: builds EcoPulse, prepares data, runs every
# benchmark on this machine and writes BENCHMARKS.md with the machine, the
# commands run and the figures (medians of several runs; comparisons as
# ratios measured in the same run; the 1-minute load average next to each).
#
#   bash scripts/bench.sh            # full run: ~15 min once the data is cached
#   QUICK=1 bash scripts/bench.sh    # short run (~4 min): small data, one run each
#
# Sections (SKIP="accesslog ingest model store pages" leaves some out):
#   accesslog  import of LINES combined lines vs GoAccess (scripts/bench-accesslog.sh; dense and sparse)
#   ingest     push ingest over loopback, batches of 100 and 1,000 (BenchmarkIngestLoopback)
#   model      the pure scoring model at 1k/10k/50k members (BenchmarkScaleScore)
#   store      scoring a day on databases with a year of daily rollups (scripts/bench/gendata, scoretime)
#   pages      wrk on five pages of a year of data for PAGE_MEMBERS members while an access-log
#              import runs; p50/p99, errors, "database is locked" in the log, peak RSS of serve
#
# Knobs (environment): RUNS (repetitions, default 3; QUICK 1), LINES (1000000; QUICK 200000),
# WRK_SECONDS (30; QUICK 5), BASE_SECONDS (wrk without the import first, 10; QUICK 3; 0: none), WRK_CONNS (8), WRK_THREADS (2), WRK_GZIP (1: requests accept gzip, as browsers; 0: not), PAGE_MEMBERS (500; QUICK 100),
# PAGE_DAYS (365; QUICK 90), CONTROL_SECONDS (wrk on /healthz after the pages, 10; QUICK 3; 0: none), HANDLER_REQUESTS (per page in BenchmarkPageLatency, 100; QUICK 20), STORE_MEMBERS ("1000 10000 50000": the 50k database takes about 40 min to generate, once, and 7.4 GB; QUICK "1000"), BENCH_CACHE (generated
# databases are kept there between runs, default /var/tmp/ecopulse-bench), REGEN=1 (regenerate
# them), OUT (default BENCHMARKS.md), NOTES (hand-written sections appended to OUT as they are,
# default docs/benchmarks-notes.md), KEEP=1 (keep the work directory with every raw output).
# Needs go, curl, and (installed with apt-get when missing, as root) goaccess, time and wrk.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
export CGO_ENABLED=0
unset ECOPULSE_DB ECOPULSE_ADDR

QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
	RUNS=${RUNS:-1} LINES=${LINES:-200000} WRK_SECONDS=${WRK_SECONDS:-5} BASE_SECONDS=${BASE_SECONDS:-3} PAGE_MEMBERS=${PAGE_MEMBERS:-100}
	HANDLER_REQUESTS=${HANDLER_REQUESTS:-20} CONTROL_SECONDS=${CONTROL_SECONDS:-3}
	PAGE_DAYS=${PAGE_DAYS:-90} STORE_MEMBERS=${STORE_MEMBERS:-1000}
fi
RUNS=${RUNS:-3} LINES=${LINES:-1000000} WRK_SECONDS=${WRK_SECONDS:-30} BASE_SECONDS=${BASE_SECONDS:-10} WRK_CONNS=${WRK_CONNS:-8}
WRK_THREADS=${WRK_THREADS:-2} WRK_GZIP=${WRK_GZIP:-1} PAGE_MEMBERS=${PAGE_MEMBERS:-500} PAGE_DAYS=${PAGE_DAYS:-365}
HANDLER_REQUESTS=${HANDLER_REQUESTS:-100} CONTROL_SECONDS=${CONTROL_SECONDS:-10} STORE_MEMBERS=${STORE_MEMBERS:-1000 10000 50000} BENCH_CACHE=${BENCH_CACHE:-/var/tmp/ecopulse-bench}
OUT=${OUT:-BENCHMARKS.md} NOTES=${NOTES:-docs/benchmarks-notes.md} SKIP=${SKIP:-} REGEN=${REGEN:-0} KEEP=${KEEP:-0}
STORE_END=2026-06-30 # the scale databases' last day: their content never depends on the clock

WORK=$(mktemp -d /tmp/ecopulse-bench.XXXXXX)
SERVE_PID=
cleanup() {
	[[ -n $SERVE_PID ]] && kill "$SERVE_PID" 2>/dev/null
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
cmd_note "go build -o ecopulse . && go build ./scripts/bench/gendata ./scripts/bench/scoretime ./collectors/accesslog/cmd/importbench"
if [[ $BUILD_OK != 1 ]]; then
	cat "$WORK/build.err" >&2
	log "build failed"
	exit 1
fi
EP=$WORK/ecopulse

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
		awk -v l="$l" -v r="$r" '$1 == "dense" || $1 == "sparse" { gsub("x", "", $NF); print r, $1, $2, $5, $7, $9, $12, $14, $16, $NF, l }' "$WORK/accesslog-$r.out" >>"$WORK/accesslog.rows"
	done
	cmd_note "LINES=$LINES PARSER=0 bash scripts/bench-accesslog.sh   # $RUNS times"
	local gv
	gv=$(goaccess --version 2>/dev/null | head -1)
	{
		echo "## Access-log import: EcoPulse vs GoAccess"
		echo
		echo "$LINES combined-format lines made from the real Apache log of the tests' data (collectors/accesslog/testdata) (\`scripts/bench-accesslog.sh\`), $RUNS run(s), medians; the ratio is EcoPulse's lines/s over GoAccess's in the same run. $gv; EcoPulse through \`importbench\` (accesslog.Import into a fresh database). Goals: ratio ≥ 10× (dense), EcoPulse peak RSS < 100 MB."
		echo
		echo "| log | GoAccess s | GoAccess lines/s | GoAccess peak RSS | EcoPulse s | EcoPulse lines/s | EcoPulse peak RSS | ratio | load (1 min) at start | goal ≥ 10× | goal < 100 MB |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"
		local shape
		for shape in dense sparse; do
			local col gs gl gr es el er ra loads
			col() { awk -v s="$shape" -v c="$1" '$2 == s { print $c }' "$WORK/accesslog.rows" | median; }
			gs=$(col 4) gl=$(col 5) gr=$(col 6) es=$(col 7) el=$(col 8) er=$(col 9) ra=$(col 10)
			loads=$(awk -v s="$shape" '$2 == s { printf "%s%s", sep, $11; sep = ", " }' "$WORK/accesslog.rows")
			# bench-accesslog.sh prints MiB; MB here are 10^6 bytes.
			local grm erm
			grm=$(awk -v m="$gr" 'BEGIN { if (m != "") print m * 1.048576 }')
			erm=$(awk -v m="$er" 'BEGIN { if (m != "") print m * 1.048576 }')
			printf '| %s | %s | %s | %s MB | %s | %s | %s MB | %s× | %s | %s | %s |\n' "$shape" \
				"$(fmt "$gs" %.2f)" "$(fmt "$gl" %.0f)" "$(fmt "$grm" %.0f)" \
				"$(fmt "$es" %.2f)" "$(fmt "$el" %.0f)" "$(fmt "$erm" %.0f)" \
				"$(fmt "$ra" %.1f)" "$loads" "$(goal "$ra" ">=" 10)" "$(goal "$erm" "<" 100)"
		done
		echo
		echo "Every run:"
		echo
		echo '```'
		cat "$WORK"/accesslog-*.out | grep -E '^(dense|sparse|load)'
		echo '```'
	} >"$WORK/section-accesslog.md"
}

# ---------------------------------------------------------------- ingest
section_ingest() {
	local l
	l=$(load1)
	log "push ingest over loopback (load $l)…"
	local c="go test -run '^\$' -bench 'IngestLoopback' -benchtime 2s -count $RUNS ./app"
	cmd_note "$c"
	go test -run '^$' -bench 'IngestLoopback' -benchtime 2s -count "$RUNS" ./app >"$WORK/ingest.out" 2>&1 || { tail -20 "$WORK/ingest.out" >&2; return 1; }
	local l2
	l2=$(load1)
	# ingest_records NAME-PREFIX: the records/s of every run of one benchmark.
	ingest_records() { awk -v n="$1" 'index($1, n) == 1 { for (i = 1; i < NF; i++) if ($(i + 1) == "records/s") print $i }' "$WORK/ingest.out"; }
	{
		echo "## Push ingest over loopback"
		echo
		echo "\`BenchmarkIngestLoopback\`: NDJSON batches POSTed to a real server on 127.0.0.1 with a bearer token by one client, each request sent when the previous one was answered (so each pays its whole cost), each batch stored whole before its answer; $RUNS run(s) of 2 s each, median. Goal: ≥ 100,000 records/s. Load (1 min): $l at start, $l2 at the end."
		echo
		echo "| batch | records/s (median) | every run | goal ≥ 100k/s |"
		echo "| ---: | ---: | --- | --- |"
		local b n all med
		for b in 100 1000; do
			all=$(ingest_records "BenchmarkIngestLoopback/batch=$b-")
			med=$(echo "$all" | median)
			printf '| %s | %s | %s | %s |\n' "$b" "$(fmt "$med" %.0f)" "$(echo "$all" | awk '{ printf "%s%.0f", sep, $1; sep = ", " }')" "$(goal "$med" ">=" 100000)"
		done
		echo
		echo "\`BenchmarkIngestLoopbackConcurrent\`: the same with several clients posting at once, as a gateway's workers do; batches that arrive together share a write transaction (group commit), each still stored whole or not at all and answered once committed. Overlapping requests hide part of the per-request cost: these figures come beside the one-client figures above, which the goal is judged on, never instead of them."
		echo
		echo "| clients | batch | records/s (median) | every run |"
		echo "| ---: | ---: | ---: | --- |"
		for n in 4 8; do
			for b in 100 1000; do
				all=$(ingest_records "BenchmarkIngestLoopbackConcurrent/clients=$n/batch=$b-")
				med=$(echo "$all" | median)
				printf '| %s | %s | %s | %s |\n' "$n" "$b" "$(fmt "$med" %.0f)" "$(echo "$all" | awk '{ printf "%s%.0f", sep, $1; sep = ", " }')"
			done
		done
	} >"$WORK/section-ingest.md"
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
		jget() { echo "$1" | grep -o "\"$2\":[^,}]*" | head -1 | cut -d: -f2; }
		echo "$n $(jget "$j" pairs) $(jget "$j" edges) $(jget "$j" window_s) $(jget "$j" model_s) $(jget "$j" save_s) $(jget "$j" total_s) $l $(jget "$gen" usage_rows) $(jget "$gen" activities) $(jget "$gen" projects) $(jget "$gen" seconds) $(du -m "$db" | cut -f1) $(cat "$db.how" | tr ' ' '_') $(jget "$j" refresh_s) $(jget "$j" catch_up_s) $(jget "$j" catch_up_days) $(jget "$j" catch_up_activity_days)" >>"$WORK/store.rows"
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
	} >"$WORK/section-store.md"
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
	# Scores as the server would have them: today and the backfill.
	local t0 t1
	t0=$(date +%s.%N)
	"$EP" score --db "$db" >/dev/null 2>"$WORK/score.err" || { cat "$WORK/score.err" >&2; return 1; }
	t1=$(date +%s.%N)
	SCORE_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	cmd_note "ecopulse score --db DB   # history backfill before serving"
	echo "bench-password-$$-$RANDOM" >"$WORK/password"
	"$EP" user add bench --role viewer --db "$db" <"$WORK/password" >/dev/null 2>"$WORK/user.err" || { cat "$WORK/user.err" >&2; return 1; }
	cmd_note "ecopulse user add bench --role viewer --db DB   # password on stdin"

	# The concurrent import: a large sparse log (a rollup row for nearly every line).
	"$WORK/importbench" -generate "$LINES" -shift 0 -from "$(accesslog_source)" "$WORK/import.log" 2>"$WORK/gen.err" || { cat "$WORK/gen.err" >&2; return 1; }

	"$EP" serve --db "$db" --addr 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
	SERVE_PID=$!
	cmd_note "ecopulse serve --db DB --addr 127.0.0.1:0"
	local addr= i
	for ((i = 0; i < 600; i++)); do
		addr=$(sed -n 's|.*serving on http://\([^/]*\)/.*|\1|p' "$WORK/serve.out" | head -1)
		[[ -n $addr ]] && break
		kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; return 1; }
		sleep 0.1
	done
	[[ -n $addr ]] || { log "serve did not start"; return 1; }
	BASE=http://$addr
	local base=$BASE
	# Wait for the start-up scoring run to finish (it logs "scores computed").
	for ((i = 0; i < 1200; i++)); do
		grep -q 'scores computed' "$WORK/serve.log" && break
		sleep 0.1
	done
	local jar=$WORK/cookies
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
	local gz=
	[[ $WRK_GZIP == 1 ]] && gz=" -H 'Accept-Encoding: gzip'"
	local wrkcmd="wrk -t$WRK_THREADS -c$WRK_CONNS -dSECONDS --timeout 10s --latency -H 'Cookie: ep_session=…'$gz URL   # for /, /members, /members/$SLUG, /api/v1/overview, /api/v1/scores"

	# Baseline: the pages alone.
	if [[ $BASE_SECONDS -gt 0 ]]; then
		wrk_pages baseline "$BASE_SECONDS"
		cmd_note "${wrkcmd/SECONDS/${BASE_SECONDS}s}   # baseline, nothing else running"
	fi

	# Imports, one after the other (each a fresh copy: a new file to the
	# cursor), for as long as wrk runs.
	: >"$WORK/imports.rows"
	(
		k=0
		while [[ ! -f $WORK/stop-imports ]]; do
			k=$((k + 1))
			# A first line of its own gives each copy a head of its own: the
			# import's cursor then reads it as a new file (inodes are reused).
			{ echo "127.0.0.1 - - [17/May/2015:10:05:03 +0000] \"GET /bench/import-$k HTTP/1.1\" 200 512 \"-\" \"bench\""; cat "$WORK/import.log"; } >"$WORK/import-$k.log"
			s=$(date +%s.%N)
			"$EP" import accesslog --db "$db" --json "$WORK/import-$k.log" >"$WORK/import-$k.json" 2>"$WORK/import-$k.err" || echo "import $k failed" >>"$WORK/imports.failed"
			e=$(date +%s.%N)
			echo "$k $(grep -o '"lines":[0-9]*' "$WORK/import-$k.json" | cut -d: -f2) $(awk -v a="$s" -v b="$e" 'BEGIN { print b - a }')" >>"$WORK/imports.rows"
			rm -f "$WORK/import-$k.log"
		done
	) &
	local imp_pid=$!
	cmd_note "while wrk runs: ecopulse import accesslog --db DB --json COPY-OF-$LINES-LINE-SPARSE-LOG   # in a loop"
	sleep 2 # the first import is under way
	wrk_pages loaded "$WRK_SECONDS"
	cmd_note "${wrkcmd/SECONDS/${WRK_SECONDS}s}   # while the imports run"
	touch "$WORK/stop-imports"
	wait "$imp_pid"
	HWM_KB=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVE_PID/status")
	local t2 t3
	t2=$(date +%s.%N)
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID"
	t3=$(date +%s.%N)
	SERVE_PID=
	# The handlers alone, one request at a time, no network, on the same data.
	local lh
	lh=$(load1)
	log "handler latency on the same database (load $lh)…"
	local handler_ok=1
	ECOPULSE_BENCH_DB="$db" go test -run '^$' -bench 'PageLatency' -benchtime "${HANDLER_REQUESTS}x" ./app >"$WORK/handler.out" 2>&1 || handler_ok=0
	cmd_note "ECOPULSE_BENCH_DB=DB go test -run '^\$' -bench 'PageLatency' -benchtime ${HANDLER_REQUESTS}x ./app"
	local stop_secs locked errors imports imported imp_secs
	stop_secs=$(awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a }')
	locked=$(grep -ci 'database is locked' "$WORK/serve.log" || true)
	errors=$(grep -c 'level=ERROR' "$WORK/serve.log" || true)
	imports=$(wc -l <"$WORK/imports.rows")
	imported=$(awk '{ s += $2 } END { print s + 0 }' "$WORK/imports.rows")
	imp_secs=$(awk '{ s += $3 } END { print s + 0 }' "$WORK/imports.rows")
	local imp_failed=0
	[[ -f $WORK/imports.failed ]] && imp_failed=$(wc -l <"$WORK/imports.failed")
	local imp_locked
	imp_locked=$(cat "$WORK"/import-*.err 2>/dev/null | grep -ci 'database is locked' || true)
	{
		echo "## Pages under load"
		echo
		echo "\`ecopulse serve\` on $PAGE_DAYS days of demo data for $PAGE_MEMBERS members (\`gendata -kind demo -members $PAGE_MEMBERS -days $PAGE_DAYS\`, collectors/demo.Seed; scored by \`ecopulse score\` in $(fmt "$SCORE_SECS" %.0f) s), logged in as a viewer; \`wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s\` (one run per page) on each page in turn, $( [[ $WRK_GZIP == 1 ]] && echo "each request accepting gzip as every browser's does (kept pages are compressed once per build; \`WRK_GZIP=0\` measures uncompressed responses)," || echo "requests without Accept-Encoding (uncompressed responses; \`WRK_GZIP=1\`, the default, accepts gzip as browsers do)," ) while \`ecopulse import accesslog\` imports copies of a $LINES-line sparse combined log into the same database, one after the other, for the whole time. Goal: p99 < 20 ms; no errors; no \"database is locked\". The last row, \`/healthz\` (${CONTROL_SECONDS} s), is a control, not a page: public, so no session is read or slid (written), and one small read."
		echo
		echo "### While the imports run"
		echo
		pages_table loaded
		if [[ $BASE_SECONDS -gt 0 ]]; then
			echo
			echo "### Baseline: the same pages with nothing else running (${BASE_SECONDS} s each, before the imports started)"
			echo
			pages_table baseline
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
		echo "- Member page: \`/members/$SLUG\`."
		echo "- Concurrent import: $imports import(s), $imported lines in $(fmt "$imp_secs" %.1f) s of importing ($(fmt "$(ratio "$imported" "$imp_secs")" %.0f) lines/s while serving); $imp_failed failed; \"database is locked\" in the imports' output: $imp_locked."
		echo "- Server log: \"database is locked\": **$locked**; ERROR lines: $errors."
		echo "- Peak RSS of \`serve\` (VmHWM, start-up scoring, every wrk run and the imports): **$(fmt "$(awk -v k="$HWM_KB" 'BEGIN { print k * 1024 / 1e6 }')" %.0f) MB** — goal < 200 MB: $(goal "$(awk -v k="$HWM_KB" 'BEGIN { print k * 1024 / 1e6 }')" "<" 200)."
		echo "- SIGTERM to exit: $(fmt "$stop_secs" %.2f) s."
	} >"$WORK/section-pages.md"
	PAGES_LOCKED=$locked
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
for s in accesslog ingest model store pages; do
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
	[[ -f $WORK/loaded.rows ]] && awk '$1 != "healthz-control" { printf "| %s: p99 < 20 ms while importing | %s (%s ms) |\n", $1, ($4 != "" && $4 < 20) ? "met" : "**not met**", $4 }' "$WORK/loaded.rows"
	[[ -f $WORK/section-pages.md ]] && echo "| no \"database is locked\" in the server log | $([[ ${PAGES_LOCKED:-x} == 0 ]] && echo met || echo "**not met** (${PAGES_LOCKED:-not measured})") |"
	[[ -f $WORK/section-pages.md ]] && grep -E 'goal < 200 MB' "$WORK/section-pages.md" | sed -E 's/.*\*\*([0-9]+ MB)\*\* — goal < 200 MB: (.*)\.$/| serve: peak RSS < 200 MB | \2 (\1) |/'
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
