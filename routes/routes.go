package routes

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/throttling"
)

// Config configures the routes. Every zero field takes the default stated
// on it.
type Config struct {
	// UserSerializer, when set, adds "user": UserSerializer(user) to the
	// login response (durin's USER_SERIALIZER). Default none: no "user" key.
	UserSerializer func(*models.User) any
	// MaxBodyBytes limits request bodies of these routes; a larger body is
	// answered 413. Default 16 KiB.
	MaxBodyBytes int64
	// APIAccessClient names the client whose tokens GET/POST/DELETE
	// /apiaccess manage (durin's API_ACCESS_CLIENT_NAME). Default "": the
	// /apiaccess routes are not mounted.
	APIAccessClient string
	// APIAccessExcludeFromSessions hides the APIAccessClient token from
	// GET /sessions and DELETE /sessions/:id, leaving it to /apiaccess
	// (durin's API_ACCESS_EXCLUDE_FROM_SESSIONS). Default false.
	APIAccessExcludeFromSessions bool
	// APIAccessResponseIncludeToken makes GET /apiaccess also return the
	// token (durin's API_ACCESS_RESPONSE_INCLUDE_TOKEN). It works in plain
	// storage mode only: in digest mode the token is not stored and GET
	// never includes it. Default false.
	APIAccessResponseIncludeToken bool
	// OpenAPI, when set, receives a description of every mounted route
	// (see package openapi). Default nil: nothing is recorded.
	OpenAPI *openapi.Registry
	// LoginLimiter limits login attempts before any password is checked.
	// Default: DefaultLoginRate (10 attempts a minute) per client IP and,
	// separately, per username, counted in this process's memory. Pass a
	// throttling.NewLogin limiter on a Redis store to share the budget
	// between instances, or NoLoginLimit to turn the limit off. The client
	// IP is Gin's c.ClientIP(), and Gin trusts every proxy by default: set
	// the engine's trusted proxies (engine.SetTrustedProxies), or a client
	// can forge X-Forwarded-For to get a fresh budget per attempt.
	LoginLimiter LoginLimiter
}

// DefaultLoginRate is the login limit Register sets when Config has none.
const DefaultLoginRate = "10/m"

func (c *Config) fillDefaults(a *ginurin.Auth) {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 16 << 10
	}
	if c.LoginLimiter == nil {
		c.LoginLimiter = NewDefaultLoginLimiter(a)
	}
}

// NewDefaultLoginLimiter returns the limiter Register uses when
// Config.LoginLimiter is nil: DefaultLoginRate per client IP and,
// separately, per username, counted in this process's memory; a's logger
// and error handler report failures. Each call counts on its own.
func NewDefaultLoginLimiter(a *ginurin.Auth) LoginLimiter {
	// The rate is a valid constant and the configuration has no store:
	// NewLogin cannot fail.
	lim, _ := throttling.NewLogin(DefaultLoginRate, throttling.Config{
		Logger: a.Config().Logger, ErrorHandler: a.Config().ErrorHandler,
	})
	return lim
}

// handlers carries what every route needs.
type handlers struct {
	auth *ginurin.Auth
	cfg  Config
}

// Register mounts the routes on g, with the authentication middleware on
// every route but /login, and returns the group of authenticated routes so
// an app can add its own beside them.
func Register(g *gin.RouterGroup, a *ginurin.Auth, cfg Config) *gin.RouterGroup {
	cfg.fillDefaults(a)
	h := &handlers{auth: a, cfg: cfg}
	g.POST("/login", h.login)
	authed := g.Group("", a.Middleware())
	authed.POST("/refresh", h.refresh)
	authed.POST("/logout", h.logout)
	authed.POST("/logoutall", h.logoutAll)
	h.mountSessions(authed)
	if cfg.APIAccessClient != "" {
		h.mountAPIAccess(authed)
	}
	document(g, authed, cfg)
	return authed
}

// detail aborts with status and {"detail": msg}.
func detail(c *gin.Context, status int, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"detail": msg})
}

// noStore marks a response that carries a token as not cacheable.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
}

// session returns the calling session; the middleware guarantees it.
func session(c *gin.Context) *models.AuthToken {
	t, _ := ginurin.TokenFrom(c)
	return t
}

func (h *handlers) refresh(c *gin.Context) {
	t := session(c)
	if err := h.auth.Renew(c.Request.Context(), t); err != nil {
		h.fail(c, err)
		return
	}
	noStore(c)
	c.JSON(http.StatusOK, gin.H{"expiry": h.auth.FormatTime(t.Expiry)})
}

func (h *handlers) logout(c *gin.Context) {
	if err := h.auth.Revoke(c.Request.Context(), session(c)); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) logoutAll(c *gin.Context) {
	if err := h.auth.RevokeAll(c.Request.Context(), session(c).UserID); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// fail answers a service error: a session revoked meanwhile is a 401, any
// other error goes to the configured error handler.
func (h *handlers) fail(c *gin.Context, err error) {
	if errors.Is(err, ginurin.ErrInvalidToken) {
		h.auth.Unauthorized(c, "Invalid token.")
		return
	}
	h.auth.Config().ErrorHandler(c, err)
	c.Abort()
}
