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

// exportColumns are the columns of the CSV and of the XLSX "Scores" sheet.
var exportColumns = []string{"week", "slug", "name", "kind", "segment", "tier",
	"T", "I", "M", "C", "K", "phi", "phi_share", "health", "status", "health_change", "phi_change", "reason_kind", "reason"}

// Column letters of the XLSX "Scores" sheet the chart reads.
const (
	xlsxNameCol = "C"
	xlsxPhiCol  = "L"
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

// writeExport writes a snapshot in a format (csv, xlsx or json).
func writeExport(w io.Writer, d *views.SnapshotDetail, format string) error {
	if _, err := exportContentType(format); err != nil {
		return err
	}
	switch format {
	case "csv":
		return writeCSV(w, d)
	case "xlsx":
		return writeXLSX(w, d)
	default:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
}

// exportRow is one member's row: text cells and numbers (nil: no value).
func exportRow(week string, m views.SnapshotMemberRow) []any {
	return []any{week, m.Slug, m.Name, m.Kind, m.Segment, m.Tier,
		m.T, m.I, m.M, m.C, m.K, m.Phi, m.PhiShare, m.Health, m.Status, optional(m.HealthChange), optional(m.PhiChange),
		m.ReasonKind, m.Reason}
}

func optional(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// writeCSV writes a header and one row per member: text cells quoted and
// neutralised against formulas (views.SpreadsheetCSV). Numbers have full
// precision (the shortest text that reads back as the same float64).
func writeCSV(w io.Writer, d *views.SnapshotDetail) error {
	cw := views.NewSpreadsheetCSV(w)
	cw.Row(exportColumns...)
	for _, m := range d.Members {
		for _, v := range exportRow(d.Week, m) {
			switch v := v.(type) {
			case string:
				cw.Text(v)
			case float64:
				cw.Number(strconv.FormatFloat(v, 'g', -1, 64))
			default:
				cw.Number("")
			}
		}
		cw.EndRow()
	}
	return cw.Flush()
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

// writeXLSX writes a workbook with a "Scores" sheet (the CSV's columns,
// numbers as numeric cells, text as text cells, never formulas) and a
// "Chart" chart sheet: a bar chart of φ per member whose categories and
// values are references to the Scores sheet, so no member name is ever
// written into a formula.
func writeXLSX(w io.Writer, d *views.SnapshotDetail) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", xlsxDataSheet); err != nil {
		return err
	}
	header := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c
	}
	if err := f.SetSheetRow(xlsxDataSheet, "A1", &header); err != nil {
		return err
	}
	for i, m := range d.Members {
		for j, v := range exportRow(d.Week, m) {
			cell, err := excelize.CoordinatesToCellName(j+1, i+2)
			if err != nil {
				return err
			}
			switch v := v.(type) {
			case string:
				// SetCellStr stores text, even "=HYPERLINK(…)": a cell holds a
				// formula only through SetCellFormula, which we never call.
				err = f.SetCellStr(xlsxDataSheet, cell, v)
			case float64:
				err = f.SetCellFloat(xlsxDataSheet, cell, v, decimals(v), 64)
			}
			if err != nil {
				return err
			}
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(exportColumns), 1)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(xlsxDataSheet, "A1", last, bold); err != nil {
		return err
	}
	if err := f.SetPanes(xlsxDataSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.SetColWidth(xlsxDataSheet, xlsxNameCol, xlsxNameCol, 32); err != nil {
		return err
	}
	if len(d.Members) == 0 {
		// A chart needs at least one row to reference.
		if _, err := f.NewSheet(xlsxChartSheet); err != nil {
			return err
		}
		if err := f.SetCellStr(xlsxChartSheet, "A1", "This snapshot has no member to chart."); err != nil {
			return err
		}
	} else {
		n := len(d.Members) + 1
		ref := func(col string) string { return fmt.Sprintf("%s!$%s$2:$%s$%d", xlsxDataSheet, col, col, n) }
		if err := f.AddChartSheet(xlsxChartSheet, &excelize.Chart{
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
		}); err != nil {
			return err
		}
	}
	// The data sheet opens first.
	idx, err := f.GetSheetIndex(xlsxDataSheet)
	if err != nil {
		return err
	}
	f.SetActiveSheet(idx)
	_, err = f.WriteTo(w)
	return err
}
