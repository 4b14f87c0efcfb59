package spec_test

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/openapi"
	"github.com/ginurin/ginurin/openapi/spec"
)

// Document an application's own route next to where it is mounted.
func ExampleDocument() {
	type greeting struct {
		Message string `json:"message" doc:"The greeting."`
	}
	gin.SetMode(gin.ReleaseMode)
	docs := openapi.NewRegistry(openapi.Info{Title: "Greeter", Version: "1.0.0"})
	engine := gin.New()
	api := engine.Group("/api")
	api.GET("/hello/:name", func(c *gin.Context) {
		c.JSON(http.StatusOK, greeting{Message: "hello " + c.Param("name")})
	})
	docs.Add(api, http.MethodGet, "/hello/:name", openapi.Operation{
		Summary:   "Greet someone",
		Responses: []openapi.Response{{Status: http.StatusOK, Body: greeting{}}},
	})

	fmt.Println(docs.Undocumented(engine.Routes(), "/api"))
	doc, err := spec.Document(docs)
	if err != nil {
		fmt.Println(err)
		return
	}
	op := doc.Paths.Value("/api/hello/{name}").Get
	fmt.Println(op.OperationID, "-", op.Summary)
	// Output:
	// []
	// getApiHelloName - Greet someone
}
