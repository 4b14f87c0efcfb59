package admin_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/routes"
	"github.com/ginurin/ginurin/throttling"
	"github.com/ginurin/ginurin/throttling/throttlingtest"
)

// form posts a form as a same-origin browser would, with cookie when set.
func (e *env) form(path string, cookie *http.Cookie, values url.Values, hdr map[string]string) testapp.Response {
	e.T.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return e.Serve(req)
}

// page gets a page with cookie.
func (e *env) page(path string, cookie *http.Cookie) testapp.Response {
	e.T.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return e.Serve(req)
}

// webLogin logs the staff user in through the form and returns the
// session cookie and the CSRF token of its pages.
func (e *env) webLogin() (*http.Cookie, string) {
	e.T.Helper()
	r := e.form("/admin/login", nil, url.Values{"username": {staff}, "password": {staffPassword}}, nil)
	require.Equal(e.T, http.StatusSeeOther, r.Code, r.Raw)
	require.Equal(e.T, "/admin/clients", r.Header.Get("Location"))
	ck := sessionCookie(e.T, r)
	p := e.page("/admin/clients", ck)
	require.Equal(e.T, http.StatusOK, p.Code, p.Raw)
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`).FindStringSubmatch(p.Raw)
	require.NotNil(e.T, m, "the page carries a CSRF token")
	return ck, m[1]
}

func sessionCookie(t testing.TB, r testapp.Response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "ginurin_admin" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return nil
}

func TestWebLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{})
		r := e.page("/admin/", nil)
		assert.Equal(t, http.StatusSeeOther, r.Code)
		r = e.page("/admin/clients", nil)
		assert.Equal(t, http.StatusSeeOther, r.Code)
		assert.Equal(t, "/admin/login", r.Header.Get("Location"))

		r = e.page("/admin/login", nil)
		require.Equal(t, http.StatusOK, r.Code)
		assert.Contains(t, r.Raw, `<form method="post" action="/admin/login">`)
		assert.Contains(t, r.Header.Get("Content-Security-Policy"), "default-src 'none'")
		assert.Equal(t, "DENY", r.Header.Get("X-Frame-Options"))
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		assert.NotContains(t, r.Raw, "<script")
		assert.NotRegexp(t, `(src|href)="https?://`, r.Raw, "no external assets")

		cases := []struct {
			name     string
			user, pw string
			hdr      map[string]string
			code     int
			text     string
		}{
			{"wrong password", staff, "nope", nil, 400, "Unable to log in with provided credentials."},
			{"empty", "", "", nil, 400, "Enter a username and a password."},
			{"not staff", testapp.John, testapp.JohnPassword, nil, 403, "not staff"},
			{"cross-site fetch", staff, staffPassword, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "Cross-site request refused."},
			{"foreign origin", staff, staffPassword, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": ""}, 403, "Cross-site request refused."},
			{"null origin", staff, staffPassword, map[string]string{"Origin": "null", "Sec-Fetch-Site": ""}, 403, "Cross-site request refused."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.form("/admin/login", nil, url.Values{"username": {tc.user}, "password": {tc.pw}}, tc.hdr)
				assert.Equal(t, tc.code, r.Code)
				assert.Contains(t, r.Raw, tc.text)
				assert.Empty(t, r.Header.Values("Set-Cookie"))
			})
		}
		assert.Equal(t, 1, e.TokenCount(), "only the staff API token exists")

		r = e.form("/admin/login", nil, url.Values{"username": {staff}, "password": {staffPassword}}, nil)
		require.Equal(t, http.StatusSeeOther, r.Code, r.Raw)
		ck := sessionCookie(t, r)
		assert.True(t, ck.HttpOnly)
		assert.Equal(t, http.SameSiteStrictMode, ck.SameSite)
		assert.Equal(t, "/admin", ck.Path)
		assert.False(t, ck.Secure, "plain HTTP")
		assert.Regexp(t, `^gnr_[0-9a-f]{72}$`, ck.Value, "an ordinary ginurin token")
		assert.Equal(t, http.StatusOK, e.Do("GET", "/api/", ck.Value, "", "").Code)
		c, err := models.ClientByName(t.Context(), db, "admin")
		require.NoError(t, err, "the admin client is created on first use")
		assert.Equal(t, "1h0m0s", admin.FormatTTL(c.TokenTTL))
		assert.Equal(t, http.StatusSeeOther, e.page("/admin/login", ck).Code, "signed in: login redirects")

		req := httptest.NewRequest("POST", "https://example.com/admin/login",
			strings.NewReader(url.Values{"username": {staff}, "password": {staffPassword}}.Encode()))
		req.TLS = &tls.ConnectionState{}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		assert.True(t, sessionCookie(t, e.Serve(req)).Secure, "TLS request")
	})
}

func TestWebSecureCookieConfig(t *testing.T) {
	e := newApp(t, testdb.Open(t, testdb.SQLiteURL(t)), admin.Config{SecureCookie: true, CookieName: "ginurin_admin", WebClient: "staff-web"})
	r := e.form("/admin/login", nil, url.Values{"username": {staff}, "password": {staffPassword}}, nil)
	require.Equal(t, http.StatusSeeOther, r.Code)
	assert.True(t, sessionCookie(t, r).Secure)
	_, err := models.ClientByName(t.Context(), e.DB, "staff-web")
	assert.NoError(t, err)
}

func TestWebForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *bun.DB) {
		e := newApp(t, db, admin.Config{MaxBodyBytes: 2048})
		ck, csrf := e.webLogin()

		// CSRF: missing or wrong token, cross-site headers.
		create := url.Values{"name": {"android"}, "token_ttl": {"14d"}, "throttle_rate": {"10/m"}}
		refusals := []struct {
			name   string
			csrf   string
			hdr    map[string]string
			cookie *http.Cookie
			code   int
		}{
			{"no csrf", "", nil, ck, 403},
			{"wrong csrf", strings.Repeat("0", 64), nil, ck, 403},
			{"cross-site", csrf, map[string]string{"Sec-Fetch-Site": "cross-site"}, ck, 403},
			{"same-site subdomain", csrf, map[string]string{"Sec-Fetch-Site": "same-site"}, ck, 403},
			{"foreign origin", csrf, map[string]string{"Origin": "https://evil.example"}, ck, 403},
			{"no cookie", csrf, nil, nil, 303},
			{"api token as cookie", csrf, nil, &http.Cookie{Name: "ginurin_admin", Value: e.staff}, 303},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				v := url.Values{"csrf": {tc.csrf}}
				for k, vs := range create {
					v[k] = vs
				}
				r := e.form("/admin/clients", tc.cookie, v, tc.hdr)
				assert.Equal(t, tc.code, r.Code, r.Raw)
				_, err := models.ClientByName(t.Context(), db, "android")
				assert.ErrorIs(t, err, models.ErrClientNotFound)
			})
		}

		// Create, with a validation error first: the form comes back.
		r := e.form("/admin/clients", ck, url.Values{"csrf": {csrf}, "name": {"android"}, "token_ttl": {"soon"}}, nil)
		assert.Equal(t, http.StatusBadRequest, r.Code)
		assert.Contains(t, r.Raw, `token_ttl: &#34;soon&#34; is not a positive duration`)
		assert.Contains(t, r.Raw, `value="android"`, "the form keeps what was typed")
		r = e.form("/admin/clients", ck, url.Values{"csrf": {csrf}, "name": {"web"}}, nil)
		assert.Equal(t, http.StatusBadRequest, r.Code, regexp.MustCompile(`id="error">[^<]*`).FindString(r.Raw))
		assert.Contains(t, r.Raw, "already exists")
		v := url.Values{"csrf": {csrf}}
		for k, vs := range create {
			v[k] = vs
		}
		r = e.form("/admin/clients", ck, v, nil)
		require.Equal(t, http.StatusSeeOther, r.Code, r.Raw)
		r = e.page(r.Header.Get("Location"), ck)
		assert.Contains(t, r.Raw, "Client created.")
		assert.Contains(t, r.Raw, `<tr data-client="android">`)

		// Edit.
		r = e.page("/admin/clients/edit?name=android", ck)
		require.Equal(t, http.StatusOK, r.Code)
		assert.Contains(t, r.Raw, `value="14d"`)
		r = e.form("/admin/clients/edit", ck, url.Values{"csrf": {csrf}, "original": {"android"}, "name": {"droid"}, "token_ttl": {"2h"}, "throttle_rate": {""}}, nil)
		require.Equal(t, http.StatusSeeOther, r.Code, r.Raw)
		c, err := models.ClientByName(t.Context(), db, "droid")
		require.NoError(t, err)
		assert.Equal(t, "2h0m0s", admin.FormatTTL(c.TokenTTL))
		assert.Equal(t, "", c.ThrottleRate)
		r = e.form("/admin/clients/edit", ck, url.Values{"csrf": {csrf}, "original": {"droid"}, "name": {"droid"}, "token_ttl": {"2h"}, "throttle_rate": {"2/minute"}}, nil)
		assert.Equal(t, http.StatusBadRequest, r.Code)
		assert.Contains(t, r.Raw, "throttle_rate")
		assert.Equal(t, http.StatusNotFound, e.page("/admin/clients/edit?name=nope", ck).Code)

		// Delete.
		r = e.form("/admin/clients/delete", ck, url.Values{"csrf": {csrf}, "name": {"droid"}}, nil)
		require.Equal(t, http.StatusSeeOther, r.Code)
		_, err = models.ClientByName(t.Context(), db, "droid")
		assert.ErrorIs(t, err, models.ErrClientNotFound)

		// Tokens: filter and revoke.
		john := e.MustLogin(testapp.John, testapp.JohnPassword, "web")
		e.TakeEvents()
		r = e.page("/admin/tokens?client=web", ck)
		require.Equal(t, http.StatusOK, r.Code)
		m := regexp.MustCompile(`<tr data-token="(\d+)">\s*<td>\d+</td><td>john</td><td>web</td>`).FindStringSubmatch(r.Raw)
		require.NotNil(t, m, r.Raw)
		assert.NotContains(t, r.Raw, john)
		assert.NotContains(t, r.Raw, "<td>boss</td>", "filtered to the web client")
		r = e.form("/admin/tokens/revoke", ck, url.Values{"csrf": {csrf}, "id": {m[1]}, "back": {"?client=web"}}, nil)
		require.Equal(t, http.StatusSeeOther, r.Code, r.Raw)
		assert.Equal(t, "/admin/tokens?client=web&m=revoked", r.Header.Get("Location"))
		assert.Equal(t, []string{"logout"}, e.TakeEvents())
		assert.Equal(t, http.StatusUnauthorized, e.Do("GET", "/api/", john, "", "").Code)
		assert.Equal(t, http.StatusNotFound, e.form("/admin/tokens/revoke", ck, url.Values{"csrf": {csrf}, "id": {m[1]}}, nil).Code)

		// Users.
		jane := e.MustLogin(testapp.Jane, testapp.JanePassword, "web")
		r = e.form("/admin/users/active", ck, url.Values{"csrf": {csrf}, "username": {"jane"}, "active": {"false"}}, nil)
		require.Equal(t, http.StatusSeeOther, r.Code, r.Raw)
		assert.Equal(t, http.StatusUnauthorized, e.Do("GET", "/api/", jane, "", "").Code)
		r = e.page("/admin/users", ck)
		assert.Regexp(t, `(?s)<tr data-user="jane">.*?<strong>no</strong>.*?name="active" value="true"`, r.Raw)
		r = e.form("/admin/users/active", ck, url.Values{"csrf": {csrf}, "username": {"jane"}, "active": {"true"}}, nil)
		require.Equal(t, http.StatusSeeOther, r.Code)
		assert.Equal(t, http.StatusOK, e.Do("GET", "/api/", jane, "", "").Code)
		r = e.form("/admin/users/active", ck, url.Values{"csrf": {csrf}, "username": {staff}, "active": {"false"}}, nil)
		assert.Equal(t, http.StatusBadRequest, r.Code)
		assert.Contains(t, r.Raw, "you cannot deactivate yourself")

		// Body limit.
		r = e.form("/admin/clients", ck, url.Values{"csrf": {csrf}, "name": {strings.Repeat("x", 4096)}}, nil)
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.Code)

		// Logout revokes the session's token; the cookie no longer works.
		e.TakeEvents()
		r = e.form("/admin/logout", ck, url.Values{"csrf": {csrf}}, nil)
		require.Equal(t, http.StatusSeeOther, r.Code)
		assert.Equal(t, -1, sessionCookie(t, r).MaxAge, "cookie cleared")
		assert.Equal(t, []string{"logout"}, e.TakeEvents())
		assert.Equal(t, http.StatusUnauthorized, e.Do("GET", "/api/", ck.Value, "", "").Code)
		r = e.page("/admin/clients", ck)
		assert.Equal(t, http.StatusSeeOther, r.Code)
		assert.Equal(t, "/admin/login?m=expired", r.Header.Get("Location"))
	})
}

func TestWebNonStaffSession(t *testing.T) {
	e := newApp(t, testdb.Open(t, testdb.SQLiteURL(t)), admin.Config{})
	ck, _ := e.webLogin()
	// The staff member loses staff status while signed in.
	_, err := e.DB.NewUpdate().Model((*models.User)(nil)).Set("is_staff = ?", false).Where("username = ?", staff).Exec(t.Context())
	require.NoError(t, err)
	r := e.page("/admin/clients", ck)
	assert.Equal(t, http.StatusForbidden, r.Code)
	assert.Contains(t, r.Raw, "You do not have permission")
}

func TestDisableWeb(t *testing.T) {
	e := newApp(t, testdb.Open(t, testdb.SQLiteURL(t)), admin.Config{DisableWeb: true})
	assert.Equal(t, http.StatusNotFound, e.page("/admin/login", nil).Code)
	assert.Equal(t, http.StatusOK, e.json("GET", "/admin/api/clients", "").Code)
}

func TestDatabaseDown(t *testing.T) {
	e := newApp(t, testdb.Open(t, testdb.SQLiteURL(t)), admin.Config{})
	ck, _ := e.webLogin()
	require.NoError(t, e.DB.Close())
	r := e.page("/admin/clients", ck)
	assert.Equal(t, http.StatusServiceUnavailable, r.Code)
	assert.Contains(t, r.Raw, "Service temporarily unavailable.")
	r = e.json("GET", "/admin/api/clients", "")
	assert.Equal(t, http.StatusServiceUnavailable, r.Code)
	assert.Equal(t, "Service temporarily unavailable.", r.Body["detail"])
	r = e.form("/admin/login", nil, url.Values{"username": {staff}, "password": {staffPassword}}, nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.Code)
}

func TestWebLoginLimiter(t *testing.T) {
	login, err := throttling.NewLogin("2/m", throttling.Config{Scope: throttlingtest.Unique(t)})
	require.NoError(t, err)
	e := newApp(t, testdb.Open(t, testdb.SQLiteURL(t)), admin.Config{LoginLimiter: login})
	attempt := url.Values{"username": {"someone"}, "password": {"guess"}}
	assert.Equal(t, http.StatusBadRequest, e.form("/admin/login", nil, attempt, nil).Code)
	assert.Equal(t, http.StatusBadRequest, e.form("/admin/login", nil, attempt, nil).Code)
	r := e.form("/admin/login", nil, attempt, nil)
	assert.Equal(t, http.StatusTooManyRequests, r.Code, "the form is limited like POST /login")
	assert.NotEmpty(t, r.Header.Get("Retry-After"))
}

func TestWebLoginLimitedByDefault(t *testing.T) {
	a := testapp.New(t, testdb.Open(t, testdb.SQLiteURL(t)), ginurin.Config{}, routes.Config{})
	admin.Register(a.Engine.Group("/admin"), a.Auth, admin.Config{})
	attempt := url.Values{"username": {"someone"}, "password": {"guess"}}.Encode()
	post := func() int {
		req := httptest.NewRequest("POST", "/admin/login", strings.NewReader(attempt))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return a.Serve(req).Code
	}
	for i := range 10 {
		require.Equal(t, http.StatusBadRequest, post(), "attempt %d", i+1)
	}
	assert.Equal(t, http.StatusTooManyRequests, post(), "the 11th attempt in a minute is throttled")
}
