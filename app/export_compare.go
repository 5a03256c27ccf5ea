package app

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/views"
)

// Downloads of a comparison of two weeks and of the weekly series: the
// member rows in the columns of every member export (CSV, and the XLSX's
// Scores sheet beside its Summary), or the JSON of the API.

// Sheets of the series' workbook.
const (
	xlsxWeeklySheet = "Weekly"
)

// weeklyColumns are the Weekly sheet's columns: one row per week, the
// numbers its chart draws.
var weeklyColumns = []string{"week", "day", "R", "health", "members"}

// exportLabels are the XLSX headers of columns named names, in tr's language.
func exportLabels(names []string, tr views.Tr) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = views.ExportColumnLabel(tr, n)
	}
	return out
}

// writeCompareExport writes a comparison in format (csv, xlsx or json).
func writeCompareExport(w io.Writer, c *views.SnapshotCompare, format string, tr views.Tr) error {
	if _, err := exportContentType(format); err != nil {
		return err
	}
	rows := views.CompareExportRows(c)
	switch format {
	case "csv":
		return views.WriteMemberExportCSV(w, rows)
	case "xlsx":
		return writeMemberWorkbook(w, rows, tr("export.title.compare", "A", c.A.Week, "B", c.B.Week), views.CompareSummaryLines(c, tr), tr, nil)
	default:
		return writeIndentedJSON(w, c)
	}
}

// writeSeriesExport writes the weekly series in format (csv, xlsx or json).
func writeSeriesExport(w io.Writer, s *views.SnapshotSeries, format string, tr views.Tr) error {
	if _, err := exportContentType(format); err != nil {
		return err
	}
	rows := views.SeriesExportRows(s)
	switch format {
	case "csv":
		return views.WriteMemberExportCSV(w, rows)
	case "xlsx":
		title := tr("export.title.series", "From", s.Weeks[0].Week, "To", s.Weeks[len(s.Weeks)-1].Week)
		return writeMemberWorkbook(w, rows, title, views.SeriesSummaryLines(s, tr), tr, func(f *excelize.File, st *xlsxStyles) error {
			return writeWeeklySheet(f, st, s, tr)
		})
	default:
		return writeIndentedJSON(w, s)
	}
}

func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeMemberWorkbook writes a workbook of a Summary sheet and a Scores
// sheet of rows; more adds sheets after them.
func writeMemberWorkbook(w io.Writer, rows []views.MemberExportRow, title string, summary []views.SummaryLine, tr views.Tr,
	more func(*excelize.File, *xlsxStyles) error) (err error) {
	f, st, err := newMemberWorkbook(xlsxDataSheet)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := writeSummarySheet(f, st, title, summary); err != nil {
		return err
	}
	if err := writeMemberSheet(f, st, xlsxDataSheet, rows, tr); err != nil {
		return err
	}
	if more != nil {
		if err := more(f, st); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// writeWeeklySheet writes the Weekly sheet (a row per week; a week without
// a snapshot has empty cells, a gap in the chart, never 0) and the Chart
// sheet: R and ecosystem health as lines, health on the left axis (0–100),
// R on the right.
func writeWeeklySheet(f *excelize.File, st *xlsxStyles, s *views.SnapshotSeries, tr views.Tr) error {
	if _, err := f.NewSheet(xlsxWeeklySheet); err != nil {
		return err
	}
	if err := writeXLSXHeader(f, st, xlsxWeeklySheet, exportLabels(weeklyColumns, tr)); err != nil {
		return err
	}
	for i, w := range s.Weeks {
		row := i + 2
		cells := []struct {
			format views.CellFormat
			text   string
			num    *float64
		}{{views.FormatText, w.Week, nil}, {views.FormatDate, w.Day, nil}, {views.FormatValue, "", w.R}, {views.FormatScore, "", w.Health}, {views.FormatCount, "", intPtrFloat(w.Members)}}
		for j, c := range cells {
			num := nanOr(c.num)
			if err := setXLSXCell(f, st, xlsxWeeklySheet, cellAt(j+1, row), c.format, c.text, num, j < 2); err != nil {
				return err
			}
		}
	}
	n := len(s.Weeks) + 1
	if err := setXLSXDimension(f, xlsxWeeklySheet, len(weeklyColumns), n); err != nil {
		return err
	}
	ref := func(col string) string { return fmt.Sprintf("%s!$%s$2:$%s$%d", xlsxWeeklySheet, col, col, n) }
	line := func(col, color string) excelize.ChartSeries {
		return excelize.ChartSeries{Name: xlsxWeeklySheet + "!$" + col + "$1", Categories: ref("A"), Values: ref(col),
			Line: excelize.LineOptions{Width: 2}, Marker: excelize.ChartMarker{Symbol: "circle", Size: 5},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}}
	}
	hundred, zero := 100.0, 0.0
	return f.AddChartSheet(xlsxChartSheet, &excelize.Chart{
		Type:   excelize.Line,
		Series: []excelize.ChartSeries{line("D", "#3B6FD8")},
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Ecosystem health and R by week, " +
			s.Weeks[0].Week + " to " + s.Weeks[len(s.Weeks)-1].Week + " (" + strconv.Itoa(len(s.Weeks)) + " weeks)"}}},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		YAxis:        excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, Maximum: &hundred},
		ShowBlanksAs: "gap",
	}, &excelize.Chart{
		Type:   excelize.Line,
		Series: []excelize.ChartSeries{line("C", "#D8763B")},
		YAxis:  excelize.ChartAxis{Secondary: true},
	})
}

func nanOr(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func intPtrFloat(p *int) *float64 {
	if p == nil {
		return nil
	}
	v := float64(*p)
	return &v
}
