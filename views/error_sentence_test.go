package views

import (
	"strings"
	"testing"
	"time"
)

func TestErrorSentenceSaysWhatHappenedAndWhatNext(t *testing.T) {
	next := time.Date(2026, 12, 2, 23, 47, 0, 0, time.UTC)
	for _, c := range []struct {
		typ, raw string
		want     []string
	}{
		{"github", `github: repo acme/sdk: GET https://api.github.com/repos/acme/sdk/issues: dial tcp: lookup api.github.com: no such host`,
			[]string{"GitHub could not be reached", "does not resolve", "the next run is at 23:47 UTC"}},
		{"github", `github: repo acme/sdk: GET https://api.github.com/repos/acme/sdk/issues: 401 Unauthorized: Bad credentials`,
			[]string{"GitHub refused the credentials (401)", "token"}},
		{"github", `github: repo acme/gone: GET https://api.github.com/repos/acme/gone/issues: 404 Not Found`, []string{"GitHub answered 404", "repository"}},
		{"discourse", `discourse https://forum.example: rate limit exhausted until 2026-12-02T23:40:00Z`,
			[]string{"Discourse limits how fast it may be read until 23:40 UTC", "nothing is lost"}},
		{"discourse", `discourse https://forum.example: GET https://forum.example/latest.json: 502 Bad Gateway`, []string{"Discourse had an error of its own (502)"}},
		{"discourse", `discourse https://forum.example: Get "https://forum.example/latest.json": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
			[]string{"Discourse did not answer in time"}},
		{"accesslog", `accesslog: open /var/log/nginx/api.log: no such file or directory`, []string{"The access log: a file it reads does not exist"}},
		{"registry", `registry: unable to parse /etc/eco/registry.yaml: line 3: unknown key "project"`,
			[]string{`The registry file failed: registry: unable to parse /etc/eco/registry.yaml: line 3: unknown key "project"`}},
	} {
		got := ErrorSentence(c.typ, c.raw, next)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.typ, got, w)
			}
		}
		if !strings.HasSuffix(got, ".") {
			t.Errorf("%q is not a sentence", got)
		}
	}
	if ErrorSentence("github", "", next) != "" {
		t.Error("no error, but a sentence")
	}
}
