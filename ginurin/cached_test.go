package ginurin_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
)

// cachedHandler echoes what the cached middleware put in the context.
func cachedHandler(c *gin.Context) {
	t, ok := ginurin.TokenFrom(c)
	u, uok := ginurin.UserFrom(c)
	cl, cok := ginurin.ClientFrom(c)
	if !ok || !uok || !cok {
		c.JSON(http.StatusInternalServerError, gin.H{"detail": "no session in context"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"username": u.Username, "client": cl.Name, "token_id": t.ID, "expiry": t.Expiry.UTC().Format(time.RFC3339Nano)})
}

// newCachedApp is a testapp with GET /api/cached behind CachedMiddleware.
func newCachedApp(t *testing.T, db *bun.DB, cfg ginurin.Config) *testapp.App {
	t.Helper()
	a := testapp.New(t, db, cfg, routes.Config{})
	t.Cleanup(func() { a.Auth.Close() })
	a.Engine.GET("/api/cached", a.Auth.CachedMiddleware(), cachedHandler)
	return a
}

func TestCachedMiddlewareQueries(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  ginurin.Config
	}{
		{"digest", ginurin.Config{}},
		{"hmac digest", ginurin.Config{DigestKey: []byte("k3y")}},
		{"plain", ginurin.Config{StorageMode: ginurin.StoragePlain}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := newCachedApp(t, db, tc.cfg)
				token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
				queries := testdb.Count(db)

				r := a.Do("GET", "/api/cached", token, "", "")
				require.Equal(t, http.StatusOK, r.Code, r.Raw)
				assert.Equal(t, "john", r.Body["username"])
				assert.Equal(t, "web", r.Body["client"])
				assert.EqualValues(t, 1, queries.N(), "a miss costs one query")

				for range 3 {
					queries.Reset()
					r = a.Do("GET", "/api/cached", token, "", "")
					require.Equal(t, http.StatusOK, r.Code, r.Raw)
					assert.Equal(t, "john", r.Body["username"])
					assert.EqualValues(t, 0, queries.N(), "a hit costs no query")
				}

				// Another user's token is another entry.
				jane := a.MustLogin(testapp.Jane, testapp.JanePassword, "cli")
				queries.Reset()
				r = a.Do("GET", "/api/cached", jane, "", "")
				assert.Equal(t, "jane", r.Body["username"])
				assert.Equal(t, "cli", r.Body["client"])
				assert.EqualValues(t, 1, queries.N())
			})
		})
	}
}

func TestCachedMiddlewareRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newCachedApp(t, db, ginurin.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		flipped := token[:10] + string("0123456789abcdef"[(indexHex(token[10])+1)%16]) + token[11:]
		unknown := a.MustLogin(testapp.Jane, testapp.JanePassword, "web")
		require.Equal(t, http.StatusNoContent, a.Do("POST", "/api/logout", unknown, "", "").Code)
		queries := testdb.Count(db)
		for _, tc := range []struct {
			name, header, detail string
			queries              int64
		}{
			{"no header", "", "Authentication credentials were not provided.", 0},
			{"other scheme", "Bearer " + token, "Authentication credentials were not provided.", 0},
			{"scheme alone", "Token", "Invalid token header. No credentials provided.", 0},
			{"spaces", "Token " + token + " x", "Invalid token header. Token string should not contain spaces.", 0},
			{"short", "Token gnr_abc", "Invalid token.", 0},
			{"bad checksum", "Token " + flipped, "Invalid token.", 0},
			{"unknown", "Token " + unknown, "Invalid token.", 1},
			{"unknown again, not cached", "Token " + unknown, "Invalid token.", 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", "/api/cached", nil)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				queries.Reset()
				r := a.Serve(req)
				assert.Equal(t, http.StatusUnauthorized, r.Code)
				assert.Equal(t, tc.detail, r.Body["detail"])
				assert.Equal(t, "Token", r.Header.Get("WWW-Authenticate"))
				assert.Equal(t, tc.queries, queries.N())
			})
		}
	})
}

func indexHex(c byte) int {
	if c >= 'a' {
		return int(c-'a') + 10
	}
	return int(c - '0')
}

// TestCachedRevocation checks that every revocation path holds from the
// very next request on the instance, although the token was cached.
func TestCachedRevocation(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		mode   ginurin.StorageMode
		act    func(t *testing.T, a *testapp.App, token string) (newToken string)
		status int
		detail string
	}{
		{"logout", "", func(t *testing.T, a *testapp.App, token string) string {
			require.Equal(t, http.StatusNoContent, a.Do("POST", "/api/logout", token, "", "").Code)
			return ""
		}, 401, "Invalid token."},
		{"logoutall from another client", "", func(t *testing.T, a *testapp.App, _ string) string {
			other := a.MustLogin(testapp.John, testapp.JohnPassword, "cli")
			require.Equal(t, http.StatusNoContent, a.Do("POST", "/api/logoutall", other, "", "").Code)
			return ""
		}, 401, "Invalid token."},
		{"revoke by the service", "", func(t *testing.T, a *testapp.App, token string) string {
			sess, err := a.Auth.Authenticate(ctx, token)
			require.NoError(t, err)
			require.NoError(t, a.Auth.Revoke(ctx, sess))
			return ""
		}, 401, "Invalid token."},
		{"session deleted from another session", "", func(t *testing.T, a *testapp.App, token string) string {
			sess, err := a.Auth.Authenticate(ctx, token)
			require.NoError(t, err)
			require.NoError(t, a.Auth.RevokeSession(ctx, sess.UserID, sess.ID))
			return ""
		}, 401, "Invalid token."},
		{"client session revoked (apiaccess delete)", "", func(t *testing.T, a *testapp.App, token string) string {
			sess, err := a.Auth.Authenticate(ctx, token)
			require.NoError(t, err)
			require.NoError(t, a.Auth.RevokeClientSession(ctx, sess.UserID, "web"))
			return ""
		}, 401, "Invalid token."},
		{"admin revoke by id", "", func(t *testing.T, a *testapp.App, token string) string {
			sess, err := a.Auth.Authenticate(ctx, token)
			require.NoError(t, err)
			require.NoError(t, a.Auth.RevokeByID(ctx, sess.ID))
			return ""
		}, 401, "Invalid token."},
		{"client renamed", "", func(t *testing.T, a *testapp.App, token string) string {
			c, err := models.ClientByName(ctx, a.DB, "web")
			require.NoError(t, err)
			c.Name = "browser"
			require.NoError(t, a.Auth.UpdateClient(ctx, c))
			r := a.Do("GET", "/api/cached", token, "", "")
			require.Equal(t, http.StatusOK, r.Code)
			require.Equal(t, "browser", r.Body["client"], "the cached client is reloaded")
			return ""
		}, 200, ""},
		{"user deactivated", "", func(t *testing.T, a *testapp.App, _ string) string {
			require.NoError(t, a.Auth.SetUserActive(ctx, testapp.John, false))
			return ""
		}, 401, "User inactive or deleted."},
		{"client deleted", "", func(t *testing.T, a *testapp.App, _ string) string {
			require.NoError(t, a.Auth.DeleteClient(ctx, "web"))
			return ""
		}, 401, "Invalid token."},
		{"digest re-login", ginurin.StorageDigest, func(t *testing.T, a *testapp.App, _ string) string {
			return a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		}, 401, "Invalid token."},
		{"plain re-login keeps the token", ginurin.StoragePlain, func(t *testing.T, a *testapp.App, token string) string {
			again := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			require.Equal(t, token, again)
			return ""
		}, 200, ""},
		{"token expired", "", func(t *testing.T, a *testapp.App, _ string) string {
			a.Advance(24 * time.Hour)
			return ""
		}, 401, "The given token has expired."},
		{"invalidated by the application", "", func(t *testing.T, a *testapp.App, _ string) string {
			_, err := models.SetUserActive(ctx, a.DB, testapp.John, false) // behind Auth's back
			require.NoError(t, err)
			var u models.User
			require.NoError(t, a.DB.NewSelect().Model(&u).Where("username = ?", testapp.John).Scan(ctx))
			a.Auth.Invalidate(ctx, ginurin.Invalidation{UserIDs: []int64{u.ID}})
			return ""
		}, 401, "User inactive or deleted."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := newCachedApp(t, db, ginurin.Config{StorageMode: tc.mode})
				token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
				warm(t, a, db, token)
				a.TakeEvents()

				newToken := tc.act(t, a, token)
				r := a.Do("GET", "/api/cached", token, "", "")
				assert.Equal(t, tc.status, r.Code, r.Raw)
				if tc.detail != "" {
					assert.Equal(t, tc.detail, r.Body["detail"])
				}
				if tc.status == http.StatusUnauthorized {
					// And it stays refused.
					assert.Equal(t, tc.status, a.Do("GET", "/api/cached", token, "", "").Code)
				}
				if tc.detail == "The given token has expired." {
					assert.Contains(t, a.TakeEvents(), "token_expired")
				}
				if newToken != "" {
					r := a.Do("GET", "/api/cached", newToken, "", "")
					assert.Equal(t, http.StatusOK, r.Code, "the new token works")
				}
			})
		})
	}
}

// warm authenticates token on /api/cached until it is served from the
// cache, and checks it is.
func warm(t *testing.T, a *testapp.App, db *bun.DB, token string) {
	t.Helper()
	require.Equal(t, http.StatusOK, a.Do("GET", "/api/cached", token, "", "").Code)
	q := testdb.Count(db)
	require.Equal(t, http.StatusOK, a.Do("GET", "/api/cached", token, "", "").Code)
	require.EqualValues(t, 0, q.N(), "the token is cached")
}

func TestCachedRefreshShowsNewExpiry(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newCachedApp(t, db, ginurin.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		warm(t, a, db, token)
		a.Advance(time.Hour)
		r := a.Do("POST", "/api/refresh", token, "", "")
		require.Equal(t, http.StatusOK, r.Code)
		want, err := time.Parse(time.RFC3339Nano, r.Body["expiry"].(string))
		require.NoError(t, err)
		got := a.Do("GET", "/api/cached", token, "", "")
		require.Equal(t, http.StatusOK, got.Code)
		gotExpiry, err := time.Parse(time.RFC3339Nano, got.Body["expiry"].(string))
		require.NoError(t, err)
		assert.True(t, want.Equal(gotExpiry), "cached route sees expiry %v, refresh gave %v", gotExpiry, want)
	})
}

func TestCachedEntryLifetime(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newCachedApp(t, db, ginurin.Config{TokenCacheTimeout: 10 * time.Second})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "cli") // 1h TTL
		warm(t, a, db, token)
		q := testdb.Count(db)

		a.Advance(9 * time.Second)
		require.Equal(t, http.StatusOK, a.Do("GET", "/api/cached", token, "", "").Code)
		assert.EqualValues(t, 0, q.N(), "within TokenCacheTimeout")

		a.Advance(2 * time.Second)
		require.Equal(t, http.StatusOK, a.Do("GET", "/api/cached", token, "", "").Code)
		assert.EqualValues(t, 1, q.N(), "past TokenCacheTimeout the database is asked again")

		// An entry never outlives the token: 1h TTL, cached 5s before expiry.
		a.Advance(time.Hour - 11*time.Second - 5*time.Second)
		q.Reset()
		require.Equal(t, http.StatusOK, a.Do("GET", "/api/cached", token, "", "").Code)
		assert.EqualValues(t, 1, q.N())
		a.Advance(5 * time.Second)
		r := a.Do("GET", "/api/cached", token, "", "")
		assert.Equal(t, http.StatusUnauthorized, r.Code)
		assert.Equal(t, "The given token has expired.", r.Body["detail"])
	})
}

func TestCachedContextIsPerRequest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		t.Cleanup(func() { a.Auth.Close() })
		a.Engine.GET("/api/mutate", a.Auth.CachedMiddleware(), func(c *gin.Context) {
			tok, _ := ginurin.TokenFrom(c)
			id, expiry := tok.ID, tok.Expiry
			name, client := tok.User.Username, tok.Client.Name
			tok.ID, tok.Expiry, tok.UserID = -1, time.Time{}, -1 // as Renew does to Expiry
			tok.User.Username, tok.Client.Name = "mallory", "evil"
			c.JSON(http.StatusOK, gin.H{"id": id, "expiry": expiry.Format(time.RFC3339Nano), "username": name, "client": client})
		})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		var first testapp.Response
		for i := range 3 {
			r := a.Do("GET", "/api/mutate", token, "", "")
			require.Equal(t, http.StatusOK, r.Code)
			if i == 0 {
				first = r
				continue
			}
			assert.Equal(t, first.Body, r.Body, "a handler's changes to the session do not reach the cache")
		}
	})
}

func TestCachedConfigValidation(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	for _, cfg := range []ginurin.Config{
		{TokenCacheTimeout: -1}, {TokenCacheSize: -1}, {TokenCacheFallbackTimeout: -time.Second},
		{TokenCacheFallbackTimeout: time.Millisecond},
	} {
		_, err := ginurin.New(db, cfg)
		assert.Error(t, err)
	}
}

// instance is one of several app instances sharing a database.
type instance struct {
	auth    *ginurin.Auth
	db      *bun.DB
	engine  *gin.Engine
	queries *testdb.Counter
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newInstance(t *testing.T, url string, inv ginurin.Invalidator) *instance {
	t.Helper()
	gin.SetMode(gin.TestMode)
	db := testdb.Open(t, url)
	logs := new(syncBuffer)
	auth, err := ginurin.New(db, ginurin.Config{
		Invalidator: inv, PasswordHashCost: 4,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	require.NoError(t, err)
	t.Cleanup(func() { auth.Close() })
	e := gin.New()
	routes.Register(e.Group("/api"), auth, routes.Config{})
	e.GET("/api/cached", auth.CachedMiddleware(), cachedHandler)
	return &instance{auth: auth, db: db, engine: e, queries: testdb.Count(db), logs: logs}
}

func (in *instance) do(t *testing.T, method, path, token string) testapp.Response {
	t.Helper()
	req, _ := http.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	app := &testapp.App{T: t, Engine: in.engine}
	return app.Serve(req)
}

func (in *instance) login(t *testing.T, user, password, client string) string {
	t.Helper()
	app := &testapp.App{T: t, Engine: in.engine}
	return app.MustLogin(user, password, client)
}

// waitLive waits until the instance's cache trusts its channel: an entry
// then outlives the fallback timeout.
func waitLive(t *testing.T, in *instance) {
	t.Helper()
	require.Eventually(t, func() bool {
		return in.auth.CacheLive()
	}, 10*time.Second, 20*time.Millisecond, "the invalidation channel did not come up")
}

// TestHeaderForms: the header parser's fast path and its fallback agree,
// on the plain and the cached middleware.
func TestHeaderForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newCachedApp(t, db, ginurin.Config{})
		token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
		for _, tc := range []struct {
			name, header string
			code         int
			detail       string
		}{
			{"canonical", "Token " + token, 200, ""},
			{"lower-case scheme", "token " + token, 200, ""},
			{"upper-case scheme", "TOKEN " + token, 200, ""},
			{"two spaces", "Token  " + token, 200, ""},
			{"tab", "Token\t" + token, 200, ""},
			{"surrounding spaces", " Token " + token + " ", 200, ""},
			{"other scheme", "Basic " + token, 401, "Authentication credentials were not provided."},
			{"scheme and space", "Token ", 401, "Invalid token header. No credentials provided."},
			{"three fields", "Token " + token + " more", 401, "Invalid token header. Token string should not contain spaces."},
			{"non-ASCII space", "Token\u00a0" + token, 200, ""},
		} {
			for _, path := range []string{"/api/", "/api/cached"} {
				t.Run(tc.name+" "+path, func(t *testing.T) {
					req, _ := http.NewRequest("GET", path, nil)
					req.Header.Set("Authorization", tc.header)
					r := a.Serve(req)
					assert.Equal(t, tc.code, r.Code, r.Raw)
					if tc.detail != "" {
						assert.Equal(t, tc.detail, r.Body["detail"])
					}
				})
			}
		}
	})
}
