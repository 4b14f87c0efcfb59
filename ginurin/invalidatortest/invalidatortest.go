package invalidatortest

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ginurin/ginurin/ginurin"
)

// Factory returns a new Invalidator on the channel of the test, as another
// instance of the same application would build it. When proxy is not nil,
// every connection of the Invalidator must go through it: the factory sets
// the proxy's target to the server's address and connects to proxy.Addr().
type Factory func(t *testing.T, proxy *Proxy) ginurin.Invalidator

// Recorder is a SubscriptionHandler that records what it receives.
type Recorder struct {
	mu         sync.Mutex
	subscribed int
	lost       int
	msgs       []string
}

// Subscribed implements ginurin.SubscriptionHandler.
func (r *Recorder) Subscribed() { r.mu.Lock(); r.subscribed++; r.mu.Unlock() }

// Lost implements ginurin.SubscriptionHandler.
func (r *Recorder) Lost(error) { r.mu.Lock(); r.lost++; r.mu.Unlock() }

// Message implements ginurin.SubscriptionHandler.
func (r *Recorder) Message(m string) { r.mu.Lock(); r.msgs = append(r.msgs, m); r.mu.Unlock() }

// Counts returns the number of Subscribed and Lost calls.
func (r *Recorder) Counts() (subscribed, lost int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.subscribed, r.lost
}

// Messages returns the messages received so far.
func (r *Recorder) Messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

// Subscribe starts inv.Subscribe on a Recorder and stops it at the end of
// the test, failing the test if Subscribe does not return within 5s of its
// context's end.
func Subscribe(t *testing.T, inv ginurin.Invalidator) *Recorder {
	t.Helper()
	r := new(Recorder)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		inv.Subscribe(ctx, r)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Errorf("Subscribe did not return after its context ended")
		}
	})
	return r
}

// waitFor polls cond every 10ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// Run checks the Invalidator contract against implementations built by
// newInv.
func Run(t *testing.T, newInv Factory) {
	t.Run("delivers in order to every subscriber", func(t *testing.T) {
		a, b := newInv(t, nil), newInv(t, nil)
		ra, rb := Subscribe(t, a), Subscribe(t, b)
		if !waitFor(5*time.Second, func() bool { s1, _ := ra.Counts(); s2, _ := rb.Counts(); return s1 > 0 && s2 > 0 }) {
			t.Fatal("Subscribed was not called within 5s")
		}
		var want []string
		for i := range 20 {
			msg := fmt.Sprintf("i t%d u%d", i, i*7)
			want = append(want, msg)
			if err := a.Publish(context.Background(), msg); err != nil {
				t.Fatalf("Publish: %v", err)
			}
		}
		for name, r := range map[string]*Recorder{"publisher": ra, "other": rb} {
			if !waitFor(5*time.Second, func() bool { return len(r.Messages()) >= len(want) }) {
				t.Fatalf("%s received %d of %d messages", name, len(r.Messages()), len(want))
			}
			if got := r.Messages(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s received %q, want %q", name, got, want)
			}
			if _, lost := r.Counts(); lost != 0 {
				t.Errorf("%s: Lost called %d times on a healthy channel", name, lost)
			}
		}
	})
	t.Run("publish honours its context", func(t *testing.T) {
		a := newInv(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := a.Publish(ctx, "i t1"); err == nil {
			t.Error("Publish with a cancelled context succeeded")
		}
	})
	t.Run("reports a cut and resubscribes", func(t *testing.T) {
		p := NewProxy(t, "")
		a := newInv(t, p)
		pub := newInv(t, nil)
		r := Subscribe(t, a)
		if !waitFor(5*time.Second, func() bool { s, _ := r.Counts(); return s == 1 }) {
			t.Fatal("Subscribed was not called within 5s")
		}
		p.Cut()
		if !waitFor(15*time.Second, func() bool { _, l := r.Counts(); return l > 0 }) {
			t.Fatal("Lost was not called within 15s of the connection being cut")
		}
		p.Restore()
		if !waitFor(15*time.Second, func() bool { s, _ := r.Counts(); return s >= 2 }) {
			t.Fatal("Subscribed was not called again within 15s of the connection being restored")
		}
		if err := pub.Publish(context.Background(), "i c9"); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		if !waitFor(5*time.Second, func() bool { m := r.Messages(); return len(m) > 0 && m[len(m)-1] == "i c9" }) {
			t.Fatalf("no delivery after resubscribing; got %q", r.Messages())
		}
	})
}

// Proxy forwards TCP connections to a target until cut.
type Proxy struct {
	t      *testing.T
	ln     net.Listener
	mu     sync.Mutex
	target string
	cut    bool
	conns  map[net.Conn]struct{}
}

// NewProxy listens on 127.0.0.1 (ephemeral port) and forwards to target;
// target may be set later with SetTarget. It closes at the end of the test.
func NewProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &Proxy{t: t, ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.Cut() })
	return p
}

// Addr is the proxy's "host:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target returns the address the proxy forwards to.
func (p *Proxy) Target() string { p.mu.Lock(); defer p.mu.Unlock(); return p.target }

// SetTarget sets the address the proxy forwards to.
func (p *Proxy) SetTarget(addr string) { p.mu.Lock(); p.target = addr; p.mu.Unlock() }

// Cut closes every connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Restore accepts connections again.
func (p *Proxy) Restore() { p.mu.Lock(); p.cut = false; p.mu.Unlock() }

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *Proxy) forward(c net.Conn) {
	p.mu.Lock()
	cut, target := p.cut, p.target
	p.mu.Unlock()
	if cut || target == "" {
		c.Close()
		return
	}
	s, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close(); c.Close() }()
	io.Copy(c, s)
	s.Close()
	c.Close()
}
