package github

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Defaults of Config.
const (
	DefaultTokenEnv = "GITHUB_TOKEN"
	DefaultBaseURL  = "https://api.github.com"
	DefaultPerPage  = 100
	DefaultTimeout  = 30 * time.Second
	DefaultMaxWait  = 60 * time.Second
)

// Config configures the GitHub collector. Zero values take the defaults.
type Config struct {
	// Repos are the repositories to collect, as "owner/name".
	Repos []string `yaml:"repos"`
	// TokenEnv names the environment variable holding the API token, sent
	// as a bearer token when set (default GITHUB_TOKEN; unset: anonymous,
	// 60 requests an hour).
	TokenEnv string `yaml:"token_env"`
	// BaseURL is the REST API root (default https://api.github.com; GitHub
	// Enterprise Server: https://HOST/api/v3).
	BaseURL string `yaml:"base_url"`
	// PerPage is the page size of listings, 1..100 (default 100).
	PerPage int `yaml:"per_page"`
	// Bots are extra logins to mark as bots, besides accounts of type Bot
	// and logins ending in "[bot]".
	Bots []string `yaml:"bots"`
	// MaxWait is the longest rate-limit wait done within a run (default
	// 60s); a longer one ends the run with a transient error carrying the
	// wait, so that the runner retries after it.
	MaxWait time.Duration `yaml:"max_wait"`
	// Timeout bounds one HTTP request, connection to last byte (default
	// 30s); a request that takes longer fails as transient and is retried.
	Timeout time.Duration `yaml:"timeout"`
}

var repoRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9._-]+$`)

func (c Config) withDefaults() Config {
	if c.TokenEnv == "" {
		c.TokenEnv = DefaultTokenEnv
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.PerPage == 0 {
		c.PerPage = DefaultPerPage
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Validate returns an EINVALID error naming the first setting that cannot
// work. Zero values are valid: they take the defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	if len(c.Repos) == 0 {
		return domain.Errorf(domain.EINVALID, "github: repos must list at least one owner/name repository")
	}
	seen := map[string]bool{}
	for _, r := range c.Repos {
		if !repoRE.MatchString(r) || strings.HasSuffix(r, "/.") || strings.HasSuffix(r, "/..") {
			return domain.Errorf(domain.EINVALID, "github: repository %q is not owner/name", r)
		}
		if seen[strings.ToLower(r)] {
			return domain.Errorf(domain.EINVALID, "github: repository %q is listed twice", r)
		}
		seen[strings.ToLower(r)] = true
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return domain.Errorf(domain.EINVALID, "github: base_url %q must be an http(s) URL without query", c.BaseURL)
	}
	if c.PerPage < 1 || c.PerPage > 100 {
		return domain.Errorf(domain.EINVALID, "github: per_page must be between 1 and 100, got %d", c.PerPage)
	}
	if c.MaxWait < 0 {
		return domain.Errorf(domain.EINVALID, "github: max_wait cannot be negative")
	}
	if c.Timeout < 0 || c.Timeout > 10*time.Minute {
		return domain.Errorf(domain.EINVALID, "github: timeout must be between 0 (the default, 30s) and 10m, got %s", c.Timeout)
	}
	for _, b := range c.Bots {
		if strings.TrimSpace(b) == "" {
			return domain.Errorf(domain.EINVALID, "github: bots has an empty login")
		}
	}
	return nil
}
