// Package permissions guards routes by API client, like durin's
// AllowSpecificClients and DisallowSpecificClients permission classes.
//
//	authed := routes.Register(api, auth, routes.Config{})
//	authed.GET("/onlyweb", permissions.AllowClients("web"), handler)
//	authed.GET("/nocli", permissions.DisallowClients("cli"), handler)
//
// A guard reads the client of the authenticated token (ginurin.ClientFrom),
// so it must run after Auth.Middleware. A request the guard refuses gets
// 403 {"detail": "You do not have permission to perform this action."}.
//
// A guard that finds no authenticated token answers 401 {"detail":
// "Authentication credentials were not provided."} with WWW-Authenticate:
// Token. With Auth.Middleware in front this cannot happen — the
// middleware itself answers every unauthenticated request with its
// configured challenge — so the guard's 401 only protects a misordered
// chain from running the handler unauthenticated.
//
// Guards compose: each one only admits or refuses, so several may be
// chained on a route or group, with each other and with an application's
// own middleware; a request reaches the handler when every guard admits it.
package permissions
