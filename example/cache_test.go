package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginurin/ginurin/internal/testdb"
)

// exampleBinary builds the example once per test.
func exampleBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "example")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// command runs an example command with env and fails the test on error.
func command(t *testing.T, bin string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("example %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// serve starts an instance on a free loopback port and returns its base URL.
func serve(t *testing.T, bin string, env []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin)
	logs := new(lockedBuffer)
	cmd.Env = append(os.Environ(), append(env, "ADDR="+addr)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("instance %s log:\n%s", addr, logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func callURL(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestExampleCachedAcrossInstances runs the example as a user would: two
// server processes on one PostgreSQL database (with Redis, and with
// LISTEN/NOTIFY only), and single SQLite; a logout on one instance is
// refused by the other's /api/cached within a second.
func TestExampleCachedAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	bin := exampleBinary(t)
	for _, tc := range []struct {
		name      string
		env       func(t *testing.T) []string
		instances int
	}{
		{"sqlite", func(t *testing.T) []string { return []string{"DATABASE_URL=" + testdb.SQLiteURL(t), "REDIS_URL="} }, 1},
		{"postgres notify", func(t *testing.T) []string {
			return []string{"DATABASE_URL=" + testdb.PostgresURL(t), "REDIS_URL="}
		}, 2},
		{"postgres and redis", func(t *testing.T) []string {
			redisURL := testdb.Require(t, testdb.RedisEnv)
			return []string{"DATABASE_URL=" + testdb.PostgresURL(t), "REDIS_URL=" + redisURL}
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env(t)
			command(t, bin, env, "user", "create", "alice", "--password", "s3cret!")
			command(t, bin, env, "client", "create", "web")
			first := serve(t, bin, env)
			second := first
			if tc.instances == 2 {
				second = serve(t, bin, env)
			}
			code, body := callURL(t, "POST", first+"/api/login", "", `{"username":"alice","password":"s3cret!","client":"web"}`)
			if code != http.StatusOK {
				t.Fatalf("login: %d %v", code, body)
			}
			token := body["token"].(string)
			for range 2 {
				code, body = callURL(t, "GET", second+"/api/cached", token, "")
				if code != http.StatusOK || body["username"] != "alice" || body["client"] != "web" {
					t.Fatalf("cached: %d %v", code, body)
				}
			}
			if code, _ := callURL(t, "POST", first+"/api/logout", token, ""); code != http.StatusNoContent {
				t.Fatalf("logout: %d", code)
			}
			start := time.Now()
			for {
				code, body = callURL(t, "GET", second+"/api/cached", token, "")
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
