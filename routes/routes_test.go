package routes_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
	"github.com/ginurin/ginurin/signals"
)

func init() { gin.SetMode(gin.TestMode) }

// app is a Gin engine with the routes on /api and a protected /api/ root.
type app struct {
	t      *testing.T
	db     *bun.DB
	auth   *ginurin.Auth
	engine *gin.Engine
	now    time.Time
	mu     sync.Mutex
	events []string
}

func (a *app) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

func (a *app) advance(d time.Duration) {
	a.mu.Lock()
	a.now = a.now.Add(d)
	a.mu.Unlock()
}

func newApp(t *testing.T, db *bun.DB, cfg ginurin.Config, rcfg routes.Config) *app {
	t.Helper()
	a := &app{t: t, db: db, now: time.Now().UTC()}
	cfg.PasswordHashCost = 4
	cfg.Now = a.clock
	auth, err := ginurin.New(db, cfg)
	require.NoError(t, err)
	a.auth = auth
	signals.SubscribeAll(auth.Signals(), func(_ context.Context, e signals.Event) error {
		a.mu.Lock()
		a.events = append(a.events, e.Name())
		a.mu.Unlock()
		return nil
	})
	a.engine = gin.New()
	authed := routes.Register(a.engine.Group("/api"), auth, rcfg)
	authed.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, "api root") })
	ctx := context.Background()
	_, err = models.CreateUser(ctx, db, "john", "secret", false, 4)
	require.NoError(t, err)
	_, err = models.CreateUser(ctx, db, "jane", "secret2", false, 4)
	require.NoError(t, err)
	_, err = auth.NewClient(ctx, "web", 0, "")
	require.NoError(t, err)
	_, err = auth.NewClient(ctx, "cli", time.Hour, "")
	require.NoError(t, err)
	return a
}

func (a *app) takeEvents() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	ev := a.events
	a.events = nil
	return ev
}

type resp struct {
	Code   int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (a *app) do(method, path, token, contentType, body string) resp {
	a.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	w := httptest.NewRecorder()
	a.engine.ServeHTTP(w, req)
	r := resp{Code: w.Code, Header: w.Header(), Raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &r.Body)
	return r
}

func (a *app) login(username, password, client string) resp {
	a.t.Helper()
	b, _ := json.Marshal(map[string]string{"username": username, "password": password, "client": client})
	return a.do("POST", "/api/login", "", "application/json", string(b))
}

func (a *app) mustLogin(username, password, client string) string {
	a.t.Helper()
	r := a.login(username, password, client)
	require.Equal(a.t, http.StatusOK, r.Code, r.Raw)
	return r.Body["token"].(string)
}

func (a *app) tokenCount() int {
	a.t.Helper()
	n, err := a.db.NewSelect().Model((*models.AuthToken)(nil)).Count(context.Background())
	require.NoError(a.t, err)
	return int(n)
}

var modes = []ginurin.StorageMode{ginurin.StorageDigest, ginurin.StoragePlain}

func TestLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		r := a.login("john", "secret", "web")
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		token := r.Body["token"].(string)
		assert.Regexp(t, `^gnr_[0-9a-f]{72}$`, token)
		assert.NotContains(t, r.Body, "user")
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		expiry, err := time.Parse(time.RFC3339Nano, r.Body["expiry"].(string))
		require.NoError(t, err)
		assert.WithinDuration(t, a.clock().Add(24*time.Hour), expiry, time.Second)
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`, r.Body["expiry"])
		assert.Equal(t, []string{"token_created", "login"}, a.takeEvents())
		assert.Equal(t, 1, a.tokenCount())

		ok := a.do("GET", "/api/", token, "", "")
		assert.Equal(t, http.StatusOK, ok.Code)
		assert.Equal(t, `"api root"`, ok.Raw)

		var u models.User
		require.NoError(t, db.NewSelect().Model(&u).Where("username = 'john'").Scan(context.Background()))
		assert.NotNil(t, u.LastLogin, "login records last_login")
	})
}

func TestLoginClientTTL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		r := a.login("john", "secret", "cli")
		require.Equal(t, http.StatusOK, r.Code)
		expiry, _ := time.Parse(time.RFC3339Nano, r.Body["expiry"].(string))
		assert.WithinDuration(t, a.clock().Add(time.Hour), expiry, time.Second)
	})
}

func TestLoginErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		_, err := models.SetUserActive(context.Background(), db, "jane", false)
		require.NoError(t, err)
		cases := []struct {
			name, ct, body string
			code           int
			detail         string
		}{
			{"no client", "application/json", `{"username":"john","password":"secret"}`, 400, "No client specified."},
			{"empty client", "application/json", `{"username":"john","password":"secret","client":""}`, 400, "No client specified."},
			{"unknown client", "application/json", `{"username":"john","password":"secret","client":"nope"}`, 400, "No client with that name."},
			{"wrong password", "application/json", `{"username":"john","password":"wrong","client":"web"}`, 400, "Unable to log in with provided credentials."},
			{"unknown user", "application/json", `{"username":"nobody","password":"secret","client":"web"}`, 400, "Unable to log in with provided credentials."},
			{"inactive user", "application/json", `{"username":"jane","password":"secret2","client":"web"}`, 400, "Unable to log in with provided credentials."},
			{"no password", "application/json", `{"username":"john","client":"web"}`, 400, `Must include "username" and "password".`},
			{"no username", "application/json", `{"password":"secret","client":"web"}`, 400, `Must include "username" and "password".`},
			{"non-string username", "application/json", `{"username":5,"password":"secret","client":"web"}`, 400, `Must include "username" and "password".`},
			{"empty body", "application/json", ``, 400, "Malformed request body."},
			{"malformed json", "application/json", `{"username":`, 400, "Malformed request body."},
			{"json array", "application/json", `[1,2]`, 400, "Malformed request body."},
			{"form no client", "application/x-www-form-urlencoded", `username=john&password=secret`, 400, "No client specified."},
			{"text body", "text/plain", `username=john`, 415, "Unsupported media type; send JSON or a form."},
			{"too large", "application/json", `{"username":"` + strings.Repeat("a", 20000) + `"}`, 413, "Request body too large."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := a.do("POST", "/api/login", "", tc.ct, tc.body)
				assert.Equal(t, tc.code, r.Code, r.Raw)
				assert.Equal(t, tc.detail, r.Body["detail"])
			})
		}
		assert.Equal(t, 0, a.tokenCount(), "no failed login leaves a token")
		assert.Empty(t, a.takeEvents())
	})
}

func TestLoginForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		form := url.Values{"username": {"john"}, "password": {"secret"}, "client": {"web"}}.Encode()
		r := a.do("POST", "/api/login", "", "application/x-www-form-urlencoded", form)
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, http.StatusOK, a.do("GET", "/api/", r.Body["token"].(string), "", "").Code)
	})
}

func TestLoginUserSerializer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{
			UserSerializer: func(u *models.User) any { return map[string]any{"username": u.Username} },
		})
		r := a.login("john", "secret", "web")
		require.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, map[string]any{"username": "john"}, r.Body["user"])
	})
}

func TestRelogin(t *testing.T) {
	for _, mode := range modes {
		for _, refresh := range []bool{false, true} {
			name := string(mode)
			if refresh {
				name += "/refresh-on-login"
			}
			t.Run(name, func(t *testing.T) {
				testdb.Each(t, func(t *testing.T, db *bun.DB) {
					a := newApp(t, db, ginurin.Config{StorageMode: mode, RefreshTokenOnLogin: refresh}, routes.Config{})
					first := a.login("john", "secret", "web")
					a.takeEvents()
					a.advance(time.Hour)
					second := a.login("john", "secret", "web")
					require.Equal(t, http.StatusOK, second.Code)
					assert.Equal(t, 1, a.tokenCount(), "one session per user+client")
					t1, t2 := first.Body["token"].(string), second.Body["token"].(string)
					if mode == ginurin.StoragePlain {
						assert.Equal(t, t1, t2, "plain mode returns the existing token")
						assert.Equal(t, http.StatusOK, a.do("GET", "/api/", t1, "", "").Code)
					} else {
						assert.NotEqual(t, t1, t2, "digest mode issues a fresh string")
						assert.Equal(t, http.StatusUnauthorized, a.do("GET", "/api/", t1, "", "").Code)
						assert.Equal(t, http.StatusOK, a.do("GET", "/api/", t2, "", "").Code)
					}
					if refresh {
						assert.NotEqual(t, first.Body["expiry"], second.Body["expiry"])
						assert.Equal(t, []string{"token_renewed", "login"}, a.takeEvents())
					} else {
						assert.Equal(t, first.Body["expiry"], second.Body["expiry"])
						assert.Equal(t, []string{"login"}, a.takeEvents())
					}
				})
			})
		}
	}
}

func TestReloginAfterExpiryStartsNewSession(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := newApp(t, db, ginurin.Config{StorageMode: mode}, routes.Config{})
				first := a.login("john", "secret", "cli")
				a.advance(2 * time.Hour)
				second := a.login("john", "secret", "cli")
				require.Equal(t, http.StatusOK, second.Code)
				assert.NotEqual(t, first.Body["token"], second.Body["token"])
				assert.NotEqual(t, first.Body["expiry"], second.Body["expiry"])
				assert.Equal(t, http.StatusOK, a.do("GET", "/api/", second.Body["token"].(string), "", "").Code)
			})
		})
	}
}

func TestConcurrentFirstLogins(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := newApp(t, db, ginurin.Config{StorageMode: mode}, routes.Config{})
				const n = 20
				var wg sync.WaitGroup
				codes := make([]int, n)
				tokens := make([]string, n)
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						b := `{"username":"john","password":"secret","client":"web"}`
						req := httptest.NewRequest("POST", "/api/login", strings.NewReader(b))
						req.Header.Set("Content-Type", "application/json")
						w := httptest.NewRecorder()
						a.engine.ServeHTTP(w, req)
						codes[i] = w.Code
						var body map[string]any
						_ = json.Unmarshal(w.Body.Bytes(), &body)
						tokens[i], _ = body["token"].(string)
					}()
				}
				wg.Wait()
				for i := range n {
					assert.Equal(t, http.StatusOK, codes[i], "login %d", i)
				}
				assert.Equal(t, 1, a.tokenCount())
				if mode == ginurin.StoragePlain {
					for i := range n {
						assert.Equal(t, tokens[0], tokens[i])
					}
				}
			})
		})
	}
}

func TestRefresh(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		login := a.login("john", "secret", "cli")
		token := login.Body["token"].(string)
		a.takeEvents()
		a.advance(30 * time.Minute)
		r := a.do("POST", "/api/refresh", token, "", "")
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, []string{"expiry"}, keys(r.Body))
		expiry, _ := time.Parse(time.RFC3339Nano, r.Body["expiry"].(string))
		assert.WithinDuration(t, a.clock().Add(time.Hour), expiry, time.Second)
		assert.Equal(t, []string{"token_renewed"}, a.takeEvents())
		a.advance(45 * time.Minute) // past the first expiry, within the renewed one
		assert.Equal(t, http.StatusOK, a.do("GET", "/api/", token, "", "").Code)
		assert.Equal(t, http.StatusUnauthorized, a.do("POST", "/api/refresh", "", "", "").Code)
	})
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLogout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		web := a.mustLogin("john", "secret", "web")
		cli := a.mustLogin("john", "secret", "cli")
		a.takeEvents()
		r := a.do("POST", "/api/logout", web, "", "")
		assert.Equal(t, http.StatusNoContent, r.Code)
		assert.Empty(t, r.Raw)
		assert.Equal(t, []string{"logout"}, a.takeEvents())
		assert.Equal(t, http.StatusUnauthorized, a.do("GET", "/api/", web, "", "").Code)
		assert.Equal(t, http.StatusOK, a.do("GET", "/api/", cli, "", "").Code)
		assert.Equal(t, 1, a.tokenCount())

		noAuth := a.do("POST", "/api/logout", "", "", "")
		assert.Equal(t, http.StatusUnauthorized, noAuth.Code, "logout without a token is a 401, never a 500")
		assert.Equal(t, "Authentication credentials were not provided.", noAuth.Body["detail"])
	})
}

func TestLogoutAll(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		web := a.mustLogin("john", "secret", "web")
		cli := a.mustLogin("john", "secret", "cli")
		jane := a.mustLogin("jane", "secret2", "web")
		a.takeEvents()
		assert.Equal(t, http.StatusNoContent, a.do("POST", "/api/logoutall", cli, "", "").Code)
		assert.Equal(t, []string{"logout"}, a.takeEvents())
		assert.Equal(t, http.StatusUnauthorized, a.do("GET", "/api/", web, "", "").Code)
		assert.Equal(t, http.StatusUnauthorized, a.do("GET", "/api/", cli, "", "").Code)
		assert.Equal(t, http.StatusOK, a.do("GET", "/api/", jane, "", "").Code, "other users keep their tokens")
		assert.Equal(t, 1, a.tokenCount())
	})
}

func TestSubscriberFailureDoesNotBreakLogout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newApp(t, db, ginurin.Config{}, routes.Config{})
		signals.Subscribe(a.auth.Signals(), func(context.Context, signals.Logout) error { panic("boom") })
		token := a.mustLogin("john", "secret", "web")
		assert.Equal(t, http.StatusNoContent, a.do("POST", "/api/logout", token, "", "").Code)
		assert.Equal(t, 0, a.tokenCount())
	})
}
