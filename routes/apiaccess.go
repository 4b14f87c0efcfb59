package routes

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// APIAccessResponse is the body of GET and POST /apiaccess.
type APIAccessResponse struct {
	Client       string  `json:"client"`
	Created      string  `json:"created"`
	Expiry       string  `json:"expiry"`
	LastUsed     *string `json:"last_used"`
	HasExpired   bool    `json:"has_expired"`
	ExpiresInStr string  `json:"expires_in_str"`
	Token        string  `json:"token,omitempty"`
}

func (h *handlers) apiAccessBody(t *models.AuthToken, token string) APIAccessResponse {
	now := h.auth.Now()
	return APIAccessResponse{
		Client:       t.Client.Name,
		Created:      h.auth.FormatTime(t.Created),
		Expiry:       h.auth.FormatTime(t.Expiry),
		LastUsed:     h.formatOptional(t.LastUsed),
		HasExpired:   t.HasExpired(now),
		ExpiresInStr: t.ExpiresInStr(now),
		Token:        token,
	}
}

// mountAPIAccess mounts GET, POST and DELETE /apiaccess on the
// authenticated group g, for the client named by Config.APIAccessClient.
func (h *handlers) mountAPIAccess(g *gin.RouterGroup) {
	g.GET("/apiaccess", h.getAPIAccess)
	g.POST("/apiaccess", h.postAPIAccess)
	g.DELETE("/apiaccess", h.deleteAPIAccess)
}

// getAPIAccess describes the caller's API-access token, expired or not.
// The token itself is included only with APIAccessResponseIncludeToken in
// plain storage mode.
func (h *handlers) getAPIAccess(c *gin.Context) {
	t, err := h.auth.ClientSession(c.Request.Context(), session(c).UserID, h.cfg.APIAccessClient)
	if errors.Is(err, ginurin.ErrSessionNotFound) {
		detail(c, http.StatusNotFound, "Not found.")
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	token := ""
	if h.cfg.APIAccessResponseIncludeToken {
		token = t.Token // empty in digest mode
	}
	if token != "" {
		noStore(c)
	}
	c.JSON(http.StatusOK, h.apiAccessBody(t, token))
}

// postAPIAccess issues the caller's API-access token and returns it, once.
// A missing API-access client is a server misconfiguration, answered by
// the error handler (503 by default) and logged.
func (h *handlers) postAPIAccess(c *gin.Context) {
	ctx := c.Request.Context()
	client, err := models.ClientByName(ctx, h.auth.DB(), h.cfg.APIAccessClient)
	if errors.Is(err, models.ErrClientNotFound) {
		h.fail(c, fmt.Errorf("routes: the API access client %q does not exist: %w", h.cfg.APIAccessClient, err))
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	current := session(c)
	issued, err := h.auth.IssueOnce(ctx, current.User, client)
	if errors.Is(err, ginurin.ErrSessionExists) {
		detail(c, http.StatusBadRequest, "An API token was already issued to you.")
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	noStore(c)
	c.JSON(http.StatusCreated, h.apiAccessBody(issued.Session, issued.Token))
}

// deleteAPIAccess revokes the caller's API-access token.
func (h *handlers) deleteAPIAccess(c *gin.Context) {
	h.answerRevoke(c, h.auth.RevokeClientSession(c.Request.Context(), session(c).UserID, h.cfg.APIAccessClient))
}
