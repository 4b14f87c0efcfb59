package throttling_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
	"github.com/ginurin/ginurin/throttling"
	"github.com/ginurin/ginurin/throttling/redisstore"
	"github.com/ginurin/ginurin/throttling/throttlingtest"
)

// eachStore runs fn once per store kind (memory; Redis when its URL is
// set, and always in CI) and, inside, once per database backend.
func eachStore(t *testing.T, fn func(t *testing.T, db *bun.DB, store limiter.Store)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) {
		testdb.Each(t, func(t *testing.T, db *bun.DB) { fn(t, db, memory.NewStore()) })
	})
	t.Run("redis", func(t *testing.T) {
		url := testdb.Require(t, testdb.RedisEnv)
		client, err := redisstore.Open(url)
		require.NoError(t, err)
		t.Cleanup(func() { client.Close() })
		testdb.Each(t, func(t *testing.T, db *bun.DB) {
			fn(t, db, redisstore.New(client, redisstore.Config{Prefix: "ginurin-test"}))
		})
	})
}

// newThrottled builds the test app with GET /api/throttled behind the
// authentication middleware and a Throttle on store, in a scope of its own.
func newThrottled(t *testing.T, db *bun.DB, cfg throttling.Config) *testapp.App {
	t.Helper()
	a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
	cfg.Scope = throttlingtest.Unique(t)
	thr, err := throttling.New(cfg)
	require.NoError(t, err)
	a.Authed.GET("/throttled", thr.Middleware(), func(c *gin.Context) { c.JSON(http.StatusOK, "ok") })
	return a
}

// hits sends n GET /api/throttled with token and returns the statuses.
func hits(a *testapp.App, token string, n int) []int {
	a.T.Helper()
	var codes []int
	for range n {
		codes = append(codes, a.Do("GET", "/api/throttled", token, "", "").Code)
	}
	return codes
}

func repeat(code, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = code
	}
	return s
}

func TestThrottle(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, db *bun.DB, store limiter.Store)
	}{
		{"default rate 2/m: third request throttled", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a := newThrottled(t, db, throttling.Config{Store: store, DefaultRate: "2/m"})
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			first := a.Do("GET", "/api/throttled", token, "", "")
			require.Equal(t, http.StatusOK, first.Code)
			assert.Equal(t, "2", first.Header.Get("X-RateLimit-Limit"))
			assert.Equal(t, "1", first.Header.Get("X-RateLimit-Remaining"))
			assert.Equal(t, []int{200}, hits(a, token, 1))
			third := a.Do("GET", "/api/throttled", token, "", "")
			throttlingtest.AssertThrottled(t, throttlingtest.Response{
				Code: third.Code, Header: third.Header, Detail: detailOf(third),
			}, 2, time.Minute)
		}},
		{"client rate 5/m: sixth request throttled", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a := newThrottled(t, db, throttling.Config{Store: store, DefaultRate: "2/m"})
			_, err := a.Auth.NewClient(context.Background(), "mobile", 0, "5/m")
			require.NoError(t, err)
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "mobile")
			assert.Equal(t, append(repeat(200, 5), 429), hits(a, token, 6))
			r := a.Do("GET", "/api/throttled", token, "", "")
			assert.Equal(t, "5", r.Header.Get("X-RateLimit-Limit"))
		}},
		{"client rate without a default", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a := newThrottled(t, db, throttling.Config{Store: store})
			_, err := a.Auth.NewClient(context.Background(), "mobile", 0, "1/h")
			require.NoError(t, err)
			mobile := a.MustLogin(testapp.John, testapp.JohnPassword, "mobile")
			web := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			assert.Equal(t, []int{200, 429}, hits(a, mobile, 2))
			r := a.Do("GET", "/api/throttled", web, "", "")
			assert.Equal(t, http.StatusOK, r.Code)
			assert.Empty(t, r.Header.Get("X-RateLimit-Limit"), "no rate: not throttled")
			assert.Equal(t, repeat(200, 5), hits(a, web, 5))
		}},
		{"no token: 401 before any throttling", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a := newThrottled(t, db, throttling.Config{Store: store, DefaultRate: "1/m"})
			for range 3 {
				r := a.Do("GET", "/api/throttled", "", "", "")
				assert.Equal(t, http.StatusUnauthorized, r.Code)
				assert.Equal(t, "Authentication credentials were not provided.", r.Body["detail"])
			}
		}},
		{"budgets are per user+client pair", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a := newThrottled(t, db, throttling.Config{Store: store, DefaultRate: "2/m"})
			johnWeb := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			johnCLI := a.MustLogin(testapp.John, testapp.JohnPassword, "cli")
			janeWeb := a.MustLogin(testapp.Jane, testapp.JanePassword, "web")
			assert.Equal(t, []int{200, 200, 429}, hits(a, johnWeb, 3))
			assert.Equal(t, []int{200, 200, 429}, hits(a, johnCLI, 3), "same user, other client")
			assert.Equal(t, []int{200, 200, 429}, hits(a, janeWeb, 3), "other user, same client")
		}},
		{"a new token of the same pair keeps the budget", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a := newThrottled(t, db, throttling.Config{Store: store, DefaultRate: "2/m"})
			first := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			assert.Equal(t, []int{200, 200}, hits(a, first, 2))
			require.Equal(t, http.StatusNoContent, a.Do("POST", "/api/logout", first, "", "").Code)
			second := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			assert.Equal(t, []int{429}, hits(a, second, 1))
		}},
		{"invalid stored rate falls back to the default, warned once", func(t *testing.T, db *bun.DB, store limiter.Store) {
			logs := &syncBuffer{}
			a := newThrottled(t, db, throttling.Config{
				Store: store, DefaultRate: "2/m", Logger: slog.New(slog.NewTextHandler(logs, nil)),
			})
			_, err := a.Auth.NewClient(context.Background(), "broken", 0, "")
			require.NoError(t, err)
			// Bypass validation, as a hand edit of the database would.
			_, err = db.NewUpdate().Model((*models.Client)(nil)).Set("throttle_rate = ?", "blahblah").
				Where("name = ?", "broken").Exec(context.Background())
			require.NoError(t, err)
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "broken")
			assert.Equal(t, []int{200, 200, 429, 429}, hits(a, token, 4))
			assert.Equal(t, 1, strings.Count(logs.String(), "invalid throttle rate"), logs.String())
		}},
		{"concurrent requests spend the budget exactly", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a := newThrottled(t, db, throttling.Config{Store: store, DefaultRate: "10/m"})
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			var ok, throttled atomic.Int64
			var wg sync.WaitGroup
			for range 25 {
				wg.Go(func() {
					req := httptest.NewRequest("GET", "/api/throttled", nil)
					req.Header.Set("Authorization", "Token "+token)
					w := httptest.NewRecorder()
					a.Engine.ServeHTTP(w, req)
					switch w.Code {
					case http.StatusOK:
						ok.Add(1)
					case http.StatusTooManyRequests:
						throttled.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int64(10), ok.Load())
			assert.Equal(t, int64(15), throttled.Load())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { eachStore(t, tt.run) })
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  throttling.Config
		want string
	}{
		{"rate word", throttling.Config{DefaultRate: "blahblah"}, "throttle_rate"},
		{"long period", throttling.Config{DefaultRate: "2/minute"}, "throttle_rate"},
		{"zero", throttling.Config{DefaultRate: "0/m"}, "throttle_rate"},
		{"fail mode", throttling.Config{FailMode: "maybe"}, "FailMode"},
		{"warn interval", throttling.Config{WarnInterval: -time.Second}, "WarnInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := throttling.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "throttling: "), err.Error())
		})
	}
	_, err := throttling.NewLogin("10/minute", throttling.Config{})
	assert.ErrorContains(t, err, "throttle_rate")
	_, err = throttling.NewLogin("", throttling.Config{})
	assert.Error(t, err, "an empty login rate is a mistake, not a way to disable it")
}

// downStore returns a Redis store on a port nobody listens on.
func downStore(t *testing.T) limiter.Store {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	return redisstore.New(client, redisstore.Config{})
}

func TestRedisDown(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, db *bun.DB)
	}{
		{"fail open lets requests through and warns once", func(t *testing.T, db *bun.DB) {
			logs := &syncBuffer{}
			a := newThrottled(t, db, throttling.Config{
				Store: downStore(t), DefaultRate: "1/m", Logger: slog.New(slog.NewTextHandler(logs, nil)),
			})
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			for range 3 {
				r := a.Do("GET", "/api/throttled", token, "", "")
				assert.Equal(t, http.StatusOK, r.Code, r.Raw)
				assert.Empty(t, r.Header.Get("X-RateLimit-Limit"))
			}
			out := logs.String()
			assert.Equal(t, 1, strings.Count(out, "level=WARN"), out)
			assert.Contains(t, out, "fail open")
			assert.Contains(t, out, "redisstore")
			assert.NotContains(t, out, token)
		}},
		{"fail open warns again after the interval", func(t *testing.T, db *bun.DB) {
			logs := &syncBuffer{}
			a := newThrottled(t, db, throttling.Config{
				Store: downStore(t), DefaultRate: "1/m", WarnInterval: time.Second,
				Logger: slog.New(slog.NewTextHandler(logs, nil)),
			})
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			hits(a, token, 2)
			time.Sleep(1100 * time.Millisecond)
			hits(a, token, 1)
			out := logs.String()
			assert.Equal(t, 2, strings.Count(out, "level=WARN"), out)
			assert.Contains(t, out, "suppressed=1", "the second warning counts the silenced failure")
		}},
		{"fail closed answers 503", func(t *testing.T, db *bun.DB) {
			a := newThrottled(t, db, throttling.Config{Store: downStore(t), DefaultRate: "1/m", FailMode: throttling.FailClosed})
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			r := a.Do("GET", "/api/throttled", token, "", "")
			assert.Equal(t, http.StatusServiceUnavailable, r.Code)
			assert.Equal(t, "Service temporarily unavailable.", r.Body["detail"])
		}},
		{"fail closed with the auth's error handler", func(t *testing.T, db *bun.DB) {
			var handled atomic.Int64
			a := testapp.New(t, db, ginurin.Config{ErrorHandler: func(c *gin.Context, err error) {
				handled.Add(1)
				c.JSON(http.StatusServiceUnavailable, gin.H{"detail": "down"})
			}}, routes.Config{})
			thr, err := throttling.New(throttling.Config{
				Store: downStore(t), DefaultRate: "1/m", FailMode: throttling.FailClosed,
				ErrorHandler: a.Auth.Config().ErrorHandler,
			})
			require.NoError(t, err)
			a.Authed.GET("/throttled", thr.Middleware(), func(c *gin.Context) { c.Status(http.StatusOK) })
			token := a.MustLogin(testapp.John, testapp.JohnPassword, "web")
			r := a.Do("GET", "/api/throttled", token, "", "")
			assert.Equal(t, http.StatusServiceUnavailable, r.Code)
			assert.Equal(t, "down", r.Body["detail"])
			assert.Equal(t, int64(1), handled.Load())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testdb.Each(t, tt.run) })
	}
}

func detailOf(r testapp.Response) string {
	d, _ := r.Body["detail"].(string)
	return d
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
