// Command scoretime times the scoring of one day on a database, the way the
// scoring job does it, in its three parts: measuring the trailing window in
// the store (data.ScoringWindow), scoring it (metrics.Score, pure) and
// storing the result (SaveDayScores). It runs them -runs times and prints
// the medians, and every run, as one JSON object. Before each run the scored
// day's usage and activity digests are marked stale and the run rebuilds
// them first, as the daily job does after a day of traffic and activity.
//
//	go run ./scripts/bench/scoretime -day 2026-06-30 -runs 5 DB
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

type result struct {
	Members int `json:"members"`
	Pairs   int `json:"pairs"`
	Edges   int `json:"edges"`
	Runs    int `json:"runs"`
	// CatchUpS is the one-off digest of every stale day before the runs
	// (after a migration or a bulk import); each run then refreshes the
	// scored day only, as the daily job does after a day of new traffic.
	CatchUpS    float64 `json:"catch_up_s"`
	CatchUpDays int     `json:"catch_up_days"`
	// CatchUpActivityDays: the same for the activity digests.
	CatchUpActivityDays int       `json:"catch_up_activity_days"`
	RefreshS            float64   `json:"refresh_s"`
	WindowS             float64   `json:"window_s"`
	ModelS              float64   `json:"model_s"`
	SaveS               float64   `json:"save_s"`
	TotalS              float64   `json:"total_s"`
	TotalsS             []float64 `json:"totals_s"`
	WindowsS            []float64 `json:"windows_s"`
}

func main() {
	dayS := flag.String("day", "", "day to score, YYYY-MM-DD (default: the last day with API usage)")
	runs := flag.Int("runs", 5, "runs (the median is reported)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs to this file")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: scoretime [flags] DB\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	db, err := data.Open(ctx, flag.Arg(0))
	if err != nil {
		fail(err)
	}
	defer db.Close()
	day := domain.Day(time.Now())
	if *dayS != "" {
		if day, err = domain.ParseDay(*dayS); err != nil {
			fail(err)
		}
	}
	cfg := metrics.DefaultConfig()
	var res result
	var refresh, win, model, save, total []float64
	c0 := time.Now()
	if res.CatchUpDays, err = db.RefreshUsageDays(ctx); err != nil {
		fail(err)
	}
	if res.CatchUpActivityDays, err = db.RefreshActivityDays(ctx); err != nil {
		fail(err)
	}
	res.CatchUpS = time.Since(c0).Seconds()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	for i := 0; i < *runs; i++ {
		if err := db.InvalidateDay(ctx, day); err != nil { // the day's traffic and activities changed
			fail(err)
		}
		t0 := time.Now()
		if _, err := db.RefreshUsageDays(ctx); err != nil {
			fail(err)
		}
		if _, err := db.RefreshActivityDays(ctx); err != nil {
			fail(err)
		}
		tw := time.Now()
		w, err := db.ScoringWindow(ctx, day, cfg.WindowDays)
		if err != nil {
			fail(err)
		}
		t1 := time.Now()
		r := metrics.Score(metrics.Input{Day: day, Members: w.Members, Pairs: w.Pairs}, cfg)
		t2 := time.Now()
		ds := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day, R: r.R, Health: r.Health, Members: len(r.Members),
			Consumers: w.ActiveConsumers, Contributors: w.ActiveContributors}, Members: r.Members, Edges: r.Edges}
		if err := db.SaveDayScores(ctx, ds); err != nil {
			fail(err)
		}
		t3 := time.Now()
		refresh = append(refresh, tw.Sub(t0).Seconds())
		win = append(win, t1.Sub(tw).Seconds())
		model = append(model, t2.Sub(t1).Seconds())
		save = append(save, t3.Sub(t2).Seconds())
		total = append(total, t3.Sub(t0).Seconds())
		res.Members, res.Pairs, res.Edges = len(w.Members), len(w.Pairs), len(r.Edges)
	}
	res.Runs = *runs
	// Every run in its order, before domain.Median sorts the runs in place.
	res.WindowsS, res.TotalsS = slices.Clone(win), slices.Clone(total)
	res.RefreshS = domain.Median(refresh)
	res.WindowS, res.ModelS, res.SaveS, res.TotalS = domain.Median(win), domain.Median(model), domain.Median(save), domain.Median(total)
	json.NewEncoder(os.Stdout).Encode(res)
	pprof.StopCPUProfile()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scoretime:", err)
	os.Exit(1)
}
