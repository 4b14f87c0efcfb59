package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/throttling"
)

// settings is the example's environment (SPEC §7).
type settings struct {
	Addr                string
	DatabaseURL         string
	StorageMode         ginurin.StorageMode
	RefreshTokenOnLogin bool
	TokenCacheTimeout   time.Duration
	// APIAccessClient is the client behind /api/apiaccess
	// (GINURIN_API_ACCESS_CLIENT, default "api-access").
	APIAccessClient string
	// APIAccessExcludeFromSessions is GINURIN_API_ACCESS_EXCLUDE_FROM_SESSIONS
	// (default false).
	APIAccessExcludeFromSessions bool
	// APIAccessResponseIncludeToken is
	// GINURIN_API_ACCESS_RESPONSE_INCLUDE_TOKEN (default false; plain
	// storage only).
	APIAccessResponseIncludeToken bool
	// TrustedProxies (TRUSTED_PROXIES, comma-separated addresses or CIDRs)
	// are the proxies whose X-Forwarded-For Gin believes; default none, so
	// the client IP the rate limits count is the connection's address.
	TrustedProxies []string
	// RedisURL (REDIS_URL) is the Redis for rate-limit counters and cache
	// invalidation across instances; empty: none.
	RedisURL string
	// Rate limiting and client guards (example/throttling.go).
	RedisPrefix      string
	ThrottleRate     string
	LoginRate        string
	ThrottleFailMode throttling.FailMode
	WebClient        string
}

// settingsFromEnv reads the environment through getenv; a bad value is an
// error naming its variable.
func settingsFromEnv(getenv func(string) string) (settings, error) {
	s := settings{
		Addr:        or(getenv("ADDR"), ":8080"),
		DatabaseURL: getenv("DATABASE_URL"),
		RedisURL:    getenv("REDIS_URL"),
		StorageMode: ginurin.StorageMode(or(getenv("GINURIN_TOKEN_STORAGE"), "digest")),

		APIAccessClient: or(getenv("GINURIN_API_ACCESS_CLIENT"), "api-access"),
	}
	if s.StorageMode != ginurin.StorageDigest && s.StorageMode != ginurin.StoragePlain {
		return s, fmt.Errorf("GINURIN_TOKEN_STORAGE: %q is neither digest nor plain", s.StorageMode)
	}
	for _, p := range strings.Split(getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			s.TrustedProxies = append(s.TrustedProxies, p)
		}
	}
	var err error
	if s.RefreshTokenOnLogin, err = envBool(getenv, "GINURIN_REFRESH_TOKEN_ON_LOGIN"); err != nil {
		return s, err
	}
	if err := apiAccessSettings(getenv, &s); err != nil {
		return s, err
	}
	if v := getenv("GINURIN_TOKEN_CACHE_TIMEOUT"); v != "" {
		if s.TokenCacheTimeout, err = time.ParseDuration(v); err != nil || s.TokenCacheTimeout <= 0 {
			return s, fmt.Errorf("GINURIN_TOKEN_CACHE_TIMEOUT: %q is not a positive duration", v)
		}
	}
	if err := s.readLimits(getenv); err != nil {
		return s, err
	}
	return s, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func envBool(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not true or false", name, v)
	}
	return b, nil
}
