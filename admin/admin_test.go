package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/routes"
)

// The staff user that newApp adds to testapp's john and jane.
const staff, staffPassword = "boss", "boss-secret"

// env is a test app with the admin mounted on /admin.
type env struct {
	*testapp.App
	docs  *openapi.Registry
	staff string // a token of the staff user for the "cli" client
}

func newApp(t *testing.T, db *bun.DB, cfg admin.Config) *env {
	t.Helper()
	return newAppWith(t, db, ginurin.Config{}, cfg)
}

func newAppWith(t *testing.T, db *bun.DB, gcfg ginurin.Config, cfg admin.Config) *env {
	t.Helper()
	return newAppRoutes(t, db, gcfg, routes.Config{}, cfg)
}

// newAppRoutes is newAppWith with a routes configuration; when it names an
// API-access client, that client is created.
func newAppRoutes(t *testing.T, db *bun.DB, gcfg ginurin.Config, rcfg routes.Config, cfg admin.Config) *env {
	t.Helper()
	docs := openapi.NewRegistry(openapi.Info{Title: "test"})
	rcfg.OpenAPI = docs
	a := testapp.New(t, db, gcfg, rcfg)
	_, err := models.CreateUser(context.Background(), db, staff, staffPassword, true, 4)
	require.NoError(t, err)
	if rcfg.APIAccessClient != "" {
		_, err = a.Auth.NewClient(context.Background(), rcfg.APIAccessClient, 0, "")
		require.NoError(t, err)
	}
	cfg.OpenAPI = docs
	if cfg.LoginLimiter == nil {
		cfg.LoginLimiter = routes.NoLoginLimit // tests log in more often than 10/m
	}
	admin.Register(a.Engine.Group("/admin"), a.Auth, cfg)
	e := &env{App: a, docs: docs, staff: a.MustLogin(staff, staffPassword, "cli")}
	a.TakeEvents()
	return e
}

// json sends a JSON request with the staff token.
func (e *env) json(method, path, body string) testapp.Response {
	e.T.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return e.Do(method, path, e.staff, ct, body)
}

func TestAPIAccess(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{})
		john := e.MustLogin(testapp.John, testapp.JohnPassword, "web")
		endpoints := []struct{ method, path, body string }{
			{"GET", "/admin/api/clients", ""},
			{"POST", "/admin/api/clients", `{"name":"x"}`},
			{"GET", "/admin/api/clients/web", ""},
			{"PATCH", "/admin/api/clients/web", `{"throttle_rate":"5/m"}`},
			{"DELETE", "/admin/api/clients/web", ""},
			{"GET", "/admin/api/tokens", ""},
			{"DELETE", "/admin/api/tokens/1", ""},
			{"GET", "/admin/api/users", ""},
			{"PATCH", "/admin/api/users/jane", `{"is_active":false}`},
		}
		for _, ep := range endpoints {
			t.Run(ep.method+" "+ep.path, func(t *testing.T) {
				r := e.Do(ep.method, ep.path, "", "application/json", ep.body)
				assert.Equal(t, http.StatusUnauthorized, r.Code)
				assert.Equal(t, "Authentication credentials were not provided.", r.Body["detail"])
				assert.Equal(t, "Token", r.Header.Get("WWW-Authenticate"))

				r = e.Do(ep.method, ep.path, "gnr_"+strings.Repeat("0", 72), "application/json", ep.body)
				assert.Equal(t, http.StatusUnauthorized, r.Code)
				assert.Equal(t, "Invalid token.", r.Body["detail"])

				r = e.Do(ep.method, ep.path, john, "application/json", ep.body)
				assert.Equal(t, http.StatusForbidden, r.Code)
				assert.Equal(t, "You do not have permission to perform this action.", r.Body["detail"])
			})
		}
		clients, err := models.ListClients(context.Background(), db)
		require.NoError(t, err)
		assert.Len(t, clients, 2, "refused requests change nothing")
		assert.Equal(t, 2, e.TokenCount())
		assert.Equal(t, http.StatusOK, e.Do("GET", "/api/", john, "", "").Code, "jane still active, john's token intact")
	})
}

func TestClientsCRUD(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{})
		r := e.json("POST", "/admin/api/clients", `{"name":"android","token_ttl":"14d","throttle_rate":"100/m"}`)
		require.Equal(t, http.StatusCreated, r.Code, r.Raw)
		assert.Equal(t, map[string]any{"name": "android", "token_ttl": "14d", "throttle_rate": "100/m", "token_count": 0.0}, r.Body)

		r = e.json("POST", "/admin/api/clients", `{"name":"ios"}`)
		require.Equal(t, http.StatusCreated, r.Code, r.Raw)
		assert.Equal(t, "1d", r.Body["token_ttl"], "default TTL is the Auth's 24h")
		assert.Equal(t, "", r.Body["throttle_rate"])

		r = e.json("GET", "/admin/api/clients", "")
		require.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, 4.0, r.Body["count"])
		var names []string
		for _, c := range r.Body["results"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		assert.Equal(t, []string{"android", "cli", "ios", "web"}, names)
		cli := r.Body["results"].([]any)[1].(map[string]any)
		assert.Equal(t, 1.0, cli["token_count"], "the staff user's cli token")
		assert.Equal(t, "1h0m0s", cli["token_ttl"])

		r = e.json("GET", "/admin/api/clients?limit=1&offset=1", "")
		assert.Equal(t, 4.0, r.Body["count"])
		assert.Len(t, r.Body["results"], 1)

		r = e.json("GET", "/admin/api/clients/android", "")
		require.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, "android", r.Body["name"])

		r = e.json("PATCH", "/admin/api/clients/android", `{"name":"droid","token_ttl":"90m"}`)
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, map[string]any{"name": "droid", "token_ttl": "1h30m0s", "throttle_rate": "100/m", "token_count": 0.0}, r.Body)
		r = e.json("PATCH", "/admin/api/clients/droid", `{"throttle_rate":null}`)
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, "", r.Body["throttle_rate"])
		c, err := models.ClientByName(context.Background(), db, "droid")
		require.NoError(t, err)
		assert.Equal(t, 90*time.Minute, c.TokenTTL)

		assert.Equal(t, http.StatusNotFound, e.json("GET", "/admin/api/clients/android", "").Code)
		assert.Equal(t, "Not found.", e.json("PATCH", "/admin/api/clients/nope", `{"name":"x"}`).Body["detail"])

		e.MustLogin(testapp.John, testapp.JohnPassword, "web")
		e.TakeEvents()
		r = e.json("DELETE", "/admin/api/clients/web", "")
		assert.Equal(t, http.StatusNoContent, r.Code)
		assert.Equal(t, 1, e.TokenCount(), "the client's tokens went with it")
		assert.Equal(t, http.StatusNotFound, e.json("DELETE", "/admin/api/clients/web", "").Code)
		assert.Equal(t, http.StatusNotFound, e.json("GET", "/admin/api/clients/web", "").Code)
	})
}

func TestClientValidation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{MaxBodyBytes: 1024})
		long := strings.Repeat("x", 65)
		cases := []struct {
			name, method, path, ct, body string
			code                         int
			field                        string
		}{
			{"missing name", "POST", "/admin/api/clients", "", `{"token_ttl":"1h"}`, 400, "name"},
			{"empty name", "POST", "/admin/api/clients", "", `{"name":""}`, 400, "name"},
			{"long name", "POST", "/admin/api/clients", "", `{"name":"` + long + `"}`, 400, "name"},
			{"padded name", "POST", "/admin/api/clients", "", `{"name":" web"}`, 400, "name"},
			{"duplicate name", "POST", "/admin/api/clients", "", `{"name":"web"}`, 400, "name"},
			{"rename onto another", "PATCH", "/admin/api/clients/cli", "", `{"name":"web"}`, 400, "name"},
			{"bad ttl", "POST", "/admin/api/clients", "", `{"name":"x","token_ttl":"soon"}`, 400, "token_ttl"},
			{"zero ttl", "PATCH", "/admin/api/clients/web", "", `{"token_ttl":"0s"}`, 400, "token_ttl"},
			{"negative ttl", "POST", "/admin/api/clients", "", `{"name":"x","token_ttl":"-1h"}`, 400, "token_ttl"},
			{"number ttl", "POST", "/admin/api/clients", "", `{"name":"x","token_ttl":3600}`, 400, "token_ttl"},
			{"rate blahblah", "POST", "/admin/api/clients", "", `{"name":"x","throttle_rate":"blahblah"}`, 400, "throttle_rate"},
			{"rate 2/minute", "PATCH", "/admin/api/clients/web", "", `{"throttle_rate":"2/minute"}`, 400, "throttle_rate"},
			{"rate 0/m", "POST", "/admin/api/clients", "", `{"name":"x","throttle_rate":"0/m"}`, 400, "throttle_rate"},
			{"unknown field", "POST", "/admin/api/clients", "", `{"name":"x","ttl":"1h"}`, 400, "ttl"},
			{"malformed", "POST", "/admin/api/clients", "", `{"name":`, 400, ""},
			{"array", "PATCH", "/admin/api/clients/web", "", `["name"]`, 400, ""},
			{"form", "POST", "/admin/api/clients", "application/x-www-form-urlencoded", `name=x`, 415, ""},
			{"too large", "POST", "/admin/api/clients", "", `{"name":"` + strings.Repeat("x", 2000) + `"}`, 413, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ct := tc.ct
				if ct == "" {
					ct = "application/json"
				}
				r := e.Do(tc.method, tc.path, e.staff, ct, tc.body)
				assert.Equal(t, tc.code, r.Code, r.Raw)
				assert.NotEmpty(t, r.Body["detail"])
				if tc.field != "" {
					assert.Equal(t, tc.field, r.Body["field"], r.Raw)
					assert.Contains(t, r.Body["detail"], tc.field)
				}
			})
		}
		clients, err := models.ListClients(context.Background(), db)
		require.NoError(t, err)
		require.Len(t, clients, 2, "no bad request created a client")
		assert.Equal(t, models.Client{ID: clients[1].ID, Name: "web", TokenTTL: 24 * time.Hour}, clients[1], "nor changed one")
	})
}

func TestTokensList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{})
		secrets := []string{
			e.staff,
			e.MustLogin(testapp.John, testapp.JohnPassword, "web"),
			e.MustLogin(testapp.John, testapp.JohnPassword, "cli"),
			e.MustLogin(testapp.Jane, testapp.JanePassword, "web"),
		}
		var stored []string
		require.NoError(t, db.NewSelect().Model((*models.AuthToken)(nil)).Column("token").Scan(context.Background(), &stored))

		r := e.json("GET", "/admin/api/tokens", "")
		require.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, 4.0, r.Body["count"])
		for _, s := range append(secrets, stored...) {
			assert.NotContains(t, r.Raw, s, "a token or digest leaked")
		}
		first := r.Body["results"].([]any)[0].(map[string]any)
		assert.ElementsMatch(t, []string{"id", "user", "client", "created", "expiry", "has_expired", "expires_in_str"}, keys(first))
		assert.Equal(t, "1 day", first["expires_in_str"])
		e.Advance(90 * time.Minute)
		e.staff = e.MustLogin(staff, staffPassword, "cli") // its 1h token expired
		r = e.json("GET", "/admin/api/tokens?client=web&limit=1", "")
		assert.Equal(t, "22 hours", r.Body["results"].([]any)[0].(map[string]any)["expires_in_str"])
		assert.Equal(t, false, first["has_expired"])

		cases := []struct {
			query string
			want  []string // user/client
		}{
			{"client=web", []string{"jane/web", "john/web"}},
			{"user=john", []string{"john/cli", "john/web"}},
			{"user=john&client=cli", []string{"john/cli"}},
			{"client=nope", nil},
			{"user=nobody", nil},
		}
		for _, tc := range cases {
			t.Run(tc.query, func(t *testing.T) {
				r := e.json("GET", "/admin/api/tokens?"+tc.query, "")
				require.Equal(t, http.StatusOK, r.Code)
				var got []string
				for _, x := range r.Body["results"].([]any) {
					m := x.(map[string]any)
					got = append(got, m["user"].(string)+"/"+m["client"].(string))
				}
				assert.ElementsMatch(t, tc.want, got)
				assert.Equal(t, float64(len(tc.want)), r.Body["count"])
			})
		}

		r = e.json("GET", "/admin/api/tokens?limit=3&offset=2", "")
		assert.Equal(t, 4.0, r.Body["count"])
		assert.Len(t, r.Body["results"], 2)
		for _, q := range []string{"limit=0", "limit=1001", "limit=x", "offset=-1"} {
			r := e.json("GET", "/admin/api/tokens?"+q, "")
			assert.Equal(t, http.StatusBadRequest, r.Code, q)
			assert.Contains(t, []any{"limit", "offset"}, r.Body["field"], q)
		}

		e.Advance(25 * time.Hour)
		e.staff = e.MustLogin(staff, staffPassword, "cli")
		r = e.json("GET", "/admin/api/tokens?client=web", "")
		require.Len(t, r.Body["results"], 2, r.Raw)
		for _, x := range r.Body["results"].([]any) {
			assert.Equal(t, true, x.(map[string]any)["has_expired"])
			assert.Equal(t, "expired", x.(map[string]any)["expires_in_str"])
		}
	})
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRevokeToken(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{})
		john := e.MustLogin(testapp.John, testapp.JohnPassword, "web")
		jane := e.MustLogin(testapp.Jane, testapp.JanePassword, "web")
		e.TakeEvents()
		r := e.json("GET", "/admin/api/tokens?user=john", "")
		id := int64(r.Body["results"].([]any)[0].(map[string]any)["id"].(float64))

		r = e.json("DELETE", "/admin/api/tokens/"+itoa(id), "")
		assert.Equal(t, http.StatusNoContent, r.Code, r.Raw)
		assert.Equal(t, []string{"logout"}, e.TakeEvents())
		assert.Equal(t, http.StatusUnauthorized, e.Do("GET", "/api/", john, "", "").Code)
		assert.Equal(t, http.StatusOK, e.Do("GET", "/api/", jane, "", "").Code)

		for _, p := range []string{itoa(id), "abc", "0", "-1", "99999"} {
			r := e.json("DELETE", "/admin/api/tokens/"+p, "")
			assert.Equal(t, http.StatusNotFound, r.Code, p)
			assert.Equal(t, "Not found.", r.Body["detail"])
		}
		assert.Empty(t, e.TakeEvents(), "nothing revoked, no event")
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestUsers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{})
		jane := e.MustLogin(testapp.Jane, testapp.JanePassword, "web")

		r := e.json("GET", "/admin/api/users", "")
		require.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, 3.0, r.Body["count"])
		users := r.Body["results"].([]any)
		assert.Equal(t, "boss", users[0].(map[string]any)["username"])
		assert.Equal(t, true, users[0].(map[string]any)["is_staff"])
		assert.NotContains(t, r.Raw, "password")
		janeRow := users[1].(map[string]any)
		assert.Equal(t, "jane", janeRow["username"])
		assert.NotNil(t, janeRow["last_login"])

		r = e.json("PATCH", "/admin/api/users/jane", `{"is_active":false}`)
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, false, r.Body["is_active"])
		assert.Equal(t, "User inactive or deleted.", e.Do("GET", "/api/", jane, "", "").Body["detail"])

		r = e.json("PATCH", "/admin/api/users/jane", `{"is_active":true}`)
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, true, r.Body["is_active"])
		assert.Equal(t, http.StatusOK, e.Do("GET", "/api/", jane, "", "").Code, "reactivated")

		cases := []struct {
			name, path, body string
			code             int
			field            string
		}{
			{"self", "/admin/api/users/boss", `{"is_active":false}`, 400, "is_active"},
			{"missing", "/admin/api/users/jane", `{}`, 400, "is_active"},
			{"string", "/admin/api/users/jane", `{"is_active":"no"}`, 400, "is_active"},
			{"null", "/admin/api/users/jane", `{"is_active":null}`, 400, "is_active"},
			{"unknown field", "/admin/api/users/jane", `{"is_staff":true}`, 400, "is_staff"},
			{"unknown user", "/admin/api/users/nobody", `{"is_active":false}`, 404, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.json("PATCH", tc.path, tc.body)
				assert.Equal(t, tc.code, r.Code, r.Raw)
				if tc.field != "" {
					assert.Equal(t, tc.field, r.Body["field"])
				}
			})
		}
		assert.Equal(t, http.StatusOK, e.Do("GET", "/api/", jane, "", "").Code, "jane still active")
		assert.Equal(t, http.StatusOK, e.json("GET", "/admin/api/users", "").Code, "boss still active")
	})
}

// plainUsers hides the SQLUserStore capability of TableUsers, as a user
// store backed by another service would.
type plainUsers struct{ inner *models.TableUsers }

func (p plainUsers) UserByUsername(ctx context.Context, u string) (*models.User, error) {
	return p.inner.UserByUsername(ctx, u)
}
func (p plainUsers) UserByID(ctx context.Context, id int64) (*models.User, error) {
	return p.inner.UserByID(ctx, id)
}
func (p plainUsers) RecordLogin(ctx context.Context, id int64, at time.Time) error {
	return p.inner.RecordLogin(ctx, id, at)
}

func TestNonSQLUserStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newAppWith(t, db, ginurin.Config{Users: plainUsers{&models.TableUsers{DB: db}}}, admin.Config{})
		e.MustLogin(testapp.John, testapp.JohnPassword, "web")
		e.MustLogin(testapp.Jane, testapp.JanePassword, "web")

		r := e.json("GET", "/admin/api/tokens?client=web", "")
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		var users []string
		for _, x := range r.Body["results"].([]any) {
			users = append(users, x.(map[string]any)["user"].(string))
		}
		assert.ElementsMatch(t, []string{"john", "jane"}, users, "usernames come from the store")

		r = e.json("GET", "/admin/api/tokens?user=jane", "")
		require.Equal(t, http.StatusOK, r.Code, r.Raw)
		assert.Equal(t, 1.0, r.Body["count"])
		r = e.json("GET", "/admin/api/tokens?user=nobody", "")
		assert.Equal(t, 0.0, r.Body["count"])

		assert.Equal(t, http.StatusNotFound, e.json("GET", "/admin/api/users", "").Code, "users routes need a SQL table")
		assert.Equal(t, http.StatusNotFound, e.page("/admin/users", nil).Code)
		assert.False(t, e.docs.Has("GET", "/admin/api/users"), "and are not documented")
		assert.Empty(t, e.docs.Undocumented(e.Engine.Routes(), "/admin/api"))
	})
}
