package domain

import (
	"net/netip"
	"strings"
	"time"
)

// Token scopes. An ingest token can push data and nothing else: it never
// opens a dashboard session.
const ScopeIngest = "ingest"

// Token is a stored API token (its secret is never stored).
type Token struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	Scope     string         `json:"scope"`
	Allow     []netip.Prefix `json:"allow,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	LastUsed  time.Time      `json:"last_used_at,omitempty"`
	Revoked   time.Time      `json:"revoked_at,omitempty"`
}

// Allows reports whether a request from addr may use the token.
func (t *Token) Allows(addr netip.Addr) bool {
	if len(t.Allow) == 0 {
		return true
	}
	for _, p := range t.Allow {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// ParseAllowList parses comma-separated addresses or CIDRs.
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, Errorf(EINVALID, "%q is not an IP address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, Errorf(EINVALID, "%q is not an IP address or CIDR", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// FormatAllowList writes prefixes as ParseAllowList reads them.
func FormatAllowList(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
