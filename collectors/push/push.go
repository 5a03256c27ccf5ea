// Package push decodes API-call records that gateways and services push to
// EcoPulse (POST /api/v1/ingest/api-calls). It is pure: no I/O beyond the
// body it is given, no clock, no database. The HTTP handler authenticates,
// limits and commits the batch Decode returns with data.DB.CommitUsage.
//
// # Accepted bodies
//
// Decode looks at the body, not only at its Content-Type:
//
//   - a JSON array of records: [ {...}, {...} ] (Kong's HTTP Log plugin sends
//     this when it batches, queue_size / max_batch_size > 1);
//   - a single JSON object (one record, or one Kong log object);
//   - NDJSON: one JSON object per line (application/x-ndjson,
//     application/jsonl, text/plain, or any body of several objects, one per
//     line). Blank lines are skipped.
//
// Every record of any body may be either of the two shapes below; Decode
// tells them apart by shape: an object with a "request", "response",
// "latencies" or "started_at" member is a Kong log object.
//
// # EcoPulse's record
//
//	{
//	  "time":       "2026-05-01T09:15:00Z",  // RFC 3339, or a number: Unix epoch in milliseconds (required)
//	  "consumer":   "key-a",                 // API key id or consumer name; absent, null or "" = anonymous
//	  "method":     "POST",                  // accepted, not stored (rollups are per endpoint)
//	  "endpoint":   "/v1/chat/completions",  // or "path"; normalised by NormalizePath (required)
//	  "status":     200,                     // HTTP status, an integer 100..599 (required)
//	  "bytes":      123,                     // response size, an integer >= 0 (default 0)
//	  "latency_ms": 45.6                     // a number >= 0; absent or null = not measured
//	}
//
// Numbers must be JSON numbers ("200" in quotes is an error); huge numbers
// are errors, not wrapped or clamped. Times must fall in 2000-01-01 ..
// 2200-01-01 (UTC): an epoch in seconds given as milliseconds is refused.
// Member names are matched exactly (lower case, as above); unknown members
// are ignored, and so is the rest of a Kong object.
//
// # Kong log objects
//
// From the HTTP Log plugin's object: time = started_at (epoch ms); endpoint =
// request.uri (else the path of request.url, else route.name, else
// service.name); status = response.status; bytes = response.size; latency =
// latencies.request (else latencies.proxy; a negative one, Kong's -1, means
// not measured); these may be numeric strings, as older Kong versions sent;
// consumer = consumer.username, else consumer.custom_id, else consumer.id.
// Request headers are never read: not the X-Consumer-* ones (a client can
// send them on a route without authentication), nor apikey or
// authorization. This is the one Kong mapping (kong.go), which the
// access-log collector's format kong reads log lines with too.
//
// # Privacy
//
// IP addresses are never put into records: client_ip and tries are not read,
// a consumer name that is an IP address counts as anonymous, and a path
// segment that is an IP address becomes ":id".
//
// # Errors
//
// Decoding is all-or-nothing: the first bad record makes Decode return a
// domain.EINVALID error that names it — "record 17: status 0 is not an HTTP
// status" (0-based index in an array; 0 for a single object) or "line 3:
// invalid JSON: …" (1-based line of an NDJSON body). More records than
// maxRecords is a domain.ETOOLARGE error. Body un-gzips a request body under a
// limit on its decompressed size.
package push

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ecopulse/ecopulse/domain"
)

// Source is the source name of the batches Decode returns; the handler may
// set Batch.Source (and Cursor) before committing.
const Source = "push"

// DefaultMaxRecords applies when Decode is given maxRecords <= 0.
const DefaultMaxRecords = 100_000

// DefaultMaxBody is the decompressed size limit Body applies when given a
// limit <= 0.
const DefaultMaxBody = 64 << 20

// Times outside [minTime, maxTime) are refused.
var (
	minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Decode reads a whole pushed body and returns its records folded into a
// batch, or the error of the first bad record (nothing of the body is kept
// then). contentType is the request's Content-Type ("" when none).
func Decode(body io.Reader, contentType string, maxRecords int) (*domain.UsageBatch, error) {
	return DecodeWithKey(body, contentType, maxRecords, nil)
}

// DecodeWithKey is Decode with the key that hashes the addresses and e-mail
// addresses found in consumer names (endpoint.Consumer): with the access
// logs' client-address key, an address gets the same token either way.
// Without a key they are replaced by placeholders.
func DecodeWithKey(body io.Reader, contentType string, maxRecords int, key []byte) (*domain.UsageBatch, error) {
	b := domain.NewUsageBatch(Source)
	err := decodeKeyed(body, contentType, maxRecords, key, func(r *domain.UsageRecord) { b.Add(*r, "") })
	if err != nil {
		return nil, err
	}
	return b, nil
}

// decode calls emit with every record of body, in order, after checking it;
// it stops at the first bad one.
func decode(body io.Reader, contentType string, maxRecords int, emit func(*domain.UsageRecord)) error {
	return decodeKeyed(body, contentType, maxRecords, nil, emit)
}

func decodeKeyed(body io.Reader, contentType string, maxRecords int, key []byte, emit func(*domain.UsageRecord)) error {
	if maxRecords <= 0 {
		maxRecords = DefaultMaxRecords
	}
	buf, err := io.ReadAll(body)
	if err != nil {
		if domain.ErrorCode(err) != domain.EINTERNAL {
			return err
		}
		return fmt.Errorf("push: unable to read the body: %w", err)
	}
	buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark
	buf = bytes.TrimSpace(buf)
	if len(buf) == 0 {
		return domain.Errorf(domain.EINVALID, "empty body: no records")
	}
	d := decoder{max: maxRecords, emit: emit, strs: strCache{key: key}}
	switch {
	case buf[0] == '[':
		return d.array(buf)
	case buf[0] != '{':
		return domain.Errorf(domain.EINVALID, "record 0: the body must be a JSON object, an array of objects or NDJSON (it starts with %s)", quoteStart(buf))
	case isNDJSON(contentType):
		return d.lines(buf)
	}
	// One object (maybe over several lines), or NDJSON: scan the first
	// object; if it is all there is, it is the only record.
	s := scanner{b: buf}
	if err := s.wanted(&recordPaths.root, make([]Value, recordPaths.Len())); err != nil {
		var se *SyntaxError
		line := bytes.Count(buf, []byte("\n")) + 1
		if errors.As(err, &se) {
			line = bytes.Count(buf[:min(se.off, len(buf))], []byte("\n")) + 1
		}
		return domain.Errorf(domain.EINVALID, "line %d: invalid JSON: %s", line, err)
	}
	if s.ws(); s.i == len(buf) {
		if err := d.count(); err != nil {
			return err
		}
		return d.record(&scanner{b: buf}, "record", 0)
	}
	return d.lines(buf)
}

// isNDJSON reports whether a Content-Type announces one object per line.
func isNDJSON(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
		"application/jsonlines", "text/plain", "text/x-ndjson":
		return true
	}
	return false
}

type decoder struct {
	max  int
	n    int // records decoded so far
	emit func(*domain.UsageRecord)
	rec  domain.UsageRecord
	vals []Value // the scanned members of the current record (recordPaths)
	strs strCache
}

func (d *decoder) count() error {
	if d.n >= d.max {
		return domain.Errorf(domain.ETOOLARGE, "more than %d records in one request", d.max)
	}
	d.n++
	return nil
}

// array decodes [ record, record, … ]; errors name the 0-based index.
func (d *decoder) array(buf []byte) error {
	s := &scanner{b: buf, i: 1}
	s.ws()
	if s.i < len(buf) && buf[s.i] == ']' {
		s.i++
		if s.ws(); s.i < len(buf) {
			return domain.Errorf(domain.EINVALID, "invalid JSON: data after the array (%s)", quoteStart(buf[s.i:]))
		}
		return domain.Errorf(domain.EINVALID, "empty array: no records")
	}
	for i := 0; ; i++ {
		s.ws()
		if s.i >= len(buf) {
			return domain.Errorf(domain.EINVALID, "record %d: invalid JSON: unexpected end of input", i)
		}
		if err := d.count(); err != nil {
			return err
		}
		if err := d.record(s, "record", i); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(buf) {
			return domain.Errorf(domain.EINVALID, "record %d: invalid JSON: unexpected end of input", i+1)
		}
		switch buf[s.i] {
		case ',':
			s.i++
			continue
		case ']':
			s.i++
		default:
			return domain.Errorf(domain.EINVALID, "record %d: invalid JSON: %s", i, s.unexpected("after array element"))
		}
		if s.ws(); s.i < len(buf) {
			return domain.Errorf(domain.EINVALID, "invalid JSON: data after the array (%s)", quoteStart(buf[s.i:]))
		}
		return nil
	}
}

// lines decodes NDJSON; errors name the 1-based line.
func (d *decoder) lines(buf []byte) error {
	line := 0
	for len(buf) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			l, buf = buf[:i], buf[i+1:]
		} else {
			l, buf = buf, nil
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		if err := d.count(); err != nil {
			return err
		}
		s := scanner{b: l}
		if err := d.record(&s, "line", line); err != nil {
			return err
		}
		if s.ws(); s.i < len(l) {
			return domain.Errorf(domain.EINVALID, "line %d: invalid JSON: data after the object (%s); send one object per line", line, quoteStart(l[s.i:]))
		}
	}
	return nil
}

// record scans, checks and emits the record at s.i; errors name it as
// "<unit> <n>" (record 3, line 4).
func (d *decoder) record(s *scanner, unit string, n int) error {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		v, err := s.value()
		if err != nil {
			return domain.Errorf(domain.EINVALID, "%s %d: invalid JSON: %s", unit, n, err)
		}
		return domain.Errorf(domain.EINVALID, "%s %d: want a JSON object, got %s", unit, n, v.kindName())
	}
	if d.vals == nil {
		d.vals = make([]Value, recordPaths.Len())
	}
	clear(d.vals)
	if err := s.wanted(&recordPaths.root, d.vals); err != nil {
		return domain.Errorf(domain.EINVALID, "%s %d: invalid JSON: %s", unit, n, err)
	}
	d.rec = domain.UsageRecord{}
	reason := fill(&d.rec, d.vals, &d.strs)
	if reason == "" {
		if err := d.rec.Validate(); err != nil {
			reason = domain.ErrorMessage(err)
		}
	}
	if reason != "" {
		return domain.Errorf(domain.EINVALID, "%s %d: %s", unit, n, reason)
	}
	d.emit(&d.rec)
	return nil
}

// quoteStart quotes the first bytes of b for a message.
func quoteStart(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return strconv.Quote(strings.ToValidUTF8(string(b), "\uFFFD"))
}

// shorten bounds a value quoted in a message.
func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
