package testapp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
	"github.com/ginurin/ginurin/signals"
)

// Users and passwords created by New.
const (
	John, JohnPassword = "john", "secret"
	Jane, JanePassword = "jane", "secret2"
)

// App is one test application.
type App struct {
	T      testing.TB
	DB     *bun.DB
	Auth   *ginurin.Auth
	Engine *gin.Engine
	// Authed is the group of authenticated routes returned by Register.
	Authed *gin.RouterGroup

	mu     sync.Mutex
	now    time.Time
	events []string
}

// New builds the app on db. cfg.Now and cfg.PasswordHashCost are set by New
// (a controllable clock, bcrypt's minimum cost), and rcfg.LoginLimiter
// defaults to routes.NoLoginLimit.
func New(t testing.TB, db *bun.DB, cfg ginurin.Config, rcfg routes.Config) *App {
	t.Helper()
	gin.SetMode(gin.TestMode)
	a := &App{T: t, DB: db, now: time.Now().UTC()}
	cfg.PasswordHashCost = 4
	cfg.Now = a.Clock
	auth, err := ginurin.New(db, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { auth.Close() })
	a.Auth = auth
	signals.SubscribeAll(auth.Signals(), func(_ context.Context, e signals.Event) error {
		a.mu.Lock()
		a.events = append(a.events, e.Name())
		a.mu.Unlock()
		return nil
	})
	a.Engine = gin.New()
	if rcfg.LoginLimiter == nil {
		// Tests log in far more often than the default limit allows; the
		// default limit has its own tests.
		rcfg.LoginLimiter = routes.NoLoginLimit
	}
	a.Authed = routes.Register(a.Engine.Group("/api"), auth, rcfg)
	a.Authed.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, "api root") })
	ctx := context.Background()
	_, err = models.CreateUser(ctx, db, John, JohnPassword, false, 4)
	require.NoError(t, err)
	_, err = models.CreateUser(ctx, db, Jane, JanePassword, false, 4)
	require.NoError(t, err)
	_, err = auth.NewClient(ctx, "web", 0, "")
	require.NoError(t, err)
	_, err = auth.NewClient(ctx, "cli", time.Hour, "")
	require.NoError(t, err)
	return a
}

// Clock is the app's clock; Advance moves it.
func (a *App) Clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

// Advance moves the clock forward by d.
func (a *App) Advance(d time.Duration) {
	a.mu.Lock()
	a.now = a.now.Add(d)
	a.mu.Unlock()
}

// TakeEvents returns the names of the events since the last call.
func (a *App) TakeEvents() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	ev := a.events
	a.events = nil
	return ev
}

// Response is a recorded response with its JSON object body decoded.
type Response struct {
	Code   int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// Do sends a request through the engine. token, when set, goes in the
// Authorization header as "Token <token>".
func (a *App) Do(method, path, token, contentType, body string) Response {
	a.T.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	return a.Serve(req)
}

// Serve sends req through the engine and records the response.
func (a *App) Serve(req *http.Request) Response {
	w := httptest.NewRecorder()
	a.Engine.ServeHTTP(w, req)
	r := Response{Code: w.Code, Header: w.Header(), Raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &r.Body)
	return r
}

// Login posts a JSON login.
func (a *App) Login(username, password, client string) Response {
	a.T.Helper()
	b, _ := json.Marshal(map[string]string{"username": username, "password": password, "client": client})
	return a.Do("POST", "/api/login", "", "application/json", string(b))
}

// MustLogin logs in and returns the token, failing the test otherwise.
func (a *App) MustLogin(username, password, client string) string {
	a.T.Helper()
	r := a.Login(username, password, client)
	require.Equal(a.T, http.StatusOK, r.Code, r.Raw)
	return r.Body["token"].(string)
}

// TokenCount returns the number of stored tokens.
func (a *App) TokenCount() int {
	a.T.Helper()
	n, err := a.DB.NewSelect().Model((*models.AuthToken)(nil)).Count(context.Background())
	require.NoError(a.T, err)
	return int(n)
}
