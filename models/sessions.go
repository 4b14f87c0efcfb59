package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// ErrTokenExists is returned by IssueIfAbsent when the user already holds
// an unexpired token for the client.
var ErrTokenExists = errors.New("models: a token already exists for this user and client")

// sessionColumns selects a token with its client, in the order scanSession
// expects.
const sessionColumns = "t.id, t.user_id, t.client_id, t.token, t.created, t.expiry, t.last_used, " +
	"c.id, c.name, c.token_ttl, c.throttle_rate"

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanSession reads one row selected with sessionColumns; times come back
// in UTC.
func scanSession(row rowScanner) (*AuthToken, error) {
	t := &AuthToken{Client: new(Client)}
	var last sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.ClientID, &t.Token, &t.Created, &t.Expiry, &last,
		&t.Client.ID, &t.Client.Name, &t.Client.TokenTTL, &t.Client.ThrottleRate); err != nil {
		return nil, err
	}
	t.Created, t.Expiry = t.Created.UTC(), t.Expiry.UTC()
	if last.Valid {
		lu := last.Time.UTC()
		t.LastUsed = &lu
	}
	return t, nil
}

// exceptClause returns " AND <clientIDColumn> NOT IN (clients named names)",
// or "" when names is empty.
func exceptClause(clientIDColumn string, names []string) (string, []any) {
	if len(names) == 0 {
		return "", nil
	}
	return " AND " + clientIDColumn + " NOT IN (SELECT id FROM ginurin_clients WHERE name IN (?))", []any{bun.In(names)}
}

// ListForUser returns every token of userID with its client, oldest first,
// leaving out the tokens of the clients named in exceptClients. Expired
// tokens not yet deleted are included. One query.
func (q *TokenQueries) ListForUser(ctx context.Context, userID int64, exceptClients ...string) ([]*AuthToken, error) {
	except, args := exceptClause("t.client_id", exceptClients)
	rows, err := q.db.QueryContext(ctx, "SELECT "+sessionColumns+
		" FROM ginurin_auth_tokens AS t JOIN ginurin_clients AS c ON c.id = t.client_id"+
		" WHERE t.user_id = ?"+except+" ORDER BY t.created, t.id", append([]any{userID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("models: list tokens: %w", err)
	}
	defer rows.Close()
	var out []*AuthToken
	for rows.Next() {
		t, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("models: list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: list tokens: %w", err)
	}
	return out, nil
}

// ForUserClient returns the token of userID for the client named
// clientName, with its client; ErrTokenNotFound when there is none. An
// expired token not yet deleted is returned. One query.
func (q *TokenQueries) ForUserClient(ctx context.Context, userID int64, clientName string) (*AuthToken, error) {
	t, err := scanSession(q.db.QueryRowContext(ctx, "SELECT "+sessionColumns+
		" FROM ginurin_auth_tokens AS t JOIN ginurin_clients AS c ON c.id = t.client_id"+
		" WHERE t.user_id = ? AND c.name = ?", userID, clientName))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrTokenNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load token: %w", err)
	}
	return t, nil
}

// DeleteForUserByID removes token id only if it belongs to userID and not
// to one of the clients named in exceptClients, in one statement;
// ErrTokenNotFound otherwise, so a caller cannot learn whether another
// user's token exists.
func (q *TokenQueries) DeleteForUserByID(ctx context.Context, userID, id int64, exceptClients ...string) error {
	except, args := exceptClause("client_id", exceptClients)
	res, err := q.db.ExecContext(ctx, "DELETE FROM ginurin_auth_tokens WHERE id = ? AND user_id = ?"+except,
		append([]any{id, userID}, args...)...)
	if err != nil {
		return fmt.Errorf("models: delete token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrTokenNotFound
	}
	return nil
}

// DeleteForUserClient removes the token of userID for the client named
// clientName in one statement and returns its ID; ErrTokenNotFound when
// there is none.
func (q *TokenQueries) DeleteForUserClient(ctx context.Context, userID int64, clientName string) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, "DELETE FROM ginurin_auth_tokens WHERE user_id = ? AND client_id = "+
		"(SELECT id FROM ginurin_clients WHERE name = ?) RETURNING id", userID, clientName).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrTokenNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("models: delete token: %w", err)
	}
	return id, nil
}

// IssueIfAbsent stores key as the token of (userID, client) unless the pair
// already holds a token that has not expired by now, in which case it
// returns ErrTokenExists and changes nothing. An expired token of the pair
// is replaced as a new session. One atomic statement, safe under
// concurrent calls: at most one of them succeeds.
func (q *TokenQueries) IssueIfAbsent(ctx context.Context, userID int64, client *Client, key string, now time.Time) (*AuthToken, error) {
	now = now.UTC().Truncate(time.Microsecond)
	t := &AuthToken{UserID: userID, ClientID: client.ID, Client: client, Token: key}
	err := q.db.QueryRowContext(ctx, "INSERT INTO ginurin_auth_tokens AS t (user_id, client_id, token, created, expiry) "+
		"VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, client_id) DO UPDATE SET "+
		"token = EXCLUDED.token, created = EXCLUDED.created, expiry = EXCLUDED.expiry, last_used = NULL "+
		"WHERE t.expiry <= EXCLUDED.created RETURNING id, created, expiry",
		userID, client.ID, key, now, now.Add(client.TokenTTL)).Scan(&t.ID, &t.Created, &t.Expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrTokenExists
	}
	if err != nil {
		return nil, fmt.Errorf("models: issue token: %w", err)
	}
	t.Created, t.Expiry = t.Created.UTC(), t.Expiry.UTC()
	return t, nil
}

// maxTouchBatch bounds the size of one SetLastUsed statement.
const maxTouchBatch = 500

// SetLastUsed writes the last-used time of many tokens, in one statement
// per 500 tokens. Tokens deleted meanwhile are skipped silently.
func (q *TokenQueries) SetLastUsed(ctx context.Context, at map[int64]time.Time) error {
	if len(at) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(at))
	for id := range at {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	// PostgreSQL needs the type of the CASE branches; SQLite has no
	// TIMESTAMPTZ and stores the literal as bun writes it elsewhere.
	placeholder := "?"
	if q.db.Dialect().Name() == dialect.PG {
		placeholder = "CAST(? AS TIMESTAMPTZ)"
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), maxTouchBatch)]
		ids = ids[len(chunk):]
		var b strings.Builder
		args := make([]any, 0, 2*len(chunk)+1)
		b.WriteString("UPDATE ginurin_auth_tokens SET last_used = CASE id")
		for _, id := range chunk {
			b.WriteString(" WHEN ? THEN " + placeholder)
			args = append(args, id, at[id].UTC().Truncate(time.Microsecond))
		}
		b.WriteString(" END WHERE id IN (?)")
		args = append(args, bun.In(chunk))
		if _, err := q.db.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("models: record last use: %w", err)
		}
	}
	return nil
}

// DeleteExpiredBatch removes at most limit tokens whose expiry is at or
// before now, in one statement, and returns how many it removed.
func (q *TokenQueries) DeleteExpiredBatch(ctx context.Context, now time.Time, limit int) (int64, error) {
	res, err := q.db.ExecContext(ctx, "DELETE FROM ginurin_auth_tokens WHERE id IN "+
		"(SELECT id FROM ginurin_auth_tokens WHERE expiry <= ? ORDER BY id LIMIT ?)", now.UTC(), limit)
	if err != nil {
		return 0, fmt.Errorf("models: prune tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("models: prune tokens: %w", err)
	}
	return n, nil
}
