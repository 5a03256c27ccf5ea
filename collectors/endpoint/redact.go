package endpoint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// Addresses and e-mail addresses are personal data: wherever they appear in
// what API usage stores as text — consumer names, endpoints, route and
// service names — they are replaced, whichever source (push ingest, access
// logs) brought them. Paths lose the whole segment (Normalize: it becomes
// ":id", an identifier like any other); names keep their other words and get
// a token in place of the address, so that distinct consumers stay distinct.

// ipCandidateRE finds what may be an IPv4 or IPv6 address, perhaps in
// brackets or with a port; each match is checked with netip.
var ipCandidateRE = regexp.MustCompile(`\[?[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.%]*[0-9A-Fa-f]\]?(?::[0-9]{1,5})?`)

// emailRE finds an e-mail address, its @ perhaps percent-encoded.
var emailRE = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+(?:@|%40)[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}`)

// HashedToken returns the token that stands for a personal datum s of a kind
// ("ip", "email"): kind, ":" and the first 16 hex digits of
// HMAC-SHA256(key, s) — for an address, the same key as the access logs'
// client-address hash gives the same token. Without a key it is "[kind]":
// never an unkeyed hash, which a dictionary of addresses would reverse.
func HashedToken(key []byte, kind, s string) string {
	if len(key) == 0 {
		return "[" + kind + "]"
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	var sum [sha256.Size]byte
	return kind + ":" + hex.EncodeToString(m.Sum(sum[:0])[:8])
}

// addressIn returns the address a candidate match holds ("" for none):
// "1.2.3.4:8080" → "1.2.3.4", "[2001:db8::1]:443" → "2001:db8::1".
func addressIn(m string) string {
	if IsIP(m) {
		return strings.Trim(m, "[]")
	}
	if i := strings.LastIndexByte(m, ':'); i > 0 && IsIP(m[:i]) {
		return strings.Trim(m[:i], "[]")
	}
	if t := strings.Trim(m, "[]"); t != m && IsIP(t) {
		return t
	}
	// A match may run into a neighbouring word ("x-10.0.0.1" has no '-'
	// in the class, but "10.0.0.1.json" ends in one): trim from the right.
	for i := len(m) - 1; i > 0; i-- {
		if m[i] == '.' || m[i] == ':' {
			if IsIP(strings.Trim(m[:i], "[]")) {
				return strings.Trim(m[:i], "[]")
			}
		}
	}
	return ""
}

// HasPersonal reports whether s holds an address or an e-mail address.
func HasPersonal(s string) bool {
	if strings.ContainsAny(s, "@%") && emailRE.MatchString(s) {
		return true
	}
	if !strings.ContainsAny(s, ".:") {
		return false
	}
	for _, m := range ipCandidateRE.FindAllString(s, -1) {
		if addressIn(m) != "" {
			return true
		}
	}
	return false
}

// RedactEmails replaces every e-mail address in s (its @ perhaps
// percent-encoded) by its HashedToken ("[email]" without a key).
func RedactEmails(s string, key []byte) string {
	if !strings.ContainsAny(s, "@%") {
		return s
	}
	return emailRE.ReplaceAllStringFunc(s, func(m string) string {
		local, domain, ok := strings.Cut(m, "@")
		if !ok {
			local, domain, _ = strings.Cut(strings.ReplaceAll(strings.ToLower(m), "%40", "@"), "@")
		}
		return HashedToken(key, "email", strings.ToLower(local+"@"+domain))
	})
}

// Redact replaces every e-mail address and IP address (with its brackets
// and port) in s by its HashedToken, keeping the rest of s.
func Redact(s string, key []byte) string {
	s = RedactEmails(s, key)
	if !strings.ContainsAny(s, ".:") {
		return s
	}
	return ipCandidateRE.ReplaceAllStringFunc(s, func(m string) string {
		ip := addressIn(m)
		if ip == "" {
			return m
		}
		i := strings.Index(m, ip)
		end := i + len(ip)
		// The brackets and port go with the address; anything else stays.
		if i > 0 && m[i-1] == '[' {
			i--
		}
		if end < len(m) && m[end] == ']' {
			end++
		}
		if end < len(m) && m[end] == ':' && isPort(m[end+1:]) {
			end = len(m)
		}
		return m[:i] + HashedToken(key, "ip", ip) + m[end:]
	})
}

func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// IsAddress reports whether s as a whole is an address, perhaps in brackets
// or with a port ("1.2.3.4:8080", "[2001:db8::1]:443", "::ffff:1.2.3.4:80"),
// or a list of them as X-Forwarded-For logs it ("1.2.3.4, 10.0.0.1"): a
// gateway that logs its peer where the consumer should be names nobody.
func IsAddress(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, ", ") {
		return isOneAddress(s)
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	for _, p := range parts {
		if !isOneAddress(p) {
			return false
		}
	}
	return len(parts) > 0
}

func isOneAddress(s string) bool {
	if IsIP(s) || addressIn(s) == strings.Trim(strings.TrimSuffix(s, portOf(s)), "[]") && addressIn(s) != "" {
		return true
	}
	// An IPv6 address that ends in a dotted quad cannot go on, so a colon
	// after it starts a port even without brackets.
	i := strings.LastIndexByte(s, ':')
	return i > 0 && isPort(s[i+1:]) && strings.Contains(s[:i], ":") && strings.Contains(s[:i], ".") && IsIP(s[:i])
}

// portOf returns ":port" at the end of s, or "".
func portOf(s string) string {
	if i := strings.LastIndexByte(s, ':'); i > 0 && isPort(s[i+1:]) && (s[i-1] == ']' || strings.Count(s, ":") == 1) {
		return s[i:]
	}
	return ""
}

// Consumer returns the consumer key to store for a name a source reported:
// "" (anonymous) when the name is an address, else the name with every
// address and e-mail address in it replaced by its token.
func Consumer(name string, key []byte) string {
	if IsAddress(name) {
		return ""
	}
	return Redact(name, key)
}
