package ginurin

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/signals"
)

// StorageMode says how tokens are kept in the database.
type StorageMode string

const (
	// StorageDigest keeps only a SHA-256 (or, with Config.DigestKey,
	// HMAC-SHA256) digest: a copy of the database reveals no usable token.
	// A repeated login for a user+client pair issues a fresh token string
	// for the same session, and the previous string stops working.
	StorageDigest StorageMode = "digest"
	// StoragePlain keeps the token as is, like durin: a repeated login
	// returns the existing token unchanged.
	StoragePlain StorageMode = "plain"
)

// DefaultExpiryFormat is RFC 3339 in UTC with microseconds, e.g.
// "2026-12-03T12:00:00.000000Z".
const DefaultExpiryFormat = "2006-01-02T15:04:05.000000Z07:00"

// Config configures an Auth. Every zero field takes the default stated on
// it, so Config{} is a working configuration.
type Config struct {
	// DefaultTokenTTL is the TTL of clients created without one (durin's
	// DEFAULT_TOKEN_TTL). Default 24h.
	DefaultTokenTTL time.Duration
	// TokenLength is the number of hex characters in a token's random part
	// (durin's TOKEN_CHARACTER_LENGTH): an even number of at least 64, i.e.
	// at least 256 bits from crypto/rand. Default 64.
	TokenLength int
	// TokenPrefix starts every token so secret scanners can spot it.
	// Default "gnr_". It must be at most 16 characters of [A-Za-z0-9_].
	TokenPrefix string
	// AuthHeaderPrefix is the scheme of "Authorization: <prefix> <token>",
	// compared case-insensitively (durin's AUTH_HEADER_PREFIX). It is also
	// the WWW-Authenticate challenge of every 401. Default "Token".
	AuthHeaderPrefix string
	// ExpiryFormat is the time layout of "expiry" in responses (durin's
	// EXPIRY_DATETIME_FORMAT); times are always rendered in UTC. Default
	// DefaultExpiryFormat.
	ExpiryFormat string
	// RefreshTokenOnLogin makes a repeated login also renew the session's
	// expiry (durin's REFRESH_TOKEN_ON_LOGIN). Default false.
	RefreshTokenOnLogin bool
	// StorageMode is StorageDigest (default) or StoragePlain.
	StorageMode StorageMode
	// DigestKey, when set, makes the stored digest an HMAC-SHA256 under this
	// key rather than a plain SHA-256. Changing it invalidates every token.
	// Default none. Ignored in plain mode.
	DigestKey []byte
	// Users finds the users that log in. Default: ginurin's own
	// ginurin_users table (&models.TableUsers{DB: db}).
	Users models.UserStore
	// Signals receives the events. Default: a new bus (see Auth.Signals).
	Signals *signals.Bus
	// Logger receives warnings and system errors; it never receives a token
	// or a password. Default slog.Default().
	Logger *slog.Logger
	// PasswordHashCost is the bcrypt cost of new passwords and of the dummy
	// hash compared when a username does not exist, so both paths take the
	// same time. Set it to the cost your stored hashes use. Default
	// bcrypt.DefaultCost (10).
	PasswordHashCost int
	// ErrorHandler answers requests that failed because a dependency did
	// (the database is down, a query failed). Default
	// NewDefaultErrorHandler(Logger).
	ErrorHandler ErrorHandler
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// LastUsedInterval is how stale a token's recorded last use may get:
	// a token's last_used is written at most once per interval, by a
	// background goroutine, never on the request's critical path (see
	// Auth.Close). Default 1 minute; a negative value switches last-use
	// tracking off.
	LastUsedInterval time.Duration
	// PruneInterval, when positive, makes Auth delete expired tokens every
	// interval in a background goroutine stopped by Auth.Close (see
	// Auth.PruneExpired). Default 0: no interval pruning.
	PruneInterval time.Duration
	// PruneBatchSize is the number of tokens one pruning statement deletes
	// at most. Default 1000.
	PruneBatchSize int

	// TokenCacheTimeout is the longest time CachedMiddleware trusts a
	// cached authentication (durin's TOKEN_CACHE_TIMEOUT); an entry never
	// outlives its token's expiry either. Default 60s.
	TokenCacheTimeout time.Duration
	// TokenCacheSize is the maximum number of authentications
	// CachedMiddleware keeps (about 0.6 KiB each); the least useful go
	// first. Default 10000.
	TokenCacheSize int
	// TokenCacheFallbackTimeout bounds how long a revocation on another
	// instance can go unseen: with an Invalidator, entries last at most this
	// long while the channel is not proven live, and the channel must prove
	// itself (by heartbeats sent every quarter of it) at least this often.
	// At least 10ms. Default 1s.
	TokenCacheFallbackTimeout time.Duration
	// Invalidator carries cache invalidations to the other instances that
	// share the database (packages redispubsub and pgnotify). Default none:
	// right for a single instance; with several instances and no
	// Invalidator, a revocation can take up to TokenCacheTimeout to reach
	// the others' caches.
	Invalidator Invalidator
}

// ErrorHandler answers a request whose handling failed on a system error.
// It must write a response; the middleware aborts the chain after it.
type ErrorHandler func(c *gin.Context, err error)

// NewDefaultErrorHandler returns the default ErrorHandler: it logs err to
// logger (the method and route, never a header or body) and answers 503
// with {"detail": "Service temporarily unavailable."}: the failure is the
// server's, and a retry may succeed.
func NewDefaultErrorHandler(logger *slog.Logger) ErrorHandler {
	return func(c *gin.Context, err error) {
		logger.ErrorContext(c.Request.Context(), "ginurin: request failed",
			"method", c.Request.Method, "route", c.FullPath(), "error", err)
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{"detail": "Service temporarily unavailable."})
	}
}

func (c *Config) fillDefaults() {
	if c.DefaultTokenTTL == 0 {
		c.DefaultTokenTTL = 24 * time.Hour
	}
	if c.TokenLength == 0 {
		c.TokenLength = 64
	}
	if c.TokenPrefix == "" {
		c.TokenPrefix = "gnr_"
	}
	if c.AuthHeaderPrefix == "" {
		c.AuthHeaderPrefix = "Token"
	}
	if c.ExpiryFormat == "" {
		c.ExpiryFormat = DefaultExpiryFormat
	}
	if c.StorageMode == "" {
		c.StorageMode = StorageDigest
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Signals == nil {
		c.Signals = signals.NewBus(c.Logger)
	}
	if c.PasswordHashCost == 0 {
		c.PasswordHashCost = bcrypt.DefaultCost
	}
	if c.ErrorHandler == nil {
		c.ErrorHandler = NewDefaultErrorHandler(c.Logger)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.LastUsedInterval == 0 {
		c.LastUsedInterval = time.Minute
	}
	if c.PruneBatchSize == 0 {
		c.PruneBatchSize = 1000
	}
	if c.TokenCacheTimeout == 0 {
		c.TokenCacheTimeout = 60 * time.Second
	}
	if c.TokenCacheSize == 0 {
		c.TokenCacheSize = 10000
	}
	if c.TokenCacheFallbackTimeout == 0 {
		c.TokenCacheFallbackTimeout = time.Second
	}
}

// DefaultErrorHandler is NewDefaultErrorHandler(slog.Default()).
func DefaultErrorHandler(c *gin.Context, err error) {
	NewDefaultErrorHandler(slog.Default())(c, err)
}
