package data

import "math"

// maxInt64SQL is math.MaxInt64 as an SQL literal.
const maxInt64SQL = "9223372036854775807"

// satUint converts a decoded uvarint to a count, saturating.
func satUint(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}
