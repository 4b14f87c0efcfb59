package throttling

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// FailMode says what a limiter does with a request when its store fails.
type FailMode string

const (
	// FailOpen lets the request through unthrottled and logs a warning at
	// most once per Config.WarnInterval. An outage of the store then costs
	// the rate limit, never the service.
	FailOpen FailMode = "open"
	// FailClosed answers the request through Config.ErrorHandler (503
	// {"detail": "Service temporarily unavailable."} by default). An outage
	// of the store then costs the service, never the rate limit.
	FailClosed FailMode = "closed"
)

// Off is the login rate that disables the login limit (see NewLogin).
const Off = "off"

// Config configures a Throttle (New) or a Login limiter (NewLogin). Every
// zero field takes the default stated on it.
type Config struct {
	// DefaultRate is the rate, in durin's "N/p" form, of clients whose
	// throttle_rate is empty and of unauthenticated requests. Default ""
	// (none): those requests are not throttled. Ignored by NewLogin, which
	// takes its rate as an argument.
	DefaultRate string
	// Scope names the budget: limiters with the same Store and Scope share
	// their counters, others never do. Default "throttle" for New and
	// "login" for NewLogin.
	Scope string
	// Store keeps the counters. Default: a new ulule memory store, private
	// to this limiter and process. Use redisstore.New to share the budget
	// between instances.
	Store limiter.Store
	// FailMode is what happens to a request when Store fails. Default
	// FailOpen.
	FailMode FailMode
	// WarnInterval is the least time between two warnings about a failing
	// store in FailOpen mode; the failures in between are counted and
	// reported with the next warning. Default 1 minute.
	WarnInterval time.Duration
	// Logger receives those warnings. Default slog.Default().
	Logger *slog.Logger
	// ErrorHandler answers a request whose store failed in FailClosed mode.
	// Pass auth.Config().ErrorHandler to answer like the rest of the API.
	// Default ginurin.NewDefaultErrorHandler(Logger) (503).
	ErrorHandler ginurin.ErrorHandler
}

// fillDefaults fills the zero fields and checks the others; scope is the
// default Scope of the caller.
func (c *Config) fillDefaults(scope string) error {
	if c.Scope == "" {
		c.Scope = scope
	}
	if c.Store == nil {
		c.Store = memory.NewStoreWithOptions(limiter.StoreOptions{
			Prefix:          "ginurin",
			CleanUpInterval: limiter.DefaultCleanUpInterval,
		})
	}
	switch c.FailMode {
	case "":
		c.FailMode = FailOpen
	case FailOpen, FailClosed:
	default:
		return fmt.Errorf("throttling: FailMode must be %q or %q, got %q", FailOpen, FailClosed, c.FailMode)
	}
	if c.WarnInterval < 0 {
		return fmt.Errorf("throttling: WarnInterval must not be negative, got %s", c.WarnInterval)
	}
	if c.WarnInterval == 0 {
		c.WarnInterval = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ErrorHandler == nil {
		c.ErrorHandler = ginurin.NewDefaultErrorHandler(c.Logger)
	}
	return nil
}

// ParseRate parses a rate in durin's "N/p" form (p one of s, m, h, d) into
// a limiter.Rate. It is models.ParseRate, so "blahblah" and "2/minute" are
// refused with an error naming throttle_rate.
func ParseRate(s string) (limiter.Rate, error) {
	r, err := models.ParseRate(s)
	if err != nil {
		return limiter.Rate{}, fmt.Errorf("throttling: %w", err)
	}
	return limiter.Rate{Formatted: r.String(), Period: r.Period, Limit: r.Limit}, nil
}
