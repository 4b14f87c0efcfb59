package ginurin

import "time"

// SetFlushEvery sets how often a's last-use writer flushes; call it before
// the first authenticated request.
func SetFlushEvery(a *Auth, d time.Duration) { a.bg.flushEvery = d }

// Touch hands a use of token id to the last-use writer as an authenticated
// request would, with last the last use the request saw.
func Touch(a *Auth, id int64, last *time.Time, now time.Time) { a.touch(id, last, now) }
