# The "replicas" section of scripts/bench.sh (sourced by it): push ingest
# into one `ecopulse serve` and into two replicas of it on one PostgreSQL
# database, in the same run. Uses bench.sh's helpers (log, load1, median,
# fmt, xfmt, ratio, cmd_note, pg_newdb, pg_psql_db, pg_dropdb) and its
# EP, WORK, RUNS, PG, QUICK.
#
# Knobs: REPLICA_CLIENTS (clients posting at once, default 8), REPLICA_BATCH
# (records a batch, 1000), REPLICA_SECONDS (each measurement, 10; QUICK 3).

if [[ ${QUICK:-0} == 1 ]]; then REPLICA_SECONDS=${REPLICA_SECONDS:-3}; fi
REPLICA_CLIENTS=${REPLICA_CLIENTS:-8} REPLICA_BATCH=${REPLICA_BATCH:-1000} REPLICA_SECONDS=${REPLICA_SECONDS:-10}
REPLICA_PIDS=() # the running replicas, for bench.sh's cleanup

# replicas_stop: SIGTERM to the running replicas, and wait for them.
replicas_stop() {
	local p
	for p in "${REPLICA_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${REPLICA_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	REPLICA_PIDS=()
}

# replicas_start N URL: starts N `serve` replicas on database URL, each on a
# port of its own with its own $ECOPULSE_REPLICA, and sets REPLICA_BASES to
# their base URLs once every one answers /readyz (fails after 60 s). Not in
# a subshell: REPLICA_PIDS must reach replicas_stop and bench.sh's cleanup.
REPLICA_BASES=
replicas_start() {
	local n=$1 url=$2 i j base bases=()
	for ((i = 1; i <= n; i++)); do
		# The ingest rate limit (6,000 requests a minute and token by
		# default) would stop the load: raised, as BenchmarkIngestLoopback does.
		ECOPULSE_REPLICA=bench-r$i "$EP" serve --db "$url" --addr 127.0.0.1:0 \
			--set auth.rate_limits.ingest.max=1000000000 >"$WORK/replica-$n-$i.log" 2>&1 &
		REPLICA_PIDS+=($!)
	done
	for ((i = 1; i <= n; i++)); do
		base=
		for ((j = 0; j < 600; j++)); do
			# The shell that starts a replica may not have made its log yet.
			base=$(sed -n 's|.*is serving on \(http://[0-9.:]*\)/.*|\1|p' "$WORK/replica-$n-$i.log" 2>/dev/null | head -1)
			[[ -n $base ]] && curl -fs "$base/readyz" >/dev/null 2>&1 && break
			kill -0 "${REPLICA_PIDS[$((i - 1))]}" 2>/dev/null || { cat "$WORK/replica-$n-$i.log" >&2; return 1; }
			sleep 0.1
		done
		[[ -n $base ]] || { cat "$WORK/replica-$n-$i.log" >&2; return 1; }
		bases+=("$base")
	done
	REPLICA_BASES="${bases[*]}"
}

# replicas_run N: one measurement with N replicas on a fresh database:
# prints pushload's JSON with the calls the database stored added.
replicas_run() {
	local n=$1 name="bench_replicas_$1" url secret out stored
	url=$(pg_newdb "$name") || return 1
	# The token (and an account, so that no replica creates the first admin
	# at start) before the replicas: this migrates the database.
	secret=$("$EP" token create --name bench --db "$url" 2>>"$WORK/replicas.err" | tail -1) || return 1
	echo "bench-password-0123456789" | "$EP" user add bench --role admin --db "$url" >/dev/null 2>>"$WORK/replicas.err" || return 1
	replicas_start "$n" "$url" || { replicas_stop; return 1; }
	# shellcheck disable=SC2086 # one URL a word
	out=$("$WORK/pushload" -token "$secret" -clients "$REPLICA_CLIENTS" -batch "$REPLICA_BATCH" -seconds "$REPLICA_SECONDS" $REPLICA_BASES) || { replicas_stop; return 1; }
	replicas_stop
	# What every reader sums: the calls of the daily rollups, whatever rows
	# the replicas wrote them in.
	stored=$(pg_psql_db "$name" -c "SELECT COALESCE(SUM(calls), 0) FROM api_usage_daily")
	pg_dropdb "$name"
	echo "${out%\}},\"stored\":$stored}"
}

section_replicas() {
	{
		echo "## Push ingest with two replicas"
		echo
	} >"$WORK/section-replicas.md"
	if [[ ${PG:-1} != 1 ]]; then
		echo "Not measured: it needs PostgreSQL (PG=1)." >>"$WORK/section-replicas.md"
		return 0
	fi
	local l l2 r n
	l=$(load1)
	log "push ingest, one replica against two, on PostgreSQL (load $l)…"
	cmd_note "go build -o pushload ./scripts/bench/pushload"
	cmd_note "ECOPULSE_REPLICA=bench-rN ecopulse serve --db postgres://…/bench_replicas_N --addr 127.0.0.1:0 --set auth.rate_limits.ingest.max=1000000000   # N = 1, or 1 and 2 on one database"
	cmd_note "pushload -token T -clients $REPLICA_CLIENTS -batch $REPLICA_BATCH -seconds $REPLICA_SECONDS URL…   # $RUNS time(s) each, one replica then two, a fresh database each"
	: >"$WORK/replicas.jsonl"
	for ((r = 1; r <= RUNS; r++)); do
		for n in 1 2; do
			replicas_run "$n" >>"$WORK/replicas.jsonl" || { log "replicas: a run with $n replica(s) failed"; return 1; }
		done
	done
	l2=$(load1)
	# field NAME REPLICAS: that field of every run with that many replicas.
	field() { sed -n "s/.*\"replicas\":$2,.*\"$1\":\([0-9.]*\).*/\1/p" "$WORK/replicas.jsonl"; }
	runs_list() { awk 'NF { printf "%s%.0f", sep, $1; sep = ", "; n++ } END { if (!n) printf "—" }'; }
	local one two
	one=$(field records_per_s 1 | median)
	two=$(field records_per_s 2 | median)
	{
		echo "\`scripts/bench/pushload\` posts NDJSON batches of $REPLICA_BATCH records from $REPLICA_CLIENTS clients at once for $REPLICA_SECONDS s to \`ecopulse serve\` processes on one fresh PostgreSQL database of the throwaway cluster: one replica, then two (client i posts to replica i mod 2, as a load balancer spreading connections would). Every batch carries an \`Idempotency-Key\` of its own; the records of all batches fall in four hours of one day and share six consumers and three endpoints, so every replica writes the same rollup rows at once. A batch counts once it is answered 2xx (stored whole). The replicas, the load generator and PostgreSQL share this machine's $(nproc) cores: two replicas cannot add cores here, so the comparison shows what running two costs or gains in contention on the same rows, not the scaling of two machines. $RUNS run(s) each, median. Load (1 min): $l at start, $l2 at the end."
		echo
		echo "| replicas | records/s (median) | every run | batches refused (all runs) | calls stored = records accepted | ÷ one replica |"
		echo "| ---: | ---: | --- | ---: | --- | ---: |"
		for n in 1 2; do
			local med all refused exact
			all=$(field records_per_s "$n")
			med=$(echo "$all" | median)
			refused=$(field refused "$n" | awk '{ s += $1 } END { print s + 0 }')
			exact=$(sed -n "s/.*\"replicas\":$n,.*\"records\":\([0-9]*\),.*\"stored\":\([0-9]*\).*/\1 \2/p" "$WORK/replicas.jsonl" |
				awk '{ if ($1 != $2) bad++ } END { print (NR == 0 ? "—" : (bad ? "**no** in " bad " run(s)" : "yes")) }')
			printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$(fmt "$med" %.0f)" "$(echo "$all" | runs_list)" "$refused" "$exact" "$(xfmt "$(ratio "$med" "$one")")"
		done
	} >>"$WORK/section-replicas.md"
	[[ -n $two ]]
}
