package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// snapshotsApp is the demo with its closed weeks snapshotted (5 weeks).
func snapshotsApp(tb testing.TB) (*App, *data.DB, []data.Snapshot) {
	tb.Helper()
	db := seededDB(tb)
	ctx := context.Background()
	if _, err := catchUpSnapshots(ctx, db, NewScorer(db, config.Default().Scoring, quietLogger()), demoEnd, 26); err != nil {
		tb.Fatal(err)
	}
	list, err := db.Snapshots(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if len(list) < 3 {
		tb.Fatalf("%d snapshots, want at least 3", len(list))
	}
	return newTestApp(tb, db), db, list
}

// fetchOK GETs target and fails unless it answers 200.
func fetchOK(tb testing.TB, a *App, target string) []byte {
	tb.Helper()
	status, body, _ := get(tb, a.Fiber(), target)
	if status != 200 {
		tb.Fatalf("GET %s = %d: %s", target, status, body)
	}
	return []byte(body)
}

// csvRecords parses a CSV export and checks its header.
func csvRecords(tb testing.TB, what string, b []byte) []map[string]string {
	tb.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		tb.Fatalf("%s: CSV does not parse: %v", what, err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], views.MemberExportHeader()) {
		tb.Fatalf("%s: header %v, want %v", what, recs[0], views.MemberExportHeader())
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// storedRows returns the frozen rows of weeks, by week and slug.
func storedRows(tb testing.TB, db *data.DB, weeks ...string) map[string]map[string]data.SnapshotMember {
	tb.Helper()
	out := map[string]map[string]data.SnapshotMember{}
	for _, w := range weeks {
		rows, err := db.SnapshotMembers(context.Background(), w)
		if err != nil {
			tb.Fatal(err)
		}
		out[w] = map[string]data.SnapshotMember{}
		for _, m := range rows {
			out[w][m.Slug] = m
		}
	}
	return out
}

// checkRowsAreStored fails unless every member row of an export is its
// week's frozen row at full precision, and every frozen row is there.
func checkRowsAreStored(t *testing.T, what string, rows []map[string]string, stored map[string]map[string]data.SnapshotMember) {
	t.Helper()
	seen := 0
	for _, r := range rows {
		if r["scope"] != views.ScopeMember {
			continue
		}
		m, ok := stored[r["week"]][r["slug"]]
		if !ok {
			t.Errorf("%s: row %s of %s is in no snapshot", what, r["slug"], r["week"])
			continue
		}
		seen++
		for col, want := range map[string]float64{"health": m.Health, "T": m.T, "C": m.C, "K": m.K, "phi": m.Phi} {
			if got, err := strconv.ParseFloat(r[col], 64); err != nil || got != want {
				t.Errorf("%s: %s %s %s = %q, want the stored %v", what, r["week"], r["slug"], col, r[col], want)
			}
		}
	}
	want := 0
	for _, ms := range stored {
		want += len(ms)
	}
	if seen != want {
		t.Errorf("%s: %d member rows, want the %d stored", what, seen, want)
	}
}

func TestCompareDownloadsEqualTheSnapshots(t *testing.T) {
	a, db, list := snapshotsApp(t)
	wa, wb := list[len(list)-1].Week, list[0].Week // the oldest and the newest: not neighbours
	q := "?a=" + url.QueryEscape(wa) + "&b=" + url.QueryEscape(wb)
	c := decode[views.SnapshotCompare](t, string(fetchOK(t, a, "/api/v1/snapshots/compare"+q)))
	for _, side := range []struct {
		got  views.CompareWeek
		want data.Snapshot
	}{{c.A, list[len(list)-1]}, {c.B, list[0]}} {
		if side.got.Week != side.want.Week || side.got.R == nil || *side.got.R != side.want.R || *side.got.Health != side.want.Health || side.got.Members != side.want.Members {
			t.Errorf("side %+v, want the stored %+v", side.got, side.want)
		}
	}
	stored := storedRows(t, db, wa, wb)
	checkRowsAreStored(t, "compare CSV", csvRecords(t, "compare CSV", fetchOK(t, a, views.CompareURL(wa, wb, "csv"))), stored)

	x := fetchOK(t, a, views.CompareURL(wa, wb, "xlsx"))
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkScoresSheet(t, f)
	checkSummary(t, f, map[string]float64{"R (a)": list[len(list)-1].R, "R (b)": list[0].R, "Members (b)": float64(list[0].Members)})

	status, page, _ := get(t, a.Fiber(), "/snapshots/compare"+q)
	if status != 200 {
		t.Fatalf("GET /snapshots/compare = %d", status)
	}
	for _, m := range c.Members {
		if !strings.Contains(page, `data-member="`+m.Slug+`"`) {
			t.Errorf("the page does not list %s", m.Slug)
		}
	}
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/api/v1/snapshots/compare?a=2026-W01&b=" + wb, 404},
		{"/api/v1/snapshots/compare?a=2026-1&b=" + wb, 400},
		{"/api/v1/snapshots/compare" + q + "&format=pdf", 400},
		{"/snapshots/compare?a=2026-W54", 400},
	} {
		if status, body, _ := get(t, a.Fiber(), tc.target); status != tc.status {
			t.Errorf("GET %s = %d, want %d (%s)", tc.target, status, tc.status, body)
		}
	}
}

// checkScoresSheet fails unless the Scores sheet has the member export's
// header, a number format on every number column (the ones the issue
// names checked by code), numbers as numbers, and a dimension that spans
// its header and rows.
func checkScoresSheet(t *testing.T, f *excelize.File) {
	t.Helper()
	rows, err := f.GetRows(xlsxDataSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], views.MemberExportHeaderIn(views.EnglishTr())) {
		t.Fatalf("Scores header %v, want %v", rows[0], views.MemberExportHeaderIn(views.EnglishTr()))
	}
	if dim, err := f.GetSheetDimension(xlsxDataSheet); err != nil || dim != fmt.Sprintf("A1:%s%d", xlsxColumn(len(views.MemberExportColumns)-1), len(rows)) {
		t.Errorf("Scores dimension %q (%v), want A1 to the last column of row %d", dim, err, len(rows))
	}
	member := -1
	for i, r := range rows {
		if r[0] == views.ScopeMember {
			member = i + 1
			break
		}
	}
	if member < 0 {
		t.Fatal("no member row")
	}
	for col, want := range map[string]string{"health": "0.0", "T": "0.000", "phi": "0.0000", "phi_share": "0.0%", "day": "yyyy-mm-dd"} {
		cell := fmt.Sprintf("%s%d", xlsxColumn(views.MemberExportColumnIndex(col)), member)
		if got := numFmtOf(t, f, xlsxDataSheet, cell); got != want {
			t.Errorf("%s (%s): number format %q, want %q", cell, col, got, want)
		}
		if typ, _ := f.GetCellType(xlsxDataSheet, cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("%s (%s) is text, want a number", cell, col)
		}
	}
	// The share reads as the page shows it (11.4%), its value unrounded.
	cell := fmt.Sprintf("%s%d", xlsxColumn(views.MemberExportColumnIndex("phi_share")), member)
	raw, _ := f.GetCellValue(xlsxDataSheet, cell, excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue(xlsxDataSheet, cell)
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || shown != strconv.FormatFloat(v*100, 'f', 1, 64)+"%" {
		t.Errorf("share %s shows %q (raw %q), want a percentage with one decimal", cell, shown, raw)
	}
}

// numFmtOf returns a cell's custom number format ("" for none).
func numFmtOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}

// checkSummary fails unless the Summary sheet is the first sheet, the one
// the workbook opens on, and holds the labelled numbers.
func checkSummary(t *testing.T, f *excelize.File, want map[string]float64) {
	t.Helper()
	if sheets := f.GetSheetList(); sheets[0] != xlsxSummarySheet || f.GetActiveSheetIndex() != 0 {
		t.Errorf("sheets %v, active %d: want %s first and active", sheets, f.GetActiveSheetIndex(), xlsxSummarySheet)
	}
	rows, err := f.GetRows(xlsxSummarySheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			got[r[0]] = r[1]
		}
	}
	for label, v := range want {
		if g, err := strconv.ParseFloat(got[label], 64); err != nil || g != v {
			t.Errorf("Summary %q = %q, want %v", label, got[label], v)
		}
	}
	if dim, err := f.GetSheetDimension(xlsxSummarySheet); err != nil || dim != fmt.Sprintf("A1:B%d", len(rows)) {
		t.Errorf("Summary dimension %q (%v), want A1:B%d", dim, err, len(rows))
	}
}

func TestSeriesDownloadsEqualTheSnapshotsAndChartThem(t *testing.T) {
	a, db, list := snapshotsApp(t)
	const weeks = 8
	s := decode[views.SnapshotSeries](t, string(fetchOK(t, a, fmt.Sprintf("/api/v1/snapshots/series?weeks=%d", weeks))))
	if len(s.Weeks) != weeks || s.Weeks[weeks-1].Week != list[0].Week {
		t.Fatalf("series of %d weeks ending %s, want %d ending with the latest snapshot %s", len(s.Weeks), s.Weeks[len(s.Weeks)-1].Week, weeks, list[0].Week)
	}
	byWeek := map[string]data.Snapshot{}
	var weeksWith []string
	for _, sn := range list {
		byWeek[sn.Week] = sn
	}
	for _, w := range s.Weeks {
		sn, ok := byWeek[w.Week]
		if ok != w.Snapshot || (ok && (*w.R != sn.R || *w.Health != sn.Health)) || (!ok && w.R != nil) {
			t.Errorf("%s: %+v, want the stored %+v (%v)", w.Week, w, sn, ok)
		}
		if ok {
			weeksWith = append(weeksWith, w.Week)
		}
	}
	checkRowsAreStored(t, "series CSV", csvRecords(t, "series CSV", fetchOK(t, a, views.SeriesURL(weeks, "csv"))), storedRows(t, db, weeksWith...))

	x := fetchOK(t, a, views.SeriesURL(weeks, "xlsx"))
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkScoresSheet(t, f)
	checkSummary(t, f, map[string]float64{"Weeks": weeks, "Weeks with a snapshot": float64(len(weeksWith))})
	if got := numFmtOf(t, f, xlsxWeeklySheet, fmt.Sprintf("D%d", weeks+1)); got != "0.0" {
		t.Errorf("Weekly health format %q, want 0.0", got)
	}
	if dim, _ := f.GetSheetDimension(xlsxWeeklySheet); dim != fmt.Sprintf("A1:E%d", weeks+1) {
		t.Errorf("Weekly dimension %q, want A1:E%d", dim, weeks+1)
	}
	chart := zipFile(t, x, "xl/charts/chart1.xml")
	// excelize writes the chart XML without the c: prefix; either reads.
	lines := strings.Count(chart, "<lineChart>") + strings.Count(chart, "<c:lineChart>")
	axes := strings.Count(chart, "<valAx>") + strings.Count(chart, "<c:valAx>")
	if lines != 2 || axes != 2 {
		t.Errorf("the chart has %d line charts on %d value axes, want 2 on 2 (health, and R on the second axis)", lines, axes)
	}
	for _, ref := range []string{fmt.Sprintf("Weekly!$C$2:$C$%d", weeks+1), fmt.Sprintf("Weekly!$D$2:$D$%d", weeks+1), fmt.Sprintf("Weekly!$A$2:$A$%d", weeks+1)} {
		if !strings.Contains(chart, ref) {
			t.Errorf("the chart does not refer to %s", ref)
		}
	}
	for _, target := range []string{"/api/v1/snapshots/series?weeks=0", "/api/v1/snapshots/series?weeks=x", "/api/v1/snapshots/series?format=pdf"} {
		if status, _, _ := get(t, a.Fiber(), target); status != 400 {
			t.Errorf("GET %s = %d, want 400", target, status)
		}
	}
}

func TestEveryMemberExportHasTheSameHeader(t *testing.T) {
	a, _, list := snapshotsApp(t)
	for what, target := range map[string]string{
		"members.csv":  "/members.csv",
		"snapshot CSV": views.SnapshotExportURL(list[0].Week, "csv"),
		"compare CSV":  views.CompareURL(list[1].Week, list[0].Week, "csv"),
		"series CSV":   views.SeriesURL(4, "csv"),
	} {
		if rows := csvRecords(t, what, fetchOK(t, a, target)); len(rows) == 0 {
			t.Errorf("%s has no row", what)
		}
	}
	for what, target := range map[string]string{
		"snapshot XLSX": views.SnapshotExportURL(list[0].Week, "xlsx"),
		"compare XLSX":  views.CompareURL(list[1].Week, list[0].Week, "xlsx"),
		"series XLSX":   views.SeriesURL(4, "xlsx"),
	} {
		f, err := excelize.OpenReader(bytes.NewReader(fetchOK(t, a, target)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		rows, err := f.GetRows(xlsxDataSheet)
		f.Close()
		if err != nil || len(rows) == 0 || !slices.Equal(rows[0], views.MemberExportHeaderIn(views.EnglishTr())) {
			t.Errorf("%s: Scores header %v (%v), want %v", what, rows, err, views.MemberExportHeaderIn(views.EnglishTr()))
		}
	}
}

func TestExportCommandComparesAndWritesTheSeries(t *testing.T) {
	a, db, list := snapshotsApp(t)
	ctx := context.Background()
	env, out := snapshotEnv(t, db, demoEnd)
	wa, wb := list[2].Week, list[0].Week
	if err := ExportCompare(ctx, env, wa, wb, "csv", "-"); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), string(fetchOK(t, a, views.CompareURL(wa, wb, "csv"))); got != want {
		t.Errorf("export --against wrote another file than the API's download")
	}
	out.Reset()
	if err := ExportSeries(ctx, env, 6, "csv", "-"); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), string(fetchOK(t, a, views.SeriesURL(6, "csv"))); got != want {
		t.Errorf("export --series wrote another file than the API's download")
	}
	dir := t.TempDir()
	path := dir + "/series.xlsx"
	if err := ExportSeries(ctx, env, 6, "xlsx", path); err != nil {
		t.Fatal(err)
	}
	if f, err := excelize.OpenFile(path); err != nil {
		t.Errorf("the series XLSX does not open: %v", err)
	} else {
		checkSummary(t, f, map[string]float64{"Weeks": 6})
		f.Close()
	}
	if err := ExportCompare(ctx, env, "2026-W01", wb, "csv", dir+"/missing.csv"); err == nil {
		t.Errorf("a comparison with a week without snapshot was written")
	}
	es := auditOf(t, db, "export")
	if !hasAudit(es, cliActor, "compare.csv", true) || !hasAudit(es, cliActor, "series.xlsx", true) || !hasAudit(es, cliActor, "compare.csv", false) {
		t.Errorf("exports not audited: %+v", es)
	}
}

// TestXLSXSpeaksTheUserLanguage: an XLSX download has its header rows and
// Summary sheet in the user's language, while the CSV of the same request
// keeps the machine names; every column of every export has its label in
// every language.
func TestXLSXSpeaksTheUserLanguage(t *testing.T) {
	zh := views.TrIn(views.LangChinese)
	for _, lang := range views.Langs {
		tr := views.TrIn(lang)
		for _, names := range [][]string{views.MemberExportHeader(), weeklyColumns, allocationColumns} {
			for _, n := range names {
				if l := views.ExportColumnLabel(tr, n); l == "export.col."+n || l == "" {
					t.Errorf("%s: the column %q has no label", lang, n)
				}
			}
		}
	}
	a, _, list := snapshotsApp(t)
	chinese := views.MemberExportHeaderIn(zh)
	if chinese[views.MemberExportColumnIndex("health")] != "健康度" {
		t.Fatalf("the Chinese header %v", chinese)
	}
	for what, c := range map[string]struct{ target, title, label string }{
		"snapshot": {views.SnapshotExportURL(list[0].Week, "xlsx"), "快照 " + list[0].Week, "生态健康度"},
		"compare":  {views.CompareURL(list[1].Week, list[0].Week, "xlsx"), "快照对比", "生态健康度（a）"},
		"series":   {views.SeriesURL(4, "xlsx"), "周序列", "有快照的周数"},
	} {
		f, err := excelize.OpenReader(bytes.NewReader(fetchOK(t, a, c.target+"&lang=zh-CN")))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		rows, _ := f.GetRows(xlsxDataSheet)
		if len(rows) == 0 || !slices.Equal(rows[0], chinese) {
			t.Errorf("%s: Scores header %v, want %v", what, rows[0], chinese)
		}
		summary, _ := f.GetRows(xlsxSummarySheet)
		var labels []string
		for _, r := range summary[1:] {
			if len(r) > 0 {
				labels = append(labels, r[0])
			}
		}
		if len(summary) == 0 || !strings.Contains(summary[0][0], c.title) || !slices.Contains(labels, c.label) {
			t.Errorf("%s: Summary title %q, labels %v; want %q and %q", what, summary[0], labels, c.title, c.label)
		}
		if what == "series" {
			weekly, _ := f.GetRows(xlsxWeeklySheet)
			if len(weekly) == 0 || !slices.Contains(weekly[0], "健康度") {
				t.Errorf("series: Weekly header %v", weekly)
			}
		}
		f.Close()
	}
	csvRecords(t, "snapshot CSV in Chinese", fetchOK(t, a, views.SnapshotExportURL(list[0].Week, "csv")+"&lang=zh-CN"))

	var b bytes.Buffer
	if err := writeAllocation(&b, &views.Allocation{}, "xlsx", zh); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(xlsxAllocationSheet)
	if len(rows) == 0 || !slices.Equal(rows[0], exportLabels(allocationColumns, zh)) || rows[0][4] != "标识" {
		t.Errorf("allocation header %v", rows)
	}
}
