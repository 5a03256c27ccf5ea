package accesslog

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/domain"
)

// Formats a Config may name.
const (
	FormatCombined  = "combined"   // nginx/Apache combined, optionally + a request-time field
	FormatLogFormat = "log_format" // an nginx log_format string (Config.LogFormat)
	FormatKong      = "kong"       // Kong file-log / http-log plugin JSON lines
	FormatJSON      = "json"       // generic JSON lines with a field map (Config.FieldMap)
)

// Where a record's consumer comes from (Consumer.From).
const (
	ConsumerField      = "field"       // a named field: a log_format variable, a JSON dot path, remote_user
	ConsumerHeader     = "header"      // a request header ($http_<name>, Kong request.headers)
	ConsumerIP         = "ip"          // the client address, as a keyed hash "ip:<16 hex>"
	ConsumerPathPrefix = "path_prefix" // the longest matching prefix of Consumer.Prefixes
	ConsumerNone       = "none"        // everyone is anonymous
)

// DefaultHashKeyEnv names the environment variable that holds the key of the
// client-address hash when Consumer.HashKeyEnv does not name another.
const DefaultHashKeyEnv = "ECOPULSE_HASH_KEY"

// DefaultChunkLines is how many lines one transaction covers by default.
const DefaultChunkLines = 500000

// minHashKeyLen is the shortest accepted client-address hash key.
const minHashKeyLen = 16

// Config configures one access-log source.
type Config struct {
	// Paths are files or globs ("/var/log/nginx/access.log*"). A glob that
	// also matches rotated names (access.log.1, access.log.2.gz) lets a
	// rotation be finished from the renamed file.
	Paths []string `yaml:"paths"`
	// Format is combined (default), log_format, kong or json.
	Format string `yaml:"format"`
	// LogFormat is the nginx log_format string when Format is log_format.
	LogFormat string `yaml:"log_format"`
	// LatencyUnit is the unit of the request-time field: "s" (nginx
	// $request_time, the default for combined and log_format), "ms" (the
	// default for json) or "us" (Apache %D).
	LatencyUnit string `yaml:"latency_unit"`
	// Consumer says who a request is attributed to.
	Consumer ConsumerConfig `yaml:"consumer"`
	// FieldMap maps generic JSON records (Format json) to usage fields.
	FieldMap FieldMap `yaml:"field_map"`
	// HashKeyEnv names the environment variable holding the key of the
	// client-address and secret hash (default ECOPULSE_HASH_KEY); required
	// only when Consumer.From is ip or the consumer carries a secret.
	HashKeyEnv string `yaml:"hash_key_env"`
	// ChunkLines is how many lines are committed per transaction at most
	// (default 500,000); a chunk also ends early at 65,536 distinct rollup
	// rows, which bounds memory whatever the cardinality of the lines.
	ChunkLines int `yaml:"chunk_lines"`
}

// ConsumerConfig says where a request's consumer comes from.
type ConsumerConfig struct {
	// From is field, header, ip, path_prefix or none. Empty: the format's
	// natural consumer (Kong's consumer, a log_format's $consumer) or none.
	From string `yaml:"from"`
	// Name is the field (a log_format variable such as $http_x_api_key or
	// $remote_user, a JSON dot path such as consumer.username, or
	// remote_user for combined) or the header name (X-Api-Key).
	Name string `yaml:"name"`
	// Prefixes maps path prefixes to consumer keys (From path_prefix); the
	// longest matching prefix wins, no match is anonymous.
	Prefixes map[string]string `yaml:"prefixes"`
	// Secret says whether the consumer field or header carries a secret
	// (an API key, an Authorization header), stored only as a keyed hash
	// "key:<16 hex>" named by its first and last four characters. Unset,
	// it is decided by the name (endpoint.SecretNames: X-Api-Key, apikey,
	// Authorization, $http_x_api_key…); true or false forces it.
	Secret *bool `yaml:"secret"`
}

// carriesSecret reports whether the configured consumer is a secret.
func (c ConsumerConfig) carriesSecret() bool {
	if c.Secret != nil {
		return *c.Secret
	}
	switch c.From {
	case ConsumerField, ConsumerHeader:
		return endpoint.SecretField(c.Name)
	}
	return false
}

// FieldMap names the dot paths of a generic JSON record's fields.
type FieldMap struct {
	Time       string `yaml:"time"`        // required
	TimeFormat string `yaml:"time_format"` // rfc3339 (default), s or ms (epoch)
	Method     string `yaml:"method"`
	Path       string `yaml:"path"`   // required; the query string is stripped
	Status     string `yaml:"status"` // required
	Bytes      string `yaml:"bytes"`
	LatencyMS  string `yaml:"latency_ms"` // in LatencyUnit (default ms)
	Consumer   string `yaml:"consumer"`   // used when Consumer.From is empty or field
	ClientIP   string `yaml:"client_ip"`  // used when Consumer.From is ip
}

func (c Config) withDefaults() Config {
	if c.Format == "" {
		c.Format = FormatCombined
	}
	if c.LatencyUnit == "" {
		if c.Format == FormatJSON || c.Format == FormatKong {
			c.LatencyUnit = "ms"
		} else {
			c.LatencyUnit = "s"
		}
	}
	if c.HashKeyEnv == "" {
		c.HashKeyEnv = DefaultHashKeyEnv
	}
	if c.ChunkLines == 0 {
		c.ChunkLines = DefaultChunkLines
	}
	if c.Format == FormatJSON && c.FieldMap.TimeFormat == "" {
		c.FieldMap.TimeFormat = "rfc3339"
	}
	return c
}

func invalid(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, "accesslog: "+format, args...)
}

// Validate reports the first thing wrong with c, as an EINVALID error. It
// compiles a log_format and, when the consumer is the client address, checks
// that the hash key's environment variable is set.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

// compile validates c and builds its parser.
func (c Config) compile() (*parser, error) {
	c = c.withDefaults()
	for _, p := range c.Paths {
		if strings.TrimSpace(p) == "" {
			return nil, invalid("a path is empty")
		}
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, invalid("path %q is not a valid glob: %v", p, err)
		}
	}
	switch c.LatencyUnit {
	case "s", "ms", "us":
	default:
		return nil, invalid("latency_unit must be s, ms or us, got %q", c.LatencyUnit)
	}
	if c.ChunkLines < 1 || c.ChunkLines > 10_000_000 {
		return nil, invalid("chunk_lines must be between 1 and 10000000, got %d", c.ChunkLines)
	}
	switch c.Consumer.From {
	case "", ConsumerNone, ConsumerIP:
	case ConsumerField, ConsumerHeader:
		if strings.TrimSpace(c.Consumer.Name) == "" {
			return nil, invalid("consumer.from %s needs consumer.name", c.Consumer.From)
		}
	case ConsumerPathPrefix:
		if len(c.Consumer.Prefixes) == 0 {
			return nil, invalid("consumer.from path_prefix needs consumer.prefixes")
		}
		for p, k := range c.Consumer.Prefixes {
			if !strings.HasPrefix(p, "/") {
				return nil, invalid("consumer prefix %q must start with /", p)
			}
			if k == "" || len(k) > 200 {
				return nil, invalid("consumer key of prefix %q must be 1 to 200 bytes", p)
			}
		}
	default:
		return nil, invalid("consumer.from must be field, header, ip, path_prefix or none, got %q", c.Consumer.From)
	}
	secret := c.Consumer.carriesSecret()
	if c.Consumer.Secret != nil && *c.Consumer.Secret {
		switch c.Consumer.From {
		case ConsumerIP, ConsumerPathPrefix, ConsumerNone:
			return nil, invalid("consumer.secret applies to a consumer field or header, not to consumer.from %s", c.Consumer.From)
		}
	}
	var key []byte
	switch {
	case c.Consumer.From == ConsumerIP:
		k, err := hashKey(c.HashKeyEnv, "consumer.from ip needs a secret key to hash client addresses")
		if err != nil {
			return nil, err
		}
		key = k
	case secret:
		what := "consumer." + c.Consumer.From + " " + c.Consumer.Name
		if c.Consumer.From == "" {
			what = "the format's consumer"
		}
		k, err := hashKey(c.HashKeyEnv, what+" carries a secret (an API key or credential), stored only as a keyed hash")
		if err != nil {
			return nil, err
		}
		key = k
	}
	p := &parser{cfg: c, hashKey: key, secret: secret}
	switch c.Consumer.From {
	case ConsumerPathPrefix:
		for pre, k := range c.Consumer.Prefixes {
			p.prefixes = append(p.prefixes, prefixRule{pre, k})
		}
		sort.Slice(p.prefixes, func(i, j int) bool { // longest first
			a, b := p.prefixes[i].prefix, p.prefixes[j].prefix
			if len(a) != len(b) {
				return len(a) > len(b)
			}
			return a < b
		})
	}
	var err error
	switch c.Format {
	case FormatCombined:
		err = p.initCombined()
	case FormatLogFormat:
		err = p.initLogFormat()
	case FormatKong:
		err = p.initKong()
	case FormatJSON:
		err = p.initJSON()
	default:
		return nil, invalid("format must be combined, log_format, kong or json, got %q", c.Format)
	}
	if err != nil {
		return nil, err
	}
	p.resetCaches()
	return p, nil
}

// hashKey reads the key that hashes client addresses and secrets from the
// environment variable env, or says why it cannot.
func hashKey(env, why string) ([]byte, error) {
	k := os.Getenv(env)
	if k == "" {
		return nil, invalid("%s: set the environment variable %s (hash_key_env) to at least %d random characters", why, env, minHashKeyLen)
	}
	if len(k) < minHashKeyLen {
		return nil, invalid("the hash key in %s is %d characters; use at least %d", env, len(k), minHashKeyLen)
	}
	return []byte(k), nil
}

// String describes a config for logs.
func (c Config) String() string {
	c = c.withDefaults()
	return fmt.Sprintf("accesslog(format=%s paths=%v)", c.Format, c.Paths)
}
