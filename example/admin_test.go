package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/internal/testdb"
)

// TestExampleAdminAndOpenAPI checks the example from outside: /admin/
// leads to the login form and /openapi.json is a valid OpenAPI 3 document
// listing every route under /api and /admin/api.
func TestExampleAdminAndOpenAPI(t *testing.T) {
	db := testdb.Open(t, testdb.SQLiteURL(t))
	s, err := settingsFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	app, err := newApp(db, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer app.Close()
	srv := httptest.NewServer(app.engine)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/admin/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, srv.URL+"/admin/login", resp.Request.URL.String())
	assert.Contains(t, string(body), `name="password"`)

	resp, err = http.Get(srv.URL + "/openapi.json")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	doc, err := openapi3.NewLoader().LoadFromData(body)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()))

	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	n := 0
	for _, r := range app.engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api") && !strings.HasPrefix(r.Path, "/admin/api") {
			continue
		}
		n++
		path := r.Path
		for _, part := range strings.Split(path, "/") {
			if strings.HasPrefix(part, ":") {
				path = strings.Replace(path, part, "{"+part[1:]+"}", 1)
			}
		}
		assert.True(t, documented[r.Method+" "+path], "%s %s is not in /openapi.json", r.Method, r.Path)
	}
	assert.GreaterOrEqual(t, n, 15, "the example mounts the auth, example and admin routes")
}
