package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/dbpoll"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/pgnotify"
	"github.com/ginurin/ginurin/redispubsub"
)

// cacheInvalidator picks the channel that carries cache invalidations
// between processes: Redis pub/sub when REDIS_URL is set, else PostgreSQL
// LISTEN/NOTIFY when DATABASE_URL is PostgreSQL, else a table of the SQLite
// database (dbpoll), so that a CLI command revoking tokens beside a running
// server reaches its cache. closers release what it opened.
func cacheInvalidator(db *bun.DB, s settings, logger *slog.Logger) (inv ginurin.Invalidator, closers []func(), err error) {
	switch {
	case s.RedisURL != "":
		opts, err := redis.ParseURL(s.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		client := redis.NewClient(opts)
		bus, err := redispubsub.New(client, redispubsub.Config{})
		if err != nil {
			client.Close()
			return nil, nil, err
		}
		logger.Info("cache invalidation through redis pub/sub")
		return bus, []func(){func() { client.Close() }}, nil
	case models.IsPostgresURL(s.DatabaseURL):
		n, err := pgnotify.New(s.DatabaseURL, pgnotify.Config{})
		if err != nil {
			return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		logger.Info("cache invalidation through postgresql listen/notify")
		return n, []func(){n.Close}, nil
	}
	p, err := dbpoll.New(db, dbpoll.Config{})
	if err != nil {
		return nil, nil, err
	}
	return p, nil, nil
}

// mountCached adds GET /api/cached: /api/me behind the cached middleware;
// and GET /api/public, the same handler without authentication (for an
// anonymous caller), the baseline of the load test in BENCHMARKS.md.
func mountCached(api *gin.RouterGroup, auth *ginurin.Auth, docs *openapi.Registry) {
	api.GET("/cached", auth.CachedMiddleware(), func(c *gin.Context) {
		user, _ := ginurin.UserFrom(c)
		client, _ := ginurin.ClientFrom(c)
		whoami(c, user, client)
	})
	api.GET("/public", func(c *gin.Context) {
		whoami(c, anonymousUser, anonymousClient)
	})
	ok := []openapi.Response{{Status: http.StatusOK, Body: meResponse{}}}
	docs.Add(api, http.MethodGet, "/cached", openapi.Operation{Summary: "/me behind cached authentication",
		Auth: true, Tags: []string{"example"}, Responses: ok})
	docs.Add(api, http.MethodGet, "/public", openapi.Operation{Summary: "The /me handler without authentication (load-test baseline)",
		Tags: []string{"example"}, Responses: ok})
}

// The caller of /api/public.
var (
	anonymousUser   = &models.User{Username: "anonymous"}
	anonymousClient = &models.Client{Name: "none"}
)

// whoami answers {"username": …, "client": …}.
func whoami(c *gin.Context, user *models.User, client *models.Client) {
	c.JSON(http.StatusOK, gin.H{"username": user.Username, "client": client.Name})
}
