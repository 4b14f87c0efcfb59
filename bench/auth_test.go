package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTargetsAuthenticate checks that every sub-benchmark's engine really
// does the job: 200 with the valid header, 401 without or with a forged
// one (the bare engine needs none).
func TestTargetsAuthenticate(t *testing.T) {
	for _, tc := range targets {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.setup(t)
			cases := []struct {
				name, header string
				want         int
				body         string
			}{{"valid", tg.valid, http.StatusOK, "john"}}
			if tg.needAuth {
				cases = append(cases,
					struct {
						name, header string
						want         int
						body         string
					}{"forged or revoked", tg.invalid, http.StatusUnauthorized, ""},
					struct {
						name, header string
						want         int
						body         string
					}{"none", "", http.StatusUnauthorized, ""})
			} else {
				cases[0].body = "anonymous"
			}
			for _, c := range cases {
				for i := range 2 { // the second time from the cache, if any
					req := httptest.NewRequest("GET", "/resource", nil)
					if c.header != "" {
						req.Header.Set("Authorization", c.header)
					}
					w := serve(tg.engine, req)
					if w.Code != c.want {
						t.Errorf("%s #%d: status %d, want %d: %s", c.name, i, w.Code, c.want, w.Body)
					}
					if c.body != "" && w.Body.String() != c.body {
						t.Errorf("%s #%d: body %q, want %q", c.name, i, w.Body, c.body)
					}
				}
			}
		})
	}
}

// BenchmarkAuth measures one authenticated GET through Gin per operation.
func BenchmarkAuth(b *testing.B) {
	for _, tc := range targets {
		b.Run(tc.name, func(b *testing.B) {
			tg := tc.setup(b)
			req := httptest.NewRequest("GET", "/resource", nil)
			if tg.valid != "" {
				req.Header.Set("Authorization", tg.valid)
			}
			if w := serve(tg.engine, req); w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if w := serve(tg.engine, req); w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkLogin measures POST /api/login with the default bcrypt cost:
// bound by the password hash, as it should be.
func BenchmarkLogin(b *testing.B) {
	e := loginEngine(b)
	const body = `{"username":"john","password":"secret","client":"web"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if w := serve(e, req); w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
