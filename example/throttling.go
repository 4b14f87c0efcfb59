package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/permissions"
	"github.com/ginurin/ginurin/throttling"
	"github.com/ginurin/ginurin/throttling/redisstore"
)

// limits is the example's rate limiting: the login limit and the Throttle
// behind /api/throttled, on Redis when REDIS_URL is set and in memory
// otherwise.
type limits struct {
	login    *throttling.Login
	throttle *throttling.Throttle
	close    func()
}

// readLimits reads the rate-limit variables: GINURIN_THROTTLE_RATE (default
// 2/m, "off" for none), GINURIN_LOGIN_RATE (default 10/m, "off"),
// GINURIN_THROTTLE_FAIL_MODE (open or closed, default open), REDIS_URL,
// GINURIN_REDIS_PREFIX (default ginurin-example: instances with the same
// Redis and prefix share their budgets) and EXAMPLE_WEB_CLIENT (default
// web).
func (s *settings) readLimits(getenv func(string) string) error {
	s.RedisURL = getenv("REDIS_URL")
	s.RedisPrefix = or(getenv("GINURIN_REDIS_PREFIX"), "ginurin-example")
	s.WebClient = or(getenv("EXAMPLE_WEB_CLIENT"), "web")
	s.ThrottleRate = or(getenv("GINURIN_THROTTLE_RATE"), "2/m")
	if s.ThrottleRate == throttling.Off {
		s.ThrottleRate = ""
	} else if _, err := throttling.ParseRate(s.ThrottleRate); err != nil {
		return fmt.Errorf("GINURIN_THROTTLE_RATE: %w", err)
	}
	s.LoginRate = or(getenv("GINURIN_LOGIN_RATE"), "10/m")
	if s.LoginRate != throttling.Off {
		if _, err := throttling.ParseRate(s.LoginRate); err != nil {
			return fmt.Errorf("GINURIN_LOGIN_RATE: %w", err)
		}
	}
	s.ThrottleFailMode = throttling.FailMode(or(getenv("GINURIN_THROTTLE_FAIL_MODE"), string(throttling.FailOpen)))
	if s.ThrottleFailMode != throttling.FailOpen && s.ThrottleFailMode != throttling.FailClosed {
		return fmt.Errorf("GINURIN_THROTTLE_FAIL_MODE: %q is neither open nor closed", s.ThrottleFailMode)
	}
	return nil
}

// newLimits builds the limiters of s. A bad REDIS_URL is an error naming it.
func newLimits(s settings, auth *ginurin.Auth, logger *slog.Logger) (*limits, error) {
	cfg := throttling.Config{
		FailMode:     s.ThrottleFailMode,
		Logger:       logger,
		ErrorHandler: auth.Config().ErrorHandler,
	}
	l := &limits{close: func() {}}
	if s.RedisURL != "" {
		client, err := redisstore.Open(s.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		cfg.Store = redisstore.New(client, redisstore.Config{Prefix: s.RedisPrefix})
		l.close = func() { client.Close() }
	}
	var err error
	if l.login, err = throttling.NewLogin(s.LoginRate, cfg); err != nil {
		return nil, fmt.Errorf("GINURIN_LOGIN_RATE: %w", err)
	}
	cfg.DefaultRate = s.ThrottleRate
	if l.throttle, err = throttling.New(cfg); err != nil {
		return nil, fmt.Errorf("GINURIN_THROTTLE_RATE: %w", err)
	}
	return l, nil
}

// mount adds /throttled, /onlywebclient and /nowebclient to the group of
// authenticated routes.
func (l *limits) mount(authed *gin.RouterGroup, s settings) {
	authed.GET("/throttled", l.throttle.Middleware(), func(c *gin.Context) {
		c.JSON(http.StatusOK, "throttled")
	})
	authed.GET("/onlywebclient", permissions.AllowClients(s.WebClient), func(c *gin.Context) {
		c.JSON(http.StatusOK, "onlywebclient")
	})
	authed.GET("/nowebclient", permissions.DisallowClients(s.WebClient), func(c *gin.Context) {
		c.JSON(http.StatusOK, "nowebclient")
	})
}
