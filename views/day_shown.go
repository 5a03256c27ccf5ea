package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// DayShown says which scored day a page shows when the URL asked for
// another: a valid date that was not scored snaps to the nearest scored day
// instead of answering "not found". Embedded in each scored page's JSON, so
// the fields are the same everywhere; empty when the day asked was shown.
type DayShown struct {
	AskedAt string `json:"asked_at,omitempty"` // the day ?at= asked for
	AtNote  string `json:"at_note,omitempty"`  // "scores of 2026-06-28; the nearest scored day to 2026-06-30"
	// Day is the day shown instead, for the page to say AtNote in its
	// language (offer.html's "at-note"); not in the JSON.
	Day string `json:"-"`
}

// scoreDay resolves the scored day a page shows — the one place ?at= is
// read: the latest scored day when at is zero, else at itself when it is
// scored, else the scored day nearest to it (on or before, else the first
// after). ENOTFOUND only when no day is scored at all.
func scoreDay(ctx context.Context, db *data.DB, at time.Time) (time.Time, DayShown, error) {
	var shown DayShown
	var day time.Time
	var err error
	if at.IsZero() {
		day, err = db.LatestScoreDay(ctx)
	} else {
		day, err = db.NearestScoredDay(ctx, at)
	}
	if err != nil {
		return time.Time{}, shown, err
	}
	return scoredDayShown(at, day)
}

// scoredDayShown is scoreDay once the scored day nearest to at (the latest
// when at is zero; zero when no day is scored) has been read.
func scoredDayShown(at, day time.Time) (time.Time, DayShown, error) {
	var shown DayShown
	if day.IsZero() {
		return time.Time{}, shown, domain.ErrorKey(domain.ENOTFOUND, "errors.no_scores_yet", nil, "no scores yet: run `ecopulse score` or start with --demo")
	}
	if at = domain.Day(at); !at.IsZero() && !day.Equal(at) {
		shown.AskedAt = at.Format(domain.DateLayout)
		shown.Day = day.Format(domain.DateLayout)
		shown.AtNote = fmt.Sprintf("scores of %s; the nearest scored day to %s", day.Format(domain.DateLayout), shown.AskedAt)
	}
	return day, shown, nil
}

// Days a query may ask for: nothing is stored before 2000, and a date past
// 2200 is a typo. Outside them a date is refused, not read as "not given"
// (0001-01-01 parses, and is Go's zero time: it would silently become
// "today") nor snapped to a scored day years away.
var (
	FirstQueryDay = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	LastQueryDay  = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ParseQueryDay reads the date query parameter name (value s, trimmed):
// "" is the zero time, "not given"; a date that does not parse or lies
// outside FirstQueryDay..LastQueryDay is an EINVALID error naming name.
// Every date of every page's URL is read by it.
func ParseQueryDay(name, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := domain.ParseDay(s)
	if err != nil {
		return time.Time{}, newPageError(func(tr Tr) string {
			return tr("pageerr.bad_day", "Name", name, "Value", fmt.Sprintf("%q", s))
		})
	}
	if d.Before(FirstQueryDay) || d.After(LastQueryDay) {
		return time.Time{}, newPageError(func(tr Tr) string {
			return tr("pageerr.day_out_of_range", "Name", name, "Value", s,
				"First", FirstQueryDay.Format(domain.DateLayout), "Last", LastQueryDay.Format(domain.DateLayout))
		})
	}
	return d, nil
}
