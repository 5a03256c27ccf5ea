package views

import (
	"context"
	"io"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// SourceInfo is what the scheduler knows of a configured source.
type SourceInfo struct {
	Name     string
	Type     string
	Schedule string
	Next     time.Time // next scheduled run; zero when not scheduled
	Interval time.Duration
	Running  bool
}

// SourceRow is one source on /sources and /api/v1/sources.
type SourceRow struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Schedule    string `json:"schedule"`
	Status      string `json:"status"` // ok, partial (records rejected), failed, running, stale, never
	LastRun     string `json:"last_run,omitempty"`
	LastSuccess string `json:"last_success,omitempty"`
	LagSeconds  int64  `json:"lag_seconds"` // since the last successful run; -1 when never
	NextRun     string `json:"next_run,omitempty"`
	Read        int64  `json:"items_read"`
	Stored      int64  `json:"items_stored"`
	Rejected    int64  `json:"items_rejected"`
	LastError   string `json:"last_error,omitempty"`
	// LastErrorText is LastError as a sentence: what failed, why, and when
	// the next run is (views.ErrorSentence).
	LastErrorText string `json:"last_error_text,omitempty"`
	// Quarantined is how many rejected records the source keeps, with
	// their reasons (/sources/:name/rejected).
	Quarantined int `json:"quarantined"`
}

// Sources is the /sources page and /api/v1/sources.
type Sources struct {
	Now     string      `json:"now"`
	Sources []SourceRow `json:"sources"`
	// ConfigProblems are what in the configuration cannot work (a consumer
	// mapped to no such member…), set by the handler: the same list as
	// `ecopulse config --check`.
	ConfigProblems []string `json:"config_problems"`
	LastCollected  string   `json:"last_collected,omitempty"`
}

// staleAfter is how many missed intervals make a source's data stale.
const staleAfter = 3

// BuildSources joins the scheduler's view of each source with its runs.
// Sources that ran but are no longer configured (the demo feed, an old
// source) are listed too, without a schedule.
func BuildSources(ctx context.Context, db *data.DB, infos []SourceInfo, now time.Time) (*Sources, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Sources, error) { return readSources(ctx, db, infos, now) })
}

// readSources is BuildSources inside its snapshot.
func readSources(ctx context.Context, db *data.DB, infos []SourceInfo, now time.Time) (*Sources, error) {
	runs, err := db.LatestRuns(ctx)
	if err != nil {
		return nil, err
	}
	latest := map[string]domain.CollectorRun{}
	for _, r := range runs {
		latest[r.Source] = r
	}
	s := &Sources{Now: now.UTC().Format(time.RFC3339), Sources: []SourceRow{}}
	seen := map[string]bool{}
	add := func(info SourceInfo) error {
		seen[info.Name] = true
		row := SourceRow{Name: info.Name, Type: info.Type, Schedule: info.Schedule, Status: "never", LagSeconds: -1}
		if !info.Next.IsZero() {
			row.NextRun = info.Next.UTC().Format(time.RFC3339)
		}
		if r, ok := latest[info.Name]; ok {
			row.LastRun = r.StartedAt.UTC().Format(time.RFC3339)
			row.Read, row.Stored, row.Rejected, row.LastError = r.ItemsRead, r.ItemsStored, r.ItemsRejected, r.Error
			row.LastErrorText = ErrorSentence(info.Type, r.Error, info.Next)
			switch r.Status {
			case domain.RunSucceeded:
				row.Status = "ok"
				if r.ItemsRejected > 0 {
					row.Status = "partial"
				}
			case domain.RunFailed:
				row.Status = "failed"
			default:
				row.Status = "running"
			}
		}
		ok, err := db.LastSuccessOf(ctx, info.Name)
		if err != nil {
			return err
		}
		if !ok.IsZero() {
			row.LastSuccess = ok.Format(time.RFC3339)
			row.LagSeconds = int64(now.Sub(ok).Seconds())
			if info.Interval > 0 && now.Sub(ok) > staleAfter*info.Interval && (row.Status == "ok" || row.Status == "partial") {
				row.Status = "stale"
			}
		}
		if info.Running {
			row.Status = "running"
		}
		if row.Quarantined, err = db.CountRejected(ctx, info.Name); err != nil {
			return err
		}
		s.Sources = append(s.Sources, row)
		return nil
	}
	for _, info := range infos {
		if err := add(info); err != nil {
			return nil, err
		}
	}
	for _, r := range runs {
		if !seen[r.Source] {
			if err := add(SourceInfo{Name: r.Source}); err != nil {
				return nil, err
			}
		}
	}
	last, err := db.LastSuccessfulRun(ctx)
	if err != nil {
		return nil, err
	}
	if !last.IsZero() {
		s.LastCollected = last.Format(time.RFC3339)
	}
	return s, nil
}

// sourcesPage is what templates/pages/sources.html receives.
type sourcesPage struct {
	Sources
	CanRun map[string]bool
}

// SourcesPage writes /sources. canRun names the sources the viewer may run now.
func (r *Renderer) SourcesPage(w io.Writer, s Sources, canRun map[string]bool) error {
	tr := r.Tr()
	// Each run's error as a sentence in the page's language (the JSON's is
	// English), on a copy: the caller's rows stay as they are.
	rows := make([]SourceRow, len(s.Sources))
	for i, row := range s.Sources {
		if row.LastError != "" {
			next, _ := time.Parse(time.RFC3339, row.NextRun)
			row.LastErrorText = ErrorSentenceIn(tr, row.Type, row.LastError, next)
		}
		rows[i] = row
	}
	s.Sources = rows
	return r.render(w, "sources", layoutData{
		Title:  tr("sourcespage.title"),
		Active: "/sources",
		Fresh:  newFreshness("", s.LastCollected),
		Page:   sourcesPage{Sources: s, CanRun: canRun},
	})
}
