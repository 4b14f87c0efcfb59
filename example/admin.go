package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/openapi/spec"
)

// newAPIDocs returns the registry that every Register of the example
// records its routes in; GET /openapi.json serves it.
func newAPIDocs() *openapi.Registry {
	return openapi.NewRegistry(openapi.Info{
		Title:       "ginurin example",
		Version:     "1.0.0",
		Description: "Per-API-client token authentication for Gin. Authenticate with `Authorization: Token <token>`.",
	})
}

// meResponse is the body of GET /api/me.
type meResponse struct {
	Username string `json:"username"`
	Client   string `json:"client"`
}

// mountAdmin documents the example's own routes on authed, mounts the
// admin (JSON API and web page) on /admin, and serves the OpenAPI document
// at GET /openapi.json.
func mountAdmin(engine *gin.Engine, auth *ginurin.Auth, authed *gin.RouterGroup, docs *openapi.Registry, login admin.LoginLimiter) {
	docs.Add(authed, http.MethodGet, "/", openapi.Operation{Summary: "API root: any authenticated request", Auth: true,
		Tags: []string{"example"}, Responses: []openapi.Response{{Status: http.StatusOK, Body: ""}}})
	docs.Add(authed, http.MethodGet, "/me", openapi.Operation{Summary: "The caller's username and client", Auth: true,
		Tags: []string{"example"}, Responses: []openapi.Response{{Status: http.StatusOK, Body: meResponse{}}}})
	text := openapi.Response{Status: http.StatusOK, Body: ""}
	forbidden := openapi.Response{Status: http.StatusForbidden, Description: "Refused for this client.", Body: openapi.Error{}}
	docs.Add(authed, http.MethodGet, "/throttled", openapi.Operation{Summary: "Throttled per user+client pair (the client's rate, else GINURIN_THROTTLE_RATE)",
		Auth: true, Tags: []string{"example"}, Responses: []openapi.Response{text,
			{Status: http.StatusTooManyRequests, Description: "Throttled.", Body: openapi.Error{}}}})
	docs.Add(authed, http.MethodGet, "/onlywebclient", openapi.Operation{Summary: "Only for the EXAMPLE_WEB_CLIENT client",
		Auth: true, Tags: []string{"example"}, Responses: []openapi.Response{text, forbidden}})
	docs.Add(authed, http.MethodGet, "/nowebclient", openapi.Operation{Summary: "For every client but EXAMPLE_WEB_CLIENT",
		Auth: true, Tags: []string{"example"}, Responses: []openapi.Response{text, forbidden}})
	admin.Register(engine.Group("/admin"), auth, admin.Config{OpenAPI: docs, LoginLimiter: login})
	engine.GET("/openapi.json", spec.Handler(docs))
}
