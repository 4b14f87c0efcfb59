package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/ginurin/ginurin/internal/testdb"
)

// TestExampleCachedAcrossInstances runs the example as a user would: two
// server processes on one PostgreSQL database (with Redis, and with
// LISTEN/NOTIFY only), and single SQLite; a logout on one instance is
// refused by the other's /api/cached within a second.
func TestExampleCachedAcrossInstances(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       func(t *testing.T) (dbURL string, env []string)
		instances int
	}{
		{"sqlite", func(t *testing.T) (string, []string) { return testdb.SQLiteURL(t), []string{"REDIS_URL="} }, 1},
		{"postgres notify", func(t *testing.T) (string, []string) {
			return testdb.PostgresURL(t), []string{"REDIS_URL="}
		}, 2},
		{"postgres and redis", func(t *testing.T) (string, []string) {
			return testdb.PostgresURL(t), []string{"REDIS_URL=" + testdb.Require(t, testdb.RedisEnv)}
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbURL, env := tc.env(t)
			first := newInstance(t, dbURL, env...)
			first.mustCLI("user", "create", "alice", "--password", "s3cret!")
			first.mustCLI("client", "create", "web")
			first.serve()
			second := first
			if tc.instances == 2 {
				second = newInstance(t, dbURL, env...)
				second.serve()
			}
			code, body := first.login("alice", "s3cret!", "web")
			if code != http.StatusOK {
				t.Fatalf("login: %d %v", code, body)
			}
			token := body["token"].(string)
			for range 2 {
				code, body = second.request("GET", "/api/cached", token, "")
				if code != http.StatusOK || body["username"] != "alice" || body["client"] != "web" {
					t.Fatalf("cached: %d %v", code, body)
				}
			}
			if code, _ := first.request("POST", "/api/logout", token, ""); code != http.StatusNoContent {
				t.Fatalf("logout: %d", code)
			}
			start := time.Now()
			for {
				code, body = second.request("GET", "/api/cached", token, "")
				if code == http.StatusUnauthorized {
					if body["detail"] != "Invalid token." {
						t.Errorf("detail %v", body["detail"])
					}
					break
				}
				if time.Since(start) > time.Second {
					t.Fatalf("still %d %v a second after logout", code, body)
				}
				time.Sleep(5 * time.Millisecond)
			}
			t.Logf("refused after %v", time.Since(start))
		})
	}
}
