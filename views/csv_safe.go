package views

import (
	"bufio"
	"io"
	"strings"
)

// SpreadsheetCSV writes CSV that a spreadsheet opens without running
// anything: every text cell is quoted, and any part of it a spreadsheet
// could read as a formula is neutralised; numbers, which we format
// ourselves, are written bare.
//
// Quoting alone is not enough: a spreadsheet that splits on ";" (the
// default separator where "," is the decimal mark), on tabs or on "|"
// ignores our quotes, so "x;=1+1;" would give it a cell "=1+1". A
// trigger (= + - @ tab CR) at the start of the text, or after any of those
// separators or a line break (spaces between allowed), gets a single quote
// before it, which makes the spreadsheet read the rest as text (OWASP's
// advice for CSV injection).
type SpreadsheetCSV struct {
	w     *bufio.Writer
	first bool // no cell written on this row yet
	err   error
}

// NewSpreadsheetCSV returns a writer of rows to w; call Flush at the end.
func NewSpreadsheetCSV(w io.Writer) *SpreadsheetCSV {
	return &SpreadsheetCSV{w: bufio.NewWriter(w), first: true}
}

// Text writes a text cell: quoted, quotes doubled, formulas neutralised.
func (s *SpreadsheetCSV) Text(v string) {
	s.sep()
	s.write(`"` + strings.ReplaceAll(SpreadsheetText(v), `"`, `""`) + `"`)
}

// Number writes a cell we formatted ourselves from a number ("" for none).
// It must never carry input: it is written as it is.
func (s *SpreadsheetCSV) Number(v string) {
	s.sep()
	s.write(v)
}

// EndRow ends the row (CRLF, as RFC 4180 and spreadsheets expect).
func (s *SpreadsheetCSV) EndRow() {
	s.write("\r\n")
	s.first = true
}

// Row writes a row of text cells.
func (s *SpreadsheetCSV) Row(texts ...string) {
	for _, t := range texts {
		s.Text(t)
	}
	s.EndRow()
}

// Flush writes what is buffered and returns the first error.
func (s *SpreadsheetCSV) Flush() error {
	if s.err == nil {
		s.err = s.w.Flush()
	}
	return s.err
}

func (s *SpreadsheetCSV) sep() {
	if !s.first {
		s.write(",")
	}
	s.first = false
}

func (s *SpreadsheetCSV) write(v string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(v)
	}
}

// formulaTriggers start a formula in a spreadsheet cell; cellBreaks are
// where a spreadsheet may start a new cell inside our text.
const (
	formulaTriggers = "=+-@\t\r"
	cellBreaks      = ",;\t|\n\r"
)

// SpreadsheetText neutralises the formulas a spreadsheet could find in a
// text cell (see SpreadsheetCSV): a single quote goes before every
// trigger that starts the text or follows a cell break, spaces between
// allowed.
func SpreadsheetText(v string) string {
	var b strings.Builder
	atCellStart := true
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if atCellStart && strings.IndexByte(formulaTriggers, ch) >= 0 {
			b.WriteByte('\'')
		}
		b.WriteByte(ch)
		switch {
		case strings.IndexByte(cellBreaks, ch) >= 0:
			atCellStart = true
		case ch == ' ':
			// spaces keep the cell's start: " =1" is trimmed to "=1"
		default:
			atCellStart = false
		}
	}
	return b.String()
}
