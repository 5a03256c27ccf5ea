package app

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	promcollectors "github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ecopulse/ecopulse/collectors/push"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Operational metrics: GET /metrics serves them in the Prometheus text
// format. Each App has its own registry (never the global one), so tests
// can build several apps in one process.
//
// Labels are bounded on purpose: sources are the configured source names
// (plus "push"), routes are Fiber's route patterns ("/members/:slug"),
// never raw paths, and statuses are classes ("2xx"). No member, consumer
// or user appears in any label.
//
// Every series carries the replica that served it (replica="…", the
// App's name, app/replica.go), and ecopulse_replica_info states it: the
// counters are this process's (what it committed, what it served), and a
// Prometheus summing over replicas sums processes, never one twice.

// opsHooks is told what ingest and collection did. The call sites (push
// ingest, the collector runner's caller) know nothing of Prometheus.
type opsHooks interface {
	// ingested counts records a source stored and records it rejected
	// (kept in the quarantine with their reason).
	ingested(source string, accepted, rejected int64)
	// batchRejected counts a pushed batch refused whole.
	batchRejected(source string)
	// batchCommitted counts a pushed batch this process committed;
	// batchReplayed one it answered from its idempotency key (stored by
	// an earlier request, here or on another replica: nothing committed).
	batchCommitted(source string)
	batchReplayed(source string)
	// collectorRan records one run of a configured source, retries
	// included: its duration, its counts and whether it failed.
	collectorRan(source string, took time.Duration, run *domain.CollectorRun, err error)
}

// promMetrics implements opsHooks and the HTTP metrics on its own registry.
type promMetrics struct {
	reg     *prometheus.Registry
	labeled prometheus.Registerer // reg, adding the replica label to what registers

	recordsAccepted *prometheus.CounterVec
	recordsRejected *prometheus.CounterVec
	batchesRejected *prometheus.CounterVec
	batchesStored   *prometheus.CounterVec
	batchesReplayed *prometheus.CounterVec
	runDuration     *prometheus.HistogramVec
	runFailures     *prometheus.CounterVec
	httpDuration    *prometheus.HistogramVec
}

var _ opsHooks = (*promMetrics)(nil)

// collectorRunBuckets span a quick API poll to a long log backfill (seconds).
var collectorRunBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}

// newPromMetrics builds the metrics of the replica named replica on the
// store db.
func newPromMetrics(db *data.DB, replica string) *promMetrics {
	m := &promMetrics{
		reg: prometheus.NewRegistry(),
		recordsAccepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ecopulse_ingest_records_accepted_total",
			Help: "Records stored by ingest: pushed API calls and items stored by collector runs, per source.",
		}, []string{"source"}),
		recordsRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ecopulse_ingest_records_rejected_total",
			Help: "Records rejected (quarantined with their reason) by ingest and collector runs, per source.",
		}, []string{"source"}),
		batchesRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ecopulse_ingest_batches_rejected_total",
			Help: "Pushed batches refused whole (a bad record, an oversized or unreadable body), per source.",
		}, []string{"source"}),
		batchesStored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ecopulse_ingest_batches_committed_total",
			Help: "Pushed batches this replica committed, per source (a retry answered from its idempotency key is not one).",
		}, []string{"source"}),
		batchesReplayed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ecopulse_ingest_batches_replayed_total",
			Help: "Pushed batches answered from their idempotency key (already stored, by this replica or another): nothing committed.",
		}, []string{"source"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ecopulse_collector_run_duration_seconds",
			Help:    "Duration of collector runs (retries included), per source.",
			Buckets: collectorRunBuckets,
		}, []string{"source"}),
		runFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ecopulse_collector_failures_total",
			Help: "Collector runs that failed (after their retries), per source.",
		}, []string{"source"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ecopulse_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route pattern and status class.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
	}
	dbSize := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ecopulse_database_size_bytes",
		Help: "Size of the database, read at scrape time: the SQLite file plus its write-ahead log, or pg_database_size on PostgreSQL.",
	}, func() float64 { return databaseSize(db) })
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "ecopulse_replica_info",
		Help: "Always 1: the replica label names the process that served this scrape ($ECOPULSE_REPLICA, else host and process id).",
	})
	info.Set(1)
	// Everything registers through labeled, so every series gets the
	// replica label; the handler gathers from m.reg.
	m.labeled = prometheus.WrapRegistererWith(prometheus.Labels{"replica": replica}, m.reg)
	m.labeled.MustRegister(
		m.recordsAccepted, m.recordsRejected, m.batchesRejected,
		m.batchesStored, m.batchesReplayed, info,
		m.runDuration, m.runFailures, m.httpDuration, dbSize,
		promcollectors.NewGoCollector(),
		promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}),
		promcollectors.NewBuildInfoCollector(),
	)
	// Push ingest always exists: its series start at zero rather than
	// appearing on the first batch, so rate() and alerts see them.
	m.declareSources(push.Source)
	return m
}

// declareSources makes every per-source series exist at zero.
func (m *promMetrics) declareSources(names ...string) {
	for _, n := range names {
		m.recordsAccepted.WithLabelValues(n)
		m.recordsRejected.WithLabelValues(n)
		if n == push.Source {
			m.batchesRejected.WithLabelValues(n)
			m.batchesStored.WithLabelValues(n)
			m.batchesReplayed.WithLabelValues(n)
			continue
		}
		m.runFailures.WithLabelValues(n)
	}
}

// databaseSize is the store's size in bytes, or NaN — no sample rather
// than a false zero — when it cannot be read (a server that does not
// answer in time).
func databaseSize(db *data.DB) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := db.Size(ctx)
	if err != nil {
		slog.Warn("metrics: database size", "err", err)
		return math.NaN()
	}
	return float64(n)
}

func (m *promMetrics) ingested(source string, accepted, rejected int64) {
	if accepted > 0 {
		m.recordsAccepted.WithLabelValues(source).Add(float64(accepted))
	}
	if rejected > 0 {
		m.recordsRejected.WithLabelValues(source).Add(float64(rejected))
	}
}

func (m *promMetrics) batchRejected(source string) {
	m.batchesRejected.WithLabelValues(source).Inc()
}

func (m *promMetrics) batchCommitted(source string) {
	m.batchesStored.WithLabelValues(source).Inc()
}

func (m *promMetrics) batchReplayed(source string) {
	m.batchesReplayed.WithLabelValues(source).Inc()
}

func (m *promMetrics) collectorRan(source string, took time.Duration, run *domain.CollectorRun, err error) {
	m.runDuration.WithLabelValues(source).Observe(took.Seconds())
	if run != nil {
		m.ingested(source, run.ItemsStored, run.ItemsRejected)
	}
	if err != nil || run == nil || run.Status == domain.RunFailed {
		m.runFailures.WithLabelValues(source).Inc()
	}
}

// handler serves the registry (text format, or OpenMetrics when asked).
func (m *promMetrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:      m.labeled, // counts its own errors as promhttp_metric_handler_errors_total
		ErrorHandling: promhttp.ContinueOnError,
	}))
}

// observeHTTP is the first middleware: it times every request and records
// it by route pattern and status class, and logs it at Debug (method,
// route, status, duration — never the path's query string, headers or body).
func (a *App) observeHTTP(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	took := time.Since(start)
	status := c.Response().StatusCode()
	if err != nil {
		// The error handler runs after the middleware chain has returned;
		// it answers with the status of the same table.
		status, _ = statusOf(err)
	}
	route := routeLabel(c)
	class := strconv.Itoa(status/100) + "xx"
	a.prom.httpDuration.WithLabelValues(c.Method(), route, class).Observe(took.Seconds())
	if a.log.Enabled(c.UserContext(), slog.LevelDebug) {
		a.log.Debug("request", "method", c.Method(), "route", route, "status", status, "duration", took)
	}
	return err
}

// routeLabel names a request's route with a bounded set of values: the
// pattern of the route that handled it ("/api/v1/members/:slug"); for a
// request answered by a middleware (a refusal by the gate, a static file)
// the pattern of its policy rule ("/static/*"); otherwise "unmatched".
//
// Fiber gives middleware (Use) routes the request's method too, so a
// route is taken as the handler only when its pattern matches the whole
// path, not just a prefix of it.
func routeLabel(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" && matchPattern(r.Path, c.Path()) {
		return r.Path
	}
	if rule, ok := routeOf(c); ok {
		return rule.pattern
	}
	return "unmatched"
}
