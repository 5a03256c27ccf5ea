package views

import (
	"io"
	"math"
	"strconv"
)

// The one column definition of every member export: /members.csv, a
// snapshot's CSV and XLSX, the two-week comparison and the weekly series
// all write MemberExportColumns, in this order, so an analyst's script reads
// any of them the same way. Ecosystem rows share the table (scope
// "ecosystem"): R is written in the phi column (R = Σ φ_i), the member
// count in members; a member row leaves members empty.

// Scopes of an export row.
const (
	ScopeEcosystem = "ecosystem"
	ScopeMember    = "member"
)

// CellFormat is how a column's numbers read in a spreadsheet (the XLSX
// writer maps it to a number format; CSV keeps full precision whatever it is).
type CellFormat int

// Cell formats of the export columns.
const (
	FormatText        CellFormat = iota // text, never a number or a formula
	FormatDate                          // YYYY-MM-DD
	FormatScore                         // health 0–100, one decimal
	FormatFactor                        // T, I, M in [0,1], three decimals
	FormatValue                         // C, K, φ, R, four decimals
	FormatShare                         // φ / R, a percentage
	FormatScoreChange                   // a signed health change
	FormatValueChange                   // a signed change of φ or R
	FormatCount                         // a whole number
)

// MemberExportRow is one row of a member export. A number that was not
// measured is NaN and written as an empty cell, never as 0.
type MemberExportRow struct {
	Scope   string // ScopeEcosystem or ScopeMember
	Week    string // YYYY-Www of a snapshot; "" for a day's scores
	Day     string // the day whose scores these are
	Slug    string
	Name    string
	Kind    string
	Segment string
	Tier    string
	Status  string
	Health  float64
	T, I, M float64
	C, K    float64
	Phi     float64 // φ; R on an ecosystem row
	Share   float64 // φ / R
	Members float64 // members counted (ecosystem rows)
	// Against is the week (or day) the changes are computed against; ""
	// when there is none.
	Against      string
	HealthChange float64
	PhiChange    float64
	ReasonKind   string
	Reason       string
}

// ExportColumn is a column of the member exports: a stable machine name
// and either a text or a number of the row.
type ExportColumn struct {
	Name   string
	Format CellFormat
	text   func(*MemberExportRow) string
	num    func(*MemberExportRow) float64
}

// Text returns the column's text in r (FormatText and FormatDate columns).
func (c ExportColumn) Text(r *MemberExportRow) string { return c.text(r) }

// Number returns the column's number in r, NaN when it has none.
func (c ExportColumn) Number(r *MemberExportRow) float64 { return c.num(r) }

// IsText reports whether the column holds text (dates included).
func (c ExportColumn) IsText() bool { return c.text != nil }

func textCol(name string, f CellFormat, get func(*MemberExportRow) string) ExportColumn {
	return ExportColumn{Name: name, Format: f, text: get}
}

func numCol(name string, f CellFormat, get func(*MemberExportRow) float64) ExportColumn {
	return ExportColumn{Name: name, Format: f, num: get}
}

// MemberExportColumns are the columns of every member export, in order.
var MemberExportColumns = []ExportColumn{
	textCol("scope", FormatText, func(r *MemberExportRow) string { return r.Scope }),
	textCol("week", FormatText, func(r *MemberExportRow) string { return r.Week }),
	textCol("day", FormatDate, func(r *MemberExportRow) string { return r.Day }),
	textCol("slug", FormatText, func(r *MemberExportRow) string { return r.Slug }),
	textCol("name", FormatText, func(r *MemberExportRow) string { return r.Name }),
	textCol("kind", FormatText, func(r *MemberExportRow) string { return r.Kind }),
	textCol("segment", FormatText, func(r *MemberExportRow) string { return r.Segment }),
	textCol("tier", FormatText, func(r *MemberExportRow) string { return r.Tier }),
	textCol("status", FormatText, func(r *MemberExportRow) string { return r.Status }),
	numCol("health", FormatScore, func(r *MemberExportRow) float64 { return r.Health }),
	numCol("T", FormatFactor, func(r *MemberExportRow) float64 { return r.T }),
	numCol("I", FormatFactor, func(r *MemberExportRow) float64 { return r.I }),
	numCol("M", FormatFactor, func(r *MemberExportRow) float64 { return r.M }),
	numCol("C", FormatValue, func(r *MemberExportRow) float64 { return r.C }),
	numCol("K", FormatValue, func(r *MemberExportRow) float64 { return r.K }),
	numCol("phi", FormatValue, func(r *MemberExportRow) float64 { return r.Phi }),
	numCol("phi_share", FormatShare, func(r *MemberExportRow) float64 { return r.Share }),
	numCol("members", FormatCount, func(r *MemberExportRow) float64 { return r.Members }),
	textCol("against", FormatText, func(r *MemberExportRow) string { return r.Against }),
	numCol("health_change", FormatScoreChange, func(r *MemberExportRow) float64 { return r.HealthChange }),
	numCol("phi_change", FormatValueChange, func(r *MemberExportRow) float64 { return r.PhiChange }),
	textCol("reason_kind", FormatText, func(r *MemberExportRow) string { return r.ReasonKind }),
	textCol("reason", FormatText, func(r *MemberExportRow) string { return r.Reason }),
}

// MemberExportHeader returns the column names of every member export.
func MemberExportHeader() []string {
	out := make([]string, len(MemberExportColumns))
	for i, c := range MemberExportColumns {
		out[i] = c.Name
	}
	return out
}

// MemberExportHeaderIn is the header row of the member exports' XLSX in
// tr's language; CSV and JSON keep MemberExportHeader's machine names.
func MemberExportHeaderIn(tr Tr) []string {
	out := make([]string, len(MemberExportColumns))
	for i, c := range MemberExportColumns {
		out[i] = ExportColumnLabel(tr, c.Name)
	}
	return out
}

// ExportColumnLabel is the XLSX header of an export column named name
// (export.col.NAME; TestExportColumnsHaveLabels checks every column has one).
func ExportColumnLabel(tr Tr, name string) string { return tr("export.col." + name) }

// MemberExportColumnIndex returns the position of a column (0-based), or -1.
func MemberExportColumnIndex(name string) int {
	for i, c := range MemberExportColumns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// emptyExportRow returns a row of scope whose numbers are all missing.
func emptyExportRow(scope string) MemberExportRow {
	nan := math.NaN()
	return MemberExportRow{Scope: scope, Health: nan, T: nan, I: nan, M: nan, C: nan, K: nan, Phi: nan, Share: nan,
		Members: nan, HealthChange: nan, PhiChange: nan}
}

// orNaN returns *p, or NaN for nil: a change that was not computed.
func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// WriteMemberExportCSV writes rows under MemberExportHeader: text cells
// quoted and neutralised against formulas (SpreadsheetCSV), numbers in full
// precision (the shortest text that reads back as the same float64), a
// missing number as an empty cell.
func WriteMemberExportCSV(w io.Writer, rows []MemberExportRow) error {
	cw := NewSpreadsheetCSV(w)
	cw.Row(MemberExportHeader()...)
	for i := range rows {
		for _, c := range MemberExportColumns {
			if c.IsText() {
				cw.Text(c.Text(&rows[i]))
				continue
			}
			cw.Number(exportNumber(c.Number(&rows[i])))
		}
		cw.EndRow()
	}
	return cw.Flush()
}

// exportNumber is a number's CSV text: "" when it is missing. Numbers are
// formatted here, never taken from input, so "-1.5" is a number to a
// spreadsheet, not a formula.
func exportNumber(v float64) string {
	if !finiteNum(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
