package views

import (
	"context"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// ScoreRow is one member in /api/v1/scores (the scores contract of
// app/openapi.json, also printed by ecopulse score --json).
type ScoreRow struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	ScoreFigures
	Health     float64            `json:"health"`
	Status     string             `json:"status"`
	Dimensions map[string]float64 `json:"dimensions"` // only the dimensions with data
}

// ScoreEdge is a cooperation tie between two members, by slug.
type ScoreEdge struct {
	A string  `json:"a"`
	B string  `json:"b"`
	K float64 `json:"k"`
}

// Scores is /api/v1/scores?at=DATE and `ecopulse score --json`.
type Scores struct {
	At string `json:"at"`
	DayShown
	Ecosystem struct {
		R      float64 `json:"R"`
		Health float64 `json:"health"`
	} `json:"ecosystem"`
	Members []ScoreRow  `json:"members"`
	Edges   []ScoreEdge `json:"edges"`
}

// BuildScores returns the stored scores of day at (the latest day when at is
// zero; the nearest scored day when at is not scored), or ENOTFOUND when no
// day is scored.
func BuildScores(ctx context.Context, db *data.DB, at time.Time) (*Scores, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Scores, error) { return readScores(ctx, db, at) })
}

// readScores is BuildScores inside its snapshot.
func readScores(ctx context.Context, db *data.DB, at time.Time) (*Scores, error) {
	day, shown, err := scoreDay(ctx, db, at)
	if err != nil {
		return nil, err
	}
	eco, err := db.EcosystemScoreOn(ctx, day)
	if err != nil {
		return nil, err
	}
	members, err := db.ScoresOn(ctx, day)
	if err != nil {
		return nil, err
	}
	edges, err := db.EdgesOn(ctx, day)
	if err != nil {
		return nil, err
	}
	s := &Scores{At: day.Format(domain.DateLayout), DayShown: shown, Members: []ScoreRow{}, Edges: []ScoreEdge{}}
	s.Ecosystem.R, s.Ecosystem.Health = eco.R, eco.Health
	slugs := map[int64]string{}
	for _, m := range members {
		slugs[m.ID] = m.Slug
		sc := m.Score
		s.Members = append(s.Members, ScoreRow{Slug: m.Slug, Name: m.Name, ScoreFigures: scoreFigures(&sc),
			Health: sc.Health, Status: sc.Status, Dimensions: dimensionMap(sc.Dimensions)})
	}
	for _, e := range edges {
		s.Edges = append(s.Edges, ScoreEdge{A: slugs[e.A], B: slugs[e.B], K: e.K})
	}
	return s, nil
}

func dimensionMap(d [4]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range d {
		if v == v { // not NaN: the dimension had data
			out[domain.Dimensions[k]] = v
		}
	}
	return out
}
