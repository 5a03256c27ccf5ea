package metrics

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

func TestDefaultConfigIsValid(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v, want nil", err)
	}
	if got, want := DefaultConfig().WindowDays, 28; got != want {
		t.Errorf("default window_days = %d, want %d", got, want)
	}
}

func TestValidateRejects(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Config)
		key    string // must appear in the message
	}{
		{"window of 0 days", func(c *Config) { c.WindowDays = 0 }, "window_days"},
		{"negative window", func(c *Config) { c.WindowDays = -7 }, "window_days"},
		{"negative T weight", func(c *Config) { c.Technical.Weights.Latency = -1 }, "technical.weights.latency"},
		{"NaN T weight", func(c *Config) { c.Technical.Weights.Success = math.NaN() }, "technical.weights.success"},
		{"infinite I weight", func(c *Config) { c.Investment.Calls = math.Inf(1) }, "investment.calls"},
		{"all-zero T weights", func(c *Config) { c.Technical.Weights = TechnicalWeights{} }, "technical.weights cannot all be zero"},
		{"all-zero I weights", func(c *Config) { c.Investment = InvestmentWeights{} }, "investment cannot all be zero"},
		{"all-zero M weights", func(c *Config) { c.Influence = InfluenceWeights{} }, "influence cannot all be zero"},
		{"negative M weight", func(c *Config) { c.Influence.CallGrowth = -0.5 }, "influence.call_growth"},
		{"all-zero K coefficients", func(c *Config) { c.Cooperation = CooperationConfig{} }, "cooperation cannot all be zero"},
		{"negative K coefficient", func(c *Config) { c.Cooperation.SharedProjects = -1 }, "cooperation.shared_projects"},
		{"all-zero health weights", func(c *Config) { c.Health.Weights = HealthWeights{} }, "health.weights cannot all be zero"},
		{"negative health weight", func(c *Config) { c.Health.Weights.Community = -2 }, "health.weights.community"},
		{"all-zero api weights", func(c *Config) { c.Health.APIWeights = APIWeights{} }, "health.api_weights cannot all be zero"},
		{"all-zero community weights", func(c *Config) { c.Health.CommunityWeights = CommunityWeights{} }, "health.community_weights cannot all be zero"},
		{"zero SLO", func(c *Config) { c.Technical.LatencySLOMS = 0 }, "technical.latency_slo_ms"},
		{"no-data score above 1", func(c *Config) { c.Technical.NoDataScore = 1.5 }, "technical.no_data_score"},
		{"NaN no-data score", func(c *Config) { c.Technical.NoDataScore = math.NaN() }, "technical.no_data_score"},
		{"zero activity target", func(c *Config) { c.Health.ActivityTarget = 0 }, "health.activity_target"},
		{"negative response target", func(c *Config) { c.Health.ResponseTargetHours = -1 }, "health.response_target_hours"},
		{"zero overdue scale", func(c *Config) { c.Health.OverdueScale = 0 }, "health.overdue_scale"},
		{"infinite cooperation scale", func(c *Config) { c.Health.CooperationScale = math.Inf(1) }, "health.cooperation_scale"},
		{"watch above healthy", func(c *Config) { c.Health.WatchMin, c.Health.HealthyMin = 80, 60 }, "watch_min"},
		{"watch equal to healthy", func(c *Config) { c.Health.WatchMin, c.Health.HealthyMin = 60, 60 }, "watch_min"},
		{"healthy above 100", func(c *Config) { c.Health.HealthyMin = 120 }, "healthy_min"},
		{"negative watch", func(c *Config) { c.Health.WatchMin = -1 }, "watch_min"},
		{"NaN threshold", func(c *Config) { c.Health.HealthyMin = math.NaN() }, "healthy_min"},
		{"zero config", func(c *Config) { *c = Config{} }, "window_days"},
	} {
		cfg := DefaultConfig()
		c.change(&cfg)
		err := cfg.Validate()
		if err == nil {
			t.Errorf("%s: Validate() = nil, want an error", c.name)
			continue
		}
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Errorf("%s: error code %q, want %q", c.name, got, want)
		}
		if !strings.Contains(domain.ErrorMessage(err), c.key) {
			t.Errorf("%s: message %q does not name %q", c.name, domain.ErrorMessage(err), c.key)
		}
	}
}

func TestValidateAcceptsEdgeValues(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Technical.Weights = TechnicalWeights{Milestones: 1} // one weight is enough
	cfg.Technical.NoDataScore = 0
	cfg.Health.WatchMin, cfg.Health.HealthyMin = 0, 100
	cfg.WindowDays = 1
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
}

// configKeys lists the dotted key of every leaf field of Config, failing
// unless each field has identical snake_case yaml and json tags.
func configKeys(tb testing.TB) []string {
	tb.Helper()
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var keys []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			y, j := f.Tag.Get("yaml"), f.Tag.Get("json")
			if y == "" || y != j || !snake.MatchString(y) {
				tb.Errorf("%s%s: yaml tag %q, json tag %q; want the same snake_case key", prefix, f.Name, y, j)
			}
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+y+".")
				continue
			}
			keys = append(keys, prefix+y)
		}
	}
	walk(reflect.TypeFor[Config](), "")
	return keys
}

func TestConfigKeys(t *testing.T) {
	keys := configKeys(t)
	if got, want := len(keys), 57; got != want {
		t.Errorf("%d config keys, want %d (update docs/scoring.md and this count together)", got, want)
	}
	// JSON round trip keeps every value.
	b, err := json.Marshal(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != DefaultConfig() {
		t.Errorf("JSON round trip: %+v, want %+v", back, DefaultConfig())
	}
	for _, k := range []string{`"window_days":28`, `"latency_slo_ms":1000`, `"healthy_min":70`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON %s lacks %s", b, k)
		}
	}
}

// TestConfigDocumented: docs/scoring.md and its Chinese translation
// docs/scoring.zh-CN.md name every config key (its last segment inside a
// documented section) so neither document can drift.
func TestConfigDocumented(t *testing.T) {
	for _, name := range []string{"scoring.md", "scoring.zh-CN.md"} {
		doc, err := os.ReadFile("../docs/" + name)
		if err != nil {
			t.Fatalf("reading the scoring document: %v", err)
		}
		for _, k := range configKeys(t) {
			if !strings.Contains(string(doc), "`"+k+"`") {
				t.Errorf("docs/%s does not document `%s`", name, k)
			}
		}
	}
}
