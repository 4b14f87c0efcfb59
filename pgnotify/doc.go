// Package pgnotify carries ginurin's cache invalidations between instances
// through PostgreSQL LISTEN/NOTIFY, for deployments that share a
// PostgreSQL database and have no Redis: give one Notifier to
// ginurin.Config's Invalidator on every instance, with the same database
// and channel.
//
// PostgreSQL delivers a notification to the sessions listening when it is
// committed, in commit order, and keeps nothing for a session that is
// disconnected. The Notifier listens on a dedicated connection, reports
// every broken or silent connection to the Auth (which then stops trusting
// its cache, see ginurin.Auth.CachedMiddleware) and listens again by
// itself. It publishes with pg_notify through a small pool of its own, so
// it adds no queries to the application's database handle.
package pgnotify
