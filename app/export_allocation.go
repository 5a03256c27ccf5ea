package app

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/views"
)

// Statement exports: one row per part of each member's statement (a member
// without parts, one row), the same columns in CSV and XLSX; JSON is the
// API's answer. /api/v1/allocation?format=… and `ecopulse allocate` write
// through writeAllocation. Text cells go through the formula guards of the
// snapshot exports (views.SpreadsheetCSV; XLSX strings, never formulas).

var allocationColumns = []string{"period", "rule", "currency", "closed", "slug", "name", "C", "phi", "basis", "share",
	"amount", "part_kind", "partner", "partner_name", "part_value", "part_amount"}

const xlsxAllocationSheet = "Allocation"

// writeAllocation writes a statement in a format (csv, xlsx or json; text
// for the terminal).
func writeAllocation(w io.Writer, a *views.Allocation, format string, tr views.Tr) error {
	switch format {
	case "csv":
		return writeAllocationCSV(w, a)
	case "xlsx":
		return writeAllocationXLSX(w, a, tr)
	case "text":
		return writeAllocationText(w, a)
	}
	if _, err := exportContentType(format); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// amountCell is an exact amount as a number cell's text and value.
type amountCell struct {
	text   string
	digits int
}

// allocationRows are the export's rows: text (string), numbers (float64)
// and amounts (amountCell).
func allocationRows(a *views.Allocation) [][]any {
	var out [][]any
	closed := strconv.FormatBool(a.Closed)
	for _, m := range a.Members {
		head := []any{a.Period, a.Rule, a.Currency, closed, m.Slug, m.Name, optional(m.C), optional(m.Phi), m.Basis, m.Share, amountCell{m.Amount, a.MinorDigits}}
		if len(m.Parts) == 0 {
			out = append(out, append(head, "", "", "", nil, nil))
		}
		for _, p := range m.Parts {
			row := append(append([]any{}, head...), p.Kind, p.Partner, p.PartnerName, p.Value, amountCell{p.Amount, a.MinorDigits})
			out = append(out, row)
		}
	}
	return out
}

func writeAllocationCSV(w io.Writer, a *views.Allocation) error {
	cw := views.NewSpreadsheetCSV(w)
	cw.Row(allocationColumns...)
	for _, row := range allocationRows(a) {
		for _, v := range row {
			switch v := v.(type) {
			case string:
				cw.Text(v)
			case float64:
				cw.Number(strconv.FormatFloat(v, 'g', -1, 64))
			case amountCell:
				cw.Number(v.text)
			default:
				cw.Number("")
			}
		}
		cw.EndRow()
	}
	return cw.Flush()
}

func writeAllocationXLSX(w io.Writer, a *views.Allocation, tr views.Tr) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", xlsxAllocationSheet); err != nil {
		return err
	}
	header := make([]any, len(allocationColumns))
	for i, c := range exportLabels(allocationColumns, tr) {
		header[i] = c
	}
	if err := f.SetSheetRow(xlsxAllocationSheet, "A1", &header); err != nil {
		return err
	}
	for i, row := range allocationRows(a) {
		for j, v := range row {
			cell, err := excelize.CoordinatesToCellName(j+1, i+2)
			if err != nil {
				return err
			}
			switch v := v.(type) {
			case string:
				err = f.SetCellStr(xlsxAllocationSheet, cell, v) // text, never a formula
			case float64:
				err = f.SetCellFloat(xlsxAllocationSheet, cell, v, decimals(v), 64)
			case amountCell:
				var x float64
				if x, err = strconv.ParseFloat(v.text, 64); err == nil {
					err = f.SetCellFloat(xlsxAllocationSheet, cell, x, v.digits, 64)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(xlsxAllocationSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// writeAllocationText is the statement for a terminal: a line per member,
// its parts indented below it.
func writeAllocationText(w io.Writer, a *views.Allocation) error {
	state := "provisional"
	if a.Closed {
		state = "closed"
	}
	fmt.Fprintf(w, "%s %s of %s (%s to %s) by %s, %s\n%s\n\n", a.Pool, a.Currency, a.Period, a.From, a.To, a.Rule, state, a.Basis)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "member\tΣC\tΣφ\tshare\tamount\t\n")
	for _, m := range a.Members {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f%%\t%s\t\n", m.Slug, optText(m.C), optText(m.Phi), m.Share*100, m.Amount)
		for _, p := range m.Parts {
			label := "  " + p.Kind
			if p.Partner != "" {
				label += " " + p.Partner
			}
			fmt.Fprintf(tw, "%s\t\t%.4g\t\t%s\t\n", label, p.Value, p.Amount)
		}
	}
	return tw.Flush()
}

// optText is a value for the terminal, "—" when it was not measured.
func optText(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'g', 4, 64)
}
