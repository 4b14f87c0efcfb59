package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// TokenFilter selects and pages the tokens of TokenQueries.List. Zero
// fields do not filter.
type TokenFilter struct {
	// ClientName keeps the tokens of the client with this name.
	ClientName string
	// Username keeps the tokens of the user with this username. It needs
	// the users to live in a SQLUserStore (see TokenQueries.JoinsUsers);
	// otherwise resolve the user and set UserID.
	Username string
	// UserID keeps the tokens of the user with this ID.
	UserID int64
	// Limit is the page size; 0 means no limit.
	Limit int
	// Offset skips that many tokens of the ordered list; it applies only
	// with a Limit.
	Offset int
}

// List returns a page of tokens matching f, newest first (then by ID), with
// Client set and, when the users live in a SQLUserStore, User set (without
// password hash); Token is always empty. total is the number of matching
// tokens, ignoring Limit and Offset. Two queries: a count and the page.
func (q *TokenQueries) List(ctx context.Context, f TokenFilter) (tokens []AuthToken, total int, err error) {
	if hasNUL(f.ClientName) || hasNUL(f.Username) {
		return nil, 0, nil // no stored name holds a NUL byte
	}
	if f.Username != "" && !q.joinUsers {
		return nil, 0, errors.New("models: filtering tokens by username needs a SQLUserStore; filter by UserID")
	}
	var from strings.Builder
	from.WriteString(" FROM ginurin_auth_tokens AS t JOIN ginurin_clients AS c ON c.id = t.client_id")
	if q.joinUsers {
		from.WriteString(" JOIN " + ident(q.db, q.users.Table) + " AS u ON u." + ident(q.db, q.users.ID) + " = t.user_id")
	}
	var where []string
	var args []any
	if f.ClientName != "" {
		where, args = append(where, "c.name = ?"), append(args, f.ClientName)
	}
	if f.Username != "" {
		where, args = append(where, "u."+ident(q.db, q.users.Username)+" = ?"), append(args, f.Username)
	}
	if f.UserID != 0 {
		where, args = append(where, "t.user_id = ?"), append(args, f.UserID)
	}
	if len(where) > 0 {
		from.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	if err := q.db.QueryRowContext(ctx, "SELECT COUNT(*)"+from.String(), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("models: count tokens: %w", err)
	}
	sel := "SELECT t.id, t.user_id, t.client_id, t.created, t.expiry, t.last_used, c.id, c.name, c.token_ttl, c.throttle_rate"
	if q.joinUsers {
		sel += ", " + q.users.SelectColumns(q.db, "u", false)
	}
	query := sel + from.String() + " ORDER BY t.created DESC, t.id DESC"
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	rows, err := q.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("models: list tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t := AuthToken{Client: new(Client)}
		var last sql.NullTime
		dest := []any{&t.ID, &t.UserID, &t.ClientID, &t.Created, &t.Expiry, &last,
			&t.Client.ID, &t.Client.Name, &t.Client.TokenTTL, &t.Client.ThrottleRate}
		var us UserScan
		if q.joinUsers {
			t.User = new(User)
			dest = append(dest, us.Targets(t.User, false)...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, fmt.Errorf("models: list tokens: %w", err)
		}
		if q.joinUsers {
			us.Finish(t.User)
		}
		t.Created, t.Expiry = t.Created.UTC(), t.Expiry.UTC()
		if last.Valid {
			lu := last.Time.UTC()
			t.LastUsed = &lu
		}
		tokens = append(tokens, t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("models: list tokens: %w", err)
	}
	return tokens, total, nil
}

// DeleteByID removes one token by ID and returns the ID of its user;
// ErrTokenNotFound when there is none.
func (q *TokenQueries) DeleteByID(ctx context.Context, id int64) (userID int64, err error) {
	err = q.db.NewDelete().Model((*AuthToken)(nil)).Where("id = ?", id).Returning("user_id").Scan(ctx, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrTokenNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("models: delete token: %w", err)
	}
	return userID, nil
}

// CountTokensByClient returns the number of stored tokens (expired ones
// included, until pruned) of every client that has any, by client ID.
func CountTokensByClient(ctx context.Context, db bun.IDB) (map[int64]int, error) {
	var rows []struct {
		ClientID int64 `bun:"client_id"`
		N        int   `bun:"n"`
	}
	err := db.NewSelect().Model((*AuthToken)(nil)).ColumnExpr("client_id, COUNT(*) AS n").
		Group("client_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("models: count tokens: %w", err)
	}
	counts := make(map[int64]int, len(rows))
	for _, r := range rows {
		counts[r.ClientID] = r.N
	}
	return counts, nil
}

// ListUsers returns a page of the users of the table described by s,
// ordered by username, without password hashes, and the total number of
// users. limit 0 means no limit (and offset is ignored).
func ListUsers(ctx context.Context, db bun.IDB, s UserSchema, limit, offset int) (users []User, total int, err error) {
	if err := s.Validate(); err != nil {
		return nil, 0, err
	}
	table := ident(db, s.Table) + " AS u"
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("models: count users: %w", err)
	}
	query := "SELECT " + s.SelectColumns(db, "u", false) + " FROM " + table + " ORDER BY u." + ident(db, s.Username)
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(offset, 0))
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, 0, fmt.Errorf("models: list users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u User
		var us UserScan
		if err := rows.Scan(us.Targets(&u, false)...); err != nil {
			return nil, 0, fmt.Errorf("models: list users: %w", err)
		}
		us.Finish(&u)
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("models: list users: %w", err)
	}
	return users, total, nil
}
