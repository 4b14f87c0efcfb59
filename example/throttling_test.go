package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/throttling/throttlingtest"
)

// env is a fake environment for settingsFromEnv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// exampleApp builds the example on the database at url with the
// environment e, as `go run ./example` would.
func exampleApp(t *testing.T, url string, e env) *app {
	t.Helper()
	e["DATABASE_URL"] = url
	s, err := settingsFromEnv(e.get)
	require.NoError(t, err)
	a, err := newApp(testdb.Open(t, url), s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a
}

// seed creates john (password secret) and the clients web and cli.
func seed(t *testing.T, a *app) {
	t.Helper()
	ctx := context.Background()
	_, err := models.CreateUser(ctx, a.db, "john", "secret", false, 4)
	require.NoError(t, err)
	for _, name := range []string{"web", "cli"} {
		_, err := a.auth.NewClient(ctx, name, 0, "")
		require.NoError(t, err)
	}
}

func call(t *testing.T, a *app, method, path, token, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	w := httptest.NewRecorder()
	a.engine.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

func login(t *testing.T, a *app, client string) string {
	t.Helper()
	code, body := call(t, a, "POST", "/api/login", "", `{"username":"john","password":"secret","client":"`+client+`"}`)
	require.Equal(t, http.StatusOK, code, body)
	var out struct{ Token string }
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	return out.Token
}

func codes(t *testing.T, a *app, path, token string, n int) []int {
	t.Helper()
	var got []int
	for range n {
		code, _ := call(t, a, "GET", path, token, "")
		got = append(got, code)
	}
	return got
}

func TestExampleLimits(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			stores := []struct {
				name string
				env  func(t *testing.T) env
			}{
				{"memory", func(t *testing.T) env { return env{} }},
				{"redis", func(t *testing.T) env {
					return env{"REDIS_URL": testdb.Require(t, testdb.RedisEnv), "GINURIN_REDIS_PREFIX": throttlingtest.Unique(t)}
				}},
			}
			for _, st := range stores {
				t.Run(st.name, func(t *testing.T) {
					t.Run("defaults", func(t *testing.T) {
						a := exampleApp(t, b.URL(t), st.env(t))
						seed(t, a)
						web, cli := login(t, a, "web"), login(t, a, "cli")
						assert.Equal(t, []int{200, 200, 429}, codes(t, a, "/api/throttled", web, 3), "GINURIN_THROTTLE_RATE 2/m")
						assert.Equal(t, []int{200, 200, 429}, codes(t, a, "/api/throttled", cli, 3), "own budget per client")
						assert.Equal(t, []int{401}, codes(t, a, "/api/throttled", "", 1))
						assert.Equal(t, []int{200}, codes(t, a, "/api/onlywebclient", web, 1))
						assert.Equal(t, []int{403}, codes(t, a, "/api/onlywebclient", cli, 1))
						assert.Equal(t, []int{401}, codes(t, a, "/api/onlywebclient", "", 1))
						assert.Equal(t, []int{403}, codes(t, a, "/api/nowebclient", web, 1))
						assert.Equal(t, []int{200}, codes(t, a, "/api/nowebclient", cli, 1))
						// GINURIN_LOGIN_RATE 10/m: john logged in twice already.
						for i := range 8 {
							code, _ := call(t, a, "POST", "/api/login", "", `{"username":"john","password":"nope","client":"web"}`)
							require.Equal(t, http.StatusBadRequest, code, "attempt %d", i+3)
						}
						code, body := call(t, a, "POST", "/api/login", "", `{"username":"john","password":"secret","client":"web"}`)
						assert.Equal(t, http.StatusTooManyRequests, code, body)
						assert.Contains(t, body, "Request was throttled. Expected available in ")
					})
					t.Run("settings", func(t *testing.T) {
						e := st.env(t)
						e["GINURIN_THROTTLE_RATE"], e["GINURIN_LOGIN_RATE"], e["EXAMPLE_WEB_CLIENT"] = "3/h", "off", "cli"
						a := exampleApp(t, b.URL(t), e)
						seed(t, a)
						ctx := context.Background()
						_, err := a.auth.NewClient(ctx, "mobile", 0, "5/m")
						require.NoError(t, err)
						web, cli, mobile := login(t, a, "web"), login(t, a, "cli"), login(t, a, "mobile")
						assert.Equal(t, []int{200, 200, 200, 429}, codes(t, a, "/api/throttled", web, 4))
						assert.Equal(t, []int{200, 200, 200, 200, 200, 429}, codes(t, a, "/api/throttled", mobile, 6), "client rate 5/m")
						assert.Equal(t, []int{200}, codes(t, a, "/api/onlywebclient", cli, 1))
						assert.Equal(t, []int{403}, codes(t, a, "/api/onlywebclient", web, 1))
						assert.Equal(t, []int{403}, codes(t, a, "/api/nowebclient", cli, 1))
						for range 12 {
							code, _ := call(t, a, "POST", "/api/login", "", `{"username":"john","password":"nope","client":"web"}`)
							require.Equal(t, http.StatusBadRequest, code, "login limit off")
						}
					})
				})
			}
			t.Run("two instances sharing Redis share one budget", func(t *testing.T) {
				e := env{"REDIS_URL": testdb.Require(t, testdb.RedisEnv), "GINURIN_REDIS_PREFIX": throttlingtest.Unique(t)}
				url := b.URL(t)
				one := exampleApp(t, url, e)
				two := exampleApp(t, url, e)
				seed(t, one)
				token := login(t, one, "web")
				assert.Equal(t, []int{200}, codes(t, one, "/api/throttled", token, 1))
				assert.Equal(t, []int{200}, codes(t, two, "/api/throttled", token, 1))
				assert.Equal(t, []int{429}, codes(t, one, "/api/throttled", token, 1))
				assert.Equal(t, []int{429}, codes(t, two, "/api/throttled", token, 1))
			})
		})
	}
}

func TestExampleLimitSettingsErrors(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want string
	}{
		{"throttle rate", env{"GINURIN_THROTTLE_RATE": "blahblah"}, "GINURIN_THROTTLE_RATE"},
		{"throttle rate long unit", env{"GINURIN_THROTTLE_RATE": "2/minute"}, "GINURIN_THROTTLE_RATE"},
		{"login rate", env{"GINURIN_LOGIN_RATE": "0/m"}, "GINURIN_LOGIN_RATE"},
		{"fail mode", env{"GINURIN_THROTTLE_FAIL_MODE": "maybe"}, "GINURIN_THROTTLE_FAIL_MODE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := settingsFromEnv(tt.env.get)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.want+": "), err.Error())
		})
	}
	t.Run("redis url", func(t *testing.T) {
		e := env{"REDIS_URL": "http://user:hunter2@example.com"}
		s, err := settingsFromEnv(e.get)
		require.NoError(t, err)
		_, err = newApp(testdb.Open(t, testdb.SQLiteURL(t)), s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "REDIS_URL: "), err.Error())
		assert.NotContains(t, err.Error(), "hunter2")
	})
}
