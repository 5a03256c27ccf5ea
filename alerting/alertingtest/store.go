// Package alertingtest holds the hand-made stores the alert tests of the
// alerting package and of the app evaluate: members with scores, API usage,
// a late milestone and collector runs (Scenario), and days of change
// signals given by hand (ChangeHistory).
package alertingtest

import (
	"time"
)

// End is the scenario's scored day, the last of the demo data.
var End = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
