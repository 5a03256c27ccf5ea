// Package endpoint turns request paths into the endpoints API usage is
// rolled up by. Every source (access logs, push ingest) uses this one
// function, so that the same call counts under the same endpoint whichever
// way it arrived.
package endpoint

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// MaxLen caps the bytes of an endpoint.
const MaxLen = 200

// Normalize turns a request path or URL into an endpoint: scheme, host,
// query and fragment are dropped, empty segments (repeated or trailing
// slashes) removed, identifier segments replaced by ":id" — so that
// /v1/files/123?x=1 and /v1/files/456/ are both /v1/files/:id — and the
// result capped at MaxLen bytes. "" is "/"; "*" (OPTIONS *) stays "*".
func Normalize(p string) string {
	p = strings.TrimSpace(p)
	if p == "*" {
		return p
	}
	if !strings.HasPrefix(p, "/") {
		p = stripScheme(p)
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	var sb strings.Builder
	sb.Grow(min(len(p)+1, MaxLen+8))
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" {
			continue
		}
		sb.WriteByte('/')
		if IsID(seg) || HasPersonal(seg) { // an address or e-mail inside a segment: redact.go
			sb.WriteString(":id")
		} else {
			sb.WriteString(seg)
		}
		if sb.Len() > MaxLen {
			break
		}
	}
	out := sb.String()
	if out == "" {
		return "/"
	}
	if len(out) > MaxLen {
		out = out[:MaxLen]
		for len(out) > 0 && !utf8.ValidString(out) { // cut at a rune boundary
			out = out[:len(out)-1]
		}
	}
	if !utf8.ValidString(out) {
		out = strings.ToValidUTF8(out, "\uFFFD")
	}
	return out
}

// stripScheme turns "http://host/path" into "/path" (and "host" into "/").
func stripScheme(t string) string {
	i := strings.Index(t, "://")
	if i <= 0 || i > 10 {
		return t
	}
	for _, c := range t[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return t
		}
	}
	rest := t[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		return rest[j:]
	}
	return "/"
}

// IsID reports whether a path segment looks like an identifier rather than
// a route word: a number, a UUID, 16 or more hex digits, an IP address (a
// personal datum, never a route word), or a random-looking token (letters and
// digits mixed throughout, like cus_J8Hk2Lm9QpXz3R).
func IsID(s string) bool {
	if s == "" {
		return false
	}
	var digits, hexLetters, lower, upper, other, switches int
	prevDigit, prevLetter := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit := c >= '0' && c <= '9'
		isLetter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		switch {
		case isDigit:
			digits++
		case c >= 'a' && c <= 'z':
			lower++
			if c <= 'f' {
				hexLetters++
			}
		case c >= 'A' && c <= 'Z':
			upper++
			if c <= 'F' {
				hexLetters++
			}
		case c == '-' || c == '_' || c == '=':
		default:
			other++
		}
		if isDigit && prevLetter || isLetter && prevDigit {
			switches++
		}
		prevDigit, prevLetter = isDigit, isLetter
	}
	switch {
	case digits == len(s):
		return true
	case other > 0:
		return IsIP(s)
	case len(s) == 36 && isUUID(s):
		return true
	case len(s) >= 16 && digits+hexLetters == len(s):
		return true
	case digits == 0 || lower+upper == 0:
		return false
	case len(s) >= 8 && switches >= 3:
		return true
	case len(s) >= 20 && switches >= 2 && lower > 0 && upper > 0:
		return true
	}
	return false
}

func isUUID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// IsIP reports whether s (possibly in brackets) is an IPv4 or IPv6 address.
func IsIP(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if len(s) < 3 || len(s) > 64 || !strings.ContainsAny(s, ".:") {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}
