package pgnotify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ginurin/ginurin/ginurin"
)

// Config configures a Notifier. Every zero field takes the default stated
// on it.
type Config struct {
	// Channel is the notification channel, an identifier of at most 63
	// bytes. Every instance of one application must use the same, and
	// applications sharing a database different ones. Default
	// "ginurin_invalidate".
	Channel string
	// IdleTimeout is how long the listening connection may stay silent
	// before the Notifier checks it with a ping; a failed ping replaces the
	// connection. Default 5s.
	IdleTimeout time.Duration
	// RetryDelay is the pause before listening again after a failure.
	// Default 500ms.
	RetryDelay time.Duration
}

// Notifier is a ginurin.Invalidator on PostgreSQL LISTEN/NOTIFY. It is
// safe for concurrent use; Close it when done.
type Notifier struct {
	dsn  string
	cfg  Config
	pool *pgxpool.Pool
}

var _ ginurin.Invalidator = (*Notifier)(nil)

// New returns a Notifier on the PostgreSQL database at dsn (a postgres://
// URL or key=value DSN). It connects lazily.
func New(dsn string, cfg Config) (*Notifier, error) {
	if cfg.Channel == "" {
		cfg.Channel = "ginurin_invalidate"
	}
	if len(cfg.Channel) > 63 {
		return nil, errors.New("pgnotify: Channel must be at most 63 bytes")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 5 * time.Second
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 500 * time.Millisecond
	}
	if cfg.IdleTimeout < 0 || cfg.RetryDelay < 0 {
		return nil, errors.New("pgnotify: IdleTimeout and RetryDelay must not be negative")
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgnotify: parse DSN: %w", err)
	}
	pcfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("pgnotify: %w", err)
	}
	return &Notifier{dsn: dsn, cfg: cfg, pool: pool}, nil
}

// Close closes the publishing pool. Stop the subscription first (with
// ginurin.Auth.Close).
func (n *Notifier) Close() { n.pool.Close() }

// Publish implements ginurin.Invalidator with pg_notify.
func (n *Notifier) Publish(ctx context.Context, msg string) error {
	if _, err := n.pool.Exec(ctx, "SELECT pg_notify($1, $2)", n.cfg.Channel, msg); err != nil {
		return fmt.Errorf("pgnotify: notify: %w", err)
	}
	return nil
}

// Subscribe implements ginurin.Invalidator with LISTEN on a dedicated
// connection, replaced after any error.
func (n *Notifier) Subscribe(ctx context.Context, h ginurin.SubscriptionHandler) {
	ginurin.RetrySubscribe(ctx, h, n.cfg.RetryDelay, n.listenOnce)
}

// listenOnce runs one LISTEN session until it fails or ctx is done.
func (n *Notifier) listenOnce(ctx context.Context, h ginurin.SubscriptionHandler) error {
	conn, err := pgx.Connect(ctx, n.dsn)
	if err != nil {
		return fmt.Errorf("pgnotify: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{n.cfg.Channel}.Sanitize()); err != nil {
		return fmt.Errorf("pgnotify: listen: %w", err)
	}
	h.Subscribed()
	for {
		wctx, cancel := context.WithTimeout(ctx, n.cfg.IdleTimeout)
		note, err := conn.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("pgnotify: wait: %w", err)
			}
			// Silent for IdleTimeout: check the connection.
			if conn.IsClosed() {
				return errors.New("pgnotify: connection closed")
			}
			pctx, cancel := context.WithTimeout(ctx, n.cfg.IdleTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return fmt.Errorf("pgnotify: ping: %w", err)
			}
			continue
		}
		h.Message(note.Payload)
	}
}
