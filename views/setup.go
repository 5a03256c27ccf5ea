package views

import (
	"context"

	"github.com/ecopulse/ecopulse/data"
)

// Setup is the getting-started checklist of a new installation: each step,
// where it is done, and whether it is. The overview shows it (and its JSON
// carries it) until every step is done.
type Setup struct {
	Complete bool        `json:"complete"`
	Steps    []SetupStep `json:"steps"`
}

// SetupStep is one step of the checklist.
type SetupStep struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
	Href  string `json:"href"` // the page where it is done
	How   string `json:"how"`  // the other ways, in words
}

// BuildSetup returns the checklist as the store stands.
func BuildSetup(ctx context.Context, db *data.DB) (*Setup, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Setup, error) { return readSetup(ctx, db) })
}

// readSetup is BuildSetup inside its snapshot.
func readSetup(ctx context.Context, db *data.DB) (*Setup, error) {
	c, err := db.SetupCounts(ctx)
	if err != nil {
		return nil, err
	}
	s := &Setup{Steps: []SetupStep{
		{ID: "members", Title: "Add your ecosystem's members", Done: c.Members > 0, Href: "/members/new",
			How: "or declare them in the registry file (members:), or run ecopulse member add"},
		{ID: "sources", Title: "Connect sources or import logs", Done: c.Runs > 0 || c.Consumers > 0 || c.Activities > 0, Href: "/sources",
			How: "sources: in the configuration, ecopulse import accesslog FILE, or push to /api/v1/ingest/api-calls"},
		{ID: "consumers", Title: "Map API keys to members", Done: c.MappedConsumers > 0, Href: "/api-usage#unmapped",
			How: "or ecopulse consumer map KEY MEMBER, or key patterns on the member"},
		{ID: "agreements", Title: "Register cooperation agreements", Done: c.Projects > 0, Href: "/projects/new",
			How: "or the projects: section of the registry file"},
		{ID: "scores", Title: "First scores", Done: c.ScoredMembers > 0, Href: "/members",
			How: "the scoring job runs every few minutes; ecopulse score runs it now"},
	}}
	s.Complete = true
	for _, st := range s.Steps {
		s.Complete = s.Complete && st.Done
	}
	return s, nil
}

func setupStep(s *Setup, id string) bool {
	for _, st := range s.Steps {
		if st.ID == id {
			return st.Done
		}
	}
	return false
}
