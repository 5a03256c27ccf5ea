package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func writeConfigFile(tb testing.TB, body string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "ecopulse.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestEverySettingHasItsVariable(t *testing.T) {
	byKey := map[string]Setting{}
	seen := map[string]string{}
	for _, s := range Settings() {
		if other, dup := seen[s.Env]; dup {
			t.Errorf("%s and %s share the variable %s", other, s.Key, s.Env)
		}
		seen[s.Env] = s.Key
		byKey[s.Key] = s
	}
	for key, want := range map[string]struct{ env, typ string }{
		"db":                                {"ECOPULSE_DB", "string"},
		"addr":                              {"ECOPULSE_ADDR", "string"},
		"schedules.score":                   {"ECOPULSE_SCHEDULES_SCORE", "string"},
		"shutdown_timeout":                  {"ECOPULSE_SHUTDOWN_TIMEOUT", "duration"},
		"scoring.window_days":               {"ECOPULSE_SCORING_WINDOW_DAYS", "int"},
		"scoring.technical.weights.latency": {"ECOPULSE_SCORING_TECHNICAL_WEIGHTS_LATENCY", "float"},
		"alerts.milestone_overdue":          {"ECOPULSE_ALERTS_MILESTONE_OVERDUE", "bool"},
		"alerts.error_rate_min_calls":       {"ECOPULSE_ALERTS_ERROR_RATE_MIN_CALLS", "int"},
		"alerts.webhook.url":                {"ECOPULSE_ALERTS_WEBHOOK_URL", "string"},
		"snapshots.timezone":                {"ECOPULSE_SNAPSHOTS_TIMEZONE", "string"},
		"scoring.health.community_weights.activity": {"ECOPULSE_SCORING_HEALTH_COMMUNITY_WEIGHTS_ACTIVITY", "float"},
	} {
		s, ok := byKey[key]
		if !ok {
			t.Errorf("no setting %s", key)
			continue
		}
		if got := s.Env; got != want.env {
			t.Errorf("%s: variable %s, want %s", key, got, want.env)
		}
		if got := s.Type; got != want.typ {
			t.Errorf("%s: type %s, want %s", key, got, want.typ)
		}
	}
	for _, key := range []string{"sources", "consumers", "affiliation.people", "affiliation.domains"} {
		if s := byKey[key]; !s.FileOnly {
			t.Errorf("%s: FileOnly = false, want a file-only list", key)
		}
	}
	if s := byKey["alerts.webhook.url"]; !s.Secret {
		t.Error(`alerts.webhook.url is not tagged secret:"true"`)
	}
}

// TestEveryScalarSettingCanBeOverridden sets each scalar setting through
// its variable and through --set, and checks it reached its field: the
// reflection covers every key of Config, including ones added later.
func TestEveryScalarSettingCanBeOverridden(t *testing.T) {
	values := map[string]string{"string": "x-1", "int": "7", "float": "0.375", "bool": "", "duration": "42s"}
	for _, s := range Settings() {
		if s.FileOnly {
			continue
		}
		base := Default()
		cur := reflect.ValueOf(base).FieldByIndex(s.index)
		val := values[s.Type]
		if fmt.Sprint(cur.Interface()) == val { // the test value happens to be the default
			val = "8"
		}
		if s.Type == "bool" {
			val = "true"
			if cur.Bool() {
				val = "false"
			}
		}
		for name, o := range map[string]Overrides{
			"env":   {Environ: []string{s.Env + "=" + val}},
			"--set": {Sets: []string{s.Key + "=" + val}},
		} {
			c := Default()
			if err := o.apply(&c); err != nil {
				t.Errorf("%s %s=%s: %v", name, s.Key, val, err)
				continue
			}
			got := reflect.ValueOf(c).FieldByIndex(s.index)
			if reflect.DeepEqual(got.Interface(), cur.Interface()) {
				t.Errorf("%s %s=%s left the default %v", name, s.Key, val, cur.Interface())
			}
		}
	}
}

// TestConfigPrecedence: defaults < file < environment < --set.
func TestConfigPrecedence(t *testing.T) {
	path := writeConfigFile(t, "shutdown_timeout: 3s\nbackfill_days: 30\nscoring:\n  window_days: 14\nschedules:\n  score: \"@every 10m\"\n")
	o := Overrides{
		Environ: []string{
			"ECOPULSE_SCORING_WINDOW_DAYS=21",
			"ECOPULSE_SCHEDULES_SCORE=@every 2m",
			"ECOPULSE_ALERTS_MILESTONE_OVERDUE=off",
			"ECOPULSE_DB=", // empty: unset
			"ECOPULSE_HASH_KEY=not-a-setting",
			"HOME=/root",
		},
		Sets: []string{"scoring.window_days=7", "alerts.health_below=55.5", "addr=0.0.0.0:9090"},
	}
	c, err := LoadWith(path, o)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	for _, tc := range []struct {
		what      string
		got, want any
	}{
		{"window_days: --set over env over file", c.Scoring.WindowDays, 7},
		{"schedules.score: env over file", c.Schedules.Score, "@every 2m"},
		{"shutdown_timeout: file over defaults", c.ShutdownTimeout, 3 * time.Second},
		{"backfill_days: file", c.BackfillDays, 30},
		{"milestone_overdue: env over defaults", c.Alerts.MilestoneOverdue, false},
		{"health_below: --set over defaults", c.Alerts.HealthBelow, 55.5},
		{"addr: --set", c.Addr, "0.0.0.0:9090"},
		{"db: an empty variable is unset", c.DB, def.DB},
		{"a key nobody set keeps its default", c.Scoring.Investment.Calls, def.Scoring.Investment.Calls},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.what, tc.got, tc.want)
		}
	}
	// The same through Load, which reads the process environment.
	t.Setenv("ECOPULSE_SCORING_WINDOW_DAYS", "9")
	t.Setenv("ECOPULSE_SHUTDOWN_TIMEOUT", "1m")
	c, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Scoring.WindowDays, 9; got != want {
		t.Errorf("Load: window_days = %d, want %d from $ECOPULSE_SCORING_WINDOW_DAYS", got, want)
	}
	if got, want := c.ShutdownTimeout, time.Minute; got != want {
		t.Errorf("Load: shutdown_timeout = %v, want %v from $ECOPULSE_SHUTDOWN_TIMEOUT", got, want)
	}
}

// TestBadOverridesNameTheVariable: a value that does not parse, or that
// names a list, is refused with the variable (or --set key) in the message.
func TestBadOverridesNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		o    Overrides
		want []string
	}{
		{Overrides{Environ: []string{"ECOPULSE_SCORING_WINDOW_DAYS=abc"}}, []string{"ECOPULSE_SCORING_WINDOW_DAYS", `"abc"`, "whole number"}},
		{Overrides{Environ: []string{"ECOPULSE_SHUTDOWN_TIMEOUT=15"}}, []string{"ECOPULSE_SHUTDOWN_TIMEOUT", "duration"}},
		{Overrides{Environ: []string{"ECOPULSE_ALERTS_MILESTONE_OVERDUE=maybe"}}, []string{"ECOPULSE_ALERTS_MILESTONE_OVERDUE", "boolean"}},
		{Overrides{Environ: []string{"ECOPULSE_ALERTS_HEALTH_BELOW=NaN"}}, []string{"ECOPULSE_ALERTS_HEALTH_BELOW", "finite number"}},
		{Overrides{Environ: []string{"ECOPULSE_BACKFILL_DAYS=99999999999999999999"}}, []string{"ECOPULSE_BACKFILL_DAYS", "out of range"}},
		{Overrides{Environ: []string{"ECOPULSE_SOURCES=github"}}, []string{"ECOPULSE_SOURCES", "only in the configuration file"}},
		{Overrides{Sets: []string{"scoring.window_days=two weeks"}}, []string{"--set scoring.window_days", "whole number"}},
		{Overrides{Sets: []string{"scoring.windowdays=14"}}, []string{"--set scoring.windowdays", "no such setting"}},
		{Overrides{Sets: []string{"scoring.window_days"}}, []string{"KEY=VALUE"}},
		{Overrides{Sets: []string{"consumers=x"}}, []string{"--set consumers", "only in the configuration file"}},
		// Parsed fine, refused by Validate: the key is named.
		{Overrides{Environ: []string{"ECOPULSE_SHUTDOWN_TIMEOUT=0s"}}, []string{"shutdown_timeout must be positive"}},
		{Overrides{Sets: []string{"snapshots.timezone=Mars/Olympus"}}, []string{"snapshots.timezone"}},
	} {
		_, err := LoadWith("", tc.o)
		if err == nil {
			t.Errorf("%+v: accepted", tc.o)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not say %q", tc.o, err, w)
			}
		}
	}
}

// TestWriteConfigMasksSecrets: tagged fields, secret-looking keys (typed
// or in source options) and URL passwords and queries are masked; the
// configuration itself is left as it was.
func TestWriteConfigMasksSecrets(t *testing.T) {
	c := Default()
	c.Alerts.Webhook.URL = "https://hooks.slack.com/services/T000/B000/WEBHOOKSECRET"
	var opts yaml.Node
	if err := yaml.Unmarshal([]byte("repos: [acme/sdk]\ntoken_env: GH_TOKEN\nbase_url: https://ci:URLPASSWORD@ghe.example.com/api/v3?sig=QUERYSECRET\napi_token: OPTIONSECRET\nnested:\n  password: NESTEDSECRET\n"), &opts); err != nil {
		t.Fatal(err)
	}
	c.Sources = []SourceConfig{{Name: "sdk", Type: "github", Options: *opts.Content[0]}}
	c.Consumers = []ConsumerMapping{{Key: "key-a", Member: "acme"}}
	var b bytes.Buffer
	if err := Write(&b, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"WEBHOOKSECRET", "T000", "URLPASSWORD", "QUERYSECRET", "OPTIONSECRET", "NESTEDSECRET"} {
		if strings.Contains(out, secret) {
			t.Errorf("the printed configuration shows %s:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		`url: "https://hooks.slack.com/***"`,            // where it points, not its credential
		"token_env: GH_TOKEN",                           // a variable's name is no secret
		"https://ci:***@ghe.example.com/api/v3?sig=***", // user, host and path stay
		`api_token: "***"`,
		`password: "***"`,
		"key: key-a", // a consumer mapping's key is an id, not a secret
		"window_days: 28",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the printed configuration lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(c.Alerts.Webhook.URL, "WEBHOOKSECRET") || !strings.Contains(c.Sources[0].Options.Content[7].Value, "OPTIONSECRET") {
		t.Error("Write changed the configuration it printed")
	}

	// The secret:"true" tag masks a field whatever its name.
	type tagged struct {
		Plain  string `yaml:"plain"`
		Hidden string `yaml:"hidden" secret:"true"`
		Empty  string `yaml:"empty" secret:"true"`
	}
	var n yaml.Node
	if err := n.Encode(tagged{Plain: "visible", Hidden: "TAGGEDSECRET"}); err != nil {
		t.Fatal(err)
	}
	maskNode(&n, reflect.TypeFor[tagged]())
	raw, err := yaml.Marshal(&n)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(raw); strings.Contains(got, "TAGGEDSECRET") || !strings.Contains(got, "plain: visible") || !strings.Contains(got, `empty: ""`) {
		t.Errorf("tagged struct printed as %q", got)
	}
}

// TestWrittenConfigLoadsBack: what `ecopulse config` prints is a valid
// configuration file that gives the same configuration (when nothing is
// masked): loaded and printed again, it prints the same.
func TestWrittenConfigLoadsBack(t *testing.T) {
	c := Default()
	c.Scoring.WindowDays = 14
	c.ShutdownTimeout = 90 * time.Second
	c.Alerts.ErrorRateCounts4xx = true
	c.Schedules.Score = "@every 7m"
	var first, second bytes.Buffer
	if err := Write(&first, c); err != nil {
		t.Fatal(err)
	}
	got, err := LoadWith(writeConfigFile(t, first.String()), Overrides{})
	if err != nil {
		t.Fatalf("loading the printed configuration: %v\n%s", err, first.String())
	}
	if err := Write(&second, got); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Errorf("printed, loaded and printed again differs:\n%s\n----\n%s", first.String(), second.String())
	}
	if got.Scoring.WindowDays != 14 || got.ShutdownTimeout != 90*time.Second || !got.Alerts.ErrorRateCounts4xx || got.Schedules.Score != "@every 7m" {
		t.Errorf("loaded back %+v", got)
	}
}
