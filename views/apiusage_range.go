package views

import (
	"context"
	"math"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The date range the ecosystem pages (/api-usage, /projects, /community)
// share: ?from=YYYY-MM-DD&to=YYYY-MM-DD in the URL, both days included. By
// default the range is the 28 days ending on the latest scored day (today
// when nothing is scored yet).

const (
	// EcoRangeDays is the length of the default range.
	EcoRangeDays = 28
	// EcoMaxRangeDays is the longest range a page shows.
	EcoMaxRangeDays = 366
)

// RangeParams is a page's range as the URL gives it; zero days take the
// defaults.
type RangeParams struct {
	From time.Time
	To   time.Time
	// Now stands for "today" when nothing is scored yet; zero: the clock.
	// It is never used when there are scores.
	Now time.Time
}

// ParseRange reads from and to from a query (get returns a parameter by
// name, "" when absent). A malformed day is an EINVALID error.
func ParseRange(get func(string) string) (RangeParams, error) {
	var p RangeParams
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &p.From}, {"to", &p.To}} {
		d, err := ParseQueryDay(f.name, get(f.name))
		if err != nil {
			return p, err
		}
		*f.dst = d
	}
	return p, nil
}

// resolveRange returns the first and last day (inclusive) of p.
func resolveRange(ctx context.Context, db *data.DB, p RangeParams) (from, to time.Time, err error) {
	to = domain.Day(p.To)
	if p.To.IsZero() {
		if to, err = db.LatestScoreDay(ctx); err != nil {
			return from, to, err
		}
		if to.IsZero() { // nothing scored yet
			to = domain.Day(p.Now)
			if p.Now.IsZero() {
				to = domain.Day(time.Now())
			}
		}
	}
	from = domain.Day(p.From)
	if p.From.IsZero() {
		from = to.AddDate(0, 0, -(EcoRangeDays - 1))
	}
	if to.Before(from) {
		return from, to, newPageError(func(tr Tr) string {
			return tr("pageerr.to_before_from", "To", to.Format(domain.DateLayout), "From", from.Format(domain.DateLayout))
		})
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > EcoMaxRangeDays {
		return from, to, newPageError(func(tr Tr) string {
			return tr("pageerr.range_too_long", "Max", EcoMaxRangeDays, "Days", days)
		})
	}
	return from, to, nil
}

// ecoDays returns every day of [from, to] as YYYY-MM-DD.
func ecoDays(from, to time.Time) []string {
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(domain.DateLayout))
	}
	return out
}

// ecoLastCollected returns the time of the last successful collection, RFC 3339.
func ecoLastCollected(ctx context.Context, db *data.DB) (string, error) {
	last, err := db.LastSuccessfulRun(ctx)
	if err != nil || last.IsZero() {
		return "", err
	}
	return last.Format(time.RFC3339), nil
}

// ecoQuantile is the q-quantile of sorted values, interpolated linearly
// between the closest ranks (the median of an even count is the mean of
// the middle two); NaN for none.
func ecoQuantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * q
	lo := int(h)
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// ecoOpt returns a pointer to v, or nil (JSON null) when v is not a number.
func ecoOpt(v float64) *float64 {
	if !finiteNum(v) {
		return nil
	}
	return &v
}
