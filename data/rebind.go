package data

import (
	"strconv"
	"strings"
)

// rebind rewrites the store's SQLite-style placeholders — "?" and "?N" —
// into PostgreSQL's "$N", so that one text of each query serves both
// backends. Question marks inside string literals, quoted identifiers and
// comments are left alone. A bare "?" takes the next number after the
// highest one seen so far, as SQLite numbers them.
func rebind(query string) string {
	if strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := skipQuoted(query, i)
			b.WriteString(query[i:j])
			i = j - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			end := len(query)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(query[i:end])
			i = end - 1
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			num := n + 1
			if j > i+1 {
				num, _ = strconv.Atoi(query[i+1 : j])
			}
			n = max(n, num)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(num))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipQuoted returns the index just past the quoted text that starts at i
// (a doubled quote is an escaped one).
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}
