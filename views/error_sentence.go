package views

import (
	"regexp"
	"strings"
	"time"
)

// ErrorSentence turns the error text of a collector run (a wrapped Go
// error, as stored with the run) into a sentence a person acts on: what
// could not be done, why, and what happens next. The raw text stays in the
// JSON (last_error) and behind the sentence on the page.
func ErrorSentence(sourceType, raw string, next time.Time) string {
	return ErrorSentenceIn(nil, sourceType, raw, next)
}

// ErrorSentenceIn is ErrorSentence in tr's language (nil: English); the
// raw error, quoted when no sentence fits, stays as it is.
func ErrorSentenceIn(tr Tr, sourceType, raw string, next time.Time) string {
	tr = orEnglish(tr)
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	who := serviceNameIn(tr, sourceType)
	retry := ""
	if !next.IsZero() {
		retry = tr("runerr.retry", "Time", next.UTC().Format("15:04"))
	}
	l := strings.ToLower(raw)
	switch {
	case strings.Contains(l, "rate limit"):
		until := ""
		if m := untilRE.FindStringSubmatch(raw); m != nil {
			if t, err := time.Parse(time.RFC3339, m[1]); err == nil {
				until = tr("runerr.until", "Time", t.UTC().Format("15:04"))
			}
		}
		return tr("runerr.rate_limit", "Who", who, "Until", until, "Retry", retry)
	case strings.Contains(l, "no such host"):
		return tr("runerr.no_host", "Who", who, "Retry", retry)
	case strings.Contains(l, "connection refused"), strings.Contains(l, "connection reset"), strings.Contains(l, "network is unreachable"):
		return tr("runerr.refused", "Who", who, "Retry", retry)
	case strings.Contains(l, "timeout"), strings.Contains(l, "deadline exceeded"):
		return tr("runerr.timeout", "Who", who, "Retry", retry)
	case statusRE.MatchString(raw):
		m := statusRE.FindStringSubmatch(raw)
		switch m[1] {
		case "401":
			return tr("runerr.401", "Who", who, "Retry", retry)
		case "403":
			return tr("runerr.403", "Who", who, "Retry", retry)
		case "404":
			return tr("runerr.404", "Who", who, "Retry", retry)
		}
		if strings.HasPrefix(m[1], "5") {
			return tr("runerr.5xx", "Who", who, "Status", m[1], "Retry", retry)
		}
		return tr("runerr.status", "Who", who, "Status", m[1], "Retry", retry)
	case strings.Contains(l, "no such file or directory"):
		return tr("runerr.no_file", "Who", who, "Retry", retry)
	case strings.Contains(l, "permission denied"):
		return tr("runerr.permission", "Who", who, "Retry", retry)
	}
	return tr("runerr.failed", "Who", who, "Raw", raw, "Retry", retry)
}

var (
	statusRE = regexp.MustCompile(`: ([1-5]\d\d) [A-Z][A-Za-z ]*`)
	untilRE  = regexp.MustCompile(`until (\d{4}-\d\d-\d\dT[0-9:]+Z)`)
)

// serviceNameIn names the service a source reads, as a sentence's subject.
func serviceNameIn(tr Tr, sourceType string) string {
	switch sourceType {
	case "github":
		return "GitHub"
	case "discourse":
		return "Discourse"
	case "accesslog":
		return tr("runerr.who_accesslog")
	case "registry":
		return tr("runerr.who_registry")
	case "":
		return tr("runerr.who_source")
	}
	return strings.ToUpper(sourceType[:1]) + sourceType[1:]
}
