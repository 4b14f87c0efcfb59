package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/openapi"
)

// document records the API routes mounted by Register on api in
// h.cfg.OpenAPI. A route added to Register gets one Add call here.
func document(api *gin.RouterGroup, h *handlers) {
	docs := h.cfg.OpenAPI
	if docs == nil {
		return
	}
	forbidden := openapi.Response{Status: http.StatusForbidden, Description: "The user is not staff.", Body: openapi.Error{}}
	notFound := openapi.Response{Status: http.StatusNotFound, Description: "Not found.", Body: openapi.Error{}}
	invalid := func(desc string) openapi.Response {
		return openapi.Response{Status: http.StatusBadRequest, Description: desc, Body: openapi.FieldError{}}
	}
	tooLarge := openapi.Response{Status: http.StatusRequestEntityTooLarge, Body: openapi.Error{}}
	mediaType := openapi.Response{Status: http.StatusUnsupportedMediaType, Body: openapi.Error{}}
	paging := []openapi.Param{
		{Name: "limit", Type: "integer", Description: "Page size, 1 to 1000; default the configured page size (100)."},
		{Name: "offset", Type: "integer", Description: "Number of items to skip."},
	}
	add := func(method, path string, op openapi.Operation) {
		op.Auth = true
		op.Tags = []string{"admin"}
		op.Responses = append(op.Responses, forbidden)
		docs.Add(api, method, path, op)
	}
	name := openapi.Param{Name: "name", In: "path", Description: "The client's name."}

	add(http.MethodGet, "/clients", openapi.Operation{
		Summary: "List clients with their token counts", Params: paging,
		Responses: []openapi.Response{{Status: http.StatusOK, Body: ClientList{}}, invalid("Bad limit or offset.")},
	})
	add(http.MethodPost, "/clients", openapi.Operation{
		Summary: "Create a client", Request: ClientInput{},
		Responses: []openapi.Response{
			{Status: http.StatusCreated, Body: Client{}},
			invalid("A field is invalid, or a client with that name exists; field names it."),
			tooLarge, mediaType,
		},
	})
	add(http.MethodGet, "/clients/:name", openapi.Operation{
		Summary: "Show a client", Params: []openapi.Param{name},
		Responses: []openapi.Response{{Status: http.StatusOK, Body: Client{}}, notFound},
	})
	add(http.MethodPatch, "/clients/:name", openapi.Operation{
		Summary: "Change a client's name, token TTL or throttle rate", Params: []openapi.Param{name}, Request: ClientInput{},
		Description: "Existing tokens keep their expiry; a new TTL applies from their next login or renewal.",
		Responses: []openapi.Response{
			{Status: http.StatusOK, Body: Client{}},
			invalid("A field is invalid, or another client has that name; field names it."),
			notFound, tooLarge, mediaType,
		},
	})
	add(http.MethodDelete, "/clients/:name", openapi.Operation{
		Summary: "Delete a client and all its tokens", Params: []openapi.Param{name},
		Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Deleted."}, notFound},
	})
	add(http.MethodGet, "/tokens", openapi.Operation{
		Summary: "List tokens, newest first; never the token itself",
		Params: append([]openapi.Param{
			{Name: "client", Description: "Only tokens of the client with this name."},
			{Name: "user", Description: "Only tokens of the user with this username."},
		}, paging...),
		Responses: []openapi.Response{{Status: http.StatusOK, Body: TokenList{}}, invalid("Bad limit or offset.")},
	})
	add(http.MethodDelete, "/tokens/:id", openapi.Operation{
		Summary:   "Revoke a token (emits the logout event)",
		Params:    []openapi.Param{{Name: "id", In: "path", Type: "integer", Description: "The token's id."}},
		Responses: []openapi.Response{{Status: http.StatusNoContent, Description: "Revoked."}, notFound},
	})
	if h.canList {
		add(http.MethodGet, "/users", openapi.Operation{
			Summary: "List users", Params: paging,
			Responses: []openapi.Response{{Status: http.StatusOK, Body: UserList{}}, invalid("Bad limit or offset.")},
		})
	}
	if h.canSetActive {
		add(http.MethodPatch, "/users/:username", openapi.Operation{
			Summary: "Activate or deactivate a user", Request: UserInput{},
			Params: []openapi.Param{{Name: "username", In: "path", Description: "The user's username."}},
			Responses: []openapi.Response{
				{Status: http.StatusOK, Body: User{}},
				invalid("is_active is missing or not a boolean, another field was sent, or staff tried to deactivate themselves."),
				notFound, tooLarge, mediaType,
			},
		})
	}
}
