package push

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// num is a value meant to be a number.
type num struct {
	v      Value
	ok     bool    // a finite number in float64 range (a numeric string when strings are allowed)
	isInt  bool    // … and an integer within int64
	i      int64   // when isInt
	f      float64 // when ok
	strOK  bool    // strings with numeric content count (Kong)
	parsed bool
}

// number reads v as a number; strs allows numeric strings (older Kong
// versions sent sizes as "434").
func number(v Value, strs bool) num {
	n := num{v: v, strOK: strs}
	switch {
	case v.kind == 'n':
		n.parse(v.raw)
	case v.kind == 's' && strs && !v.esc:
		n.parse(bytes.TrimSpace(v.raw))
		n.parsed = n.ok // "big" and "1e999" are not sizes
	}
	return n
}

func (n *num) parse(b []byte) {
	n.parsed = true
	if !bytes.ContainsAny(b, ".eE") {
		if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			n.i, n.f, n.isInt, n.ok = i, float64(i), true, true
			return
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return
	}
	n.f, n.ok = f, true
	if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		n.i, n.isInt = int64(f), true
	}
}

// usable reports whether n can be read as a number at all.
func (n *num) usable() bool { return n.parsed }

// describe says what n holds, for messages.
func (n *num) describe() string {
	switch n.v.kind {
	case 's':
		return "string " + strconv.Quote(shorten(n.v.str()))
	case 't':
		return "true"
	case 'f':
		return "false"
	case 'z':
		return "null"
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	}
	if n.isInt && n.v.kind == 'n' && len(n.v.raw) < 20 && !bytes.ContainsAny(n.v.raw, ".eE") {
		return strconv.FormatInt(n.i, 10)
	}
	return shorten(string(n.v.raw))
}

func (n *num) status(field string) (int, string) {
	switch {
	case !n.usable():
		return 0, fmt.Sprintf("%s must be a number, got %s", field, n.describe())
	case !n.ok:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.f != math.Trunc(n.f):
		return 0, fmt.Sprintf("%s %s is not an integer", field, n.describe())
	case n.f < 100 || n.f > 599:
		return 0, fmt.Sprintf("%s %s is not an HTTP status", field, n.describe())
	}
	return int(n.f), ""
}

// size reads a byte count; absent or null is 0.
func (n *num) size(field string) (int64, string) {
	switch {
	case !n.v.present():
		return 0, ""
	case !n.usable():
		return 0, fmt.Sprintf("%s must be a number, got %s", field, n.describe())
	case !n.ok:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.f != math.Trunc(n.f):
		return 0, fmt.Sprintf("%s %s is not an integer", field, n.describe())
	case n.f < 0:
		return 0, fmt.Sprintf("%s %s is negative", field, n.describe())
	case !n.isInt:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.i > domain.MaxRecordBytes:
		return 0, fmt.Sprintf("%s %s is out of range: over the limit of 1 TiB (%d bytes) per record", field, n.describe(), int64(domain.MaxRecordBytes))
	}
	return n.i, ""
}

// maxLatencyMS bounds a record's latency (one day, as the store checks).
const maxLatencyMS = domain.MaxRecordLatencyMS

// latency returns milliseconds, or -1 when not measured: absent, null, or
// (with kong set) negative, as Kong reports -1 for what it did not measure.
func (n *num) latency(field string, kong bool) (float64, string) {
	switch {
	case !n.v.present():
		return -1, ""
	case !n.usable():
		return 0, fmt.Sprintf("%s must be a number, got %s", field, n.describe())
	case !n.ok:
		return 0, fmt.Sprintf("%s %s is out of range", field, n.describe())
	case n.f > maxLatencyMS:
		return 0, fmt.Sprintf("%s %s is out of range: over the limit of %d ms (one day) per record", field, n.describe(), maxLatencyMS)
	case n.f < 0 && kong:
		return -1, ""
	case n.f < 0:
		return 0, fmt.Sprintf("%s %s is negative", field, n.describe())
	}
	return n.f, ""
}

// epochMS converts a number of milliseconds since 1970 to a time.
func epochMS(field string, n *num) (time.Time, string) {
	if !n.ok || n.f < float64(minTime.UnixMilli()) || n.f >= float64(maxTime.UnixMilli()) {
		return time.Time{}, fmt.Sprintf("%s %s is not a time in milliseconds since 1970 between %s and %s",
			field, n.describe(), minTime.Format(domain.DateLayout), maxTime.Format(domain.DateLayout))
	}
	if n.isInt {
		return time.UnixMilli(n.i).UTC(), ""
	}
	ms := math.Floor(n.f)
	return time.UnixMilli(int64(ms)).Add(time.Duration((n.f - ms) * 1e6)).UTC(), ""
}

// timeValue reads an RFC 3339 string or a number of epoch milliseconds.
func timeValue(field string, v Value) (time.Time, string) {
	switch v.kind {
	case 0, 'z':
		return time.Time{}, "missing " + field
	case 'n':
		n := number(v, false)
		return epochMS(field, &n)
	case 's':
		s := strings.TrimSpace(v.str())
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Sprintf("%s %q is not an RFC 3339 time (like 2026-05-01T09:15:00Z) nor epoch milliseconds", field, shorten(s))
		}
		if tm.Before(minTime) || !tm.Before(maxTime) {
			return time.Time{}, fmt.Sprintf("%s %q is not between %s and %s", field, shorten(s),
				minTime.Format(domain.DateLayout), maxTime.Format(domain.DateLayout))
		}
		return tm.UTC(), ""
	}
	n := number(v, false)
	return time.Time{}, fmt.Sprintf("%s must be an RFC 3339 string or epoch milliseconds, got %s", field, n.describe())
}
