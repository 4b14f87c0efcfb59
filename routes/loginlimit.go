package routes

import "github.com/gin-gonic/gin"

// LoginLimiter guards POST /login against password guessing.
// *throttling.Login implements it (per client IP and per username).
//
// Check runs on the request's goroutine once the body has been decoded and
// found to hold a username and a password, before the client is looked up
// and before any password is hashed. It returns true to let the attempt go
// on. It returns false only after writing the response itself (429 when
// the budget is spent, or an error when its store failed and it fails
// closed); the handler then stops. It must not panic.
type LoginLimiter interface {
	Check(c *gin.Context, username string) bool
}

// NoLoginLimit is a LoginLimiter that admits every attempt: set
// Config.LoginLimiter to it to turn the default login limit off.
var NoLoginLimit LoginLimiter = noLimit{}

type noLimit struct{}

func (noLimit) Check(*gin.Context, string) bool { return true }
