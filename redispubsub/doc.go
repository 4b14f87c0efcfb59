// Package redispubsub carries ginurin's cache invalidations between
// instances through Redis pub/sub: give one Bus to ginurin.Config's
// Invalidator on every instance, with the same Redis and channel.
//
// Redis pub/sub delivers each message at most once, in order, to the
// subscriptions that exist when it is published; it keeps nothing for a
// subscriber that is disconnected. The Bus reports every broken or silent
// connection to the Auth (which then stops trusting its cache, see
// ginurin.Auth.CachedMiddleware) and resubscribes by itself.
package redispubsub
