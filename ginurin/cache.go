package ginurin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/ginurin/ginurin/models"
)

// cacheKey is the SHA-256 of a token: the cache never holds a token.
type cacheKey = [sha256.Size]byte

// session is a cached authentication: the session, its user and its
// client in one value.
type session struct {
	token     models.AuthToken
	user      models.User
	client    models.Client
	lastUsed  time.Time
	lastLogin time.Time
}

// newSession copies t (with its User and Client) into a session.
func newSession(t *models.AuthToken) *session {
	s := &session{token: *t, user: *t.User, client: *t.Client}
	s.token.Token, s.user.PasswordHash = "", ""
	s.link()
	return s
}

// link points the copy's pointers at its own fields.
func (s *session) link() {
	s.token.User, s.token.Client = &s.user, &s.client
	if s.token.LastUsed != nil {
		s.lastUsed = *s.token.LastUsed
		s.token.LastUsed = &s.lastUsed
	}
	if s.user.LastLogin != nil {
		s.lastLogin = *s.user.LastLogin
		s.user.LastLogin = &s.lastLogin
	}
}

// forRequest returns a copy of the session for one request, in one
// allocation: handlers may modify it (Auth.Renew sets its Expiry) without
// affecting the cache or other requests.
func (s *session) forRequest() *models.AuthToken {
	c := new(session)
	*c = *s
	c.link()
	return &c.token
}

// cacheEntry is one cached authentication.
type cacheEntry struct {
	sess *session
	// validUntil (per Config.Now) is min(cached + timeout, token expiry).
	validUntil time.Time
	// ttl is the same bound in real time, for the store's own eviction.
	ttl time.Duration
}

// tokenCache backs CachedMiddleware. Lookups are lock-free; fills and
// invalidations are serialised by mu, and gen (bumped by every
// invalidation) keeps a fill that raced an invalidation out of the cache.
//
// With an Invalidator, the cache trusts its entries only while its own
// heartbeats come back through the channel: liveUntil is the send time of
// the latest heartbeat received plus the fallback timeout. When the
// channel fails or the lease runs out, every entry is dropped and new
// entries live at most the fallback timeout until a heartbeat sent after
// the failure comes back.
type tokenCache struct {
	store    *otter.Cache[cacheKey, *cacheEntry]
	timeout  time.Duration
	fallback time.Duration
	size     int
	remote   bool
	log      *slog.Logger

	mu  sync.Mutex
	gen uint64 // guarded by mu; bumped by every invalidation
	idx index  // guarded by mu

	base      time.Time    // origin of the monotonic clock below
	liveUntil atomic.Int64 // mono ns; 0: not live
	readyAt   int64        // guarded by mu: last Subscribed
	lossAt    int64        // guarded by mu: last loss
	lastWarn  time.Time    // guarded by mu

	instance string
	seq      atomic.Uint64
	pingMu   sync.Mutex
	pings    map[uint64]int64 // heartbeat seq -> mono send time

	pendingMu sync.Mutex
	pending   []pendingMsg // invalidations whose Publish failed

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// pendingMsg is an invalidation to publish again until mono time until.
type pendingMsg struct {
	msg   string
	until int64
}

// maxPending bounds the invalidations kept for a retry.
const maxPending = 10000

// index finds the keys of the entries of a token, user or client, so that
// an invalidation costs the entries it names rather than a scan. Every
// entry put in the store is in all three maps; keys of entries the store
// evicted by itself linger until the next rebuild, and are harmless since
// each key is checked against its entry before it is dropped.
type index struct {
	tokens, users, clients map[int64][]cacheKey
	n                      int // keys held, lingering ones included
}

func (x *index) reset() {
	x.tokens, x.users, x.clients, x.n = map[int64][]cacheKey{}, map[int64][]cacheKey{}, map[int64][]cacheKey{}, 0
}

func (x *index) add(key cacheKey, t *models.AuthToken) {
	x.tokens[t.ID] = append(x.tokens[t.ID], key)
	x.users[t.UserID] = append(x.users[t.UserID], key)
	x.clients[t.ClientID] = append(x.clients[t.ClientID], key)
	x.n += 3
}

// warnEvery limits the "channel down" warnings.
const warnEvery = 10 * time.Second

func newTokenCache(cfg *Config) *tokenCache {
	var inst [8]byte
	_, _ = rand.Read(inst[:])
	c := &tokenCache{
		timeout:  cfg.TokenCacheTimeout,
		size:     cfg.TokenCacheSize,
		fallback: cfg.TokenCacheFallbackTimeout,
		remote:   cfg.Invalidator != nil,
		log:      cfg.Logger,
		base:     time.Now(),
		instance: hex.EncodeToString(inst[:]),
		pings:    map[uint64]int64{},
	}
	c.idx.reset()
	c.store = otter.Must(&otter.Options[cacheKey, *cacheEntry]{
		MaximumSize: cfg.TokenCacheSize,
		// Run the store's maintenance on the goroutine that triggers it
		// rather than on a new goroutine each time: spawning and waking
		// them cost more than the amortised drain on the request path.
		// Safe here, as the cache has no deletion listener and no
		// compute function that could re-enter it.
		Executor: func(fn func()) { fn() },
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[cacheKey, *cacheEntry]) time.Duration {
			return e.Value.ttl
		}),
	})
	return c
}

// mono returns the time since c.base in nanoseconds, at least 1.
func (c *tokenCache) mono() int64 { return int64(time.Since(c.base)) + 1 }

// get returns a copy of the cached session for key, or false. now is the
// Config clock's.
func (c *tokenCache) get(key *cacheKey, now time.Time) (*models.AuthToken, bool) {
	if c.remote {
		if lu := c.liveUntil.Load(); lu != 0 && c.mono() >= lu {
			c.lose(errors.New("heartbeat overdue"))
			return nil, false
		}
	}
	e, ok := c.store.GetIfPresent(*key)
	if !ok {
		return nil, false
	}
	if !now.Before(e.validUntil) {
		c.store.Invalidate(*key)
		return nil, false
	}
	return e.sess.forRequest(), true
}

// fill is a lookup in progress: taken before the database is read, it
// lets put refuse a result that an invalidation may have overtaken.
type fill struct {
	gen  uint64
	live bool
}

// begin starts a fill.
func (c *tokenCache) begin() fill {
	c.mu.Lock()
	f := fill{gen: c.gen, live: c.live()}
	c.mu.Unlock()
	return f
}

// live reports whether entries may use the full timeout now.
func (c *tokenCache) live() bool {
	if !c.remote {
		return true
	}
	lu := c.liveUntil.Load()
	return lu != 0 && c.mono() < lu
}

// put caches t under key unless an invalidation came since f began. now
// is the Config clock's time taken before the database was read. The
// entry lasts until the earliest of now + timeout and the token's expiry;
// the fallback timeout replaces the timeout unless the channel was live
// for the whole fill.
func (c *tokenCache) put(key *cacheKey, t *models.AuthToken, f fill, now time.Time) {
	timeout := c.timeout
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != f.gen {
		return
	}
	if !f.live || !c.live() {
		timeout = min(timeout, c.fallback)
	}
	ttl := min(timeout, t.Expiry.Sub(now))
	if ttl <= 0 {
		return
	}
	c.store.Set(*key, &cacheEntry{sess: newSession(t), validUntil: now.Add(ttl), ttl: ttl})
	c.idx.add(*key, t)
	if c.idx.n > 6*c.size+3000 {
		c.rebuildIndex()
	}
}

// rebuildIndex drops the keys of evicted entries from the index. Called
// with mu held when lingering keys outnumber live ones: amortised O(1).
func (c *tokenCache) rebuildIndex() {
	c.idx.reset()
	for k, e := range c.store.All() {
		c.idx.add(k, &e.sess.token)
	}
}

// invalidate drops the entries that inv names, on this instance.
func (c *tokenCache) invalidate(inv Invalidation) {
	if inv.empty() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, l := range []struct {
		ids []int64
		m   map[int64][]cacheKey
	}{{inv.TokenIDs, c.idx.tokens}, {inv.UserIDs, c.idx.users}, {inv.ClientIDs, c.idx.clients}} {
		for _, id := range l.ids {
			for _, k := range l.m[id] {
				if e, ok := c.store.GetEntryQuietly(k); ok && matches(inv, &e.Value.sess.token) {
					c.store.Invalidate(k)
				}
			}
			c.idx.n -= len(l.m[id])
			delete(l.m, id)
		}
	}
}

func matches(inv Invalidation, t *models.AuthToken) bool {
	for _, id := range inv.TokenIDs {
		if t.ID == id {
			return true
		}
	}
	for _, id := range inv.UserIDs {
		if t.UserID == id {
			return true
		}
	}
	for _, id := range inv.ClientIDs {
		if t.ClientID == id {
			return true
		}
	}
	return false
}

// lose records that the channel failed or fell silent: messages may have
// been missed. If the cache trusted the channel, every entry is dropped;
// from now on entries last at most the fallback timeout, until a heartbeat
// sent after this comes back. A warning is logged at most every warnEvery.
func (c *tokenCache) lose(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lossAt = c.mono()
	if c.liveUntil.Load() != 0 {
		c.gen++
		c.store.InvalidateAll()
		c.idx.reset()
		c.liveUntil.Store(0)
	}
	if time.Since(c.lastWarn) >= warnEvery {
		c.lastWarn = time.Now()
		c.log.Warn("ginurin: cache invalidation channel down; cached authentications last at most the fallback timeout until it is back",
			"fallback", c.fallback.String(), "error", cause)
	}
}

// Subscribed implements SubscriptionHandler.
func (c *tokenCache) Subscribed() {
	c.mu.Lock()
	c.readyAt = c.mono()
	c.mu.Unlock()
}

// Lost implements SubscriptionHandler.
func (c *tokenCache) Lost(err error) { c.lose(err) }

// Message implements SubscriptionHandler.
func (c *tokenCache) Message(msg string) {
	kind, fields := parseMessage(msg)
	switch kind {
	case msgInvalidation:
		inv, err := decodeInvalidation(fields)
		if err != nil {
			// A message this version cannot read may name entries
			// to drop: drop them all.
			c.log.Warn("ginurin: unreadable cache invalidation; dropping the whole cache", "error", err)
			c.mu.Lock()
			c.gen++
			c.store.InvalidateAll()
			c.idx.reset()
			c.mu.Unlock()
			return
		}
		c.invalidate(inv)
	case msgPing:
		if len(fields) != 2 || fields[0] != c.instance {
			return // another instance's heartbeat
		}
		seq, err := strconv.ParseUint(fields[1], 10, 64)
		if err != nil {
			return
		}
		c.pingMu.Lock()
		sent, ok := c.pings[seq]
		delete(c.pings, seq)
		c.pingMu.Unlock()
		if ok {
			c.alive(sent)
		}
	}
}

// alive records that a heartbeat sent at sent (mono) came back: every
// message the channel accepted before it has been delivered.
func (c *tokenCache) alive(sent int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sent <= c.readyAt || sent <= c.lossAt {
		return // sent before the subscription was (re)established
	}
	if c.liveUntil.Load() == 0 {
		c.log.Info("ginurin: cache invalidation channel live; cached authentications last the full timeout")
	}
	if lu := sent + int64(c.fallback); lu > c.liveUntil.Load() {
		c.liveUntil.Store(lu)
	}
}

// start subscribes to inv and sends the heartbeats, until close.
func (c *tokenCache) start(inv Invalidator) {
	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	c.wg.Add(2)
	go func() {
		defer c.wg.Done()
		inv.Subscribe(ctx, c)
	}()
	go func() {
		defer c.wg.Done()
		c.heartbeat(ctx, inv)
	}()
}

// heartbeat publishes a heartbeat every quarter of the fallback timeout.
func (c *tokenCache) heartbeat(ctx context.Context, inv Invalidator) {
	tick := time.NewTicker(c.fallback / 4)
	defer tick.Stop()
	for {
		c.retryPending(ctx, inv)
		seq := c.seq.Add(1)
		now := c.mono()
		c.pingMu.Lock()
		c.pings[seq] = now
		for s, at := range c.pings {
			if now-at > int64(2*c.fallback) {
				delete(c.pings, s)
			}
		}
		c.pingMu.Unlock()
		pctx, cancel := context.WithTimeout(ctx, c.fallback/2)
		err := inv.Publish(pctx, encodePing(c.instance, seq))
		cancel()
		if err != nil && ctx.Err() == nil {
			c.pingMu.Lock()
			delete(c.pings, seq)
			c.pingMu.Unlock()
			c.lose(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// retryLater keeps msg, whose Publish failed, to publish again with the
// heartbeats for as long as a cache entry elsewhere may hold what it
// names: TokenCacheTimeout.
func (c *tokenCache) retryLater(msg string) {
	c.pendingMu.Lock()
	defer c.pendingMu.Unlock()
	if len(c.pending) >= maxPending {
		c.pending = c.pending[1:]
	}
	c.pending = append(c.pending, pendingMsg{msg: msg, until: c.mono() + int64(c.timeout)})
}

// retryPending publishes the kept invalidations, in order, until one fails.
func (c *tokenCache) retryPending(ctx context.Context, inv Invalidator) {
	c.pendingMu.Lock()
	defer c.pendingMu.Unlock()
	now := c.mono()
	for len(c.pending) > 0 {
		p := c.pending[0]
		if now < p.until {
			pctx, cancel := context.WithTimeout(ctx, c.fallback/2)
			err := inv.Publish(pctx, p.msg)
			cancel()
			if err != nil {
				return
			}
		}
		c.pending = c.pending[1:]
	}
	c.pending = nil
}

// close stops the subscription, the heartbeats and the store's goroutines.
func (c *tokenCache) close() {
	if c.stop != nil {
		c.stop()
		c.wg.Wait()
	}
	c.store.StopAllGoroutines()
}
