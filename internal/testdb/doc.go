// Package testdb gives tests real databases: a fresh SQLite file always,
// and a fresh PostgreSQL schema when GINURIN_TEST_POSTGRES_DSN is set. In CI
// (CI set) a missing PostgreSQL DSN fails the test instead of skipping it.
package testdb
