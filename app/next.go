package app

import (
	"net/url"
	"strings"
)

// maxNextLen bounds the post-login redirect target (form field, query and
// the single-sign-on flow's session).
const maxNextLen = 2048

// safeNext keeps a post-login redirect on this site: it returns next when it
// is a plain same-origin path (with an optional query), and "/" otherwise.
//
// Browsers are lenient where a naive prefix check is not: they drop TABs and
// newlines inside a URL ("/\t/evil" becomes "//evil", another host), read
// "\" as "/" ("/\evil"), and a path that percent-decodes to such bytes can
// be decoded once more by a proxy or a client. So a target is accepted only
// when, raw and percent-decoded, it starts with exactly one "/", has no
// scheme and no host, and holds no control character and no backslash.
func safeNext(next string) string {
	if next == "" || len(next) > maxNextLen || !plainPath(next) {
		return "/"
	}
	decoded, err := url.PathUnescape(next)
	if err != nil || !plainPath(decoded) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return next
}

// plainPath reports whether s starts with a single "/" and holds no control
// character and no backslash.
func plainPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f || b == '\\' {
			return false
		}
	}
	return true
}
