package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/openapi"
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
func mountAdmin(engine *gin.Engine, auth *ginurin.Auth, authed *gin.RouterGroup, docs *openapi.Registry) {
	docs.Add(authed, http.MethodGet, "/", openapi.Operation{Summary: "API root: any authenticated request", Auth: true,
		Tags: []string{"example"}, Responses: []openapi.Response{{Status: http.StatusOK, Body: ""}}})
	docs.Add(authed, http.MethodGet, "/me", openapi.Operation{Summary: "The caller's username and client", Auth: true,
		Tags: []string{"example"}, Responses: []openapi.Response{{Status: http.StatusOK, Body: meResponse{}}}})
	admin.Register(engine.Group("/admin"), auth, admin.Config{OpenAPI: docs})
	engine.GET("/openapi.json", docs.Handler())
}
