package main

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/internal/testdb"
)

// twoInstances starts two example servers on different ports sharing one
// PostgreSQL database (and Redis, when its URL is set), after creating a
// user alice/pw and a client web through the first one's CLI.
func twoInstances(t *testing.T, env ...string) (*instance, *instance) {
	t.Helper()
	dbURL := testdb.PostgresURL(t)
	env = append(env, "REDIS_URL="+testdb.Require(t, testdb.RedisEnv))
	a := newInstance(t, dbURL, env...)
	b := newInstance(t, dbURL, env...)
	a.mustCLI("user", "create", "alice", "--password", "pw")
	a.mustCLI("client", "create", "web")
	a.serve()
	b.serve()
	return a, b
}

// TestTwoInstancesParallelFirstLogins: parallel first logins of one
// user+client across both instances all succeed and leave one session.
func TestTwoInstancesParallelFirstLogins(t *testing.T) {
	for _, mode := range []string{"digest", "plain"} {
		t.Run(mode, func(t *testing.T) {
			a, b := twoInstances(t, "GINURIN_TOKEN_STORAGE="+mode, "GINURIN_LOGIN_RATE=off")
			var wg sync.WaitGroup
			codes := make([]int, 20)
			tokens := make([]string, 20)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					in := a
					if i%2 == 1 {
						in = b
					}
					var body map[string]any
					codes[i], body = in.login("alice", "pw", "web")
					tokens[i], _ = body["token"].(string)
				}()
			}
			wg.Wait()
			for i, c := range codes {
				require.Equal(t, 200, c, "login %d", i)
			}
			sessions := 0
			for _, tok := range tokens {
				if code, _ := a.request("GET", "/api/", tok, ""); code == 200 {
					sessions++
				}
			}
			if mode == "plain" {
				assert.Equal(t, 20, sessions, "plain mode hands every login the one token")
			} else {
				assert.Equal(t, 1, sessions, "digest mode: one session, the last string issued works")
			}
		})
	}
}

// TestTwoInstancesShareRateBudget: two example processes on one Redis
// count a user+client pair's requests against one budget.
func TestTwoInstancesShareRateBudget(t *testing.T) {
	prefix := fmt.Sprintf("ginurin-test-%d", time.Now().UnixNano())
	a, b := twoInstances(t, "GINURIN_THROTTLE_RATE=2/m", "GINURIN_REDIS_PREFIX="+prefix)
	_, body := a.login("alice", "pw", "web")
	token, _ := body["token"].(string)
	require.NotEmpty(t, token)
	var codes []int
	for _, in := range []*instance{a, b, a, b} {
		code, _ := in.request("GET", "/api/throttled", token, "")
		codes = append(codes, code)
	}
	assert.Equal(t, []int{200, 200, 429, 429}, codes, "2/m across both instances")
}
