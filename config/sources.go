package config

import "go.yaml.in/yaml/v3"

// SourceConfig declares one source in the configuration file. Options are
// the source type's own settings (see ecopulse.example.yaml).
type SourceConfig struct {
	Name     string    `yaml:"name"`
	Type     string    `yaml:"type"`
	Schedule string    `yaml:"schedule"`
	Options  yaml.Node `yaml:"options"`
}

// The source types, and so whether a source's type and options can start,
// belong to the application that builds the collectors from them: it
// registers its check with SetSourceCheck (once, from an init function),
// and Validate runs it where it checks the sources section. Without one,
// sources are not checked here.
var sourceCheck func([]SourceConfig) error

// SetSourceCheck makes Validate run check on the declared sources: it
// reports the first one that cannot start (a bad name or schedule, an
// unknown type, options its type refuses).
func SetSourceCheck(check func([]SourceConfig) error) { sourceCheck = check }

// checkSources runs the registered source check, if any.
func checkSources(sources []SourceConfig) error {
	if sourceCheck == nil {
		return nil
	}
	return sourceCheck(sources)
}
