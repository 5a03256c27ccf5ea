package app

import (
	"math"

	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The sheets every member export's workbook shares: the member rows in
// views.MemberExportColumns with a number format per column, and a Summary
// sheet of labelled values. Numbers keep their full float64 value; the
// format only sets how many digits a spreadsheet shows (0.9994755855960844
// reads 0.999, a φ share of 0.114 reads 11.4%, as on the page).

// Sheet names of the member exports.
const (
	xlsxSummarySheet = "Summary"
)

// xlsxNumFmts are the custom number formats of views.CellFormat.
var xlsxNumFmts = map[views.CellFormat]string{
	views.FormatDate:        "yyyy-mm-dd",
	views.FormatScore:       "0.0",
	views.FormatFactor:      "0.000",
	views.FormatValue:       "0.0000",
	views.FormatShare:       "0.0%",
	views.FormatScoreChange: "+0.0;-0.0;0.0",
	views.FormatValueChange: "+0.0000;-0.0000;0.0000",
	views.FormatCount:       "0",
}

// xlsxStyles makes one style per cell format of a workbook, on demand.
type xlsxStyles struct {
	f      *excelize.File
	byFmt  map[views.CellFormat]int
	header int
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	h, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	return &xlsxStyles{f: f, byFmt: map[views.CellFormat]int{}, header: h}, nil
}

// of returns the style of a cell format (0, the default, for text).
func (s *xlsxStyles) of(cf views.CellFormat) (int, error) {
	code, ok := xlsxNumFmts[cf]
	if !ok {
		return 0, nil
	}
	if id, ok := s.byFmt[cf]; ok {
		return id, nil
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return 0, err
	}
	s.byFmt[cf] = id
	return id, nil
}

// setXLSXCell writes one cell: text as a text cell (never a formula: a
// cell holds one only through SetCellFormula, which we never call), a date
// as a date, a number as a number with its format; a missing number (NaN)
// or empty text leaves the cell empty.
func setXLSXCell(f *excelize.File, st *xlsxStyles, sheet, cell string, cf views.CellFormat, text string, num float64, isText bool) error {
	switch {
	case isText && cf == views.FormatDate && text != "":
		d, err := domain.ParseDay(text)
		if err != nil {
			return f.SetCellStr(sheet, cell, text)
		}
		if err := f.SetCellValue(sheet, cell, d); err != nil {
			return err
		}
	case isText:
		if text == "" {
			return nil
		}
		return f.SetCellStr(sheet, cell, text)
	case math.IsNaN(num) || math.IsInf(num, 0):
		return nil
	default:
		if err := f.SetCellFloat(sheet, cell, num, decimals(num), 64); err != nil {
			return err
		}
	}
	id, err := st.of(cf)
	if err != nil || id == 0 {
		return err
	}
	return f.SetCellStyle(sheet, cell, cell, id)
}

// writeMemberSheet writes rows to sheet under the member export header in
// tr's language, the header bold and frozen.
func writeMemberSheet(f *excelize.File, st *xlsxStyles, sheet string, rows []views.MemberExportRow, tr views.Tr) error {
	if err := writeXLSXHeader(f, st, sheet, views.MemberExportHeaderIn(tr)); err != nil {
		return err
	}
	for i := range rows {
		for j, c := range views.MemberExportColumns {
			cell, err := excelize.CoordinatesToCellName(j+1, i+2)
			if err != nil {
				return err
			}
			var text string
			num := math.NaN()
			if c.IsText() {
				text = c.Text(&rows[i])
			} else {
				num = c.Number(&rows[i])
			}
			if err := setXLSXCell(f, st, sheet, cell, c.Format, text, num, c.IsText()); err != nil {
				return err
			}
		}
	}
	if err := setXLSXDimension(f, sheet, len(views.MemberExportColumns), len(rows)+1); err != nil {
		return err
	}
	return f.SetColWidth(sheet, xlsxColumn(views.MemberExportColumnIndex("name")), xlsxColumn(views.MemberExportColumnIndex("name")), 32)
}

// writeXLSXHeader writes a bold, frozen header row.
func writeXLSXHeader(f *excelize.File, st *xlsxStyles, sheet string, names []string) error {
	header := make([]any, len(names))
	for i, c := range names {
		header[i] = c
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(names), 1)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", last, st.header); err != nil {
		return err
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// setXLSXDimension sets a sheet's used range to its header and rows: a
// reader that trusts the dimension (some do) sees every column even when
// the last rows leave the last columns empty.
func setXLSXDimension(f *excelize.File, sheet string, cols, rows int) error {
	last, err := excelize.CoordinatesToCellName(cols, max(rows, 1))
	if err != nil {
		return err
	}
	return f.SetSheetDimension(sheet, "A1:"+last)
}

// xlsxColumn is the letter of a 0-based column.
func xlsxColumn(i int) string {
	s, _ := excelize.ColumnNumberToName(i + 1)
	return s
}

// newMemberWorkbook returns a workbook whose first sheet is Summary (it
// opens on it) followed by the sheets named, empty.
func newMemberWorkbook(sheets ...string) (*excelize.File, *xlsxStyles, error) {
	f := excelize.NewFile()
	st, err := newXLSXStyles(f)
	if err == nil {
		err = f.SetSheetName("Sheet1", xlsxSummarySheet)
	}
	for _, s := range sheets {
		if err == nil {
			_, err = f.NewSheet(s)
		}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	f.SetActiveSheet(0)
	return f, st, nil
}

// writeSummarySheet writes a title and labelled values (label in A, value
// in B) to the Summary sheet.
func writeSummarySheet(f *excelize.File, st *xlsxStyles, title string, lines []views.SummaryLine) error {
	if err := f.SetCellStr(xlsxSummarySheet, "A1", title); err != nil {
		return err
	}
	if err := f.SetCellStyle(xlsxSummarySheet, "A1", "A1", st.header); err != nil {
		return err
	}
	for i, l := range lines {
		row := i + 3
		if err := f.SetCellStr(xlsxSummarySheet, cellAt(1, row), l.Label); err != nil {
			return err
		}
		if err := setXLSXCell(f, st, xlsxSummarySheet, cellAt(2, row), l.Format, l.Text, l.Number, l.Format == views.FormatText || l.Format == views.FormatDate); err != nil {
			return err
		}
	}
	if err := setXLSXDimension(f, xlsxSummarySheet, 2, len(lines)+2); err != nil {
		return err
	}
	return f.SetColWidth(xlsxSummarySheet, "A", "B", 28)
}

// cellAt is the name of a cell by 1-based column and row.
func cellAt(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}
