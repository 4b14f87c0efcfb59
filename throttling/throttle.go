package throttling

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/ulule/limiter/v3"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// Throttle limits each authenticated user+client pair to its client's
// throttle rate (else Config.DefaultRate), and each unauthenticated client
// IP to the default rate. Build it with New; it is safe for concurrent use.
type Throttle struct {
	base
	// def is the parsed default rate; nil when there is none.
	def *limiter.Rate
	// rates caches parsed client rates by their string: limiter.Rate, or
	// badRate for a stored rate that does not parse.
	rates sync.Map
}

// badRate marks a client rate string that does not parse.
type badRate struct{}

// New returns a Throttle configured by cfg (see Config for the defaults).
// It parses cfg.DefaultRate and refuses an invalid one or an invalid
// FailMode.
func New(cfg Config) (*Throttle, error) {
	if err := cfg.fillDefaults("throttle"); err != nil {
		return nil, err
	}
	t := &Throttle{base: base{cfg: cfg}}
	if cfg.DefaultRate != "" {
		r, err := ParseRate(cfg.DefaultRate)
		if err != nil {
			return nil, fmt.Errorf("throttling: DefaultRate: %w", err)
		}
		t.def = &r
	}
	return t, nil
}

// Middleware returns the Gin middleware. Put it after Auth.Middleware (see
// the package documentation). A request that is within its budget goes on
// with the X-RateLimit headers set; one over budget gets 429. A request
// with no rate to apply (no client rate, no default) goes on untouched and
// costs no store access.
func (t *Throttle) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		key, rate, ok := t.keyAndRate(c)
		if !ok {
			c.Next()
			return
		}
		lctx, counted := t.hit(c, key, rate)
		if !counted {
			if !c.IsAborted() {
				c.Next()
			}
			return
		}
		if lctx.Reached {
			throttled(c, lctx, rate)
			return
		}
		setHeaders(c, lctx)
		c.Next()
	}
}

// keyAndRate returns the counter key and rate of c; false when c is not
// throttled.
func (t *Throttle) keyAndRate(c *gin.Context) (string, limiter.Rate, bool) {
	tok, ok := ginurin.TokenFrom(c)
	if !ok || tok.Client == nil {
		if t.def == nil {
			return "", limiter.Rate{}, false
		}
		return t.cfg.Scope + ":ip:" + c.ClientIP(), *t.def, true
	}
	rate, ok := t.clientRate(c, tok.Client)
	if !ok {
		return "", limiter.Rate{}, false
	}
	b := make([]byte, 0, len(t.cfg.Scope)+40)
	b = append(b, t.cfg.Scope...)
	b = append(b, ":user:"...)
	b = strconv.AppendInt(b, tok.UserID, 10)
	b = append(b, ":client:"...)
	b = strconv.AppendInt(b, tok.ClientID, 10)
	return string(b), rate, true
}

// clientRate returns the rate of client: its own, parsed once per distinct
// rate string, else the default. A stored rate that does not parse (the
// database was edited by hand) is logged once and replaced by the default.
func (t *Throttle) clientRate(c *gin.Context, client *models.Client) (limiter.Rate, bool) {
	if client.ThrottleRate != "" {
		v, ok := t.rates.Load(client.ThrottleRate)
		if !ok {
			var parsed any = badRate{}
			r, err := ParseRate(client.ThrottleRate)
			if err == nil {
				parsed = r
			}
			if v, ok = t.rates.LoadOrStore(client.ThrottleRate, parsed); !ok && err != nil {
				t.cfg.Logger.WarnContext(c.Request.Context(),
					"throttling: client has an invalid throttle rate; using the default rate",
					"client", client.Name, "error", err)
			}
		}
		if r, ok := v.(limiter.Rate); ok {
			return r, true
		}
	}
	if t.def == nil {
		return limiter.Rate{}, false
	}
	return *t.def, true
}
