package app

import (
	"time"

	"github.com/robfig/cron/v3"
)

// The slot of a scheduled run is the time its schedule fired, the same on
// every replica: the replicas of one database claim it (app/jobs.go), and
// only the first runs it.

// everySchedule is "@every d" fired at the multiples of d since the Unix
// epoch, not d after the process started: every replica fires at the same
// instants, so that their firings name one slot. (robfig/cron's own
// ConstantDelaySchedule counts from each process's start.)
type everySchedule struct{ every int64 } // seconds, at least 1

func (e everySchedule) Next(t time.Time) time.Time {
	return time.Unix((t.Unix()/e.every+1)*e.every, 0).In(t.Location())
}

// parseSchedule parses a robfig/cron spec (5 fields, a descriptor, or
// @every), with @every aligned (everySchedule).
func parseSchedule(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, err
	}
	return aligned(s), nil
}

// aligned replaces a constant delay with its epoch-aligned everySchedule.
func aligned(s cron.Schedule) cron.Schedule {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return everySchedule{every: max(int64(c.Delay/time.Second), 1)}
	}
	return s
}

// maxSlotLookBack bounds the search for a spec's last firing: a spec that
// fires less than once a year ("0 0 29 2 *") gets now's second instead.
const maxSlotLookBack = 400 * 24 * time.Hour

// slotOf is the time sched last fired at or before now, to the second: the
// slot of the run a firing at now is for. A run that starts late (a busy
// machine) still names its firing; a clock a little behind another fires
// later and names the same one.
func slotOf(sched cron.Schedule, now time.Time) time.Time {
	if e, ok := sched.(everySchedule); ok {
		u := now.Unix()
		return time.Unix(u-u%e.every, 0)
	}
	// Look back, doubling, for a window with a firing in it; then walk
	// forward through the window's firings to the last one.
	for back := time.Minute; back <= maxSlotLookBack; back *= 2 {
		t := sched.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := sched.Next(t)
			if n.IsZero() || n.After(now) {
				return time.Unix(t.Unix(), 0)
			}
			t = n
		}
	}
	return time.Unix(now.Unix(), 0)
}
