package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
)

// apiAccessSettings reads the GINURIN_API_ACCESS_* variables into s.
func apiAccessSettings(getenv func(string) string, s *settings) error {
	if err := models.ValidateClientName(s.APIAccessClient); err != nil {
		return fmt.Errorf("GINURIN_API_ACCESS_CLIENT: %w", err)
	}
	var err error
	if s.APIAccessExcludeFromSessions, err = envBool(getenv, "GINURIN_API_ACCESS_EXCLUDE_FROM_SESSIONS"); err != nil {
		return err
	}
	if s.APIAccessResponseIncludeToken, err = envBool(getenv, "GINURIN_API_ACCESS_RESPONSE_INCLUDE_TOKEN"); err != nil {
		return err
	}
	return nil
}

// apiAccessRoutes returns cfg with the API-access settings of s.
func apiAccessRoutes(s settings, cfg routes.Config) routes.Config {
	cfg.APIAccessClient = s.APIAccessClient
	cfg.APIAccessExcludeFromSessions = s.APIAccessExcludeFromSessions
	cfg.APIAccessResponseIncludeToken = s.APIAccessResponseIncludeToken
	return cfg
}

// ensureAPIAccessClient creates the API-access client with the default
// token TTL when it does not exist yet, so that /api/apiaccess works out of
// the box. The server calls it when it starts; the CLI commands do not, so
// `client create api-access --token-ttl 90d` can set it up first.
func ensureAPIAccessClient(ctx context.Context, auth *ginurin.Auth, s settings) error {
	_, err := models.ClientByName(ctx, auth.DB(), s.APIAccessClient)
	if errors.Is(err, models.ErrClientNotFound) {
		_, err = auth.NewClient(ctx, s.APIAccessClient, 0, "")
		if errors.Is(err, models.ErrClientExists) {
			return nil // another instance created it meanwhile
		}
	}
	if err != nil {
		return fmt.Errorf("GINURIN_API_ACCESS_CLIENT: %w", err)
	}
	return nil
}
