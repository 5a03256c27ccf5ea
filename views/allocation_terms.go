package views

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// An agreement's terms are free text; two lines of it, when present, feed
// a benefit allocation (docs/allocation.md):
//
//	pool: 100000 CNY
//	weights: acme=2, bright-labs=1
//
// "pool:" is the pool used when the request names none (amount, then an
// optional currency); "weights:" gives rule=weights each party's weight (a
// party not named weighs 0). Nothing else of the terms is read.

// maxAgreementWeight bounds a weight in an agreement's terms.
const maxAgreementWeight = 1e9

// agreementParties is what an agreement gives an allocation.
type agreementParties struct {
	slugs    []string // the parties, by slug
	names    map[string]string
	weights  map[string]float64 // from "weights:"; nil without the line
	pool     string             // from "pool:"; "" without the line
	currency string
}

// partiesOf reads an agreement's parties and the allocation lines of its
// terms; a malformed line is EINVALID naming the agreement.
func partiesOf(ag *data.Agreement) (*agreementParties, error) {
	out := &agreementParties{names: map[string]string{}}
	for _, m := range ag.Members {
		out.slugs = append(out.slugs, m.Slug)
		out.names[m.Slug] = m.Name
	}
	if len(out.slugs) == 0 {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.query.terms_no_party", domain.Facts{"Agreement": fmt.Sprintf("%q", ag.Slug)},
			"agreement %q has no party to allocate to", ag.Slug)
	}
	for _, line := range strings.Split(ag.Terms, "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "pool":
			f := strings.Fields(value)
			if len(f) == 0 || len(f) > 2 {
				shown := truncateText(line, 60)
				return nil, domain.ErrorKey(domain.EINVALID, "errors.query.terms_pool", domain.Facts{"Agreement": fmt.Sprintf("%q", ag.Slug), "Line": fmt.Sprintf("%q", shown)},
					"agreement %q: terms line %q: want \"pool: AMOUNT [CURRENCY]\"", ag.Slug, shown)
			}
			out.pool = f[0]
			if len(f) == 2 {
				out.currency = f[1]
			}
		case "weights":
			w, err := parseWeights(ag.Slug, value, out.names)
			if err != nil {
				return nil, err
			}
			out.weights = w
		}
	}
	return out, nil
}

// parseWeights reads "slug=2, other=1.5" naming parties only.
func parseWeights(agreement, s string, parties map[string]string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		slug, num, ok := strings.Cut(item, "=")
		slug = strings.TrimSpace(slug)
		w, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		switch {
		case !ok || err != nil || math.IsNaN(w) || w < 0 || w > maxAgreementWeight:
			shown := truncateText(item, 60)
			return nil, domain.ErrorKey(domain.EINVALID, "errors.query.terms_weight",
				domain.Facts{"Agreement": fmt.Sprintf("%q", agreement), "Item": fmt.Sprintf("%q", shown), "Max": fmt.Sprintf("%g", float64(maxAgreementWeight))},
				"agreement %q: weight %q: want slug=NUMBER, a number from 0 to %g", agreement, shown, float64(maxAgreementWeight))
		case parties[slug] == "":
			shown := truncateText(slug, 60)
			return nil, domain.ErrorKey(domain.EINVALID, "errors.query.terms_weight_party", domain.Facts{"Agreement": fmt.Sprintf("%q", agreement), "Slug": fmt.Sprintf("%q", shown)},
				"agreement %q: weight for %q, which is not one of its parties", agreement, shown)
		}
		out[slug] = w
	}
	return out, nil
}
