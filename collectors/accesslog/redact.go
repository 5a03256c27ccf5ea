package accesslog

import (
	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"regexp"
	"strings"
)

// Client addresses are personal data: they are never stored raw. The
// consumer key of an address is its keyed hash (HashIP); a path segment that
// is an address becomes ":id"; a consumer name that is an address counts as
// anonymous (as in push ingest); and a rejected line is quarantined with
// every address in it, and in its reason, replaced by redactedIP, and every
// e-mail address by "[email]" (redactPersonal).

// redactedIP stands for an address removed from a quarantined line.
const redactedIP = "[ip]"

// ipCandidateRE finds what may be an IPv4 or IPv6 address (checked with
// netip before it is replaced).
var ipCandidateRE = regexp.MustCompile(`[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.%]*[0-9A-Fa-f]`)

// redactIPs replaces every IP address in s by redactedIP.
func redactIPs(s string) string {
	if !strings.ContainsAny(s, ".:") {
		return s
	}
	return ipCandidateRE.ReplaceAllStringFunc(s, func(m string) string {
		if endpoint.IsIP(m) {
			return redactedIP
		}
		// "host:203.0.113.7" or "[2001:db8::1]:443": try the parts.
		parts := strings.FieldsFunc(m, func(r rune) bool { return r == '[' || r == ']' })
		for _, p := range parts {
			if endpoint.IsIP(p) {
				m = strings.Replace(m, p, redactedIP, 1)
			}
		}
		if i := strings.LastIndexByte(m, ':'); i > 0 && endpoint.IsIP(m[:i]) {
			return redactedIP + m[i:]
		}
		return m
	})
}

// redactPersonal removes what identifies a person from quarantined text:
// e-mail addresses (an account name logged as $remote_user, an address in
// a path) become "[email]", IP addresses redactedIP. No key: a quarantined
// line is read by people fixing a format, who need its shape, not who sent it.
func redactPersonal(s string) string {
	return redactIPs(endpoint.RedactEmails(s, nil))
}
