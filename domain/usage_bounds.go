package domain

import (
	"fmt"
	"math"
)

// Bounds of one API request record, checked by UsageRecord.Validate, the
// push decoder and the access-log parser alike: a single record beyond them
// is refused, never clamped, so that a source's mistake (or a hostile
// pusher's int64 maximum) is reported instead of poisoning every total that
// covers its hour.
const (
	// MaxRecordBytes bounds a record's response size: 1 TiB.
	MaxRecordBytes = 1 << 40
	// MaxRecordLatencyMS bounds a record's latency: one day (a stream or
	// a long poll may well last an hour).
	MaxRecordLatencyMS = 86_400_000
)

// AddSat adds two counts, saturating at math.MaxInt64. A negative operand
// counts as 0: counts are never negative, and a negative stored value can
// only be damage (a sum that wrapped around before sums saturated). Every
// sum of stored usage goes through it, so that no row, however large,
// can make a page fail or show a negative number.
func AddSat(a, b int64) int64 {
	a, b = max(a, 0), max(b, 0)
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// CheckRollupBounds refuses a rollup AddUsage would otherwise store: more
// bytes than its calls could carry, or a latency bucket holding more calls
// than the rollup has (or fewer than none).
func CheckRollupBounds(r *UsageRollup) error {
	switch {
	case r.Calls > 0 && r.Bytes/r.Calls > MaxRecordBytes, r.Calls == 0 && r.Bytes > 0:
		return Errorf(EINVALID, "bytes %d is over the limit of %s per call", r.Bytes, sizeName(MaxRecordBytes))
	}
	for k, c := range r.Latency {
		if c < 0 || c > r.Calls {
			return Errorf(EINVALID, "latency bucket %d holds %d calls of %d", k, c, r.Calls)
		}
	}
	return nil
}

// sizeName writes a byte bound for messages: "1 TiB (1099511627776 bytes)".
func sizeName(n int64) string {
	if n == 1<<40 {
		return fmt.Sprintf("1 TiB (%d bytes)", n)
	}
	return fmt.Sprintf("%d bytes", n)
}
