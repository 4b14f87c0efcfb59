package routes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
)

// Mount the routes on /api, add an app route beside them, and log in.
func ExampleRegister() {
	dir, _ := os.MkdirTemp("", "ginurin-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, _ := models.Open(filepath.Join(dir, "app.db"))
	defer db.Close()
	if err := models.Migrate(ctx, db, models.DefaultUserSchema()); err != nil {
		fmt.Println(err)
		return
	}
	auth, _ := ginurin.New(db, ginurin.Config{})
	defer auth.Close() // writes pending last uses, stops background work
	models.CreateUser(ctx, db, "alice", "s3cret!", false, 0)
	auth.NewClient(ctx, "web", 0, "")

	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	authed := routes.Register(engine.Group("/api"), auth, routes.Config{})
	authed.GET("/me", func(c *gin.Context) {
		user, _ := ginurin.UserFrom(c)
		client, _ := ginurin.ClientFrom(c)
		c.JSON(http.StatusOK, gin.H{"username": user.Username, "client": client.Name})
	})

	req := httptest.NewRequest("POST", "/api/login",
		strings.NewReader(`{"username":"alice","password":"s3cret!","client":"web"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, req)
	var login routes.LoginResponse
	json.Unmarshal(w.Body.Bytes(), &login)
	fmt.Println("login:", w.Code)

	req = httptest.NewRequest("GET", "/api/me", nil)
	req.Header.Set("Authorization", "Token "+login.Token)
	w = httptest.NewRecorder()
	engine.ServeHTTP(w, req)
	fmt.Println("me:", w.Code, w.Body.String())

	w = httptest.NewRecorder()
	engine.ServeHTTP(w, httptest.NewRequest("GET", "/api/me", nil))
	fmt.Println("anonymous:", w.Code, w.Body.String())
	// Output:
	// login: 200
	// me: 200 {"client":"web","username":"alice"}
	// anonymous: 401 {"detail":"Authentication credentials were not provided."}
}
