package alerting

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// pctText shows a ratio as a percentage to one decimal at most: "2%", "3.5%".
func pctText(ratio float64) string {
	return strconv.FormatFloat(math.Round(ratio*1000)/10, 'f', -1, 64) + "%"
}

// shortDuration shows a duration to the minute: "15m", "7h12m", "3d4h".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// truncate cuts s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
