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

// Guard routes with the authentication middleware and read the caller
// with the typed accessors.
func ExampleAuth_Middleware() {
	dir, _ := os.MkdirTemp("", "ginurin-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, _ := models.Open(filepath.Join(dir, "app.db"))
	defer db.Close()
	models.Migrate(ctx, db, models.DefaultUserSchema())
	auth, _ := ginurin.New(db, ginurin.Config{})
	defer auth.Close() // writes pending last uses, stops background work
	user, _ := models.CreateUser(ctx, db, "alice", "s3cret!", false, 0)
	client, _ := auth.NewClient(ctx, "cli", 0, "")
	issued, _ := auth.Login(ctx, user, client)

	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.GET("/public", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
	private := engine.Group("/private", auth.Middleware())
	private.GET("/whoami", func(c *gin.Context) {
		user, _ := ginurin.UserFrom(c)
		client, _ := ginurin.ClientFrom(c)
		c.String(http.StatusOK, "%s via %s", user.Username, client.Name)
	})

	for _, header := range []string{"", "Token " + issued.Token, "Token not-a-token"} {
		req := httptest.NewRequest("GET", "/private/whoami", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 401 {"detail":"Authentication credentials were not provided."}
	// 200 alice via cli
	// 401 {"detail":"Invalid token."}
}
