package models_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
)

func TestClients(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		web := &models.Client{Name: "web", TokenTTL: time.Hour}
		require.NoError(t, models.CreateClient(ctx, db, web))
		assert.NotZero(t, web.ID)
		assert.ErrorIs(t, models.CreateClient(ctx, db, &models.Client{Name: "web", TokenTTL: time.Hour}), models.ErrClientExists)
		var fe *models.FieldError
		require.ErrorAs(t, models.CreateClient(ctx, db, &models.Client{Name: "x", TokenTTL: time.Hour, ThrottleRate: "2/minute"}), &fe)
		assert.Equal(t, "throttle_rate", fe.Field)

		got, err := models.ClientByName(ctx, db, "web")
		require.NoError(t, err)
		assert.Equal(t, time.Hour, got.TokenTTL)
		_, err = models.ClientByName(ctx, db, "nope")
		assert.ErrorIs(t, err, models.ErrClientNotFound)

		got.ThrottleRate = "5/m"
		require.NoError(t, models.UpdateClient(ctx, db, got))
		list, err := models.ListClients(ctx, db)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "5/m", list[0].ThrottleRate)

		id, err := models.DeleteClient(ctx, db, "web")
		require.NoError(t, err)
		assert.Equal(t, web.ID, id)
		_, err = models.DeleteClient(ctx, db, "web")
		assert.ErrorIs(t, err, models.ErrClientNotFound)
	})
}

func TestUsersAndCascade(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		u, err := models.CreateUser(ctx, db, "alice", "pw", true, 4)
		require.NoError(t, err)
		assert.True(t, u.IsStaff && u.IsActive)
		assert.NotContains(t, u.PasswordHash, "pw")
		_, err = models.CreateUser(ctx, db, "alice", "pw", false, 4)
		assert.ErrorIs(t, err, models.ErrUserExists)
		_, err = models.CreateUser(ctx, db, "bad name", "pw", false, 4)
		assert.ErrorIs(t, err, models.ErrInvalid)
		_, err = models.CreateUser(ctx, db, "bob", "", false, 4)
		assert.ErrorIs(t, err, models.ErrInvalid)

		store := &models.TableUsers{DB: db}
		found, err := store.UserByUsername(ctx, "alice")
		require.NoError(t, err)
		assert.True(t, models.CheckPassword(found.PasswordHash, "pw"))
		assert.False(t, found.DateJoined.IsZero())
		byID, err := store.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.Empty(t, byID.PasswordHash, "UserByID never loads the hash")
		_, err = store.UserByUsername(ctx, "nobody")
		assert.ErrorIs(t, err, models.ErrUserNotFound)

		web := &models.Client{Name: "web", TokenTTL: time.Hour}
		cli := &models.Client{Name: "cli", TokenTTL: time.Hour}
		require.NoError(t, models.CreateClient(ctx, db, web))
		require.NoError(t, models.CreateClient(ctx, db, cli))
		q := models.NewTokenQueries(db, store)
		now := time.Now()
		_, err = q.Issue(ctx, u.ID, web, "k1", now, true, false)
		require.NoError(t, err)
		_, err = q.Issue(ctx, u.ID, cli, "k2", now, true, false)
		require.NoError(t, err)
		count := func() int {
			n, err := db.NewSelect().Model((*models.AuthToken)(nil)).Count(ctx)
			require.NoError(t, err)
			return int(n)
		}
		require.Equal(t, 2, count())
		_, err = models.DeleteClient(ctx, db, "web")
		require.NoError(t, err)
		assert.Equal(t, 1, count(), "deleting a client deletes its tokens")
		_, err = db.NewDelete().Model((*models.User)(nil)).Where("id = ?", u.ID).Exec(ctx)
		require.NoError(t, err)
		assert.Equal(t, 0, count(), "deleting a user deletes its tokens")
	})
}

func TestUniqueUserClientPair(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		u, err := models.CreateUser(ctx, db, "alice", "pw", false, 4)
		require.NoError(t, err)
		c := &models.Client{Name: "web", TokenTTL: time.Hour}
		require.NoError(t, models.CreateClient(ctx, db, c))
		now := time.Now().UTC()
		_, err = db.NewInsert().Model(&models.AuthToken{UserID: u.ID, ClientID: c.ID, Token: "a", Created: now, Expiry: now}).Exec(ctx)
		require.NoError(t, err)
		_, err = db.NewInsert().Model(&models.AuthToken{UserID: u.ID, ClientID: c.ID, Token: "b", Created: now, Expiry: now}).Exec(ctx)
		assert.Error(t, err, "the database refuses a second token for one user+client pair")
	})
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			url := b.URL(t)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := models.Open(url)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					errs[i] = models.Migrate(context.Background(), db, models.DefaultUserSchema())
				}()
			}
			wg.Wait()
			for _, err := range errs {
				assert.NoError(t, err)
			}
			db := testdb.Open(t, url) // migrates once more
			var n int
			require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM ginurin_migrations").Scan(&n))
			assert.Equal(t, 2, n, "every migration step recorded once")
		})
	}
}

func TestOpenSQLiteDSN(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := models.Open(path)
	require.NoError(t, err)
	defer db.Close()
	var mode string
	require.NoError(t, db.QueryRow("PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)
	var fk, busy int
	require.NoError(t, db.QueryRow("PRAGMA foreign_keys").Scan(&fk))
	require.NoError(t, db.QueryRow("PRAGMA busy_timeout").Scan(&busy))
	assert.Equal(t, 1, fk)
	assert.Equal(t, 5000, busy)
	assert.True(t, models.IsPostgresURL("postgresql://x"))
	assert.False(t, models.IsPostgresURL("file:x.db"))
}

func TestCustomUserTable(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := models.Open(b.URL(t))
			require.NoError(t, err)
			defer db.Close()
			_, err = db.ExecContext(ctx, `CREATE TABLE accounts (
				account_id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE,
				pw VARCHAR(200) NOT NULL, enabled BOOLEAN NOT NULL)`)
			require.NoError(t, err)
			schema := models.UserSchema{Table: "accounts", ID: "account_id", Username: "email", PasswordHash: "pw", IsActive: "enabled"}
			require.NoError(t, models.Migrate(ctx, db, schema))
			var usersTables int
			require.NoError(t, db.QueryRowContext(ctx, tableExistsSQL(db), "ginurin_users").Scan(&usersTables))
			assert.Zero(t, usersTables, "ginurin_users is not created for a custom schema")

			hash, err := models.HashPassword("pw", 4)
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, "INSERT INTO accounts (account_id, email, pw, enabled) VALUES (7, 'a@example.com', ?, ?)", hash, true)
			require.NoError(t, err)
			store := &models.TableUsers{DB: db, Schema: schema}
			u, err := store.UserByUsername(ctx, "a@example.com")
			require.NoError(t, err)
			assert.Equal(t, int64(7), u.ID)
			assert.True(t, u.IsActive)
			assert.False(t, u.IsStaff, "no staff column: nobody is staff")
			assert.Nil(t, u.LastLogin)
			require.NoError(t, store.RecordLogin(ctx, 7, time.Now()), "no last-login column: nothing to do")

			c := &models.Client{Name: "web", TokenTTL: time.Hour}
			require.NoError(t, models.CreateClient(ctx, db, c))
			q := models.NewTokenQueries(db, store)
			require.True(t, q.JoinsUsers())
			_, err = q.Issue(ctx, 7, c, "key", time.Now(), true, false)
			require.NoError(t, err)
			tok, err := q.Lookup(ctx, "key")
			require.NoError(t, err)
			assert.Equal(t, "a@example.com", tok.User.Username)
			assert.Equal(t, "web", tok.Client.Name)
			_, err = q.Lookup(ctx, "other")
			assert.True(t, errors.Is(err, models.ErrTokenNotFound))

			_, err = db.ExecContext(ctx, "DELETE FROM accounts WHERE account_id = 7")
			require.NoError(t, err)
			_, err = q.Lookup(ctx, "key")
			assert.ErrorIs(t, err, models.ErrTokenNotFound, "the foreign key cascades to the app's table")
		})
	}
}

func tableExistsSQL(db *bun.DB) string {
	if db.Dialect().Name().String() == "pg" {
		return "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	}
	return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
}

func TestMigrateRefusesSQLiteWithoutForeignKeys(t *testing.T) {
	sqldb, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "nofk.db"))
	require.NoError(t, err)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	defer db.Close()
	err = models.Migrate(context.Background(), db, models.DefaultUserSchema())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "foreign keys are off")
}
