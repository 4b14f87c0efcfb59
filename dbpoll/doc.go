// Package dbpoll carries ginurin's cache invalidations between the
// processes that share one SQLite database — a server and the management
// commands run beside it, or several servers on one file — through a table
// of that database (ginurin_invalidations, created by models.Migrate).
//
// Publish inserts a row; every subscriber polls for new rows (default
// every 100ms) and deletes rows older than the retention (default one
// minute). With the Auth's heartbeats (every quarter of
// Config.TokenCacheFallbackTimeout) that is a few small writes a second
// per serving process.
//
// It relies on rows becoming visible in the order of their IDs, which
// SQLite's single writer guarantees. On PostgreSQL, where concurrent
// transactions can commit out of order, use package pgnotify instead.
package dbpoll
