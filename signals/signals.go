package signals

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/ginurin/ginurin/models"
)

// Event is implemented by every event type; Name is the event's stable
// name: "login", "logout", "token_created", "token_renewed", "token_expired".
type Event interface {
	Name() string
}

// Login fires after a successful login. Created tells whether the login
// started a new session (a fresh or replaced token) rather than reusing the
// pair's existing one.
type Login struct {
	User    *models.User
	Client  *models.Client
	Token   *models.AuthToken
	Created bool
}

// Logout fires after tokens were revoked: one (All false, by /logout,
// DELETE /sessions/:id or DELETE /apiaccess) or every token of the user
// (All true, /logoutall).
// TokenIDs lists the deleted tokens.
type Logout struct {
	UserID   int64
	TokenIDs []int64
	All      bool
}

// TokenCreated fires when a new session's token is stored.
type TokenCreated struct {
	Token *models.AuthToken
}

// TokenRenewed fires after a token's expiry moved forward (POST /refresh, or
// a repeated login with refresh on login enabled).
type TokenRenewed struct {
	Token *models.AuthToken
	// OldExpiry is the expiry before a refresh; zero after a repeated
	// login, whose single atomic statement does not read the old value.
	OldExpiry time.Time
}

// TokenExpired fires when an expired token was presented, rejected and
// deleted. Tokens removed by pruning do not fire it.
type TokenExpired struct {
	Token *models.AuthToken
}

// Name implements Event.
func (Login) Name() string { return "login" }

// Name implements Event.
func (Logout) Name() string { return "logout" }

// Name implements Event.
func (TokenCreated) Name() string { return "token_created" }

// Name implements Event.
func (TokenRenewed) Name() string { return "token_renewed" }

// Name implements Event.
func (TokenExpired) Name() string { return "token_expired" }

type subscriber struct {
	fn func(context.Context, Event) error
}

// Bus delivers events to subscribers. The zero value is not usable; create
// one with NewBus. A Bus is safe for concurrent use.
type Bus struct {
	log  *slog.Logger
	mu   sync.Mutex
	subs map[reflect.Type][]*subscriber // copy on write
	all  []*subscriber                  // copy on write
}

// NewBus returns an empty bus that logs failing subscribers to logger
// (slog.Default() when nil).
func NewBus(logger *slog.Logger) *Bus {
	if logger == nil {
		logger = slog.Default()
	}
	return &Bus{log: logger, subs: map[reflect.Type][]*subscriber{}}
}

// Subscribe calls fn for every event of type E emitted on b, and returns a
// function that unsubscribes it (safe to call more than once).
func Subscribe[E Event](b *Bus, fn func(context.Context, E) error) (unsubscribe func()) {
	typ := reflect.TypeFor[E]()
	s := &subscriber{fn: func(ctx context.Context, e Event) error { return fn(ctx, e.(E)) }}
	b.mu.Lock()
	b.subs[typ] = append(append([]*subscriber(nil), b.subs[typ]...), s)
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.subs[typ] = without(b.subs[typ], s)
	}
}

// SubscribeAll calls fn for every event emitted on b, after its typed
// subscribers, and returns a function that unsubscribes it.
func SubscribeAll(b *Bus, fn func(context.Context, Event) error) (unsubscribe func()) {
	s := &subscriber{fn: fn}
	b.mu.Lock()
	b.all = append(append([]*subscriber(nil), b.all...), s)
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.all = without(b.all, s)
	}
}

func without(list []*subscriber, s *subscriber) []*subscriber {
	out := make([]*subscriber, 0, len(list))
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// Emit delivers e to its subscribers as the package doc describes. A nil
// bus drops the event.
func Emit[E Event](ctx context.Context, b *Bus, e E) {
	if b == nil {
		return
	}
	b.mu.Lock()
	typed, all := b.subs[reflect.TypeFor[E]()], b.all
	b.mu.Unlock()
	for _, s := range typed {
		b.call(ctx, s, e)
	}
	for _, s := range all {
		b.call(ctx, s, e)
	}
}

func (b *Bus) call(ctx context.Context, s *subscriber, e Event) {
	defer func() {
		if r := recover(); r != nil {
			b.log.ErrorContext(ctx, "signals: subscriber panicked", "event", e.Name(), "panic", fmt.Sprint(r))
		}
	}()
	if err := s.fn(ctx, e); err != nil {
		b.log.ErrorContext(ctx, "signals: subscriber failed", "event", e.Name(), "error", err)
	}
}
