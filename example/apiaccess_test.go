package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
)

func TestAPIAccessSettings(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    settings
		wantErr string
	}{
		{"defaults", nil, settings{APIAccessClient: "api-access"}, ""},
		{"all set", map[string]string{
			"GINURIN_API_ACCESS_CLIENT":                 "personal",
			"GINURIN_API_ACCESS_EXCLUDE_FROM_SESSIONS":  "true",
			"GINURIN_API_ACCESS_RESPONSE_INCLUDE_TOKEN": "1",
		}, settings{APIAccessClient: "personal", APIAccessExcludeFromSessions: true, APIAccessResponseIncludeToken: true}, ""},
		{"bad exclude", map[string]string{"GINURIN_API_ACCESS_EXCLUDE_FROM_SESSIONS": "yes please"}, settings{},
			"GINURIN_API_ACCESS_EXCLUDE_FROM_SESSIONS"},
		{"bad include", map[string]string{"GINURIN_API_ACCESS_RESPONSE_INCLUDE_TOKEN": "maybe"}, settings{},
			"GINURIN_API_ACCESS_RESPONSE_INCLUDE_TOKEN"},
		{"bad client name", map[string]string{"GINURIN_API_ACCESS_CLIENT": strings.Repeat("x", 65)}, settings{},
			"GINURIN_API_ACCESS_CLIENT: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := settingsFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want.APIAccessClient, s.APIAccessClient)
			assert.Equal(t, tc.want.APIAccessExcludeFromSessions, s.APIAccessExcludeFromSessions)
			assert.Equal(t, tc.want.APIAccessResponseIncludeToken, s.APIAccessResponseIncludeToken)
		})
	}
}

// client calls a running example over HTTP.
type client struct {
	t    *testing.T
	base string
}

func (c client) do(method, path, token, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	require.NoError(c.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return res.StatusCode, string(b)
}

func (c client) json(method, path, token, body string, wantCode int, into any) {
	c.t.Helper()
	code, raw := c.do(method, path, token, body)
	require.Equal(c.t, wantCode, code, "%s %s: %s", method, path, raw)
	if into != nil {
		require.NoError(c.t, json.Unmarshal([]byte(raw), into), raw)
	}
}

func TestExampleAPIAccessOutOfTheBox(t *testing.T) {
	for _, b := range testdb.Backends() {
		for _, exclude := range []string{"", "true"} {
			t.Run(b.Name+"/exclude="+exclude, func(t *testing.T) {
				db := testdb.Open(t, b.URL(t))
				s, err := settingsFromEnv(func(k string) string {
					return map[string]string{"GINURIN_API_ACCESS_EXCLUDE_FROM_SESSIONS": exclude}[k]
				})
				require.NoError(t, err)
				app, err := newApp(db, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
				require.NoError(t, err)
				t.Cleanup(app.Close)
				ctx := context.Background()
				// What a new user does: create a user and a client, start.
				_, err = models.CreateUser(ctx, db, "alice", "s3cret!", false, 4)
				require.NoError(t, err)
				_, err = app.auth.NewClient(ctx, "web", 0, "")
				require.NoError(t, err)
				require.NoError(t, ensureAPIAccessClient(ctx, app.auth, s))
				require.NoError(t, ensureAPIAccessClient(ctx, app.auth, s), "idempotent")
				srv := httptest.NewServer(app.engine)
				t.Cleanup(srv.Close)
				c := client{t, srv.URL}

				var login map[string]any
				c.json("POST", "/api/login", "", `{"username":"alice","password":"s3cret!","client":"web"}`, http.StatusOK, &login)
				web := login["token"].(string)

				code, _ := c.do("GET", "/api/apiaccess", web, "")
				assert.Equal(t, http.StatusNotFound, code)
				var issued map[string]any
				c.json("POST", "/api/apiaccess", web, "", http.StatusCreated, &issued)
				assert.Equal(t, "api-access", issued["client"])
				apiToken := issued["token"].(string)
				var me map[string]any
				c.json("GET", "/api/me", apiToken, "", http.StatusOK, &me)
				assert.Equal(t, map[string]any{"username": "alice", "client": "api-access"}, me)

				var list []map[string]any
				c.json("GET", "/api/sessions", web, "", http.StatusOK, &list)
				names := []string{}
				for _, s := range list {
					names = append(names, s["client"].(string))
				}
				if exclude == "true" {
					assert.Equal(t, []string{"web"}, names)
				} else {
					assert.ElementsMatch(t, []string{"web", "api-access"}, names)
				}
				code, raw := c.do("POST", "/api/apiaccess", web, "")
				assert.Equal(t, http.StatusBadRequest, code)
				assert.JSONEq(t, `{"detail":"An API token was already issued to you."}`, raw)
				code, _ = c.do("DELETE", "/api/apiaccess", web, "")
				assert.Equal(t, http.StatusNoContent, code)
				code, _ = c.do("DELETE", "/api/apiaccess", web, "")
				assert.Equal(t, http.StatusNotFound, code)
				code, _ = c.do("GET", "/api/me", apiToken, "")
				assert.Equal(t, http.StatusUnauthorized, code)
			})
		}
	}
}
