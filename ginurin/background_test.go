package ginurin_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
)

// storedLastUse reads the last use of token id from the database.
func storedLastUse(t *testing.T, db *bun.DB, id int64) *time.Time {
	t.Helper()
	var tok models.AuthToken
	require.NoError(t, db.NewSelect().Model(&tok).Where("id = ?", id).Scan(context.Background()))
	if tok.LastUsed == nil {
		return nil
	}
	u := tok.LastUsed.UTC()
	return &u
}

// login logs username in for client through Auth and returns the session.
func login(t *testing.T, a *testapp.App, username, password, client string) *models.AuthToken {
	t.Helper()
	ctx := context.Background()
	u, err := a.Auth.CheckCredentials(ctx, username, password)
	require.NoError(t, err)
	c, err := models.ClientByName(ctx, a.DB, client)
	require.NoError(t, err)
	issued, err := a.Auth.Login(ctx, u, c)
	require.NoError(t, err)
	return issued.Session
}

func TestAuthenticatedRequestMakesOneQuery(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		// No timed flush during the test: only Close writes, so every query
		// counted below belongs to a request.
		ginurin.SetFlushEvery(a.Auth, time.Hour)
		token := a.MustLogin("john", "secret", "web")
		var session models.AuthToken
		require.NoError(t, db.NewSelect().Model(&session).Scan(context.Background()), "the one session")
		require.Nil(t, session.LastUsed)

		queries := testdb.Count(db)
		for _, name := range []string{"first use queues a last-use write", "second use within the interval"} {
			t.Run(name, func(t *testing.T) {
				queries.Reset()
				r := a.Do("GET", "/api/", token, "", "")
				require.Equal(t, http.StatusOK, r.Code)
				assert.Equal(t, int64(1), queries.N(), "one SQL round trip per authenticated request")
			})
		}
		assert.Nil(t, storedLastUse(t, db, session.ID), "nothing written on the request path")

		queries.Reset()
		require.NoError(t, a.Auth.Close())
		assert.Equal(t, int64(1), queries.N(), "both uses written in one statement")
		got := storedLastUse(t, db, session.ID)
		require.NotNil(t, got, "last use written by the background writer")
		assert.True(t, got.Equal(a.Clock().Truncate(time.Microsecond)), "last_used %v, want %v", got, a.Clock())
	})
}

func TestLastUsedAtMostOncePerInterval(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{LastUsedInterval: time.Minute}, routes.Config{})
		ginurin.SetFlushEvery(a.Auth, 5*time.Millisecond)
		s := login(t, a, "john", "secret", "web")
		t0 := a.Clock().Truncate(time.Microsecond)

		ginurin.Touch(a.Auth, s.ID, nil, t0)
		require.Eventually(t, func() bool { u := storedLastUse(t, db, s.ID); return u != nil && u.Equal(t0) },
			10*time.Second, 5*time.Millisecond)

		queries := testdb.Count(db)
		// A request that loaded the token before the write landed still
		// sees no last use; the writer must not write again this interval.
		ginurin.Touch(a.Auth, s.ID, nil, t0.Add(10*time.Second))
		// A request that saw the fresh value queues nothing.
		ginurin.Touch(a.Auth, s.ID, &t0, t0.Add(20*time.Second))
		time.Sleep(100 * time.Millisecond) // twenty flush periods
		assert.Equal(t, int64(0), queries.N(), "no write within the interval")
		assert.True(t, storedLastUse(t, db, s.ID).Equal(t0))

		t1 := t0.Add(61 * time.Second)
		ginurin.Touch(a.Auth, s.ID, &t0, t1)
		require.Eventually(t, func() bool { return storedLastUse(t, db, s.ID).Equal(t1) }, 10*time.Second, 5*time.Millisecond,
			"a use after the interval is written")
	})
}

func TestLastUsedDisabled(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{LastUsedInterval: -1}, routes.Config{})
		token := a.MustLogin("john", "secret", "web")
		queries := testdb.Count(db)
		require.Equal(t, http.StatusOK, a.Do("GET", "/api/", token, "", "").Code)
		require.NoError(t, a.Auth.Close())
		assert.Equal(t, int64(1), queries.N(), "no last-use write at all")
		var tok models.AuthToken
		require.NoError(t, db.NewSelect().Model(&tok).Limit(1).Scan(context.Background()))
		assert.Nil(t, tok.LastUsed)
	})
}

func TestCloseFlushesAndIsIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		ginurin.SetFlushEvery(a.Auth, time.Hour)
		web := login(t, a, "john", "secret", "web")
		cli := login(t, a, "john", "secret", "cli")
		t0 := a.Clock().Truncate(time.Microsecond)
		ginurin.Touch(a.Auth, web.ID, nil, t0)
		ginurin.Touch(a.Auth, cli.ID, nil, t0.Add(time.Second))
		done := make(chan struct{})
		go func() { a.Auth.Close(); close(done) }()
		require.NoError(t, a.Auth.Close())
		<-done
		assert.True(t, storedLastUse(t, db, web.ID).Equal(t0))
		assert.True(t, storedLastUse(t, db, cli.ID).Equal(t0.Add(time.Second)))

		jane := login(t, a, "jane", "secret2", "web")
		ginurin.Touch(a.Auth, jane.ID, nil, t0) // after Close: dropped, no panic
		assert.Nil(t, storedLastUse(t, db, jane.ID))
		require.NoError(t, a.Auth.Close())
	})
}

func TestPruneExpired(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		ctx := context.Background()
		for i := range 6 {
			name := fmt.Sprintf("short%d", i)
			_, err := a.Auth.NewClient(ctx, name, time.Hour, "")
			require.NoError(t, err)
			login(t, a, "john", "secret", name)
			login(t, a, "jane", "secret2", name)
		}
		login(t, a, "john", "secret", "web")
		login(t, a, "jane", "secret2", "web")
		a.TakeEvents()

		n, err := a.Auth.PruneExpired(ctx, 5)
		require.NoError(t, err)
		assert.Equal(t, int64(0), n, "nothing has expired yet")
		assert.Equal(t, 14, a.TokenCount())

		a.Advance(time.Hour) // expiry is inclusive: a token expires at its expiry
		queries := testdb.Count(db)
		n, err = a.Auth.PruneExpired(ctx, 5)
		require.NoError(t, err)
		assert.Equal(t, int64(12), n)
		assert.Equal(t, int64(3), queries.N(), "batches of 5, 5 and 2, one statement each")
		assert.Equal(t, 2, a.TokenCount(), "unexpired tokens stay")
		assert.Empty(t, a.TakeEvents(), "pruning emits no event")

		n, err = a.Auth.PruneExpired(ctx, 0)
		require.NoError(t, err)
		assert.Equal(t, int64(0), n)
	})
}

func TestIntervalPruning(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{PruneInterval: 10 * time.Millisecond}, routes.Config{})
		login(t, a, "john", "secret", "cli")
		login(t, a, "john", "secret", "web")
		a.TakeEvents()
		a.Advance(2 * time.Hour)
		require.Eventually(t, func() bool { return a.TokenCount() == 1 }, 10*time.Second, 10*time.Millisecond)
		assert.Empty(t, a.TakeEvents(), "pruning emits no event")

		require.NoError(t, a.Auth.Close())
		login(t, a, "jane", "secret2", "cli")
		a.Advance(2 * time.Hour)
		time.Sleep(100 * time.Millisecond) // ten intervals
		assert.Equal(t, 2, a.TokenCount(), "Close stopped interval pruning")
	})
}

func TestNewRejectsNegativePruneSettings(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	for _, cfg := range []ginurin.Config{{PruneInterval: -time.Second}, {PruneBatchSize: -1}} {
		_, err := ginurin.New(db, cfg)
		assert.ErrorContains(t, err, "ginurin: PruneInterval and PruneBatchSize must not be negative")
	}
}
