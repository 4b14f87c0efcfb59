package ginurin

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/signals"
)

// Errors that callers branch on. Any other error returned by Auth is a
// system failure (database, network) and is wrapped with %w.
var (
	// ErrInvalidCredentials: unknown username, wrong password or inactive
	// user at login; deliberately one error for all three.
	ErrInvalidCredentials = errors.New("ginurin: unable to log in with provided credentials")
	// ErrInvalidToken: malformed, unknown or revoked token.
	ErrInvalidToken = errors.New("ginurin: invalid token")
	// ErrTokenExpired: the token existed but had expired; it has been deleted.
	ErrTokenExpired = errors.New("ginurin: token has expired")
	// ErrUserInactive: the token's user is inactive or no longer exists.
	ErrUserInactive = errors.New("ginurin: user inactive or deleted")
)

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_]{0,16}$`)

// Auth is ginurin's token service: it logs users in, authenticates
// requests, renews and revokes tokens, and emits the events. Build it once
// with New and share it; it is safe for concurrent use.
type Auth struct {
	db        *bun.DB
	cfg       Config
	format    tokenFormat
	tokens    *models.TokenQueries
	dummyHash string
	bg        *background
	cached    cacheState // CachedMiddleware's cache, see cached.go
}

// New builds an Auth on db with cfg (see Config for the defaults). It does
// not touch the database; run models.Migrate first. Call Close when done
// with it, to record the pending last uses and stop interval pruning.
func New(db *bun.DB, cfg Config) (*Auth, error) {
	if db == nil {
		return nil, errors.New("ginurin: New needs a *bun.DB")
	}
	cfg.fillDefaults()
	if cfg.TokenLength < 64 || cfg.TokenLength%2 != 0 || cfg.TokenLength > 256 {
		return nil, fmt.Errorf("ginurin: TokenLength must be an even number from 64 to 256, got %d", cfg.TokenLength)
	}
	if !prefixPattern.MatchString(cfg.TokenPrefix) {
		return nil, errors.New("ginurin: TokenPrefix must be at most 16 characters of [A-Za-z0-9_]")
	}
	if cfg.StorageMode != StorageDigest && cfg.StorageMode != StoragePlain {
		return nil, fmt.Errorf("ginurin: StorageMode must be %q or %q, got %q", StorageDigest, StoragePlain, cfg.StorageMode)
	}
	if cfg.DefaultTokenTTL < 0 {
		return nil, errors.New("ginurin: DefaultTokenTTL must be positive")
	}
	if cfg.PruneInterval < 0 || cfg.PruneBatchSize < 0 {
		return nil, errors.New("ginurin: PruneInterval and PruneBatchSize must not be negative")
	}
	if err := cfg.validateCache(); err != nil {
		return nil, err
	}
	if cfg.Users == nil {
		cfg.Users = &models.TableUsers{DB: db}
	}
	dummy, err := models.HashPassword("ginurin dummy password", cfg.PasswordHashCost)
	if err != nil {
		return nil, err
	}
	a := &Auth{
		db:        db,
		cfg:       cfg,
		format:    tokenFormat{prefix: cfg.TokenPrefix, randomLen: cfg.TokenLength},
		tokens:    models.NewTokenQueries(db, cfg.Users),
		dummyHash: dummy,
		bg:        newBackground(),
	}
	if cfg.PruneInterval > 0 {
		a.bg.mu.Lock()
		a.bg.startLocked(func() { a.pruneEvery(cfg.PruneInterval) })
		a.bg.mu.Unlock()
	}
	return a, nil
}

// DB returns the database the Auth was built on.
func (a *Auth) DB() *bun.DB { return a.db }

// Config returns the configuration with its defaults filled in.
func (a *Auth) Config() Config { return a.cfg }

// Signals returns the event bus; subscribe to it with signals.Subscribe.
func (a *Auth) Signals() *signals.Bus { return a.cfg.Signals }

// Tokens returns the token queries, for routes that list or delete tokens.
func (a *Auth) Tokens() *models.TokenQueries { return a.tokens }

// Now returns the current time from the configured clock, in UTC.
func (a *Auth) Now() time.Time { return a.cfg.Now().UTC() }

// FormatTime renders t in UTC with Config.ExpiryFormat.
func (a *Auth) FormatTime(t time.Time) string { return t.UTC().Format(a.cfg.ExpiryFormat) }

// CheckCredentials returns the active user with this username and password,
// or ErrInvalidCredentials. It hashes a dummy password when the username is
// unknown, so both cases take the same time.
func (a *Auth) CheckCredentials(ctx context.Context, username, password string) (*models.User, error) {
	user, err := a.cfg.Users.UserByUsername(ctx, username)
	if errors.Is(err, models.ErrUserNotFound) {
		models.CheckPassword(a.dummyHash, password)
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("ginurin: find user: %w", err)
	}
	var ok bool
	if pc, isChecker := a.cfg.Users.(models.PasswordChecker); isChecker {
		ok = pc.CheckPassword(user, password)
	} else {
		ok = models.CheckPassword(user.PasswordHash, password)
	}
	if !ok || !user.IsActive {
		return nil, ErrInvalidCredentials
	}
	user.PasswordHash = ""
	return user, nil
}

// Issued is the result of a login: the token to hand to the client, once,
// and its session.
type Issued struct {
	// Token is the token string. In digest mode it exists nowhere else.
	Token string
	// Session is the stored token, with Client and User set and an empty
	// Token field.
	Session *models.AuthToken
	// Created tells whether the login started a new session.
	Created bool
}

// Login issues the token of user for client: a new session, or the pair's
// existing one (see StorageMode and Config.RefreshTokenOnLogin). Concurrent
// logins of one pair all succeed and leave one session. It emits
// TokenCreated for a new session, TokenRenewed when refresh on login moved
// the expiry, then Login.
func (a *Auth) Login(ctx context.Context, user *models.User, client *models.Client) (*Issued, error) {
	token, err := a.format.generate()
	if err != nil {
		return nil, err
	}
	now := a.Now().Truncate(time.Microsecond)
	rotate := a.cfg.StorageMode == StorageDigest
	t, err := a.tokens.Issue(ctx, user.ID, client, a.storageKey(token), now, rotate, a.cfg.RefreshTokenOnLogin)
	if err == nil && !rotate && !a.format.valid(t.Token) {
		// Plain mode found a session whose stored value is no token of
		// this format (a digest left by digest mode, another prefix or
		// length): it cannot be handed out, so replace it.
		rotate = true
		t, err = a.tokens.Issue(ctx, user.ID, client, a.storageKey(token), now, true, a.cfg.RefreshTokenOnLogin)
	}
	if err != nil {
		return nil, fmt.Errorf("ginurin: login: %w", err)
	}
	if !rotate {
		token = t.Token // plain mode keeps an existing session's token
	}
	t.Token, t.User = "", user
	created := t.Created.Equal(now)
	if rotate || a.cfg.RefreshTokenOnLogin {
		// The session's previous string stopped working, or its expiry
		// moved. (A brand-new session has nothing cached; telling is
		// cheaper than being sure.)
		a.invalidate(ctx, Invalidation{TokenIDs: []int64{t.ID}})
	}
	if created {
		signals.Emit(ctx, a.cfg.Signals, signals.TokenCreated{Token: t})
	} else if a.cfg.RefreshTokenOnLogin {
		signals.Emit(ctx, a.cfg.Signals, signals.TokenRenewed{Token: t})
	}
	if err := a.cfg.Users.RecordLogin(ctx, user.ID, now); err != nil {
		a.cfg.Logger.WarnContext(ctx, "ginurin: could not record last login", "user_id", user.ID, "error", err)
	}
	signals.Emit(ctx, a.cfg.Signals, signals.Login{User: user, Client: client, Token: t, Created: created})
	return &Issued{Token: token, Session: t, Created: created}, nil
}

// Authenticate returns the session of token with its user and client. A
// malformed token is rejected without a query; a well-formed one costs one
// query when the users live in a SQLUserStore. An expired token is deleted,
// TokenExpired is emitted, and ErrTokenExpired returned. Other outcomes:
// ErrInvalidToken, ErrUserInactive, or a wrapped system error. On success
// the token's last use is handed to a background writer when the recorded
// one is older than Config.LastUsedInterval; that adds no query and no
// wait to the request.
func (a *Auth) Authenticate(ctx context.Context, token string) (*models.AuthToken, error) {
	if !a.format.valid(token) {
		return nil, ErrInvalidToken
	}
	return a.authenticateStored(ctx, a.storageKey(token))
}

// check applies the expiry and user rules to a loaded session.
func (a *Auth) check(ctx context.Context, t *models.AuthToken) (*models.AuthToken, error) {
	t.Token = ""
	if t.HasExpired(a.Now()) {
		deleted, err := a.tokens.DeleteExpired(ctx, t.ID, a.Now())
		if err != nil {
			return nil, fmt.Errorf("ginurin: authenticate: %w", err)
		}
		if deleted {
			a.invalidate(ctx, Invalidation{TokenIDs: []int64{t.ID}})
			signals.Emit(ctx, a.cfg.Signals, signals.TokenExpired{Token: t})
		}
		return nil, ErrTokenExpired
	}
	if t.User == nil {
		u, err := a.cfg.Users.UserByID(ctx, t.UserID)
		if errors.Is(err, models.ErrUserNotFound) {
			return nil, ErrUserInactive
		}
		if err != nil {
			return nil, fmt.Errorf("ginurin: authenticate: %w", err)
		}
		t.User = u
	}
	if !t.User.IsActive {
		return nil, ErrUserInactive
	}
	return t, nil
}

// Renew moves the session's expiry to now + its client's TTL, keeping the
// token, and emits TokenRenewed. A session deleted meanwhile gives
// ErrInvalidToken.
func (a *Auth) Renew(ctx context.Context, t *models.AuthToken) error {
	old := t.Expiry
	expiry := a.Now().Add(t.Client.TokenTTL).Truncate(time.Microsecond)
	if err := a.tokens.SetExpiry(ctx, t.ID, expiry); err != nil {
		if errors.Is(err, models.ErrTokenNotFound) {
			return ErrInvalidToken
		}
		return fmt.Errorf("ginurin: renew: %w", err)
	}
	t.Expiry = expiry
	a.invalidate(ctx, Invalidation{TokenIDs: []int64{t.ID}})
	signals.Emit(ctx, a.cfg.Signals, signals.TokenRenewed{Token: t, OldExpiry: old})
	return nil
}

// Revoke deletes one session and emits Logout. Revoking a session that is
// already gone is not an error and emits nothing.
func (a *Auth) Revoke(ctx context.Context, t *models.AuthToken) error {
	err := a.tokens.Delete(ctx, t.ID)
	if errors.Is(err, models.ErrTokenNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ginurin: revoke: %w", err)
	}
	a.loggedOut(ctx, t.UserID, t.ID)
	return nil
}

// loggedOut finishes the revocation of one committed token deletion: the
// cached authentications of the token are dropped here and on every
// instance, then Logout is emitted. Every path that deletes one token
// (logout, session and API-access delete, admin revoke) ends here.
func (a *Auth) loggedOut(ctx context.Context, userID, tokenID int64) {
	a.invalidate(ctx, Invalidation{TokenIDs: []int64{tokenID}})
	signals.Emit(ctx, a.cfg.Signals, signals.Logout{UserID: userID, TokenIDs: []int64{tokenID}})
}

// RevokeAll deletes every session of a user in one statement and emits
// Logout with All set.
func (a *Auth) RevokeAll(ctx context.Context, userID int64) error {
	ids, err := a.tokens.DeleteForUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("ginurin: revoke all: %w", err)
	}
	a.invalidate(ctx, Invalidation{UserIDs: []int64{userID}})
	signals.Emit(ctx, a.cfg.Signals, signals.Logout{UserID: userID, TokenIDs: ids, All: true})
	return nil
}

// NewClient returns a client named name with the given TTL (0:
// Config.DefaultTokenTTL) and throttle rate, validated and stored.
func (a *Auth) NewClient(ctx context.Context, name string, ttl time.Duration, throttleRate string) (*models.Client, error) {
	if ttl == 0 {
		ttl = a.cfg.DefaultTokenTTL
	}
	c := &models.Client{Name: name, TokenTTL: ttl, ThrottleRate: throttleRate}
	if err := models.CreateClient(ctx, a.db, c); err != nil {
		return nil, err
	}
	return c, nil
}

// SetUserActive activates or deactivates a user of ginurin's own users
// table by username; models.ErrUserNotFound when there is none. A
// deactivated user's tokens are refused from the next request on.
func (a *Auth) SetUserActive(ctx context.Context, username string, active bool) error {
	id, err := models.SetUserActive(ctx, a.db, username, active)
	if err != nil {
		return err
	}
	if !active {
		a.invalidate(ctx, Invalidation{UserIDs: []int64{id}})
	}
	return nil
}

// DeleteClient deletes the named client and, in the same statement, its
// tokens; models.ErrClientNotFound when there is none.
func (a *Auth) DeleteClient(ctx context.Context, name string) error {
	id, err := models.DeleteClient(ctx, a.db, name)
	if err != nil {
		return err
	}
	a.invalidate(ctx, Invalidation{ClientIDs: []int64{id}})
	return nil
}
