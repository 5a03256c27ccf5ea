package app

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The planted ecosystem's files as its operators keep them: the
// partnership team's registry (members and cooperation projects, YAML), a
// members CSV exported from a spreadsheet, and EcoPulse's configuration
// (sources, consumer mappings, people and an e-mail domain rule).

type plantedRegMember struct {
	Slug        string   `yaml:"slug"`
	Name        string   `yaml:"name"`
	Kind        string   `yaml:"kind"`
	Joined      string   `yaml:"joined"`
	Segment     string   `yaml:"segment,omitempty"`
	Tier        string   `yaml:"tier,omitempty"`
	Domains     []string `yaml:"domains,omitempty"`
	GitHubOrgs  []string `yaml:"github_orgs,omitempty"`
	KeyPatterns []string `yaml:"key_patterns,omitempty"`
}

type plantedRegParty struct {
	Member string `yaml:"member"`
	Role   string `yaml:"role"`
}

type plantedRegMilestone struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	Due   string `yaml:"due"`
	Done  string `yaml:"done,omitempty"`
}

type plantedRegProject struct {
	Slug       string                `yaml:"slug"`
	Name       string                `yaml:"name"`
	Status     string                `yaml:"status"`
	Start      string                `yaml:"start"`
	End        string                `yaml:"end,omitempty"`
	Parties    []plantedRegParty     `yaml:"parties"`
	Milestones []plantedRegMilestone `yaml:"milestones,omitempty"`
}

// domains are a member's e-mail and web domains.
func (m *plantedMember) domains() []string { return []string{m.Slug + ".example"} }

// input is the member as the command and the JSON API take it.
func (m *plantedMember) input() MemberInput {
	return MemberInput{Slug: m.Slug, Name: m.Name, Kind: m.Kind, Segment: m.Segment, Tier: m.Tier, Joined: m.Joined,
		Domains: m.domains(), GitHubOrgs: []string{m.Slug}, KeyPatterns: m.KeyPatterns}
}

// plantedFiles are the written inputs.
type plantedFiles struct {
	Config, Registry, MembersCSV, Logs string
}

// writePlantedFiles writes the registry, the members CSV and the
// configuration into dir; the store is db, the GitHub source reads
// githubURL with the token in the variable tokenEnv.
func writePlantedFiles(dir, db string, e *plantedEcosystem, githubURL, tokenEnv string) (*plantedFiles, error) {
	f := &plantedFiles{Config: filepath.Join(dir, "ecopulse.yaml"), Registry: filepath.Join(dir, "registry.yaml"),
		MembersCSV: filepath.Join(dir, "members.csv"), Logs: filepath.Join(dir, "logs")}
	if err := os.MkdirAll(f.Logs, 0o700); err != nil {
		return nil, err
	}

	var reg struct {
		Members  []plantedRegMember  `yaml:"members"`
		Projects []plantedRegProject `yaml:"projects"`
	}
	var rows [][]string
	rows = append(rows, []string{"slug", "name", "kind", "joined", "segment", "tier", "domains", "github_orgs", "key_patterns"})
	for _, m := range e.Members {
		switch m.Via {
		case "registry":
			reg.Members = append(reg.Members, plantedRegMember{Slug: m.Slug, Name: m.Name, Kind: m.Kind, Joined: m.Joined,
				Segment: m.Segment, Tier: m.Tier, Domains: m.domains(), GitHubOrgs: []string{m.Slug}, KeyPatterns: m.KeyPatterns})
		case "csv":
			rows = append(rows, []string{m.Slug, m.Name, m.Kind, m.Joined, m.Segment, m.Tier, strings.Join(m.domains(), " "),
				m.Slug, strings.Join(m.KeyPatterns, " ")})
		}
	}
	for _, p := range e.Projects {
		rp := plantedRegProject{Slug: p.Slug, Name: p.Name, Status: p.Status, Start: plantedDate(p.Start)}
		if p.End != 0 {
			rp.End = plantedDate(p.End)
		}
		for i, s := range p.Parties {
			role := "partner"
			if i == 0 {
				role = "lead"
			}
			rp.Parties = append(rp.Parties, plantedRegParty{Member: s, Role: role})
		}
		for _, ms := range p.Milestones {
			rm := plantedRegMilestone{ID: ms.ID, Title: ms.Title, Due: plantedDate(ms.Due)}
			if ms.Done >= 0 {
				rm.Done = plantedDate(ms.Done)
			}
			rp.Milestones = append(rp.Milestones, rm)
		}
		reg.Projects = append(reg.Projects, rp)
	}
	b, err := yaml.Marshal(&reg)
	if err != nil {
		return nil, err
	}
	b = append([]byte("# Members and cooperation projects, kept by the partnership team.\n"), b...)
	if err := os.WriteFile(f.Registry, b, 0o600); err != nil {
		return nil, err
	}
	var csvText strings.Builder
	w := csv.NewWriter(&csvText)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	if err := os.WriteFile(f.MembersCSV, []byte(csvText.String()), 0o600); err != nil {
		return nil, err
	}

	// The configuration.
	type source struct {
		Name     string         `yaml:"name"`
		Type     string         `yaml:"type"`
		Schedule string         `yaml:"schedule"`
		Options  map[string]any `yaml:"options"`
	}
	type person struct {
		Name         string              `yaml:"name"`
		Email        string              `yaml:"email,omitempty"`
		Logins       map[string]string   `yaml:"logins"`
		Affiliations []map[string]string `yaml:"affiliations,omitempty"`
	}
	var cfg struct {
		DB          string           `yaml:"db"`
		Sources     []source         `yaml:"sources"`
		Consumers   []map[string]any `yaml:"consumers"`
		Affiliation struct {
			People  []person            `yaml:"people"`
			Domains []map[string]string `yaml:"domains"`
		} `yaml:"affiliation"`
	}
	cfg.DB = db
	cfg.Sources = []source{
		{"partners-csv", "registry", "@every 1h", map[string]any{"path": f.MembersCSV}},
		{"agreements", "registry", "@every 10m", map[string]any{"path": f.Registry}},
		{"community", "github", "*/15 * * * *", map[string]any{"repos": plantedRepos, "base_url": githubURL, "token_env": tokenEnv}},
		{"gateway", "accesslog", "@every 1m", map[string]any{"paths": []string{filepath.Join(f.Logs, "api.access.log*")},
			"format": "log_format", "log_format": plantedLogFormat,
			"consumer": map[string]string{"from": "header", "name": "X-Consumer-Username"}}},
	}
	for _, m := range e.Members {
		for _, c := range m.Consumers {
			if c.MapVia == "config" {
				cfg.Consumers = append(cfg.Consumers, map[string]any{"key": c.Key, "name": m.Name + " " + c.Key, "member": m.Slug})
			}
		}
		for _, p := range m.People {
			switch p.Via {
			case "config":
				cfg.Affiliation.People = append(cfg.Affiliation.People, person{Name: p.Name, Logins: map[string]string{"github": p.Login},
					Affiliations: []map[string]string{{"member": m.Slug, "from": m.Joined}}})
			case "domain":
				cfg.Affiliation.People = append(cfg.Affiliation.People, person{Name: p.Name, Email: p.Email,
					Logins: map[string]string{"github": p.Login}})
			}
		}
		if len(m.People) > 0 && m.People[0].Via == "domain" {
			cfg.Affiliation.Domains = append(cfg.Affiliation.Domains, map[string]string{"domain": strings.SplitN(m.People[0].Email, "@", 2)[1],
				"member": m.Slug, "from": m.Joined})
		}
	}
	if b, err = yaml.Marshal(&cfg); err != nil {
		return nil, err
	}
	return f, os.WriteFile(f.Config, b, 0o600)
}
