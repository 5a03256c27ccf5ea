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
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	who := serviceName(sourceType)
	retry := ""
	if !next.IsZero() {
		retry = "; the next run is at " + next.UTC().Format("15:04") + " UTC"
	}
	l := strings.ToLower(raw)
	switch {
	case strings.Contains(l, "rate limit"):
		until := ""
		if m := untilRE.FindStringSubmatch(raw); m != nil {
			if t, err := time.Parse(time.RFC3339, m[1]); err == nil {
				until = " until " + t.UTC().Format("15:04") + " UTC"
			}
		}
		return who + " limits how fast it may be read" + until + ": nothing is lost, the run goes on where it stopped" + retry + "."
	case strings.Contains(l, "no such host"):
		return who + " could not be reached: its host name does not resolve (check the URL, or this server's DNS)" + retry + "."
	case strings.Contains(l, "connection refused"), strings.Contains(l, "connection reset"), strings.Contains(l, "network is unreachable"):
		return who + " could not be reached: the connection was refused or cut" + retry + "."
	case strings.Contains(l, "timeout"), strings.Contains(l, "deadline exceeded"):
		return who + " did not answer in time" + retry + "."
	case statusRE.MatchString(raw):
		m := statusRE.FindStringSubmatch(raw)
		switch m[1] {
		case "401":
			return who + " refused the credentials (401): check the token or API key in the source's environment variable" + retry + "."
		case "403":
			return who + " refused access (403): the token may lack a scope, or the resource is private" + retry + "."
		case "404":
			return who + " answered 404 (not found): check the repository, forum or URL in the source's options" + retry + "."
		}
		if strings.HasPrefix(m[1], "5") {
			return who + " had an error of its own (" + m[1] + ")" + retry + "."
		}
		return who + " answered " + m[1] + retry + "."
	case strings.Contains(l, "no such file or directory"):
		return who + ": a file it reads does not exist (check the path in the source's options)" + retry + "."
	case strings.Contains(l, "permission denied"):
		return who + ": EcoPulse may not read a file it needs (permission denied)" + retry + "."
	}
	return who + " failed: " + raw + retry + "."
}

var (
	statusRE = regexp.MustCompile(`: ([1-5]\d\d) [A-Z][A-Za-z ]*`)
	untilRE  = regexp.MustCompile(`until (\d{4}-\d\d-\d\dT[0-9:]+Z)`)
)

func serviceName(sourceType string) string {
	switch sourceType {
	case "github":
		return "GitHub"
	case "discourse":
		return "Discourse"
	case "accesslog":
		return "The access log"
	case "registry":
		return "The registry file"
	case "":
		return "The source"
	}
	return strings.ToUpper(sourceType[:1]) + sourceType[1:]
}
