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
//
// # Cached authentication
//
// Auth.CachedMiddleware answers exactly as Middleware but serves a token
// it authenticated recently from memory, without a query. The cache is
// keyed by the token's SHA-256 (never the token), bounded by
// Config.TokenCacheSize, and an entry lasts at most
// Config.TokenCacheTimeout (60s) and never past its token's expiry.
// Revocations never wait for an entry to expire:
//
//   - On this instance, every revocation made through Auth — Revoke
//     (logout, a session or API-access token deleted, an admin revoking a
//     token), RevokeAll (logout all), Renew (refresh: the new expiry is
//     seen at once), SetUserActive(false), DeleteClient, a digest-mode
//     login that replaces a session's token string, the deletion of an
//     expired token — drops the entries concerned before it returns, so it
//     holds from the very next request.
//   - On other instances sharing the database, the same revocation arrives
//     through Config.Invalidator (packages redispubsub and pgnotify) within
//     milliseconds, and in any case within Config.TokenCacheFallbackTimeout
//     (1s): each instance sends itself heartbeats through the channel and
//     trusts its entries only while they come back. When the channel fails
//     or falls silent, the instance drops its entries, logs a warning
//     (at most every 10s), and keeps new entries at most the fallback
//     timeout until a heartbeat sent after the failure comes back.
//   - A single instance (SQLite) needs no Invalidator. Several instances
//     without one see each other's revocations only when entries expire.
//   - Changes made behind Auth's back (SQL, an application's own user
//     store) are not seen until the entries expire: report them with
//     Auth.Invalidate.
//   - If an instance cannot publish an invalidation, the failure is logged;
//     the revocation stands and holds on that instance, and the instance
//     publishes it again with its heartbeats (for TokenCacheTimeout, while
//     it runs a CachedMiddleware); until it goes through, other instances
//     may accept the token.
//
// Auth.Middleware keeps its guarantee of exactly one query per request;
// use the cached middleware where requests are frequent and a query per
// request is the cost to avoid.
package ginurin
