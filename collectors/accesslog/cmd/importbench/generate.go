package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"time"
)

const clfLayout = "02/Jan/2006:15:04:05 -0700"

// generate writes n combined-format lines to out: copies of the lines of
// src, copy k with every timestamp moved forward by k × shift. A zero shift
// is the whole span of src, rounded up to days, so the result reads as one
// long, sparse log (every hour holds one copy's traffic: the rollups barely
// aggregate). A small shift (say 1s) overlaps the copies: the same days at
// many times the traffic, as a busy gateway logs it.
func generate(src, out string, n int, shift time.Duration) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	type srcLine struct {
		pre, post []byte
		t         time.Time
	}
	var lines []srcLine
	var lo, hi time.Time
	for _, l := range bytes.Split(raw, []byte("\n")) {
		i, j := bytes.IndexByte(l, '['), bytes.IndexByte(l, ']')
		if i < 0 || j < i {
			continue
		}
		t, err := time.Parse(clfLayout, string(l[i+1:j]))
		if err != nil {
			continue
		}
		lines = append(lines, srcLine{l[:i+1], l[j:], t})
		if lo.IsZero() || t.Before(lo) {
			lo = t
		}
		if t.After(hi) {
			hi = t
		}
	}
	if len(lines) == 0 {
		return fmt.Errorf("%s has no combined-format lines", src)
	}
	if shift <= 0 {
		days := int(hi.Sub(lo)/(24*time.Hour)) + 1
		shift = time.Duration(days) * 24 * time.Hour
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var ts []byte
	for k := 0; n > 0; k++ {
		for _, l := range lines {
			if n == 0 {
				break
			}
			ts = l.t.Add(time.Duration(k)*shift).AppendFormat(ts[:0], clfLayout)
			w.Write(l.pre)
			w.Write(ts)
			w.Write(l.post)
			w.WriteByte('\n')
			n--
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
