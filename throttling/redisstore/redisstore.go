package redisstore

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"
	uredis "github.com/ulule/limiter/v3/drivers/store/redis"
)

// Config configures a store. Every zero field takes the default stated on
// it.
type Config struct {
	// Prefix starts every key the store writes; instances that must share
	// a budget use the same prefix, unrelated applications on one Redis use
	// different ones. Default "ginurin".
	Prefix string
}

// retryEvery is the least time between two attempts to load the scripts
// while Redis is unreachable.
const retryEvery = time.Second

// store is a limiter.Store that builds ulule's Redis store on first use:
// ulule's constructor loads its Lua scripts and fails when Redis is down.
// While Redis is unreachable one caller at a time, at most once per
// retryEvery, tries again; every other call fails at once with the last
// error, so an outage never queues requests behind a lock. The limiter's
// FailMode then decides what the failing calls mean.
type store struct {
	client redis.UniversalClient
	opts   limiter.StoreOptions

	mu    sync.Mutex
	inner limiter.Store
	// loading is closed when the load under way ends; nil when none is.
	loading chan struct{}
	// lastTry and lastErr describe the last failed load.
	lastTry time.Time
	lastErr error
}

// New returns a limiter.Store on client. It does not contact Redis: the
// first call does, and a call while Redis is unreachable returns an error
// wrapped with "redisstore:". Keys expire with their rate's period.
func New(client redis.UniversalClient, cfg Config) limiter.Store {
	if cfg.Prefix == "" {
		cfg.Prefix = "ginurin"
	}
	return &store{client: client, opts: limiter.StoreOptions{Prefix: cfg.Prefix}}
}

// Open parses url ("redis://[user:password@]host:port/db", or rediss://
// for TLS) into a client tuned to fail fast, so that an unreachable Redis
// costs a request at most about a second rather than holding it: dial,
// read and write timeouts of 1s and no command retries, unless the URL
// sets them (dial_timeout, read_timeout, write_timeout, max_retries), and
// a single dial attempt. It does not contact Redis. The error never
// contains the URL.
func Open(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// A *url.Error quotes the URL, password included: keep its cause.
		var uerr *neturl.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("redisstore: invalid Redis URL: %w", err)
	}
	q := neturl.Values{}
	if u, err := neturl.Parse(url); err == nil {
		q = u.Query()
	}
	if !q.Has("dial_timeout") {
		opts.DialTimeout = time.Second
	}
	if !q.Has("read_timeout") {
		opts.ReadTimeout = time.Second
	}
	if !q.Has("write_timeout") {
		opts.WriteTimeout = time.Second
	}
	if !q.Has("max_retries") {
		opts.MaxRetries = -1
	}
	opts.DialerRetries = 1
	return redis.NewClient(opts), nil
}

func (s *store) get(ctx context.Context) (limiter.Store, error) {
	s.mu.Lock()
	for s.inner == nil && s.loading != nil && s.lastErr == nil {
		// The first load is under way and Redis has not failed yet: wait
		// for it rather than fail a request on a healthy Redis.
		done := s.loading
		s.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, fmt.Errorf("redisstore: %w", ctx.Err())
		}
		s.mu.Lock()
	}
	if s.inner != nil {
		inner := s.inner
		s.mu.Unlock()
		return inner, nil
	}
	if s.loading != nil || time.Since(s.lastTry) < retryEvery {
		err := s.lastErr
		s.mu.Unlock()
		return nil, err
	}
	done := make(chan struct{})
	s.loading, s.lastTry = done, time.Now()
	s.mu.Unlock()

	inner, err := uredis.NewStoreWithOptions(s.client, s.opts)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.loading = nil
	close(done)
	if err != nil {
		s.lastErr = fmt.Errorf("redisstore: load scripts: %w", err)
		return nil, s.lastErr
	}
	s.inner, s.lastErr = inner, nil
	return inner, nil
}

// Get implements limiter.Store.
func (s *store) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	inner, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return wrap(inner.Get(ctx, key, rate))
}

// Peek implements limiter.Store.
func (s *store) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	inner, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return wrap(inner.Peek(ctx, key, rate))
}

// Reset implements limiter.Store.
func (s *store) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	inner, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return wrap(inner.Reset(ctx, key, rate))
}

// Increment implements limiter.Store.
func (s *store) Increment(ctx context.Context, key string, count int64, rate limiter.Rate) (limiter.Context, error) {
	inner, err := s.get(ctx)
	if err != nil {
		return limiter.Context{}, err
	}
	return wrap(inner.Increment(ctx, key, count, rate))
}

func wrap(lctx limiter.Context, err error) (limiter.Context, error) {
	if err != nil {
		return lctx, fmt.Errorf("redisstore: %w", err)
	}
	return lctx, nil
}
