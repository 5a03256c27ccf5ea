package config

import (
	"net/url"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// masked replaces a secret value.
const masked = "***"

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
