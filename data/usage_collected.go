package data

import (
	"cmp"
	"maps"
	"slices"

	"github.com/ecopulse/ecopulse/domain"
)

// CollectedUsage is a collector's batch made ready for the store
// (PrepareCollected): its rows merged into the daily and the hourly rows
// and put in their tables' key order but for the consumers' ids, which
// only the store's transaction knows. Preparing is most of the Go work of
// a write: a collector that reads on one goroutine and commits on another
// (the access-log engine) prepares where it reads, so that the two share
// the work.
type CollectedUsage struct {
	Batch *domain.UsageBatch

	consumers []string       // the batch's consumer keys, in key order
	runs      []collectedRun // the daily rows by day and consumer, in that order
	daily     []collectedRow // each run's rows, by endpoint and status class
	hourly    []collectedRow // by hour, consumer and status class
}

// collectedRun is the daily rows daily[from:to] of one day and consumer.
type collectedRun struct {
	day      int64
	consumer int // index in consumers
	from, to int
}

// collectedRow is a row of either table: bucket is the hour of an hourly
// row (a daily row's day is its run's); endpoint is allEndpoints in the
// hourly rows.
type collectedRow struct {
	bucket   int64
	consumer int
	endpoint string
	class    int
	r        *domain.Rollup
}

// PrepareCollected merges b's rows into the daily rows, per day, consumer,
// endpoint and status class, the hours of one merged in hour order, and
// the hourly rows, per hour, consumer and status class, the endpoints of
// one merged in endpoint order, so that latency sums add up in one order,
// run after run. A daily row of one rollup shares it (none is changed, and
// b must not change until it is stored).
func PrepareCollected(b *domain.UsageBatch) *CollectedUsage {
	rows := b.Rows()
	// Every key's parts ranked in their order, so that the sort of the
	// rows, most of this function's time, compares two integers a row.
	days, consumers, endpoints, classes := map[int64]uint64{}, map[string]uint64{}, map[string]uint64{}, map[int]uint64{}
	for k := range rows {
		days[dayOf(k.Hour)], consumers[k.Consumer], endpoints[k.Endpoint], classes[k.Class] = 0, 0, 0, 0
	}
	c := &CollectedUsage{Batch: b, consumers: rankKeys(consumers)}
	dayOrder, endpointOrder, classOrder := rankKeys(days), rankKeys(endpoints), rankKeys(classes)
	// hi: day, consumer; lo: endpoint, status class, hour of the day.
	type entry struct {
		hi, lo uint64
		r      *domain.Rollup
	}
	all := make([]entry, 0, len(rows))
	for k, r := range rows {
		day := dayOf(k.Hour)
		all = append(all, entry{days[day]<<32 | consumers[k.Consumer], endpoints[k.Endpoint]<<32 | classes[k.Class]<<8 | uint64(k.Hour-day)/3600, r})
	}
	slices.SortFunc(all, func(a, b entry) int {
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		return cmp.Compare(a.lo, b.lo)
	})
	hours := usageRows{} // keyed by consumer index, not id
	c.daily = make([]collectedRow, 0, len(all))
	for i := 0; i < len(all); {
		j, e := i+1, all[i]
		for j < len(all) && all[j].hi == e.hi && all[j].lo>>8 == e.lo>>8 {
			j++
		}
		day, consumer, class := dayOrder[e.hi>>32], int(e.hi&0xffffffff), classOrder[e.lo>>8&0xffffff]
		if n := len(c.runs); n == 0 || c.runs[n-1].day != day || c.runs[n-1].consumer != consumer {
			c.runs = append(c.runs, collectedRun{day: day, consumer: consumer, from: len(c.daily)})
		}
		row := collectedRow{day, consumer, endpointOrder[e.lo>>32], class, e.r}
		if j-i > 1 {
			row.r = &domain.Rollup{}
			for _, d := range all[i:j] {
				row.r.Merge(d.r.Calls, d.r.Bytes, d.r.LatencySum, d.r.Hist)
			}
		}
		c.daily = append(c.daily, row)
		c.runs[len(c.runs)-1].to = len(c.daily)
		for _, d := range all[i:j] {
			hours.add(usageKey{day + int64(d.lo&0xff)*3600, int64(consumer), allEndpoints, class}, d.r.Calls, d.r.Bytes, d.r.LatencySum, d.r.Hist)
		}
		i = j
	}
	c.hourly = make([]collectedRow, 0, len(hours))
	for k, r := range hours {
		c.hourly = append(c.hourly, collectedRow{k.bucket, int(k.consumer), allEndpoints, k.class, r})
	}
	return c
}

// rows returns the prepared rows, the consumers' ids known, each in its
// table's key order.
func (c *CollectedUsage) rows(ids map[string]int64) (hourly, daily []usageRow) {
	id := make([]int64, len(c.consumers))
	for i, key := range c.consumers {
		id[i] = ids[key]
	}
	// The runs come by day and consumer key; a day of several consumers
	// whose ids are in another order than their keys is sorted again.
	runs := c.runs
	byID := func(a, b collectedRun) int {
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		return cmp.Compare(id[a.consumer], id[b.consumer])
	}
	if !slices.IsSortedFunc(runs, byID) {
		runs = slices.Clone(runs)
		slices.SortFunc(runs, byID)
	}
	daily = make([]usageRow, 0, len(c.daily))
	for _, run := range runs {
		for _, r := range c.daily[run.from:run.to] {
			daily = append(daily, usageRow{usageKey{run.day, id[run.consumer], r.endpoint, r.class}, r.r})
		}
	}
	hourly = make([]usageRow, len(c.hourly))
	for i, r := range c.hourly {
		hourly[i] = usageRow{usageKey{r.bucket, id[r.consumer], allEndpoints, r.class}, r.r}
	}
	slices.SortFunc(hourly, func(a, b usageRow) int { return compareUsageKeys(a.k, b.k) })
	return hourly, daily
}

// rankKeys sets each key of m to its rank in key order and returns the keys
// in that order.
func rankKeys[K cmp.Ordered](m map[K]uint64) []K {
	keys := slices.Sorted(maps.Keys(m))
	for i, k := range keys {
		m[k] = uint64(i)
	}
	return keys
}
