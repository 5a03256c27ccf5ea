package accesslog

import (
	"bytes"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// BenchmarkParseKong measures the JSON scanner on real-shaped Kong file-log
// lines (testdata/kong.jsonl): nested objects and arrays the parser does not
// want are skipped — and validated — on every line.
func BenchmarkParseKong(b *testing.B) {
	raw := readFile(b, "testdata/kong.jsonl")
	p := mustParser(b, Config{Format: FormatKong})
	var lines [][]byte
	for _, l := range bytes.Split(raw, []byte("\n")) {
		var rec domain.UsageRecord
		if len(l) > 0 && p.parseRecord(l, &rec) == nil {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		b.Fatal("no usable Kong line in testdata/kong.jsonl")
	}
	var size int
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rec domain.UsageRecord
		if err := p.parseRecord(lines[i%len(lines)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
