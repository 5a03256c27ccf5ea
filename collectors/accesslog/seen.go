package accesslog

import (
	"context"
	"math"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// seen remembers what an import's summary reports beyond its counts: the
// time span of the lines it stored and their distinct consumers. Its
// memory grows with the consumers only, which the database holds one row
// each of anyway.
type seen struct {
	first, last int64 // unix seconds
	consumers   map[string]struct{}
	prev        string // the previous line's consumer: runs of one are common
}

func newSeen() *seen {
	return &seen{first: math.MaxInt64, last: math.MinInt64, consumers: map[string]struct{}{}}
}

// add notes a record parsed for storing.
func (s *seen) add(r *domain.UsageRecord) {
	u := r.Time.Unix()
	s.first = min(s.first, u)
	s.last = max(s.last, u)
	if r.Consumer == "" || r.Consumer == s.prev {
		return
	}
	s.prev = r.Consumer
	s.consumers[r.Consumer] = struct{}{}
}

// summarise fills the range and consumer counts of sum, reading which of
// the consumers are mapped now.
func (s *seen) summarise(ctx context.Context, db *data.DB, sum *Summary) error {
	if s.first <= s.last {
		sum.FirstDay = time.Unix(s.first, 0).UTC().Format(domain.DateLayout)
		sum.LastDay = time.Unix(s.last, 0).UTC().Format(domain.DateLayout)
	}
	sum.Consumers = len(s.consumers)
	if len(s.consumers) == 0 {
		return nil
	}
	all, err := db.Consumers(ctx)
	if err != nil {
		return err
	}
	for _, c := range all {
		if _, ok := s.consumers[c.Key]; ok && c.MemberID != 0 {
			sum.Mapped++
		}
	}
	sum.Unmapped = sum.Consumers - sum.Mapped
	return nil
}
