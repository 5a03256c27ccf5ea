package domain

import (
	"regexp"
	"time"
)

// API versions and their lifecycle (docs/api-versions.md). The platform's
// operator declares its versions in the configuration (api_versions): each
// owns the endpoints that match one of its patterns, and goes through
// released → deprecated → sunset. A call belongs to the first version whose
// pattern matches its endpoint — the normalised path the collectors store —
// so stored history is classified again whenever the declarations change.

// Version statuses on a day.
const (
	VersionUpcoming   = "upcoming"   // not released yet
	VersionCurrent    = "current"    // released, not deprecated
	VersionDeprecated = "deprecated" // deprecated, before its sunset
	VersionSunset     = "sunset"     // on or after its sunset day
)

// Unversioned names the calls whose endpoint no declared version matches.
const Unversioned = "unversioned"

// APIVersion is one declared version. Zero days are not declared.
type APIVersion struct {
	Name        string
	Patterns    []*regexp.Regexp // over normalised endpoint paths
	Released    time.Time
	Deprecated  time.Time
	Sunset      time.Time
	Replacement string // the version to migrate to ("" none named)
}

// StatusOn is the version's status on day.
func (v APIVersion) StatusOn(day time.Time) string {
	day = Day(day)
	switch {
	case !v.Sunset.IsZero() && !day.Before(v.Sunset):
		return VersionSunset
	case !v.Deprecated.IsZero() && !day.Before(v.Deprecated):
		return VersionDeprecated
	case !v.Released.IsZero() && day.Before(v.Released):
		return VersionUpcoming
	}
	return VersionCurrent
}

// DeprecatedOn says whether a call on day was made to a deprecated version:
// one deprecated (or sunset) on or before that day.
func (v APIVersion) DeprecatedOn(day time.Time) bool {
	s := v.StatusOn(day)
	return s == VersionDeprecated || s == VersionSunset
}

// APIVersions are the declared versions, in declaration order: the first
// whose pattern matches an endpoint owns it.
type APIVersions struct {
	List []APIVersion
	// cache maps endpoints already classified to their version's index: a
	// page classifies the same few endpoints thousands of times.
	cache map[string]int
}

// NewAPIVersions checks declarations: names non-empty and unique, at least
// one pattern each, deprecated on or after released, sunset on or after
// deprecated (a sunset needs a deprecation), a replacement that is declared
// and is not the version itself.
func NewAPIVersions(list []APIVersion) (*APIVersions, error) {
	seen := map[string]bool{}
	for i, v := range list {
		switch {
		case v.Name == "" || v.Name == Unversioned:
			return nil, Errorf(EINVALID, "api_versions[%d]: name is required (and %q is reserved)", i, Unversioned)
		case seen[v.Name]:
			return nil, Errorf(EINVALID, "api_versions[%d]: version %q is declared twice", i, v.Name)
		case len(v.Patterns) == 0:
			return nil, Errorf(EINVALID, "api_versions[%d] (%s): endpoints needs at least one pattern", i, v.Name)
		case !v.Sunset.IsZero() && v.Deprecated.IsZero():
			return nil, Errorf(EINVALID, "api_versions[%d] (%s): a sunset needs a deprecated day", i, v.Name)
		case !v.Deprecated.IsZero() && !v.Released.IsZero() && v.Deprecated.Before(v.Released):
			return nil, Errorf(EINVALID, "api_versions[%d] (%s): deprecated is before released", i, v.Name)
		case !v.Sunset.IsZero() && v.Sunset.Before(v.Deprecated):
			return nil, Errorf(EINVALID, "api_versions[%d] (%s): sunset is before deprecated", i, v.Name)
		}
		seen[v.Name] = true
	}
	for i, v := range list {
		if v.Replacement != "" && (!seen[v.Replacement] || v.Replacement == v.Name) {
			return nil, Errorf(EINVALID, "api_versions[%d] (%s): replacement %q is not another declared version", i, v.Name, v.Replacement)
		}
	}
	return &APIVersions{List: list, cache: map[string]int{}}, nil
}

// Declared says whether any version is declared (nil: none).
func (vs *APIVersions) Declared() bool { return vs != nil && len(vs.List) > 0 }

// Classify returns the index of the version that owns endpoint, or -1 when
// none does. It is not safe for concurrent use: each reader takes a Clone.
func (vs *APIVersions) Classify(endpoint string) int {
	if !vs.Declared() {
		return -1
	}
	if i, ok := vs.cache[endpoint]; ok {
		return i
	}
	i := -1
	for j, v := range vs.List {
		if matchesAny(v.Patterns, endpoint) {
			i = j
			break
		}
	}
	if len(vs.cache) < 100000 { // bounded: endpoints are normalised, but a hostile log has many
		vs.cache[endpoint] = i
	}
	return i
}

// Clone returns the same declarations with a cache of their own.
func (vs *APIVersions) Clone() *APIVersions {
	if vs == nil {
		return nil
	}
	return &APIVersions{List: vs.List, cache: map[string]int{}}
}

func matchesAny(ps []*regexp.Regexp, s string) bool {
	for _, p := range ps {
		if p.MatchString(s) {
			return true
		}
	}
	return false
}

// EndpointCalls are the calls one member (Member "" : unmapped consumers)
// made to one endpoint on one day.
type EndpointCalls struct {
	Day      time.Time
	Member   string
	Endpoint string
	Calls    int64
}
