package routes

import (
	"errors"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// SessionResponse is one entry of GET /sessions. It never carries the token or
// the user.
type SessionResponse struct {
	ID           int64   `json:"id"`
	Client       string  `json:"client"`
	Created      string  `json:"created"`
	Expiry       string  `json:"expiry"`
	LastUsed     *string `json:"last_used"`
	HasExpired   bool    `json:"has_expired"`
	IsCurrent    bool    `json:"is_current"`
	ExpiresInStr string  `json:"expires_in_str"`
}

// formatOptional renders t with the expiry format, or nil.
func (h *handlers) formatOptional(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := h.auth.FormatTime(*t)
	return &s
}

// exceptClients lists the clients GET /sessions and DELETE /sessions/:id
// leave out.
func (h *handlers) exceptClients() []string {
	if h.cfg.APIAccessExcludeFromSessions && h.cfg.APIAccessClient != "" {
		return []string{h.cfg.APIAccessClient}
	}
	return nil
}

// mountSessions mounts GET /sessions and DELETE /sessions/:id on the
// authenticated group g.
func (h *handlers) mountSessions(g *gin.RouterGroup) {
	refusal := "Can't delete token if the request is authed with it. Use " +
		path.Join(g.BasePath(), "logout") + " instead."
	g.GET("/sessions", h.listSessions)
	g.DELETE("/sessions/:id", func(c *gin.Context) { h.deleteSession(c, refusal) })
}

func (h *handlers) listSessions(c *gin.Context) {
	current := session(c)
	ts, err := h.auth.Sessions(c.Request.Context(), current.UserID, h.exceptClients()...)
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.auth.Now()
	out := make([]SessionResponse, 0, len(ts))
	for _, t := range ts {
		out = append(out, SessionResponse{
			ID:           t.ID,
			Client:       t.Client.Name,
			Created:      h.auth.FormatTime(t.Created),
			Expiry:       h.auth.FormatTime(t.Expiry),
			LastUsed:     h.formatOptional(t.LastUsed),
			HasExpired:   t.HasExpired(now),
			IsCurrent:    t.ID == current.ID,
			ExpiresInStr: t.ExpiresInStr(now),
		})
	}
	c.JSON(http.StatusOK, out)
}

// deleteSession revokes one of the caller's sessions. An ID that is not a
// positive integer is answered like a missing one, 404 "Not found.", as
// Django REST framework answers a malformed primary key.
func (h *handlers) deleteSession(c *gin.Context, refusal string) {
	current := session(c)
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		detail(c, http.StatusNotFound, "Not found.")
		return
	}
	if id == current.ID {
		detail(c, http.StatusBadRequest, refusal)
		return
	}
	h.answerRevoke(c, h.auth.RevokeSession(c.Request.Context(), current.UserID, id, h.exceptClients()...))
}

// answerRevoke answers a revocation of the caller's own session: 204, 404
// "Not found." when there was none to revoke, or the error handler.
func (h *handlers) answerRevoke(c *gin.Context, err error) {
	switch {
	case errors.Is(err, ginurin.ErrSessionNotFound):
		detail(c, http.StatusNotFound, "Not found.")
	case err != nil:
		h.fail(c, err)
	default:
		c.Status(http.StatusNoContent)
	}
}
