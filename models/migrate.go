package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// migration is one schema step. Each runs in its own transaction together
// with the row that records it, so a failed step leaves nothing behind.
type migration struct {
	version int
	name    string
	up      func(ctx context.Context, tx bun.Tx, users UserSchema) error
}

// migrations are applied in order; append only, never edit a released step.
var migrations = []migration{
	{1, "create users, clients and tokens", createTables},
	{2, "create the invalidations table of dbpoll", createInvalidations},
}

const migrationsTable = "ginurin_migrations"

// Migrate creates or upgrades ginurin's tables on PostgreSQL or SQLite.
// users names the users table the tokens refer to; ginurin_users is created
// only for DefaultUserSchema(). Concurrent callers (two instances starting
// at once, a CLI beside a server) are serialised: on PostgreSQL by an
// advisory lock, on SQLite by its write lock. Migrate is idempotent.
func Migrate(ctx context.Context, db *bun.DB, users UserSchema) error {
	if err := users.Validate(); err != nil {
		return err
	}
	if db.Dialect().Name() == dialect.SQLite {
		// Without foreign keys SQLite ignores ON DELETE CASCADE: deleting
		// a user or client would leave its tokens behind.
		var on int
		if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
			return fmt.Errorf("models: read PRAGMA foreign_keys: %w", err)
		}
		if on != 1 {
			return errors.New("models: SQLite foreign keys are off: open the database with models.Open, or add _pragma=foreign_keys(1) to the DSN of every connection")
		}
	}
	for _, m := range migrations {
		err := db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
			if db.Dialect().Name() == dialect.PG {
				// Released when the transaction ends.
				if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7340211)"); err != nil {
					return err
				}
			}
			// Inside the lock: concurrent CREATE TABLE IF NOT EXISTS races on PostgreSQL.
			if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+migrationsTable+
				" (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at TIMESTAMP NOT NULL)"); err != nil {
				return err
			}
			var n int
			err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+migrationsTable+" WHERE version = ?", m.version).Scan(&n)
			if err != nil || n > 0 {
				return err
			}
			if err := m.up(ctx, tx, users); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "INSERT INTO "+migrationsTable+" (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("models: migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func createTables(ctx context.Context, tx bun.Tx, users UserSchema) error {
	if users.IsDefault() {
		if _, err := tx.NewCreateTable().Model((*User)(nil)).IfNotExists().Exec(ctx); err != nil {
			return err
		}
	}
	if _, err := tx.NewCreateTable().Model((*Client)(nil)).IfNotExists().Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewCreateTable().Model((*AuthToken)(nil)).IfNotExists().
		ForeignKey("(user_id) REFERENCES ? (?) ON DELETE CASCADE", bun.Ident(users.Table), bun.Ident(users.ID)).
		ForeignKey("(client_id) REFERENCES ginurin_clients (id) ON DELETE CASCADE").
		Exec(ctx); err != nil {
		return err
	}
	for _, idx := range []struct {
		name    string
		unique  bool
		columns []string
	}{
		{"ginurin_auth_tokens_user_client_key", true, []string{"user_id", "client_id"}},
		{"ginurin_auth_tokens_client_idx", false, []string{"client_id"}},
		{"ginurin_auth_tokens_expiry_idx", false, []string{"expiry"}},
	} {
		q := tx.NewCreateIndex().Model((*AuthToken)(nil)).Index(idx.name).Column(idx.columns...).IfNotExists()
		if idx.unique {
			q = q.Unique()
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Invalidation is one message of the database-polling cache invalidation
// channel (package dbpoll): rows live for a minute or so.
type Invalidation struct {
	bun.BaseModel `bun:"table:ginurin_invalidations,alias:inv"`

	ID      int64     `bun:"id,pk,autoincrement"`
	Msg     string    `bun:"msg,notnull"`
	Created time.Time `bun:"created,notnull"`
}

func createInvalidations(ctx context.Context, tx bun.Tx, _ UserSchema) error {
	_, err := tx.NewCreateTable().Model((*Invalidation)(nil)).IfNotExists().Exec(ctx)
	return err
}
