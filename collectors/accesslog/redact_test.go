package accesslog

import (
	"testing"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
)

func TestRedactIPs(t *testing.T) {
	for in, want := range map[string]string{
		`203.0.113.7 - - [30/Jun/2026:10:00:05 +0000] "GARBAGE" 200 1`: `[ip] - - [30/Jun/2026:10:00:05 +0000] "GARBAGE" 200 1`,
		`from 2001:db8::beef:1 and ::ffff:10.1.2.3`:                    `from [ip] and [ip]`,
		`upstream 10.20.30.40:8080 [2001:db8::1]:443`:                  `upstream [ip]:8080 [[ip]]:443`,
		`GET /v1.2/models 1.5 10:00:05 a.b.c`:                          `GET /v1.2/models 1.5 10:00:05 a.b.c`,
		`time "not a time" is not dd/Mon/yyyy:hh:mm:ss ±hhmm`:          `time "not a time" is not dd/Mon/yyyy:hh:mm:ss ±hhmm`,
	} {
		if got := redactIPs(in); got != want {
			t.Errorf("redactIPs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddressesAreNotRoutesOrConsumers(t *testing.T) {
	if got := endpoint.Normalize("/v1/geo/203.0.113.7/2001:db8::1"); got != "/v1/geo/:id/:id" {
		t.Errorf("endpoint.Normalize = %q", got)
	}
	if got := endpoint.Normalize("/v1.2/models/gpt-4.1"); got != "/v1.2/models/gpt-4.1" {
		t.Errorf("endpoint.Normalize = %q", got)
	}
}
