package ginurin_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testdb"
)

// flakyChannel fails its first publishes and records the ones that go
// through; its subscription stays up until cancelled.
type flakyChannel struct {
	mu        sync.Mutex
	failures  int
	delivered []string
}

func (f *flakyChannel) Publish(_ context.Context, msg string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return errors.New("channel down")
	}
	f.delivered = append(f.delivered, msg)
	return nil
}

func (f *flakyChannel) Subscribe(ctx context.Context, h ginurin.SubscriptionHandler) {
	h.Subscribed()
	<-ctx.Done()
}

// TestFailedPublishRetriedWithoutCache: an instance that never serves
// CachedMiddleware (a CLI command, an admin process) still publishes a
// revocation again once the channel is back, at the latest when closed.
func TestFailedPublishRetriedWithoutCache(t *testing.T) {
	ch := &flakyChannel{failures: 1}
	auth, err := ginurin.New(testdb.Open(t, testdb.SQLiteURL(t)), ginurin.Config{Invalidator: ch, PasswordHashCost: 4})
	require.NoError(t, err)
	auth.Invalidate(context.Background(), ginurin.Invalidation{UserIDs: []int64{42}})
	require.NoError(t, auth.Close())
	ch.mu.Lock()
	defer ch.mu.Unlock()
	var invalidations []string
	for _, m := range ch.delivered {
		if strings.HasPrefix(m, "i ") {
			invalidations = append(invalidations, m)
		}
	}
	assert.Equal(t, []string{"i u42"}, invalidations, "the failed invalidation went through on retry")
}
