package cli_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/cli"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/routes"
)

func TestTokensPrune(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		a.MustLogin("john", "secret", "cli")
		a.MustLogin("jane", "secret2", "cli")
		a.MustLogin("john", "secret", "web")
		a.TakeEvents()
		a.Advance(2 * time.Hour)

		cases := []struct {
			name   string
			args   []string
			code   int
			stdout string
			stderr string
			left   int
		}{
			{"extra argument", []string{"tokens", "prune", "now"}, cli.ExitUsage, "", "usage error: expected no arguments", 3},
			{"bad batch size", []string{"tokens", "prune", "--batch-size", "0"}, cli.ExitFailure, "", "error: batch-size: \"0\" is not a positive integer\n", 3},
			{"unknown flag", []string{"tokens", "prune", "--all"}, cli.ExitUsage, "", "usage error: unknown flag --all", 3},
			{"prune", []string{"tokens", "prune", "--batch-size", "1"}, cli.ExitOK, "deleted 2 expired tokens\n", "", 1},
			{"nothing left", []string{"tokens", "prune"}, cli.ExitOK, "deleted 0 expired tokens\n", "", 1},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var out, errb bytes.Buffer
				code := cli.Run(context.Background(), a.Auth, tc.args, &out, &errb)
				assert.Equal(t, tc.code, code, errb.String())
				assert.Equal(t, tc.stdout, out.String())
				if tc.stderr == "" {
					assert.Empty(t, errb.String())
				} else {
					assert.Contains(t, errb.String(), tc.stderr)
				}
				assert.Equal(t, tc.left, a.TokenCount())
			})
		}
		assert.Empty(t, a.TakeEvents(), "pruning emits no event")
		a.MustLogin("jane", "secret2", "cli")
		a.Advance(2 * time.Hour)
		var out bytes.Buffer
		assert.Equal(t, cli.ExitOK, cli.Run(context.Background(), a.Auth, []string{"tokens", "prune"}, &out, &out))
		assert.Equal(t, "deleted 1 expired token\n", out.String())
	})
}
