package throttling_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/throttling"
	"github.com/ginurin/ginurin/throttling/redisstore"
)

// BenchmarkThrottle measures the cost the throttling middleware adds to a
// request, against a baseline without it in the same run: "bare" requests
// are unauthenticated (keyed by IP), "authed" ones go through
// Auth.Middleware on SQLite first (keyed by the user+client pair). The rate
// is never reached, so every request is counted and let through.
//
//	go test ./throttling -run '^$' -bench Throttle -benchmem
func BenchmarkThrottle(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	stores := []struct {
		name string
		new  func(b *testing.B) limiter.Store
	}{
		{"baseline", nil},
		{"memory", func(b *testing.B) limiter.Store { return memory.NewStore() }},
		{"redis", func(b *testing.B) limiter.Store {
			url := os.Getenv(testdb.RedisEnv)
			if url == "" {
				b.Skipf("%s not set", testdb.RedisEnv)
			}
			client, err := redisstore.Open(url)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { client.Close() })
			return redisstore.New(client, redisstore.Config{Prefix: "ginurin-bench"})
		}},
	}
	ok := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	for _, kind := range []string{"bare", "authed"} {
		for _, st := range stores {
			b.Run(kind+"/"+st.name, func(b *testing.B) {
				e := gin.New()
				var chain []gin.HandlerFunc
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.RemoteAddr = "192.0.2.1:1234"
				if kind == "authed" {
					mw, token := benchAuth(b)
					chain = append(chain, mw)
					req.Header.Set("Authorization", "Token "+token)
				}
				if st.new != nil {
					thr, err := throttling.New(throttling.Config{
						Store: st.new(b), Scope: "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36), DefaultRate: "1000000000/s",
					})
					if err != nil {
						b.Fatal(err)
					}
					chain = append(chain, thr.Middleware())
				}
				e.GET("/", append(chain, ok)...)
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					e.ServeHTTP(w, req)
					if w.Code != http.StatusNoContent {
						b.Fatalf("status %d", w.Code)
					}
				}
			})
		}
	}
}

// benchAuth returns the authentication middleware on a fresh SQLite
// database and a token of a user there.
func benchAuth(b *testing.B) (gin.HandlerFunc, string) {
	b.Helper()
	ctx := context.Background()
	db, err := models.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := models.Migrate(ctx, db, models.DefaultUserSchema()); err != nil {
		b.Fatal(err)
	}
	auth, err := ginurin.New(db, ginurin.Config{PasswordHashCost: 4})
	if err != nil {
		b.Fatal(err)
	}
	user, err := models.CreateUser(ctx, db, "bench", "secret", false, 4)
	if err != nil {
		b.Fatal(err)
	}
	client, err := auth.NewClient(ctx, "web", 0, "")
	if err != nil {
		b.Fatal(err)
	}
	issued, err := auth.Login(ctx, user, client)
	if err != nil {
		b.Fatal(err)
	}
	return auth.Middleware(), issued.Token
}
