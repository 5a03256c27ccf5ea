package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// gatewayLog writes an nginx log whose consumers are X-Api-Key secrets
// (and some anonymous lines) over three days, different calls each.
func gatewayLog(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	keys := []string{"sk-live-aaaaaaaaaaaaaaaa1111", "sk-live-bbbbbbbbbbbbbbbb2222", "sk-live-cccccccccccccccc3333", "-"}
	t0 := time.Date(2026, 5, 1, 22, 0, 0, 0, time.UTC)
	for i := range 60 {
		k := keys[(i%5)%len(keys)] // uneven shares: the first twice as often
		ts := t0.Add(time.Duration(i) * 50 * time.Minute).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&b, "[%s] \"GET /v1/chat/%d HTTP/1.1\" %d 120 \"%s\" 0.0%d\n", ts, i, 200+(i%3)*100, k, i%10)
	}
	path := filepath.Join(dir, "access.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gatewayConfig declares an accesslog source "gw" reading path, hashing
// with its own variable.
func gatewayConfig(t *testing.T, dir, path, dbName string) config.Config {
	t.Helper()
	conf := filepath.Join(dir, dbName+".yaml")
	body := `sources:
  - name: gw
    type: accesslog
    options:
      paths: [` + path + `]
      format: log_format
      log_format: '[$time_local] "$request" $status $body_bytes_sent "$http_x_api_key" $request_time'
      consumer: {from: header, name: X-Api-Key}
      hash_key_env: GW_TEST_HASH_KEY
`
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(conf)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB = datatest.Target(t)
	return cfg
}

// consumerCalls lists every consumer of a database with its name and calls.
func consumerCalls(t *testing.T, path string) []string {
	t.Helper()
	db, err := data.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, _, err := db.ConsumerList(context.Background(), data.ConsumerQuery{Limit: data.MaxConsumerPage})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s %s %d", r.Key, r.Name, r.Calls))
	}
	sort.Strings(out)
	return out
}

// TestImportWithSourceMatchesCollect: the same file imported with --source
// gw and collected by source gw gives the same consumers (keys, names) with
// the same calls each — the import borrowed the format, the consumer
// options and the hash key of the source.
func TestImportWithSourceMatchesCollect(t *testing.T) {
	t.Setenv("GW_TEST_HASH_KEY", "gateway-hash-key-for-tests-0123")
	t.Setenv(accesslog.DefaultHashKeyEnv, "") // only the source's key will do
	dir := t.TempDir()
	log := gatewayLog(t, dir)
	ctx := context.Background()

	imp := gatewayConfig(t, dir, log, "imported")
	var out bytes.Buffer
	if err := ImportAccessLog(ctx, &Env{Config: imp, Log: quietLogger(), Out: &out, Now: time.Now}, []string{log}, ImportOptions{Source: "gw", JSON: true}); err != nil {
		t.Fatal(err)
	}
	sum := decode[accesslog.Summary](t, out.String())
	col := gatewayConfig(t, dir, log, "collected")
	out.Reset()
	if err := Collect(ctx, &Env{Config: col, Log: quietLogger(), Out: &out, Now: time.Now}, []string{"gw"}); err != nil {
		t.Fatalf("collect: %v\n%s", err, out.String())
	}
	imported, collected := consumerCalls(t, imp.DB), consumerCalls(t, col.DB)
	if strings.Join(imported, "\n") != strings.Join(collected, "\n") {
		t.Errorf("imported consumers\n%s\ncollected\n%s", strings.Join(imported, "\n"), strings.Join(collected, "\n"))
	}
	// Three hashed keys and the anonymous consumer, 60 calls in all.
	var hashed, calls int
	for _, c := range imported {
		f := strings.Fields(c) // key, name (none for the anonymous consumer), calls
		n, _ := strconv.Atoi(f[len(f)-1])
		calls += n
		if len(f) == 3 && strings.HasPrefix(f[0], "key:") && strings.HasPrefix(f[1], "sk-l…") {
			hashed++
		}
	}
	if hashed != 3 || calls != 60 || len(imported) != 4 {
		t.Errorf("consumers %q: want 3 hashed keys named sk-l…, the anonymous one, 60 calls", imported)
	}
	// 1 May 22:00 + 59 × 50 min = 3 May 23:10.
	if sum.Stored != 60 || sum.FirstDay != "2026-05-01" || sum.LastDay != "2026-05-03" || sum.Consumers != 3 || sum.Mapped != 0 || sum.Unmapped != 3 {
		t.Errorf("summary %+v, want 60 stored, 2026-05-01 to 2026-05-03, 3 consumers all unmapped", sum)
	}
	// The options are the source's or the flags', not both.
	err := ImportAccessLog(ctx, &Env{Config: imp, Log: quietLogger(), Out: &out, Now: time.Now}, []string{log}, ImportOptions{Source: "gw", ConsumerFrom: "ip"})
	if err == nil || !strings.Contains(err.Error(), "--source") {
		t.Errorf("--source with --consumer-from: %v, want refused", err)
	}
	err = ImportAccessLog(ctx, &Env{Config: imp, Log: quietLogger(), Out: &out, Now: time.Now}, []string{log}, ImportOptions{Source: "nope"})
	if err == nil || !strings.Contains(err.Error(), `no accesslog source named "nope"`) || !strings.Contains(err.Error(), "gw") {
		t.Errorf("--source nope: %v, want an error naming the accesslog sources", err)
	}
}

// TestImportConsumerFromIP: --consumer-from ip on a real Apache combined
// log stores one hashed-address consumer per client address, none holding
// the address, and the summary's range and counts say so.
func TestImportConsumerFromIP(t *testing.T) {
	t.Setenv(accesslog.DefaultHashKeyEnv, "import-ip-test-hash-key-0123")
	raw, err := os.ReadFile("testdata/apache_sample.log")
	if err != nil {
		t.Fatal(err)
	}
	addrs := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		addrs[strings.Fields(l)[0]] = true
	}
	cfg := config.Default()
	cfg.DB = datatest.Target(t)
	var out bytes.Buffer
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: time.Now}
	if err := ImportAccessLog(context.Background(), env, []string{"testdata/apache_sample.log"}, ImportOptions{ConsumerFrom: "ip", JSON: true}); err != nil {
		t.Fatal(err)
	}
	var sum accesslog.Summary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("%s: %v", out.String(), err)
	}
	if sum.Stored != 302 || sum.FirstDay != "2015-05-17" || sum.LastDay != "2015-05-20" || sum.Consumers != len(addrs) || sum.Unmapped != len(addrs) {
		t.Errorf("summary %+v, want 302 stored, 2015-05-17 to 2015-05-20, %d consumers unmapped", sum, len(addrs))
	}
	consumers := consumerCalls(t, cfg.DB)
	if len(consumers) != len(addrs) {
		t.Errorf("%d consumers stored, want one per address (%d)", len(consumers), len(addrs))
	}
	for _, c := range consumers {
		if !strings.HasPrefix(c, "ip:") {
			t.Errorf("consumer %q is not a hashed address", c)
		}
		for a := range addrs {
			if strings.Contains(c, a) {
				t.Errorf("consumer %q holds the address %s", c, a)
			}
		}
	}
	for _, bad := range []string{"path_prefix", "header:", "cookie:x", "ip:x"} {
		err := ImportAccessLog(context.Background(), env, []string{"testdata/apache_sample.log"}, ImportOptions{ConsumerFrom: bad})
		if err == nil || !strings.Contains(err.Error(), "--consumer-from") {
			t.Errorf("--consumer-from %s: %v, want a clear error", bad, err)
		}
	}
}
