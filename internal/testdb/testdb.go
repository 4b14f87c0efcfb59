package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/models"
)

// PostgresEnv and RedisEnv name the variables that enable those backends.
const (
	PostgresEnv = "GINURIN_TEST_POSTGRES_DSN"
	RedisEnv    = "GINURIN_TEST_REDIS_URL"
)

// Backend is a database kind tests run against.
type Backend struct {
	Name string
	// URL returns a database URL for a fresh, empty database, as the
	// example's DATABASE_URL would take it.
	URL func(t testing.TB) string
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{{"sqlite", SQLiteURL}, {"postgres", PostgresURL}}
}

// Each runs fn as a subtest once per backend with a fresh, migrated
// database using ginurin's own users table.
func Each(t *testing.T, fn func(t *testing.T, db *bun.DB)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, Open(t, b.URL(t)))
		})
	}
}

// Open opens and migrates url, closing the database at the end of the test.
func Open(t testing.TB, url string) *bun.DB {
	t.Helper()
	db, err := models.Open(url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := models.Migrate(context.Background(), db, models.DefaultUserSchema()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// SQLiteURL returns the path of a new SQLite file in the test's temp dir.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "ginurin.db")
}

// PostgresURL returns a DSN whose search_path is a new schema, dropped at
// the end of the test. It skips without GINURIN_TEST_POSTGRES_DSN, or fails
// when CI is set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	dsn := Require(t, PostgresEnv)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Require returns the value of env, skipping the test when it is unset —
// or failing it when CI is set, since CI must run every backend.
func Require(t testing.TB, env string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s must be set in CI", env)
		}
		t.Skipf("%s not set", env)
	}
	return v
}

// Counter counts the queries a bun.DB runs.
type Counter struct{ n atomic.Int64 }

// Count installs a query counter on db.
func Count(db *bun.DB) *Counter {
	c := new(Counter)
	db.AddQueryHook(c)
	return c
}

// BeforeQuery implements bun.QueryHook.
func (c *Counter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery implements bun.QueryHook.
func (c *Counter) AfterQuery(context.Context, *bun.QueryEvent) { c.n.Add(1) }

// Reset sets the count to zero.
func (c *Counter) Reset() { c.n.Store(0) }

// N returns the number of queries since the last Reset.
func (c *Counter) N() int64 { return c.n.Load() }
