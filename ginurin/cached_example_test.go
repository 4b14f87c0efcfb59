package ginurin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// A route behind CachedMiddleware: the second request is served from the
// cache, and a revocation holds from the next request on.
func ExampleAuth_CachedMiddleware() {
	dir, _ := os.MkdirTemp("", "ginurin-example")
	defer os.RemoveAll(dir)
	db, _ := models.Open(filepath.Join(dir, "app.db"))
	defer db.Close()
	ctx := context.Background()
	_ = models.Migrate(ctx, db, models.DefaultUserSchema())

	auth, _ := ginurin.New(db, ginurin.Config{PasswordHashCost: 4})
	defer auth.Close()
	user, _ := models.CreateUser(ctx, db, "alice", "s3cret!", false, 4)
	client, _ := auth.NewClient(ctx, "web", 0, "")
	issued, _ := auth.Login(ctx, user, client)

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/feed", auth.CachedMiddleware(), func(c *gin.Context) {
		u, _ := ginurin.UserFrom(c)
		c.String(http.StatusOK, "feed of "+u.Username)
	})
	get := func() {
		req := httptest.NewRequest("GET", "/feed", nil)
		req.Header.Set("Authorization", "Token "+issued.Token)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body.String())
	}
	get() // one query
	get() // none: from the cache
	_ = auth.Revoke(ctx, issued.Session)
	get() // refused at once
	// Output:
	// 200 feed of alice
	// 200 feed of alice
	// 401 {"detail":"Invalid token."}
}
