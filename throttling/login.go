package throttling

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/ulule/limiter/v3"
)

// Login limits login attempts per client IP and per username, against
// password guessing. Pass it to routes.Config.LoginLimiter, which calls
// Check before the client is looked up or any password is hashed. Build it
// with NewLogin; it is safe for concurrent use, and a nil *Login admits
// every attempt.
type Login struct {
	base
	rate limiter.Rate
	off  bool
}

// NewLogin returns a login limiter allowing rate attempts ("N/p", e.g.
// "10/m") per client IP and, separately, per username; Off ("off")
// returns a limiter that admits everything. cfg.DefaultRate is ignored;
// cfg.Scope defaults to "login".
func NewLogin(rate string, cfg Config) (*Login, error) {
	if err := cfg.fillDefaults("login"); err != nil {
		return nil, err
	}
	l := &Login{base: base{cfg: cfg}}
	if rate == Off {
		l.off = true
		return l, nil
	}
	r, err := ParseRate(rate)
	if err != nil {
		return nil, fmt.Errorf("throttling: login rate: %w", err)
	}
	l.rate = r
	return l, nil
}

// Check counts one login attempt for username from c's client IP and
// reports whether it may go on. Every attempt counts, successful or not.
// The IP's budget is checked first; an attempt refused for its IP does not
// spend the username's budget, so one address cannot lock a user out for
// longer than its own budget allows. When either budget is spent Check
// answers 429 (durin's detail, Retry-After, X-RateLimit headers), aborts c
// and returns false. When the store fails it follows Config.FailMode: true
// after at most a logged warning (FailOpen), or false after the error
// handler answered (FailClosed). Usernames are stored hashed, never in
// clear, in the counter keys.
func (l *Login) Check(c *gin.Context, username string) bool {
	if l == nil || l.off {
		return true
	}
	if !l.check(c, l.cfg.Scope+":ip:"+c.ClientIP()) {
		return false
	}
	sum := sha256.Sum256([]byte(username))
	return l.check(c, l.cfg.Scope+":user:"+hex.EncodeToString(sum[:16]))
}

func (l *Login) check(c *gin.Context, key string) bool {
	lctx, counted := l.hit(c, key, l.rate)
	if !counted {
		return !c.IsAborted()
	}
	if lctx.Reached {
		throttled(c, lctx, l.rate)
		return false
	}
	return true
}
