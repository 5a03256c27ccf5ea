package config

import "github.com/ecopulse/ecopulse/domain"

// IngestConfig bounds what push ingest accepts beyond a request's size.
type IngestConfig struct {
	// MaxNewConsumersPerDay is how many new API consumers one ingest
	// token may create per UTC day; a batch that would go over is refused
	// whole. 0 turns the limit off.
	MaxNewConsumersPerDay int `yaml:"max_new_consumers_per_day"`
}

// DefaultIngestConfig returns the ingest limits used when no file sets them.
func DefaultIngestConfig() IngestConfig {
	return IngestConfig{MaxNewConsumersPerDay: 1000}
}

// Validate reports a limit that cannot work.
func (c IngestConfig) Validate() error {
	if c.MaxNewConsumersPerDay < 0 {
		return domain.Errorf(domain.EINVALID, "config: ingest.max_new_consumers_per_day cannot be negative (0 turns the limit off)")
	}
	return nil
}
