package throttling

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ulule/limiter/v3"
)

// Response headers of throttled routes.
const (
	HeaderLimit      = "X-RateLimit-Limit"
	HeaderRemaining  = "X-RateLimit-Remaining"
	HeaderReset      = "X-RateLimit-Reset"
	HeaderRetryAfter = "Retry-After"
)

// base is what Throttle and Login share: the store and its failure policy.
type base struct {
	cfg Config
	// lastWarn is when the last fail-open warning was logged (Unix nanos).
	lastWarn atomic.Int64
	// suppressed counts the store failures not yet reported.
	suppressed atomic.Int64
}

// hit counts one request on key at rate. It returns the counter and true
// when the store answered. When the store failed it returns false, having
// either aborted c with the error handler (FailClosed) or logged (FailOpen,
// at most once per WarnInterval) and left c alone; the caller tells the two
// apart with c.IsAborted.
func (b *base) hit(c *gin.Context, key string, rate limiter.Rate) (limiter.Context, bool) {
	lctx, err := b.cfg.Store.Get(c.Request.Context(), key, rate)
	if err == nil {
		return lctx, true
	}
	err = fmt.Errorf("throttling: store: %w", err)
	if b.cfg.FailMode == FailClosed {
		b.cfg.ErrorHandler(c, err)
		c.Abort()
		return lctx, false
	}
	b.warn(c, err)
	return lctx, false
}

// warn logs a fail-open warning unless one was logged within WarnInterval.
func (b *base) warn(c *gin.Context, err error) {
	now := time.Now().UnixNano()
	last := b.lastWarn.Load()
	if last != 0 && now-last < int64(b.cfg.WarnInterval) || !b.lastWarn.CompareAndSwap(last, now) {
		b.suppressed.Add(1)
		return
	}
	b.cfg.Logger.LogAttrs(c.Request.Context(), slog.LevelWarn,
		"throttling: store failed; letting requests through unthrottled (fail open)",
		slog.String("scope", b.cfg.Scope),
		slog.Int64("suppressed", b.suppressed.Swap(0)),
		slog.Any("error", err))
}

// The canonical forms of the headers, computed once: every request sets
// them.
var (
	keyLimit     = http.CanonicalHeaderKey(HeaderLimit)
	keyRemaining = http.CanonicalHeaderKey(HeaderRemaining)
	keyReset     = http.CanonicalHeaderKey(HeaderReset)
)

// setHeaders writes the X-RateLimit headers of lctx, with one allocation
// for the three values.
func setHeaders(c *gin.Context, lctx limiter.Context) {
	v := []string{
		strconv.FormatInt(lctx.Limit, 10),
		strconv.FormatInt(lctx.Remaining, 10),
		strconv.FormatInt(lctx.Reset, 10),
	}
	h := c.Writer.Header()
	h[keyLimit], h[keyRemaining], h[keyReset] = v[0:1:1], v[1:2:2], v[2:3:3]
}

// throttled answers 429 with durin's detail and Retry-After, and aborts.
// The wait is rounded up: Reset is the window's end truncated to the
// second, so the window closes within the second after it; it never
// exceeds the rate's period.
func throttled(c *gin.Context, lctx limiter.Context, rate limiter.Rate) {
	period := int64((rate.Period + time.Second - 1) / time.Second)
	wait := min(max(lctx.Reset-time.Now().Unix()+1, 1), max(period, 1))
	setHeaders(c, lctx)
	c.Header(HeaderRetryAfter, strconv.FormatInt(wait, 10))
	c.AbortWithStatusJSON(http.StatusTooManyRequests, gin.H{
		"detail": "Request was throttled. Expected available in " + strconv.FormatInt(wait, 10) + " seconds.",
	})
}
