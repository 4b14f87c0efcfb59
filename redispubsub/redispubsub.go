package redispubsub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ginurin/ginurin/ginurin"
)

// Config configures a Bus. Every zero field takes the default stated on it.
type Config struct {
	// Channel is the Redis channel. Every instance of one application must
	// use the same, and applications sharing a Redis different ones.
	// Default "ginurin:invalidate".
	Channel string
	// IdleTimeout is how long the subscription may stay silent before the
	// Bus pings Redis; with no answer by a second IdleTimeout the
	// connection is taken as lost and replaced. Default 5s.
	IdleTimeout time.Duration
	// RetryDelay is the pause before resubscribing after a failure.
	// Default 500ms.
	RetryDelay time.Duration
}

// Bus is a ginurin.Invalidator on Redis pub/sub. It is safe for concurrent
// use.
type Bus struct {
	client redis.UniversalClient
	cfg    Config
}

var _ ginurin.Invalidator = (*Bus)(nil)

// New returns a Bus publishing and subscribing through client, which the
// caller keeps and closes.
func New(client redis.UniversalClient, cfg Config) (*Bus, error) {
	if client == nil {
		return nil, errors.New("redispubsub: New needs a Redis client")
	}
	if cfg.Channel == "" {
		cfg.Channel = "ginurin:invalidate"
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 5 * time.Second
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 500 * time.Millisecond
	}
	if cfg.IdleTimeout < 0 || cfg.RetryDelay < 0 {
		return nil, errors.New("redispubsub: IdleTimeout and RetryDelay must not be negative")
	}
	return &Bus{client: client, cfg: cfg}, nil
}

// Publish implements ginurin.Invalidator with PUBLISH.
func (b *Bus) Publish(ctx context.Context, msg string) error {
	if err := b.client.Publish(ctx, b.cfg.Channel, msg).Err(); err != nil {
		return fmt.Errorf("redispubsub: publish: %w", err)
	}
	return nil
}

// Subscribe implements ginurin.Invalidator with SUBSCRIBE on a dedicated
// connection, replaced after any error.
func (b *Bus) Subscribe(ctx context.Context, h ginurin.SubscriptionHandler) {
	ginurin.RetrySubscribe(ctx, h, b.cfg.RetryDelay, b.subscribeOnce)
}

// subscribeOnce runs one subscription until it fails or ctx is done.
func (b *Bus) subscribeOnce(ctx context.Context, h ginurin.SubscriptionHandler) error {
	ps := b.client.Subscribe(ctx)
	defer ps.Close()
	// A blocked read does not watch ctx: closing the PubSub ends it.
	stop := context.AfterFunc(ctx, func() { ps.Close() })
	defer stop()
	if err := ps.Subscribe(ctx, b.cfg.Channel); err != nil {
		return fmt.Errorf("redispubsub: subscribe: %w", err)
	}
	pinged, subscribed := false, false
	for {
		msg, err := ps.ReceiveTimeout(ctx, b.cfg.IdleTimeout)
		if err != nil {
			var nerr interface{ Timeout() bool }
			if errors.As(err, &nerr) && nerr.Timeout() && !pinged && ctx.Err() == nil {
				if err := ps.Ping(ctx); err != nil {
					return fmt.Errorf("redispubsub: ping: %w", err)
				}
				pinged = true
				continue
			}
			return fmt.Errorf("redispubsub: receive: %w", err)
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == b.cfg.Channel {
				if subscribed {
					// go-redis replaced the connection by itself: what
					// was published meanwhile is gone.
					h.Lost(errors.New("redispubsub: resubscribed on a new connection"))
				}
				subscribed = true
				h.Subscribed()
			}
		case *redis.Message:
			h.Message(m.Payload)
		}
	}
}
