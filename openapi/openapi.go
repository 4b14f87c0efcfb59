package openapi

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
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

// Document builds and validates the OpenAPI 3.0 document of every
// recorded operation. It fails when an operation's schema cannot be
// generated or the document does not validate.
func (r *Registry) Document() (*openapi3.T, error) {
	if r == nil {
		return nil, errors.New("openapi: nil Registry")
	}
	r.mu.Lock()
	entries := make([]entry, 0, len(r.ops))
	for _, e := range r.ops {
		entries = append(entries, e)
	}
	r.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].path != entries[j].path {
			return entries[i].path < entries[j].path
		}
		return entries[i].method < entries[j].method
	})

	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info:    &openapi3.Info{Title: r.info.Title, Version: r.info.Version, Description: r.info.Description},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: openapi3.Schemas{},
			SecuritySchemes: openapi3.SecuritySchemes{
				SecurityScheme: &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().
					WithType("apiKey").WithIn("header").WithName("Authorization").
					WithDescription(fmt.Sprintf("An opaque ginurin token: `Authorization: %s <token>`.", r.info.AuthHeaderPrefix))},
			},
		},
	}
	gen := &generator{schemas: doc.Components.Schemas}
	for _, e := range entries {
		op, err := gen.operation(e)
		if err != nil {
			return nil, fmt.Errorf("openapi: %s %s: %w", e.method, e.path, err)
		}
		path, _ := openAPIPath(e.path)
		item := doc.Paths.Value(path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(path, item)
		}
		item.SetOperation(e.method, op)
	}
	loader := openapi3.NewLoader()
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("openapi: resolve references: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi: invalid document: %w", err)
	}
	return doc, nil
}

// Handler serves the document as JSON. The document is built on every
// request, so routes added later appear; a build failure answers 500
// with {"detail"}, which only a programming error can cause.
func (r *Registry) Handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		doc, err := r.Document()
		if err != nil {
			_ = c.Error(err)
			c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"detail": "The API document could not be built."})
			return
		}
		c.JSON(http.StatusOK, doc)
	}
}

// openAPIPath turns a Gin path ("/clients/:name", "/files/*rest") into an
// OpenAPI one ("/clients/{name}") and returns the parameter names.
func openAPIPath(p string) (string, []string) {
	parts := strings.Split(p, "/")
	var names []string
	for i, s := range parts {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			names = append(names, s[1:])
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/"), names
}

type generator struct {
	schemas openapi3.Schemas
}

// schema returns the schema of v's type, registering named struct types
// as components.
func (g *generator) schema(v any) (*openapi3.SchemaRef, error) {
	return openapi3gen.NewSchemaRefForValue(v, g.schemas,
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{
			ExportComponentSchemas: true, ExportTopLevelSchema: true,
		}),
		openapi3gen.CreateTypeNameGenerator(func(t reflect.Type) string {
			pkg := t.PkgPath()
			if i := strings.LastIndex(pkg, "/"); i >= 0 {
				pkg = pkg[i+1:]
			}
			if pkg == "" {
				return t.Name()
			}
			return strings.ToUpper(pkg[:1]) + pkg[1:] + t.Name()
		}),
		openapi3gen.SchemaCustomizer(customize))
}

// customize applies the conventions of the package doc: required unless
// omitempty, doc tag as description, and no properties beyond the
// struct's, so a response that grows an undocumented field fails
// validation.
func customize(_ string, t reflect.Type, tag reflect.StructTag, s *openapi3.Schema) error {
	if d := tag.Get("doc"); d != "" {
		s.Description = d
	}
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
		return nil
	}
	no := false
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
	s.Required = nil
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		if !strings.Contains(","+opts+",", ",omitempty,") {
			s.Required = append(s.Required, name)
		}
	}
	return nil
}

func schemaOfType(t string) *openapi3.SchemaRef {
	switch t {
	case "integer":
		return openapi3.NewIntegerSchema().NewRef()
	case "boolean":
		return openapi3.NewBoolSchema().NewRef()
	}
	return openapi3.NewStringSchema().NewRef()
}

func (g *generator) operation(e entry) (*openapi3.Operation, error) {
	src := e.op
	op := openapi3.NewOperation()
	op.OperationID = src.ID
	if op.OperationID == "" {
		op.OperationID = operationID(e.method, e.path)
	}
	op.Summary, op.Description, op.Tags = src.Summary, src.Description, src.Tags
	if src.Auth {
		op.Security = &openapi3.SecurityRequirements{openapi3.NewSecurityRequirement().Authenticate(SecurityScheme)}
	}
	_, pathNames := openAPIPath(e.path)
	listed := map[string]bool{}
	for _, p := range src.Params {
		in := p.In
		if in == "" {
			in = openapi3.ParameterInQuery
		}
		prm := &openapi3.Parameter{Name: p.Name, In: in, Description: p.Description, Required: p.Required || in == openapi3.ParameterInPath,
			Schema: schemaOfType(p.Type)}
		op.AddParameter(prm)
		if in == openapi3.ParameterInPath {
			listed[p.Name] = true
		}
	}
	for _, n := range pathNames {
		if !listed[n] {
			op.AddParameter(openapi3.NewPathParameter(n).WithSchema(openapi3.NewStringSchema()))
		}
	}
	if src.Request != nil {
		s, err := g.schema(src.Request)
		if err != nil {
			return nil, err
		}
		content := openapi3.NewContentWithJSONSchemaRef(s)
		if src.RequestForm {
			content["application/x-www-form-urlencoded"] = openapi3.NewMediaType().WithSchemaRef(s)
		}
		op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithContent(content)}
	}
	responses := append([]Response(nil), src.Responses...)
	has := map[int]bool{}
	for _, r := range responses {
		has[r.Status] = true
	}
	if src.Auth && !has[http.StatusUnauthorized] {
		responses = append(responses, Response{http.StatusUnauthorized, "Missing, invalid or expired token.", Error{}})
	}
	if !has[http.StatusServiceUnavailable] {
		responses = append(responses, Response{http.StatusServiceUnavailable, "A dependency (the database) failed.", Error{}})
	}
	op.Responses = openapi3.NewResponses()
	op.Responses.Delete("default")
	for _, r := range responses {
		desc := r.Description
		if desc == "" {
			desc = http.StatusText(r.Status)
		}
		resp := openapi3.NewResponse().WithDescription(desc)
		if r.Body != nil {
			s, err := g.schema(r.Body)
			if err != nil {
				return nil, err
			}
			resp.WithJSONSchemaRef(s)
		}
		op.Responses.Set(fmt.Sprint(r.Status), &openapi3.ResponseRef{Value: resp})
	}
	return op, nil
}

// operationID derives "getAdminApiClientsName" style IDs.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
