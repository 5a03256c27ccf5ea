package push

import "github.com/ecopulse/ecopulse/collectors/endpoint"

// NormalizePath turns a request path (or URL) into an endpoint: scheme,
// host, query and fragment are dropped, repeated and trailing slashes
// removed, and segments that are identifiers — all digits, a UUID, 16 or more
// hex digits, or an IP address — replaced by ":id", so that
// /v1/files/123?x=1 and /v1/files/456 count as one endpoint, /v1/files/:id.
func NormalizePath(p string) string { return endpoint.Normalize(p) }
