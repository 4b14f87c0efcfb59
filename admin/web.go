package admin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the parsed templates, one set per page: the layout, the pager
// and that page's "content".
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "clients", "client_edit", "tokens", "users", "message"} {
		out[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/pager.html", "templates/"+name+".html"))
	}
	return out
}()

// flashes are the fixed messages a redirect may ask a page to show, so no
// text from the URL is ever rendered.
var flashes = map[string]string{
	"created":     "Client created.",
	"updated":     "Client saved.",
	"deleted":     "Client and its tokens deleted.",
	"revoked":     "Token revoked.",
	"activated":   "User activated.",
	"deactivated": "User deactivated.",
	"loggedout":   "You are logged out.",
	"expired":     "Your session has ended; please log in again.",
}

// formValues are the fields of the login and client forms, re-rendered
// after an error.
type formValues struct {
	Username                               string
	Original, Name, TokenTTL, ThrottleRate string
}

// pageData is what every template receives.
type pageData struct {
	Base, Title, Nav string
	User, CSRF       string
	Flash, Error     string
	Form             formValues

	Clients      []Client
	Tokens       []Token
	Users        []User
	ClientNames  []string
	Filter       struct{ Client, User string }
	CanList      bool // the users page exists
	CanSetActive bool

	Back                       string // query string of the filtered tokens list
	PrevURL, NextURL, PageInfo string
	Message, Link, LinkText    string
}

// session is the signed-in staff member of a web request.
type session struct {
	token string
	t     *models.AuthToken
	csrf  string
}

func (h *handlers) registerWeb(g *gin.RouterGroup) {
	w := g.Group("", securityHeaders)
	w.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, h.base+"/clients") })
	w.GET("/login", h.loginForm)
	w.POST("/login", h.sameOrigin, h.login)
	w.POST("/logout", h.sameOrigin, h.web(h.logout))
	w.GET("/clients", h.web(h.clientsPage))
	w.POST("/clients", h.sameOrigin, h.web(h.createClientForm))
	w.GET("/clients/edit", h.web(h.editClientPage))
	w.POST("/clients/edit", h.sameOrigin, h.web(h.editClientForm))
	w.POST("/clients/delete", h.sameOrigin, h.web(h.deleteClientForm))
	w.GET("/tokens", h.web(h.tokensPage))
	w.POST("/tokens/revoke", h.sameOrigin, h.web(h.revokeTokenForm))
	if h.canList {
		w.GET("/users", h.web(h.usersPage))
	}
	if h.canSetActive {
		w.POST("/users/active", h.sameOrigin, h.web(h.setActiveForm))
	}
}

// securityHeaders keeps the pages out of caches and frames and allows
// nothing but their own inline style and same-origin forms.
func securityHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	c.Next()
}

// sameOrigin refuses POSTs sent by another site: a Sec-Fetch-Site other
// than same-origin or none (typed by the user), or an Origin whose host is
// not the request's. Browsers send at least one of them on every form
// POST; requests with neither (non-browser clients) pass, and still need
// the session cookie and the CSRF token.
func (h *handlers) sameOrigin(c *gin.Context) {
	if s := c.GetHeader("Sec-Fetch-Site"); s != "" && s != "same-origin" && s != "none" {
		h.forbidden(c, "Cross-site request refused.")
		return
	}
	if o := c.GetHeader("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, c.Request.Host) {
			h.forbidden(c, "Cross-site request refused.")
			return
		}
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxBodyBytes)
	if err := c.Request.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.message(c, http.StatusRequestEntityTooLarge, "", "The form is too large.")
			return
		}
		h.message(c, http.StatusBadRequest, "", "The form could not be read.")
		return
	}
	c.Next()
}

func (h *handlers) forbidden(c *gin.Context, msg string) {
	h.message(c, http.StatusForbidden, "", msg)
}

// render writes a page.
func (h *handlers) render(c *gin.Context, status int, page string, d *pageData) {
	d.Base = h.base
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := pages[page].ExecuteTemplate(c.Writer, "layout", d); err != nil {
		_ = c.Error(fmt.Errorf("admin: render %s: %w", page, err))
	}
	c.Abort()
}

// message renders a page holding one message, with a link to the login
// page when user is "" and to the clients page otherwise.
func (h *handlers) message(c *gin.Context, status int, user, msg string) {
	d := &pageData{Title: http.StatusText(status), Message: msg, User: user}
	if user == "" {
		d.Link, d.LinkText = h.base+"/login", "Log in"
	} else {
		d.Link, d.LinkText = h.base+"/clients", "Back to the admin"
	}
	h.render(c, status, "message", d)
}

// systemError answers a failing dependency with a page (the status the
// Auth's ErrorHandler would choose is not known, so 503) and logs it.
func (h *handlers) systemError(c *gin.Context, user string, err error) {
	h.auth.Config().Logger.ErrorContext(c.Request.Context(), "admin: request failed",
		"method", c.Request.Method, "path", c.FullPath(), "error", err)
	h.message(c, http.StatusServiceUnavailable, user, "Service temporarily unavailable. Please try again.")
}

// csrfToken derives the form token of a session: HMAC-SHA256 keyed with
// the session token, so it needs no server secret and dies with the
// session, and reveals nothing about the session token.
func csrfToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("ginurin admin csrf v1"))
	return hex.EncodeToString(m.Sum(nil))
}

func (h *handlers) setCookie(c *gin.Context, value string, expires time.Time) {
	ck := &http.Cookie{
		Name: h.cfg.CookieName, Value: value, Path: h.cookiePath(),
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: h.cfg.SecureCookie || c.Request.TLS != nil,
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expires.UTC()
	}
	http.SetCookie(c.Writer, ck)
}

func (h *handlers) cookiePath() string {
	if h.base == "" {
		return "/"
	}
	return h.base
}

// redirectLogin sends the browser to the login page, dropping its cookie.
func (h *handlers) redirectLogin(c *gin.Context, flash string) {
	h.setCookie(c, "", time.Time{})
	u := h.base + "/login"
	if flash != "" {
		u += "?m=" + flash
	}
	c.Redirect(http.StatusSeeOther, u)
	c.Abort()
}

// current authenticates the session cookie: a valid token of the web
// client. A nil session without error means no usable session; an error
// is a system failure.
func (h *handlers) current(c *gin.Context) (s *session, err error) {
	ck, err := c.Request.Cookie(h.cfg.CookieName)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	t, err := h.auth.Authenticate(c.Request.Context(), ck.Value)
	switch {
	case errors.Is(err, ginurin.ErrInvalidToken), errors.Is(err, ginurin.ErrTokenExpired), errors.Is(err, ginurin.ErrUserInactive):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if t.Client == nil || t.Client.Name != h.cfg.WebClient {
		return nil, nil
	}
	return &session{token: ck.Value, t: t, csrf: csrfToken(ck.Value)}, nil
}

// web wraps a page handler: it needs a staff session, and on POST the
// session's CSRF token.
func (h *handlers) web(fn func(c *gin.Context, s *session)) gin.HandlerFunc {
	return func(c *gin.Context) {
		s, err := h.current(c)
		if err != nil {
			h.systemError(c, "", err)
			return
		}
		if s == nil {
			flash := ""
			if _, err := c.Request.Cookie(h.cfg.CookieName); err == nil {
				flash = "expired"
			}
			h.redirectLogin(c, flash)
			return
		}
		if !s.t.User.IsStaff {
			h.forbidden(c, detailForbidden)
			return
		}
		if c.Request.Method == http.MethodPost &&
			!hmac.Equal([]byte(c.Request.PostForm.Get("csrf")), []byte(s.csrf)) {
			h.forbidden(c, "The form has expired or did not come from this site. Please reload the page and try again.")
			return
		}
		fn(c, s)
	}
}

// data starts the page data of a signed-in page.
func (h *handlers) data(c *gin.Context, s *session, title, nav string) *pageData {
	return &pageData{Title: title, Nav: nav, User: s.t.User.Username, CSRF: s.csrf, Flash: flashes[c.Query("m")],
		CanList: h.canList, CanSetActive: h.canSetActive}
}

// seeOther redirects after a successful POST, with a fixed flash message.
func (h *handlers) seeOther(c *gin.Context, path, flash string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, h.base+path+sep+"m="+flash)
}

// webOffset reads ?offset= for the web lists (bad values count as 0).
func webOffset(c *gin.Context) int {
	n, err := strconv.Atoi(c.Query("offset"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// pager fills the previous/next links of a list page.
func (h *handlers) pager(d *pageData, path string, q url.Values, offset, shown, total int) {
	if total == 0 {
		return
	}
	d.PageInfo = fmt.Sprintf("%d–%d of %d", offset+1, offset+shown, total)
	link := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(off))
		return h.base + path + "?" + v.Encode()
	}
	if offset > 0 {
		d.PrevURL = link(max(offset-h.cfg.PageSize, 0))
	}
	if offset+shown < total {
		d.NextURL = link(offset + shown)
	}
}

func (h *handlers) loginForm(c *gin.Context) {
	s, err := h.current(c)
	if err != nil {
		h.systemError(c, "", err)
		return
	}
	if s != nil && s.t.User.IsStaff {
		c.Redirect(http.StatusSeeOther, h.base+"/clients")
		return
	}
	h.render(c, http.StatusOK, "login", &pageData{Title: "Log in", Flash: flashes[c.Query("m")]})
}

func (h *handlers) login(c *gin.Context) {
	ctx := c.Request.Context()
	username, password := c.Request.PostForm.Get("username"), c.Request.PostForm.Get("password")
	d := &pageData{Title: "Log in", Form: formValues{Username: username}}
	if username == "" || password == "" {
		d.Error = "Enter a username and a password."
		h.render(c, http.StatusBadRequest, "login", d)
		return
	}
	if !h.cfg.LoginLimiter.Check(c, username) {
		return
	}
	user, err := h.auth.CheckCredentials(ctx, username, password)
	if errors.Is(err, ginurin.ErrInvalidCredentials) {
		d.Error = "Unable to log in with provided credentials."
		h.render(c, http.StatusBadRequest, "login", d)
		return
	}
	if err != nil {
		h.systemError(c, "", err)
		return
	}
	if !user.IsStaff {
		d.Error = "This account is not staff: the admin is for staff only."
		h.render(c, http.StatusForbidden, "login", d)
		return
	}
	client, err := h.webClient(ctx)
	if err != nil {
		h.systemError(c, "", err)
		return
	}
	issued, err := h.auth.Login(ctx, user, client)
	if err != nil {
		h.systemError(c, "", err)
		return
	}
	h.setCookie(c, issued.Token, issued.Session.Expiry)
	c.Redirect(http.StatusSeeOther, h.base+"/clients")
}

// webClient returns the client of web sessions, creating it on first use.
func (h *handlers) webClient(ctx context.Context) (*models.Client, error) {
	cl, err := models.ClientByName(ctx, h.auth.DB(), h.cfg.WebClient)
	if !errors.Is(err, models.ErrClientNotFound) {
		return cl, err
	}
	cl, err = h.auth.NewClient(ctx, h.cfg.WebClient, h.cfg.WebClientTTL, "")
	if errors.Is(err, models.ErrClientExists) { // created concurrently
		return models.ClientByName(ctx, h.auth.DB(), h.cfg.WebClient)
	}
	return cl, err
}

func (h *handlers) logout(c *gin.Context, s *session) {
	if err := h.auth.Revoke(c.Request.Context(), s.t); err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	h.redirectLogin(c, "loggedout")
}

// clientsData fills the clients page.
func (h *handlers) clientsData(c *gin.Context, s *session) (*pageData, error) {
	d := h.data(c, s, "Clients", "clients")
	offset := webOffset(c)
	clients, total, err := h.clientPage(c.Request.Context(), h.cfg.PageSize, offset)
	if err != nil {
		return nil, err
	}
	d.Clients = clients
	h.pager(d, "/clients", url.Values{}, offset, len(clients), total)
	return d, nil
}

func (h *handlers) clientsPage(c *gin.Context, s *session) {
	d, err := h.clientsData(c, s)
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	h.render(c, http.StatusOK, "clients", d)
}

// formInput reads the client form; empty TTL means the default on create.
func formInput(c *gin.Context, create bool) (ClientInput, formValues) {
	f := c.Request.PostForm
	v := formValues{Original: f.Get("original"), Name: f.Get("name"), TokenTTL: f.Get("token_ttl"), ThrottleRate: f.Get("throttle_rate")}
	in := ClientInput{Name: &v.Name, ThrottleRate: &v.ThrottleRate}
	if !create || v.TokenTTL != "" {
		in.TokenTTL = &v.TokenTTL
	}
	return in, v
}

// inputError returns the message of a bad-input error, "" for others.
func inputError(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.detail
	}
	return ""
}

func (h *handlers) createClientForm(c *gin.Context, s *session) {
	in, v := formInput(c, true)
	_, err := h.saveClient(c.Request.Context(), nil, in)
	if msg := inputError(err); msg != "" {
		d, lerr := h.clientsData(c, s)
		if lerr != nil {
			h.systemError(c, s.t.User.Username, lerr)
			return
		}
		d.Error, d.Form = msg, v
		h.render(c, statusOf(err), "clients", d)
		return
	}
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	h.seeOther(c, "/clients", "created")
}

func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status
	}
	return http.StatusBadRequest
}

func (h *handlers) editClientPage(c *gin.Context, s *session) {
	cl, err := models.ClientByName(c.Request.Context(), h.auth.DB(), c.Query("name"))
	if errors.Is(err, models.ErrClientNotFound) {
		h.message(c, http.StatusNotFound, s.t.User.Username, "No client with that name.")
		return
	}
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	d := h.data(c, s, "Client "+cl.Name, "clients")
	d.Form = formValues{Original: cl.Name, Name: cl.Name, TokenTTL: FormatTTL(cl.TokenTTL), ThrottleRate: cl.ThrottleRate}
	h.render(c, http.StatusOK, "client_edit", d)
}

func (h *handlers) editClientForm(c *gin.Context, s *session) {
	ctx := c.Request.Context()
	in, v := formInput(c, false)
	old, err := models.ClientByName(ctx, h.auth.DB(), v.Original)
	if errors.Is(err, models.ErrClientNotFound) {
		h.message(c, http.StatusNotFound, s.t.User.Username, "No client with that name.")
		return
	}
	if err == nil {
		_, err = h.saveClient(ctx, old, in)
	}
	if msg := inputError(err); msg != "" {
		d := h.data(c, s, "Client "+v.Original, "clients")
		d.Error, d.Form = msg, v
		h.render(c, statusOf(err), "client_edit", d)
		return
	}
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	h.seeOther(c, "/clients", "updated")
}

func (h *handlers) deleteClientForm(c *gin.Context, s *session) {
	err := h.auth.DeleteClient(c.Request.Context(), c.Request.PostForm.Get("name"))
	if errors.Is(err, models.ErrClientNotFound) {
		h.message(c, http.StatusNotFound, s.t.User.Username, "No client with that name.")
		return
	}
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	if c.Request.PostForm.Get("name") == h.cfg.WebClient { // this session is gone too
		h.redirectLogin(c, "loggedout")
		return
	}
	h.seeOther(c, "/clients", "deleted")
}

func (h *handlers) tokensPage(c *gin.Context, s *session) {
	ctx := c.Request.Context()
	d := h.data(c, s, "Tokens", "tokens")
	d.Filter.Client, d.Filter.User = c.Query("client"), c.Query("user")
	offset := webOffset(c)
	tokens, total, err := h.tokenPage(ctx, d.Filter.Client, d.Filter.User, h.cfg.PageSize, offset)
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	clients, err := models.ListClients(ctx, h.auth.DB())
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	for _, cl := range clients {
		d.ClientNames = append(d.ClientNames, cl.Name)
	}
	d.Tokens = tokens
	q := url.Values{}
	if d.Filter.Client != "" {
		q.Set("client", d.Filter.Client)
	}
	if d.Filter.User != "" {
		q.Set("user", d.Filter.User)
	}
	if len(q) > 0 {
		d.Back = "?" + q.Encode()
	}
	h.pager(d, "/tokens", q, offset, len(tokens), total)
	h.render(c, http.StatusOK, "tokens", d)
}

func (h *handlers) revokeTokenForm(c *gin.Context, s *session) {
	id, ok := models.ParseID(c.Request.PostForm.Get("id"))
	err := models.ErrTokenNotFound
	if ok {
		err = h.auth.RevokeByID(c.Request.Context(), id)
	}
	if errors.Is(err, models.ErrTokenNotFound) {
		h.message(c, http.StatusNotFound, s.t.User.Username, "No such token; it may have been revoked already.")
		return
	}
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	if id == s.t.ID {
		h.redirectLogin(c, "loggedout")
		return
	}
	back := "/tokens"
	if r := c.Request.PostForm.Get("back"); strings.HasPrefix(r, "?") {
		back += r
	}
	h.seeOther(c, back, "revoked")
}

func (h *handlers) usersPage(c *gin.Context, s *session) {
	d := h.data(c, s, "Users", "users")
	offset := webOffset(c)
	users, total, err := h.userPage(c.Request.Context(), h.cfg.PageSize, offset)
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	d.Users = users
	h.pager(d, "/users", url.Values{}, offset, len(users), total)
	h.render(c, http.StatusOK, "users", d)
}

func (h *handlers) setActiveForm(c *gin.Context, s *session) {
	f := c.Request.PostForm
	active, err := strconv.ParseBool(f.Get("active"))
	if err != nil {
		h.message(c, http.StatusBadRequest, s.t.User.Username, "active must be true or false.")
		return
	}
	_, err = h.setActive(c.Request.Context(), s.t.User, f.Get("username"), active)
	if msg := inputError(err); msg != "" {
		d := h.data(c, s, "Users", "users")
		users, total, lerr := h.userPage(c.Request.Context(), h.cfg.PageSize, 0)
		if lerr != nil {
			h.systemError(c, s.t.User.Username, lerr)
			return
		}
		d.Users, d.Error = users, msg
		if errors.Is(err, errNotFound) {
			d.Error = "No user with that username."
		}
		h.pager(d, "/users", url.Values{}, 0, len(users), total)
		h.render(c, statusOf(err), "users", d)
		return
	}
	if err != nil {
		h.systemError(c, s.t.User.Username, err)
		return
	}
	flash := "deactivated"
	if active {
		flash = "activated"
	}
	h.seeOther(c, "/users", flash)
}
