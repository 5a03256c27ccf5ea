package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
	"go.yaml.in/yaml/v3"
)

// Every setting of the configuration file can also come from an
// environment variable and from a --set flag. Precedence, lowest first:
//
//	defaults < the file (--config) < ECOPULSE_<KEY> variables < --set key.path=value
//
// (then --db and serve's --addr, which name one setting each). A setting's
// variable is its YAML path in upper case with "." and "_" both written
// "_": scoring.window_days is ECOPULSE_SCORING_WINDOW_DAYS,
// alerts.webhook.url is ECOPULSE_ALERTS_WEBHOOK_URL. Both are derived from
// the Config struct by reflection over its yaml tags, so a setting added
// to Config gets its variable and its --set key with no other change.
//
// Scalars can be set this way: strings, integers, floats, booleans
// (true/false, 1/0, yes/no, on/off) and durations (15s, 2m, 1h30m). Lists
// and maps — sources, consumers, affiliation — come from the file only; a
// variable or --set naming one is an error that says so.
//
// A variable set to the empty string counts as unset (as ECOPULSE_DB always
// did); use --set key= to empty a string. Other ECOPULSE_* variables that
// name no setting are ignored here (ECOPULSE_HASH_KEY, for one, is read by
// the access-log source); `ecopulse config` lists them, to catch typos.
//
// Secrets: a field tagged `secret:"true"` is printed masked by `ecopulse
// config`, and so are fields (and source options) whose key says token,
// secret, password or credential, and the password and query values of any
// URL. Keys ending in _env name a variable, not a secret, and are shown.

// EnvPrefix starts the name of every setting's environment variable.
const EnvPrefix = "ECOPULSE_"

// Overrides are the settings applied over the configuration file: the
// environment first, then --set flags.
type Overrides struct {
	Environ []string // NAME=value pairs, as os.Environ returns them
	Sets    []string // key.path=value, as given to --set, in order
}

// Setting is one key of the configuration.
type Setting struct {
	Key      string // YAML path: scoring.window_days
	Env      string // its environment variable: ECOPULSE_SCORING_WINDOW_DAYS
	Type     string // string, int, float, bool, duration; or list, map, object (file only)
	FileOnly bool   // a list or a map: only the configuration file sets it
	Secret   bool   // tagged secret:"true"

	index []int
}

// Settings lists every key of Config, in the order of the struct.
func Settings() []Setting {
	var out []Setting
	walkSettings(reflect.TypeFor[Config](), "", nil, func(s Setting) { out = append(out, s) })
	return out
}

var durationType = reflect.TypeFor[time.Duration]()

// yamlField is a struct field with the key YAML gives it.
type yamlField struct {
	key   string
	index []int
	f     reflect.StructField
}

// yamlFields returns the fields of struct type t as YAML sees them: by
// their yaml tag (else the lower-cased field name), inline structs flattened,
// unexported and "-" fields left out.
func yamlFields(t reflect.Type) []yamlField {
	var out []yamlField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if slices.Contains(strings.Split(opts, ","), "inline") && f.Type.Kind() == reflect.Struct {
			for _, in := range yamlFields(f.Type) {
				in.index = append([]int{i}, in.index...)
				out = append(out, in)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, yamlField{key: name, index: []int{i}, f: f})
	}
	return out
}

// nested reports whether a struct type is a section of settings (as
// opposed to a value YAML decodes itself, such as a yaml.Node).
func nested(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[yaml.Node]() || t == reflect.TypeFor[time.Time]() {
		return false
	}
	return !reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]())
}

func walkSettings(t reflect.Type, prefix string, index []int, fn func(Setting)) {
	for _, yf := range yamlFields(t) {
		key := prefix + yf.key
		idx := append(slices.Clone(index), yf.index...)
		if nested(yf.f.Type) {
			walkSettings(yf.f.Type, key+".", idx, fn)
			continue
		}
		s := Setting{Key: key, Env: EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_")),
			Secret: yf.f.Tag.Get("secret") == "true", index: idx}
		s.Type, s.FileOnly = settingType(yf.f.Type)
		fn(s)
	}
}

func settingType(t reflect.Type) (string, bool) {
	if t == durationType {
		return "duration", false
	}
	switch t.Kind() {
	case reflect.String:
		return "string", false
	case reflect.Bool:
		return "bool", false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int", false
	case reflect.Float32, reflect.Float64:
		return "float", false
	case reflect.Slice, reflect.Array:
		return "list", true
	case reflect.Map:
		return "map", true
	}
	return "object", true
}

// LoadWith reads the configuration file at path (none: the defaults),
// applies the environment and the --set values of o over it, and validates
// the result.
func LoadWith(path string, o Overrides) (Config, error) {
	c, err := loadFile(path)
	if err != nil {
		return c, err
	}
	if err := o.apply(&c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// apply sets the environment's settings, then the --set ones, on c.
func (o Overrides) apply(c *Config) error {
	byEnv, byKey := map[string]Setting{}, map[string]Setting{}
	for _, s := range Settings() {
		byEnv[s.Env], byKey[s.Key] = s, s
	}
	v := reflect.ValueOf(c).Elem()
	// The environment, in the order of the settings (not of environ), so
	// that the outcome never depends on how the variables were listed.
	env := map[string]string{}
	for _, kv := range o.Environ {
		name, val, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, EnvPrefix) && val != "" {
			env[name] = val
		}
	}
	for _, s := range Settings() {
		val, ok := env[s.Env]
		if !ok {
			continue
		}
		where := "environment variable " + s.Env
		if s.FileOnly {
			return domain.Errorf(domain.EINVALID, "config: %s: %s is a %s and can be set only in the configuration file", where, s.Key, s.Type)
		}
		if err := setValue(v.FieldByIndex(s.index), s.Type, val); err != nil {
			return domain.Errorf(domain.EINVALID, "config: %s: %v", where, err)
		}
	}
	for _, kv := range o.Sets {
		key, val, ok := strings.Cut(kv, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return domain.Errorf(domain.EINVALID, "config: --set %q: want KEY=VALUE, such as --set scoring.window_days=14", kv)
		}
		s, known := byKey[key]
		if !known {
			return domain.Errorf(domain.EINVALID, "config: --set %s: no such setting (`ecopulse config --keys` lists them)", key)
		}
		if s.FileOnly {
			return domain.Errorf(domain.EINVALID, "config: --set %s: %s is a %s and can be set only in the configuration file", key, key, s.Type)
		}
		if err := setValue(v.FieldByIndex(s.index), s.Type, val); err != nil {
			return domain.Errorf(domain.EINVALID, "config: --set %s: %v", key, err)
		}
	}
	return nil
}

// setValue parses s as a value of the setting's type into v.
func setValue(v reflect.Value, typ, s string) error {
	if typ != "string" {
		s = strings.TrimSpace(s)
	}
	switch typ {
	case "string":
		v.SetString(s)
	case "duration":
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration (such as 15s, 2m or 1h30m)", s)
		}
		v.SetInt(int64(d))
	case "bool":
		switch strings.ToLower(s) {
		case "1", "t", "true", "yes", "y", "on":
			v.SetBool(true)
		case "0", "f", "false", "no", "n", "off":
			v.SetBool(false)
		default:
			return fmt.Errorf("%q is not a boolean (true or false)", s)
		}
	case "int":
		if v.Kind() >= reflect.Uint && v.Kind() <= reflect.Uint64 {
			n, err := strconv.ParseUint(s, 10, v.Type().Bits())
			if err != nil {
				return numberError(s, "a whole number ≥ 0", err)
			}
			v.SetUint(n)
			return nil
		}
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return numberError(s, "a whole number", err)
		}
		v.SetInt(n)
	case "float":
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%q is not a finite number", s)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("a %s cannot be set from a string", typ)
	}
	return nil
}

func numberError(s, what string, err error) error {
	if errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("%s is out of range", s)
	}
	return fmt.Errorf("%q is not %s", s, what)
}

// envNames returns the setting variables that are set (non-empty) and the
// other ECOPULSE_* variables, sorted.
func (o Overrides) envNames() (settings, others []string) {
	known := map[string]bool{}
	for _, s := range Settings() {
		known[s.Env] = true
	}
	for _, kv := range o.Environ {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvPrefix) || val == "" {
			continue
		}
		if known[name] {
			settings = append(settings, name)
		} else {
			others = append(others, name)
		}
	}
	slices.Sort(settings)
	slices.Sort(others)
	return settings, others
}
