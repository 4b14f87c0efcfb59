package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"modernc.org/sqlite"
)

// Sentinel errors of the queries in this package.
var (
	ErrClientNotFound = errors.New("models: client not found")
	ErrClientExists   = errors.New("models: a client with that name already exists")
	ErrUserExists     = errors.New("models: a user with that username already exists")
	ErrTokenNotFound  = errors.New("models: token not found")
)

// hasNUL reports whether s holds a NUL byte. No stored name can (the
// validators refuse control characters), and Bun cannot put one in a
// query, so lookups answer "not found" for such input instead of failing.
func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// isUniqueViolation reports whether err is a unique-constraint failure on
// PostgreSQL (23505) or SQLite (SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY).
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		return sqliteErr.Code() == 2067 || sqliteErr.Code() == 1555
	}
	return false
}

// CreateClient validates c and inserts it, filling c.ID. A duplicate name
// is ErrClientExists; a bad field is a *FieldError.
func CreateClient(ctx context.Context, db bun.IDB, c *Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := db.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %q", ErrClientExists, c.Name)
		}
		return fmt.Errorf("models: create client: %w", err)
	}
	return nil
}

// UpdateClient validates c and saves its name, TTL and rate by ID.
func UpdateClient(ctx context.Context, db bun.IDB, c *Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	res, err := db.NewUpdate().Model(c).Column("name", "token_ttl", "throttle_rate").WherePK().Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %q", ErrClientExists, c.Name)
		}
		return fmt.Errorf("models: update client: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrClientNotFound
	}
	return nil
}

// ClientByName returns the named client, or ErrClientNotFound.
func ClientByName(ctx context.Context, db bun.IDB, name string) (*Client, error) {
	if hasNUL(name) {
		return nil, ErrClientNotFound
	}
	c := new(Client)
	err := db.NewSelect().Model(c).Where("c.name = ?", name).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrClientNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load client: %w", err)
	}
	return c, nil
}

// ListClients returns every client ordered by name.
func ListClients(ctx context.Context, db bun.IDB) ([]Client, error) {
	var cs []Client
	if err := db.NewSelect().Model(&cs).Order("c.name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("models: list clients: %w", err)
	}
	return cs, nil
}

// DeleteClient deletes the named client and, by cascade, its tokens, in one
// statement, and returns the client's ID; ErrClientNotFound when no client
// has that name. Callers that cache authentications must invalidate that
// client's sessions: ginurin.Auth.DeleteClient does.
func DeleteClient(ctx context.Context, db bun.IDB, name string) (int64, error) {
	if hasNUL(name) {
		return 0, ErrClientNotFound
	}
	var id int64
	err := db.NewDelete().Model((*Client)(nil)).Where("name = ?", name).Returning("id").Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrClientNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("models: delete client: %w", err)
	}
	return id, nil
}

// CreateUser inserts a user into ginurin's own users table with a bcrypt
// hash of password at cost (0: bcrypt's default). The password is never
// stored or logged in clear.
func CreateUser(ctx context.Context, db bun.IDB, username, password string, staff bool, cost int) (*User, error) {
	if err := ValidateUsername(username); err != nil {
		return nil, err
	}
	if password == "" {
		return nil, fieldErr("password", "must not be empty")
	}
	if len(password) > 72 {
		return nil, fieldErr("password", "must be at most 72 bytes (bcrypt reads no more)")
	}
	hash, err := HashPassword(password, cost)
	if err != nil {
		return nil, err
	}
	u := &User{Username: username, PasswordHash: hash, IsActive: true, IsStaff: staff, DateJoined: time.Now().UTC()}
	if _, err := db.NewInsert().Model(u).Returning("id").Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return nil, fmt.Errorf("%w: %q", ErrUserExists, username)
		}
		return nil, fmt.Errorf("models: create user: %w", err)
	}
	return u, nil
}

// SetUserActive sets is_active on a user of ginurin's own table and returns
// the user's ID; ErrUserNotFound when no user has that username.
func SetUserActive(ctx context.Context, db bun.IDB, username string, active bool) (int64, error) {
	if hasNUL(username) {
		return 0, ErrUserNotFound
	}
	var id int64
	err := db.NewUpdate().Model((*User)(nil)).Set("is_active = ?", active).
		Where("username = ?", username).Returning("id").Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrUserNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("models: update user: %w", err)
	}
	return id, nil
}

// TokenQueries runs the token statements for one database and users table.
// The SQL is built once; every method is a single round trip.
type TokenQueries struct {
	db        bun.IDB
	users     UserSchema
	joinUsers bool
	lookupSQL string
	issueSQL  string
}

// NewTokenQueries prepares the token statements. When users is a
// SQLUserStore, Lookup joins its table so token, client and user arrive in
// one query; otherwise Lookup leaves AuthToken.User nil.
func NewTokenQueries(db bun.IDB, users UserStore) *TokenQueries {
	q := &TokenQueries{db: db}
	if s, ok := users.(SQLUserStore); ok {
		q.users, q.joinUsers = s.UserSchema(), true
	}
	var b strings.Builder
	b.WriteString("SELECT t.id, t.user_id, t.client_id, t.token, t.created, t.expiry, t.last_used, " +
		"c.id, c.name, c.token_ttl, c.throttle_rate")
	if q.joinUsers {
		b.WriteString(", " + q.users.SelectColumns(db, "u", false))
	}
	b.WriteString(" FROM ginurin_auth_tokens AS t JOIN ginurin_clients AS c ON c.id = t.client_id")
	if q.joinUsers {
		b.WriteString(" JOIN " + ident(db, q.users.Table) + " AS u ON u." + ident(db, q.users.ID) + " = t.user_id")
	}
	b.WriteString(" WHERE t.token = ?")
	q.lookupSQL = b.String()

	// One atomic statement for every login, safe under concurrent first
	// logins: the unique (user_id, client_id) pair decides. An expired row
	// is replaced as a new session; the token string is replaced when
	// rotate is set (digest mode) and kept otherwise (plain mode).
	q.issueSQL = "INSERT INTO ginurin_auth_tokens AS t (user_id, client_id, token, created, expiry) " +
		"VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, client_id) DO UPDATE SET " +
		"token = CASE WHEN ? OR t.expiry <= EXCLUDED.created THEN EXCLUDED.token ELSE t.token END, " +
		"created = CASE WHEN t.expiry <= EXCLUDED.created THEN EXCLUDED.created ELSE t.created END, " +
		"last_used = CASE WHEN t.expiry <= EXCLUDED.created THEN NULL ELSE t.last_used END, " +
		"expiry = CASE WHEN ? OR t.expiry <= EXCLUDED.created THEN EXCLUDED.expiry ELSE t.expiry END " +
		"RETURNING id, token, created, expiry, last_used"
	return q
}

// JoinsUsers reports whether Lookup loads the user in the same query.
func (q *TokenQueries) JoinsUsers() bool { return q.joinUsers }

// Lookup loads the token stored as key with its client (and user, see
// NewTokenQueries) in one query; ErrTokenNotFound when there is none.
func (q *TokenQueries) Lookup(ctx context.Context, key string) (*AuthToken, error) {
	t := &AuthToken{Client: new(Client)}
	var last sql.NullTime
	dest := []any{&t.ID, &t.UserID, &t.ClientID, &t.Token, &t.Created, &t.Expiry, &last,
		&t.Client.ID, &t.Client.Name, &t.Client.TokenTTL, &t.Client.ThrottleRate}
	var us UserScan
	if q.joinUsers {
		t.User = new(User)
		dest = append(dest, us.Targets(t.User, false)...)
	}
	err := q.db.QueryRowContext(ctx, q.lookupSQL, key).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrTokenNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: look up token: %w", err)
	}
	if q.joinUsers {
		us.Finish(t.User)
	}
	t.Created, t.Expiry = t.Created.UTC(), t.Expiry.UTC()
	if last.Valid {
		lu := last.Time.UTC()
		t.LastUsed = &lu
	}
	return t, nil
}

// Issue creates the session of (userID, client) or reuses the existing one,
// atomically. key is the stored form of a fresh token. An existing session
// that has expired is replaced as new. Otherwise its token string is
// replaced by key when rotate is set and kept when not, and its expiry moves
// to now + TTL only when refresh is set. The returned token's Token field is
// what is stored: compare it with key to learn whether key was kept.
func (q *TokenQueries) Issue(ctx context.Context, userID int64, client *Client, key string, now time.Time, rotate, refresh bool) (*AuthToken, error) {
	now = now.UTC().Truncate(time.Microsecond)
	t := &AuthToken{UserID: userID, ClientID: client.ID, Client: client}
	var last sql.NullTime
	err := q.db.QueryRowContext(ctx, q.issueSQL, userID, client.ID, key, now, now.Add(client.TokenTTL), rotate, refresh).
		Scan(&t.ID, &t.Token, &t.Created, &t.Expiry, &last)
	if err != nil {
		return nil, fmt.Errorf("models: issue token: %w", err)
	}
	t.Created, t.Expiry = t.Created.UTC(), t.Expiry.UTC()
	if last.Valid {
		lu := last.Time.UTC()
		t.LastUsed = &lu
	}
	return t, nil
}

// SetExpiry moves a token's expiry; ErrTokenNotFound when it is gone.
func (q *TokenQueries) SetExpiry(ctx context.Context, id int64, expiry time.Time) error {
	res, err := q.db.NewUpdate().Model((*AuthToken)(nil)).Set("expiry = ?", expiry.UTC().Truncate(time.Microsecond)).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("models: renew token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrTokenNotFound
	}
	return nil
}

// Delete removes one token; ErrTokenNotFound when it was already gone.
func (q *TokenQueries) Delete(ctx context.Context, id int64) error {
	res, err := q.db.NewDelete().Model((*AuthToken)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("models: delete token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrTokenNotFound
	}
	return nil
}

// DeleteExpired removes one token if it has expired by now, and reports
// whether it did (false when a concurrent refresh or delete came first).
func (q *TokenQueries) DeleteExpired(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := q.db.NewDelete().Model((*AuthToken)(nil)).Where("id = ?", id).
		Where("expiry <= ?", now.UTC()).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("models: delete expired token: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteForUser removes every token of a user in one statement and returns
// the IDs it removed.
func (q *TokenQueries) DeleteForUser(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := q.db.NewDelete().Model((*AuthToken)(nil)).Where("user_id = ?", userID).Returning("id").Scan(ctx, &ids)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("models: delete user tokens: %w", err)
	}
	return ids, nil
}
