package ginurin

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/models"
)

// cacheState holds CachedMiddleware's cache, created on first use.
type cacheState struct {
	mu     sync.Mutex
	c      atomic.Pointer[tokenCache]
	closed bool
}

func (c *Config) validateCache() error {
	if c.TokenCacheTimeout < 0 || c.TokenCacheFallbackTimeout < 0 || c.TokenCacheSize < 0 {
		return errors.New("ginurin: TokenCacheTimeout, TokenCacheFallbackTimeout and TokenCacheSize must not be negative")
	}
	if c.TokenCacheFallbackTimeout != 0 && c.TokenCacheFallbackTimeout < 10*time.Millisecond {
		return errors.New("ginurin: TokenCacheFallbackTimeout must be at least 10ms")
	}
	return nil
}

// tokenCache returns the cache, creating it (and, with an Invalidator,
// starting its subscription and heartbeats) on first use.
func (a *Auth) tokenCache() *tokenCache {
	a.cached.mu.Lock()
	defer a.cached.mu.Unlock()
	if c := a.cached.c.Load(); c != nil {
		return c
	}
	c := newTokenCache(&a.cfg)
	if a.cfg.Invalidator != nil && !a.cached.closed {
		c.start(a.cfg.Invalidator)
	}
	a.cached.c.Store(c)
	return c
}

// closeCache stops what CachedMiddleware started in the background: the
// Invalidator subscription, the heartbeats and the cache's maintenance.
// Routes already built keep working, on the database alone once the
// subscription is gone (their entries last at most
// TokenCacheFallbackTimeout).
func (a *Auth) closeCache() {
	a.cached.mu.Lock()
	defer a.cached.mu.Unlock()
	a.cached.closed = true
	if c := a.cached.c.Load(); c != nil {
		if a.cfg.Invalidator != nil && c.stop != nil {
			// A last try for invalidations that failed to publish: a
			// short-lived process (a CLI command) would lose them.
			ctx, cancel := context.WithTimeout(context.Background(), a.cfg.TokenCacheFallbackTimeout)
			c.retryPending(ctx, a.cfg.Invalidator)
			cancel()
		}
		c.close()
	}
}

// CachedMiddleware is Middleware with a cache in front of the database:
// it answers exactly as Middleware does, but a token it authenticated
// recently is accepted again without a query. Use it on the routes that
// are called often. The session in the context, with its User and Client,
// is the request's own copy, as with Middleware.
//
// Guarantees:
//
//   - The cache is keyed by the token's SHA-256, never by the token, and
//     holds at most Config.TokenCacheSize entries.
//   - An entry lasts at most Config.TokenCacheTimeout, and never past its
//     token's expiry: an expired token is refused (and deleted, with the
//     token-expired event) exactly as by Middleware.
//   - Every revocation made through Auth (Revoke, RevokeAll, Renew,
//     SetUserActive to inactive, DeleteClient, a digest-mode login that
//     replaces the token string, the deletion of an expired token, and
//     Invalidate) drops the entries concerned before it returns, so it
//     holds from the next request on this instance.
//   - With Config.Invalidator, the same revocation reaches every other
//     instance through the channel, normally within milliseconds and at
//     most Config.TokenCacheFallbackTimeout (1s) after it: each instance
//     sends itself heartbeats through the channel and trusts its entries
//     only while they come back; when the channel fails or falls silent it
//     drops its entries, logs a warning, and keeps new ones at most the
//     fallback timeout until the channel is back. If an instance cannot
//     publish an invalidation (whether or not it serves CachedMiddleware
//     itself), the failure is logged and the invalidation is published
//     again with the heartbeats (for TokenCacheTimeout), and once more by
//     Close; until it goes through, other instances may accept the token.
//   - Changes made behind Auth's back (SQL, an application's own user
//     store) are not seen until the entries expire; report them with
//     Invalidate.
func (a *Auth) CachedMiddleware() gin.HandlerFunc {
	cache := a.tokenCache()
	tokenLen := a.format.length()
	return func(c *gin.Context) {
		token, detail := parseAuthorization(c.Request.Header.Get("Authorization"), a.cfg.AuthHeaderPrefix)
		if detail != "" {
			a.Unauthorized(c, detail)
			return
		}
		if len(token) != tokenLen {
			a.Unauthorized(c, detailInvalidToken)
			return
		}
		key := tokenSum(token)
		now := a.Now()
		if t, ok := cache.get(&key, now); ok {
			setToken(c, t)
			c.Next()
			return
		}
		if !a.format.valid(token) {
			a.Unauthorized(c, detailInvalidToken)
			return
		}
		f := cache.begin()
		t, err := a.authenticateStored(c.Request.Context(), a.storageKeyFromSum(token, &key))
		if err != nil {
			a.fail(c, err)
			return
		}
		cache.put(&key, t, f, now)
		setToken(c, t)
		c.Next()
	}
}

// tokenSum is sha256.Sum256([]byte(token)) without the heap copy of the
// token: the middleware has checked its length, which is at most 4+256+8.
func tokenSum(token string) cacheKey {
	var buf [maxTokenLen]byte
	if len(token) > len(buf) {
		return sha256.Sum256([]byte(token))
	}
	n := copy(buf[:], token)
	return sha256.Sum256(buf[:n])
}

// maxTokenLen bounds a valid token: a 16-character prefix, 256 hex
// characters, the checksum.
const maxTokenLen = 16 + 256 + checksumLen

// authenticateStored is Authenticate for a well-formed token whose stored
// form is key: one query, the expiry and user checks, and the last use
// handed to the background writer. Cache hits skip it, so with
// CachedMiddleware last_used lags by up to TokenCacheTimeout more.
func (a *Auth) authenticateStored(ctx context.Context, key string) (*models.AuthToken, error) {
	t, err := a.tokens.Lookup(ctx, key)
	if errors.Is(err, models.ErrTokenNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("ginurin: authenticate: %w", err)
	}
	if t, err = a.check(ctx, t); err != nil {
		return nil, err
	}
	a.touch(t.ID, t.LastUsed, a.Now())
	return t, nil
}

// Invalidate drops the cached authentications that inv names, on this
// instance at once and, with Config.Invalidator, on the others. Auth calls
// it itself on every revocation; call it after changing tokens, users or
// clients by other means (an application's own user store deactivating a
// user, a client renamed by SQL). A failure to publish is logged, not
// returned: the local cache is invalidated either way.
func (a *Auth) Invalidate(ctx context.Context, inv Invalidation) {
	a.invalidate(ctx, inv)
}

func (a *Auth) invalidate(ctx context.Context, inv Invalidation) {
	if inv.empty() {
		return
	}
	if c := a.cached.c.Load(); c != nil {
		c.invalidate(inv)
	}
	if a.cfg.Invalidator == nil {
		return
	}
	msg := encodeInvalidation(inv)
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.TokenCacheFallbackTimeout)
	defer cancel()
	if err := a.cfg.Invalidator.Publish(pctx, msg); err != nil {
		// Keep it for the heartbeat loop to publish again. An instance
		// without a cache of its own (a CLI, an admin process) starts that
		// loop here, so its revocations are retried too.
		retry := false
		a.cached.mu.Lock()
		closed := a.cached.closed
		a.cached.mu.Unlock()
		if !closed {
			if c := a.tokenCache(); c.stop != nil {
				c.retryLater(msg)
				retry = true
			}
		}
		a.cfg.Logger.WarnContext(ctx, "ginurin: could not publish a cache invalidation; other instances may accept the revoked sessions until it goes through or their cache entries expire",
			"token_ids", inv.TokenIDs, "user_ids", inv.UserIDs, "client_ids", inv.ClientIDs, "retrying", retry, "error", err)
	}
}

// CacheLive reports whether CachedMiddleware currently trusts its entries
// for the full TokenCacheTimeout: always with no Invalidator, and with one
// while its heartbeats come back through the channel. False before
// CachedMiddleware was first called with an Invalidator. Suitable for a
// readiness or health report.
func (a *Auth) CacheLive() bool {
	if a.cfg.Invalidator == nil {
		return true
	}
	c := a.cached.c.Load()
	return c != nil && c.live()
}
