# EcoPulse — the two commands a fresh machine needs:
#   make run    install front-end assets, build, serve the live demo on http://127.0.0.1:8080/
#   make test   install test dependencies (Chromium, PostgreSQL), vet and staticcheck, and run every
#               test on SQLite, then the packages that open a store on PostgreSQL
GO      ?= go
BIN     := bin/ecopulse
DB      ?= ecopulse.db
ADDR    ?= 127.0.0.1:8080
export CGO_ENABLED = 0

.PHONY: run build assets test test-deps vet bench mutation clean

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

# staticcheck at a pinned version, run from the module proxy (go run
# PKG@VERSION leaves go.mod alone): part of make test, so that dead code
# and misuses fail the build instead of piling up.
STATICCHECK_VERSION ?= v0.8.2
vet:
	$(GO) vet ./...
	GOFLAGS= $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Progress as it goes (scripts/testprogress): each package as it ends,
# failed tests with their output, the packages still running once a minute.
test: assets test-deps vet
	bash scripts/test.sh

# The benchmark suite: builds, prepares data, measures on SQLite and on a
# throwaway PostgreSQL cluster, writes BENCHMARKS.md (QUICK=1 for a short
# run; PG=0 for SQLite alone).
bench: assets
	bash scripts/bench.sh

# Mutation testing (not part of make test: it runs each package's tests
# once per mutant, which takes long). gremlins is installed from the Go
# module proxy at a pinned version. MUTATION_PKGS narrows the run,
# MUTATION_WORKERS sets the parallel mutants (default 1: a shared machine),
# MUTATION_THRESHOLD makes a package below that efficacy fail the target.
# Figures and the surviving mutants judged equivalent: docs/mutation.md.
# GOFLAGS=-count=1: the tool's timeout is a multiple of its coverage run,
# which a cached test result makes far too short (every mutant timed out).
GREMLINS_VERSION   ?= v0.6.0
MUTATION_PKGS      ?= metrics collectors/push collectors/accesslog data
MUTATION_WORKERS   ?= 1
MUTATION_THRESHOLD ?= 0
mutation:
	$(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION)
	@for p in $(MUTATION_PKGS); do \
		echo "== $$p"; \
		GOFLAGS=-count=1 "$$($(GO) env GOPATH)/bin/gremlins" unleash --workers $(MUTATION_WORKERS) --test-cpu 1 \
			--timeout-coefficient 3 --threshold-efficacy $(MUTATION_THRESHOLD) ./$$p || exit 1; \
	done

clean:
	rm -rf bin views/static/vendor
