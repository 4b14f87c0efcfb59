package ginurin

import (
	"context"
	"errors"
	"fmt"

	"github.com/ginurin/ginurin/models"
)

// RevokeByID deletes the session with this ID, whoever holds it, and emits
// Logout for its user, as Revoke does. It is how an administrator revokes
// a listed token. A session that does not exist (or is already gone) is
// models.ErrTokenNotFound and emits nothing.
func (a *Auth) RevokeByID(ctx context.Context, id int64) error {
	userID, err := a.tokens.DeleteByID(ctx, id)
	if errors.Is(err, models.ErrTokenNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("ginurin: revoke: %w", err)
	}
	a.loggedOut(ctx, userID, id)
	return nil
}

// UpdateClient validates c and saves its name, token TTL and throttle rate
// by ID. A bad field is a *models.FieldError, a taken name
// models.ErrClientExists, a missing client models.ErrClientNotFound.
// Existing tokens keep their expiry; the new TTL applies from their next
// login or renewal.
func (a *Auth) UpdateClient(ctx context.Context, c *models.Client) error {
	if err := models.UpdateClient(ctx, a.db, c); err != nil {
		return err
	}
	// Cached sessions carry the client's old name, TTL and rate.
	a.invalidate(ctx, Invalidation{ClientIDs: []int64{c.ID}})
	return nil
}
