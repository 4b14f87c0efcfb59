// Package openapi records the routes that ginurin mounts, so that an
// OpenAPI 3 document can be built from what was actually mounted rather
// than kept by hand. It depends on Gin only; package openapi/spec builds
// and serves the document (with github.com/getkin/kin-openapi), so only
// applications that publish a document pay for that dependency.
//
// An application creates one Registry and hands it to every Register
// function through its Config (routes.Config.OpenAPI, admin.Config.OpenAPI).
// Each Register records an Operation for every route it mounts, under the
// group's full path:
//
//	docs := openapi.NewRegistry(openapi.Info{Title: "My API", Version: "1.0.0"})
//	routes.Register(engine.Group("/api"), auth, routes.Config{OpenAPI: docs})
//	engine.GET("/openapi.json", spec.Handler(docs))
//
// Request and response bodies are described by Go values (see
// package spec for how their schemas are generated). Undocumented lists
// the mounted routes that have no operation, so a test can keep the
// document complete.
//
// A nil *Registry records nothing, so libraries can call Add
// unconditionally.
package openapi
