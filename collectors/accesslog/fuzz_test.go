package accesslog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/ecopulse/ecopulse/domain"
)

// checkParsed holds what every accepted record must satisfy.
func checkParsed(t *testing.T, line []byte, rec domain.UsageRecord) {
	t.Helper()
	if err := rec.Validate(); err != nil {
		t.Fatalf("accepted record does not validate: %v\nline: %q\nrecord: %+v", err, line, rec)
	}
	if len(rec.Endpoint) > maxEndpointLen || !utf8.ValidString(rec.Endpoint) || !utf8.ValidString(rec.Consumer) {
		t.Fatalf("endpoint or consumer not storable: %+v", rec)
	}
	if rec.LatencyMS < 0 && rec.LatencyMS != -1 {
		t.Fatalf("latency %v", rec.LatencyMS)
	}
}

func addSeedLines(f *testing.F, path string) {
	file, err := os.Open(path)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for i := 0; sc.Scan() && i < 40; i++ {
		f.Add(bytes.Clone(sc.Bytes()))
	}
}

func FuzzParseCombined(f *testing.F) {
	f.Setenv(DefaultHashKeyEnv, "fuzz-hash-key-0123456789") // X-Api-Key carries a secret
	addSeedLines(f, "testdata/apache_sample.log")
	addSeedLines(f, "testdata/malformed.log")
	combined := mustParser(f, Config{LatencyUnit: "s", Consumer: ConsumerConfig{From: ConsumerField, Name: "remote_user"}})
	lf := mustParser(f, Config{Format: FormatLogFormat, LogFormat: testLogFormat, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key"}})
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range []*parser{combined, lf} {
			var rec domain.UsageRecord
			if err := p.parseRecord(line, &rec); err == nil {
				checkParsed(t, line, rec)
			} else if err.Error() == "" {
				t.Fatalf("empty reason for %q", line)
			}
		}
	})
}

func FuzzParseKong(f *testing.F) {
	f.Setenv(DefaultHashKeyEnv, "fuzz-hash-key-0123456789") // X-Api-Key carries a secret
	addSeedLines(f, "testdata/kong.jsonl")
	addSeedLines(f, "testdata/generic.jsonl")
	kong := mustParser(f, Config{Format: FormatKong})
	byHeader := mustParser(f, Config{Format: FormatKong, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key"}})
	generic := mustParser(f, Config{Format: FormatJSON, FieldMap: FieldMap{Time: "ts", Path: "http.path", Status: "http.status", Bytes: "http.bytes", LatencyMS: "duration_ms", Consumer: "auth.key_id"}})
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, p := range []*parser{kong, byHeader, generic} {
			var rec domain.UsageRecord
			if err := p.parseRecord(line, &rec); err == nil {
				checkParsed(t, line, rec)
				// The scanner skips what it does not want, but only
				// over valid JSON.
				if !json.Valid(line) {
					t.Fatalf("accepted a line that is not valid JSON: %q", line)
				}
			}
		}
	})
}
