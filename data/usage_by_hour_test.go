package data_test

import (
	"context"
	"testing"
	"time"
)

func TestUsageByHourOfWeek(t *testing.T) {
	db := ecoUsageDB(t)
	cells, err := db.UsageByHourOfWeek(context.Background(), day(t, "2026-03-02"), day(t, "2026-03-04"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 2 {
		t.Fatalf("cells %+v, want two", cells)
	}
	mon, tue := cells[0], cells[1]
	if mon.Weekday != time.Monday || mon.Hour != 10 || mon.Calls != 135 || mon.Errors5xx != 5 || mon.Latency.Count() != 135 {
		t.Errorf("Monday cell %+v", mon)
	}
	if tue.Weekday != time.Tuesday || tue.Hour != 23 || tue.Calls != 37 {
		t.Errorf("Tuesday cell %+v", tue)
	}
}
