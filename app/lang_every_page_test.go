package app

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestChinesePagesSpeakChinese fetches every page of the demo in Chinese
// and fails on any run of two or more Latin words in its text that is not
// collected data: every word of such a run must be one the database holds
// (member, project, milestone and consumer names, segments, titles…).
// The interface's own words come from the catalogues, so an English phrase
// left in a template, a page builder or an error is found here. "How
// scores work" quotes the model's formula names and is checked against
// its translation by TestHowScoresPageInChinese.
func TestChinesePagesSpeakChinese(t *testing.T) {
	datatest.SkipOnPostgres(t, "the words the database holds are read from SQLite's tables; the pages are the same")
	db := seededDB(t)
	freezeTestSnapshot(t, db)
	raw := rawSQL(t, db)
	collected := map[string]bool{}
	// The tables of collected and user-entered data; not the alerts, audit
	// entries or reasons, whose words are the interface's own.
	names := []string{"members", "projects", "milestones", "project_repos", "api_consumers", "activities", "people", "identities",
		"collector_runs", "rejected_records", "users", "tokens", "snapshot_members", "alert_comments"}
	ours := map[string]bool{"reason": true, "reason_kind": true, "message": true, "message_key": true, "message_args": true,
		"detail": true, "changes": true, "action": true, "status": true, "kind": true}
	word := regexp.MustCompile(`[A-Za-z][A-Za-z'’-]*`)
	for _, n := range names {
		rows, err := raw.Query(`SELECT * FROM ` + n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			for i, v := range vals {
				if s, ok := v.(string); ok && len(s) < 400 && !ours[cols[i]] {
					for _, w := range word.FindAllString(s, -1) {
						collected[w] = true
					}
				}
			}
		}
		rows.Close()
	}

	a := newTestApp(t, db)
	admin := loginAs(t, a, domain.RoleAdmin)
	hidden := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<code>.*?</code>|<pre.*?</pre>`)
	tag := regexp.MustCompile(`(?s)<[^>]*>`)
	phrase := regexp.MustCompile(`[A-Za-z][A-Za-z'’-]+(?:[ ,:;]+[A-Za-z][A-Za-z'’-]+)+`)
	pages := 0
	for _, target := range getRoutes(t, a, testRouteValues(t, db)) {
		if strings.HasPrefix(target, "/api/") || strings.HasPrefix(target, "/static") || strings.HasPrefix(target, "/metrics") ||
			strings.Contains(target, ".csv") || strings.HasPrefix(target, "/how-scores-work") {
			continue
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		_, ctype, body := fetch(t, a, admin, target+sep+"lang=zh-CN")
		if !strings.HasPrefix(ctype, "text/html") {
			continue
		}
		pages++
		text := tag.ReplaceAllString(hidden.ReplaceAllString(body, " "), "\n")
		text = strings.NewReplacer("&amp;", "&", "&#39;", "'", "&quot;", `"`).Replace(text)
		for _, p := range phrase.FindAllString(text, -1) {
			for _, w := range word.FindAllString(p, -1) {
				if !collected[w] && w != "EcoPulse" {
					t.Errorf("%s in Chinese says %q", target, p)
					break
				}
			}
		}
	}
	if pages < 20 {
		t.Errorf("%d pages checked", pages)
	}
}
