package app

import (
	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/collectors/discourse"
	"github.com/ecopulse/ecopulse/collectors/github"
	"github.com/ecopulse/ecopulse/collectors/registry"
	"github.com/ecopulse/ecopulse/config"
)

// The source types EcoPulse can be configured with (`type:` of a source).
// A configuration is valid only if its sources build: the configuration
// package checks them through buildSources.
func init() {
	config.SetSourceCheck(func(sources []config.SourceConfig) error {
		_, err := buildSources(sources)
		return err
	})
	sourceTypes["github"] = func(opts *yaml.Node) (collectors.Source, error) {
		var c github.Config
		if err := decodeOptions(opts, &c); err != nil {
			return nil, err
		}
		return github.New(c, nil)
	}
	sourceTypes["accesslog"] = func(opts *yaml.Node) (collectors.Source, error) {
		var c accesslog.Config
		if err := decodeOptions(opts, &c); err != nil {
			return nil, err
		}
		return accesslog.New(c)
	}
	sourceTypes["registry"] = func(opts *yaml.Node) (collectors.Source, error) {
		var c registry.Config
		if err := decodeOptions(opts, &c); err != nil {
			return nil, err
		}
		return registry.New(c)
	}
	sourceTypes["discourse"] = func(opts *yaml.Node) (collectors.Source, error) {
		var c discourse.Config
		if err := decodeOptions(opts, &c); err != nil {
			return nil, err
		}
		return discourse.New(c, nil)
	}
}
