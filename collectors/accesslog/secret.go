package accesslog

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
)

// Secrets in the quarantine: a rejected line is kept so that someone can
// see why it did not parse, but it may carry credentials — the consumer's
// API key when the consumer is one, an Authorization header in a Kong
// line's request headers. They are masked as "[secret]" before the line is
// stored: the consumer value the parser had reached (exactly), any
// "Bearer …"/"Basic …" credentials, and the values of JSON members named
// like a secret (endpoint.SecretNames).

const maskedSecret = "[secret]"

// schemeCredRE finds an authentication scheme and its credentials.
var schemeCredRE = regexp.MustCompile(`(?i)\b(bearer|basic|token|apikey|digest)(\s+)[A-Za-z0-9._~+/=\-]+`)

// secretMemberRE finds a JSON member named like a secret and its string
// value (or the first string of an array of them, a repeated header).
var secretMemberRE = func() *regexp.Regexp {
	names := make([]string, len(endpoint.SecretNames))
	for i, n := range endpoint.SecretNames {
		names[i] = strings.ReplaceAll(regexp.QuoteMeta(n), "_", "[-_]")
	}
	return regexp.MustCompile(`(?i)("(?:` + strings.Join(names, "|") + `)"\s*:\s*\[?\s*)"(?:[^"\\]|\\.)*"`)
}()

// partialConsumer returns a copy of the consumer value a rejected line
// holds, as far as its parse got (nil when it did not reach it).
func (p *parser) partialConsumer(f *fields) []byte {
	v := f.consumer
	if v == nil && p.jvals != nil {
		for _, s := range p.jmap.consumers {
			if t, ok := jsonText(p.val(s)); ok && len(t) > 0 {
				v = t
				break
			}
		}
	}
	v = bytes.TrimSpace(v)
	if len(v) == 0 || isDash(v) {
		return nil
	}
	return bytes.Clone(v)
}

// maskSecrets replaces the credentials in quarantined text (a line or its
// reason) by maskedSecret.
func (p *parser) maskSecrets(s string) string {
	if v := p.rejectedSecret; len(v) > 0 {
		for _, x := range []string{string(v), endpoint.Credential(string(v))} {
			s = strings.ReplaceAll(s, x, maskedSecret)
			if len(x) > 40 { // a reason quotes at most 40 bytes of a value
				s = strings.ReplaceAll(s, x[:40], maskedSecret)
			}
		}
	}
	s = schemeCredRE.ReplaceAllString(s, "${1}${2}"+maskedSecret)
	if strings.IndexByte(s, '"') >= 0 {
		s = secretMemberRE.ReplaceAllString(s, `${1}"`+maskedSecret+`"`)
	}
	return s
}
