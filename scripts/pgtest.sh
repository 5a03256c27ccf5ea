#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests, under a temporary
# directory, and prints the URL of its maintenance database on stdout (the
# value of ECOPULSE_TEST_POSTGRES). `scripts/pgtest.sh stop DIR` stops and
# removes it. The cluster is Debian's postgresql package (scripts/test-deps.sh
# installs it); initdb refuses root, so as root the cluster runs as the
# postgres user. It trusts local connections and skips fsync: it holds
# nothing but test data and lives as long as one test run.
# PGTEST_SETTINGS adds server settings (`-c name=value …`) to those below.
set -euo pipefail

if [[ "${1:-}" == stop ]]; then
	dir="$2"
	as=()
	[[ $(id -u) == 0 ]] && as=(runuser -u postgres --)
	"${as[@]}" "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	exit 0
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bin" ]]; then
	bin=$(dirname "$(command -v initdb 2>/dev/null || command -v pg_ctl)")
fi
[[ -x "$bin/initdb" ]] || { echo "pgtest: PostgreSQL's initdb not found (apt-get install postgresql)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/ecopulse-pg.XXXXXX")
echo "$bin" >"$dir/bin"
as=()
if [[ $(id -u) == 0 ]]; then
	chown postgres "$dir"
	as=(runuser -u postgres --)
fi
# A free port, asked of the kernel (perl-base is on every Debian machine).
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
"${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -o \
	"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB ${PGTEST_SETTINGS:-}" \
	start >/dev/null || { cat "$dir/data/server.log" >&2; exit 1; }
echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable $dir"
