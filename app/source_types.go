package app

import (
	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/collectors/discourse"
	"github.com/ecopulse/ecopulse/collectors/github"
)

// The source types EcoPulse can be configured with (`type:` of a source).
func init() {
	sourceTypes["github"] = func(opts *yaml.Node) (collectors.Source, error) {
		var c github.Config
		if err := decodeOptions(opts, &c); err != nil {
			return nil, err
		}
		return github.New(c, nil)
	}
	sourceTypes["discourse"] = func(opts *yaml.Node) (collectors.Source, error) {
		var c discourse.Config
		if err := decodeOptions(opts, &c); err != nil {
			return nil, err
		}
		return discourse.New(c, nil)
	}
}
