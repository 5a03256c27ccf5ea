package views

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestSpreadsheetText(t *testing.T) {
	for in, want := range map[string]string{
		"Acme": "Acme", "": "", "a=b": "a=b", "Acme - Labs": "Acme - Labs", "R&D": "R&D",
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		" =1":        " '=1",
		"x;=1+1;":    "x;'=1+1;",
		"a,+1":       "a,'+1",
		"a|@SUM(A1)": "a|'@SUM(A1)",
		"a\t=1":      "a\t'=1",
		"a\n-1":      "a\n'-1",
		"a; ;=1":     "a; ;'=1",
		"a;b=1":      "a;b=1",
		"=a;=b":      "'=a;'=b",
	} {
		if got := SpreadsheetText(in); got != want {
			t.Errorf("SpreadsheetText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every text cell is quoted, numbers are bare, and the result reads back
// as the cells written (the neutralised text).
func TestSpreadsheetCSVQuotesEveryTextCell(t *testing.T) {
	var b bytes.Buffer
	w := NewSpreadsheetCSV(&b)
	w.Row("name", "n")
	w.Text(`x;=1+1;"q"`)
	w.Number("-1.5")
	w.EndRow()
	w.Text("")
	w.Number("")
	w.EndRow()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "\"name\",\"n\"\r\n\"x;'=1+1;\"\"q\"\"\",-1.5\r\n\"\",\r\n"; got != want {
		t.Errorf("CSV = %q, want %q", got, want)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][0] != `x;'=1+1;"q"` || recs[1][1] != "-1.5" {
		t.Errorf("read back %q, %v", recs, err)
	}
}
