package discourse

import (
	"net/url"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Defaults of Config.
const (
	DefaultRequestsPerMinute = 60
	DefaultTimeout           = 30 * time.Second
	DefaultMaxWait           = 60 * time.Second
)

// Config configures the Discourse collector. Zero values take the defaults.
type Config struct {
	// BaseURL is the forum's root URL, e.g. https://forum.example.com.
	BaseURL string `yaml:"base_url"`
	// APIKeyEnv names the environment variable holding an API key, sent as
	// the Api-Key header (unset: anonymous reads of public categories).
	APIKeyEnv string `yaml:"api_key_env"`
	// APIUsername is sent as Api-Username with the key (needed by
	// all-users keys).
	APIUsername string `yaml:"api_username"`
	// Categories, when set, limits collection to topics of these category ids.
	Categories []int `yaml:"categories"`
	// RequestsPerMinute paces requests (default 60; Discourse's default
	// limit for API keys).
	RequestsPerMinute int `yaml:"requests_per_minute"`
	// MaxWait is the longest 429 wait done within a run (default 60s); a
	// longer one ends the run with a transient error carrying the wait.
	MaxWait time.Duration `yaml:"max_wait"`
	// Timeout bounds one HTTP request, connection to last byte (default
	// 30s); a request that takes longer fails as transient and is retried.
	Timeout time.Duration `yaml:"timeout"`
}

func (c Config) withDefaults() Config {
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.RequestsPerMinute == 0 {
		c.RequestsPerMinute = DefaultRequestsPerMinute
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
// work. Zero values other than BaseURL are valid: they take the defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	u, err := url.Parse(c.BaseURL)
	if c.BaseURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return domain.Errorf(domain.EINVALID, "discourse: base_url %q must be the forum's http(s) URL", c.BaseURL)
	}
	if c.RequestsPerMinute < 0 {
		return domain.Errorf(domain.EINVALID, "discourse: requests_per_minute cannot be negative")
	}
	if c.MaxWait < 0 {
		return domain.Errorf(domain.EINVALID, "discourse: max_wait cannot be negative")
	}
	if c.Timeout < 0 || c.Timeout > 10*time.Minute {
		return domain.Errorf(domain.EINVALID, "discourse: timeout must be between 0 (the default, 30s) and 10m, got %s", c.Timeout)
	}
	if c.APIUsername != "" && c.APIKeyEnv == "" {
		return domain.Errorf(domain.EINVALID, "discourse: api_username is set without api_key_env")
	}
	for _, id := range c.Categories {
		if id <= 0 {
			return domain.Errorf(domain.EINVALID, "discourse: category id %d is not positive", id)
		}
	}
	return nil
}
