package views

import (
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

func termsAgreement(terms string) *data.Agreement {
	ag := &data.Agreement{Members: []data.ProjectMember{{Slug: "acme", Name: "Acme"}, {Slug: "bright", Name: "Bright"}}}
	ag.Slug, ag.Terms = "pilot", terms
	return ag
}

func TestAgreementTermsFeedTheAllocation(t *testing.T) {
	p, err := partiesOf(termsAgreement("Pilot agreement; credits.\n  Pool: 2500.50 USD\nweights: acme=3, bright=0.5\nnotes: a=b"))
	if err != nil {
		t.Fatal(err)
	}
	if p.pool != "2500.50" || p.currency != "USD" || p.weights["acme"] != 3 || p.weights["bright"] != 0.5 || strings.Join(p.slugs, ",") != "acme,bright" {
		t.Errorf("parties = %+v", p)
	}
	p, err = partiesOf(termsAgreement("no allocation lines"))
	if err != nil || p.pool != "" || p.weights != nil {
		t.Errorf("terms without lines: %+v, %v; want no pool and no weights", p, err)
	}
	for terms, want := range map[string]string{
		"weights: acme=2, zed=1":     "not one of its parties",
		"weights: acme=-1":           "a number from 0",
		"weights: acme=NaN":          "a number from 0",
		"weights: acme=1e12":         "a number from 0",
		"weights: acme":              "want slug=NUMBER",
		"pool: 1 2 3":                "want \"pool: AMOUNT [CURRENCY]\"",
		"pool:":                      "want \"pool: AMOUNT [CURRENCY]\"",
		"weights: =HYPERLINK(1)=2.0": "want slug=NUMBER",
	} {
		_, err := partiesOf(termsAgreement(terms))
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want EINVALID saying %q", terms, err, want)
		}
	}
	if _, err := partiesOf(&data.Agreement{}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("an agreement without parties: %v, want EINVALID", err)
	}
}
