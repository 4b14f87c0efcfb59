package ginurin

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Sizes of the last-use pipeline. A request hands its token's last use to
// a buffered channel without waiting; when the buffer is full (the database
// is slower than the traffic) the update is dropped, which at worst leaves
// a last_used value one interval staler than configured.
const (
	lastUsedQueue     = 1024
	lastUsedBatch     = 256
	defaultFlushEvery = time.Second
	flushTimeout      = 10 * time.Second
)

// background holds the goroutines an Auth may run: the last-use writer
// (started on the first update) and the pruner (started by New when
// Config.PruneInterval is positive). Close stops both.
type background struct {
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu            sync.Mutex
	closed        bool
	writerStarted bool
	wg            sync.WaitGroup

	touches    chan touch
	flushEvery time.Duration
}

// touch is one token's use at a time.
type touch struct {
	id int64
	at time.Time
}

func newBackground() *background {
	ctx, cancel := context.WithCancel(context.Background())
	return &background{
		ctx:        ctx,
		cancel:     cancel,
		touches:    make(chan touch, lastUsedQueue),
		flushEvery: defaultFlushEvery,
	}
}

// startLocked runs fn in a goroutine that Close waits for, unless Close
// has run; b.mu must be held.
func (b *background) startLocked(fn func()) bool {
	if b.closed {
		return false
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn()
	}()
	return true
}

// Close stops the Auth's background work: it writes the last uses still
// queued, stops interval pruning, and stops what CachedMiddleware started
// (the Invalidator subscription, heartbeats, cache maintenance), waiting
// for every goroutine to end. It closes neither the database nor the
// Invalidator. Requests may still be authenticated afterwards, on the
// database alone; their last use is then no longer recorded. Close is safe
// to call more than once and concurrently; it always returns nil.
func (a *Auth) Close() error {
	a.closeCache()
	b := a.bg
	if b == nil {
		return nil
	}
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	return nil
}

// touch queues the use of token id at now when tracking is on and the
// recorded last use is nil or older than Config.LastUsedInterval. It never
// blocks and never touches the database.
func (a *Auth) touch(id int64, last *time.Time, now time.Time) {
	iv := a.cfg.LastUsedInterval
	if iv < 0 || (last != nil && now.Sub(*last) < iv) {
		return
	}
	b := a.bg
	b.mu.Lock()
	if !b.writerStarted {
		b.writerStarted = b.startLocked(a.writeLastUses)
	}
	b.mu.Unlock()
	select {
	case b.touches <- touch{id: id, at: now}:
	default:
	}
}

// writeLastUses is the last-use writer: it collects queued uses, keeps the
// latest per token, and writes them in one statement per batch, every
// flushEvery or as soon as lastUsedBatch tokens are pending. It remembers
// what it wrote for one interval so that a token is written at most once
// per interval even when requests raced past the stale value.
func (a *Auth) writeLastUses() {
	b := a.bg
	iv := a.cfg.LastUsedInterval
	pending := map[int64]time.Time{}
	written := map[int64]time.Time{}
	tick := time.NewTicker(b.flushEvery)
	defer tick.Stop()
	add := func(u touch) {
		if w, ok := written[u.id]; ok && u.at.Sub(w) < iv {
			return
		}
		if p, ok := pending[u.id]; !ok || u.at.After(p) {
			pending[u.id] = u.at
		}
	}
	flush := func() {
		if len(pending) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
		err := a.tokens.SetLastUsed(ctx, pending)
		cancel()
		if err != nil {
			// Forget the batch: the next use after it retries.
			a.cfg.Logger.Warn("ginurin: could not record token last use", "tokens", len(pending), "error", err)
			clear(pending)
			return
		}
		var newest time.Time
		for id, at := range pending {
			written[id] = at
			if at.After(newest) {
				newest = at
			}
		}
		for id, at := range written {
			if newest.Sub(at) >= iv {
				delete(written, id)
			}
		}
		clear(pending)
	}
	for {
		select {
		case u := <-b.touches:
			add(u)
			if len(pending) >= lastUsedBatch {
				flush()
			}
		case <-tick.C:
			flush()
		case <-b.ctx.Done():
			for {
				select {
				case u := <-b.touches:
					add(u)
				default:
					flush()
					return
				}
			}
		}
	}
}

// PruneExpired deletes every token whose expiry has passed, batchSize
// tokens per statement (0: Config.PruneBatchSize), and returns how many it
// deleted. It emits no event: TokenExpired is only for presented tokens.
// On error it returns the number deleted so far with the error.
func (a *Auth) PruneExpired(ctx context.Context, batchSize int) (int64, error) {
	if batchSize <= 0 {
		batchSize = a.cfg.PruneBatchSize
	}
	now := a.Now()
	var total int64
	for {
		n, err := a.tokens.DeleteExpiredBatch(ctx, now, batchSize)
		total += n
		if err != nil {
			return total, fmt.Errorf("ginurin: prune: %w", err)
		}
		if n < int64(batchSize) {
			return total, nil
		}
	}
}

// pruneEvery is the interval pruner started by New.
func (a *Auth) pruneEvery(interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	ctx := a.bg.ctx
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			n, err := a.PruneExpired(ctx, 0)
			if err != nil && ctx.Err() == nil {
				a.cfg.Logger.Error("ginurin: interval pruning failed", "deleted", n, "error", err)
			} else if n > 0 {
				a.cfg.Logger.Info("ginurin: pruned expired tokens", "deleted", n)
			}
		}
	}
}
