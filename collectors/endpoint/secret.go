package endpoint

import (
	"strings"
	"unicode/utf8"
)

// A consumer identified by a credential — an API key header, an
// Authorization header — must not be stored as it was sent: the key would
// let anyone who reads the database call the API as that consumer. Its
// consumer key is a keyed hash ("key:" and 16 hex digits, with the key that
// hashes client addresses), the same for the same secret in every run and
// from every source, so that a person holding the secret can map it
// (ecopulse consumer map --secret, PUT /api/v1/consumers/:key with
// "secret": true) by hashing it the same way; its display name shows only
// enough to recognise it ("sk-l…9f3a").

// SecretNames are the header and field names that carry a secret, in the
// form SecretField compares them: lower case, "-" as "_", without nginx's
// $http_ / $arg_ / $cookie_ prefix or a JSON path's parents. The list is
// documented in the README; consumer.secret forces either way.
var SecretNames = []string{
	"authorization", "proxy_authorization",
	"x_api_key", "api_key", "apikey", "x_apikey", "api_token", "x_api_token",
	"x_auth_token", "auth_token", "x_access_token", "access_token",
	"token", "key", "secret", "client_secret", "password",
}

// SecretField reports whether a consumer header or field name carries a
// secret: "X-Api-Key", "$http_authorization", "request.headers.apikey",
// "$arg_api_key" all do; "X-Consumer-Username", "$remote_user" do not.
func SecretField(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "$")
	n = strings.TrimSuffix(strings.TrimPrefix(n, "{"), "}")
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		n = n[i+1:]
	}
	n = strings.ReplaceAll(n, "-", "_")
	for _, p := range []string{"http_", "arg_", "cookie_"} {
		if rest, ok := strings.CutPrefix(n, p); ok && rest != "" {
			n = rest
			break
		}
	}
	for _, s := range SecretNames {
		if n == s {
			return true
		}
	}
	return false
}

// Credential returns the secret of a header value: an Authorization
// value's credentials without their scheme ("Bearer sk-…" → "sk-…", "Basic
// dXNlcjpwYXNz" → "dXNlcjpwYXNz"), anything else trimmed. Pasting either
// form to map a consumer gives the same key.
func Credential(v string) string {
	v = strings.TrimSpace(v)
	if scheme, rest, ok := strings.Cut(v, " "); ok && isScheme(scheme) {
		if rest = strings.TrimSpace(rest); rest != "" {
			return rest
		}
	}
	return v
}

// isScheme reports whether s is an HTTP authentication scheme we know.
func isScheme(s string) bool {
	switch strings.ToLower(s) {
	case "bearer", "basic", "token", "apikey", "api-key", "key", "digest", "hmac", "negotiate":
		return true
	}
	return false
}

// SecretKey returns the consumer key of a secret (its Credential):
// "key:" and the first 16 hex digits of HMAC-SHA256(hashKey, secret). ""
// when the value is empty. hashKey must not be empty: an unkeyed hash of a
// short key is reversible by trying them all (callers refuse to run
// without one).
func SecretKey(hashKey []byte, value string) string {
	c := Credential(value)
	if c == "" || len(hashKey) == 0 {
		return ""
	}
	return HashedToken(hashKey, "key", c)
}

// SecretName returns the recognisable form of a secret shown as its
// consumer's name: the first four and last four characters of its
// Credential ("sk-l…9f3a"); a secret under 16 characters shows only "…"
// and its last two (all but two of eight characters would be most of it),
// one under 6 only "…".
func SecretName(value string) string {
	c := Credential(value)
	n := utf8.RuneCountInString(c)
	r := []rune(c)
	switch {
	case n >= 16:
		return string(r[:4]) + "…" + string(r[n-4:])
	case n >= 6:
		return "…" + string(r[n-2:])
	}
	return "…"
}
