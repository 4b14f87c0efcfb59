package models

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DefaultSQLitePath is the database file used when no URL is given.
const DefaultSQLitePath = "ginurin-example.db"

// IsPostgresURL reports whether databaseURL names PostgreSQL
// (postgres:// or postgresql://).
func IsPostgresURL(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

// Open connects to databaseURL: postgres:// or postgresql:// for PostgreSQL
// (through pgx), anything else a SQLite file path or "file:" DSN, and ""
// DefaultSQLitePath. SQLite connections get WAL mode, a 5 s busy timeout,
// foreign keys and immediate transactions, so a CLI and a server can share
// the file. Open does not migrate; call Migrate.
func Open(databaseURL string) (*bun.DB, error) {
	if IsPostgresURL(databaseURL) {
		sqldb, err := sql.Open("pgx", databaseURL)
		if err != nil {
			return nil, fmt.Errorf("models: open postgres: %w", err)
		}
		return bun.NewDB(sqldb, pgdialect.New()), nil
	}
	if databaseURL == "" {
		databaseURL = DefaultSQLitePath
	}
	sqldb, err := sql.Open("sqlite", sqliteDSN(databaseURL))
	if err != nil {
		return nil, fmt.Errorf("models: open sqlite: %w", err)
	}
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// sqliteDSN adds the pragmas ginurin relies on unless the DSN sets them.
func sqliteDSN(dsn string) string {
	path, query, _ := strings.Cut(dsn, "?")
	if !strings.HasPrefix(path, "file:") {
		path = "file:" + path
	}
	v, err := url.ParseQuery(query)
	if err != nil {
		v = url.Values{}
	}
	pragmas := strings.Join(v["_pragma"], ",")
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		name, _, _ := strings.Cut(p, "(")
		if !strings.Contains(pragmas, name) {
			v.Add("_pragma", p)
		}
	}
	if v.Get("_txlock") == "" {
		v.Set("_txlock", "immediate")
	}
	return path + "?" + v.Encode()
}
