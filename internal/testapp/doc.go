// Package testapp drives ginurin through a real Gin engine in tests: an
// Auth on a real database with a controllable clock, the routes mounted on
// /api, a protected GET /api/ that answers "api root", two users (john,
// jane) and two clients (web: 24h, cli: 1h), and a record of the events.
package testapp
