package data

import (
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// maxEcosystemDays bounds the ranges the ecosystem's questions take: its API
// usage, its usage by hour of the week and its community.
const maxEcosystemDays = 400

// checkEcosystemRange refuses a range [from, to) that is empty or longer
// than maxEcosystemDays.
func checkEcosystemRange(from, to time.Time) error {
	if !to.After(from) {
		return domain.Errorf(domain.EINVALID, "the range ends (%s) before it starts (%s)", dateStr(to.AddDate(0, 0, -1)), dateStr(from))
	}
	if to.Sub(from) > maxEcosystemDays*24*time.Hour {
		return domain.Errorf(domain.EINVALID, "the range may span at most %d days", maxEcosystemDays)
	}
	return nil
}
