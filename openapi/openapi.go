package openapi

import (
	"sort"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// SecurityScheme is the name of the token security scheme in the document:
// "Authorization: Token <token>".
const SecurityScheme = "token"

// Info is the document's title, version and description.
type Info struct {
	// Title of the API. Default "ginurin API".
	Title string
	// Version of the API (not of OpenAPI). Default "1.0.0".
	Version string
	// Description, Markdown. Default none.
	Description string
	// AuthHeaderPrefix is the scheme word of the Authorization header,
	// named in the security scheme's description. Default "Token".
	AuthHeaderPrefix string
}

// Param is a path or query parameter. Path parameters that an Operation
// does not list are documented as required strings.
type Param struct {
	// Name as it appears in the path (":name" in Gin) or the query string.
	Name string
	// In is "path" or "query". Default "query".
	In string
	// Description of the parameter. Default none.
	Description string
	// Type is the JSON schema type: "string", "integer" or "boolean".
	// Default "string".
	Type string
	// Required marks a query parameter as mandatory; path parameters
	// always are.
	Required bool
}

// Response is one documented response of an Operation.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Description of the response. Default: the status text.
	Description string
	// Body is a Go value whose type describes the JSON body; nil means no
	// body (e.g. 204).
	Body any
}

// Operation describes one route. The method and path come from Add.
type Operation struct {
	// ID is the operationId; it must be unique in the document. Default:
	// derived from the method and path.
	ID string
	// Summary is a one-line description.
	Summary string
	// Description is a longer Markdown description. Default none.
	Description string
	// Tags group operations in viewers. Default none.
	Tags []string
	// Auth marks a route that needs a token; a 401 response with an Error
	// body is added unless listed.
	Auth bool
	// Params lists query parameters and typed path parameters.
	Params []Param
	// Request is a Go value whose type describes the JSON request body;
	// nil means no body.
	Request any
	// RequestForm adds application/x-www-form-urlencoded (with the same
	// schema) as an accepted request body type.
	RequestForm bool
	// Responses lists the responses. A 503 (a failing dependency) with an
	// Error body is added unless listed.
	Responses []Response
}

// Error is the body of every error response: {"detail": "..."}.
type Error struct {
	Detail string `json:"detail" doc:"Human-readable error message."`
}

// FieldError is the body of a validation error that names the bad field.
type FieldError struct {
	Detail string `json:"detail" doc:"Human-readable error message."`
	Field  string `json:"field" doc:"Name of the request field that was rejected."`
}

type key struct{ method, path string }

type entry struct {
	key
	op Operation
}

// Registry collects the operations of the mounted routes. It is safe for
// concurrent use; the zero value is not usable, create one with
// NewRegistry. A nil *Registry ignores Add.
type Registry struct {
	info Info
	mu   sync.Mutex
	ops  map[key]entry
}

// NewRegistry returns an empty registry for a document with info.
func NewRegistry(info Info) *Registry {
	if info.Title == "" {
		info.Title = "ginurin API"
	}
	if info.Version == "" {
		info.Version = "1.0.0"
	}
	if info.AuthHeaderPrefix == "" {
		info.AuthHeaderPrefix = "Token"
	}
	return &Registry{info: info, ops: map[key]entry{}}
}

// FullPath joins a group's base path and a route's relative path the way
// Gin does, so the recorded path equals the one in engine.Routes().
func FullPath(g *gin.RouterGroup, relative string) string {
	base := g.BasePath()
	if relative == "" {
		return base
	}
	p := strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(relative, "/")
	if strings.HasSuffix(relative, "/") && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// Add records op for the route method + relative path mounted on g. It
// does not mount anything: call it next to g.Handle. Adding the same
// method and path twice keeps the last operation. Add on a nil Registry
// does nothing.
func (r *Registry) Add(g *gin.RouterGroup, method, relative string, op Operation) {
	if r == nil {
		return
	}
	k := key{strings.ToUpper(method), FullPath(g, relative)}
	r.mu.Lock()
	r.ops[k] = entry{k, op}
	r.mu.Unlock()
}

// Has reports whether a route with this method and Gin path (as in
// gin.RouteInfo.Path) is documented.
func (r *Registry) Has(method, path string) bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ops[key{strings.ToUpper(method), path}]
	return ok
}

// Undocumented returns the routes of an engine (engine.Routes()) whose
// path starts with one of prefixes and that have no operation, as
// "METHOD /path" strings, sorted. Tests use it to keep the document
// complete.
func (r *Registry) Undocumented(routes gin.RoutesInfo, prefixes ...string) []string {
	var out []string
	for _, ri := range routes {
		for _, p := range prefixes {
			if strings.HasPrefix(ri.Path, p) && !r.Has(ri.Method, ri.Path) {
				out = append(out, ri.Method+" "+ri.Path)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// Entry is one recorded operation: its method, its Gin path (as in
// gin.RouteInfo.Path) and its description.
type Entry struct {
	Method string
	Path   string
	Op     Operation
}

// Entries returns the recorded operations sorted by path, then method.
func (r *Registry) Entries() []Entry {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	out := make([]Entry, 0, len(r.ops))
	for _, e := range r.ops {
		out = append(out, Entry{Method: e.method, Path: e.path, Op: e.op})
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Info returns the document information the registry was created with,
// defaults filled in.
func (r *Registry) Info() Info { return r.info }
