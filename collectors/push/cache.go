package push

import (
	"strings"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
)

// strCache shares the strings of a body's consumers and endpoints (few
// distinct values, many records): fewer allocations, and each endpoint is
// normalised once.
type strCache struct {
	strs  map[string]string
	paths map[string]string
	// key hashes the addresses and e-mail addresses of consumer names
	// (endpoint.Consumer); consumers caches the names so redacted.
	key       []byte
	consumers map[string]string
}

// consumer returns the consumer key to store for a reported name.
func (c *strCache) consumer(name string) string {
	if name == "" {
		return ""
	}
	if s, ok := c.consumers[name]; ok {
		return s
	}
	s := endpoint.Consumer(name, c.key)
	if c.consumers == nil {
		c.consumers = map[string]string{}
	}
	if len(c.consumers) < maxCached {
		c.consumers[name] = s
	}
	return s
}

// redact replaces the addresses and e-mail addresses of free text.
func (c *strCache) redact(s string) string { return endpoint.Redact(s, c.key) }

// maxCached bounds each map of a strCache.
const maxCached = 4096

func (c *strCache) str(v Value) string {
	if v.esc {
		return v.str()
	}
	if s, ok := c.strs[string(v.raw)]; ok {
		return s
	}
	s := v.str()
	if c.strs == nil {
		c.strs = map[string]string{}
	}
	if len(c.strs) < maxCached {
		c.strs[s] = s
	}
	return s
}

func (c *strCache) path(v Value) string {
	if v.esc {
		return NormalizePath(v.str())
	}
	if s, ok := c.paths[string(v.raw)]; ok {
		return s
	}
	s := NormalizePath(v.str())
	if c.paths == nil {
		c.paths = map[string]string{}
	}
	if len(c.paths) < maxCached {
		c.paths[string(v.raw)] = s
	}
	return s
}

// consumerOf returns the consumer key of a scanned name (a string Value,
// or the zero Value for anonymous). Never an address: a name that is one
// is anonymous, one that holds one (or an e-mail address) keeps a keyed
// token in its place.
func (c *strCache) consumerOf(name Value) string {
	if name.kind == 0 {
		return ""
	}
	return c.consumer(strings.TrimSpace(c.str(name)))
}
