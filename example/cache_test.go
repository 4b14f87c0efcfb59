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

// TestExampleCLIRevocationReachesCache: on SQLite, a management command
// run beside the server (a separate process) revokes through the
// database's invalidation table, and the server's /api/cached refuses the
// token within a second.
func TestExampleCLIRevocationReachesCache(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		detail string
	}{
		{"user deactivate", []string{"user", "deactivate", "alice"}, "User inactive or deleted."},
		{"client delete", []string{"client", "delete", "web"}, "Invalid token."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := newInstance(t, testdb.SQLiteURL(t), "REDIS_URL=")
			in.mustCLI("user", "create", "alice", "--password", "s3cret!")
			in.mustCLI("client", "create", "web")
			in.serve()
			code, body := in.login("alice", "s3cret!", "web")
			if code != http.StatusOK {
				t.Fatalf("login: %d %v", code, body)
			}
			token := body["token"].(string)
			for range 2 {
				if code, body := in.request("GET", "/api/cached", token, ""); code != http.StatusOK {
					t.Fatalf("cached: %d %v", code, body)
				}
			}
			in.mustCLI(tc.args...)
			start := time.Now()
			for {
				code, body = in.request("GET", "/api/cached", token, "")
				if code == http.StatusUnauthorized {
					if body["detail"] != tc.detail {
						t.Errorf("detail %v, want %q", body["detail"], tc.detail)
					}
					break
				}
				if time.Since(start) > time.Second {
					t.Fatalf("still %d %v a second after %v", code, body, tc.args)
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("refused after %v", time.Since(start))
		})
	}
}
