package permissions_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/permissions"
)

// Guards go after the authentication middleware, on routes or groups:
//
//	authed := routes.Register(api, auth, routes.Config{})
//	authed.GET("/onlywebclient", permissions.AllowClients("web"), handler)
//	mobile := authed.Group("/mobile", permissions.AllowClients("android", "ios"))
//
// A request that reaches a guard unauthenticated is refused with 401.
func ExampleAllowClients() {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.GET("/onlywebclient", permissions.AllowClients("web"), func(c *gin.Context) {
		c.String(http.StatusOK, "hello, web")
	})
	w := httptest.NewRecorder()
	engine.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/onlywebclient", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output: 401 {"detail":"Authentication credentials were not provided."}
}
