#!/usr/bin/env bash
# Runs the tests twice, with progress (scripts/testprogress: each package's
# result as it ends, failed tests with their output, a line a minute naming
# the packages still running, and a closing count), each line labelled with
# its run:
#   [sqlite]    every package, stores on SQLite files;
#   [postgres]  the packages whose tests open a store (they import data or
#               data/datatest), on a throwaway PostgreSQL cluster that
#               scripts/pgtest.sh starts under a temporary directory and
#               that is stopped and removed when this script ends, however
#               it ends. With ECOPULSE_TEST_POSTGRES already set, that
#               cluster is used instead.
# Both runs run; the script fails when either fails. Arguments go to both
# go test commands (e.g. -run TestX).
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/testprogress ./scripts/testprogress

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

echo "== [sqlite] every package on SQLite"
start=$SECONDS
sqlite=ok
env -u ECOPULSE_TEST_POSTGRES go test -count=1 -timeout 30m -json "$@" ./... |
	bin/testprogress -label sqlite || sqlite=FAIL
sqlite_time=$((SECONDS - start))

echo "== [postgres] the store, app and collector suites on PostgreSQL"
start=$SECONDS
postgres=ok
pkgs=$(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}: {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}{{end}}' ./... |
	grep -E ' github.com/ecopulse/ecopulse/data(/datatest)?( |$)' | cut -d: -f1)
url=${ECOPULSE_TEST_POSTGRES:-}
if [[ -z "$url" ]]; then
	# No autovacuum: a worker's snapshot, taken at any moment, makes VACUUM
	# FULL keep the row versions it could still see, and the forget test
	# reads the table files for them (README: forget on PostgreSQL).
	if cluster=$(PGTEST_SETTINGS="-c autovacuum=off" bash scripts/pgtest.sh); then
		url=${cluster% *}
		dir=${cluster##* }
		trap 'bash scripts/pgtest.sh stop "$dir"' EXIT
		trap 'exit 130' INT TERM
	else
		echo "[postgres] FAIL: unable to start a PostgreSQL cluster (scripts/pgtest.sh; make test-deps installs Debian's postgresql)"
		postgres=FAIL
	fi
fi
if [[ -n "$url" ]]; then
	# shellcheck disable=SC2086 # one package a word
	ECOPULSE_TEST_POSTGRES=$url go test -count=1 -timeout 30m -json "$@" $pkgs |
		bin/testprogress -label postgres || postgres=FAIL
fi
postgres_time=$((SECONDS - start))

echo "== sqlite: $sqlite ($(elapsed $sqlite_time)), postgres: $postgres ($(elapsed $postgres_time))"
[[ $sqlite == ok && $postgres == ok ]]
