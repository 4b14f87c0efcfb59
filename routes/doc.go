// Package routes mounts ginurin's HTTP API on a Gin router group:
//
//	POST   /login         username, password, client (JSON or form) → {"token", "expiry"}
//	POST   /refresh       renew the calling token → {"expiry"}
//	POST   /logout        revoke the calling token → 204
//	POST   /logoutall     revoke every token of the caller → 204
//	GET    /sessions      the caller's sessions → [{id, client, created, expiry, last_used,
//	                      has_expired, is_current, expires_in_str}]
//	DELETE /sessions/:id  revoke another of the caller's sessions → 204
//	GET    /apiaccess     the caller's API-access token → {client, created, expiry, ...}
//	POST   /apiaccess     issue it, once → 201 {..., token}
//	DELETE /apiaccess     revoke it → 204
//
// The /apiaccess routes exist only when Config.APIAccessClient is set.
// Errors are JSON {"detail": "..."} with durin's messages; bad input is
// always a 4xx, and a failing database a 503 (see ginurin.ErrorHandler).
// Token responses carry Cache-Control: no-store.
//
// With Config.OpenAPI set, Register records an OpenAPI operation for every
// route it mounts (see package openapi); a route added to Register gets
// one Add call in document (openapi.go).
package routes
