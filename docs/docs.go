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
