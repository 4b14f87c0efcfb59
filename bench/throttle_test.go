package bench

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/ulule/limiter/v3"

	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/throttling"
	"github.com/ginurin/ginurin/throttling/redisstore"
)

// throttled is ginurin-cached with the throttling middleware behind it,
// counting per user+client pair at a rate never reached; store nil is the
// memory store.
func throttled(tb testing.TB, store limiter.Store) target {
	tb.Helper()
	auth, token := newAuth(tb, false, 4)
	th, err := throttling.New(throttling.Config{DefaultRate: "1000000000/s", Store: store, Scope: "bench-" + tb.Name()})
	if err != nil {
		tb.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/resource", auth.CachedMiddleware(), th.Middleware(), func(c *gin.Context) {
		c.String(http.StatusOK, ginurinName(c))
	})
	return target{engine: e, valid: "Token " + token, needAuth: true}
}

// BenchmarkThrottle measures what the throttling middleware adds to a
// cached authenticated request: `cached` is the baseline of the same run,
// `memory` and `redis` add the middleware with each store (redis runs
// when GINURIN_TEST_REDIS_URL is set).
func BenchmarkThrottle(b *testing.B) {
	cases := []struct {
		name  string
		setup func(testing.TB) target
	}{
		{"cached", ginurinTarget(false, true)},
		{"memory", func(tb testing.TB) target { return throttled(tb, nil) }},
		{"redis", func(tb testing.TB) target {
			url := os.Getenv(testdb.RedisEnv)
			if url == "" {
				tb.Skip(testdb.RedisEnv + " not set")
			}
			client, err := redisstore.Open(url)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { client.Close() })
			return throttled(tb, redisstore.New(client, redisstore.Config{Prefix: "ginurin-bench"}))
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			tg := tc.setup(b)
			req := httptest.NewRequest("GET", "/resource", nil)
			req.Header.Set("Authorization", tg.valid)
			b.ReportAllocs()
			for b.Loop() {
				if w := serve(tg.engine, req); w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// TestThrottleTargetCounts checks the throttled target really counts: at
// a rate of 2/m the third request is refused.
func TestThrottleTargetCounts(t *testing.T) {
	auth, token := newAuth(t, false, 4)
	th, err := throttling.New(throttling.Config{DefaultRate: "2/m", Scope: "bench-" + t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	e := gin.New()
	e.GET("/resource", auth.CachedMiddleware(), th.Middleware(), func(c *gin.Context) { c.String(200, "ok") })
	req := httptest.NewRequest("GET", "/resource", nil)
	req.Header.Set("Authorization", "Token "+token)
	for i, want := range []int{200, 200, 429} {
		if w := serve(e, req); w.Code != want {
			t.Fatalf("request %d: status %d, want %d", i+1, w.Code, want)
		}
	}
}
