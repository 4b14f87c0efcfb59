package spec

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/openapi"
)

// Document builds and validates the OpenAPI 3.0 document of every
// recorded operation. It fails when an operation's schema cannot be
// generated or the document does not validate.
func Document(r *openapi.Registry) (*openapi3.T, error) {
	if r == nil {
		return nil, errors.New("spec: nil Registry")
	}
	entries := r.Entries()
	info := r.Info()

	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info:    &openapi3.Info{Title: info.Title, Version: info.Version, Description: info.Description},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: openapi3.Schemas{},
			SecuritySchemes: openapi3.SecuritySchemes{
				openapi.SecurityScheme: &openapi3.SecuritySchemeRef{Value: openapi3.NewSecurityScheme().
					WithType("apiKey").WithIn("header").WithName("Authorization").
					WithDescription(fmt.Sprintf("An opaque ginurin token: `Authorization: %s <token>`.", info.AuthHeaderPrefix))},
			},
		},
	}
	gen := &generator{schemas: doc.Components.Schemas}
	for _, e := range entries {
		op, err := gen.operation(e)
		if err != nil {
			return nil, fmt.Errorf("spec: %s %s: %w", e.Method, e.Path, err)
		}
		path, _ := openAPIPath(e.Path)
		item := doc.Paths.Value(path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(path, item)
		}
		item.SetOperation(e.Method, op)
	}
	loader := openapi3.NewLoader()
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("spec: resolve references: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("spec: invalid document: %w", err)
	}
	return doc, nil
}

// Handler serves the document as JSON. The document is built on every
// request, so routes added later appear; a build failure answers 500
// with {"detail"}, which only a programming error can cause.
func Handler(r *openapi.Registry) gin.HandlerFunc {
	return func(c *gin.Context) {
		doc, err := Document(r)
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

func (g *generator) operation(e openapi.Entry) (*openapi3.Operation, error) {
	src := e.Op
	op := openapi3.NewOperation()
	op.OperationID = src.ID
	if op.OperationID == "" {
		op.OperationID = operationID(e.Method, e.Path)
	}
	op.Summary, op.Description, op.Tags = src.Summary, src.Description, src.Tags
	if src.Auth {
		op.Security = &openapi3.SecurityRequirements{openapi3.NewSecurityRequirement().Authenticate(openapi.SecurityScheme)}
	}
	_, pathNames := openAPIPath(e.Path)
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
	responses := append([]openapi.Response(nil), src.Responses...)
	has := map[int]bool{}
	for _, r := range responses {
		has[r.Status] = true
	}
	if src.Auth && !has[http.StatusUnauthorized] {
		responses = append(responses, openapi.Response{Status: http.StatusUnauthorized, Description: "Missing, invalid or expired token.", Body: openapi.Error{}})
	}
	if !has[http.StatusServiceUnavailable] {
		responses = append(responses, openapi.Response{Status: http.StatusServiceUnavailable, Description: "A dependency (the database) failed.", Body: openapi.Error{}})
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
