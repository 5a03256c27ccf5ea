package views

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// DataOffer points at the stored data when the range or day a page shows
// has none: history imported from years ago is otherwise invisible behind
// the default "last 28 days", and the page would look as if nothing had
// been collected. In the JSON as "available": null when the page shows
// data, or when there is no data anywhere.
type DataOffer struct {
	From   string `json:"from"`             // first day with data
	To     string `json:"to"`               // last day with data
	At     string `json:"at,omitempty"`     // the scored day that shows it (the pages of scores)
	Text   string `json:"text"`             // "Data from 2015-05-17 to 2015-05-20"
	Action string `json:"action,omitempty"` // the link's words: "show that range"
	URL    string `json:"url,omitempty"`    // the page that shows it; empty when none can yet
	Hint   string `json:"hint,omitempty"`   // what to do when there is no URL
	// LastDays is the days the link shows when the data spans more than a
	// page may (Action "show its last N days"), for the page to say Action
	// in its language (offer.html); not in the JSON.
	LastDays int `json:"-"`
}

func newDataOffer(first, last time.Time) *DataOffer {
	o := &DataOffer{From: first.Format(domain.DateLayout), To: last.Format(domain.DateLayout)}
	o.Text = fmt.Sprintf("Data from %s to %s", o.From, o.To)
	return o
}

// offerURL is path with query q (which it does not change) plus set.
func offerURL(path string, q url.Values, set map[string]string) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = append([]string(nil), vs...)
	}
	for k, s := range set {
		v.Set(k, s)
	}
	return path + "?" + v.Encode()
}

// rangeOffer offers the days [first, last] on a page of ranges (?from=&to=,
// the rest of query kept). A page shows at most EcoMaxRangeDays, so the
// link shows the last of them when the data spans more.
func rangeOffer(path string, query url.Values, first, last time.Time) *DataOffer {
	o := newDataOffer(first, last)
	from := first
	if earliest := last.AddDate(0, 0, -(EcoMaxRangeDays - 1)); from.Before(earliest) {
		from = earliest
	}
	o.Action = "show that range"
	if !from.Equal(first) {
		o.Action = fmt.Sprintf("show its last %d days", EcoMaxRangeDays)
		o.LastDays = EcoMaxRangeDays
	}
	o.URL = offerURL(path, query, map[string]string{"from": from.Format(domain.DateLayout), "to": o.To})
	return o
}

// scoresOffer offers the scores that include the measured data (API usage
// and community activity) when the scoring window ending on day — the
// EcoRangeDays up to it, the default scoring window — holds none of it; a
// zero day is "no scores shown". The offer is the first scored day on or
// after the data's last day (?at=, the rest of query kept) when its window
// covers some of the data, else the nearest one before; otherwise there is nothing to show yet, and the offer
// says how to score those days.
func scoresOffer(ctx context.Context, db *data.DB, path string, query url.Values, day time.Time) (*DataOffer, error) {
	r, err := db.DataRange(ctx)
	if err != nil {
		return nil, err
	}
	first, last := r.Measured()
	if last.IsZero() || (!day.IsZero() && windowHolds(day, first, last)) {
		return nil, nil
	}
	// The first scored day on or after the data's last day holds the most
	// of it (its window ends past all of it); else the nearest before.
	after, err := db.FirstScoredDayFrom(ctx, last)
	if err != nil {
		return nil, err
	}
	var near time.Time
	if after.IsZero() || !windowHolds(after, first, last) {
		if near, err = db.NearestScoredDay(ctx, last); err != nil {
			return nil, err
		}
	}
	return scoresOfferOf(r, after, near, path, query, day), nil
}

// scoresOfferOf is scoresOffer once the data's range, the first scored day
// on or after its last day (after) and the scored day nearest to it (near)
// have been read.
func scoresOfferOf(r data.DataRange, after, near time.Time, path string, query url.Values, day time.Time) *DataOffer {
	first, last := r.Measured()
	if last.IsZero() || (!day.IsZero() && windowHolds(day, first, last)) {
		return nil
	}
	o := newDataOffer(first, last)
	at := after
	if at.IsZero() || !windowHolds(at, first, last) {
		at = near
	}
	if !at.IsZero() && windowHolds(at, first, last) {
		o.At = at.Format(domain.DateLayout)
		o.Action = "show the scores of " + o.At
		o.URL = offerURL(path, query, map[string]string{"at": o.At})
		return o
	}
	o.Hint = fmt.Sprintf("those days are not scored yet: ecopulse score --from %s --to %s", o.From, o.To)
	return o
}

// windowHolds reports whether the scoring window ending on day overlaps
// [first, last].
func windowHolds(day, first, last time.Time) bool {
	return !day.Before(first) && !day.AddDate(0, 0, -(EcoRangeDays-1)).After(last)
}

// DayRange is a first and last day, YYYY-MM-DD.
type DayRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// apiUsageOffer says where the stored usage is and, when the range shown
// has no call, offers it.
func apiUsageOffer(ctx context.Context, db *data.DB, u *APIUsage) error {
	r, err := db.DataRange(ctx)
	if err != nil || !r.HasUsage() {
		return err
	}
	u.DataRange = &DayRange{From: r.UsageFirst.Format(domain.DateLayout), To: r.UsageLast.Format(domain.DateLayout)}
	if u.Totals.Calls == 0 {
		q := url.Values{}
		if u.Top != apiUsageDefaultTop {
			q.Set("top", fmt.Sprint(u.Top))
		}
		u.Available = rangeOffer("/api-usage", q, r.UsageFirst, r.UsageLast)
	}
	return nil
}

// dateBounds are a date input's min and max: the days with data, widened
// to the value shown so that a form showing another range still submits.
func dateBounds(r *DayRange, shownFrom, shownTo string) (lo, hi string) {
	if r == nil {
		return "", ""
	}
	lo, hi = r.From, r.To
	if shownFrom != "" && shownFrom < lo {
		lo = shownFrom
	}
	if shownTo != "" && shownTo > hi {
		hi = shownTo
	}
	return lo, hi
}

// measuredRange is the days with usage or activity, or nil.
func measuredRange(r data.DataRange) *DayRange {
	first, last := r.Measured()
	if last.IsZero() {
		return nil
	}
	return &DayRange{From: first.Format(domain.DateLayout), To: last.Format(domain.DateLayout)}
}

// scoredRange is the first and last scored day, or nil.
func scoredRange(r data.DataRange) *DayRange {
	if !r.HasScores() {
		return nil
	}
	return &DayRange{From: r.ScoredFirst.Format(domain.DateLayout), To: r.ScoredLast.Format(domain.DateLayout)}
}

// membersOffer says which days are scored and, when the day shown holds no
// measured data (or nothing is scored), offers the scores that do.
func membersOffer(ctx context.Context, db *data.DB, m *Members, day time.Time) error {
	r, err := db.DataRange(ctx)
	if err != nil {
		return err
	}
	m.Scored = scoredRange(r)
	q := m.Query
	q.At = ""
	m.Available, err = scoresOffer(ctx, db, "/members", q.Values(), day)
	return err
}

// overviewOffer offers the scores that hold the measured data when the day
// shown holds none (or nothing is scored).
func overviewOffer(ctx context.Context, db *data.DB, o *Overview, day time.Time) error {
	var err error
	o.Available, err = scoresOffer(ctx, db, "/", nil, day)
	return err
}

// communityOffer offers the days with community activity when the range
// shown has no contribution.
func communityOffer(ctx context.Context, db *data.DB, c *Community) error {
	if c.Contributions > 0 {
		return nil
	}
	r, err := db.DataRange(ctx)
	if err != nil || r.ActivityLast.IsZero() {
		return err
	}
	c.Available = rangeOffer("/community", nil, r.ActivityFirst, r.ActivityLast)
	return nil
}
