package routes_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
)

// TestLoginTimingDoesNotRevealUsers compares the median time of a login
// with an unknown username and with a wrong password: a dummy hash makes
// both do the same work, so the medians stay within 10%. Samples are
// interleaved so machine noise hits both sides alike, and a noisy attempt
// is retried.
func TestLoginTimingDoesNotRevealUsers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		const cost = 8
		auth, err := ginurin.New(db, ginurin.Config{PasswordHashCost: cost})
		require.NoError(t, err)
		ctx := context.Background()
		_, err = models.CreateUser(ctx, db, "alice", "right", false, cost)
		require.NoError(t, err)
		measure := func(username string) time.Duration {
			start := time.Now()
			_, err := auth.CheckCredentials(ctx, username, "wrong")
			require.ErrorIs(t, err, ginurin.ErrInvalidCredentials)
			return time.Since(start)
		}
		var ratio float64
		for attempt := 0; attempt < 5; attempt++ {
			var unknown, wrong []time.Duration
			for range 15 {
				unknown = append(unknown, measure("nobody"))
				wrong = append(wrong, measure("alice"))
			}
			ratio = float64(median(unknown)) / float64(median(wrong))
			if ratio > 0.9 && ratio < 1.1 {
				return
			}
		}
		t.Fatalf("unknown-user / wrong-password median time ratio %.2f, want within 10%%", ratio)
	})
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
