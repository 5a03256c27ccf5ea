package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/collectors/push"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

const (
	// maxIngestBody bounds a request body after decompression.
	maxIngestBody = 32 << 20
	// maxIngestRecords bounds the records of one batch.
	maxIngestRecords = 50000
)

// ingestToken authenticates a push request: a bearer ingest token, used from
// an allowed address. It never opens a dashboard session.
func (a *App) ingestToken(c *fiber.Ctx) (*domain.Token, error) {
	r := a.ingestBearer(c)
	if r.err != nil {
		if r.missing {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="ecopulse-ingest"`)
		} else {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="ecopulse-ingest", error="invalid_token"`)
		}
		return nil, r.err
	}
	tok := r.tok
	addr, err := netip.ParseAddr(a.clientIP(c))
	if err != nil || !tok.Allows(addr) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "token %q may not be used from this address", tok.Name)
	}
	return tok, nil
}

// localIngestBearer is where ingestBearer keeps its answer for the rest of
// the request (c.Locals: server-side only, never set from the request).
const localIngestBearer = "ecopulse.ingest.bearer"

type ingestBearerResult struct {
	tok     *domain.Token
	err     error
	missing bool // no bearer token at all
}

// ingestBearer verifies the request's bearer token for the ingest scope, once
// per request: the rate limiter (which names the token) and the handler share
// the answer. Verified tokens are cached for a few seconds (data.TokenCache:
// a revocation through this process applies at once, one by another process
// within data.TokenCacheTTL). The allow list is checked by ingestToken.
func (a *App) ingestBearer(c *fiber.Ctx) *ingestBearerResult {
	if r, ok := c.Locals(localIngestBearer).(*ingestBearerResult); ok {
		return r
	}
	r := &ingestBearerResult{}
	secret, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if secret = strings.TrimSpace(secret); !ok || secret == "" {
		r.missing = true
		r.err = domain.Errorf(domain.EUNAUTHORIZED, "an ingest token is required: Authorization: Bearer <token>")
	} else {
		r.tok, r.err = a.push.tokens.Verify(c.UserContext(), a.db, secret, domain.ScopeIngest)
	}
	c.Locals(localIngestBearer, r)
	return r
}

// ingestAPICalls is POST /api/v1/ingest/api-calls: a batch of request records
// (NDJSON, a JSON array, or Kong HTTP Log payloads), stored whole or
// rejected whole with an error naming the first bad record.
func (a *App) ingestAPICalls(c *fiber.Ctx) error {
	ctx := c.UserContext()
	tok, err := a.ingestToken(c)
	if err != nil {
		return err
	}
	key := c.Get(headerIdempotencyKey)
	if key != "" {
		if err := domain.CheckIdempotencyKey(key); err != nil {
			a.ops.batchRejected(push.Source)
			return err
		}
	}
	// The raw body: Fiber's c.Body() would un-gzip it with no size bound.
	body, err := push.Body(bytes.NewReader(c.Request().Body()), c.Get(fiber.HeaderContentEncoding), maxIngestBody)
	if err != nil {
		a.ops.batchRejected(push.Source)
		return err
	}
	// A keyed batch is recorded with the digest of its records (the body
	// decompressed, as the decoder reads all of it), so that a retry is
	// told from another batch sent with the same key by mistake.
	digest := sha256.New()
	if key != "" {
		body = io.TeeReader(body, digest)
	}
	batch, err := push.DecodeWithKey(body, c.Get(fiber.HeaderContentType), maxIngestRecords, a.push.hashKey())
	if err != nil {
		a.push.rejected(ctx, a.db, tok.Name, err)
		a.ops.batchRejected(push.Source)
		return err
	}
	batch.Source = push.Source
	batch.Token, batch.MaxNewConsumers = tok.ID, a.cfg.Ingest.MaxNewConsumersPerDay
	if key != "" {
		batch.IdempotencyKey, batch.BodyDigest = key, hex.EncodeToString(digest.Sum(nil))
	}
	// Answered once the batch is committed; concurrent requests' batches
	// share a transaction (group commit), each stored whole or not at all.
	if err := a.push.group.Commit(ctx, a.db, batch); err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID: // over the token's new-consumer allowance
			a.push.rejected(ctx, a.db, tok.Name, err)
			a.ops.batchRejected(push.Source)
			a.ops.ingested(push.Source, 0, batch.Read)
		case domain.ECONFLICT: // the key names another batch
			a.ops.batchRejected(push.Source)
		}
		return err
	}
	if batch.Replayed {
		// Stored by an earlier request (here or on another replica):
		// answered as that one was, and counted as nothing committed.
		a.ops.batchReplayed(push.Source)
		c.Set(headerIdempotencyReplayed, "true")
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": batch.Accepted, "replayed": true})
	}
	a.push.accepted(batch.Accepted)
	a.ops.ingested(push.Source, batch.Accepted, int64(len(batch.Rejected)))
	a.ops.batchCommitted(push.Source)
	if a.push.shouldTouch(tok.ID, time.Now()) {
		now := time.Now()
		// A job shutdown waits for: the touch is not cut short, nor left
		// writing to a closed store.
		a.jobs.Go(func(jobs context.Context) { a.db.TouchToken(context.WithoutCancel(jobs), tok.ID, now) })
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": batch.Accepted, "replayed": false})
}

// The idempotency headers of push ingest: the client's name for a batch
// (domain.CheckIdempotencyKey bounds it), and the answer's mark of a
// retry that stored nothing because the first request had.
const (
	headerIdempotencyKey      = "Idempotency-Key"
	headerIdempotencyReplayed = "Idempotency-Replayed"
)

// pushStats accumulates push ingest between two flushes into a run record:
// a run per request would write a row per request.
type pushStats struct {
	mu                sync.Mutex
	since             time.Time
	requests, records int64
	rejectedBatches   int64
	lastError         string
	touched           map[int64]time.Time // when each token's last use was written

	// Not statistics but push ingest's state all the same (the App holds
	// one pushStats).
	tokens data.TokenCache     // ingest tokens verified in the last few seconds
	group  data.UsageCommitter // commits concurrent requests' batches together

	keyOnce sync.Once
	key     []byte // hashes addresses in consumer names (hashKey)
}

// hashKey returns the key that turns addresses and e-mail addresses in
// pushed consumer names into tokens: the access logs' client-address key
// ($ECOPULSE_HASH_KEY), so that an address gets the same token from either
// source. Without one (or with one too short to be a secret) they become
// placeholders: an unkeyed hash of an address is reversible by trying them all.
func (p *pushStats) hashKey() []byte {
	p.keyOnce.Do(func() {
		if k := os.Getenv(accesslog.DefaultHashKeyEnv); len(k) >= 16 {
			p.key = []byte(k)
		}
	})
	return p.key
}

// touchEvery bounds how often a token's "last used" time is written.
const touchEvery = time.Minute

// shouldTouch reports whether token id's last use is due to be written.
func (p *pushStats) shouldTouch(id int64, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.touched == nil {
		p.touched = map[int64]time.Time{}
	}
	if now.Sub(p.touched[id]) < touchEvery {
		return false
	}
	p.touched[id] = now
	return true
}

func (p *pushStats) accepted(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.since.IsZero() {
		p.since = time.Now()
	}
	p.requests++
	p.records += n
}

// rejected counts a refused batch and keeps its reason in the quarantine.
func (p *pushStats) rejected(ctx context.Context, db *data.DB, token string, err error) {
	p.mu.Lock()
	if p.since.IsZero() {
		p.since = time.Now()
	}
	p.requests++
	p.rejectedBatches++
	p.lastError = domain.ErrorMessage(err)
	p.mu.Unlock()
	b := domain.NewUsageBatch(push.Source)
	b.Reject(domain.ErrorMessage(err), "batch from token "+token)
	if cerr := db.CommitUsage(context.WithoutCancel(ctx), b); cerr != nil {
		_ = cerr // the client got its 4xx; losing the quarantine note is not worth a 500
	}
}

// flush writes what was pushed since the last flush as one run record.
func (p *pushStats) flush(ctx context.Context, db *data.DB) error {
	p.mu.Lock()
	since, records, rejected, lastErr := p.since, p.records, p.rejectedBatches, p.lastError
	p.since, p.requests, p.records, p.rejectedBatches, p.lastError = time.Time{}, 0, 0, 0, ""
	p.mu.Unlock()
	if since.IsZero() {
		return nil
	}
	run := &domain.CollectorRun{Source: push.Source, StartedAt: since}
	if err := db.StartRun(ctx, run); err != nil {
		return err
	}
	run.ItemsRead, run.ItemsStored, run.ItemsRejected = records+rejected, records, rejected
	run.Status = domain.RunSucceeded
	run.Error = lastErr
	return db.FinishRun(ctx, run)
}
