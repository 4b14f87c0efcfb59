package pgnotify_test

import (
	"crypto/rand"
	"encoding/hex"
	"hash/fnv"
	"net/url"
	"strings"
	"testing"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/ginurin/invalidatortest"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/pgnotify"
)

var run = func() string { var b [4]byte; rand.Read(b[:]); return hex.EncodeToString(b[:]) }()

// factory builds Notifiers on a channel unique to the test, on the
// database of GINURIN_TEST_POSTGRES_DSN.
func factory(t *testing.T, proxy *invalidatortest.Proxy) ginurin.Invalidator {
	t.Helper()
	dsn := testdb.Require(t, testdb.PostgresEnv)
	if proxy != nil {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		proxy.SetTarget(u.Host)
		u.Host = proxy.Addr()
		dsn = u.String()
	}
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	n, err := pgnotify.New(dsn, pgnotify.Config{
		Channel: "ginurin_test_" + run + "_" + hex.EncodeToString(h.Sum(nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n
}

func TestConformance(t *testing.T) {
	invalidatortest.Run(t, factory)
}

func TestNewValidates(t *testing.T) {
	if _, err := pgnotify.New("postgres://127.0.0.1/x", pgnotify.Config{Channel: strings.Repeat("c", 64)}); err == nil {
		t.Error("a 64-byte channel was accepted")
	}
	if _, err := pgnotify.New("postgres://127.0.0.1/x", pgnotify.Config{IdleTimeout: -1}); err == nil {
		t.Error("a negative IdleTimeout was accepted")
	}
}
