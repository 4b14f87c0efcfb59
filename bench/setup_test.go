package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jwt "github.com/appleboy/gin-jwt/v2"
	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
)

// target is one way of serving GET /resource: an engine, the
// Authorization header that authenticates, and one that must not.
type target struct {
	engine   *gin.Engine
	valid    string
	invalid  string
	needAuth bool
}

// newEngine is the engine every target uses: gin.New, one route, the
// handler reading the caller's name through the middleware's accessor.
func newEngine(mw gin.HandlerFunc, name func(*gin.Context) string) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	handler := func(c *gin.Context) { c.String(http.StatusOK, name(c)) }
	if mw == nil {
		e.GET("/resource", handler)
	} else {
		e.GET("/resource", mw, handler)
	}
	return e
}

func bare(testing.TB) target {
	return target{engine: newEngine(nil, func(*gin.Context) string { return "anonymous" })}
}

func ginurinName(c *gin.Context) string {
	if u, ok := ginurin.UserFrom(c); ok {
		return u.Username
	}
	return "anonymous"
}

// openDB opens and migrates a fresh database: a SQLite file, or a new
// schema of the PostgreSQL database of GINURIN_TEST_POSTGRES_DSN (the
// sub-benchmark skips without it, and fails in CI).
func openDB(tb testing.TB, postgres bool) *bun.DB {
	tb.Helper()
	if postgres {
		return testdb.Open(tb, testdb.PostgresURL(tb))
	}
	return testdb.Open(tb, testdb.SQLiteURL(tb))
}

// newAuth returns an Auth on a fresh database with user john and client
// web, and john's token.
func newAuth(tb testing.TB, postgres bool, cost int) (*ginurin.Auth, string) {
	tb.Helper()
	db := openDB(tb, postgres)
	auth, err := ginurin.New(db, ginurin.Config{PasswordHashCost: cost})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { auth.Close() })
	ctx := context.Background()
	user, err := models.CreateUser(ctx, db, "john", "secret", false, cost)
	if err != nil {
		tb.Fatal(err)
	}
	client, err := auth.NewClient(ctx, "web", 0, "")
	if err != nil {
		tb.Fatal(err)
	}
	issued, err := auth.Login(ctx, user, client)
	if err != nil {
		tb.Fatal(err)
	}
	return auth, issued.Token
}

// tamper changes the middle character of s (used on a JWT's signature).
func tamper(token string) string {
	i := len(token) / 2
	c := byte('a')
	if token[i] == 'a' {
		c = 'b'
	}
	return token[:i] + string(c) + token[i+1:]
}

func ginurinTarget(postgres, cached bool) func(tb testing.TB) target {
	return func(tb testing.TB) target {
		auth, token := newAuth(tb, postgres, 4)
		mw := auth.Middleware()
		if cached {
			mw = auth.CachedMiddleware()
		}
		// A well-formed token that was never issued: refused after the
		// lookup (the checksum of a tampered one is refused earlier).
		unknown, err := func() (string, error) {
			u, _ := models.CreateUser(context.Background(), auth.DB(), "jane", "x", false, 4)
			c, _ := models.ClientByName(context.Background(), auth.DB(), "web")
			iss, err := auth.Login(context.Background(), u, c)
			if err != nil {
				return "", err
			}
			return iss.Token, auth.Revoke(context.Background(), iss.Session)
		}()
		if err != nil {
			tb.Fatal(err)
		}
		return target{engine: newEngine(mw, ginurinName), valid: "Token " + token, invalid: "Token " + unknown, needAuth: true}
	}
}

// ginJWT is gin-jwt with HS256 doing the same job: check the token, put
// the caller's identity in the context for the handler.
func ginJWT(tb testing.TB) target {
	tb.Helper()
	mw, err := jwt.New(&jwt.GinJWTMiddleware{
		Realm:            "bench",
		SigningAlgorithm: "HS256",
		Key:              []byte("0123456789abcdef0123456789abcdef"),
		Timeout:          24 * time.Hour,
		IdentityKey:      "user",
		PayloadFunc: func(data any) jwt.MapClaims {
			u := data.(*models.User)
			return jwt.MapClaims{"uid": u.ID, "username": u.Username}
		},
		IdentityHandler: func(c *gin.Context) any {
			claims := jwt.ExtractClaims(c)
			id, _ := claims["uid"].(float64)
			name, _ := claims["username"].(string)
			return &models.User{ID: int64(id), Username: name, IsActive: true}
		},
		Authenticator: func(*gin.Context) (any, error) { return nil, jwt.ErrFailedAuthentication },
		TokenLookup:   "header: Authorization",
		TokenHeadName: "Bearer",
	})
	if err != nil {
		tb.Fatal(err)
	}
	token, _, err := mw.TokenGenerator(&models.User{ID: 1, Username: "john"})
	if err != nil {
		tb.Fatal(err)
	}
	name := func(c *gin.Context) string {
		if v, ok := c.Get("user"); ok {
			return v.(*models.User).Username
		}
		return "anonymous"
	}
	dot := strings.LastIndexByte(token, '.')
	forged := token[:dot+1] + tamper(token[dot+1:])
	return target{engine: newEngine(mw.MiddlewareFunc(), name), valid: "Bearer " + token, invalid: "Bearer " + forged, needAuth: true}
}

// targets are the sub-benchmarks of BenchmarkAuth, in order.
var targets = []struct {
	name  string
	setup func(testing.TB) target
}{
	{"bare", bare},
	{"ginurin-sqlite", ginurinTarget(false, false)},
	{"ginurin-postgres", ginurinTarget(true, false)},
	{"ginurin-cached", ginurinTarget(false, true)},
	{"gin-jwt", ginJWT},
}

// serve runs one request with header as Authorization.
func serve(e *gin.Engine, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

// loginEngine serves POST /api/login with the bcrypt cost of production.
func loginEngine(tb testing.TB) *gin.Engine {
	auth, _ := newAuth(tb, false, 0)
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// A benchmark logs in far more often than the default limit allows.
	routes.Register(e.Group("/api"), auth, routes.Config{LoginLimiter: routes.NoLoginLimit})
	return e
}
