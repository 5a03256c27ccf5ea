package app

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
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

// LoadConfigWith reads the configuration file at path (none: the
// defaults), applies the environment and the --set values of o over it, and
// validates the result.
func LoadConfigWith(path string, o Overrides) (Config, error) {
	c, err := loadConfigFile(path)
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

// ConfigOptions are the flags of `ecopulse config`.
type ConfigOptions struct {
	// Keys lists the settings with their environment variables instead of
	// printing the configuration.
	Keys bool
	// File and Overrides say where the configuration came from, for the
	// header: names only, never values.
	File      string
	Overrides Overrides
}

// ShowConfig runs `ecopulse config`: the effective configuration as YAML,
// secrets masked, or with Keys the list of settings.
func ShowConfig(env *Env, opt ConfigOptions) error {
	if opt.Keys {
		return writeKeys(env.Out)
	}
	var b strings.Builder
	b.WriteString("# EcoPulse effective configuration: defaults < file < ECOPULSE_* environment < --set (then --db, --addr).\n")
	b.WriteString("# Secrets are masked (***). Lists (sources, consumers, affiliation) come from the file only.\n")
	if opt.File != "" {
		fmt.Fprintf(&b, "# file: %s\n", opt.File)
	}
	fromEnv, ignored := opt.Overrides.envNames()
	if len(fromEnv) > 0 {
		fmt.Fprintf(&b, "# from the environment: %s\n", strings.Join(fromEnv, " "))
	}
	if len(opt.Overrides.Sets) > 0 {
		keys := make([]string, 0, len(opt.Overrides.Sets))
		for _, kv := range opt.Overrides.Sets {
			k, _, _ := strings.Cut(kv, "=")
			keys = append(keys, k)
		}
		fmt.Fprintf(&b, "# from --set: %s\n", strings.Join(keys, " "))
	}
	if len(ignored) > 0 {
		fmt.Fprintf(&b, "# ECOPULSE_* variables that name no setting (not applied here): %s\n", strings.Join(ignored, " "))
	}
	if _, err := io.WriteString(env.Out, b.String()); err != nil {
		return err
	}
	return WriteConfig(env.Out, env.Config)
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

func writeKeys(w io.Writer) error {
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

// masked replaces a secret value.
const masked = "***"

// WriteConfig writes c as YAML with its secrets masked. c itself is not
// changed.
func WriteConfig(w io.Writer, c Config) error {
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

// maskNode masks the secrets of n, the YAML encoding of a value of type t.
func maskNode(n *yaml.Node, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			maskNode(c, t)
		}
		return
	}
	switch {
	case nested(t) && n.Kind == yaml.MappingNode:
		fields := map[string]yamlField{}
		for _, f := range yamlFields(t) {
			fields[f.key] = f
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				maskUntyped(v, k.Value)
				continue
			}
			switch {
			case f.f.Tag.Get("secret") == "true" || secretKey(k.Value):
				maskScalar(v, true)
			default:
				maskNode(v, f.f.Type)
			}
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			maskNode(c, t.Elem())
		}
	case t.Kind() == reflect.String && n.Kind == yaml.ScalarNode:
		maskScalar(n, false)
	case t.Kind() == reflect.Struct || t.Kind() == reflect.Map || t.Kind() == reflect.Interface:
		maskUntyped(n, "") // a yaml.Node (source options), a map: by key names
	}
}

// maskUntyped masks a tree without a Go type (source options): values
// under secret-looking keys, and the secrets of URLs.
func maskUntyped(n *yaml.Node, key string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			maskUntyped(c, key)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			maskUntyped(n.Content[i+1], n.Content[i].Value)
		}
	case yaml.ScalarNode:
		maskScalar(n, secretKey(key))
	case yaml.AliasNode:
		if n.Alias != nil && secretKey(key) {
			*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: masked, Style: yaml.DoubleQuotedStyle}
		}
	}
}

// maskScalar masks a scalar: all of it when secret (a URL keeps its scheme
// and host, to show where it points), else only the password and the query
// values of a URL. An empty value stays empty: it shows the secret is unset.
// Under a secret key, a list or a map has every value masked.
func maskScalar(n *yaml.Node, secret bool) {
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			maskScalar(c, secret)
		}
		return
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			maskScalar(n.Content[i], secret)
		}
		return
	case yaml.ScalarNode:
	default:
		return
	}
	if n.Value == "" || (!secret && n.Tag != "" && n.Tag != "!!str") {
		return
	}
	v := maskURL(n.Value, secret)
	if secret && v == n.Value {
		v = masked
	}
	if v != n.Value {
		n.Value, n.Tag, n.Style = v, "!!str", yaml.DoubleQuotedStyle
	}
}

// maskURL masks the secrets of an absolute URL: its password and query
// values; when the whole value is secret, all but its scheme and host (a
// webhook's path is its secret). Other values come back as they are.
func maskURL(s string, secret bool) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return s
	}
	if secret {
		out := u.Scheme + "://" + u.Host
		if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			out += "/" + masked
		}
		return out
	}
	_, hasPassword := u.User.Password()
	if !hasPassword && u.RawQuery == "" {
		return s
	}
	// A placeholder that URL encoding leaves alone, replaced after.
	const placeholder = "ECOPULSEMASKEDVALUE"
	if hasPassword {
		u.User = url.UserPassword(u.User.Username(), placeholder)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{placeholder}
		}
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), placeholder, masked)
}

// secretKey reports whether a key's name says its value is a secret.
// Keys ending in _env name the variable that holds one, and are shown.
func secretKey(key string) bool {
	k := strings.ToLower(key)
	if strings.HasSuffix(k, "_env") || strings.HasSuffix(k, "_file") {
		return false
	}
	for _, w := range []string{"token", "secret", "password", "passwd", "credential", "api_key", "apikey", "private_key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
