package models

import (
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/uptrace/bun"
)

// User is the default user model, stored in ginurin_users. Applications with
// their own users table describe it with a UserSchema instead; ginurin then
// reads the same fields from that table.
type User struct {
	bun.BaseModel `bun:"table:ginurin_users,alias:u"`

	ID       int64  `bun:"id,pk,autoincrement" json:"id"`
	Username string `bun:"username,notnull,unique" json:"username"`
	// PasswordHash is a bcrypt hash; it never leaves the server and is not
	// marshalled to JSON.
	PasswordHash string     `bun:"password_hash,notnull" json:"-"`
	IsActive     bool       `bun:"is_active,notnull" json:"is_active"`
	IsStaff      bool       `bun:"is_staff,notnull" json:"is_staff"`
	DateJoined   time.Time  `bun:"date_joined,notnull" json:"date_joined"`
	LastLogin    *time.Time `bun:"last_login,nullzero" json:"last_login"`
}

// Client is a named kind of API consumer ("web", "cli", "android"…) with its
// own token lifetime and optional throttle rate. Every token belongs to one
// client, and a user holds at most one token per client.
type Client struct {
	bun.BaseModel `bun:"table:ginurin_clients,alias:c"`

	ID int64 `bun:"id,pk,autoincrement" json:"id"`
	// Name is unique, 1 to 64 characters.
	Name string `bun:"name,notnull,unique" json:"name"`
	// TokenTTL is the lifetime of a new or renewed token for this client,
	// stored as nanoseconds.
	TokenTTL time.Duration `bun:"token_ttl,notnull" json:"token_ttl"`
	// ThrottleRate is "N/p" (p one of s, m, h, d), or "" to use the default
	// rate of the throttling middleware.
	ThrottleRate string `bun:"throttle_rate,notnull" json:"throttle_rate"`
}

// AuthToken is one session: a token of one user for one client. Token holds
// the token's digest (storage mode digest) or the token itself (plain).
type AuthToken struct {
	bun.BaseModel `bun:"table:ginurin_auth_tokens,alias:t"`

	ID       int64 `bun:"id,pk,autoincrement" json:"id"`
	UserID   int64 `bun:"user_id,notnull" json:"user_id"`
	ClientID int64 `bun:"client_id,notnull" json:"client_id"`
	// Token is never marshalled to JSON.
	Token   string    `bun:"token,notnull,unique" json:"-"`
	Created time.Time `bun:"created,notnull" json:"created"`
	Expiry  time.Time `bun:"expiry,notnull" json:"expiry"`
	// LastUsed is when the token last authenticated a request, written at
	// most once per interval; nil until first use.
	LastUsed *time.Time `bun:"last_used,nullzero" json:"last_used"`

	// User and Client are filled by the queries that load them; they are not
	// Bun relations because the users table is configurable.
	User   *User   `bun:"-" json:"-"`
	Client *Client `bun:"-" json:"-"`
}

// HasExpired reports whether the token's expiry is at or before now.
func (t *AuthToken) HasExpired(now time.Time) bool {
	return !now.Before(t.Expiry)
}

// ExpiresIn is the time left before the token expires; negative once it has.
func (t *AuthToken) ExpiresIn(now time.Time) time.Duration {
	return t.Expiry.Sub(now)
}

// ExpiresInStr is ExpiresIn in words ("1 day", "5 minutes"), as durin's
// expires_in_str: the same magnitude whether the expiry is ahead or behind
// (HasExpired tells which). The time is rounded to the second first, so a
// fresh 24h token reads "1 day", not "23 hours".
func (t *AuthToken) ExpiresInStr(now time.Time) string {
	return strings.TrimSpace(humanize.RelTime(now, now.Add(t.ExpiresIn(now).Round(time.Second)), "", ""))
}
