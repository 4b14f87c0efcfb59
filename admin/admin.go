package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/cli"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/routes"
)

// MaxPageSize is the largest ?limit= the list routes accept.
const MaxPageSize = 1000

// Config configures the admin. Every zero field takes the default stated on
// it, so Config{} is a working configuration.
type Config struct {
	// WebClient is the name of the client whose tokens hold the web page's
	// sessions. It is created on the first staff login when missing.
	// Default "admin".
	WebClient string
	// WebClientTTL is the token TTL of WebClient when the admin creates it;
	// a client that already exists keeps its own TTL. Default 1h.
	WebClientTTL time.Duration
	// CookieName is the name of the web session cookie. Default
	// "ginurin_admin".
	CookieName string
	// SecureCookie marks the session cookie Secure on every response, for
	// apps behind a TLS-terminating proxy. Default false: Secure only when
	// the request itself came over TLS.
	SecureCookie bool
	// MaxBodyBytes limits API and form request bodies; a larger body is
	// answered 413. Default 16 KiB.
	MaxBodyBytes int64
	// PageSize is the default ?limit= of the list routes and the page size
	// of the web lists; at most MaxPageSize. Default 100.
	PageSize int
	// DisableWeb mounts only the JSON API. Default false.
	DisableWeb bool
	// LoginLimiter limits the web login form like POST /login: it is
	// checked after the form is read and before any password is hashed.
	// Pass the same limiter as routes.Config.LoginLimiter so both share a
	// budget. Default routes.NewDefaultLoginLimiter (10 attempts a minute
	// per IP and per username, in memory); routes.NoLoginLimit turns it
	// off.
	LoginLimiter LoginLimiter
	// OpenAPI, when set, receives a description of every API route (see
	// package openapi). Default nil: nothing is recorded.
	OpenAPI *openapi.Registry
}

// LoginLimiter limits login attempts; see routes.LoginLimiter.
type LoginLimiter = routes.LoginLimiter

func (c *Config) fillDefaults() {
	if c.WebClient == "" {
		c.WebClient = "admin"
	}
	if c.WebClientTTL == 0 {
		c.WebClientTTL = time.Hour
	}
	if c.CookieName == "" {
		c.CookieName = "ginurin_admin"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 16 << 10
	}
	if c.PageSize <= 0 {
		c.PageSize = 100
	}
	c.PageSize = min(c.PageSize, MaxPageSize)
}

// detailForbidden is the 403 detail of SPEC §6.
const detailForbidden = "You do not have permission to perform this action."

// handlers carries what every route needs.
type handlers struct {
	auth *ginurin.Auth
	cfg  Config
	base string // the group's base path, e.g. "/admin"
	// users is the schema of the users table, when the user store is a
	// models.SQLUserStore; canList and canSetActive gate the users routes.
	users        models.UserSchema
	canList      bool
	canSetActive bool
}

// Register mounts the admin JSON API on g's "/api" and, unless
// cfg.DisableWeb, the web page on g (see the package doc).
func Register(g *gin.RouterGroup, a *ginurin.Auth, cfg Config) {
	cfg.fillDefaults()
	if cfg.LoginLimiter == nil {
		cfg.LoginLimiter = routes.NewDefaultLoginLimiter(a)
	}
	h := &handlers{auth: a, cfg: cfg, base: strings.TrimSuffix(g.BasePath(), "/")}
	if s, ok := a.Config().Users.(models.SQLUserStore); ok {
		h.users, h.canList = s.UserSchema(), true
		h.canSetActive = h.users.IsDefault()
	}
	api := g.Group("/api", a.Middleware(), StaffOnly())
	api.GET("/clients", h.listClients)
	api.POST("/clients", h.createClient)
	api.GET("/clients/:name", h.getClient)
	api.PATCH("/clients/:name", h.updateClient)
	api.DELETE("/clients/:name", h.deleteClient)
	api.GET("/tokens", h.listTokens)
	api.DELETE("/tokens/:id", h.revokeToken)
	if h.canList {
		api.GET("/users", h.listUsers)
	}
	if h.canSetActive {
		api.PATCH("/users/:username", h.setUserActive)
	}
	document(api, h)
	if !cfg.DisableWeb {
		h.registerWeb(g)
	}
}

// StaffOnly answers 403 {"detail": "You do not have permission to perform
// this action."} unless the authenticated user is staff, and 401 when the
// request was not authenticated (with WWW-Authenticate: Token, as the
// permissions guards; Auth.Middleware in front answers first, with the
// configured prefix). Put it after Auth.Middleware.
func StaffOnly() gin.HandlerFunc {
	return func(c *gin.Context) {
		u, ok := ginurin.UserFrom(c)
		if !ok {
			c.Header("WWW-Authenticate", "Token")
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"detail": "Authentication credentials were not provided."})
			return
		}
		if u == nil || !u.IsStaff {
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"detail": detailForbidden})
			return
		}
		c.Next()
	}
}

// apiError is a 4xx answer, optionally naming the request field at fault.
type apiError struct {
	status int
	detail string
	field  string
}

func (e *apiError) Error() string { return "admin: " + e.detail }

var errNotFound = &apiError{status: http.StatusNotFound, detail: "Not found."}

func fieldError(field, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, detail: field + ": " + msg, field: field}
}

// fail answers err: a 4xx for an *apiError or a validation error, the
// Auth's ErrorHandler (503 by default) for anything else.
func (h *handlers) fail(c *gin.Context, err error) {
	ae := asClientError(err)
	if ae == nil {
		errors.As(err, &ae)
	}
	if ae != nil {
		body := gin.H{"detail": ae.detail}
		if ae.field != "" {
			body["field"] = ae.field
		}
		c.AbortWithStatusJSON(ae.status, body)
		return
	}
	h.auth.Config().ErrorHandler(c, err)
	c.Abort()
}

// asClientError maps the models errors of client and user changes to
// 4xx answers; nil for system errors.
func asClientError(err error) *apiError {
	var fe *models.FieldError
	switch {
	case errors.As(err, &fe):
		return fieldError(fe.Field, fe.Message)
	case errors.Is(err, models.ErrClientExists):
		return &apiError{status: http.StatusBadRequest, detail: "name: a client with that name already exists", field: "name"}
	case errors.Is(err, models.ErrClientNotFound), errors.Is(err, models.ErrTokenNotFound), errors.Is(err, models.ErrUserNotFound):
		return errNotFound
	}
	return nil
}

// page reads ?limit= and ?offset=.
func (h *handlers) page(c *gin.Context) (limit, offset int, err error) {
	limit, offset = h.cfg.PageSize, 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return 0, 0, fieldError("limit", "must be a whole number from 1 to "+strconv.Itoa(MaxPageSize))
		}
		limit = n
	}
	if v := c.Query("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, fieldError("offset", "must be a whole number, 0 or more")
		}
		offset = n
	}
	return limit, offset, nil
}

// FormatTTL renders a token TTL as the admin and the CLI do: whole days as
// "14d", anything else as a Go duration ("1h30m0s").
func FormatTTL(d time.Duration) string { return cli.FormatDuration(d) }

// expiresInStr says how long a token has left, as durin's expires_in_str
// (models.AuthToken.ExpiresInStr), but "expired" once it has, which reads
// better in the admin's token lists than durin's bare magnitude.
func expiresInStr(t *models.AuthToken, now time.Time) string {
	if t.HasExpired(now) {
		return "expired"
	}
	return t.ExpiresInStr(now)
}
