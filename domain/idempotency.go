package domain

import "time"

// Idempotency keys of pushed batches (the Idempotency-Key header): a
// client's name for one batch, so that a retry of it is stored once.
const (
	// MaxIdempotencyKey bounds a key: a UUID (36) or a hash in hex (64)
	// fits, and every key is a row kept for IdempotencyKeyTTL.
	MaxIdempotencyKey = 128
	// IdempotencyKeyTTL is how long a key is remembered: a retry within it
	// is answered as the first commit was; after it the key is free again.
	IdempotencyKeyTTL = 24 * time.Hour
)

// CheckIdempotencyKey validates a key: 1 to 128 printable ASCII characters
// without spaces (what an HTTP header carries unchanged and a log shows
// plainly).
func CheckIdempotencyKey(key string) error {
	if key == "" || len(key) > MaxIdempotencyKey {
		return Errorf(EINVALID, "Idempotency-Key must be 1 to %d characters, got %d", MaxIdempotencyKey, len(key))
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x21 || c > 0x7e {
			return Errorf(EINVALID, "Idempotency-Key may hold only printable ASCII characters without spaces (character %d is not)", i+1)
		}
	}
	return nil
}
