# EcoPulse — the two commands a fresh machine needs:
#   make run    install front-end assets, build, serve the live demo on http://127.0.0.1:8080/
#   make test   install test dependencies (Chromium), vet, and run every test
GO      ?= go
BIN     := bin/ecopulse
DB      ?= ecopulse.db
ADDR    ?= 127.0.0.1:8080
export CGO_ENABLED = 0

.PHONY: run build assets test test-deps vet bench clean

run: build
	./$(BIN) serve --demo --db $(DB) --addr $(ADDR)

build: assets
	$(GO) build -o $(BIN) .

# ECharts comes from the npm package pinned in package-lock.json and is
# embedded in the binary: no CDN at run time.
assets:
	bash scripts/assets.sh

test-deps:
	bash scripts/test-deps.sh

vet:
	$(GO) vet ./...

test: assets test-deps vet
	$(GO) test -count=1 ./...

# The benchmark suite: builds, prepares data, measures, writes BENCHMARKS.md
# (QUICK=1 for a short run).
bench: assets
	bash scripts/bench.sh

clean:
	rm -rf bin views/static/vendor
