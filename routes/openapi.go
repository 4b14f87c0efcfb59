package routes

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/openapi"
)

// The shapes below exist to describe the routes in the OpenAPI document
// (Config.OpenAPI); the handlers answer exactly these fields.

// LoginRequest is the body of POST /login, as JSON or a form.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Client   string `json:"client" doc:"Name of the API client the token is for."`
}

// LoginResponse is the body of a successful POST /login. With
// Config.UserSerializer it also holds "user".
type LoginResponse struct {
	Token  string `json:"token" doc:"The token; in digest mode it is shown only here."`
	Expiry string `json:"expiry" doc:"Expiry, in the configured time format (RFC 3339 by default)."`
	User   any    `json:"user,omitempty" doc:"Present when a user serializer is configured."`
}

// ExpiryResponse is the body of POST /refresh.
type ExpiryResponse struct {
	Expiry string `json:"expiry" doc:"The new expiry."`
}

// document records the routes mounted by Register in cfg.OpenAPI. A route
// added to Register gets one Add call here.
func document(g, authed *gin.RouterGroup, cfg Config) {
	docs := cfg.OpenAPI
	if docs == nil {
		return
	}
	tags := []string{"auth"}
	bad := func(desc string) openapi.Response {
		return openapi.Response{Status: http.StatusBadRequest, Description: desc, Body: openapi.Error{}}
	}
	docs.Add(g, http.MethodPost, "/login", openapi.Operation{
		Summary: "Log in and receive the token of this user for this client", Tags: tags,
		Request: LoginRequest{}, RequestForm: true,
		Responses: []openapi.Response{
			{Status: http.StatusOK, Body: LoginResponse{}},
			bad("No client specified, no client with that name, bad credentials, or missing username or password."),
			{Status: http.StatusRequestEntityTooLarge, Body: openapi.Error{}},
			{Status: http.StatusUnsupportedMediaType, Body: openapi.Error{}},
			{Status: http.StatusTooManyRequests, Description: "Login throttled.", Body: openapi.Error{}},
		},
	})
	docs.Add(authed, http.MethodPost, "/refresh", openapi.Operation{
		Summary: "Renew the calling token: expiry = now + the client's TTL", Tags: tags, Auth: true,
		Responses: []openapi.Response{{Status: http.StatusOK, Body: ExpiryResponse{}}},
	})
	docs.Add(authed, http.MethodPost, "/logout", openapi.Operation{
		Summary: "Revoke the calling token", Tags: tags, Auth: true,
		Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Revoked."}},
	})
	docs.Add(authed, http.MethodPost, "/logoutall", openapi.Operation{
		Summary: "Revoke every token of the calling user", Tags: tags, Auth: true,
		Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Revoked."}},
	})
	docs.Add(authed, http.MethodGet, "/sessions", openapi.Operation{
		Summary: "List the caller's sessions (tokens), oldest first", Tags: []string{"sessions"}, Auth: true,
		Responses: []openapi.Response{{Status: http.StatusOK, Body: []SessionResponse{}}},
	})
	docs.Add(authed, http.MethodDelete, "/sessions/:id", openapi.Operation{
		Summary: "Revoke one of the caller's other sessions", Tags: []string{"sessions"}, Auth: true,
		Params: []openapi.Param{{Name: "id", In: "path", Type: "integer", Description: "The session's id from GET /sessions."}},
		Responses: []openapi.Response{
			{Status: http.StatusNoContent, Description: "Revoked."},
			bad("The session is the one authenticating the request; use logout."),
			{Status: http.StatusNotFound, Description: "No such session of the caller (also for a malformed id).", Body: openapi.Error{}},
		},
	})
	if cfg.APIAccessClient == "" {
		return
	}
	apiTags := []string{"apiaccess"}
	notFound := openapi.Response{Status: http.StatusNotFound, Description: "No API-access token.", Body: openapi.Error{}}
	docs.Add(authed, http.MethodGet, "/apiaccess", openapi.Operation{
		Summary: "Show the caller's API-access token", Tags: apiTags, Auth: true,
		Responses: []openapi.Response{{Status: http.StatusOK, Body: APIAccessResponse{}}, notFound},
	})
	docs.Add(authed, http.MethodPost, "/apiaccess", openapi.Operation{
		Summary: "Issue the caller's API-access token; the token is shown once", Tags: apiTags, Auth: true,
		Responses: []openapi.Response{{Status: http.StatusCreated, Body: APIAccessResponse{}}, bad("An API token was already issued to you.")},
	})
	docs.Add(authed, http.MethodDelete, "/apiaccess", openapi.Operation{
		Summary: "Revoke the caller's API-access token", Tags: apiTags, Auth: true,
		Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Revoked."}, notFound},
	})
}
