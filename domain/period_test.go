package domain

import (
	"strings"
	"testing"
)

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		s, kind, start, end string
		weeks               string
	}{
		// 2026-11-23 is a Monday (2026-12-02, a Wednesday, is in W49).
		{"2026-W48", PeriodWeek, "2026-11-23", "2026-11-29", "2026-W48"},
		// 2026 starts on a Thursday: it has a week 53, ending in 2027.
		{"2026-W53", PeriodWeek, "2026-12-28", "2027-01-03", "2026-W53"},
		// November 2026's Sundays: the 1st, 8th, 15th, 22nd and 29th.
		{"2026-11", PeriodMonth, "2026-11-01", "2026-11-30", "2026-W44 2026-W45 2026-W46 2026-W47 2026-W48"},
		// February 2024 (leap): Sundays the 4th … 25th.
		{"2024-02", PeriodMonth, "2024-02-01", "2024-02-29", "2024-W05 2024-W06 2024-W07 2024-W08"},
		{"2026-Q4", PeriodQuarter, "2026-10-01", "2026-12-31", "2026-W40 2026-W41 2026-W42 2026-W43 2026-W44 2026-W45 2026-W46 2026-W47 2026-W48 2026-W49 2026-W50 2026-W51 2026-W52"},
	}
	for _, c := range cases {
		p, err := ParsePeriod(c.s)
		if err != nil {
			t.Errorf("ParsePeriod(%q): %v", c.s, err)
			continue
		}
		if p.Kind != c.kind || p.Start.Format(DateLayout) != c.start || p.End.Format(DateLayout) != c.end {
			t.Errorf("ParsePeriod(%q) = %s %s, want %s %s to %s", c.s, p.Kind, p, c.kind, c.start, c.end)
		}
		if got := strings.Join(p.Weeks(), " "); got != c.weeks {
			t.Errorf("%s weeks = %s, want %s", c.s, got, c.weeks)
		}
	}
	for _, bad := range []string{"", "2026", "2026-W54", "2027-W53", "2026-W00", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "1999-01", "2200-01", "2026-w48", " 2026-11", "2026-11-01"} {
		if _, err := ParsePeriod(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParsePeriod(%q): %v, want EINVALID", bad, err)
		}
	}
}
