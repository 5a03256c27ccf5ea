package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Period kinds of a benefit allocation.
const (
	PeriodWeek    = "week"
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
)

// Period is an ISO week (2026-W48), a month (2026-11) or a quarter
// (2026-Q4): its days are [Start, End], UTC.
type Period struct {
	Name  string
	Kind  string
	Start time.Time
	End   time.Time
}

var periodRE = regexp.MustCompile(`^([0-9]{4})-(W[0-9]{2}|[0-9]{2}|Q[1-4])$`)

// ParsePeriod reads an ISO week, a month or a quarter between the years
// 2000 and 2199; anything else is EINVALID with the forms it accepts.
func ParsePeriod(s string) (Period, error) {
	m := periodRE.FindStringSubmatch(s)
	if m == nil {
		return Period{}, ErrorKey(EINVALID, "errors.query.period", Facts{"Value": quoted(truncate(s, 40))}, "invalid period %q: want an ISO week (2026-W48), a month (2026-11) or a quarter (2026-Q4)", truncate(s, 40))
	}
	year, _ := strconv.Atoi(m[1])
	if year < 2000 || year > 2199 {
		return Period{}, ErrorKey(EINVALID, "errors.query.period_years", Facts{"Value": quoted(s)}, "period %q is not between 2000 and 2199", s)
	}
	p := Period{Name: s}
	switch n := m[2]; n[0] {
	case 'W':
		week, _ := strconv.Atoi(n[1:])
		jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
		wd := int(jan4.Weekday()+6) % 7 // Monday 0 … Sunday 6
		p.Kind, p.Start = PeriodWeek, jan4.AddDate(0, 0, -wd+7*(week-1))
		if week < 1 || ISOWeek(p.Start) != s {
			return Period{}, ErrorKey(EINVALID, "errors.query.no_such_week", Facts{"Value": quoted(s)}, "week %q does not exist", s)
		}
		p.End = p.Start.AddDate(0, 0, 6)
	case 'Q':
		q := int(n[1] - '0')
		p.Kind, p.Start = PeriodQuarter, time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		p.End = p.Start.AddDate(0, 3, -1)
	default:
		month, _ := strconv.Atoi(n)
		if month < 1 || month > 12 {
			return Period{}, ErrorKey(EINVALID, "errors.query.no_such_month", Facts{"Value": quoted(s)}, "month %q does not exist", s)
		}
		p.Kind, p.Start = PeriodMonth, time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		p.End = p.Start.AddDate(0, 1, -1)
	}
	return p, nil
}

// Weeks returns the ISO weeks a period is made of, oldest first: those
// whose Sunday falls in it. A week belongs to one period of each kind — the
// month and quarter of its last day, which is the day its snapshot freezes.
func (p Period) Weeks() []string {
	var out []string
	first := p.Start.AddDate(0, 0, (7-int(p.Start.Weekday()))%7) // the first Sunday on or after Start
	for d := first; !d.After(p.End); d = d.AddDate(0, 0, 7) {
		out = append(out, ISOWeek(d))
	}
	return out
}

func (p Period) String() string {
	return fmt.Sprintf("%s (%s to %s)", p.Name, p.Start.Format(DateLayout), p.End.Format(DateLayout))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
