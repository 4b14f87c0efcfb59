package ginurin

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Invalidation names cached authentications to drop: every entry of one of
// the TokenIDs, of one of the UserIDs, or of one of the ClientIDs. Auth
// builds them itself on every revocation path; call Auth.Invalidate only
// when tokens, users or clients change behind Auth's back (an application's
// own user store, a direct SQL update of a client).
type Invalidation struct {
	// TokenIDs are sessions (models.AuthToken.ID) revoked, renewed or
	// re-issued.
	TokenIDs []int64
	// UserIDs are users whose sessions all go (logout all, deactivation).
	UserIDs []int64
	// ClientIDs are clients whose sessions all go (client deleted or
	// changed).
	ClientIDs []int64
}

// empty reports whether inv names nothing.
func (inv Invalidation) empty() bool {
	return len(inv.TokenIDs) == 0 && len(inv.UserIDs) == 0 && len(inv.ClientIDs) == 0
}

// Invalidator is the broadcast channel that carries cache invalidations
// between the instances of an application that share one database (see
// the package redispubsub and pgnotify implementations). It is a plain
// transport of short ASCII messages; the Auth encodes the messages, adds
// its own heartbeats and decides from them whether the channel can be
// trusted, so an implementation needs no retry, buffer or health check of
// its own.
//
// The contract:
//
//   - Publish hands msg to the channel, for every subscriber (the
//     publishing instance's own subscription included), and returns once
//     the channel accepted it, or an error. It is called on the goroutine
//     that changed the database (usually a request's), after the change
//     committed, with a context bounded by Config.TokenCacheFallbackTimeout;
//     it must respect the context. A failed Publish is logged; the change
//     stands and this instance's cache is already invalidated.
//   - Subscribe receives the channel's messages until ctx is done, then
//     returns. It calls h.Subscribed once the subscription is in place:
//     every message the channel accepts after that call is delivered,
//     through h.Message, in the order the channel accepted them, unless
//     the subscription fails. When it fails, or when messages may have been
//     missed for any reason, Subscribe calls h.Lost with the cause, then
//     reconnects by itself (with a delay, until ctx is done) and calls
//     h.Subscribed again. A subscription that stops receiving without an
//     error is caught by the Auth's heartbeats, which go through the same
//     channel.
//   - Every call to h is made from the goroutine that called Subscribe, one
//     at a time; h's methods return quickly and never block on I/O.
//
// Messages are at most a few hundred bytes of printable ASCII.
type Invalidator interface {
	Publish(ctx context.Context, msg string) error
	Subscribe(ctx context.Context, h SubscriptionHandler)
}

// SubscriptionHandler receives what an Invalidator's subscription carries.
// The Auth implements it; see Invalidator for when each method is called.
type SubscriptionHandler interface {
	// Subscribed reports that the subscription is in place.
	Subscribed()
	// Message delivers one message.
	Message(msg string)
	// Lost reports that messages may have been missed since the last call
	// to Subscribed, and why.
	Lost(err error)
}

// Wire format of the messages (first field is the kind):
//
//	i t12 t13 u4 c2     an Invalidation: token, user and client IDs
//	p <instance> <seq>  a heartbeat of one Auth instance
const (
	msgInvalidation = "i"
	msgPing         = "p"
)

// encodeInvalidation renders inv in the wire format.
func encodeInvalidation(inv Invalidation) string {
	b := make([]byte, 0, 2+8*(len(inv.TokenIDs)+len(inv.UserIDs)+len(inv.ClientIDs)))
	b = append(b, msgInvalidation...)
	for _, l := range []struct {
		tag byte
		ids []int64
	}{{'t', inv.TokenIDs}, {'u', inv.UserIDs}, {'c', inv.ClientIDs}} {
		for _, id := range l.ids {
			b = append(b, ' ', l.tag)
			b = strconv.AppendInt(b, id, 10)
		}
	}
	return string(b)
}

// decodeInvalidation parses the body of an "i" message.
func decodeInvalidation(fields []string) (Invalidation, error) {
	var inv Invalidation
	for _, f := range fields {
		if len(f) < 2 {
			return inv, fmt.Errorf("ginurin: bad invalidation field %q", f)
		}
		id, err := strconv.ParseInt(f[1:], 10, 64)
		if err != nil {
			return inv, fmt.Errorf("ginurin: bad invalidation field %q: %w", f, err)
		}
		switch f[0] {
		case 't':
			inv.TokenIDs = append(inv.TokenIDs, id)
		case 'u':
			inv.UserIDs = append(inv.UserIDs, id)
		case 'c':
			inv.ClientIDs = append(inv.ClientIDs, id)
		default:
			return inv, fmt.Errorf("ginurin: bad invalidation field %q", f)
		}
	}
	return inv, nil
}

// encodePing renders a heartbeat of instance.
func encodePing(instance string, seq uint64) string {
	return msgPing + " " + instance + " " + strconv.FormatUint(seq, 10)
}

// parseMessage splits a message into its kind and fields.
func parseMessage(msg string) (kind string, fields []string) {
	f := strings.Fields(msg)
	if len(f) == 0 {
		return "", nil
	}
	return f[0], f[1:]
}

// RetrySubscribe is the loop behind a transport's Subscribe: it runs once
// (one subscription session, which returns when it fails) until ctx is
// done; after each failure it reports the error to h.Lost and waits delay
// before the next session. It returns when ctx is done.
func RetrySubscribe(ctx context.Context, h SubscriptionHandler, delay time.Duration, once func(context.Context, SubscriptionHandler) error) {
	for ctx.Err() == nil {
		err := once(ctx, h)
		if ctx.Err() != nil {
			return
		}
		h.Lost(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}
