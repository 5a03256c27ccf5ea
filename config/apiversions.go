package config

import (
	"regexp"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// APIVersionConfig declares one version of the platform's API (config key
// "api_versions", a list; docs/api-versions.md). Days are YYYY-MM-DD, ""
// when not (yet) decided.
type APIVersionConfig struct {
	Name string `yaml:"name"`
	// Endpoints are regular expressions over the endpoint paths as stored
	// (normalised: /v1/models/:id); a call belongs to the first version, in
	// the order declared, with a pattern that matches.
	Endpoints   []string `yaml:"endpoints"`
	Released    string   `yaml:"released"`
	Deprecated  string   `yaml:"deprecated"`
	Sunset      string   `yaml:"sunset"`
	Replacement string   `yaml:"replacement"`
}

// MaxSunsetDays bounds alerts.sunset_days: the /api-versions page reads
// that many days back, within its chart's half year.
const MaxSunsetDays = 180

// DefaultSunsetDays is the sunset warning of the page when the sunset
// alert rule is off.
const DefaultSunsetDays = 30

// APIVersions compiles the declarations; nil when none is declared. An
// error is EINVALID and names the declaration.
func (c Config) APIVersions() (*domain.APIVersions, error) {
	if len(c.Versions) == 0 {
		return nil, nil
	}
	list := make([]domain.APIVersion, len(c.Versions))
	for i, vc := range c.Versions {
		v := domain.APIVersion{Name: vc.Name, Replacement: vc.Replacement}
		for _, p := range vc.Endpoints {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, domain.Errorf(domain.EINVALID, "config: api_versions[%d] (%s): endpoint pattern %q does not compile: %v", i, vc.Name, p, err)
			}
			v.Patterns = append(v.Patterns, re)
		}
		for _, d := range []struct {
			key, s string
			dst    *time.Time
		}{{"released", vc.Released, &v.Released}, {"deprecated", vc.Deprecated, &v.Deprecated}, {"sunset", vc.Sunset, &v.Sunset}} {
			if d.s == "" {
				continue
			}
			day, err := domain.ParseDay(d.s)
			if err != nil {
				return nil, domain.Errorf(domain.EINVALID, "config: api_versions[%d] (%s): %s must be a day YYYY-MM-DD, not %q", i, vc.Name, d.key, d.s)
			}
			*d.dst = day
		}
		list[i] = v
	}
	vs, err := domain.NewAPIVersions(list)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "config: %v", err)
	}
	return vs, nil
}

// SunsetWarningDays is N of "still calling within N days of its sunset":
// the sunset alert rule's days, or DefaultSunsetDays when the rule is off.
func (c Config) SunsetWarningDays() int {
	if c.Alerts.SunsetDays > 0 {
		return c.Alerts.SunsetDays
	}
	return DefaultSunsetDays
}
