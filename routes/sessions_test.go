package routes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
)

const apiClient = "api-access"

// sessions lists the sessions visible to token through GET /api/sessions.
func sessions(t *testing.T, a *testapp.App, token string) []map[string]any {
	t.Helper()
	r := a.Do("GET", "/api/sessions", token, "", "")
	require.Equal(t, http.StatusOK, r.Code, r.Raw)
	var out []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Raw), &out), r.Raw)
	return out
}

// byClient indexes sessions by client name.
func byClient(t *testing.T, list []map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, s := range list {
		name := s["client"].(string)
		require.NotContains(t, out, name, "one session per client")
		out[name] = s
	}
	return out
}

// sessionID returns the ID of the session with client name.
func sessionID(t *testing.T, list []map[string]any, client string) string {
	t.Helper()
	s, ok := byClient(t, list)[client]
	require.True(t, ok, "no %s session in %v", client, list)
	return fmt.Sprint(int64(s["id"].(float64)))
}

// newAPIClient creates the API-access client.
func newAPIClient(t *testing.T, a *testapp.App) {
	t.Helper()
	_, err := a.Auth.NewClient(context.Background(), apiClient, 0, "")
	require.NoError(t, err)
}

func TestSessionsList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{LastUsedInterval: -1}, routes.Config{})
		web := a.MustLogin("john", "secret", "web")
		a.MustLogin("john", "secret", "cli")
		a.MustLogin("jane", "secret2", "web")

		list := sessions(t, a, web)
		require.Len(t, list, 2, "only the caller's sessions")
		got := byClient(t, list)
		for name, s := range got {
			k := keys(s)
			sort.Strings(k)
			assert.Equal(t, []string{"client", "created", "expires_in_str", "expiry", "has_expired", "id", "is_current", "last_used"}, k,
				"%s: never the token or the user", name)
			assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`, s["created"])
			assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`, s["expiry"])
			assert.Nil(t, s["last_used"], "tracking is off in this test")
			assert.Equal(t, false, s["has_expired"])
		}
		assert.Equal(t, true, got["web"]["is_current"])
		assert.Equal(t, false, got["cli"]["is_current"])
		assert.Equal(t, "1 day", got["web"]["expires_in_str"])
		assert.Equal(t, "1 hour", got["cli"]["expires_in_str"])

		a.Advance(90 * time.Minute)
		got = byClient(t, sessions(t, a, web))
		assert.Equal(t, true, got["cli"]["has_expired"], "an expired session is listed until it is deleted")
		assert.Equal(t, "30 minutes", got["cli"]["expires_in_str"])
		assert.Equal(t, "22 hours", got["web"]["expires_in_str"])

		assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/sessions", "", "", "").Code)
	})
}

func TestSessionsAPIAccessExclusion(t *testing.T) {
	for _, exclude := range []bool{false, true} {
		t.Run(fmt.Sprintf("exclude=%v", exclude), func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := testapp.New(t, db, ginurin.Config{}, routes.Config{APIAccessClient: apiClient, APIAccessExcludeFromSessions: exclude})
				newAPIClient(t, a)
				web := a.MustLogin("john", "secret", "web")
				r := a.Do("POST", "/api/apiaccess", web, "", "")
				require.Equal(t, http.StatusCreated, r.Code, r.Raw)
				apiToken := r.Body["token"].(string)

				got := byClient(t, sessions(t, a, web))
				if exclude {
					assert.Equal(t, []string{"web"}, sortedKeys(got))
					// The hidden token cannot be deleted through /sessions either.
					all, err := a.Auth.Sessions(context.Background(), sessionsUserID(t, a, web))
					require.NoError(t, err)
					require.Len(t, all, 2)
					for _, s := range all {
						if s.Client.Name == apiClient {
							d := a.Do("DELETE", fmt.Sprintf("/api/sessions/%d", s.ID), web, "", "")
							assert.Equal(t, http.StatusNotFound, d.Code)
						}
					}
					assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", apiToken, "", "").Code)
				} else {
					assert.Equal(t, []string{apiClient, "web"}, sortedKeys(got))
					assert.Equal(t, "1 day", got[apiClient]["expires_in_str"])
				}
			})
		})
	}
}

// sessionsUserID returns the user ID behind token.
func sessionsUserID(t *testing.T, a *testapp.App, token string) int64 {
	t.Helper()
	s, err := a.Auth.Authenticate(context.Background(), token)
	require.NoError(t, err)
	return s.UserID
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSessionDelete(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		web := a.MustLogin("john", "secret", "web")
		cli := a.MustLogin("john", "secret", "cli")
		jane := a.MustLogin("jane", "secret2", "web")
		list := sessions(t, a, web)
		webID, cliID := sessionID(t, list, "web"), sessionID(t, list, "cli")
		janeID := sessionID(t, sessions(t, a, jane), "web")
		a.TakeEvents()

		cases := []struct {
			name, id string
			code     int
			detail   string
		}{
			{"current", webID, http.StatusBadRequest, "Can't delete token if the request is authed with it. Use /api/logout instead."},
			{"another user's", janeID, http.StatusNotFound, "Not found."},
			{"missing", "987654321", http.StatusNotFound, "Not found."},
			{"letters", "abc", http.StatusNotFound, "Not found."},
			{"negative", "-" + cliID, http.StatusNotFound, "Not found."},
			{"zero", "0", http.StatusNotFound, "Not found."},
			{"fraction", cliID + ".5", http.StatusNotFound, "Not found."},
			{"overflow", "99999999999999999999999", http.StatusNotFound, "Not found."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := a.Do("DELETE", "/api/sessions/"+tc.id, web, "", "")
				assert.Equal(t, tc.code, r.Code, r.Raw)
				assert.Equal(t, tc.detail, r.Body["detail"])
			})
		}
		assert.Equal(t, 3, a.TokenCount(), "no refused delete removes a token")
		assert.Empty(t, a.TakeEvents())
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", jane, "", "").Code, "jane keeps her session")

		r := a.Do("DELETE", "/api/sessions/"+cliID, web, "", "")
		assert.Equal(t, http.StatusNoContent, r.Code, r.Raw)
		assert.Empty(t, r.Raw)
		assert.Equal(t, []string{"logout"}, a.TakeEvents())
		assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/", cli, "", "").Code, "the deleted session's token is refused")
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", web, "", "").Code)
		assert.Equal(t, []string{"web"}, sortedKeys(byClient(t, sessions(t, a, web))))

		again := a.Do("DELETE", "/api/sessions/"+cliID, web, "", "")
		assert.Equal(t, http.StatusNotFound, again.Code)
		assert.Equal(t, "Not found.", again.Body["detail"])
		assert.Equal(t, http.StatusUnauthorized, a.Do("DELETE", "/api/sessions/"+cliID, "", "", "").Code)
	})
}

func TestSessionDeleteNamesMountedLogoutPath(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		routes.Register(a.Engine.Group("/v2/auth"), a.Auth, routes.Config{})
		web := a.MustLogin("john", "secret", "web")
		id := sessionID(t, sessions(t, a, web), "web")
		r := a.Do("DELETE", "/v2/auth/sessions/"+id, web, "", "")
		assert.Equal(t, http.StatusBadRequest, r.Code)
		assert.Equal(t, "Can't delete token if the request is authed with it. Use /v2/auth/logout instead.", r.Body["detail"])
	})
}

func TestSessionsLastUsed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		web := a.MustLogin("john", "secret", "web")
		cli := a.MustLogin("john", "secret", "cli")
		assert.Nil(t, byClient(t, sessions(t, a, cli))["web"]["last_used"], "null until first use")

		used := a.Clock()
		require.Equal(t, http.StatusOK, a.Do("GET", "/api/", web, "", "").Code)
		want := a.Auth.FormatTime(used)
		require.Eventually(t, func() bool { return lastUsed(t, db, "web") == want }, 10*time.Second, 20*time.Millisecond)
		assert.Equal(t, want, byClient(t, sessions(t, a, cli))["web"]["last_used"])

		a.Advance(2 * time.Minute)
		later := a.Clock()
		require.Equal(t, http.StatusOK, a.Do("GET", "/api/", web, "", "").Code)
		want = a.Auth.FormatTime(later)
		require.Eventually(t, func() bool { return lastUsed(t, db, "web") == want }, 10*time.Second, 20*time.Millisecond,
			"a use after the interval is recorded again")
	})
}

// lastUsed reads john's last use of client from the database, formatted,
// or "" when null.
func lastUsed(t *testing.T, db *bun.DB, client string) string {
	t.Helper()
	var tok models.AuthToken
	require.NoError(t, db.NewSelect().Model(&tok).
		Where("client_id = (SELECT id FROM ginurin_clients WHERE name = ?)", client).
		Where("user_id = (SELECT id FROM ginurin_users WHERE username = 'john')").Scan(context.Background()))
	if tok.LastUsed == nil {
		return ""
	}
	return tok.LastUsed.UTC().Format(ginurin.DefaultExpiryFormat)
}
