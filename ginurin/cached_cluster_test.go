package ginurin_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/ginurin/invalidatortest"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/pgnotify"
	"github.com/ginurin/ginurin/redispubsub"
)

// channelName is unique per test, as Redis and PostgreSQL are shared.
func channelName(t *testing.T) string {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	return "ginurin_test_" + hex.EncodeToString(b[:])
}

// transports build the Invalidators of one cluster: every call returns a
// new Invalidator on the same channel, through proxy when not nil.
var transports = []struct {
	name string
	env  string
	make func(t *testing.T, channel string, proxy *invalidatortest.Proxy) ginurin.Invalidator
}{
	{"redis", testdb.RedisEnv, func(t *testing.T, channel string, proxy *invalidatortest.Proxy) ginurin.Invalidator {
		opts, err := redis.ParseURL(testdb.Require(t, testdb.RedisEnv))
		require.NoError(t, err)
		if proxy != nil {
			proxy.SetTarget(opts.Addr)
			opts.Addr = proxy.Addr()
		}
		client := redis.NewClient(opts)
		t.Cleanup(func() { client.Close() })
		b, err := redispubsub.New(client, redispubsub.Config{Channel: channel, IdleTimeout: time.Second, RetryDelay: 100 * time.Millisecond})
		require.NoError(t, err)
		return b
	}},
	{"postgres notify", testdb.PostgresEnv, func(t *testing.T, channel string, proxy *invalidatortest.Proxy) ginurin.Invalidator {
		dsn := testdb.Require(t, testdb.PostgresEnv)
		if proxy != nil {
			u, err := url.Parse(dsn)
			require.NoError(t, err)
			proxy.SetTarget(u.Host)
			u.Host = proxy.Addr()
			dsn = u.String()
		}
		n, err := pgnotify.New(dsn, pgnotify.Config{Channel: channel, IdleTimeout: time.Second, RetryDelay: 100 * time.Millisecond})
		require.NoError(t, err)
		t.Cleanup(n.Close)
		return n
	}},
}

// cluster returns two instances on one fresh PostgreSQL schema, with
// users john and jane and clients web and cli. b's channel goes through
// proxy when it is not nil.
func cluster(t *testing.T, tr int, proxy *invalidatortest.Proxy) (a, b *instance) {
	t.Helper()
	testdb.Require(t, transports[tr].env)
	dbURL := testdb.PostgresURL(t)
	channel := channelName(t)
	a = newInstance(t, dbURL, transports[tr].make(t, channel, nil))
	b = newInstance(t, dbURL, transports[tr].make(t, channel, proxy))
	ctx := context.Background()
	for _, u := range [][2]string{{"john", "secret"}, {"jane", "secret2"}} {
		_, err := models.CreateUser(ctx, a.db, u[0], u[1], false, 4)
		require.NoError(t, err)
	}
	_, err := a.auth.NewClient(ctx, "web", 0, "")
	require.NoError(t, err)
	_, err = a.auth.NewClient(ctx, "cli", time.Hour, "")
	require.NoError(t, err)
	waitLive(t, a)
	waitLive(t, b)
	return a, b
}

// warmOn caches token on in: eventually a request costs no query. (The
// invalidation that a's login broadcast may land after the first fill.)
func warmOn(t *testing.T, in *instance, token string) {
	t.Helper()
	require.Eventually(t, func() bool {
		in.queries.Reset()
		r := in.do(t, "GET", "/api/cached", token)
		return r.Code == http.StatusOK && in.queries.N() == 0
	}, 2*time.Second, 10*time.Millisecond, "the token is not served from the cache")
}

// refusedWithin polls in until token is refused, failing after d.
func refusedWithin(t *testing.T, in *instance, token string, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		r := in.do(t, "GET", "/api/cached", token)
		if r.Code == http.StatusUnauthorized {
			return time.Since(start)
		}
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		if time.Since(start) > d {
			t.Fatalf("token still accepted %v after the revocation", time.Since(start))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCachedAcrossInstances: a revocation on one instance is refused by
// the other instance's cached route within a second.
func TestCachedAcrossInstances(t *testing.T) {
	ctx := context.Background()
	for tr, transport := range transports {
		t.Run(transport.name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				act  func(t *testing.T, a *instance, token string)
			}{
				{"logout", func(t *testing.T, a *instance, token string) {
					require.Equal(t, http.StatusNoContent, a.do(t, "POST", "/api/logout", token).Code)
				}},
				{"logoutall", func(t *testing.T, a *instance, _ string) {
					other := a.login(t, "john", "secret", "cli")
					require.Equal(t, http.StatusNoContent, a.do(t, "POST", "/api/logoutall", other).Code)
				}},
				{"deactivate", func(t *testing.T, a *instance, _ string) {
					require.NoError(t, a.auth.SetUserActive(ctx, "john", false))
				}},
				{"client delete", func(t *testing.T, a *instance, _ string) {
					require.NoError(t, a.auth.DeleteClient(ctx, "web"))
				}},
				{"digest re-login", func(t *testing.T, a *instance, _ string) {
					a.login(t, "john", "secret", "web")
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					a, b := cluster(t, tr, nil)
					token := a.login(t, "john", "secret", "web")
					warmOn(t, b, token)
					tc.act(t, a, token)
					took := refusedWithin(t, b, token, time.Second)
					t.Logf("refused by the other instance after %v", took)
				})
			}
			t.Run("refresh", func(t *testing.T) {
				a, b := cluster(t, tr, nil)
				token := a.login(t, "john", "secret", "web")
				warmOn(t, b, token)
				before := b.do(t, "GET", "/api/cached", token).Body["expiry"]
				time.Sleep(10 * time.Millisecond)
				r := a.do(t, "POST", "/api/refresh", token)
				require.Equal(t, http.StatusOK, r.Code)
				require.Eventually(t, func() bool {
					got := b.do(t, "GET", "/api/cached", token).Body["expiry"]
					return got != before
				}, time.Second, 5*time.Millisecond, "the other instance kept the old expiry")
			})
		})
	}
}

// TestCachedChannelDown: when an instance loses its invalidation channel it
// stops trusting its cache within the fallback timeout, logs a warning,
// keeps entries only that long, and resumes the full timeout once the
// channel is back.
func TestCachedChannelDown(t *testing.T) {
	for tr, transport := range transports {
		t.Run(transport.name, func(t *testing.T) {
			proxy := invalidatortest.NewProxy(t, "")
			a, b := cluster(t, tr, proxy)
			token := a.login(t, "john", "secret", "web")
			warmOn(t, b, token)

			proxy.Cut()
			// The revocation's message cannot reach b.
			require.Equal(t, http.StatusNoContent, a.do(t, "POST", "/api/logout", token).Code)
			took := refusedWithin(t, b, token, 1100*time.Millisecond)
			t.Logf("refused after %v without the channel", took)
			require.Eventually(t, func() bool {
				return strings.Contains(b.logs.String(), "cache invalidation channel down")
			}, 5*time.Second, 20*time.Millisecond, "no warning logged")
			assert.False(t, b.auth.CacheLive())

			// While down, entries last at most the fallback timeout.
			other := a.login(t, "jane", "secret2", "web")
			require.Equal(t, http.StatusOK, b.do(t, "GET", "/api/cached", other).Code)
			b.queries.Reset()
			require.Equal(t, http.StatusOK, b.do(t, "GET", "/api/cached", other).Code)
			assert.EqualValues(t, 0, b.queries.N(), "cached for the fallback timeout")
			time.Sleep(1100 * time.Millisecond)
			b.queries.Reset()
			require.Equal(t, http.StatusOK, b.do(t, "GET", "/api/cached", other).Code)
			assert.EqualValues(t, 1, b.queries.N(), "not past the fallback timeout")

			proxy.Restore()
			waitLive(t, b)
			fresh := a.login(t, "jane", "secret2", "cli")
			warmOn(t, b, fresh)
			time.Sleep(1200 * time.Millisecond)
			b.queries.Reset()
			require.Equal(t, http.StatusOK, b.do(t, "GET", "/api/cached", fresh).Code)
			assert.EqualValues(t, 0, b.queries.N(), "the full timeout is back")
			require.Equal(t, http.StatusNoContent, a.do(t, "POST", "/api/logout", fresh).Code)
			refusedWithin(t, b, fresh, time.Second)
		})
	}
}
