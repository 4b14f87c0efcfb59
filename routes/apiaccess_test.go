package routes_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/routes"
)

func TestAPIAccessNotMountedWithoutClient(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{})
		newAPIClient(t, a)
		web := a.MustLogin("john", "secret", "web")
		for _, method := range []string{"GET", "POST", "DELETE"} {
			r := a.Do(method, "/api/apiaccess", web, "", "")
			assert.Equal(t, http.StatusNotFound, r.Code, method)
			assert.Nil(t, r.Body, "%s: Gin's own 404, not a route's JSON", method)
		}
		assert.Equal(t, 1, a.TokenCount())
	})
}

func TestAPIAccessLifecycle(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *bun.DB) {
				a := testapp.New(t, db, ginurin.Config{StorageMode: mode}, routes.Config{APIAccessClient: apiClient})
				newAPIClient(t, a)
				web := a.MustLogin("john", "secret", "web")
				a.TakeEvents()

				r := a.Do("GET", "/api/apiaccess", web, "", "")
				assert.Equal(t, http.StatusNotFound, r.Code)
				assert.Equal(t, "Not found.", r.Body["detail"])

				r = a.Do("POST", "/api/apiaccess", web, "", "")
				require.Equal(t, http.StatusCreated, r.Code, r.Raw)
				k := keys(r.Body)
				sort.Strings(k)
				assert.Equal(t, []string{"client", "created", "expires_in_str", "expiry", "has_expired", "last_used", "token"}, k)
				assert.Equal(t, apiClient, r.Body["client"])
				assert.Equal(t, false, r.Body["has_expired"])
				assert.Equal(t, "1 day", r.Body["expires_in_str"])
				assert.Nil(t, r.Body["last_used"])
				assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
				apiToken := r.Body["token"].(string)
				assert.Regexp(t, `^gnr_[0-9a-f]{72}$`, apiToken)
				assert.NotEqual(t, web, apiToken)
				assert.Equal(t, []string{"token_created"}, a.TakeEvents())
				created := r.Body["created"]

				me := a.Do("GET", "/api/sessions", apiToken, "", "")
				require.Equal(t, http.StatusOK, me.Code, "the new token authenticates")

				again := a.Do("POST", "/api/apiaccess", apiToken, "", "")
				assert.Equal(t, http.StatusBadRequest, again.Code)
				assert.Equal(t, "An API token was already issued to you.", again.Body["detail"])
				assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", apiToken, "", "").Code, "a refused POST keeps the token")

				got := a.Do("GET", "/api/apiaccess", web, "", "")
				require.Equal(t, http.StatusOK, got.Code, got.Raw)
				assert.NotContains(t, got.Body, "token", "not configured to include the token")
				assert.Equal(t, created, got.Body["created"])
				assert.Equal(t, apiClient, got.Body["client"])
				assert.Empty(t, a.TakeEvents())

				del := a.Do("DELETE", "/api/apiaccess", web, "", "")
				assert.Equal(t, http.StatusNoContent, del.Code, del.Raw)
				assert.Empty(t, del.Raw)
				assert.Equal(t, []string{"logout"}, a.TakeEvents())
				assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/", apiToken, "", "").Code)

				del = a.Do("DELETE", "/api/apiaccess", web, "", "")
				assert.Equal(t, http.StatusNotFound, del.Code)
				assert.Equal(t, "Not found.", del.Body["detail"])
				assert.Equal(t, http.StatusNotFound, a.Do("GET", "/api/apiaccess", web, "", "").Code)
				assert.Equal(t, http.StatusCreated, a.Do("POST", "/api/apiaccess", web, "", "").Code, "a new token after a delete")
			})
		})
	}
}

func TestAPIAccessIncludeToken(t *testing.T) {
	for _, mode := range modes {
		for _, include := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/include=%v", mode, include), func(t *testing.T) {
				testdb.Each(t, func(t *testing.T, db *bun.DB) {
					a := testapp.New(t, db, ginurin.Config{StorageMode: mode},
						routes.Config{APIAccessClient: apiClient, APIAccessResponseIncludeToken: include})
					newAPIClient(t, a)
					web := a.MustLogin("john", "secret", "web")
					post := a.Do("POST", "/api/apiaccess", web, "", "")
					require.Equal(t, http.StatusCreated, post.Code, post.Raw)
					get := a.Do("GET", "/api/apiaccess", web, "", "")
					require.Equal(t, http.StatusOK, get.Code)
					if include && mode == ginurin.StoragePlain {
						assert.Equal(t, post.Body["token"], get.Body["token"])
						assert.Equal(t, "no-store", get.Header.Get("Cache-Control"))
					} else {
						assert.NotContains(t, get.Body, "token", "digest mode never has the token to return")
					}
				})
			})
		}
	}
}

func TestAPIAccessExpiredTokenIsReplaced(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{APIAccessClient: apiClient})
		_, err := a.Auth.NewClient(context.Background(), apiClient, time.Hour, "")
		require.NoError(t, err)
		web := a.MustLogin("john", "secret", "web")
		first := a.Do("POST", "/api/apiaccess", web, "", "")
		require.Equal(t, http.StatusCreated, first.Code)

		a.Advance(2 * time.Hour)
		got := a.Do("GET", "/api/apiaccess", web, "", "")
		require.Equal(t, http.StatusOK, got.Code)
		assert.Equal(t, true, got.Body["has_expired"])
		assert.Equal(t, "1 hour", got.Body["expires_in_str"])

		second := a.Do("POST", "/api/apiaccess", web, "", "")
		require.Equal(t, http.StatusCreated, second.Code, "an expired token does not block a new one")
		assert.NotEqual(t, first.Body["token"], second.Body["token"])
		assert.NotEqual(t, first.Body["created"], second.Body["created"])
		assert.Equal(t, http.StatusUnauthorized, a.Do("GET", "/api/", first.Body["token"].(string), "", "").Code)
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", second.Body["token"].(string), "", "").Code)
		assert.Equal(t, 2, a.TokenCount())
	})
}

func TestAPIAccessCrossUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{APIAccessClient: apiClient})
		newAPIClient(t, a)
		john := a.MustLogin("john", "secret", "web")
		jane := a.MustLogin("jane", "secret2", "web")
		post := a.Do("POST", "/api/apiaccess", john, "", "")
		require.Equal(t, http.StatusCreated, post.Code)

		assert.Equal(t, http.StatusNotFound, a.Do("GET", "/api/apiaccess", jane, "", "").Code)
		assert.Equal(t, http.StatusNotFound, a.Do("DELETE", "/api/apiaccess", jane, "", "").Code)
		assert.Equal(t, http.StatusOK, a.Do("GET", "/api/", post.Body["token"].(string), "", "").Code, "jane cannot revoke john's token")
		janes := a.Do("POST", "/api/apiaccess", jane, "", "")
		require.Equal(t, http.StatusCreated, janes.Code, "jane gets her own")
		assert.Equal(t, []string{apiClient, "web"}, sortedKeys(byClient(t, sessions(t, a, jane))))
		assert.Equal(t, 4, a.TokenCount())
	})
}

func TestAPIAccessMissingClientIsServerError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{APIAccessClient: apiClient})
		web := a.MustLogin("john", "secret", "web")
		r := a.Do("POST", "/api/apiaccess", web, "", "")
		assert.Equal(t, http.StatusServiceUnavailable, r.Code, r.Raw)
		assert.Equal(t, "Service temporarily unavailable.", r.Body["detail"])
		assert.Equal(t, http.StatusNotFound, a.Do("GET", "/api/apiaccess", web, "", "").Code)
		assert.Equal(t, 1, a.TokenCount())
	})
}

func TestAPIAccessUnauthenticated(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{APIAccessClient: apiClient})
		newAPIClient(t, a)
		for _, method := range []string{"GET", "POST", "DELETE"} {
			r := a.Do(method, "/api/apiaccess", "", "", "")
			assert.Equal(t, http.StatusUnauthorized, r.Code, method)
			assert.Equal(t, "Authentication credentials were not provided.", r.Body["detail"])
		}
		assert.Equal(t, 0, a.TokenCount())
	})
}

func TestAPIAccessConcurrentPosts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		a := testapp.New(t, db, ginurin.Config{}, routes.Config{APIAccessClient: apiClient})
		newAPIClient(t, a)
		web := a.MustLogin("john", "secret", "web")
		const n = 8
		codes := make(chan int, n)
		for range n {
			go func() { codes <- a.Do("POST", "/api/apiaccess", web, "", "").Code }()
		}
		count := map[int]int{}
		for range n {
			count[<-codes]++
		}
		assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusBadRequest: n - 1}, count)
		assert.Equal(t, 2, a.TokenCount())
	})
}
