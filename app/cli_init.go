package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// `ecopulse init [DIR]`: the first run without the demo. It writes a
// commented starter configuration and the registry templates, so that a new
// owner edits files that already load instead of writing YAML from the
// README, and it never overwrites a file (an owner's edited registry is
// worth more than a template).

// InitFiles are the files Init writes, in the order it writes them.
var InitFiles = []string{"ecopulse.yaml", "registry.yaml", "members.csv"}

// Init writes the starter files into dir (created if missing) and prints
// what was written and the next steps to out. When any of the files exists
// it writes none and says which exist.
func Init(dir string, out io.Writer) error {
	if dir == "" {
		dir = "."
	}
	var exist []string
	for _, name := range InitFiles {
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); err == nil {
			exist = append(exist, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("init: %w", err)
		}
	}
	if len(exist) > 0 {
		return domain.Errorf(domain.ECONFLICT, "init: will not overwrite %s: nothing was written", strings.Join(exist, ", "))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	// Paths in the configuration are read from where ecopulse runs: the
	// files of a directory other than the current one are named with it.
	in := func(name string) string {
		if dir == "." {
			return name
		}
		return filepath.Join(dir, name)
	}
	contents := map[string]string{
		"ecopulse.yaml": initConfig(in("ecopulse.db"), in("registry.yaml"), in("members.csv")),
		"registry.yaml": initRegistry,
		"members.csv":   initMembersCSV,
	}
	for _, name := range InitFiles {
		if err := writeNew(filepath.Join(dir, name), contents[name]); err != nil {
			return err
		}
	}
	cfg := in("ecopulse.yaml")
	fmt.Fprintf(out, "Wrote %s, %s and %s.\n\n", cfg, in("registry.yaml"), in("members.csv"))
	fmt.Fprintf(out, `Next steps:
  1. Declare your members in %[2]s (members:, then projects: for cooperation agreements),
     or list them in %[3]s and uncomment its source in %[1]s.
  2. Check the configuration against the database: ecopulse config --check --config %[1]s
  3. Apply the registry now: ecopulse collect --config %[1]s registry
  4. Import API history: ecopulse import accesslog --config %[1]s --consumer-from ip FILE…
     (addresses are stored hashed: set $ECOPULSE_HASH_KEY), or uncomment the accesslog
     source in %[1]s to follow the gateway's logs.
  5. Serve: ecopulse serve --config %[1]s — then map API keys to members on /api-usage;
     the overview's getting-started checklist shows what is left.
`, cfg, in("registry.yaml"), in("members.csv"))
	return nil
}

// writeNew creates path with content; it fails if path appeared meanwhile.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return domain.Errorf(domain.ECONFLICT, "init: %s already exists; it was not overwritten", path)
	} else if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if _, err := io.WriteString(f, content); err != nil {
		f.Close()
		return fmt.Errorf("init: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	return nil
}

// yamlString quotes s for YAML: a double-quoted scalar takes Go's escapes
// for the printable text a path is.
func yamlString(s string) string { return strconv.Quote(s) }

func initConfig(db, registry, membersCSV string) string {
	return `# EcoPulse configuration, written by ecopulse init. Every key and its default is in
# ecopulse.example.yaml; ecopulse config --keys lists them. Paths are read from where
# ecopulse runs. Secrets come from the environment, never from this file.

db: ` + yamlString(db) + `   # SQLite database file (--db overrides)
addr: 127.0.0.1:8080        # HTTP listen address (serve --addr overrides)

sources:
  # Your members and cooperation agreements: members: and projects: in one YAML file,
  # re-read on every run and applied idempotently.
  - name: registry
    type: registry
    schedule: "@every 10m"
    options: {path: ` + yamlString(registry) + `}

  # The same members as a CSV exported from a spreadsheet (one member per row):
  # - name: members-csv
  #   type: registry
  #   schedule: "@every 10m"
  #   options: {path: ` + yamlString(membersCSV) + `}

  # Your API gateway's access logs, followed across rotation. Keep $request_time in the
  # log format: without it, latency is not measured (shown as —).
  # - name: gateway
  #   type: accesslog
  #   schedule: "@every 1m"
  #   options:
  #     paths: [/var/log/nginx/api.access.log*]
  #     format: log_format
  #     log_format: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'
  #     consumer: {from: ip}      # or remote_user, header (x-api-key), field, path_prefix
  #     # from: ip and header keys are stored as keyed hashes: set $ECOPULSE_HASH_KEY.

# API consumers → members (also done on /api-usage, or with ecopulse consumer map):
# consumers:
#   - {key: key_acme_prod, name: "Acme production", member: acme}

# People → members over time, by login, e-mail or e-mail domain (also done on /community):
# affiliation:
#   domains:
#     - {domain: acme.example, member: acme, from: "2025-01-01"}
#   people:
#     - name: Ada Example
#       email: ada@acme.example
#       logins: {github: adaex}
#       affiliations: [{member: acme, from: "2025-01-01"}]
`
}

// initRegistry is the registry template (the format is collectors/registry's
// package doc): two example members, applied as they are, and a commented
// example agreement between them.
const initRegistry = `# EcoPulse registry, written by ecopulse init: your ecosystem's members and
# cooperation agreements. Re-read on every run of the registry source and applied
# idempotently; a member is never deleted from here (archive it on its page or with
# ecopulse member archive). Replace the examples with your own.

members:
  - slug: acme                    # lower-case letters, digits, dashes
    name: Acme AI
    kind: partner                 # partner, developer_org, research or internal
    joined: 2025-01-15            # YYYY-MM-DD
    segment: NLP                  # optional
    tier: gold                    # optional
    domains: [acme.example]       # optional: e-mail and web domains of its people
    github_orgs: [acme-ai]        # optional: its GitHub organisations
    key_patterns: ["acme-*"]      # optional: its API keys or consumers (* wildcard)
  - slug: beta-labs
    name: Beta Labs
    kind: research
    joined: 2025-03-01

projects: []
# projects:
#   - slug: speech-kit
#     name: Speech Kit
#     status: active              # planned, active, completed or cancelled
#     start: 2026-01-15
#     end: 2026-12-31             # optional
#     repos: [acme-ai/speech-kit] # optional
#     parties:
#       - {member: acme, role: lead}
#       - {member: beta-labs, role: contributor}
#     milestones:                 # id: stable key within the project
#       - {id: m1, title: Beta SDK, due: 2026-03-01}
#       - {id: m2, title: GA, due: 2026-06-30}
`

// initMembersCSV is the members template as a spreadsheet would export it.
const initMembersCSV = `# EcoPulse members, written by ecopulse init: one member per row. Lines starting with #
# are skipped. kind: partner, developer_org, research or internal; joined: YYYY-MM-DD;
# lists (domains, github_orgs, key_patterns) separated by spaces or semicolons.
slug,name,kind,joined,segment,tier,domains,github_orgs,key_patterns
acme,Acme AI,partner,2025-01-15,NLP,gold,acme.example,acme-ai,acme-*
beta-labs,Beta Labs,research,2025-03-01,,,,,
`
