package views

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// memberLine returns a member's table row of the compare page.
func memberLine(t *testing.T, page, slug string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-member="` + regexp.QuoteMeta(slug) + `".*?</tr>`).FindString(page)
	if m == "" {
		t.Fatalf("the page has no row for %s", slug)
	}
	return m
}

// cellOf returns the text of a data-col cell of a row, tags removed.
func cellOf(t *testing.T, row, col string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<td class="n" data-col="` + col + `">(.*?)</td>`).FindStringSubmatch(row)
	if m == nil {
		t.Fatalf("row has no %s cell: %s", col, row)
	}
	return strings.TrimSpace(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], ""))
}

func TestComparePageShowsMissingSidesAsMissing(t *testing.T) {
	db := datatest.MustOpenDB(t)
	threeSnapshots(t, db)
	ctx := context.Background()
	d, _ := domain.ParseDay("2026-06-28")
	hostile := data.SnapshotMember{Slug: "x", Name: hostileNames[0], Phi: 0.1, Health: 50, Status: domain.StatusWatch}
	if err := db.CreateSnapshot(ctx, &data.Snapshot{Week: "2026-W26", Day: d, R: 0.1, Health: 50}, []data.SnapshotMember{hostile}); err != nil {
		t.Fatal(err)
	}
	c, err := BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "2026-W22", "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).SnapshotComparePage(&buf, *c); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	// foxtrot is only in 2026-W22, echo only in 2026-W25: the other side
	// is "—", never 0.
	fox, echo := memberLine(t, page, "foxtrot"), memberLine(t, page, "echo")
	for _, tc := range []struct{ row, col, want string }{
		{fox, "health-a", "20.0"}, {fox, "health-b", noValue}, {fox, "phi-b", noValue}, {fox, "C-b", noValue},
		{echo, "health-a", noValue}, {echo, "phi-a", noValue}, {echo, "health-b", "45.0"},
		{memberLine(t, page, "alpha"), "health-a", "40.0"}, {memberLine(t, page, "alpha"), "health-b", "65.5"},
	} {
		if got := cellOf(t, tc.row, tc.col); !strings.HasSuffix(got, tc.want) {
			t.Errorf("%s = %q, want %q", tc.col, got, tc.want)
		}
	}
	for _, want := range []string{`<option value="2026-W22" selected>`, `<option value="2026-W25" selected>`,
		`href="/api/v1/snapshots/compare?a=2026-W22&amp;b=2026-W25&amp;format=xlsx" download="ecopulse-2026-W22-vs-2026-W25.xlsx"`,
		`<tr data-total="members"><th scope="row">Members</th><td class="n" data-side="a">3</td><td class="n" data-side="b">4</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}

	// A hostile name is text.
	c, err = BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "2026-W25", "2026-W26")
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := newTestRenderer(t).SnapshotComparePage(&buf, *c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>alert(1)") || !strings.Contains(buf.String(), "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the compare page does not escape a hostile name")
	}

	// The list of weeks leads to the comparison and the series.
	list, err := BuildSnapshots(ctx, db, metrics.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := newTestRenderer(t).SnapshotsPage(&buf, *list); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="/snapshots/compare"`, `href="/api/v1/snapshots/series?weeks=12&amp;format=xlsx"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("/snapshots lacks %q", want)
		}
	}
}
