package throttling_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/throttling"
)

// Unauthenticated requests are counted per client IP at the default rate.
// In an application the middleware goes after Auth.Middleware, and
// authenticated requests are counted per user+client pair.
func ExampleNew() {
	gin.SetMode(gin.ReleaseMode)
	thr, err := throttling.New(throttling.Config{DefaultRate: "2/m"})
	if err != nil {
		panic(err)
	}
	engine := gin.New()
	engine.GET("/search", thr.Middleware(), func(c *gin.Context) { c.String(http.StatusOK, "results") })

	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "/search", nil)
		req.RemoteAddr = "192.0.2.1:1234"
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Header().Get("X-RateLimit-Remaining"))
	}
	// Output:
	// 200 1
	// 200 0
	// 429 0
}

// A login limiter is handed to routes.Register; "off" disables it.
func ExampleNewLogin() {
	login, err := throttling.NewLogin("10/m", throttling.Config{})
	if err != nil {
		panic(err)
	}
	_ = login // routes.Register(api, auth, routes.Config{LoginLimiter: login})

	_, err = throttling.NewLogin("10/minute", throttling.Config{})
	fmt.Println(err != nil)
	// Output: true
}
