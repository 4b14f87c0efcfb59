package ginurin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/models"
)

// The 401 details of SPEC §6, as durin words them.
const (
	detailNotProvided  = "Authentication credentials were not provided."
	detailNoCreds      = "Invalid token header. No credentials provided."
	detailSpaces       = "Invalid token header. Token string should not contain spaces."
	detailInvalidToken = "Invalid token."
	detailExpired      = "The given token has expired."
	detailInactive     = "User inactive or deleted."
)

type contextKey struct{}

// TokenFrom returns the session that authenticated the request, with its
// User and Client set; false when the request was not authenticated.
func TokenFrom(c *gin.Context) (*models.AuthToken, bool) {
	v, ok := c.Get(contextKey{})
	if !ok {
		return nil, false
	}
	t, ok := v.(*models.AuthToken)
	return t, ok
}

// UserFrom returns the authenticated user; false when unauthenticated.
func UserFrom(c *gin.Context) (*models.User, bool) {
	t, ok := TokenFrom(c)
	if !ok {
		return nil, false
	}
	return t.User, true
}

// ClientFrom returns the client of the authenticated token; false when
// unauthenticated.
func ClientFrom(c *gin.Context) (*models.Client, bool) {
	t, ok := TokenFrom(c)
	if !ok {
		return nil, false
	}
	return t.Client, true
}

// setToken stores the authenticated session in c.
func setToken(c *gin.Context, t *models.AuthToken) { c.Set(contextKey{}, t) }

// parseAuthorization extracts the token from an Authorization header value
// "<prefix> <token>", splitting on white space like DRF. It returns the 401
// detail when the header is absent, of another scheme, or malformed.
func parseAuthorization(h, prefix string) (token, detail string) {
	// Fast path for the usual "<prefix> <token>": one space between two
	// runs of printable ASCII splits exactly as strings.Fields would.
	if i := strings.IndexByte(h, ' '); i > 0 && plainField(h[:i]) && plainField(h[i+1:]) {
		if !strings.EqualFold(h[:i], prefix) {
			return "", detailNotProvided
		}
		return h[i+1:], ""
	}
	n := 0
	for f := range strings.FieldsSeq(h) {
		switch n {
		case 0:
			if !strings.EqualFold(f, prefix) {
				return "", detailNotProvided
			}
		case 1:
			token = f
		default:
			return "", detailSpaces
		}
		n++
	}
	switch n {
	case 0:
		return "", detailNotProvided
	case 1:
		return "", detailNoCreds
	}
	return token, ""
}

// plainField reports whether s is non-empty printable ASCII without spaces.
func plainField(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Unauthorized answers 401 with detail and the WWW-Authenticate challenge,
// and aborts the chain.
func (a *Auth) Unauthorized(c *gin.Context, detail string) {
	c.Header("WWW-Authenticate", a.cfg.AuthHeaderPrefix)
	c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"detail": detail})
}

// Middleware authenticates every request with the token of its
// Authorization header. On success the session, user and client are in the
// context (TokenFrom, UserFrom, ClientFrom) and the chain goes on; on
// failure it answers 401 with the matching detail; when a dependency fails
// it calls Config.ErrorHandler (default 503). Exactly one query per
// authenticated request when users live in a SQLUserStore, none for a
// malformed token.
func (a *Auth) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		token, detail := parseAuthorization(c.Request.Header.Get("Authorization"), a.cfg.AuthHeaderPrefix)
		if detail != "" {
			a.Unauthorized(c, detail)
			return
		}
		t, err := a.Authenticate(c.Request.Context(), token)
		if err != nil {
			a.fail(c, err)
			return
		}
		setToken(c, t)
		c.Next()
	}
}

// fail answers an authentication error: 401 for the known cases, the error
// handler for system failures.
func (a *Auth) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, ErrInvalidToken):
		a.Unauthorized(c, detailInvalidToken)
	case errors.Is(err, ErrTokenExpired):
		a.Unauthorized(c, detailExpired)
	case errors.Is(err, ErrUserInactive):
		a.Unauthorized(c, detailInactive)
	default:
		a.cfg.ErrorHandler(c, err)
		c.Abort()
	}
}
