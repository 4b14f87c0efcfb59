package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"golang.org/x/crypto/bcrypt"
)

// ErrUserNotFound is returned by a UserStore when no user matches.
var ErrUserNotFound = errors.New("models: user not found")

// UserStore finds the users that log in. ginurin calls it on /login and, for
// stores that are not SQLUserStores, on every authenticated request.
//
// A store returns nil, ErrUserNotFound when no user matches; any other error
// is taken as a system failure (the request answers 503, nothing changes).
// Methods are called concurrently from request goroutines.
type UserStore interface {
	// UserByUsername returns the user with PasswordHash set, for login.
	UserByUsername(ctx context.Context, username string) (*User, error)
	// UserByID returns the user without its password hash.
	UserByID(ctx context.Context, id int64) (*User, error)
	// RecordLogin stores the time of a successful login; stores without such
	// a field return nil.
	RecordLogin(ctx context.Context, id int64, at time.Time) error
}

// SQLUserStore is a UserStore whose users live in a table of the token
// database. ginurin finds it by type assertion and then loads token, client
// and user with one query per authenticated request, and points the tokens'
// foreign key (ON DELETE CASCADE) at that table.
type SQLUserStore interface {
	UserStore
	UserSchema() UserSchema
}

// PasswordChecker is an optional UserStore capability for tables whose
// password hashes are not bcrypt: CheckPassword reports whether password
// matches user's hash and must take the same time whether or not it does.
// Without it, ginurin compares bcrypt hashes.
type PasswordChecker interface {
	CheckPassword(user *User, password string) bool
}

// UserSchema names a users table and its columns. Column fields left empty
// are treated as absent: no IsStaff column means nobody is staff, no
// LastLogin column means logins are not recorded.
type UserSchema struct {
	Table        string // required
	ID           string // required: integer primary key
	Username     string // required: unique
	PasswordHash string // required for login
	IsActive     string // optional: absent means every user is active
	IsStaff      string // optional
	DateJoined   string // optional
	LastLogin    string // optional
}

// DefaultUserSchema describes ginurin's own ginurin_users table, which
// Migrate creates only when this schema is in use.
func DefaultUserSchema() UserSchema {
	return UserSchema{
		Table: "ginurin_users", ID: "id", Username: "username", PasswordHash: "password_hash",
		IsActive: "is_active", IsStaff: "is_staff", DateJoined: "date_joined", LastLogin: "last_login",
	}
}

// IsDefault reports whether s is ginurin's own users table.
func (s UserSchema) IsDefault() bool { return s == DefaultUserSchema() }

// Validate checks that the required names are present.
func (s UserSchema) Validate() error {
	if s.Table == "" || s.ID == "" || s.Username == "" || s.PasswordHash == "" {
		return errors.New("models: a UserSchema needs Table, ID, Username and PasswordHash")
	}
	return nil
}

// ident quotes a column or table name for db's dialect.
func ident(db bun.IDB, name string) string {
	return string(dialect.AppendIdent(nil, name, db.Dialect().IdentQuote()))
}

// SelectColumns returns the SQL column list for the user fields, each
// prefixed with alias, in the order ScanTargets expects. The password hash
// is included only when withPassword is set. Absent columns read as
// constants (TRUE for is_active, FALSE for is_staff, NULL for times).
func (s UserSchema) SelectColumns(db bun.IDB, alias string, withPassword bool) string {
	col := func(name, absent string) string {
		if name == "" {
			return absent
		}
		return alias + "." + ident(db, name)
	}
	cols := []string{
		col(s.ID, ""), col(s.Username, ""),
		col(s.IsActive, "1=1"), col(s.IsStaff, "1=0"),
		col(s.DateJoined, "NULL"), col(s.LastLogin, "NULL"),
	}
	if withPassword {
		cols = append(cols, col(s.PasswordHash, ""))
	}
	return strings.Join(cols, ", ")
}

// UserScan receives a row selected with SelectColumns.
type UserScan struct {
	joined, last sql.NullTime
}

// Targets returns the scan destinations for u, matching SelectColumns.
func (us *UserScan) Targets(u *User, withPassword bool) []any {
	t := []any{&u.ID, &u.Username, &u.IsActive, &u.IsStaff, &us.joined, &us.last}
	if withPassword {
		t = append(t, &u.PasswordHash)
	}
	return t
}

// Finish copies the nullable times into u after a successful scan.
func (us *UserScan) Finish(u *User) {
	if us.joined.Valid {
		u.DateJoined = us.joined.Time.UTC()
	}
	if us.last.Valid {
		t := us.last.Time.UTC()
		u.LastLogin = &t
	}
}

// TableUsers is the SQL UserStore: users in a table of the ginurin database,
// by default ginurin_users. Give a Schema to use an application's own table.
type TableUsers struct {
	DB     bun.IDB
	Schema UserSchema // zero value: DefaultUserSchema()
}

// UserSchema implements SQLUserStore.
func (s *TableUsers) UserSchema() UserSchema {
	if s.Schema == (UserSchema{}) {
		return DefaultUserSchema()
	}
	return s.Schema
}

func (s *TableUsers) one(ctx context.Context, column string, arg any, withPassword bool) (*User, error) {
	if str, ok := arg.(string); ok && hasNUL(str) {
		return nil, ErrUserNotFound
	}
	sc := s.UserSchema()
	q := "SELECT " + sc.SelectColumns(s.DB, "u", withPassword) + " FROM " + ident(s.DB, sc.Table) +
		" AS u WHERE u." + ident(s.DB, column) + " = ?"
	var u User
	var scan UserScan
	err := s.DB.QueryRowContext(ctx, q, arg).Scan(scan.Targets(&u, withPassword)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: load user: %w", err)
	}
	scan.Finish(&u)
	return &u, nil
}

// UserByUsername implements UserStore.
func (s *TableUsers) UserByUsername(ctx context.Context, username string) (*User, error) {
	return s.one(ctx, s.UserSchema().Username, username, true)
}

// UserByID implements UserStore.
func (s *TableUsers) UserByID(ctx context.Context, id int64) (*User, error) {
	return s.one(ctx, s.UserSchema().ID, id, false)
}

// RecordLogin implements UserStore.
func (s *TableUsers) RecordLogin(ctx context.Context, id int64, at time.Time) error {
	sc := s.UserSchema()
	if sc.LastLogin == "" {
		return nil
	}
	_, err := s.DB.ExecContext(ctx, "UPDATE "+ident(s.DB, sc.Table)+" SET "+ident(s.DB, sc.LastLogin)+
		" = ? WHERE "+ident(s.DB, sc.ID)+" = ?", at.UTC(), id)
	if err != nil {
		return fmt.Errorf("models: record login: %w", err)
	}
	return nil
}

// HashPassword returns a bcrypt hash of password at the given cost
// (bcrypt.DefaultCost when cost is 0).
func HashPassword(password string, cost int) (string, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("models: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches a bcrypt hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
