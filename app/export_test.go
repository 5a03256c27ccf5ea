package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// formulaNames are member names a spreadsheet would run as formulas.
var formulaNames = []string{`=HYPERLINK("http://x","y")`, `+SUM(1,2)`, `-2+3`, `@cmd`, "\tTabbed=1"}

// checkExport parses an export of week and returns its member rows as
// column → value maps (CSV and XLSX) or nil (JSON, checked for shape).
func checkExport(tb testing.TB, format string, b []byte, week string) []map[string]string {
	tb.Helper()
	switch format {
	case "csv":
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			tb.Fatalf("CSV does not parse: %v", err)
		}
		if len(recs) < 2 || !slices.Equal(recs[0], views.MemberExportHeader()) {
			tb.Fatalf("CSV header = %v (%d records), want %v", recs[0], len(recs), views.MemberExportHeader())
		}
		return rowsOf(tb, recs, week)
	case "xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			tb.Fatalf("XLSX does not open: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if !slices.Contains(sheets, xlsxDataSheet) || !slices.Contains(sheets, xlsxChartSheet) {
			tb.Fatalf("XLSX sheets = %v, want %s and %s", sheets, xlsxDataSheet, xlsxChartSheet)
		}
		recs, err := f.GetRows(xlsxDataSheet, excelize.Options{RawCellValue: true})
		if err != nil {
			tb.Fatal(err)
		}
		if len(recs) < 2 || !slices.Equal(recs[0], views.MemberExportHeaderIn(views.EnglishTr())) {
			tb.Fatalf("XLSX header = %v, want %v", recs[0], views.MemberExportHeaderIn(views.EnglishTr()))
		}
		return rowsOf(tb, recs, week)
	case "json":
		var d views.SnapshotDetail
		if err := json.Unmarshal(b, &d); err != nil {
			tb.Fatalf("JSON export does not parse: %v", err)
		}
		if d.Week != week || len(d.Members) == 0 {
			tb.Fatalf("JSON export of %s, %d members", d.Week, len(d.Members))
		}
		return nil
	}
	tb.Fatalf("unknown format %s", format)
	return nil
}

// rowsOf returns the member rows (scope "member") of an export's records.
func rowsOf(tb testing.TB, recs [][]string, week string) []map[string]string {
	tb.Helper()
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range views.MemberExportHeader() {
			if i < len(r) {
				m[c] = r[i]
			}
		}
		if m["scope"] != views.ScopeMember {
			continue
		}
		if m["week"] != week {
			tb.Errorf("row of week %q, want %s", m["week"], week)
		}
		out = append(out, m)
	}
	return out
}

// download GETs an export and checks its headers.
func download(tb testing.TB, a *App, week, format string) []byte {
	tb.Helper()
	status, body, hdr := get(tb, a.Fiber(), views.SnapshotExportURL(week, format))
	if status != 200 {
		tb.Fatalf("GET %s = %d: %s", views.SnapshotExportURL(week, format), status, body)
	}
	if got, want := strings.Join(hdr["Content-Disposition"], ""), `attachment; filename="ecopulse-`+week+`.`+format+`"`; got != want {
		tb.Errorf("%s: Content-Disposition = %q, want %q", format, got, want)
	}
	if got, want := strings.Join(hdr["Content-Type"], ""), exportContentTypes[format]; got != want {
		tb.Errorf("%s: Content-Type = %q, want %q", format, got, want)
	}
	return []byte(body)
}

func TestSnapshotExportsDownloadParseAndNeutraliseFormulas(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	s, err := views.BuildScores(ctx, db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	hostile := map[string]string{} // slug → name
	for i, name := range formulaNames {
		renameMember(t, db, s.Members[i].Slug, name)
		hostile[s.Members[i].Slug] = name
	}
	mustTakeSnapshot(t, db, "2026-W25")
	mustTakeSnapshot(t, db, closedWeek)
	a := newTestApp(t, db)
	status, body, _ := get(t, a.Fiber(), "/api/v1/snapshots/"+closedWeek)
	if status != 200 {
		t.Fatalf("GET snapshot JSON = %d: %s", status, body)
	}
	d := decode[views.SnapshotDetail](t, body)
	members := map[string]views.SnapshotMemberRow{}
	for _, m := range d.Members {
		members[m.Slug] = m
	}

	for _, format := range []string{"csv", "xlsx"} {
		rows := checkExport(t, format, download(t, a, closedWeek, format), closedWeek)
		if got, want := len(rows), len(d.Members); got != want {
			t.Errorf("%s: %d member rows, want %d", format, got, want)
		}
		for _, r := range rows {
			m, ok := members[r["slug"]]
			if !ok {
				t.Errorf("%s: row for unknown member %q", format, r["slug"])
				continue
			}
			wantName := m.Name
			if format == "csv" {
				wantName = views.SpreadsheetText(m.Name)
			}
			if r["name"] != wantName {
				t.Errorf("%s: %s name = %q, want %q", format, m.Slug, r["name"], wantName)
			}
			for col, want := range map[string]float64{"T": m.T, "I": m.I, "M": m.M, "C": m.C, "K": m.K, "phi": m.Phi, "phi_share": m.PhiShare, "health": m.Health} {
				got, err := strconv.ParseFloat(r[col], 64)
				if err != nil || got != want {
					t.Errorf("%s: %s %s = %q, want %v at full precision", format, m.Slug, col, r[col], want)
				}
			}
			if m.HealthChange != nil {
				if got, err := strconv.ParseFloat(r["health_change"], 64); err != nil || got != *m.HealthChange {
					t.Errorf("%s: %s health_change = %q, want %v", format, m.Slug, r["health_change"], *m.HealthChange)
				}
			}
		}
	}

	// CSV: a formula-looking name is text behind a single quote.
	csvRows := checkExport(t, "csv", download(t, a, closedWeek, "csv"), closedWeek)
	for _, r := range csvRows {
		if name, ok := hostile[r["slug"]]; ok {
			if got, want := r["name"], "'"+name; got != want {
				t.Errorf("CSV name of %s = %q, want %q", r["slug"], got, want)
			}
		}
		for _, c := range []string{"name", "slug", "kind", "segment", "tier", "status"} {
			if v := r[c]; v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				t.Errorf("CSV field %s = %q would run as a formula", c, v)
			}
		}
	}

	// XLSX: the same name is a text cell, never a formula, and the chart
	// refers to the data sheet.
	x := download(t, a, closedWeek, "xlsx")
	if !bytes.HasPrefix(x, []byte("PK")) {
		t.Fatalf("XLSX does not start with PK")
	}
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := 0
	ecoRows := 1 // the week's ecosystem row, and the previous week's
	if d.Previous != nil {
		ecoRows = 2
	}
	slugCol := xlsxColumn(views.MemberExportColumnIndex("slug"))
	for row := 2; row <= len(d.Members)+ecoRows+1; row++ {
		slug, _ := f.GetCellValue(xlsxDataSheet, fmt.Sprintf("%s%d", slugCol, row))
		name, ok := hostile[slug]
		if !ok {
			continue
		}
		found++
		cell := fmt.Sprintf("%s%d", xlsxNameCol, row)
		if formula, err := f.GetCellFormula(xlsxDataSheet, cell); err != nil || formula != "" {
			t.Errorf("XLSX %s (%q) has formula %q (err %v)", cell, name, formula, err)
		}
		if typ, err := f.GetCellType(xlsxDataSheet, cell); err != nil || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
			t.Errorf("XLSX %s type = %v, want text", cell, typ)
		}
		if got, _ := f.GetCellValue(xlsxDataSheet, cell); got != name {
			t.Errorf("XLSX %s = %q, want the name %q as text", cell, got, name)
		}
		phiCell := fmt.Sprintf("%s%d", xlsxPhiCol, row)
		if typ, _ := f.GetCellType(xlsxDataSheet, phiCell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("XLSX φ %s is text, want a number", phiCell)
		}
	}
	if found != len(formulaNames) {
		t.Errorf("found %d of the %d formula-looking names in the XLSX", found, len(formulaNames))
	}
	chartXML := zipFile(t, x, "xl/charts/chart1.xml")
	first, n := ecoRows+2, len(d.Members)+ecoRows+1
	for _, ref := range []string{fmt.Sprintf("Scores!$%s$%d:$%s$%d", xlsxNameCol, first, xlsxNameCol, n),
		fmt.Sprintf("Scores!$%s$%d:$%s$%d", xlsxPhiCol, first, xlsxPhiCol, n), "Scores!$" + xlsxPhiCol + "$1"} {
		if !strings.Contains(chartXML, ref) {
			t.Errorf("the chart does not refer to %s", ref)
		}
	}
	for _, name := range formulaNames {
		if strings.Contains(chartXML, strings.TrimSpace(name)) {
			t.Errorf("the chart holds the member name %q itself", name)
		}
	}

	// JSON: the same object as the API.
	jb := download(t, a, closedWeek, "json")
	if got, want := decode[map[string]any](t, string(jb)), decode[map[string]any](t, body); !reflect.DeepEqual(got, want) {
		t.Errorf("JSON export differs from /api/v1/snapshots/%s", closedWeek)
	}

	for _, tc := range []struct {
		target string
		status int
	}{
		{views.SnapshotExportURL(closedWeek, "pdf"), 400},
		{"/api/v1/snapshots/2026-W20?format=csv", 404},
		{"/api/v1/snapshots/2026-26", 400},
	} {
		status, body, hdr := get(t, a.Fiber(), tc.target)
		if status != tc.status || !strings.HasPrefix(strings.Join(hdr["Content-Type"], ""), "application/json") {
			t.Errorf("GET %s = %d %v, want a %d JSON error (%s)", tc.target, status, hdr["Content-Type"], tc.status, body)
		}
	}
}

func zipFile(tb testing.TB, b []byte, name string) string {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				tb.Fatal(err)
			}
			defer rc.Close()
			body, err := io.ReadAll(rc)
			if err != nil {
				tb.Fatal(err)
			}
			return string(body)
		}
	}
	tb.Fatalf("%s is not in the XLSX", name)
	return ""
}

func TestSpreadsheetSafe(t *testing.T) {
	var b bytes.Buffer
	tenth, fifth := 0.1, 0.2
	// The reason is text collected data shaped (a change's numbers, a
	// member's name in the fallback): it is escaped like the name.
	d := &views.SnapshotDetail{Week: "2026-W26", Members: []views.SnapshotMemberRow{{Slug: "a", Name: "=cmd", ScoreFigures: views.ScoreFigures{ValueFigures: views.ValueFigures{Phi: tenth + fifth}},
		ReasonKind: "usage_drop", Reason: "+cmd|' /C calc'!A0"}}}
	if err := writeCSV(&b, d); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	// lines[1] is the ecosystem's row; the member's comes next.
	if got, want := strings.TrimSpace(lines[2]), `"member","2026-W26","","a","'=cmd","","","","",0,0,0,0,0,0,0.30000000000000004,0,,"",,,"usage_drop","'+cmd|' /C calc'!A0"`; got != want {
		t.Errorf("CSV row = %q, want %q", got, want)
	}
}

func TestSnapshotPagesShowTheAPINumbers(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	scorer := NewScorer(db, config.Default().Scoring, quietLogger())
	if _, err := catchUpSnapshots(ctx, db, scorer, demoEnd, 26); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, db)
	status, body, _ := get(t, a.Fiber(), "/api/v1/snapshots")
	if status != 200 {
		t.Fatalf("GET /api/v1/snapshots = %d: %s", status, body)
	}
	list := decode[views.SnapshotList](t, body)
	if len(list.Snapshots) != 5 {
		t.Fatalf("%d snapshots, want 5", len(list.Snapshots))
	}
	status, page, _ := get(t, a.Fiber(), "/snapshots")
	if status != 200 {
		t.Fatalf("GET /snapshots = %d", status)
	}
	last := -1
	for _, s := range list.Snapshots {
		i := strings.Index(page, `href="/snapshots/`+s.Week+`"`)
		if i < last {
			t.Errorf("week %s missing or out of order on /snapshots", s.Week)
		}
		last = i
	}

	for _, s := range list.Snapshots {
		status, body, _ := get(t, a.Fiber(), "/api/v1/snapshots/"+s.Week)
		if status != 200 {
			t.Fatalf("GET /api/v1/snapshots/%s = %d: %s", s.Week, status, body)
		}
		d := decode[views.SnapshotDetail](t, body)
		if d.Ecosystem.R != s.R || d.Ecosystem.Health != s.Health || d.Ecosystem.Members != s.Members || len(d.Members) != s.Members {
			t.Errorf("%s: detail %+v disagrees with the list %+v", s.Week, d.Ecosystem, s)
		}
		status, page, _ := get(t, a.Fiber(), "/snapshots/"+s.Week)
		if status != 200 {
			t.Fatalf("GET /snapshots/%s = %d", s.Week, status)
		}
		vals := pageValues(t, page)
		for name, want := range map[string]float64{"R": d.Ecosystem.R, "health": d.Ecosystem.Health, "members": float64(d.Ecosystem.Members)} {
			got, ok := vals[name]
			if !ok {
				t.Errorf("%s page does not show %s", s.Week, name)
			} else if math.Abs(got-want) > 0.05+1e-9*math.Abs(want) && math.Abs(got/want-1) > 0.005 {
				t.Errorf("%s page %s = %v, API = %v", s.Week, name, got, want)
			}
		}
		for _, m := range d.Members {
			if !strings.Contains(page, `data-slug="`+m.Slug+`"`) {
				t.Errorf("%s page lacks member %s", s.Week, m.Slug)
			}
		}
		if s.Week != "2026-W22" && (d.Previous == nil || d.Changes.Against == "") {
			t.Errorf("%s is not compared with the week before", s.Week)
		}
	}
	if status, _, _ := get(t, a.Fiber(), "/snapshots/2026-W10"); status != 404 {
		t.Errorf("GET /snapshots/2026-W10 = %d, want 404", status)
	}
	_ = domain.ENOTFOUND
}
