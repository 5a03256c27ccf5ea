package views

import (
	"context"
	"io"
	"time"

	"github.com/ecopulse/ecopulse/data"
)

// Rejected is /sources/:name/rejected and its JSON twin: what a source
// could not accept and why — counts per reason over every record it keeps,
// and the newest records with a sample of each.
type Rejected struct {
	Source   string              `json:"source"`
	Total    int                 `json:"total"` // records kept (the newest domain.MaxRejectedPerSource)
	ByReason []data.ReasonCount  `json:"by_reason"`
	Records  []RejectedRecordRow `json:"records"`
}

// RejectedRecordRow is one rejected record.
type RejectedRecordRow struct {
	At     string `json:"at"` // RFC 3339
	Reason string `json:"reason"`
	Sample string `json:"sample"` // the record as kept (collectors redact addresses), cut to sampleLen
}

// rejectedRecordsShown is how many records the view lists; rejectedSampleLen
// how much of each.
const (
	rejectedRecordsShown = 100
	rejectedSampleLen    = 300
)

// BuildRejected returns a source's rejected records.
func BuildRejected(ctx context.Context, db *data.DB, source string) (*Rejected, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Rejected, error) { return readRejected(ctx, db, source) })
}

// readRejected is BuildRejected inside its snapshot.
func readRejected(ctx context.Context, db *data.DB, source string) (*Rejected, error) {
	recs, byReason, total, err := db.RejectedOf(ctx, source, rejectedRecordsShown)
	if err != nil {
		return nil, err
	}
	out := &Rejected{Source: source, Total: total, ByReason: byReason, Records: make([]RejectedRecordRow, 0, len(recs))}
	for _, r := range recs {
		sample := r.Record
		if len(sample) > rejectedSampleLen {
			sample = cutUTF8(sample, rejectedSampleLen) + "…"
		}
		out.Records = append(out.Records, RejectedRecordRow{At: r.At.Format(time.RFC3339), Reason: r.Reason, Sample: sample})
	}
	return out, nil
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// RejectedPage writes /sources/:name/rejected.
func (r *Renderer) RejectedPage(w io.Writer, rej Rejected) error {
	return r.render(w, "sources-rejected", layoutData{Title: r.Tr()("sourcespage.rejected_title", "Source", rej.Source), Active: "/sources", Page: rej})
}
