package admin_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/openapi/spec"
	"github.com/ginurin/ginurin/routes"
)

// validator checks real exchanges against the document.
type validator struct {
	t      *testing.T
	e      *env
	router routers.Router
}

// exchange sends a request through the engine and validates the response
// against the document, and the request too when validRequest is set.
func (v *validator) exchange(method, path, token, ct, body string, validRequest bool) int {
	v.t.Helper()
	build := func() *http.Request {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if token != "" {
			req.Header.Set("Authorization", "Token "+token)
		}
		return req
	}
	w := httptest.NewRecorder()
	v.e.Engine.ServeHTTP(w, build())

	req := build()
	route, params, err := v.router.FindRoute(req)
	require.NoError(v.t, err, "%s %s is not in the document", method, path)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if validRequest {
		assert.NoError(v.t, openapi3filter.ValidateRequest(v.t.Context(), in), "request %s %s %s", method, path, body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: w.Code, Header: w.Header(),
		Body: io.NopCloser(bytes.NewReader(w.Body.Bytes()))}
	assert.NoError(v.t, openapi3filter.ValidateResponse(v.t.Context(), out), "response %d to %s %s: %s", w.Code, method, path, w.Body)
	return w.Code
}

func newValidator(t *testing.T, db *bun.DB) *validator {
	t.Helper()
	e := newAppRoutes(t, db, ginurin.Config{}, routes.Config{APIAccessClient: "api-access"}, admin.Config{})
	// The test app's own route, documented the way an application would.
	e.docs.Add(e.Authed, "GET", "/", openapi.Operation{Summary: "API root", Auth: true,
		Responses: []openapi.Response{{Status: 200, Body: ""}}})

	assert.Empty(t, e.docs.Undocumented(e.Engine.Routes(), "/api", "/admin/api"), "every API route is documented")
	doc, err := spec.Document(e.docs)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()))
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return &validator{t: t, e: e, router: router}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	v := newValidator(t, testdb.Open(t, testdb.SQLiteURL(t)))
	doc, err := spec.Document(v.e.docs)
	require.NoError(t, err)
	var paths []string
	for p, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			paths = append(paths, m+" "+p)
		}
	}
	assert.ElementsMatch(t, []string{
		"GET /api/", "POST /api/login", "POST /api/refresh", "POST /api/logout", "POST /api/logoutall",
		"GET /api/sessions", "DELETE /api/sessions/{id}",
		"GET /api/apiaccess", "POST /api/apiaccess", "DELETE /api/apiaccess",
		"GET /admin/api/clients", "POST /admin/api/clients", "GET /admin/api/clients/{name}",
		"PATCH /admin/api/clients/{name}", "DELETE /admin/api/clients/{name}",
		"GET /admin/api/tokens", "DELETE /admin/api/tokens/{id}",
		"GET /admin/api/users", "PATCH /admin/api/users/{username}",
	}, paths)

	// An undocumented route is reported.
	v.e.Authed.GET("/extra", func(*gin.Context) {})
	assert.Equal(t, []string{"GET /api/extra"}, v.e.docs.Undocumented(v.e.Engine.Routes(), "/api"))
}

func TestOpenAPIValidatesRealExchanges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		v := newValidator(t, db)
		e := v.e
		john := e.MustLogin(testapp.John, testapp.JohnPassword, "web")
		js := "application/json"
		steps := []struct {
			method, path, token, body string
			valid                     bool
			code                      int
		}{
			{"POST", "/api/login", "", `{"username":"jane","password":"secret2","client":"web"}`, true, 200},
			{"POST", "/api/login", "", `{"username":"jane","password":"nope","client":"web"}`, true, 400},
			{"POST", "/api/refresh", john, "", true, 200},
			{"POST", "/api/refresh", "", "", false, 401},
			{"GET", "/api/", john, "", true, 200},
			{"GET", "/api/sessions", john, "", true, 200},
			{"DELETE", "/api/sessions/999999", john, "", true, 404},
			{"GET", "/api/apiaccess", john, "", true, 404},
			{"POST", "/api/apiaccess", john, "", true, 201},
			{"POST", "/api/apiaccess", john, "", true, 400},
			{"GET", "/api/apiaccess", john, "", true, 200},
			{"DELETE", "/api/apiaccess", john, "", true, 204},
			{"DELETE", "/api/apiaccess", john, "", true, 404},
			{"GET", "/admin/api/clients", e.staff, "", true, 200},
			{"GET", "/admin/api/clients?limit=0", e.staff, "", false, 400},
			{"GET", "/admin/api/clients", john, "", true, 403},
			{"GET", "/admin/api/clients", "", "", false, 401},
			{"POST", "/admin/api/clients", e.staff, `{"name":"android","token_ttl":"14d","throttle_rate":"5/m"}`, true, 201},
			{"POST", "/admin/api/clients", e.staff, `{"name":"android"}`, true, 400},
			{"POST", "/admin/api/clients", e.staff, `{"name":"x","throttle_rate":"blahblah"}`, true, 400},
			{"GET", "/admin/api/clients/android", e.staff, "", true, 200},
			{"GET", "/admin/api/clients/nope", e.staff, "", true, 404},
			{"PATCH", "/admin/api/clients/android", e.staff, `{"token_ttl":"90m"}`, true, 200},
			{"DELETE", "/admin/api/clients/android", e.staff, "", true, 204},
			{"GET", "/admin/api/tokens?client=web&user=john", e.staff, "", true, 200},
			{"GET", "/admin/api/tokens?limit=2&offset=1", e.staff, "", true, 200},
			{"DELETE", "/admin/api/tokens/999999", e.staff, "", true, 404},
			{"GET", "/admin/api/users", e.staff, "", true, 200},
			{"PATCH", "/admin/api/users/jane", e.staff, `{"is_active":false}`, true, 200},
			{"PATCH", "/admin/api/users/nobody", e.staff, `{"is_active":true}`, true, 404},
			{"POST", "/api/logout", john, "", true, 204},
			{"POST", "/api/logoutall", e.staff, "", true, 204},
		}
		for _, s := range steps {
			ct := ""
			if s.body != "" {
				ct = js
			}
			code := v.exchange(s.method, s.path, s.token, ct, s.body, s.valid)
			assert.Equal(t, s.code, code, "%s %s", s.method, s.path)
		}
	})
}

func TestOpenAPIRejectsUndocumentedResponse(t *testing.T) {
	v := newValidator(t, testdb.Open(t, testdb.SQLiteURL(t)))
	req := httptest.NewRequest("GET", "/admin/api/clients/web", nil)
	route, params, err := v.router.FindRoute(req)
	require.NoError(t, err)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
	for name, body := range map[string]string{
		"extra field":   `{"name":"web","token_ttl":"1d","throttle_rate":"","token_count":0,"token":"gnr_x"}`,
		"missing field": `{"name":"web","token_ttl":"1d","throttle_rate":""}`,
		"wrong type":    `{"name":"web","token_ttl":86400,"throttle_rate":"","token_count":0}`,
	} {
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: 200,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body))}
		assert.Error(t, openapi3filter.ValidateResponse(t.Context(), out), name)
	}
}
