package app

import (
	"context"
	"fmt"
	"net/netip"
	"os"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// API consumers identified by client address are keyed hashes of the
// address (accesslog.HashIP): a manager maps them by typing the address or
// a CIDR range (`ecopulse consumer map --address 203.0.113.0/24 SLUG`,
// POST /api/v1/consumers/map {"address", "member"}). The range is kept as a
// rule; every address in it is hashed with each hash key the access-log
// sources use, and the consumers found are mapped, with their history.
// Each scoring run applies the rules again to the consumers still unmapped,
// so that a new client in a mapped range follows.

// addressHashKeys returns the keys client addresses may have been hashed
// with (ECOPULSE_HASH_KEY and each accesslog source's hash_key_env).
func addressHashKeys(sources []config.SourceConfig) [][]byte {
	var keys [][]byte
	for _, env := range hashKeyEnvs(sources) {
		if k := os.Getenv(env); k != "" {
			keys = append(keys, []byte(k))
		}
	}
	return keys
}

// consumersInRange returns the keys, among known, of the consumers whose
// address is in p.
func consumersInRange(p netip.Prefix, hashKeys [][]byte, known map[string]bool) []string {
	var out []string
	data.AddressesOf(p, func(a netip.Addr) bool {
		for _, k := range hashKeys {
			if key := accesslog.HashIP(k, a.String()); known[key] {
				out = append(out, key)
			}
		}
		return true
	})
	return out
}

// mapAddressRange maps the consumers of the range now (mapped before or
// not: the manager said so) and keeps a range as a rule. It returns how
// many. A single address is not kept, nor written to the audit log: it is a
// client's address, and its consumer is already the one it maps.
func mapAddressRange(ctx context.Context, db *data.DB, sources []config.SourceConfig, actor, address, member string) (int, error) {
	target := "address range " + address
	n, err := func() (int, error) {
		p, err := data.ParseAddressRange(address)
		if err != nil {
			return 0, err
		}
		if p.IsSingleIP() {
			target = "one client address"
		}
		keys := addressHashKeys(sources)
		if len(keys) == 0 {
			return 0, domain.Errorf(domain.EINVALID, "address: client addresses are hashed with a key: set %s (hash_key_env of the accesslog sources) as the sources do", accesslog.DefaultHashKeyEnv)
		}
		if !p.IsSingleIP() {
			if err := db.SaveAddressRule(ctx, p, member); err != nil {
				return 0, err
			}
		}
		known, err := db.ConsumerKeysStartingWith(ctx, "ip:", false)
		if err != nil {
			return 0, err
		}
		return db.MapConsumerKeys(ctx, consumersInRange(p, keys, known), member, false)
	}()
	// The audit log names the range a manager typed (a person's choice),
	// never a single client's address.
	auditChange(ctx, db, actor, "consumer.map", target, fmt.Sprintf("%d consumers to %s", n, member), err)
	return n, err
}

// applyAddressRules maps the unmapped consumers whose address falls in a
// kept rule's range (the narrowest rule first); before each scoring run.
func applyAddressRules(ctx context.Context, db *data.DB, sources []config.SourceConfig) (int, error) {
	rules, err := db.AddressRules(ctx)
	if err != nil || len(rules) == 0 {
		return 0, err
	}
	keys := addressHashKeys(sources)
	if len(keys) == 0 {
		return 0, nil
	}
	known, err := db.ConsumerKeysStartingWith(ctx, "ip:", true)
	if err != nil || len(known) == 0 {
		return 0, err
	}
	var n int
	for _, r := range rules {
		found := consumersInRange(r.Prefix, keys, known)
		if len(found) == 0 {
			continue
		}
		m, err := db.MapConsumerKeys(ctx, found, r.Member, true)
		if err != nil {
			return n, err
		}
		for _, k := range found {
			delete(known, k) // a wider rule does not take them back
		}
		n += m
	}
	return n, nil
}
