package spec_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/openapi/spec"
)

type item struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name" doc:"The item's name."`
	Note  *string `json:"note"`
	Extra string  `json:"extra,omitempty"`
	skip  string
}

func TestFullPath(t *testing.T) {
	e := gin.New()
	cases := []struct{ base, rel, want string }{
		{"/api", "/login", "/api/login"},
		{"/api", "/", "/api/"},
		{"/api/", "/x/", "/api/x/"},
		{"/", "/x", "/x"},
		{"/admin", "", "/admin"},
	}
	for _, tc := range cases {
		t.Run(tc.base+"+"+tc.rel, func(t *testing.T) {
			g := e.Group(tc.base)
			assert.Equal(t, tc.want, openapi.FullPath(g, tc.rel))
		})
	}
}

func TestNilRegistry(t *testing.T) {
	var r *openapi.Registry
	r.Add(gin.New().Group("/x"), "GET", "/y", openapi.Operation{})
	assert.False(t, r.Has("GET", "/x/y"))
	_, err := spec.Document(r)
	assert.Error(t, err)
}

func TestDocument(t *testing.T) {
	gin.SetMode(gin.TestMode)
	e := gin.New()
	r := openapi.NewRegistry(openapi.Info{Title: "Items", Version: "2.0.0"})
	g := e.Group("/api")
	handler := func(c *gin.Context) {}
	g.GET("/items/:id", handler)
	r.Add(g, "get", "/items/:id", openapi.Operation{
		Summary: "One item", Auth: true,
		Params:    []openapi.Param{{Name: "id", In: "path", Type: "integer"}, {Name: "q", Type: "boolean", Required: true}},
		Responses: []openapi.Response{{Status: 200, Body: item{}}, {Status: 404, Body: openapi.Error{}}},
	})
	g.PUT("/items/:id/tags/:tag", handler)
	r.Add(g, "PUT", "/items/:id/tags/:tag", openapi.Operation{Request: item{}, RequestForm: true,
		Responses: []openapi.Response{{Status: 204}}})
	g.GET("/undocumented", handler)

	assert.True(t, r.Has("GET", "/api/items/:id"), "methods are upper-cased")
	assert.Equal(t, []string{"GET /api/undocumented"}, r.Undocumented(e.Routes(), "/api"))
	assert.Empty(t, r.Undocumented(e.Routes(), "/other"))

	doc, err := spec.Document(r)
	require.NoError(t, err)
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	assert.Equal(t, "Items", doc.Info.Title)

	get := doc.Paths.Value("/api/items/{id}").Get
	require.NotNil(t, get)
	assert.Equal(t, "getApiItemsId", get.OperationID)
	assert.Equal(t, "integer", get.Parameters.GetByInAndName("path", "id").Schema.Value.Type.Slice()[0])
	assert.True(t, get.Parameters.GetByInAndName("query", "q").Required)
	require.NotNil(t, get.Security)
	for _, status := range []int{200, 401, 404, 503} {
		assert.NotNil(t, get.Responses.Status(status), "status %d", status)
	}
	s := doc.Components.Schemas["Spec_testitem"]
	require.NotNil(t, s, "named types become components: %v", keys(doc.Components.Schemas))
	assert.ElementsMatch(t, []string{"id", "name", "note"}, s.Value.Required, "omitempty fields are optional")
	assert.Equal(t, "The item's name.", s.Value.Properties["name"].Value.Description)
	assert.True(t, s.Value.Properties["note"].Value.Nullable)
	assert.False(t, *s.Value.AdditionalProperties.Has)
	assert.NotContains(t, s.Value.Properties, "skip")

	put := doc.Paths.Value("/api/items/{id}/tags/{tag}").Put
	require.NotNil(t, put)
	assert.NotNil(t, put.Parameters.GetByInAndName("path", "tag"), "unlisted path parameters are added")
	assert.Contains(t, put.RequestBody.Value.Content, "application/x-www-form-urlencoded")
	assert.Nil(t, put.Security, "not an authenticated route")
	assert.Nil(t, put.Responses.Status(401))

	// The served document loads and validates.
	e.GET("/openapi.json", spec.Handler(r))
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
	require.Equal(t, http.StatusOK, w.Code)
	loaded, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, loaded.Validate(t.Context()))
	assert.NotNil(t, loaded.Paths.Value("/api/items/{id}"))
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
