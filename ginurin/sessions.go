package ginurin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/signals"
)

// Errors of the session methods, for callers to branch on.
var (
	// ErrSessionNotFound: no such session of this user (it may exist for
	// another user; callers must not tell the difference).
	ErrSessionNotFound = errors.New("ginurin: session not found")
	// ErrSessionExists: the user already holds an unexpired token for the
	// client, so IssueOnce issued nothing.
	ErrSessionExists = errors.New("ginurin: a token was already issued for this user and client")
)

// Sessions returns the sessions of userID with their clients, oldest
// first, leaving out those of the clients named in exceptClients. Expired
// sessions not yet deleted are included (see AuthToken.HasExpired). The
// Token field of each is empty. One query.
func (a *Auth) Sessions(ctx context.Context, userID int64, exceptClients ...string) ([]*models.AuthToken, error) {
	ts, err := a.tokens.ListForUser(ctx, userID, exceptClients...)
	if err != nil {
		return nil, fmt.Errorf("ginurin: sessions: %w", err)
	}
	for _, t := range ts {
		t.Token = ""
	}
	return ts, nil
}

// RevokeSession deletes session tokenID only if it belongs to userID and
// not to one of the clients named in exceptClients, and emits Logout. It
// returns ErrSessionNotFound when there is no such session of that user,
// whether or not the ID exists for someone else. One statement.
func (a *Auth) RevokeSession(ctx context.Context, userID, tokenID int64, exceptClients ...string) error {
	err := a.tokens.DeleteForUserByID(ctx, userID, tokenID, exceptClients...)
	if errors.Is(err, models.ErrTokenNotFound) {
		return ErrSessionNotFound
	}
	if err != nil {
		return fmt.Errorf("ginurin: revoke session: %w", err)
	}
	a.loggedOut(ctx, userID, tokenID)
	return nil
}

// ClientSession returns the session of userID for the client named
// clientName, with its client, even if it has expired; ErrSessionNotFound
// when there is none. Its Token field holds the token itself in plain
// storage mode and is empty in digest mode, where the token exists only
// with its holder. One query.
func (a *Auth) ClientSession(ctx context.Context, userID int64, clientName string) (*models.AuthToken, error) {
	t, err := a.tokens.ForUserClient(ctx, userID, clientName)
	if errors.Is(err, models.ErrTokenNotFound) {
		return nil, ErrSessionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("ginurin: client session: %w", err)
	}
	if a.cfg.StorageMode != StoragePlain {
		t.Token = ""
	}
	return t, nil
}

// IssueOnce issues a token of user for client only if the user holds none
// for that client yet (an expired one is replaced as a new session);
// otherwise it returns ErrSessionExists and changes nothing. It is atomic:
// of concurrent calls for one pair, one succeeds. It emits TokenCreated
// and, since no credentials were presented, no Login. It backs
// POST /apiaccess.
func (a *Auth) IssueOnce(ctx context.Context, user *models.User, client *models.Client) (*Issued, error) {
	token, err := a.format.generate()
	if err != nil {
		return nil, err
	}
	now := a.Now().Truncate(time.Microsecond)
	t, err := a.tokens.IssueIfAbsent(ctx, user.ID, client, a.storageKey(token), now)
	if errors.Is(err, models.ErrTokenExists) {
		return nil, ErrSessionExists
	}
	if err != nil {
		return nil, fmt.Errorf("ginurin: issue: %w", err)
	}
	t.Token, t.User = "", user
	signals.Emit(ctx, a.cfg.Signals, signals.TokenCreated{Token: t})
	return &Issued{Token: token, Session: t, Created: true}, nil
}

// RevokeClientSession deletes the session of userID for the client named
// clientName, expired or not, and emits Logout; ErrSessionNotFound when
// there is none. One statement.
func (a *Auth) RevokeClientSession(ctx context.Context, userID int64, clientName string) error {
	id, err := a.tokens.DeleteForUserClient(ctx, userID, clientName)
	if errors.Is(err, models.ErrTokenNotFound) {
		return ErrSessionNotFound
	}
	if err != nil {
		return fmt.Errorf("ginurin: revoke session: %w", err)
	}
	a.loggedOut(ctx, userID, id)
	return nil
}
