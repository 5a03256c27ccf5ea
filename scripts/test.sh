#!/usr/bin/env bash
# Runs every test with progress (scripts/testprogress): each package's result
# as it ends, failed tests with their output, a line a minute naming the
# packages still running, and a closing count. Fails when go test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/testprogress ./scripts/testprogress
go test -count=1 -timeout 30m -json "$@" ./... | bin/testprogress
