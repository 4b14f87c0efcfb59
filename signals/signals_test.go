package signals_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/signals"
)

func TestOrderAndFailures(t *testing.T) {
	var logs bytes.Buffer
	bus := signals.NewBus(slog.New(slog.NewTextHandler(&logs, nil)))
	var got []string
	signals.Subscribe(bus, func(_ context.Context, e signals.Login) error {
		got = append(got, "first:"+e.User.Username)
		return nil
	})
	signals.Subscribe(bus, func(context.Context, signals.Login) error { panic("boom") })
	signals.Subscribe(bus, func(context.Context, signals.Login) error { return errors.New("mail server down") })
	signals.SubscribeAll(bus, func(_ context.Context, e signals.Event) error {
		got = append(got, "all:"+e.Name())
		return nil
	})
	signals.Subscribe(bus, func(context.Context, signals.Login) error {
		got = append(got, "last")
		return nil
	})
	signals.Subscribe(bus, func(context.Context, signals.Logout) error {
		got = append(got, "logout")
		return nil
	})

	signals.Emit(context.Background(), bus, signals.Login{User: &models.User{Username: "john"}, Client: &models.Client{Name: "web"}})
	assert.Equal(t, []string{"first:john", "last", "all:login"}, got, "typed in order, then all; failures skipped")
	assert.Contains(t, logs.String(), "subscriber panicked")
	assert.Contains(t, logs.String(), "boom")
	assert.Contains(t, logs.String(), "mail server down")
	assert.Contains(t, logs.String(), "event=login")
}

func TestUnsubscribe(t *testing.T) {
	bus := signals.NewBus(nil)
	n := 0
	unsub := signals.Subscribe(bus, func(context.Context, signals.TokenExpired) error { n++; return nil })
	unsubAll := signals.SubscribeAll(bus, func(context.Context, signals.Event) error { n += 10; return nil })
	signals.Emit(context.Background(), bus, signals.TokenExpired{Token: &models.AuthToken{}})
	unsub()
	unsub() // idempotent
	signals.Emit(context.Background(), bus, signals.TokenExpired{Token: &models.AuthToken{}})
	unsubAll()
	signals.Emit(context.Background(), bus, signals.TokenExpired{Token: &models.AuthToken{}})
	assert.Equal(t, 21, n)
}

func TestNames(t *testing.T) {
	for want, e := range map[string]signals.Event{
		"login": signals.Login{}, "logout": signals.Logout{}, "token_created": signals.TokenCreated{},
		"token_renewed": signals.TokenRenewed{}, "token_expired": signals.TokenExpired{},
	} {
		assert.Equal(t, want, e.Name())
	}
}

func TestNilBusDrops(t *testing.T) {
	signals.Emit(context.Background(), nil, signals.Logout{})
}

func TestConcurrentSubscribeAndEmit(t *testing.T) {
	bus := signals.NewBus(nil)
	var mu sync.Mutex
	count := 0
	inc := func(context.Context, signals.Logout) error {
		mu.Lock()
		count++
		mu.Unlock()
		return nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			signals.Subscribe(bus, inc)()
		}()
		go func() {
			defer wg.Done()
			signals.Emit(context.Background(), bus, signals.Logout{UserID: 1})
		}()
	}
	wg.Wait()
	mu.Lock()
	count = 0
	mu.Unlock()
	signals.Subscribe(bus, inc)
	signals.Emit(context.Background(), bus, signals.Logout{UserID: 1})
	assert.Equal(t, 1, count, "subscribers that unsubscribed concurrently are gone")
}
