// Package admin is ginurin's staff administration: a JSON API and a
// server-rendered web page for managing clients, tokens and users, after
// the Django admin and create_client command of django-rest-durin.
//
// Register mounts both on a group of the application's choice (the example
// uses /admin):
//
//	GET    <group>/api/clients            list clients with token counts
//	POST   <group>/api/clients            create {"name", "token_ttl", "throttle_rate"}
//	GET    <group>/api/clients/:name      one client
//	PATCH  <group>/api/clients/:name      change any of the three fields
//	DELETE <group>/api/clients/:name      delete the client and its tokens
//	GET    <group>/api/tokens             list tokens, ?client= and ?user= filters
//	DELETE <group>/api/tokens/:id         revoke a token
//	GET    <group>/api/users              list users
//	PATCH  <group>/api/users/:username    {"is_active": true|false}
//	GET    <group>/                       the web page (login form, then clients,
//	                                      tokens and users pages)
//
// # Access
//
// Only staff (models.User.IsStaff) may use either. The JSON API takes an
// ordinary ginurin token in the Authorization header: without a valid one
// it answers 401 exactly as Auth.Middleware does, and 403 {"detail": "You
// do not have permission to perform this action."} for a user who is not
// staff.
//
// # JSON API
//
// Lists answer {"count": total, "results": [...]}, paged by ?limit=
// (default Config.PageSize, at most 1000) and ?offset=. token_ttl is
// written as whole days when it is a whole number of days ("14d") and as a
// Go duration otherwise ("1h30m0s"), the way the CLI prints it, and read in
// either form ("90m", "24h", "14d"). Validation is the CLI's: a bad field
// answers 400 {"detail": "...", "field": "<name>"}, a name that is already
// taken too (field "name"); an unknown client, token or user
// answers 404 {"detail": "Not found."}. Token listings never include the
// token or its digest. A failing database answers through the Auth's
// ErrorHandler (503 by default).
//
// Revoking a token goes through Auth.RevokeByID and deleting a client
// through Auth.DeleteClient, (de)activating a user through
// Auth.SetUserActive: the same service as logout, so the Logout event fires
// and caches are invalidated. A staff user cannot deactivate themselves.
//
// The users routes need the users to live in a table of the token
// database (a models.SQLUserStore, the default); PATCH needs ginurin's own
// users table. When the Auth's user store does not qualify, the routes are
// not mounted (and not documented).
//
// # Web page
//
// The page is rendered from html/template templates embedded in the binary,
// with no external assets and no JavaScript; every action is a plain form.
// Staff log in with username and password: the page then holds an ordinary
// ginurin token of the client Config.WebClient ("admin", created on first
// use with Config.WebClientTTL), in an HttpOnly, SameSite=Strict cookie
// whose path is the group's, marked Secure on TLS requests or with
// Config.SecureCookie. Logging out revokes that token. Users who are not
// staff are refused at login.
//
// Every state-changing form carries a CSRF token derived by HMAC-SHA256
// from the session token, and POSTs whose Origin is another host or whose
// Sec-Fetch-Site is cross-site are refused with 403, so other sites can
// neither submit the forms nor log a victim in. Form bodies are limited to
// Config.MaxBodyBytes. Pages are sent with a strict Content-Security-Policy,
// X-Frame-Options: DENY and Cache-Control: no-store.
//
// With Config.OpenAPI set, Register records every API route in the OpenAPI
// registry; the web pages are HTML and are not part of that document.
package admin
