package accesslog

import "testing"

// TestHashIPIsOfTheCanonicalAddress: one client is one consumer however the
// log writes its address, and an address a manager types finds it.
func TestHashIPIsOfTheCanonicalAddress(t *testing.T) {
	key := []byte("a-test-hash-key-of-32-characters!")
	for _, same := range [][2]string{
		{"203.0.113.7", "::ffff:203.0.113.7"},
		{"2001:db8::1", "2001:DB8:0:0:0:0:0:1"},
		{"fe80::1", "fe80::1%eth0"},
	} {
		if a, b := HashIP(key, same[0]), HashIP(key, same[1]); a != b {
			t.Errorf("%s → %s but %s → %s", same[0], a, same[1], b)
		}
	}
	if HashIP(key, "203.0.113.7") == HashIP(key, "203.0.113.8") {
		t.Error("two addresses share a consumer")
	}
	if HashIP(key, "not an address") == HashIP(key, "not  an address") {
		t.Error("text that is no address is not hashed as it is")
	}
}
