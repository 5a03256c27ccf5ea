package app

import (
	"context"
	"os"
	"slices"
	"strings"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// What the access-log sources of the configuration lend to the commands
// and routes that must identify consumers exactly as those sources do:
// `ecopulse import accesslog --source NAME`, and mapping a consumer by
// pasting its secret.

// accessLogConfig returns the options of the configured accesslog source
// named name.
func accessLogConfig(sources []config.SourceConfig, name string) (accesslog.Config, error) {
	var cfg accesslog.Config
	for _, sc := range sources {
		if sc.Name != name {
			continue
		}
		if sc.Type != "accesslog" {
			return cfg, domain.Errorf(domain.EINVALID, "source %q is a %s source, not an accesslog one", name, sc.Type)
		}
		if err := decodeOptions(&sc.Options, &cfg); err != nil {
			return cfg, domain.Errorf(domain.EINVALID, "source %q: %v", name, err)
		}
		return cfg, nil
	}
	var names []string
	for _, sc := range sources {
		if sc.Type == "accesslog" {
			names = append(names, sc.Name)
		}
	}
	return cfg, domain.Errorf(domain.EINVALID, "no accesslog source named %q in the configuration (accesslog sources: %v)", name, names)
}

// importConfig builds the access-log configuration of an import.
func importConfig(sources []config.SourceConfig, opt ImportOptions) (accesslog.Config, error) {
	cfg := accesslog.Config{Format: opt.Format, LogFormat: opt.LogFormat}
	if opt.Source != "" {
		if opt.Format != "" || opt.LogFormat != "" || opt.ConsumerFrom != "" {
			return cfg, domain.Errorf(domain.EINVALID, "--source %s sets the format and the consumer: give --format, --nginx-format or --consumer-from without --source", opt.Source)
		}
		src, err := accessLogConfig(sources, opt.Source)
		if err != nil {
			return cfg, err
		}
		// The files are the command's; chunking is the import's own.
		src.Paths, src.ChunkLines = nil, 0
		return src, nil
	}
	from, name, _ := strings.Cut(opt.ConsumerFrom, ":")
	switch {
	case opt.ConsumerFrom == "":
	case opt.ConsumerFrom == "remote_user":
		cfg.Consumer = accesslog.ConsumerConfig{From: accesslog.ConsumerField, Name: "remote_user"}
	case (from == accesslog.ConsumerHeader || from == accesslog.ConsumerField) && strings.TrimSpace(name) != "":
		cfg.Consumer = accesslog.ConsumerConfig{From: from, Name: strings.TrimSpace(name)}
	case opt.ConsumerFrom == accesslog.ConsumerIP || opt.ConsumerFrom == accesslog.ConsumerNone:
		cfg.Consumer = accesslog.ConsumerConfig{From: opt.ConsumerFrom}
	default:
		return cfg, domain.Errorf(domain.EINVALID, "--consumer-from must be remote_user, header:NAME, field:NAME, ip or none (path_prefix: through --source), got %q", opt.ConsumerFrom)
	}
	return cfg, nil
}

// hashKeyEnvs lists the variables that hold the hash keys consumers may
// have been hashed with: ECOPULSE_HASH_KEY and every accesslog source's
// hash_key_env, each once.
func hashKeyEnvs(sources []config.SourceConfig) []string {
	envs := []string{accesslog.DefaultHashKeyEnv}
	for _, sc := range sources {
		if sc.Type != "accesslog" {
			continue
		}
		var cfg accesslog.Config
		if decodeOptions(&sc.Options, &cfg) == nil && cfg.HashKeyEnv != "" && !slices.Contains(envs, cfg.HashKeyEnv) {
			envs = append(envs, cfg.HashKeyEnv)
		}
	}
	return envs
}

// secretConsumerKey returns the consumer key a pasted secret is stored
// under: its keyed hash, as the access logs compute it (endpoint.SecretKey).
// When sources hash with different keys, the one whose consumer exists
// wins. The error never holds the secret.
func secretConsumerKey(ctx context.Context, db *data.DB, sources []config.SourceConfig, secret string) (string, error) {
	if endpoint.Credential(secret) == "" {
		return "", domain.Errorf(domain.EINVALID, "key: the secret is empty")
	}
	var keys []string
	var envs []string
	for _, env := range hashKeyEnvs(sources) {
		envs = append(envs, env)
		if k := os.Getenv(env); len(k) >= 16 {
			if key := endpoint.SecretKey([]byte(k), secret); !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	switch len(keys) {
	case 0:
		return "", domain.Errorf(domain.EINVALID, "a secret is hashed with the consumers' hash key: set the environment variable %s (hash_key_env of the accesslog sources: %v) to the key they use", accesslog.DefaultHashKeyEnv, envs)
	case 1:
		return keys[0], nil
	}
	for _, key := range keys {
		rows, _, err := db.ConsumerList(ctx, data.ConsumerQuery{Search: key, Limit: 10})
		if err != nil {
			return "", err
		}
		for _, r := range rows {
			if r.Key == key {
				return key, nil
			}
		}
	}
	return "", domain.Errorf(domain.ENOTFOUND, "no API consumer has this secret")
}
