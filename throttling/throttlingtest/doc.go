// Package throttlingtest is the conformance suite of the limiter stores
// that package throttling runs on: every store (ulule's memory store,
// redisstore, an application's own) must pass Run. It checks the store's
// counting itself, then the throttling middleware and login limiter on top
// of it, through a real Gin engine.
package throttlingtest
