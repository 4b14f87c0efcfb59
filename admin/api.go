package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// Client is a client as the API shows it.
type Client struct {
	Name         string `json:"name" doc:"Unique, 1 to 64 characters."`
	TokenTTL     string `json:"token_ttl" doc:"Lifetime of new and renewed tokens: whole days as \"14d\", otherwise a Go duration such as \"1h30m0s\"."`
	ThrottleRate string `json:"throttle_rate" doc:"\"N/p\" with p one of s, m, h, d; empty for the default rate."`
	TokenCount   int    `json:"token_count" doc:"Number of stored tokens of this client (expired ones until pruned)."`
}

// ClientInput is the body of POST and PATCH /clients. POST needs name;
// omitted fields keep their value (PATCH) or default (POST: the Auth's
// DefaultTokenTTL, no throttle rate). Unknown fields are refused.
type ClientInput struct {
	Name         *string `json:"name,omitempty" doc:"Unique, 1 to 64 characters, no surrounding white space."`
	TokenTTL     *string `json:"token_ttl,omitempty" doc:"A positive duration: \"90m\", \"24h\", \"14d\"."`
	ThrottleRate *string `json:"throttle_rate,omitempty" doc:"\"N/p\" with p one of s, m, h, d; empty for the default rate."`
}

// ClientList is the body of GET /clients.
type ClientList struct {
	Count   int      `json:"count" doc:"Number of clients in all pages."`
	Results []Client `json:"results"`
}

// Token is a token as the API shows it: never the token or its digest.
type Token struct {
	ID           int64  `json:"id"`
	User         string `json:"user" doc:"Username of the token's user."`
	Client       string `json:"client" doc:"Name of the token's client."`
	Created      string `json:"created"`
	Expiry       string `json:"expiry"`
	HasExpired   bool   `json:"has_expired"`
	ExpiresInStr string `json:"expires_in_str" doc:"Time left, e.g. \"1 day\" or \"5 minutes\"; \"expired\" once expired."`
}

// TokenList is the body of GET /tokens.
type TokenList struct {
	Count   int     `json:"count" doc:"Number of matching tokens in all pages."`
	Results []Token `json:"results"`
}

// User is a user as the API shows it.
type User struct {
	Username   string  `json:"username"`
	IsActive   bool    `json:"is_active"`
	IsStaff    bool    `json:"is_staff"`
	DateJoined *string `json:"date_joined" doc:"Null when the users table has no such column."`
	LastLogin  *string `json:"last_login" doc:"Null before the first login."`
}

// UserList is the body of GET /users.
type UserList struct {
	Count   int    `json:"count" doc:"Number of users in all pages."`
	Results []User `json:"results"`
}

// UserInput is the body of PATCH /users/:username.
type UserInput struct {
	IsActive bool `json:"is_active" doc:"false deactivates the user: their tokens are refused from the next request on."`
}

// decodeObject reads a JSON object body of at most the configured size.
func (h *handlers) decodeObject(c *gin.Context) (map[string]json.RawMessage, error) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, detail: "Unsupported media type; send JSON."}
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxBodyBytes)
	var obj map[string]json.RawMessage
	if err := json.NewDecoder(body).Decode(&obj); err != nil || obj == nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, detail: "Request body too large."}
		}
		return nil, &apiError{status: http.StatusBadRequest, detail: "Malformed request body; send a JSON object."}
	}
	return obj, nil
}

// stringField reads an optional string field; null counts as "".
func stringField(obj map[string]json.RawMessage, name string) (*string, error) {
	raw, ok := obj[name]
	if !ok {
		return nil, nil
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		s := ""
		return &s, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fieldError(name, "must be a string")
	}
	return &s, nil
}

// clientInput decodes a ClientInput, refusing unknown fields.
func (h *handlers) clientInput(c *gin.Context) (ClientInput, error) {
	var in ClientInput
	obj, err := h.decodeObject(c)
	if err != nil {
		return in, err
	}
	for k := range obj {
		if k != "name" && k != "token_ttl" && k != "throttle_rate" {
			return in, fieldError(k, "unknown field")
		}
	}
	if in.Name, err = stringField(obj, "name"); err != nil {
		return in, err
	}
	if in.TokenTTL, err = stringField(obj, "token_ttl"); err != nil {
		return in, err
	}
	if in.ThrottleRate, err = stringField(obj, "throttle_rate"); err != nil {
		return in, err
	}
	return in, nil
}

// saveClient creates (old == nil) or updates a client from in, with the
// CLI's validation. Errors are *apiError for bad input.
func (h *handlers) saveClient(ctx context.Context, old *models.Client, in ClientInput) (*models.Client, error) {
	var ttl time.Duration
	if in.TokenTTL != nil {
		d, err := models.ParseDuration(*in.TokenTTL)
		if err != nil {
			return nil, fieldError("token_ttl", fmt.Sprintf("%q is not a positive duration such as 90m, 24h or 14d", *in.TokenTTL))
		}
		ttl = d
	}
	if in.ThrottleRate != nil && *in.ThrottleRate != "" {
		if _, err := models.ParseRate(*in.ThrottleRate); err != nil {
			return nil, fieldError("throttle_rate", fmt.Sprintf("%q is not of the form N/p with p one of s, m, h, d", *in.ThrottleRate))
		}
	}
	if old == nil {
		if in.Name == nil {
			return nil, fieldError("name", "this field is required")
		}
		rate := ""
		if in.ThrottleRate != nil {
			rate = *in.ThrottleRate
		}
		c, err := h.auth.NewClient(ctx, *in.Name, ttl, rate)
		if e := asClientError(err); e != nil {
			return nil, e
		}
		return c, err
	}
	c := *old
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.TokenTTL != nil {
		c.TokenTTL = ttl
	}
	if in.ThrottleRate != nil {
		c.ThrottleRate = *in.ThrottleRate
	}
	if err := h.auth.UpdateClient(ctx, &c); err != nil {
		if e := asClientError(err); e != nil {
			return nil, e
		}
		return nil, err
	}
	return &c, nil
}

// clientJSON renders c with its token count.
func clientJSON(c *models.Client, counts map[int64]int) Client {
	return Client{Name: c.Name, TokenTTL: FormatTTL(c.TokenTTL), ThrottleRate: c.ThrottleRate, TokenCount: counts[c.ID]}
}

// clientPage returns a page of clients with their token counts.
func (h *handlers) clientPage(ctx context.Context, limit, offset int) ([]Client, int, error) {
	all, err := models.ListClients(ctx, h.auth.DB())
	if err != nil {
		return nil, 0, err
	}
	counts, err := models.CountTokensByClient(ctx, h.auth.DB())
	if err != nil {
		return nil, 0, err
	}
	out := []Client{}
	for i := offset; i < len(all) && i < offset+limit; i++ {
		out = append(out, clientJSON(&all[i], counts))
	}
	return out, len(all), nil
}

func (h *handlers) listClients(c *gin.Context) {
	limit, offset, err := h.page(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	results, total, err := h.clientPage(c.Request.Context(), limit, offset)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ClientList{Count: total, Results: results})
}

// oneClient renders the named client with its token count.
func (h *handlers) oneClient(ctx context.Context, name string) (Client, error) {
	cl, err := models.ClientByName(ctx, h.auth.DB(), name)
	if err != nil {
		return Client{}, err
	}
	counts, err := models.CountTokensByClient(ctx, h.auth.DB())
	if err != nil {
		return Client{}, err
	}
	return clientJSON(cl, counts), nil
}

func (h *handlers) getClient(c *gin.Context) {
	out, err := h.oneClient(c.Request.Context(), c.Param("name"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h *handlers) createClient(c *gin.Context) {
	in, err := h.clientInput(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	cl, err := h.saveClient(c.Request.Context(), nil, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, clientJSON(cl, nil))
}

func (h *handlers) updateClient(c *gin.Context) {
	ctx := c.Request.Context()
	old, err := models.ClientByName(ctx, h.auth.DB(), c.Param("name"))
	if err != nil {
		h.fail(c, err)
		return
	}
	in, err := h.clientInput(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	cl, err := h.saveClient(ctx, old, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	out, err := h.oneClient(ctx, cl.Name)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h *handlers) deleteClient(c *gin.Context) {
	if err := h.auth.DeleteClient(c.Request.Context(), c.Param("name")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// tokenPage returns a page of tokens filtered by client name and username.
func (h *handlers) tokenPage(ctx context.Context, client, user string, limit, offset int) ([]Token, int, error) {
	f := models.TokenFilter{ClientName: client, Limit: limit, Offset: offset}
	tq := h.auth.Tokens()
	if user != "" {
		if tq.JoinsUsers() {
			f.Username = user
		} else {
			u, err := h.auth.Config().Users.UserByUsername(ctx, user)
			if errors.Is(err, models.ErrUserNotFound) {
				return []Token{}, 0, nil
			}
			if err != nil {
				return nil, 0, fmt.Errorf("admin: find user: %w", err)
			}
			f.UserID = u.ID
		}
	}
	tokens, total, err := tq.List(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	now := h.auth.Now()
	names := map[int64]string{}
	out := make([]Token, 0, len(tokens))
	for i := range tokens {
		t := &tokens[i]
		username := ""
		if t.User != nil {
			username = t.User.Username
		} else if n, ok := names[t.UserID]; ok {
			username = n
		} else {
			u, err := h.auth.Config().Users.UserByID(ctx, t.UserID)
			switch {
			case err == nil:
				username = u.Username
			case !errors.Is(err, models.ErrUserNotFound):
				return nil, 0, fmt.Errorf("admin: find user: %w", err)
			}
			names[t.UserID] = username
		}
		out = append(out, Token{
			ID: t.ID, User: username, Client: t.Client.Name,
			Created: h.auth.FormatTime(t.Created), Expiry: h.auth.FormatTime(t.Expiry),
			HasExpired: t.HasExpired(now), ExpiresInStr: expiresInStr(t, now),
		})
	}
	return out, total, nil
}

func (h *handlers) listTokens(c *gin.Context) {
	limit, offset, err := h.page(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	results, total, err := h.tokenPage(c.Request.Context(), c.Query("client"), c.Query("user"), limit, offset)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, TokenList{Count: total, Results: results})
}

func (h *handlers) revokeToken(c *gin.Context) {
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		h.fail(c, errNotFound)
		return
	}
	if err := h.auth.RevokeByID(c.Request.Context(), id); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// userJSON renders u.
func (h *handlers) userJSON(u *models.User) User {
	out := User{Username: u.Username, IsActive: u.IsActive, IsStaff: u.IsStaff}
	if !u.DateJoined.IsZero() {
		s := h.auth.FormatTime(u.DateJoined)
		out.DateJoined = &s
	}
	if u.LastLogin != nil {
		s := h.auth.FormatTime(*u.LastLogin)
		out.LastLogin = &s
	}
	return out
}

// userPage returns a page of users.
func (h *handlers) userPage(ctx context.Context, limit, offset int) ([]User, int, error) {
	users, total, err := models.ListUsers(ctx, h.auth.DB(), h.users, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]User, 0, len(users))
	for i := range users {
		out = append(out, h.userJSON(&users[i]))
	}
	return out, total, nil
}

func (h *handlers) listUsers(c *gin.Context) {
	limit, offset, err := h.page(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	results, total, err := h.userPage(c.Request.Context(), limit, offset)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, UserList{Count: total, Results: results})
}

// setActive (de)activates username on behalf of staff user self.
func (h *handlers) setActive(ctx context.Context, self *models.User, username string, active bool) (*models.User, error) {
	if !active && self != nil && self.Username == username {
		return nil, fieldError("is_active", "you cannot deactivate yourself")
	}
	if err := h.auth.SetUserActive(ctx, username, active); err != nil {
		if e := asClientError(err); e != nil {
			return nil, e
		}
		return nil, err
	}
	u, err := h.auth.Config().Users.UserByUsername(ctx, username)
	if err != nil {
		if e := asClientError(err); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("admin: find user: %w", err)
	}
	u.PasswordHash = ""
	return u, nil
}

func (h *handlers) setUserActive(c *gin.Context) {
	obj, err := h.decodeObject(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	var active *bool
	for k, raw := range obj {
		if k != "is_active" {
			h.fail(c, fieldError(k, "unknown field"))
			return
		}
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			h.fail(c, fieldError("is_active", "must be true or false"))
			return
		}
		active = &b
	}
	if active == nil {
		h.fail(c, fieldError("is_active", "this field is required"))
		return
	}
	self, _ := ginurin.UserFrom(c)
	u, err := h.setActive(c.Request.Context(), self, c.Param("username"), *active)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.userJSON(u))
}
