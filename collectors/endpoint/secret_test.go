package endpoint

import "testing"

func TestSecretName(t *testing.T) {
	for in, want := range map[string]string{
		"sk-live-0123456789abcdef9f3a":  "sk-l…9f3a",
		"Bearer sk-live-01234567899f3a": "sk-l…9f3a", // the scheme is not the secret
		"0123456789abcdef":              "0123…cdef", // 16: long enough to show eight
		"0123456789abcde":               "…de",       // 15: only the last two
		"abcdef":                        "…ef",
		"abcde":                         "…",
		"":                              "…",
		"ключ-секрет-доступа-42": "ключ…а-42", // characters, not bytes
	} {
		if got := SecretName(in); got != want {
			t.Errorf("SecretName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSecretKeyIsTheCredentialsKey(t *testing.T) {
	k := []byte("a-test-key-that-is-long-enough")
	want := SecretKey(k, "sk-1")
	for _, v := range []string{"sk-1", " sk-1 ", "Bearer sk-1", "bearer   sk-1", "Token sk-1"} {
		if got := SecretKey(k, v); got != want {
			t.Errorf("SecretKey(%q) = %q, want %q (the same credential)", v, got, want)
		}
	}
	if SecretKey(k, "sk-2") == want || SecretKey([]byte("another-key-that-is-long"), "sk-1") == want {
		t.Error("another secret or another hash key gives the same key")
	}
	if len(want) != len("key:")+16 || want[:4] != "key:" {
		t.Errorf("key %q is not key:<16 hex>", want)
	}
	if got := SecretKey(nil, "sk-1"); got != "" {
		t.Errorf("without a hash key: %q, want nothing (never an unkeyed hash)", got)
	}
	if got := SecretKey(k, "  "); got != "" {
		t.Errorf("an empty value: %q, want anonymous", got)
	}
}

func TestSecretField(t *testing.T) {
	for name, want := range map[string]bool{
		"X-Api-Key": true, "x_api_key": true, "$http_x_api_key": true, "${http_x_api_key}": true,
		"apikey": true, "api-key": true, "Authorization": true, "$http_authorization": true,
		"request.headers.apikey": true, "request.headers.authorization": true, "$arg_api_key": true,
		"Proxy-Authorization": true, "X-Auth-Token": true,
		"X-Consumer-Username": false, "remote_user": false, "$remote_user": false, "consumer.username": false,
		"auth.key_id": false, "$consumer": false, "X-Client-Id": false,
	} {
		if got := SecretField(name); got != want {
			t.Errorf("SecretField(%q) = %v, want %v", name, got, want)
		}
	}
}
