package dbpoll_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/dbpoll"
	"github.com/ginurin/ginurin/ginurin/invalidatortest"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
)

// Two processes on one SQLite file: each opens its own *bun.DB.
func TestDeliversInOrderAcrossConnections(t *testing.T) {
	url := testdb.SQLiteURL(t)
	a, err := dbpoll.New(testdb.Open(t, url), dbpoll.Config{Interval: 10 * time.Millisecond})
	require.NoError(t, err)
	b, err := dbpoll.New(testdb.Open(t, url), dbpoll.Config{Interval: 10 * time.Millisecond})
	require.NoError(t, err)
	ra, rb := invalidatortest.Subscribe(t, a), invalidatortest.Subscribe(t, b)
	require.Eventually(t, func() bool { s1, _ := ra.Counts(); s2, _ := rb.Counts(); return s1 == 1 && s2 == 1 }, 5*time.Second, 10*time.Millisecond)
	var want []string
	for i := range 20 {
		msg := fmt.Sprintf("i t%d", i)
		want = append(want, msg)
		require.NoError(t, a.Publish(context.Background(), msg))
	}
	for name, r := range map[string]*invalidatortest.Recorder{"publisher": ra, "other": rb} {
		require.Eventually(t, func() bool { return len(r.Messages()) >= len(want) }, 5*time.Second, 10*time.Millisecond, name)
		assert.Equal(t, want, r.Messages(), name)
		_, lost := r.Counts()
		assert.Zero(t, lost, name)
	}
}

func TestPublishHonoursContext(t *testing.T) {
	p, err := dbpoll.New(testdb.Open(t, testdb.SQLiteURL(t)), dbpoll.Config{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.Error(t, p.Publish(ctx, "i t1"))
}

func TestOldRowsArePruned(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	p, err := dbpoll.New(db, dbpoll.Config{Interval: 10 * time.Millisecond, Retention: 40 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, p.Publish(context.Background(), "i t1"))
	invalidatortest.Subscribe(t, p)
	require.Eventually(t, func() bool {
		n, err := db.NewSelect().Model((*models.Invalidation)(nil)).Count(context.Background())
		return err == nil && n == 0
	}, 5*time.Second, 10*time.Millisecond, "rows older than the retention are deleted")
}

func TestLostWhenTheDatabaseFails(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	p, err := dbpoll.New(db, dbpoll.Config{Interval: 10 * time.Millisecond, RetryDelay: 10 * time.Millisecond})
	require.NoError(t, err)
	r := invalidatortest.Subscribe(t, p)
	require.Eventually(t, func() bool { s, _ := r.Counts(); return s == 1 }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, db.Close())
	require.Eventually(t, func() bool { _, l := r.Counts(); return l > 0 }, 5*time.Second, 10*time.Millisecond, "a failing poll reports Lost")
}

func TestNewValidates(t *testing.T) {
	_, err := dbpoll.New(nil, dbpoll.Config{})
	assert.Error(t, err)
	_, err = dbpoll.New(testdb.Open(t, testdb.SQLiteURL(t)), dbpoll.Config{Interval: -1})
	assert.Error(t, err)
}
