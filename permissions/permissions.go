package permissions

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
)

// The details of the guards' responses, as durin words them.
const (
	// DetailForbidden is the detail of a refused client's 403.
	DetailForbidden = "You do not have permission to perform this action."
	// DetailNotAuthenticated is the detail of the 401 answered when no
	// authenticated token reached the guard.
	DetailNotAuthenticated = "Authentication credentials were not provided."
)

// AllowClients admits only requests authenticated with a token of one of
// the named clients; other clients get 403. Names are compared exactly.
// With no names it admits no client at all.
func AllowClients(names ...string) gin.HandlerFunc {
	set := toSet(names)
	return guard(func(name string) bool {
		_, ok := set[name]
		return ok
	})
}

// DisallowClients refuses, with 403, requests authenticated with a token of
// one of the named clients, and admits every other client. Names are
// compared exactly. With no names it admits every client.
func DisallowClients(names ...string) gin.HandlerFunc {
	set := toSet(names)
	return guard(func(name string) bool {
		_, ok := set[name]
		return !ok
	})
}

func toSet(names []string) map[string]struct{} {
	set := make(map[string]struct{}, len(names))
	for _, n := range names {
		set[n] = struct{}{}
	}
	return set
}

// guard builds the middleware around admit, which receives the name of the
// authenticated token's client.
func guard(admit func(client string) bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		client, ok := ginurin.ClientFrom(c)
		if !ok || client == nil {
			c.Header("WWW-Authenticate", "Token")
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"detail": DetailNotAuthenticated})
			return
		}
		if !admit(client.Name) {
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"detail": DetailForbidden})
			return
		}
		c.Next()
	}
}
