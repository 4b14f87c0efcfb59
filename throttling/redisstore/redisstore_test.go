package redisstore_test

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/ulule/limiter/v3"

	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/throttling"
	"github.com/ginurin/ginurin/throttling/redisstore"
	"github.com/ginurin/ginurin/throttling/throttlingtest"
)

func TestRedisStoreConformance(t *testing.T) {
	url := testdb.Require(t, testdb.RedisEnv)
	client, err := redisstore.Open(url)
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	throttlingtest.Run(t, func(t *testing.T) limiter.Store {
		// The suite's keys and scopes are unique per test; the prefix keeps
		// them apart from other users of the shared Redis.
		return redisstore.New(client, redisstore.Config{Prefix: "ginurin-test"})
	})
}

func TestOpen(t *testing.T) {
	tests := []struct {
		url        string
		dial, read time.Duration
	}{
		{"redis://127.0.0.1:6379/0", time.Second, time.Second},
		{"redis://127.0.0.1:6379/0?dial_timeout=3s&read_timeout=2s", 3 * time.Second, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			client, err := redisstore.Open(tt.url)
			require.NoError(t, err)
			defer client.Close()
			assert.Equal(t, tt.dial, client.Options().DialTimeout)
			assert.Equal(t, tt.read, client.Options().ReadTimeout)
		})
	}
	for _, bad := range []string{"http://user:hunter2@example.com", "redis://user:hunter2@host:6379/notadb", "redis://:hunter2@%zz"} {
		t.Run(bad, func(t *testing.T) {
			_, err := redisstore.Open(bad)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// Two instances of an application, each with its own client, share one
// budget through the prefix.
func TestInstancesShareBudget(t *testing.T) {
	url := testdb.Require(t, testdb.RedisEnv)
	prefix := throttlingtest.Unique(t)
	var stores []limiter.Store
	for range 2 {
		client, err := redisstore.Open(url)
		require.NoError(t, err)
		t.Cleanup(func() { client.Close() })
		stores = append(stores, redisstore.New(client, redisstore.Config{Prefix: prefix}))
	}
	rate, err := throttling.ParseRate("3/m")
	require.NoError(t, err)
	ctx := context.Background()
	for i, want := range []int64{2, 1, 0} {
		lctx, err := stores[i%2].Get(ctx, "k", rate)
		require.NoError(t, err)
		assert.Equal(t, want, lctx.Remaining)
	}
	lctx, err := stores[1].Get(ctx, "k", rate)
	require.NoError(t, err)
	assert.True(t, lctx.Reached)
}

// A store built while Redis is unreachable returns errors, then works
// once Redis answers: here, once the client points at the real server.
func TestUnreachableAtStart(t *testing.T) {
	url := testdb.Require(t, testdb.RedisEnv)
	opts, err := redis.ParseURL(url)
	require.NoError(t, err)
	real := opts.Addr
	opts.Addr, opts.MaxRetries = "127.0.0.1:1", -1
	var dialer net.Dialer
	var addr atomic.Value
	addr.Store(opts.Addr)
	opts.Dialer = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr.Load().(string))
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	store := redisstore.New(client, redisstore.Config{Prefix: throttlingtest.Unique(t)})
	rate, err := throttling.ParseRate("5/m")
	require.NoError(t, err)
	ctx := context.Background()
	_, err = store.Get(ctx, "k", rate)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())
	_, err = store.Get(ctx, "k", rate)
	require.Error(t, err, "retried at most once a second")

	addr.Store(real)
	require.Eventually(t, func() bool {
		_, err := store.Get(ctx, "k", rate)
		return err == nil
	}, 5*time.Second, 100*time.Millisecond)
}
