// Package ginurin is per-API-client token authentication for Gin, after
// django-rest-durin.
//
// A user holds at most one token per Client ("web", "cli", "android"…);
// each client sets its tokens' lifetime and throttle rate. Build an Auth
// from a *bun.DB and a Config, put Auth.Middleware on the routes to protect,
// and read the caller with UserFrom, TokenFrom and ClientFrom. The routes
// package mounts login, refresh, logout and logoutall; permissions guards
// routes by client; throttling limits each user+client pair; signals
// carries the events; admin gives staff a JSON API and a web page to
// manage clients, tokens and users; openapi documents what is mounted.
//
// Tokens look like "gnr_" + 64 hex characters (256 bits from crypto/rand) +
// an 8-character CRC-32 checksum, so a mistyped token is refused without a
// database query. By default only a SHA-256 digest of each token is stored.
package ginurin
