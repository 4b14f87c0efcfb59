package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/routes"
	"github.com/ginurin/ginurin/signals"
)

// app is the example's wiring: an Auth and a Gin engine with the routes.
type app struct {
	db      *bun.DB
	auth    *ginurin.Auth
	engine  *gin.Engine
	closers []func()
}

// Close releases what the app started.
func (a *app) Close() { closeAll(a.closers) }

func closeAll(closers []func()) {
	for _, c := range closers {
		c()
	}
}

func newApp(db *bun.DB, s settings, logger *slog.Logger) (*app, error) {
	inv, closers, err := cacheInvalidator(db, s, logger)
	if err != nil {
		return nil, err
	}
	auth, err := ginurin.New(db, ginurin.Config{
		StorageMode:         s.StorageMode,
		RefreshTokenOnLogin: s.RefreshTokenOnLogin,
		Logger:              logger,
		TokenCacheTimeout:   s.TokenCacheTimeout,
		Invalidator:         inv,
	})
	if err != nil {
		closeAll(closers)
		return nil, err
	}
	closers = append([]func(){func() { auth.Close() }}, closers...)
	signals.SubscribeAll(auth.Signals(), func(ctx context.Context, e signals.Event) error {
		logger.InfoContext(ctx, "event "+e.Name(), eventAttrs(e)...)
		return nil
	})

	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	// Gin trusts every proxy by default, which lets a client pick its own
	// IP (and a fresh login budget) with X-Forwarded-For.
	if err := engine.SetTrustedProxies(s.TrustedProxies); err != nil {
		closeAll(closers)
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	engine.Use(gin.Recovery())
	// Errors are JSON everywhere, unmatched routes included.
	engine.HandleMethodNotAllowed = true
	engine.NoRoute(func(c *gin.Context) { c.JSON(http.StatusNotFound, gin.H{"detail": "Not found."}) })
	engine.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, gin.H{"detail": fmt.Sprintf("Method %q not allowed.", c.Request.Method)})
	})
	engine.GET("/healthz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			c.JSON(http.StatusServiceUnavailable, gin.H{"detail": "Database unavailable."})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})

	lim, err := newLimits(s, auth, logger)
	if err != nil {
		closeAll(closers)
		return nil, err
	}
	api := engine.Group("/api")
	docs := newAPIDocs()
	authed := routes.Register(api, auth, apiAccessRoutes(s, routes.Config{OpenAPI: docs, LoginLimiter: lim.login}))
	lim.mount(authed, s)
	authed.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, "api root") })
	authed.GET("/me", func(c *gin.Context) {
		user, _ := ginurin.UserFrom(c)
		client, _ := ginurin.ClientFrom(c)
		c.JSON(http.StatusOK, gin.H{"username": user.Username, "client": client.Name})
	})
	mountAdmin(engine, auth, authed, docs, lim.login)
	mountCached(api, auth, docs)
	return &app{db: db, auth: auth, engine: engine, closers: append(closers, lim.close)}, nil
}

// eventAttrs describes an event for the log: ids and names, never a token.
func eventAttrs(e signals.Event) []any {
	switch e := e.(type) {
	case signals.Login:
		return []any{"user_id", e.User.ID, "client", e.Client.Name, "new_session", e.Created}
	case signals.Logout:
		return []any{"user_id", e.UserID, "tokens", len(e.TokenIDs), "all", e.All}
	case signals.TokenCreated:
		return []any{"token_id", e.Token.ID, "user_id", e.Token.UserID}
	case signals.TokenRenewed:
		return []any{"token_id", e.Token.ID, "user_id", e.Token.UserID}
	case signals.TokenExpired:
		return []any{"token_id", e.Token.ID, "user_id", e.Token.UserID}
	}
	return nil
}
