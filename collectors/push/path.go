package push

import (
	"net/netip"
	"strings"
)

// NormalizePath turns a request path (or URL) into an endpoint: scheme,
// host, query and fragment are dropped, repeated and trailing slashes
// removed, and segments that are identifiers — all digits, a UUID, 16 or more
// hex digits, or an IP address — replaced by ":id", so that
// /v1/files/123?x=1 and /v1/files/456 count as one endpoint, /v1/files/:id.
func NormalizePath(p string) string {
	p = strings.TrimSpace(p)
	if i := strings.Index(p, "://"); i >= 0 && !strings.Contains(p[:i], "/") {
		p = p[i+3:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			p = "/"
		}
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if p == "" || p == "/" {
		return "/"
	}
	if clean(p) {
		return p
	}
	var sb strings.Builder
	sb.Grow(len(p) + 1)
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" {
			continue
		}
		sb.WriteByte('/')
		if isIDSegment(seg) {
			sb.WriteString(":id")
		} else {
			sb.WriteString(seg)
		}
	}
	if sb.Len() == 0 {
		return "/"
	}
	return sb.String()
}

// clean reports whether p needs no change: a leading slash, no empty
// segment, no trailing slash, no identifier segment.
func clean(p string) bool {
	if p[0] != '/' || p[len(p)-1] == '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if i == start || isIDSegment(p[start:i]) {
				return false
			}
			start = i + 1
		}
	}
	return true
}

func isIDSegment(s string) bool {
	if s == "" {
		return false
	}
	digits, hex := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			digits = false
		default:
			digits, hex = false, false
		}
	}
	switch {
	case digits, hex && len(s) >= 16:
		return true
	case len(s) == 36 && isUUID(s):
		return true
	case strings.ContainsAny(s, ".:") && isIP(s):
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

func isIP(s string) bool {
	if len(s) < 2 || !strings.ContainsAny(s, ".:") {
		return false
	}
	_, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return err == nil
}
