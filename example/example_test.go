package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/internal/testdb"
)

// binary is the example built once for the tests that run it from outside.
var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func buildExample(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ginurin-example-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "example")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binary
}

// instance is the example run from outside against one database.
type instance struct {
	t   *testing.T
	bin string
	dir string
	env []string
	url string
}

func newInstance(t *testing.T, databaseURL string, env ...string) *instance {
	t.Helper()
	dir := t.TempDir()
	return &instance{t: t, bin: buildExample(t), dir: dir,
		env: append(append(os.Environ(), "DATABASE_URL="+databaseURL), env...)}
}

// cli runs one command and returns its exit code and combined output.
func (in *instance) cli(args ...string) (int, string) {
	in.t.Helper()
	cmd := exec.Command(in.bin, args...)
	cmd.Dir, cmd.Env = in.dir, in.env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	require.NoError(in.t, err)
	return 0, string(out)
}

func (in *instance) mustCLI(args ...string) string {
	in.t.Helper()
	code, out := in.cli(args...)
	require.Equal(in.t, 0, code, out)
	return out
}

// serve starts the server on a free port and returns its log buffer.
func (in *instance) serve() *syncWriter {
	in.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(in.t, err)
	addr := l.Addr().String()
	l.Close()
	logs := &syncWriter{}
	cmd := exec.Command(in.bin)
	cmd.Dir, cmd.Env = in.dir, append(in.env, "ADDR="+addr)
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(in.t, cmd.Start())
	in.t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	in.t.Cleanup(func() {
		if in.t.Failed() {
			in.t.Logf("instance %s log:\n%s", addr, logs.String())
		}
	})
	in.url = "http://" + addr
	for range 300 {
		if resp, err := http.Get(in.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return logs
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	in.t.Fatalf("server did not start: %s", logs.String())
	return nil
}

// syncWriter collects a process's output; safe to read while it runs.
type syncWriter struct {
	mu sync.Mutex
	w  bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func (in *instance) request(method, path, token, body string) (int, map[string]any) {
	in.t.Helper()
	req, err := http.NewRequest(method, in.url+path, strings.NewReader(body))
	require.NoError(in.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(in.t, err)
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (in *instance) login(user, password, client string) (int, map[string]any) {
	in.t.Helper()
	b, _ := json.Marshal(map[string]string{"username": user, "password": password, "client": client})
	return in.request("POST", "/api/login", "", string(b))
}

func TestExampleEndToEnd(t *testing.T) {
	for _, b := range testdb.Backends() {
		for _, mode := range []string{"digest", "plain"} {
			t.Run(b.Name+"/"+mode, func(t *testing.T) {
				dbURL := "" // SQLite: the default file in the working directory
				if b.Name == "postgres" {
					dbURL = b.URL(t)
				}
				// This test logs in more than the example's default
				// 10/m allows; the login limit has its own tests.
				in := newInstance(t, dbURL, "GINURIN_TOKEN_STORAGE="+mode, "GINURIN_LOGIN_RATE=off")
				assert.Contains(t, in.mustCLI("migrate"), "migrations applied")
				in.mustCLI("user", "create", "alice", "--password", "pa ss")
				in.mustCLI("client", "create", "web", "--token-ttl", "14d")
				logs := in.serve()

				code, body := in.login("alice", "pa ss", "web")
				require.Equal(t, 200, code, body)
				token := body["token"].(string)
				code, me := in.request("GET", "/api/me", token, "")
				assert.Equal(t, 200, code)
				assert.Equal(t, map[string]any{"username": "alice", "client": "web"}, me)

				// The CLI works while the server runs on the same database.
				in.mustCLI("user", "create", "bob", "--password", "pw")
				in.mustCLI("client", "create", "cli")
				code, _ = in.login("bob", "pw", "cli")
				assert.Equal(t, 200, code)

				// 20 simultaneous first logins for one pair: all 200, one token.
				var wg sync.WaitGroup
				codes := make([]int, 20)
				for i := range codes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						codes[i], _ = in.login("bob", "pw", "web")
					}()
				}
				wg.Wait()
				for _, c := range codes {
					assert.Equal(t, 200, c)
				}

				code, _ = in.request("POST", "/api/refresh", token, "")
				assert.Equal(t, 200, code)
				code, _ = in.request("POST", "/api/logout", token, "")
				assert.Equal(t, 204, code)
				code, body = in.request("GET", "/api/", token, "")
				assert.Equal(t, 401, code)
				assert.Equal(t, "Invalid token.", body["detail"])

				code, _ = in.request("POST", "/api/logout", "", "")
				assert.Equal(t, 401, code)
				code, _ = in.login("alice", "wrong-pass-xyz", "web")
				assert.Equal(t, 400, code)

				// Deactivation through the CLI takes effect on the next request.
				_, body = in.login("alice", "pa ss", "web")
				token = body["token"].(string)
				in.mustCLI("user", "deactivate", "alice")
				code, body = in.request("GET", "/api/", token, "")
				assert.Equal(t, 401, code)
				assert.Equal(t, "User inactive or deleted.", body["detail"])

				if b.Name == "sqlite" {
					raw, err := os.ReadFile(filepath.Join(in.dir, "ginurin-example.db"))
					require.NoError(t, err)
					wal, _ := os.ReadFile(filepath.Join(in.dir, "ginurin-example.db-wal"))
					atRest := string(raw) + string(wal)
					if mode == "digest" {
						assert.NotContains(t, atRest, token, "digest mode keeps no usable token at rest")
					}
					assert.NotContains(t, atRest, "pa ss", "passwords are never stored in clear")
				}
				for _, event := range []string{"event login", "event logout", "event token_renewed", "event token_created"} {
					assert.Contains(t, logs.String(), event)
				}
				all := logs.String()
				for _, secret := range []string{token, "pa ss", "wrong-pass-xyz", `"pw"`} {
					assert.NotContains(t, all, secret, "no token or password in the logs")
				}
			})
		}
	}
}

func TestExampleCLIErrors(t *testing.T) {
	in := newInstance(t, filepath.Join(t.TempDir(), "x.db"))
	code, out := in.cli("client", "create", "x", "--throttle-rate", "2/minute")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "throttle-rate")
	code, out = in.cli("nonsense")
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "unknown command")

	bad := newInstance(t, filepath.Join(t.TempDir(), "y.db"), "GINURIN_TOKEN_STORAGE=rot13")
	code, out = bad.cli("client", "list")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "GINURIN_TOKEN_STORAGE")
}

func TestHealthz(t *testing.T) {
	in := newInstance(t, filepath.Join(t.TempDir(), "h.db"))
	in.serve()
	code, body := in.request("GET", "/healthz", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "ok", body["status"])
	code, body = in.request("GET", "/nonexistent", "", "")
	assert.Equal(t, 404, code)
	assert.Equal(t, "Not found.", body["detail"], "unmatched routes answer JSON too")
	code, body = in.request("PUT", "/api/login", "", "")
	assert.Equal(t, 405, code)
	assert.Equal(t, `Method "PUT" not allowed.`, body["detail"])
}

func TestSettingsFromEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	s, err := settingsFromEnv(env(nil))
	require.NoError(t, err)
	assert.Equal(t, ":8080", s.Addr)
	assert.Equal(t, "digest", string(s.StorageMode))
	for name, kv := range map[string]map[string]string{
		"GINURIN_TOKEN_STORAGE":          {"GINURIN_TOKEN_STORAGE": "rot13"},
		"GINURIN_REFRESH_TOKEN_ON_LOGIN": {"GINURIN_REFRESH_TOKEN_ON_LOGIN": "maybe"},
		"GINURIN_TOKEN_CACHE_TIMEOUT":    {"GINURIN_TOKEN_CACHE_TIMEOUT": "-1s"},
	} {
		_, err := settingsFromEnv(env(kv))
		require.Error(t, err)
		assert.Contains(t, err.Error(), name)
	}
}

// TestExampleExpiredToken: a token presented after its client's TTL is
// refused as expired, once, and the example logs the token_expired event.
func TestExampleExpiredToken(t *testing.T) {
	in := newInstance(t, filepath.Join(t.TempDir(), "e.db"))
	in.mustCLI("user", "create", "alice", "--password", "pw")
	in.mustCLI("client", "create", "brief", "--token-ttl", "1s")
	logs := in.serve()
	code, body := in.login("alice", "pw", "brief")
	require.Equal(t, 200, code, body)
	token := body["token"].(string)
	time.Sleep(1100 * time.Millisecond)
	code, body = in.request("GET", "/api/", token, "")
	assert.Equal(t, 401, code)
	assert.Equal(t, "The given token has expired.", body["detail"])
	_, body = in.request("GET", "/api/", token, "")
	assert.Equal(t, "Invalid token.", body["detail"], "the expired token was deleted")
	assert.Contains(t, logs.String(), "event token_expired")
}
