package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/cli"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
)

// run executes one command line and returns its exit code and output.
func run(t *testing.T, a *ginurin.Auth, line string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), a, strings.Fields(line), &out, &errOut)
	return code, out.String(), errOut.String()
}

func newAuth(t *testing.T, db *bun.DB) *ginurin.Auth {
	t.Helper()
	a, err := ginurin.New(db, ginurin.Config{PasswordHashCost: 4, DefaultTokenTTL: 48 * time.Hour})
	require.NoError(t, err)
	return a
}

func TestClientCommands(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newAuth(t, db)
		ctx := context.Background()
		cases := []struct {
			line   string
			code   int
			out    string // substring of stdout
			errOut string // substring of stderr
		}{
			{"client create web", 0, `created client "web" (token TTL 2d, throttle rate default)`, ""},
			{"client create cli --token-ttl 90m --throttle-rate 5/m", 0, `token TTL 1h30m0s, throttle rate 5/m`, ""},
			{"client create android --token-ttl=14d", 0, "token TTL 14d", ""},
			{"client create web", 1, "", "name: a client with that name already exists"},
			{"client create bad --throttle-rate blahblah", 1, "", "throttle-rate:"},
			{"client create bad --throttle-rate 2/minute", 1, "", "throttle-rate:"},
			{"client create bad --token-ttl abc", 1, "", "token-ttl:"},
			{"client create bad --token-ttl -5m", 1, "", "token-ttl:"},
			{"client create " + strings.Repeat("x", 65), 1, "", "name: must be at most 64 characters"},
			{"client create", 2, "", "expected NAME"},
			{"client create a b", 2, "", `expected NAME; unexpected "b"`},
			{"help", 0, "client create NAME", ""},
			{"--help", 0, "user create USERNAME", ""},
			{"client create x --token-ttl", 2, "", "--token-ttl needs a value"},
			{"client create x --colour red", 2, "", "unknown flag --colour"},
			{"client list", 0, "android  14d        default", ""},
			{"client delete android", 0, `deleted client "android"`, ""},
			{"client delete android", 1, "", "name: no client with that name"},
			{"client frobnicate", 2, "", "unknown command"},
			{"", 2, "", "no command"},
		}
		for _, tc := range cases {
			t.Run(tc.line, func(t *testing.T) {
				code, out, errOut := run(t, a, tc.line)
				assert.Equal(t, tc.code, code, "stdout %q stderr %q", out, errOut)
				assert.Contains(t, out, tc.out)
				assert.Contains(t, errOut, tc.errOut)
			})
		}
		web, err := models.ClientByName(ctx, db, "web")
		require.NoError(t, err)
		assert.Equal(t, 48*time.Hour, web.TokenTTL, "clients without a TTL get DefaultTokenTTL")
		cl, err := models.ClientByName(ctx, db, "cli")
		require.NoError(t, err)
		assert.Equal(t, "5/m", cl.ThrottleRate)
		_, err = models.ClientByName(ctx, db, "bad")
		assert.ErrorIs(t, err, models.ErrClientNotFound, "a refused command changes nothing")
		_, out, _ := run(t, a, "client list")
		assert.Equal(t, "NAME  TOKEN TTL  THROTTLE RATE\ncli   1h30m0s    5/m\nweb   2d         default\n", out)
	})
}

func TestUserCommands(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := newAuth(t, db)
		code, out, _ := run(t, a, "user create alice --password hunter2 --staff")
		require.Equal(t, 0, code)
		assert.Contains(t, out, `created staff user "alice"`)
		assert.NotContains(t, out, "hunter2")
		code, _, errOut := run(t, a, "user create alice --password x")
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "username: a user with that username already exists")
		code, _, errOut = run(t, a, "user create bob")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "--password is required")
		code, _, errOut = run(t, a, "user create bob --password=")
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "password: must not be empty")
		code, _, errOut = run(t, a, "user create bob --password "+strings.Repeat("x", 73))
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "password: must be at most 72 bytes")
		code, _, errOut = run(t, a, "user create bob --password x --staff=yes")
		assert.Equal(t, 2, code)
		assert.Contains(t, errOut, "--staff takes no value")

		u, err := a.CheckCredentials(context.Background(), "alice", "hunter2")
		require.NoError(t, err)
		assert.True(t, u.IsStaff)

		code, out, _ = run(t, a, "user deactivate alice")
		assert.Equal(t, 0, code)
		assert.Contains(t, out, `deactivated user "alice"`)
		_, err = a.CheckCredentials(context.Background(), "alice", "hunter2")
		assert.ErrorIs(t, err, ginurin.ErrInvalidCredentials)
		code, _, errOut = run(t, a, "user deactivate nobody")
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "username: no user with that username")
	})
}

func TestMigrateCommand(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	code, out, _ := run(t, newAuth(t, db), "migrate")
	assert.Equal(t, 0, code)
	assert.Equal(t, "migrations applied\n", out)
}
