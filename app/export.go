package app

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// Snapshot exports: one row per member of a snapshot, the same columns in
// CSV and XLSX, and the JSON of /api/v1/snapshots/:week. The page's download
// links, /api/v1/snapshots/:week?format=… and `ecopulse export` all write
// through writeExport.

// Column letters of the XLSX "Scores" sheet the chart reads.
var (
	xlsxNameCol = xlsxColumn(views.MemberExportColumnIndex("name"))
	xlsxPhiCol  = xlsxColumn(views.MemberExportColumnIndex("phi"))
)

// Sheet names of the XLSX export.
const (
	xlsxDataSheet  = "Scores"
	xlsxChartSheet = "Chart"
)

// exportContentTypes are the formats a snapshot exports to.
var exportContentTypes = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"json": "application/json; charset=utf-8",
}

// auditDownload writes an export (a download of members or of a snapshot,
// through a page or the API) to the audit log: who, what (target: the
// file, such as "2026-W26.csv" or "members.csv"), and whether it was
// served. README promises that exports are audited.
func (a *App) auditDownload(c *fiber.Ctx, target, detail string, err error) {
	actor := ""
	if v := viewerOf(c); v != nil {
		actor = v.Name
	}
	if err != nil {
		detail = domain.ErrorMessage(err)
	}
	a.audit(c.UserContext(), actor, "export", target, detail, err == nil)
}

// exportContentType returns the MIME type of an export format, or EINVALID.
func exportContentType(format string) (string, error) {
	ct, ok := exportContentTypes[format]
	if !ok {
		return "", domain.Errorf(domain.EINVALID, "unknown export format %q: want csv, xlsx or json", format)
	}
	return ct, nil
}

// writeExport writes a snapshot in a format (csv, xlsx or json); an XLSX
// speaks tr's language in its header row and Summary sheet.
func writeExport(w io.Writer, d *views.SnapshotDetail, format string, tr views.Tr) error {
	if _, err := exportContentType(format); err != nil {
		return err
	}
	switch format {
	case "csv":
		return writeCSV(w, d)
	case "xlsx":
		return writeXLSX(w, d, tr)
	default:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
}

// writeCSV writes a snapshot's rows (views.SnapshotExportRows: its
// ecosystem rows, then its members) in the columns of every member export.
func writeCSV(w io.Writer, d *views.SnapshotDetail) error {
	return views.WriteMemberExportCSV(w, views.SnapshotExportRows(d))
}

// decimals returns how many decimals the shortest exact text of v has.
// excelize rounds to Excel's 15 significant digits when asked for automatic
// precision (-1); an explicit count keeps the full float64.
func decimals(v float64) int {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// writeXLSX writes a workbook with a "Summary" sheet (the week, the
// ecosystem's numbers and counts, the previous week's), a "Scores" sheet
// (the CSV's rows, numbers as formatted numeric cells, text as text cells,
// never formulas) and a "Chart" chart sheet: a bar chart of φ per member
// whose categories and values are references to the Scores sheet, so no
// member name is ever written into a formula.
func writeXLSX(w io.Writer, d *views.SnapshotDetail, tr views.Tr) (err error) {
	f, st, err := newMemberWorkbook(xlsxDataSheet)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	rows := views.SnapshotExportRows(d)
	if err := writeMemberSheet(f, st, xlsxDataSheet, rows, tr); err != nil {
		return err
	}
	if err := addPhiChart(f, d, len(rows)-len(d.Members)+2, len(rows)+1); err != nil {
		return err
	}
	if err := writeSummarySheet(f, st, tr("export.title.snapshot", "Week", d.Week), views.SnapshotSummaryLines(d, tr)); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// addPhiChart adds the Chart sheet: φ of the member rows first to last of
// the Scores sheet (1-based rows).
func addPhiChart(f *excelize.File, d *views.SnapshotDetail, first, last int) error {
	if len(d.Members) == 0 {
		// A chart needs at least one row to reference.
		if _, err := f.NewSheet(xlsxChartSheet); err != nil {
			return err
		}
		return f.SetCellStr(xlsxChartSheet, "A1", "This snapshot has no member to chart.")
	}
	ref := func(col string) string { return fmt.Sprintf("%s!$%s$%d:$%s$%d", xlsxDataSheet, col, first, col, last) }
	return f.AddChartSheet(xlsxChartSheet, &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       fmt.Sprintf("%s!$%s$1", xlsxDataSheet, xlsxPhiCol),
			Categories: ref(xlsxNameCol),
			Values:     ref(xlsxPhiCol),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#3B6FD8"}},
		}},
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Shapley value φ by member, " + d.Week + " (R = " + strconv.FormatFloat(d.Ecosystem.R, 'g', 6, 64) + ")"}}},
		Legend: excelize.ChartLegend{Position: "none"},
		XAxis:  excelize.ChartAxis{ReverseOrder: true}, // largest φ on top
		YAxis:  excelize.ChartAxis{MajorGridLines: true},
	})
}

// optional returns *p, or nil (no value) for nil.
func optional(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
