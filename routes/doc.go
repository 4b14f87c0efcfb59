// Package routes mounts ginurin's HTTP API on a Gin router group:
//
//	POST /login      username, password, client (JSON or form) → {"token", "expiry"}
//	POST /refresh    renew the calling token → {"expiry"}
//	POST /logout     revoke the calling token → 204
//	POST /logoutall  revoke every token of the caller → 204
//
// Errors are JSON {"detail": "..."} with durin's messages; bad input is
// always a 4xx, and a failing database a 503 (see ginurin.ErrorHandler).
// Token responses carry Cache-Control: no-store.
//
// With Config.OpenAPI set, Register records an OpenAPI operation for every
// route it mounts (see package openapi); a route added to Register gets
// one Add call in document (openapi.go).
package routes
