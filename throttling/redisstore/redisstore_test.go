package redisstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/ulule/limiter/v3"

	"github.com/ginurin/ginurin/internal/testdb"
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
