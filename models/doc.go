// Package models holds ginurin's Bun models — User, Client and AuthToken —
// with their validation, queries and migrations.
//
// The same code runs on PostgreSQL (production) and SQLite (the embedded
// default): Open picks the dialect from a database URL, and Migrate creates
// or upgrades the tables on either, each step in its own transaction.
//
// Tables are prefixed with "ginurin_" so they can live beside an
// application's own. An application that already has a users table plugs it
// in with a UserSchema (see TableUsers), or replaces the user lookup
// altogether by implementing UserStore.
package models
