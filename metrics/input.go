package metrics

import (
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// MemberInput is what the data layer measured for one member over the
// trailing window (and the same span before it, for growth): plain counts
// and measurements, so metrics does no I/O. It is domain.MemberWindow, whose
// fields document each count.
type MemberInput = domain.MemberWindow

// PairInput is what two members did together in the window (A < B).
type PairInput = domain.PairWindow

// Input is everything scoring needs for one day.
type Input struct {
	Day     time.Time // the window's last day (inclusive); scores are "as of" Day
	Members []MemberInput
	Pairs   []PairInput
}
