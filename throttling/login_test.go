package throttling_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/ulule/limiter/v3"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
	"github.com/ginurin/ginurin/throttling"
	"github.com/ginurin/ginurin/throttling/throttlingtest"
)

// countingUsers counts the password lookups of logins.
type countingUsers struct {
	*models.TableUsers
	lookups atomic.Int64
}

func (u *countingUsers) UserByUsername(ctx context.Context, username string) (*models.User, error) {
	u.lookups.Add(1)
	return u.TableUsers.UserByUsername(ctx, username)
}

// loginApp builds the test app with a login limit of rate on store.
func loginApp(t *testing.T, db *bun.DB, rate string, cfg throttling.Config) (*testapp.App, *countingUsers) {
	t.Helper()
	cfg.Scope = throttlingtest.Unique(t)
	l, err := throttling.NewLogin(rate, cfg)
	require.NoError(t, err)
	users := &countingUsers{TableUsers: &models.TableUsers{DB: db}}
	return testapp.New(t, db, ginurin.Config{Users: users}, routes.Config{LoginLimiter: l}), users
}

// loginFrom posts a JSON login from the address remote.
func loginFrom(a *testapp.App, remote, username, password string) testapp.Response {
	a.T.Helper()
	b, _ := json.Marshal(map[string]string{"username": username, "password": password, "client": "web"})
	req := httptest.NewRequest("POST", "/api/login", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = remote
	return a.Serve(req)
}

func TestLoginLimit(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, db *bun.DB, store limiter.Store)
	}{
		{"per username, checked before the password", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a, users := loginApp(t, db, "3/m", throttling.Config{Store: store})
			for i := range 3 {
				r := loginFrom(a, "192.0.2.1"+string(rune('0'+i))+":1", testapp.John, "wrong")
				require.Equal(t, http.StatusBadRequest, r.Code, r.Raw)
			}
			require.Equal(t, int64(3), users.lookups.Load())
			// The right password from yet another address: still refused.
			r := loginFrom(a, "192.0.2.20:1", testapp.John, testapp.JohnPassword)
			throttlingtest.AssertThrottled(t, throttlingtest.Response{Code: r.Code, Header: r.Header, Detail: detailOf(r)}, 3, time.Minute)
			assert.Equal(t, int64(3), users.lookups.Load(), "no password checked once throttled")
			assert.Zero(t, a.TokenCount())
			// Another user is not affected.
			assert.Equal(t, http.StatusOK, loginFrom(a, "192.0.2.21:1", testapp.Jane, testapp.JanePassword).Code)
		}},
		{"per client IP", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a, users := loginApp(t, db, "2/m", throttling.Config{Store: store})
			assert.Equal(t, http.StatusBadRequest, loginFrom(a, "198.51.100.7:1", "alice", "x").Code)
			assert.Equal(t, http.StatusBadRequest, loginFrom(a, "198.51.100.7:2", "bob", "x").Code)
			r := loginFrom(a, "198.51.100.7:3", testapp.John, testapp.JohnPassword)
			assert.Equal(t, http.StatusTooManyRequests, r.Code)
			assert.NotEmpty(t, r.Header.Get("Retry-After"))
			assert.Equal(t, int64(2), users.lookups.Load())
			assert.Equal(t, http.StatusOK, loginFrom(a, "198.51.100.8:1", testapp.John, testapp.JohnPassword).Code,
				"another address, and john's budget untouched by the refused attempt")
		}},
		{"successful logins count too", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a, _ := loginApp(t, db, "2/m", throttling.Config{Store: store})
			assert.Equal(t, http.StatusOK, a.Login(testapp.John, testapp.JohnPassword, "web").Code)
			assert.Equal(t, http.StatusOK, a.Login(testapp.John, testapp.JohnPassword, "web").Code)
			assert.Equal(t, http.StatusTooManyRequests, a.Login(testapp.John, testapp.JohnPassword, "web").Code)
		}},
		{"bad input is not counted", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a, _ := loginApp(t, db, "1/m", throttling.Config{Store: store})
			for range 3 {
				r := a.Do("POST", "/api/login", "", "application/json", `{"username":"john"}`)
				assert.Equal(t, http.StatusBadRequest, r.Code)
				assert.Equal(t, `Must include "username" and "password".`, r.Body["detail"])
			}
			assert.Equal(t, http.StatusOK, a.Login(testapp.John, testapp.JohnPassword, "web").Code)
		}},
		{"off disables the limit", func(t *testing.T, db *bun.DB, store limiter.Store) {
			a, _ := loginApp(t, db, throttling.Off, throttling.Config{Store: store})
			for range 12 {
				assert.Equal(t, http.StatusBadRequest, a.Login(testapp.John, "wrong", "web").Code)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { eachStore(t, tt.run) })
	}
}

func TestLoginLimitRedisDown(t *testing.T) {
	tests := []struct {
		name string
		mode throttling.FailMode
		want int
	}{
		{"fail open", throttling.FailOpen, http.StatusOK},
		{"fail closed", throttling.FailClosed, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				logs := &syncBuffer{}
				a, users := loginApp(t, db, "1/m", throttling.Config{
					Store: downStore(t), FailMode: tt.mode, Logger: slog.New(slog.NewTextHandler(logs, nil)),
				})
				for range 2 {
					r := a.Login(testapp.John, testapp.JohnPassword, "web")
					assert.Equal(t, tt.want, r.Code, r.Raw)
				}
				if tt.mode == throttling.FailOpen {
					assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), logs.String())
					assert.NotContains(t, logs.String(), testapp.JohnPassword)
				} else {
					assert.Zero(t, users.lookups.Load(), "fail closed checks no password")
				}
			})
		})
	}
}
