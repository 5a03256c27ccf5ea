package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/views"
)

// TestAllocationExportsAreFormulaSafe: an open week's statement names
// members by their current names; hostile ones are neutralised in the CSV
// (as in the snapshot exports) and are plain text cells in the XLSX, and
// the downloads are audited with their file names.
func TestAllocationExportsAreFormulaSafe(t *testing.T) {
	a, db := allocationApp(t)
	const q = "/api/v1/allocation?period=2026-W27&pool=1000&rule=contribution"
	_, body, _ := get(t, a.Fiber(), q)
	al := decode[views.Allocation](t, body)
	want := map[string]string{}
	for i, name := range hostileNames {
		renameMember(t, db, al.Members[i].Slug, name)
		want[al.Members[i].Slug] = name
	}
	status, csvBody, h := get(t, a.Fiber(), q+"&format=csv")
	if status != 200 || !strings.Contains(strings.Join(h["Content-Disposition"], ""), "ecopulse-allocation-2026-W27-contribution.csv") {
		t.Fatalf("CSV: %d %v", status, h["Content-Disposition"])
	}
	assertNoFormulaCells(t, "allocation CSV", []byte(csvBody))
	assertTextCellsQuoted(t, "allocation CSV", []byte(csvBody))
	rows, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rows[1:] {
		if name, ok := want[r[4]]; ok {
			seen++
			if r[5] != views.SpreadsheetText(name) {
				t.Errorf("CSV: %s named %q, want %q", r[4], r[5], views.SpreadsheetText(name))
			}
		}
	}
	if seen != len(want) {
		t.Errorf("CSV has %d of the %d hostile members", seen, len(want))
	}

	_, xlsxBody, _ := get(t, a.Fiber(), q+"&format=xlsx")
	f, err := excelize.OpenReader(strings.NewReader(xlsxBody))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, err := f.GetRows(xlsxAllocationSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range xrows[1:] {
		name, ok := want[r[4]]
		if !ok {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(6, i+2)
		formula, _ := f.GetCellFormula(xlsxAllocationSheet, cell)
		typ, _ := f.GetCellType(xlsxAllocationSheet, cell)
		if formula != "" || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) || r[5] != name {
			t.Errorf("XLSX %s: %q (type %v, formula %q), want the text %q", cell, r[5], typ, formula, name)
		}
	}
	es := auditOf(t, db, "export")
	if !hasAudit(es, "manager", "ecopulse-allocation-2026-W27-contribution.csv", true) {
		t.Errorf("the CSV download is not audited: %+v", es)
	}
}

// TestAllocateCommand: `ecopulse allocate` writes the statement the API
// answers (JSON decoded equal), a CSV file whole with one row per part, a
// text table; a bad rule fails with the API's message; runs are audited.
func TestAllocateCommand(t *testing.T) {
	a, db := allocationApp(t)
	ctx := context.Background()
	var out bytes.Buffer
	env := &Env{Config: config.Default(), Log: quietLogger(), Out: &out, Now: time.Now}
	env.Config.DB = db.Path()
	q := views.AllocationQuery{Period: "2026-06", Pool: "100000"}

	if err := Allocate(ctx, env, q, "json", "-"); err != nil {
		t.Fatal(err)
	}
	var cli views.Allocation
	if err := json.Unmarshal(out.Bytes(), &cli); err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, a.Fiber(), "/api/v1/allocation?period=2026-06&pool=100000")
	if api := decode[views.Allocation](t, body); !reflect.DeepEqual(cli, api) {
		t.Errorf("the command's statement differs from the API's")
	}

	path := filepath.Join(t.TempDir(), "june.csv")
	out.Reset()
	if err := Allocate(ctx, env, q, "csv", path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for _, m := range cli.Members {
		parts += max(1, len(m.Parts))
	}
	if len(rows) != parts+1 || rows[0][4] != "slug" || !strings.Contains(out.String(), path) {
		t.Errorf("CSV file: %d rows for %d parts, header %v; printed %q", len(rows), parts, rows[0], out.String())
	}

	out.Reset()
	if err := Allocate(ctx, env, q, "text", "-"); err != nil {
		t.Fatal(err)
	}
	top := cli.Members[0]
	if !strings.Contains(out.String(), "closed") || !strings.Contains(out.String(), top.Slug) || !strings.Contains(out.String(), top.Amount) {
		t.Errorf("text output lacks the state or the top member %s %s:\n%s", top.Slug, top.Amount, out.String())
	}

	bad := q
	bad.Rule = "lottery"
	if err := Allocate(ctx, env, bad, "text", "-"); err == nil || !strings.Contains(err.Error(), "unknown rule") {
		t.Errorf("a bad rule: %v", err)
	}
	if err := Allocate(ctx, env, q, "pdf", "-"); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("a bad format: %v", err)
	}
	es := auditOf(t, db, "export")
	if !hasAudit(es, cliActor, "allocation 2026-06.csv", true) || !hasAudit(es, cliActor, "allocation 2026-06.text", false) {
		t.Errorf("the runs are not audited: %+v", es)
	}
}
