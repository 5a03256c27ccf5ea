package accesslog

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

const testHashKey = "a-hash-key-for-tests-0123456789"

// wantSecretKey is the documented consumer key of a secret, computed here
// from its definition rather than by the code under test.
func wantSecretKey(secret string) string {
	m := hmac.New(sha256.New, []byte(testHashKey))
	m.Write([]byte(secret))
	return "key:" + hex.EncodeToString(m.Sum(nil))[:16]
}

// importInto imports text with cfg into a fresh database and returns its
// target (datatest.Target) and the consumers stored (by key).
func importInto(t *testing.T, cfg Config, text string) (string, map[string]domain.APIConsumer, Summary) {
	t.Helper()
	dbPath := datatest.Target(t)
	db := datatest.Open(t, dbPath)
	sum, err := Import(context.Background(), db, cfg, []string{writeLog(t, text)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := db.Consumers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.APIConsumer{}
	for _, c := range cs {
		out[c.Key] = c
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dbPath, out, sum
}

// TestSecretConsumersAreHashed: a consumer read from a header or field that
// carries a secret is stored as its keyed hash, named by its first and last
// four characters; the secret itself is nowhere in the database
// (datatest.Holds), and the same secret gives the same key in another
// database.
func TestSecretConsumersAreHashed(t *testing.T) {
	t.Setenv(DefaultHashKeyEnv, testHashKey)
	const live, other = "sk-live-0123456789abcdef9f3a", "sk-test-fedcba98765432100c1d"
	lfLine := func(v string) string {
		return `[01/May/2026:09:15:02 +0000] "GET /v1/x HTTP/1.1" 200 "` + v + `"`
	}
	for _, tc := range []struct {
		name  string
		cfg   Config
		lines []string
	}{
		{"X-Api-Key header", Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key"`,
			Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key"}},
			[]string{lfLine(live), lfLine(live), lfLine(other)}},
		{"$http_authorization field, bearer", Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_authorization"`,
			Consumer: ConsumerConfig{From: ConsumerField, Name: "$http_authorization"}},
			[]string{lfLine("Bearer " + live), lfLine("bearer  " + live), lfLine("Bearer " + other)}},
		{"Kong apikey header", Config{Format: FormatKong, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "apikey"}},
			[]string{
				`{"started_at":1777626902537,"request":{"uri":"/x","headers":{"apikey":"` + live + `"}},"response":{"status":200}}`,
				`{"started_at":1777626902537,"request":{"uri":"/x","headers":{"apikey":["` + live + `","` + other + `"]}},"response":{"status":200}}`,
				`{"started_at":1777626902537,"request":{"uri":"/x","headers":{"apikey":"` + other + `"}},"response":{"status":200}}`,
			}},
		{"remote_user forced secret", Config{Consumer: ConsumerConfig{From: ConsumerField, Name: "remote_user", Secret: new(true)}},
			[]string{
				`10.0.0.1 - ` + live + ` [01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"`,
				`10.0.0.1 - ` + live + ` [01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"`,
				`10.0.0.1 - ` + other + ` [01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Join(tc.lines, "\n") + "\n"
			dbPath, consumers, sum := importInto(t, tc.cfg, text)
			if sum.Stored != 3 {
				t.Fatalf("summary %+v, want 3 stored", sum)
			}
			c, ok := consumers[wantSecretKey(live)]
			if !ok || c.Name != "sk-l…9f3a" {
				t.Errorf("consumers %+v: want %s named sk-l…9f3a", consumers, wantSecretKey(live))
			}
			if c, ok := consumers[wantSecretKey(other)]; !ok || c.Name != "sk-t…0c1d" {
				t.Errorf("consumers %+v: want %s named sk-t…0c1d", consumers, wantSecretKey(other))
			}
			if len(consumers) != 2 {
				t.Errorf("%d consumers stored, want 2: %+v", len(consumers), consumers)
			}
			for _, s := range []string{live, other, live[:12], other[5:20]} {
				if datatest.Holds(t, dbPath, s) {
					t.Errorf("the database holds %q", s)
				}
			}
			// Another run, another database: the same keys.
			_, again, _ := importInto(t, tc.cfg, text)
			if _, ok := again[wantSecretKey(live)]; !ok {
				t.Errorf("second run's consumers %+v lack %s", again, wantSecretKey(live))
			}
		})
	}
}

// TestSecretIsDecidedByName: the documented names carry secrets; others
// do not, unless consumer.secret says so; consumer.secret: false keeps a
// secret-looking name in clear.
func TestSecretIsDecidedByName(t *testing.T) {
	t.Setenv(DefaultHashKeyEnv, testHashKey)
	lf := func(v, header string, secret *bool) Config {
		return Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_` + v + `"`,
			Consumer: ConsumerConfig{From: ConsumerHeader, Name: header, Secret: secret}}
	}
	line := `[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 "acme-prod-0123456789"`
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{lf("x_api_key", "X-Api-Key", nil), wantSecretKey("acme-prod-0123456789")},
		{lf("api_key", "api-key", nil), wantSecretKey("acme-prod-0123456789")},
		{lf("authorization", "Authorization", nil), wantSecretKey("acme-prod-0123456789")},
		{lf("x_consumer_username", "X-Consumer-Username", nil), "acme-prod-0123456789"},
		{lf("x_consumer_username", "X-Consumer-Username", new(true)), wantSecretKey("acme-prod-0123456789")},
		{lf("x_api_key", "X-Api-Key", new(false)), "acme-prod-0123456789"},
	} {
		if r := accepted(t, tc.cfg, line); r.Consumer != tc.want {
			t.Errorf("%s (secret %v): consumer %q, want %q", tc.cfg.Consumer.Name, tc.cfg.Consumer.Secret, r.Consumer, tc.want)
		}
	}
}

// TestSecretNeedsAHashKey: without the hash key's variable a secret
// consumer is refused at configuration, saying what to set; secret: true
// makes no sense where there is no field.
func TestSecretNeedsAHashKey(t *testing.T) {
	t.Setenv(DefaultHashKeyEnv, "")
	t.Setenv("GW_HASH_KEY", "")
	for _, cfg := range []Config{
		{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key"`, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key"}},
		{Format: FormatKong, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "Authorization"}, HashKeyEnv: "GW_HASH_KEY"},
		{Format: FormatKong, Consumer: ConsumerConfig{Secret: new(true)}},
	} {
		err := cfg.Validate()
		env := cfg.withDefaults().HashKeyEnv
		if err == nil || !strings.Contains(err.Error(), "set the environment variable "+env) || !strings.Contains(err.Error(), "secret") {
			t.Errorf("%+v: %v, want an error saying to set %s", cfg.Consumer, err, env)
		}
	}
	t.Setenv(DefaultHashKeyEnv, testHashKey)
	if err := (Config{Consumer: ConsumerConfig{From: ConsumerIP, Secret: new(true)}}).Validate(); err == nil || !strings.Contains(err.Error(), "consumer.secret") {
		t.Errorf("secret with consumer.from ip: %v, want refused", err)
	}
	if err := (Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key"`,
		Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key"}}).Validate(); err != nil {
		t.Errorf("with the key set: %v", err)
	}
}

// TestQuarantineMasksSecrets: rejected lines keep no credential — the
// consumer's key as far as the parse got, a bearer token, a Kong line's
// authorization and API key headers.
func TestQuarantineMasksSecrets(t *testing.T) {
	t.Setenv(DefaultHashKeyEnv, testHashKey)
	const key, token = "sk-live-0123456789abcdef9f3a", "eyJhbGciOiJIUzI1NiJ9.payload.sig"
	cfg := Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key" $request_time`,
		Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key"}}
	lines := []string{
		`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 "` + key + `" not-a-time`,
		`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 "Bearer ` + token + `" oops`,
	}
	dbPath := datatest.Target(t)
	db := datatest.Open(t, dbPath)
	if _, err := Import(context.Background(), db, cfg, []string{writeLog(t, strings.Join(lines, "\n")+"\n")}, nil); err != nil {
		t.Fatal(err)
	}
	kong := `{"started_at":1777626902537,"request":{"uri":"/x","headers":{"authorization":"Basic dXNlcjpwYXNzd29yZA==","x-api-key":["` + key + `"]}},"response":{"status":"two hundred"}}`
	if _, err := Import(context.Background(), db, Config{Format: FormatKong}, []string{writeLog(t, kong+"\n")}, nil); err != nil {
		t.Fatal(err)
	}
	rej, err := db.RejectedRecords(context.Background(), ImportSource, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 3 {
		t.Fatalf("%d quarantined, want 3", len(rej))
	}
	for _, r := range rej {
		if !strings.Contains(r.Record, maskedSecret) {
			t.Errorf("quarantined %q: no %s", r.Record, maskedSecret)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{key, token, "dXNlcjpwYXNzd29yZA=="} {
		if datatest.Holds(t, dbPath, s) {
			t.Errorf("the database holds %q", s)
		}
	}
}
