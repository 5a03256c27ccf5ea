package app

import (
	"net/url"
	"strings"
	"testing"
)

// nextAttacks are the redirect targets of the security review (issue 11,
// finding 5) and their relatives: each must become "/".
var nextAttacks = []string{
	"/%09/evil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"/%0a/evil.example",
	"/%0D%0A/evil.example",
	"//evil.example",
	"/\\evil.example",
	"/%5Cevil.example",
	"/%5cevil.example",
	"\\\\evil.example",
	"https://evil.example",
	"HTTPS://evil.example/",
	"javascript:alert(1)",
	"/%2F%2Fevil.example",
	"/%2f/evil.example",
	"/ok\r\nSet-Cookie:x",
	"/x\x7f",
	"/%7F",
	"evil.example",
	"",
	"/" + strings.Repeat("a", maxNextLen),
}

func TestSafeNext(t *testing.T) {
	for _, in := range nextAttacks {
		if got := safeNext(in); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", in, got)
		}
	}
	for _, ok := range []string{"/", "/members?x=1", "/members/acme-ai", "/snapshots/2026-W05?f=csv#top", "/a%20b", "/%252F%252Fevil.example"} {
		if got := safeNext(ok); got != ok {
			t.Errorf("safeNext(%q) = %q, want it kept", ok, got)
		}
	}
}

// FuzzSafeNext checks the invariant: whatever safeNext returns, a browser
// resolving it against our origin (raw, and after one more percent-decoding
// by some proxy) stays on our origin, and it carries no control character.
func FuzzSafeNext(f *testing.F) {
	for _, s := range nextAttacks {
		f.Add(s)
	}
	f.Add("/members?x=1")
	f.Fuzz(func(t *testing.T, in string) {
		out := safeNext(in)
		if out != "/" && out != in {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", in, out)
		}
		base, _ := url.Parse("https://ecopulse.example/")
		forms := []string{out}
		if dec, err := url.PathUnescape(out); err == nil {
			forms = append(forms, dec)
		}
		for _, s := range forms {
			// Browsers drop TABs and newlines and read "\" as "/": do the same.
			s = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(s)
			ref, err := url.Parse(s)
			if err != nil {
				continue // a browser would not follow it anywhere else either
			}
			got := base.ResolveReference(ref)
			if got.Scheme != "https" || got.Host != "ecopulse.example" {
				t.Fatalf("safeNext(%q) = %q resolves to %s: another origin", in, out, got)
			}
		}
		for i := 0; i < len(out); i++ {
			if out[i] < 0x20 || out[i] == 0x7f {
				t.Fatalf("safeNext(%q) = %q holds a control character", in, out)
			}
		}
	})
}
