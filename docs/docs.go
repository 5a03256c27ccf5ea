// Package docs holds the documentation the binary serves: scoring.md is
// embedded at build time, so the "How scores work" page is always the
// model's own description, in the version that computed the scores.
package docs

import _ "embed"

// Scoring is docs/scoring.md: every formula, default and example of the
// scoring model.
//
//go:embed scoring.md
var Scoring []byte

// ScoringZH is docs/scoring.zh-CN.md, the Simplified Chinese translation of
// Scoring, with the same sections in the same order (the page links into
// them by position).
//
//go:embed scoring.zh-CN.md
var ScoringZH []byte
