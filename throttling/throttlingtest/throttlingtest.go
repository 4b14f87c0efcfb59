package throttlingtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/ulule/limiter/v3"

	"github.com/ginurin/ginurin/throttling"
)

// NewStore returns the store under test. Stores built for one test may
// share their data with those of others (one Redis, one prefix): the suite
// uses a unique key or scope in every test.
type NewStore func(t *testing.T) limiter.Store

// Run runs the whole suite on the stores newStore builds.
func Run(t *testing.T, newStore NewStore) {
	t.Run("Store", func(t *testing.T) { RunStore(t, newStore) })
	t.Run("Middleware", func(t *testing.T) { RunMiddleware(t, newStore) })
	t.Run("Login", func(t *testing.T) { RunLogin(t, newStore) })
}

// Unique returns a random name for keys and scopes no other test uses.
func Unique(t *testing.T) string {
	t.Helper()
	var b [8]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return "t" + hex.EncodeToString(b[:])
}

func rate(t *testing.T, s string) limiter.Rate {
	t.Helper()
	r, err := throttling.ParseRate(s)
	require.NoError(t, err)
	return r
}

// RunStore checks the limiter.Store contract the middleware relies on.
func RunStore(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	t.Run("counts up to the limit", func(t *testing.T) {
		store, key, r := newStore(t), Unique(t), rate(t, "3/m")
		start := time.Now().Unix()
		for i, wantRemaining := range []int64{2, 1, 0} {
			lctx, err := store.Get(ctx, key, r)
			require.NoError(t, err)
			assert.False(t, lctx.Reached, "hit %d", i+1)
			assert.Equal(t, int64(3), lctx.Limit)
			assert.Equal(t, wantRemaining, lctx.Remaining, "hit %d", i+1)
			assert.GreaterOrEqual(t, lctx.Reset, start)
			assert.LessOrEqual(t, lctx.Reset, time.Now().Unix()+60)
		}
		lctx, err := store.Get(ctx, key, r)
		require.NoError(t, err)
		assert.True(t, lctx.Reached, "fourth hit of 3/m")
		assert.Equal(t, int64(0), lctx.Remaining)
	})
	t.Run("keys are independent", func(t *testing.T) {
		store, a, b, r := newStore(t), Unique(t), Unique(t), rate(t, "1/m")
		for range 2 {
			_, err := store.Get(ctx, a, r)
			require.NoError(t, err)
		}
		lctx, err := store.Get(ctx, b, r)
		require.NoError(t, err)
		assert.False(t, lctx.Reached)
		assert.Equal(t, int64(0), lctx.Remaining)
	})
	t.Run("peek does not count", func(t *testing.T) {
		store, key, r := newStore(t), Unique(t), rate(t, "3/m")
		_, err := store.Get(ctx, key, r)
		require.NoError(t, err)
		for range 2 {
			lctx, err := store.Peek(ctx, key, r)
			require.NoError(t, err)
			assert.Equal(t, int64(2), lctx.Remaining)
		}
	})
	t.Run("reset clears the counter", func(t *testing.T) {
		store, key, r := newStore(t), Unique(t), rate(t, "1/m")
		for range 2 {
			_, err := store.Get(ctx, key, r)
			require.NoError(t, err)
		}
		_, err := store.Reset(ctx, key, r)
		require.NoError(t, err)
		lctx, err := store.Get(ctx, key, r)
		require.NoError(t, err)
		assert.False(t, lctx.Reached)
	})
	t.Run("window expires", func(t *testing.T) {
		store, key, r := newStore(t), Unique(t), rate(t, "1/s")
		_, err := store.Get(ctx, key, r)
		require.NoError(t, err)
		lctx, err := store.Get(ctx, key, r)
		require.NoError(t, err)
		require.True(t, lctx.Reached)
		time.Sleep(1100 * time.Millisecond)
		lctx, err = store.Get(ctx, key, r)
		require.NoError(t, err)
		assert.False(t, lctx.Reached, "a new window starts after the period")
	})
	t.Run("concurrent hits are counted exactly", func(t *testing.T) {
		store, key, r := newStore(t), Unique(t), rate(t, "50/m")
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			passed int
		)
		for range 100 {
			wg.Go(func() {
				lctx, err := store.Get(ctx, key, r)
				if assert.NoError(t, err) && !lctx.Reached {
					mu.Lock()
					passed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 50, passed)
	})
}

// Response is a recorded response with its detail decoded.
type Response struct {
	Code   int
	Header http.Header
	Detail string
}

// Get sends GET path from remote (an "ip:port") through engine.
func Get(t *testing.T, engine http.Handler, path, remote string) Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = remote
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, req)
	var body struct{ Detail string }
	_ = json.Unmarshal(w.Body.Bytes(), &body)
	return Response{Code: w.Code, Header: w.Header(), Detail: body.Detail}
}

// AssertThrottled checks a 429 of a rate whose period is period.
func AssertThrottled(t *testing.T, r Response, limit int64, period time.Duration) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, r.Code)
	wait, err := strconv.ParseInt(r.Header.Get("Retry-After"), 10, 64)
	require.NoError(t, err, "Retry-After")
	assert.GreaterOrEqual(t, wait, int64(1))
	assert.LessOrEqual(t, wait, int64(period/time.Second))
	assert.Equal(t, "Request was throttled. Expected available in "+strconv.FormatInt(wait, 10)+" seconds.", r.Detail)
	assert.Equal(t, strconv.FormatInt(limit, 10), r.Header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "0", r.Header.Get("X-RateLimit-Remaining"))
	reset, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64)
	require.NoError(t, err, "X-RateLimit-Reset")
	assert.InDelta(t, time.Now().Unix()+wait, reset, 2)
}

// RunMiddleware checks throttling.Throttle on the store: unauthenticated
// requests keyed by client IP at the default rate.
func RunMiddleware(t *testing.T, newStore NewStore) {
	gin.SetMode(gin.TestMode)
	build := func(t *testing.T, cfg throttling.Config) *gin.Engine {
		t.Helper()
		cfg.Store, cfg.Scope = newStore(t), Unique(t)
		thr, err := throttling.New(cfg)
		require.NoError(t, err)
		e := gin.New()
		e.GET("/", thr.Middleware(), func(c *gin.Context) { c.String(http.StatusOK, "ok") })
		return e
	}
	t.Run("default rate per IP", func(t *testing.T) {
		e := build(t, throttling.Config{DefaultRate: "2/m"})
		for i, remaining := range []string{"1", "0"} {
			r := Get(t, e, "/", "192.0.2.10:1000")
			require.Equal(t, http.StatusOK, r.Code, "request %d", i+1)
			assert.Equal(t, "2", r.Header.Get("X-RateLimit-Limit"))
			assert.Equal(t, remaining, r.Header.Get("X-RateLimit-Remaining"))
			assert.NotEmpty(t, r.Header.Get("X-RateLimit-Reset"))
			assert.Empty(t, r.Header.Get("Retry-After"))
		}
		AssertThrottled(t, Get(t, e, "/", "192.0.2.10:1001"), 2, time.Minute)
		other := Get(t, e, "/", "192.0.2.11:1000")
		assert.Equal(t, http.StatusOK, other.Code, "another IP has its own budget")
	})
	t.Run("no default rate means unthrottled", func(t *testing.T) {
		e := build(t, throttling.Config{})
		for range 5 {
			r := Get(t, e, "/", "192.0.2.10:1000")
			require.Equal(t, http.StatusOK, r.Code)
			assert.Empty(t, r.Header.Get("X-RateLimit-Limit"))
		}
	})
	t.Run("scopes are separate budgets", func(t *testing.T) {
		store := newStore(t)
		var engines []*gin.Engine
		for _, scope := range []string{Unique(t), Unique(t)} {
			thr, err := throttling.New(throttling.Config{Store: store, Scope: scope, DefaultRate: "1/m"})
			require.NoError(t, err)
			e := gin.New()
			e.GET("/", thr.Middleware(), func(c *gin.Context) { c.Status(http.StatusNoContent) })
			engines = append(engines, e)
		}
		assert.Equal(t, http.StatusNoContent, Get(t, engines[0], "/", "192.0.2.1:1").Code)
		assert.Equal(t, http.StatusTooManyRequests, Get(t, engines[0], "/", "192.0.2.1:1").Code)
		assert.Equal(t, http.StatusNoContent, Get(t, engines[1], "/", "192.0.2.1:1").Code)
	})
	t.Run("same scope and store share a budget", func(t *testing.T) {
		store, scope := newStore(t), Unique(t)
		var engines []*gin.Engine
		for range 2 { // two instances of one application
			thr, err := throttling.New(throttling.Config{Store: store, Scope: scope, DefaultRate: "2/m"})
			require.NoError(t, err)
			e := gin.New()
			e.GET("/", thr.Middleware(), func(c *gin.Context) { c.Status(http.StatusNoContent) })
			engines = append(engines, e)
		}
		assert.Equal(t, http.StatusNoContent, Get(t, engines[0], "/", "192.0.2.1:1").Code)
		assert.Equal(t, http.StatusNoContent, Get(t, engines[1], "/", "192.0.2.1:1").Code)
		assert.Equal(t, http.StatusTooManyRequests, Get(t, engines[0], "/", "192.0.2.1:1").Code)
		assert.Equal(t, http.StatusTooManyRequests, Get(t, engines[1], "/", "192.0.2.1:1").Code)
	})
}

// RunLogin checks throttling.Login on the store: per IP and per username.
func RunLogin(t *testing.T, newStore NewStore) {
	gin.SetMode(gin.TestMode)
	build := func(t *testing.T) *gin.Engine {
		t.Helper()
		l, err := throttling.NewLogin("2/m", throttling.Config{Store: newStore(t), Scope: Unique(t)})
		require.NoError(t, err)
		e := gin.New()
		e.GET("/login/:username", func(c *gin.Context) {
			if l.Check(c, c.Param("username")) {
				c.Status(http.StatusNoContent)
			}
		})
		return e
	}
	t.Run("per IP", func(t *testing.T) {
		e := build(t)
		assert.Equal(t, http.StatusNoContent, Get(t, e, "/login/a", "192.0.2.1:1").Code)
		assert.Equal(t, http.StatusNoContent, Get(t, e, "/login/b", "192.0.2.1:1").Code)
		AssertThrottled(t, Get(t, e, "/login/c", "192.0.2.1:1"), 2, time.Minute)
		for _, ip := range []string{"192.0.2.2:1", "192.0.2.3:1"} {
			assert.Equal(t, http.StatusNoContent, Get(t, e, "/login/c", ip).Code,
				"the attempt refused for its IP did not spend c's budget")
		}
	})
	t.Run("per username", func(t *testing.T) {
		e := build(t)
		assert.Equal(t, http.StatusNoContent, Get(t, e, "/login/a", "192.0.2.1:1").Code)
		assert.Equal(t, http.StatusNoContent, Get(t, e, "/login/a", "192.0.2.2:1").Code)
		AssertThrottled(t, Get(t, e, "/login/a", "192.0.2.3:1"), 2, time.Minute)
		assert.Equal(t, http.StatusNoContent, Get(t, e, "/login/b", "192.0.2.4:1").Code)
	})
}
