package admin_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/internal/testdb"
)

// TestNULBytesAreNotFound: names holding a NUL byte, which no stored name
// can, answer like any unknown name: never a 5xx.
func TestNULBytesAreNotFound(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{})
		for _, tc := range []struct {
			method, path, body string
			code               int
		}{
			{"GET", "/admin/api/clients/we%00b", "", http.StatusNotFound},
			{"DELETE", "/admin/api/clients/we%00b", "", http.StatusNotFound},
			{"PATCH", "/admin/api/users/jo%00hn", `{"is_active":false}`, http.StatusNotFound},
			{"GET", "/admin/api/tokens?client=we%00b&user=jo%00hn", "", http.StatusOK},
		} {
			r := e.json(tc.method, tc.path, tc.body)
			assert.Equal(t, tc.code, r.Code, "%s %s: %s", tc.method, tc.path, r.Raw)
		}
	})
}
