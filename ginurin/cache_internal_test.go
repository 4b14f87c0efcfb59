package ginurin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ginurin/ginurin/models"
)

// nopInvalidator never delivers anything: the tests drive the handler.
type nopInvalidator struct{}

func (nopInvalidator) Publish(context.Context, string) error          { return nil }
func (nopInvalidator) Subscribe(context.Context, SubscriptionHandler) {}

func testCache(t *testing.T, remote bool) (*tokenCache, *models.AuthToken, time.Time) {
	t.Helper()
	cfg := Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if remote {
		cfg.Invalidator = nopInvalidator{}
	}
	cfg.fillDefaults()
	c := newTokenCache(&cfg)
	t.Cleanup(c.close)
	now := time.Now()
	tok := &models.AuthToken{ID: 7, UserID: 3, ClientID: 2, Expiry: now.Add(time.Hour),
		User: &models.User{ID: 3, Username: "john", IsActive: true}, Client: &models.Client{ID: 2, Name: "web"}}
	return c, tok, now
}

func TestInvalidationWireFormat(t *testing.T) {
	for _, inv := range []Invalidation{
		{TokenIDs: []int64{1}},
		{TokenIDs: []int64{1, 2}, UserIDs: []int64{30}, ClientIDs: []int64{400}},
		{UserIDs: []int64{9223372036854775807}},
	} {
		kind, fields := parseMessage(encodeInvalidation(inv))
		if kind != msgInvalidation {
			t.Fatalf("kind %q", kind)
		}
		got, err := decodeInvalidation(fields)
		if err != nil {
			t.Fatal(err)
		}
		if encodeInvalidation(got) != encodeInvalidation(inv) {
			t.Errorf("round trip of %+v gave %+v", inv, got)
		}
	}
	for _, bad := range [][]string{{"t"}, {"x1"}, {"tx"}, {"u1", "c"}} {
		if _, err := decodeInvalidation(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

func TestCacheMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  string
		kept bool
	}{
		{"other token", "i t8", true},
		{"this token", "i t7", false},
		{"this user", "i u3", false},
		{"this client", "i c2", false},
		{"unreadable: drop everything", "i t7x", false},
		{"unknown kind is ignored", "z 1", true},
		{"another instance's heartbeat", "p 0011223344556677 1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, tok, now := testCache(t, false)
			key := tokenSum("gnr_token")
			c.put(&key, tok, c.begin(), now)
			c.Message(tc.msg)
			if _, ok := c.get(&key, now); ok != tc.kept {
				t.Errorf("after %q: cached %v, want %v", tc.msg, ok, tc.kept)
			}
		})
	}
}

func TestCacheRacingFillIsDropped(t *testing.T) {
	c, tok, now := testCache(t, false)
	key := tokenSum("gnr_token")
	f := c.begin()
	c.invalidate(Invalidation{TokenIDs: []int64{tok.ID}}) // while the fill read the database
	c.put(&key, tok, f, now)
	if _, ok := c.get(&key, now); ok {
		t.Error("a fill overtaken by an invalidation was cached")
	}
}

func TestCacheLease(t *testing.T) {
	c, tok, now := testCache(t, true)
	key := tokenSum("gnr_token")
	if c.live() {
		t.Fatal("live before any heartbeat")
	}
	// Not live: entries last at most the fallback timeout.
	c.put(&key, tok, c.begin(), now)
	if _, ok := c.get(&key, now.Add(c.fallback-time.Millisecond)); !ok {
		t.Error("not cached for the fallback timeout")
	}
	if _, ok := c.get(&key, now.Add(c.fallback)); ok {
		t.Error("cached past the fallback timeout while not live")
	}

	// A heartbeat sent before the subscription does not count; one after does.
	c.Message(encodePing(c.instance, 1)) // unknown seq: ignored
	sent := c.mono()
	c.pingMu.Lock()
	c.pings[1] = sent
	c.pingMu.Unlock()
	c.Subscribed()
	c.Message(encodePing(c.instance, 1))
	if c.live() {
		t.Fatal("a heartbeat sent before Subscribed made the cache live")
	}
	c.pingMu.Lock()
	c.pings[2] = c.mono()
	c.pingMu.Unlock()
	c.Message(encodePing(c.instance, 2))
	if !c.live() {
		t.Fatal("not live after a heartbeat")
	}
	c.put(&key, tok, c.begin(), now)
	if _, ok := c.get(&key, now.Add(30*time.Second)); !ok {
		t.Error("not cached for the full timeout while live")
	}

	// The lease runs out: everything goes.
	c.liveUntil.Store(c.mono() - 1)
	if _, ok := c.get(&key, now); ok {
		t.Error("served after the lease ran out")
	}
	if c.live() {
		t.Error("still live")
	}
	if _, ok := c.get(&key, now); ok {
		t.Error("the entry survived the loss")
	}

	// Lost drops entries made while live.
	c.pingMu.Lock()
	c.pings[3] = c.mono()
	c.pingMu.Unlock()
	c.Message(encodePing(c.instance, 3))
	c.put(&key, tok, c.begin(), now)
	c.Lost(io.ErrUnexpectedEOF)
	if _, ok := c.get(&key, now); ok {
		t.Error("served after Lost")
	}
}

// flakyInvalidator fails every Publish while down, and records the rest.
type flakyInvalidator struct {
	mu   sync.Mutex
	down bool
	msgs []string
}

func (f *flakyInvalidator) Publish(_ context.Context, msg string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("channel down")
	}
	f.msgs = append(f.msgs, msg)
	return nil
}

func (f *flakyInvalidator) Subscribe(ctx context.Context, _ SubscriptionHandler) { <-ctx.Done() }

func (f *flakyInvalidator) published(msg string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.msgs, msg)
}

func TestFailedPublishIsRetried(t *testing.T) {
	inv := &flakyInvalidator{down: true}
	cfg := Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Invalidator: inv,
		TokenCacheFallbackTimeout: 200 * time.Millisecond}
	cfg.fillDefaults()
	a := &Auth{cfg: cfg}
	t.Cleanup(func() { a.Close() })
	a.tokenCache()
	a.Invalidate(context.Background(), Invalidation{TokenIDs: []int64{42}})
	want := encodeInvalidation(Invalidation{TokenIDs: []int64{42}})
	if inv.published(want) {
		t.Fatal("published while down")
	}
	inv.mu.Lock()
	inv.down = false
	inv.mu.Unlock()
	deadline := time.Now().Add(2 * time.Second)
	for !inv.published(want) {
		if time.Now().After(deadline) {
			t.Fatal("the failed invalidation was not published again")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkLoginLogoutFullCache measures, on a cache holding
// TokenCacheSize (10000) entries, caching one session and invalidating it
// (a logout): the index makes it independent of the cache's size.
func BenchmarkLoginLogoutFullCache(b *testing.B) {
	cfg := Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg.fillDefaults()
	c := newTokenCache(&cfg)
	defer c.close()
	now := time.Now()
	for i := range cfg.TokenCacheSize {
		tok := &models.AuthToken{ID: int64(i + 1), UserID: int64(i%500 + 1), ClientID: 1, Expiry: now.Add(time.Hour),
			User: &models.User{}, Client: &models.Client{}}
		key := tokenSum(strconv.Itoa(i))
		c.put(&key, tok, c.begin(), now)
	}
	c.store.CleanUp()
	tok := &models.AuthToken{UserID: 1, ClientID: 2, Expiry: now.Add(time.Hour), User: &models.User{}, Client: &models.Client{}}
	key := tokenSum("session")
	b.ReportAllocs()
	for b.Loop() {
		tok.ID++
		c.put(&key, tok, c.begin(), now)
		c.invalidate(Invalidation{TokenIDs: []int64{tok.ID}})
	}
	if _, ok := c.get(&key, now); ok {
		b.Fatal("the last session is still cached")
	}
}

func TestCacheIndexStaysBoundedAndRight(t *testing.T) {
	cfg := Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TokenCacheSize: 5}
	cfg.fillDefaults()
	c := newTokenCache(&cfg)
	t.Cleanup(c.close)
	now := time.Now()
	for i := range 3000 {
		tok := &models.AuthToken{ID: int64(i + 1), UserID: int64(i%7 + 1), ClientID: 1, Expiry: now.Add(time.Hour),
			User: &models.User{}, Client: &models.Client{}}
		key := tokenSum(strconv.Itoa(i))
		c.put(&key, tok, c.begin(), now)
		if c.idx.n > 6*cfg.TokenCacheSize+3000 {
			t.Fatalf("index holds %d keys", c.idx.n)
		}
	}
	tok := &models.AuthToken{ID: 99999, UserID: 99, ClientID: 3, Expiry: now.Add(time.Hour), User: &models.User{}, Client: &models.Client{}}
	for _, inv := range []Invalidation{{TokenIDs: []int64{99999}}, {UserIDs: []int64{99}}, {ClientIDs: []int64{3}}} {
		key := tokenSum("last")
		c.put(&key, tok, c.begin(), now)
		if _, ok := c.get(&key, now); !ok {
			t.Fatal("not cached")
		}
		c.invalidate(inv)
		if _, ok := c.get(&key, now); ok {
			t.Errorf("%+v left the entry cached", inv)
		}
	}
}
