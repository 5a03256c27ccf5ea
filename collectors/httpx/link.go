package httpx

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Links parses RFC 8288 Link headers into a map from relation type ("next",
// "last"…, lower case) to target; the first target of a relation wins.
func Links(h http.Header) map[string]string {
	out := map[string]string{}
	for _, v := range h.Values("Link") {
		for {
			start := strings.IndexByte(v, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(v[start:], '>')
			if end < 0 {
				break
			}
			target := v[start+1 : start+end]
			v = v[start+end+1:]
			params := v
			if next := strings.IndexByte(v, '<'); next >= 0 {
				params, v = v[:next], v[next:]
			} else {
				v = ""
			}
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.Trim(p, " \t,"), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					rel = strings.ToLower(rel)
					if _, dup := out[rel]; !dup {
						out[rel] = target
					}
				}
			}
		}
	}
	return out
}

// NextURL returns the rel="next" target of the Link headers of a response
// to current, resolved against current; "" when there is none. A target on
// another scheme or host is an error: credentials never leave the API host.
func NextURL(h http.Header, current string) (string, error) {
	next, ok := Links(h)["next"]
	if !ok || next == "" {
		return "", nil
	}
	return SameHost(current, next)
}

// SameHost resolves ref against base and returns it when it stays on
// base's scheme and host.
func SameHost(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %w", base, err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("bad pagination link %q: %w", ref, err)
	}
	u := b.ResolveReference(r)
	if !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Host, b.Host) {
		return "", fmt.Errorf("pagination link %q leaves %s://%s", ref, b.Scheme, b.Host)
	}
	return u.String(), nil
}
