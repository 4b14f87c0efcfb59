// Package throttling limits request rates with github.com/ulule/limiter/v3,
// like durin's UserClientRateThrottle, and protects /login against password
// guessing.
//
// Throttle.Middleware keys each request on its authenticated user+client
// pair ("user:<id>:client:<id>"), so one user's web and CLI sessions have
// separate budgets. The rate is the client's throttle_rate, else
// Config.DefaultRate; with neither the request is not throttled.
// Unauthenticated requests are keyed on c.ClientIP() — Gin's trusted-proxy
// settings (Engine.SetTrustedProxies) decide which address that is — at
// the default rate. Put the middleware after Auth.Middleware, on the routes
// or group to limit:
//
//	thr, err := throttling.New(throttling.Config{DefaultRate: "100/h"})
//	authed := routes.Register(api, auth, routes.Config{})
//	authed.GET("/search", thr.Middleware(), search)
//
// Placed before Auth.Middleware it would see no token and key every request
// on its IP. Rates in durin's "N/p" form (p one of s, m, h, d) are parsed
// once: the default by New, a client's rate the first time that rate string
// is seen; requests then only look the parsed rate up.
//
// Every request the middleware counts is answered with X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (Unix seconds); requests with
// no rate to apply, and those let through while the store is failing,
// carry none. A request over budget gets 429 {"detail": "Request was throttled. Expected
// available in N seconds."} with Retry-After: N.
//
// Counters live in a limiter.Store: ulule's memory store by default (one
// budget per process), or Redis through package redisstore so that every
// instance shares one budget. When the store fails, Config.FailMode decides:
// FailOpen (default) lets the request through and logs a warning at most
// once per Config.WarnInterval; FailClosed answers through
// Config.ErrorHandler (503 by default). Neither panics nor answers 500.
//
// Login limits POST /login per client IP and per username; pass it to
// routes.Config.LoginLimiter.
package throttling
