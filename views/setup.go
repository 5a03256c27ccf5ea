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

// in is the checklist with its steps' words in tr's language (a copy: the
// JSON's stay English); a step the catalogues do not know keeps its own.
func (s *Setup) in(tr Tr) *Setup {
	if s == nil {
		return nil
	}
	out := &Setup{Complete: s.Complete, Steps: make([]SetupStep, len(s.Steps))}
	for i, st := range s.Steps {
		switch st.ID {
		case "members":
			st.Title, st.How = tr("setupstep.members"), tr("setupstep.members_how")
		case "sources":
			st.Title, st.How = tr("setupstep.sources"), tr("setupstep.sources_how")
		case "consumers":
			st.Title, st.How = tr("setupstep.consumers"), tr("setupstep.consumers_how")
		case "agreements":
			st.Title, st.How = tr("setupstep.agreements"), tr("setupstep.agreements_how")
		case "scores":
			st.Title, st.How = tr("setupstep.scores"), tr("setupstep.scores_how")
		}
		out.Steps[i] = st
	}
	return out
}
