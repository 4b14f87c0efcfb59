// Package signals carries ginurin's events: Login, Logout, TokenCreated,
// TokenRenewed and TokenExpired, delivered through a Bus to typed
// subscribers.
//
// The contract:
//
//   - Delivery is synchronous, on the goroutine of the request that caused
//     the event, after the change has been committed to the database. An
//     event is never sent for a change that did not happen.
//   - Subscribers of one event type run in the order they subscribed;
//     SubscribeAll subscribers run after the typed ones.
//   - A subscriber that returns an error or panics is logged (naming the
//     event, never a token) and skipped; the others still run, and the
//     request that caused the event still succeeds: a failing subscriber
//     never turns a successful logout into an error response.
//   - Subscribe and unsubscribe are safe at any time, from any goroutine;
//     an Emit already under way uses the subscribers it started with.
//   - Events never carry a token string or a password: AuthToken values in
//     events have an empty Token field.
//
// A subscriber that does slow work (sending mail, calling a webhook) should
// hand it to its own goroutine or queue, since it delays the response.
package signals
