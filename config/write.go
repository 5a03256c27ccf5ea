package config

import (
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ecopulse/ecopulse/data"
)

// WriteEffective writes what `ecopulse config` prints: a header that says
// where the configuration came from — the file's path and the names of the
// overriding variables and --set keys, never their values — then c as YAML
// with its secrets masked.
func WriteEffective(w io.Writer, c Config, file string, o Overrides) error {
	var b strings.Builder
	b.WriteString("# EcoPulse effective configuration: defaults < file < ECOPULSE_* environment < --set (then --db, --addr).\n")
	b.WriteString("# Secrets are masked (***). Lists (sources, consumers, affiliation) come from the file only.\n")
	if file != "" {
		fmt.Fprintf(&b, "# file: %s\n", file)
	}
	fromEnv, ignored := o.envNames()
	if len(fromEnv) > 0 {
		fmt.Fprintf(&b, "# from the environment: %s\n", strings.Join(fromEnv, " "))
	}
	if len(o.Sets) > 0 {
		keys := make([]string, 0, len(o.Sets))
		for _, kv := range o.Sets {
			k, _, _ := strings.Cut(kv, "=")
			keys = append(keys, k)
		}
		fmt.Fprintf(&b, "# from --set: %s\n", strings.Join(keys, " "))
	}
	if len(ignored) > 0 {
		fmt.Fprintf(&b, "# ECOPULSE_* variables that name no setting (not applied here): %s\n", strings.Join(ignored, " "))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return Write(w, c)
}

// WriteKeys lists every setting with its environment variable and type
// (`ecopulse config --keys`).
func WriteKeys(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-46s %-46s %s\n", "KEY (--set KEY=VALUE)", "ENVIRONMENT VARIABLE", "TYPE")
	for _, s := range Settings() {
		typ := s.Type
		if s.FileOnly {
			typ += " (file only)"
		}
		if s.Secret {
			typ += ", secret"
		}
		fmt.Fprintf(&b, "%-46s %-46s %s\n", s.Key, s.Env, typ)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Write writes c as YAML with its secrets masked. c itself is not
// changed.
func Write(w io.Writer, c Config) error {
	if data.IsPostgresURL(c.DB) {
		if _, err := url.Parse(c.DB); err != nil {
			// The masks read URLs: one that does not parse would print
			// as it is, password and all.
			c.DB = "postgres://" + masked + " (not a readable URL)"
		}
	}
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return err
	}
	maskNode(&n, reflect.TypeFor[Config]())
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return err
	}
	return enc.Close()
}
