package dbpoll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// Config configures a Poller. Every zero field takes its default.
type Config struct {
	// Interval is how often a subscriber polls for new messages. Default
	// 100ms. It must stay well under a quarter of the Auth's
	// TokenCacheFallbackTimeout, or heartbeats arrive late.
	Interval time.Duration
	// Retention is how long a message is kept. Default one minute.
	Retention time.Duration
	// RetryDelay is the wait before polling again after a failure. Default
	// 500ms.
	RetryDelay time.Duration
}

// Poller is a ginurin.Invalidator over the ginurin_invalidations table.
type Poller struct {
	db  *bun.DB
	cfg Config
}

// New returns a Poller on db, which must be migrated (models.Migrate).
func New(db *bun.DB, cfg Config) (*Poller, error) {
	if db == nil {
		return nil, errors.New("dbpoll: New needs a *bun.DB")
	}
	if cfg.Interval < 0 || cfg.Retention < 0 || cfg.RetryDelay < 0 {
		return nil, errors.New("dbpoll: Interval, Retention and RetryDelay must not be negative")
	}
	if cfg.Interval == 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	if cfg.Retention == 0 {
		cfg.Retention = time.Minute
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 500 * time.Millisecond
	}
	return &Poller{db: db, cfg: cfg}, nil
}

// Publish implements ginurin.Invalidator: it inserts msg.
func (p *Poller) Publish(ctx context.Context, msg string) error {
	row := &models.Invalidation{Msg: msg, Created: time.Now().UTC()}
	if _, err := p.db.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("dbpoll: publish: %w", err)
	}
	return nil
}

// Subscribe implements ginurin.Invalidator: it delivers the rows inserted
// after it started, in ID order, polling every Config.Interval.
func (p *Poller) Subscribe(ctx context.Context, h ginurin.SubscriptionHandler) {
	ginurin.RetrySubscribe(ctx, h, p.cfg.RetryDelay, p.pollOnce)
}

// pollOnce runs one subscription session until a query fails or ctx is
// done.
func (p *Poller) pollOnce(ctx context.Context, h ginurin.SubscriptionHandler) error {
	var cursor int64
	if err := p.db.NewSelect().Model((*models.Invalidation)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &cursor); err != nil {
		return fmt.Errorf("dbpoll: subscribe: %w", err)
	}
	h.Subscribed()
	tick := time.NewTicker(p.cfg.Interval)
	defer tick.Stop()
	lastPrune := time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		var rows []models.Invalidation
		if err := p.db.NewSelect().Model(&rows).Where("id > ?", cursor).Order("id").Scan(ctx); err != nil {
			return fmt.Errorf("dbpoll: poll: %w", err)
		}
		for _, r := range rows {
			h.Message(r.Msg)
			cursor = r.ID
		}
		if time.Since(lastPrune) >= p.cfg.Retention/4 {
			lastPrune = time.Now()
			cutoff := time.Now().UTC().Add(-p.cfg.Retention)
			if _, err := p.db.NewDelete().Model((*models.Invalidation)(nil)).Where("created < ?", cutoff).Exec(ctx); err != nil {
				return fmt.Errorf("dbpoll: prune: %w", err)
			}
		}
	}
}
