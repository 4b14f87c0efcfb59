package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/openapi/spec"
	"github.com/ginurin/ginurin/routes"
)

// Mount the admin on /admin beside the auth routes on /api, document both,
// and create a client through the JSON API with a staff user's token.
func ExampleRegister() {
	dir, _ := os.MkdirTemp("", "ginurin-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, _ := models.Open(filepath.Join(dir, "app.db"))
	defer db.Close()
	models.Migrate(ctx, db, models.DefaultUserSchema())
	auth, _ := ginurin.New(db, ginurin.Config{})
	defer auth.Close()                                        // writes pending last uses, stops background work
	models.CreateUser(ctx, db, "root", "t0p-s3cret", true, 0) // staff
	auth.NewClient(ctx, "cli", 0, "")

	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	docs := openapi.NewRegistry(openapi.Info{Title: "My API"})
	routes.Register(engine.Group("/api"), auth, routes.Config{OpenAPI: docs})
	admin.Register(engine.Group("/admin"), auth, admin.Config{OpenAPI: docs})
	engine.GET("/openapi.json", spec.Handler(docs))

	send := func(method, path, token, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Token "+token)
		}
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	_, body := send("POST", "/api/login", "", `{"username":"root","password":"t0p-s3cret","client":"cli"}`)
	var login routes.LoginResponse
	json.Unmarshal([]byte(body), &login)

	fmt.Println(send("POST", "/admin/api/clients", login.Token, `{"name":"android","token_ttl":"14d"}`))
	fmt.Println(send("POST", "/admin/api/clients", login.Token, `{"name":"ios","throttle_rate":"2/minute"}`))
	fmt.Println(send("GET", "/admin/api/clients/android", login.Token, ""))
	fmt.Println(send("GET", "/admin/api/clients", "", ""))
	// Output:
	// 201 {"name":"android","token_ttl":"14d","throttle_rate":"","token_count":0}
	// 400 {"detail":"throttle_rate: \"2/minute\" is not of the form N/p with p one of s, m, h, d","field":"throttle_rate"}
	// 200 {"name":"android","token_ttl":"14d","throttle_rate":"","token_count":0}
	// 401 {"detail":"Authentication credentials were not provided."}
}
