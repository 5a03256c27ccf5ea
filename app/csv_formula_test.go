package app

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/views"
)

// hostileNames are member names a spreadsheet would run as formulas if a
// CSV carried them as they are, whatever separator it splits on.
var hostileNames = []string{"x;=1+1;", "a|@SUM(1)", "tab\t=2", "=cmd", "ok, -2+3", "+1", "a; ;@x", "q\"=1;=2"}

// assertNoFormulaCells splits every line of a CSV on each separator a
// spreadsheet may use, ignoring our quotes as such a spreadsheet does, and
// fails when a cell would start a formula (a bare number is a number).
func assertNoFormulaCells(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, line := range strings.Split(string(body), "\n") {
		for _, sep := range []string{",", ";", "\t", "|"} {
			for _, cell := range strings.Split(line, sep) {
				cell = strings.TrimLeft(cell, " \"\r")
				if cell == "" || strings.IndexByte("=+-@", cell[0]) < 0 {
					continue
				}
				if _, err := strconv.ParseFloat(strings.TrimRight(cell, " \"\r"), 64); err == nil {
					continue
				}
				t.Errorf("%s: split on %q, line %q has a formula cell %q", what, sep, line, cell)
			}
		}
	}
}

// assertTextCellsQuoted fails when a cell of the CSV's header or of a
// hostile member's row is written without quotes (numbers may be bare).
func assertTextCellsQuoted(t *testing.T, what string, body []byte) {
	t.Helper()
	lines := strings.Split(string(body), "\r\n")
	if !strings.HasPrefix(lines[0], `"`) || strings.Contains(lines[0], `,slug`) || strings.Contains(lines[0], `,name`) {
		t.Errorf("%s: header %q is not quoted cell by cell", what, lines[0])
	}
}

func TestHostileNamesInCSVAndXLSXExports(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	s, err := views.BuildScores(ctx, db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // slug → name
	for i, name := range hostileNames {
		renameMember(t, db, s.Members[i].Slug, name)
		want[s.Members[i].Slug] = name
	}
	mustTakeSnapshot(t, db, closedWeek)
	a := newTestApp(t, db)

	status, membersCSV, _ := get(t, a.Fiber(), "/members.csv")
	if status != 200 {
		t.Fatalf("GET /members.csv = %d", status)
	}
	snapshotCSV := download(t, a, closedWeek, "csv")
	for what, body := range map[string][]byte{"members.csv": []byte(membersCSV), "snapshot CSV": snapshotCSV} {
		assertNoFormulaCells(t, what, body)
		assertTextCellsQuoted(t, what, body)
		for slug, name := range want {
			quoted := `"` + strings.ReplaceAll(views.SpreadsheetText(name), `"`, `""`) + `"`
			if !bytes.Contains(body, []byte(`"`+slug+`",`+quoted)) && !bytes.Contains(body, []byte(quoted)) {
				t.Errorf("%s: %s's name is not written as %s", what, slug, quoted)
			}
		}
	}
	// The parsed CSV still names every member (neutralised, not dropped).
	rows := checkExport(t, "csv", snapshotCSV, closedWeek)
	for _, r := range rows {
		if name, ok := want[r["slug"]]; ok && r["name"] != views.SpreadsheetText(name) {
			t.Errorf("snapshot CSV: %s named %q, want %q", r["slug"], r["name"], views.SpreadsheetText(name))
		}
	}

	// XLSX: the names are text cells holding exactly the name, never
	// formulas (excelize's SetCellStr writes a string, even "=cmd").
	f, err := excelize.OpenReader(bytes.NewReader(download(t, a, closedWeek, "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, err := f.GetRows(xlsxDataSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	slugAt, nameAt := views.MemberExportColumnIndex("slug"), views.MemberExportColumnIndex("name")
	for i, r := range xrows[1:] {
		name, ok := want[r[slugAt]]
		if !ok {
			continue
		}
		seen++
		cell, _ := excelize.CoordinatesToCellName(nameAt+1, i+2)
		formula, err := f.GetCellFormula(xlsxDataSheet, cell)
		if err != nil || formula != "" {
			t.Errorf("XLSX %s (%q): formula %q, %v", cell, name, formula, err)
		}
		typ, err := f.GetCellType(xlsxDataSheet, cell)
		if err != nil || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
			t.Errorf("XLSX %s (%q): cell type %v, want a string", cell, name, typ)
		}
		if r[nameAt] != name {
			t.Errorf("XLSX %s = %q, want %q as it is", cell, r[nameAt], name)
		}
	}
	if seen != len(want) {
		t.Errorf("XLSX has %d of the %d hostile members", seen, len(want))
	}
}
