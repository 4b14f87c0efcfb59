package permissions_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/permissions"
	"github.com/ginurin/ginurin/routes"
)

const forbidden = "You do not have permission to perform this action."

func TestGuards(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		ok := func(c *gin.Context) { c.JSON(http.StatusOK, "ok") }
		a.Authed.GET("/onlyweb", permissions.AllowClients("web"), ok)
		a.Authed.GET("/noweb", permissions.DisallowClients("web"), ok)
		a.Authed.GET("/webcli", permissions.AllowClients("web", "cli"), ok)
		// Composed: web or cli, but not cli — web only.
		a.Authed.GET("/composed", permissions.AllowClients("web", "cli"), permissions.DisallowClients("cli"), ok)
		a.Authed.GET("/nobody", permissions.AllowClients(), ok)
		a.Authed.GET("/everybody", permissions.DisallowClients(), ok)
		group := a.Authed.Group("/cligroup", permissions.AllowClients("cli"))
		group.GET("/x", ok)
		// A guard without the authentication middleware in front.
		a.Engine.GET("/unauthed/onlyweb", permissions.AllowClients("web"), ok)

		tokens := map[string]string{
			"web": a.MustLogin(testapp.John, testapp.JohnPassword, "web"),
			"cli": a.MustLogin(testapp.John, testapp.JohnPassword, "cli"),
			"":    "",
		}
		tests := []struct {
			path, client string
			want         int
		}{
			{"/api/onlyweb", "web", http.StatusOK},
			{"/api/onlyweb", "cli", http.StatusForbidden},
			{"/api/onlyweb", "", http.StatusUnauthorized},
			{"/api/noweb", "web", http.StatusForbidden},
			{"/api/noweb", "cli", http.StatusOK},
			{"/api/noweb", "", http.StatusUnauthorized},
			{"/api/webcli", "web", http.StatusOK},
			{"/api/webcli", "cli", http.StatusOK},
			{"/api/composed", "web", http.StatusOK},
			{"/api/composed", "cli", http.StatusForbidden},
			{"/api/nobody", "web", http.StatusForbidden},
			{"/api/everybody", "cli", http.StatusOK},
			{"/api/cligroup/x", "cli", http.StatusOK},
			{"/api/cligroup/x", "web", http.StatusForbidden},
			{"/unauthed/onlyweb", "web", http.StatusUnauthorized},
		}
		for _, tt := range tests {
			t.Run(tt.path+"/"+tt.client, func(t *testing.T) {
				r := a.Do("GET", tt.path, tokens[tt.client], "", "")
				assert.Equal(t, tt.want, r.Code, r.Raw)
				switch tt.want {
				case http.StatusOK:
					assert.Equal(t, `"ok"`, r.Raw)
				case http.StatusForbidden:
					assert.Equal(t, forbidden, r.Body["detail"])
					assert.Empty(t, r.Header.Get("WWW-Authenticate"))
				case http.StatusUnauthorized:
					assert.Equal(t, "Authentication credentials were not provided.", r.Body["detail"])
					assert.Equal(t, "Token", r.Header.Get("WWW-Authenticate"))
				}
			})
		}
	})
}
