package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/internal/faultproxy"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
)

// TestPostgresOutage cuts the connection to PostgreSQL while serving:
// authenticated routes and login answer 503 with a JSON detail (never a
// panic or a 500), /healthz answers 503, and service resumes without a
// restart once the database is reachable again.
func TestPostgresOutage(t *testing.T) {
	dsn, err := url.Parse(testdb.PostgresURL(t))
	require.NoError(t, err)
	proxy := faultproxy.Start(t, dsn.Host)
	dsn.Host = proxy.Addr()
	q := dsn.Query()
	q.Set("connect_timeout", "2")
	dsn.RawQuery = q.Encode()

	db, err := models.Open(dsn.String())
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, models.Migrate(ctx, db, models.DefaultUserSchema()))
	s, err := settingsFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	a, err := newApp(db, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer a.Close()
	_, err = models.CreateUser(ctx, db, "alice", "pw", false, 4)
	require.NoError(t, err)
	_, err = a.auth.NewClient(ctx, "web", 0, "")
	require.NoError(t, err)

	send := func(method, path, token, body string) (int, string) {
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
	login := `{"username":"alice","password":"pw","client":"web"}`
	code, body := send("POST", "/api/login", "", login)
	require.Equal(t, 200, code, body)
	token := body[strings.Index(body, "gnr_") : strings.Index(body, "gnr_")+76]

	proxy.Cut()
	for _, tc := range []struct{ method, path, token, body string }{
		{"GET", "/api/", token, ""},
		{"GET", "/api/me", token, ""},
		{"POST", "/api/login", "", login},
		{"POST", "/api/logout", token, ""},
		{"POST", "/api/logoutall", token, ""},
		{"POST", "/api/refresh", token, ""},
	} {
		code, body := send(tc.method, tc.path, tc.token, tc.body)
		assert.Equal(t, http.StatusServiceUnavailable, code, "%s %s: %s", tc.method, tc.path, body)
		assert.JSONEq(t, `{"detail":"Service temporarily unavailable."}`, body)
	}
	code, _ = send("GET", "/healthz", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	code, _ = send("GET", "/api/", "", "")
	assert.Equal(t, http.StatusUnauthorized, code, "no token: refused without the database")

	proxy.Restore(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _ = send("GET", "/api/", token, "")
		if code == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, 200, code, "service resumes without a restart")
	code, _ = send("GET", "/healthz", "", "")
	assert.Equal(t, 200, code)
	code, _ = send("POST", "/api/logout", token, "")
	assert.Equal(t, 204, code, "the logout refused during the outage changed nothing and works now")
}

// TestForgedForwardedForDoesNotEscapeLoginLimit: the example trusts no
// proxy unless TRUSTED_PROXIES names it, so a client cannot buy a fresh
// login budget by forging X-Forwarded-For.
func TestForgedForwardedForDoesNotEscapeLoginLimit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies string
		want    []int
	}{
		{"no trusted proxy", "", []int{400, 400, 429}},
		{"the proxy trusted", "192.0.2.0/24", []int{400, 400, 400}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := testdb.Open(t, testdb.SQLiteURL(t))
			env := map[string]string{"GINURIN_LOGIN_RATE": "2/m", "TRUSTED_PROXIES": tc.proxies}
			s, err := settingsFromEnv(func(k string) string { return env[k] })
			require.NoError(t, err)
			a, err := newApp(db, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
			require.NoError(t, err)
			defer a.Close()
			var codes []int
			for i := range 3 {
				req := httptest.NewRequest("POST", "/api/login", strings.NewReader(`{"username":"u`+string(rune('a'+i))+`","password":"x","client":"web"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
				w := httptest.NewRecorder()
				a.engine.ServeHTTP(w, req)
				codes = append(codes, w.Code)
			}
			assert.Equal(t, tc.want, codes)
		})
	}
	bad := map[string]string{"TRUSTED_PROXIES": "not-an-address"}
	s, err := settingsFromEnv(func(k string) string { return bad[k] })
	require.NoError(t, err)
	_, err = newApp(testdb.Open(t, testdb.SQLiteURL(t)), s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TRUSTED_PROXIES")
}
