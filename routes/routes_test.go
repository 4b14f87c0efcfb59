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
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
	"github.com/ginurin/ginurin/signals"
)

var modes = []ginurin.StorageMode{ginurin.StorageDigest, ginurin.StoragePlain}

func TestLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		r := a.Login("john", "secret", "web")
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		token := r.Body["token"].(string)
		assert.Regexp(t, `^gnr_[0-9a-f]{72}$`, token)
		assert.NotContains(t, r.Body, "user")
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		expiry, err := time.Parse(time.RFC3339Nano, r.Body["expiry"].(string))
		require.NoError(t, err)
		assert.WithinDuration(t, a.Clock().Add(24*time.Hour), expiry, time.Second)
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`, r.Body["expiry"])
		assert.Equal(t, []string{"token_created", "login"}, a.TakeEvents())
		assert.Equal(t, 1, a.TokenCount())

		ok := a.Do("GET", "/api/", token, "", "")
		assert.Equal(t, http.StatusOK, ok.Code)
		assert.Equal(t, `"api root"`, ok.Raw)

		var u models.User
		require.NoError(t, db.NewSelect().Model(&u).Where("username = 'john'").Scan(context.Background()))
		assert.NotNil(t, u.LastLogin, "login records last_login")
	})
}

func TestLoginClientTTL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		r := a.Login("john", "secret", "cli")
		require.Equal(t, http.StatusOK, r.Code)
		expiry, _ := time.Parse(time.RFC3339Nano, r.Body["expiry"].(string))
		assert.WithinDuration(t, a.Clock().Add(time.Hour), expiry, time.Second)
	})
}

func TestLoginErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
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
			{"trailing data", "application/json", `{"username":"john","password":"secret","client":"web"} trailing`, 400, "Malformed request body."},
			{"NUL in username", "application/json", `{"username":"jo\u0000hn","password":"secret","client":"web"}`, 400, "Unable to log in with provided credentials."},
			{"NUL in client", "application/json", `{"username":"john","password":"secret","client":"we\u0000b"}`, 400, "No client with that name."},
			{"form no client", "application/x-www-form-urlencoded", `username=john&password=secret`, 400, "No client specified."},
			{"text body", "text/plain", `username=john`, 415, "Unsupported media type; send JSON or a form."},
			{"too large", "application/json", `{"username":"` + strings.Repeat("a", 20000) + `"}`, 413, "Request body too large."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := a.Do("POST", "/api/login", "", tc.ct, tc.body)
				assert.Equal(t, tc.code, r.Code, r.Raw)
				assert.Equal(t, tc.detail, r.Body["detail"])
			})
		}
		assert.Equal(t, 0, a.TokenCount(), "no failed login leaves a token")
		assert.Empty(t, a.TakeEvents())
	})
}

func TestLoginForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		form := url.Values{"username": {"john"}, "password": {"secret"}, "client": {"web"}}.Encode()
		r := a.Do("POST", "/api/login", "", "application/x-www-form-urlencoded", form)
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", r.Body["token"].(string), "", "").Code)
	})
}

func TestLoginUserSerializer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{
			UserSerializer: func(u *models.User) any { return map[string]any{"username": u.Username} },
		})
		r := a.Login("john", "secret", "web")
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
					a := testapp.New(t, db, ginurin.Config{StorageMode: mode, RefreshTokenOnLogin: refresh}, routes.Config{})
					first := a.Login("john", "secret", "web")
					a.TakeEvents()
					a.Advance(time.Hour)
					second := a.Login("john", "secret", "web")
					require.Equal(t, http.StatusOK, second.Code)
					assert.Equal(t, 1, a.TokenCount(), "one session per user+client")
					t1, t2 := first.Body["token"].(string), second.Body["token"].(string)
					if mode == ginurin.StoragePlain {
						assert.Equal(t, t1, t2, "plain mode returns the existing token")
						assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", t1, "", "").Code)
					} else {
						assert.NotEqual(t, t1, t2, "digest mode issues a fresh string")
						assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/", t1, "", "").Code)
						assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", t2, "", "").Code)
					}
					if refresh {
						assert.NotEqual(t, first.Body["expiry"], second.Body["expiry"])
						assert.Equal(t, []string{"token_renewed", "login"}, a.TakeEvents())
					} else {
						assert.Equal(t, first.Body["expiry"], second.Body["expiry"])
						assert.Equal(t, []string{"login"}, a.TakeEvents())
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
				a := testapp.New(t, db, ginurin.Config{StorageMode: mode}, routes.Config{})
				first := a.Login("john", "secret", "cli")
				a.Advance(2 * time.Hour)
				second := a.Login("john", "secret", "cli")
				require.Equal(t, http.StatusOK, second.Code)
				assert.NotEqual(t, first.Body["token"], second.Body["token"])
				assert.NotEqual(t, first.Body["expiry"], second.Body["expiry"])
				assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", second.Body["token"].(string), "", "").Code)
			})
		})
	}
}

func TestConcurrentFirstLogins(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := testapp.New(t, db, ginurin.Config{StorageMode: mode}, routes.Config{})
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
						a.Engine.ServeHTTP(w, req)
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
				assert.Equal(t, 1, a.TokenCount())
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
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		login := a.Login("john", "secret", "cli")
		token := login.Body["token"].(string)
		a.TakeEvents()
		var renewed signals.TokenRenewed
		signals.Subscribe(a.Auth.Signals(), func(_ context.Context, e signals.TokenRenewed) error {
			renewed = e
			return nil
		})
		a.Advance(30 * time.Minute)
		r := a.Do("POST", "/api/refresh", token, "", "")
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, []string{"expiry"}, keys(r.Body))
		expiry, _ := time.Parse(time.RFC3339Nano, r.Body["expiry"].(string))
		assert.WithinDuration(t, a.Clock().Add(time.Hour), expiry, time.Second)
		assert.Equal(t, []string{"token_renewed"}, a.TakeEvents())
		assert.Equal(t, login.Body["expiry"], a.Auth.FormatTime(renewed.OldExpiry), "the event carries the old expiry")
		assert.Equal(t, r.Body["expiry"], a.Auth.FormatTime(renewed.Token.Expiry))
		a.Advance(45 * time.Minute) // past the first expiry, within the renewed one
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", token, "", "").Code)
		assert.Equal(t, http.StatusUnauthorized, a.Do("POST", "/api/refresh", "", "", "").Code)
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
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		web := a.MustLogin("john", "secret", "web")
		cli := a.MustLogin("john", "secret", "cli")
		a.TakeEvents()
		r := a.Do("POST", "/api/logout", web, "", "")
		assert.Equal(t, http.StatusNoContent, r.Code)
		assert.Empty(t, r.Raw)
		assert.Equal(t, []string{"logout"}, a.TakeEvents())
		assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/", web, "", "").Code)
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", cli, "", "").Code)
		assert.Equal(t, 1, a.TokenCount())

		noAuth := a.Do("POST", "/api/logout", "", "", "")
		assert.Equal(t, http.StatusUnauthorized, noAuth.Code, "logout without a token is a 401, never a 500")
		assert.Equal(t, "Authentication credentials were not provided.", noAuth.Body["detail"])
	})
}

func TestLogoutAll(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		web := a.MustLogin("john", "secret", "web")
		cli := a.MustLogin("john", "secret", "cli")
		jane := a.MustLogin("jane", "secret2", "web")
		a.TakeEvents()
		assert.Equal(t, http.StatusNoContent, a.Do("POST", "/api/logoutall", cli, "", "").Code)
		assert.Equal(t, []string{"logout"}, a.TakeEvents())
		assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/", web, "", "").Code)
		assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/", cli, "", "").Code)
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", jane, "", "").Code, "other users keep their tokens")
		assert.Equal(t, 1, a.TokenCount())
	})
}

func TestSubscriberFailureDoesNotBreakLogout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		signals.Subscribe(a.Auth.Signals(), func(context.Context, signals.Logout) error { panic("boom") })
		token := a.MustLogin("john", "secret", "web")
		assert.Equal(t, http.StatusNoContent, a.Do("POST", "/api/logout", token, "", "").Code)
		assert.Equal(t, 0, a.TokenCount())
	})
}

func TestTokenNeverReadFromQueryOrBody(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		token := a.MustLogin("john", "secret", "web")
		for _, path := range []string{"/api/?token=" + token, "/api/?auth_token=" + token, "/api/?Authorization=Token+" + token} {
			r := a.Do("GET", path, "", "", "")
			assert.Equal(t, http.StatusUnauthorized, r.Code, path)
		}
		r := a.Do("POST", "/api/refresh", "", "application/x-www-form-urlencoded", "token="+token)
		assert.Equal(t, http.StatusUnauthorized, r.Code)
		r = a.Do("POST", "/api/refresh", token, "", "")
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"), "refresh responses are not cached")
	})
}

// TestDefaultLoginLimit: without a LoginLimiter, Register limits logins to
// DefaultLoginRate per client IP and per username, before any password is
// checked; NoLoginLimit turns it off.
func TestDefaultLoginLimit(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
	engine := gin.New()
	routes.Register(engine.Group("/api"), a.Auth, routes.Config{})
	login := func(username string) int {
		body := `{"username":"` + username + `","password":"wrong","client":"web"}`
		req := httptest.NewRequest("POST", "/api/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, req)
		return w.Code
	}
	for i := range 10 {
		require.Equal(t, http.StatusBadRequest, login("john"), "attempt %d", i+1)
	}
	assert.Equal(t, http.StatusTooManyRequests, login("john"), "the 11th attempt in a minute is throttled")
	assert.Equal(t, http.StatusTooManyRequests, login("jane"), "the IP's budget is spent too")
	for range 20 {
		assert.Equal(t, http.StatusBadRequest, a.Login("john", "wrong", "web").Code, "NoLoginLimit admits every attempt")
	}
}
