package redispubsub_test

import (
	"crypto/rand"
	"encoding/hex"
	"hash/fnv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/ginurin/invalidatortest"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/redispubsub"
)

var run = func() string { var b [4]byte; rand.Read(b[:]); return hex.EncodeToString(b[:]) }()

// factory builds Buses on a channel unique to the test, on the shared
// Redis of GINURIN_TEST_REDIS_URL.
func factory(t *testing.T, proxy *invalidatortest.Proxy) ginurin.Invalidator {
	t.Helper()
	opts, err := redis.ParseURL(testdb.Require(t, testdb.RedisEnv))
	if err != nil {
		t.Fatalf("parse %s: %v", testdb.RedisEnv, err)
	}
	if proxy != nil {
		proxy.SetTarget(opts.Addr)
		opts.Addr = proxy.Addr()
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	b, err := redispubsub.New(client, redispubsub.Config{
		Channel: "ginurin-test:" + run + ":" + hex.EncodeToString(h.Sum(nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConformance(t *testing.T) {
	invalidatortest.Run(t, factory)
}

func TestNewValidates(t *testing.T) {
	if _, err := redispubsub.New(nil, redispubsub.Config{}); err == nil {
		t.Error("New(nil) succeeded")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if _, err := redispubsub.New(c, redispubsub.Config{RetryDelay: -1}); err == nil {
		t.Error("a negative RetryDelay was accepted")
	}
}
