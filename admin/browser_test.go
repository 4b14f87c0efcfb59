package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/admin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/models"
)

// chromiumEnv names the browser binary; default /usr/bin/chromium
// (Debian's chromium package, which .ci/run installs).
const chromiumEnv = "GINURIN_TEST_CHROMIUM"

// screenshotEnv, when set, makes TestBrowserStaffManagesClients write the
// clients page to docs/admin-clients.png for the README.
const screenshotEnv = "GINURIN_UPDATE_SCREENSHOT"

// browserEnv is the admin served on a real loopback port and a headless
// Chromium driving it.
type browserEnv struct {
	*env
	url string
	ctx context.Context
}

// newBrowser starts the app and a fresh Chromium. Without Chromium the
// test skips, or fails when CI is set. On failure, a screenshot of the
// current page is saved in a new temporary folder (kept after the test)
// and its path logged.
func newBrowser(t *testing.T) *browserEnv {
	t.Helper()
	path := os.Getenv(chromiumEnv)
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium not found at %s: the browser tests must run in CI", path)
		}
		t.Skipf("chromium not found at %s (install Debian's chromium or set %s)", path, chromiumEnv)
	}
	e := newApp(t, testdb.Open(t, testdb.SQLiteURL(t)), admin.Config{})
	srv := httptest.NewServer(e.Engine)
	t.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 720),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first call starts the browser, which lives as long as ctx: no
	// timeout on it, only on each later step.
	require.NoError(t, chromedp.Do(ctx), "start chromium")
	b := &browserEnv{env: e, url: srv.URL, ctx: ctx}
	t.Cleanup(func() { // runs before the browser is closed
		if t.Failed() {
			b.screenshotOnFailure(t)
		}
	})
	return b
}

func (b *browserEnv) screenshotOnFailure(t *testing.T) {
	dir, err := os.MkdirTemp("", "ginurin-admin-browser-")
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	file := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".png")
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the failing page: %s", file)
}

// stepTimeout bounds each browser step.
const stepTimeout = 20 * time.Second

// do runs steps in the browser, failing the test on error.
func (b *browserEnv) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

// get runs one action and returns its value, failing the test on error.
func get[T any](t *testing.T, b *browserEnv, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	return v
}

// rows returns the text of the rows of a table body.
func (b *browserEnv) rows(t *testing.T, table string) []string {
	t.Helper()
	return get(t, b, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#`+table+` tbody tr")).map(r => r.innerText)`))
}

// login fills and submits the staff login form.
func (b *browserEnv) login(t *testing.T, username, password string) {
	t.Helper()
	b.do(t,
		chromedp.Navigate(b.url+"/admin/"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login")),
	)
}

// location returns the current path and query.
func (b *browserEnv) location(t *testing.T) string {
	t.Helper()
	return strings.TrimPrefix(get(t, b, chromedp.Location()), b.url)
}

func TestBrowserStaffManagesClients(t *testing.T) {
	b := newBrowser(t)
	b.login(t, staff, staffPassword)
	b.do(t, chromedp.WaitVisible(chromedp.ID("clients")))
	assert.Equal(t, "/admin/clients", b.location(t))

	// A bad TTL: the form comes back with the message and what was typed.
	b.do(t,
		chromedp.SendKeys(chromedp.ID("name"), "android"),
		chromedp.SendKeys(chromedp.ID("token_ttl"), "soon"),
		chromedp.Click(chromedp.ID("create")),
		chromedp.WaitVisible(chromedp.ID("error")),
	)
	assert.Contains(t, get(t, b, chromedp.Text(chromedp.ID("error"))), "token_ttl")
	assert.Equal(t, "android", get(t, b, chromedp.Value(chromedp.ID("name"))))

	b.do(t,
		chromedp.SetValue(chromedp.ID("token_ttl"), "14d"),
		chromedp.SendKeys(chromedp.ID("throttle_rate"), "100/m"),
		chromedp.Click(chromedp.ID("create")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-client="android"]`)),
	)
	row := get(t, b, chromedp.Text(chromedp.CSS(`tr[data-client="android"]`)))
	assert.Contains(t, row, "14d")
	assert.Contains(t, row, "100/m")
	assert.Equal(t, "Client created.", get(t, b, chromedp.Text(chromedp.CSS(".flash"))))
	c, err := models.ClientByName(t.Context(), b.DB, "android")
	require.NoError(t, err)
	assert.Equal(t, "100/m", c.ThrottleRate)

	if os.Getenv(screenshotEnv) != "" {
		b.MustLogin(testapp.John, testapp.JohnPassword, "web")
		b.MustLogin(testapp.Jane, testapp.JanePassword, "web")
		b.MustLogin(testapp.John, testapp.JohnPassword, "android")
		b.do(t,
			chromedp.Navigate(b.url+"/admin/clients"),
			chromedp.WaitVisible(chromedp.ID("clients")),
		)
		png := get(t, b, chromedp.FullScreenshot(100))
		require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "admin-clients.png"), png, 0o644))
	}
}

func TestBrowserRevokesToken(t *testing.T) {
	b := newBrowser(t)
	john := b.MustLogin(testapp.John, testapp.JohnPassword, "web")
	require.Equal(t, http.StatusOK, b.Do("GET", "/api/", john, "", "").Code)
	b.login(t, staff, staffPassword)
	b.do(t, chromedp.WaitVisible(chromedp.ID("clients")))
	b.TakeEvents()

	b.do(t,
		chromedp.Navigate(b.url+"/admin/tokens"),
		chromedp.WaitVisible(chromedp.ID("filter-user")),
		chromedp.SendKeys(chromedp.ID("filter-user"), "john"),
		chromedp.Click(chromedp.ID("apply-filter")),
		chromedp.WaitVisible(chromedp.CSS(`#filter-user[value="john"]`)),
	)
	assert.Equal(t, "/admin/tokens?client=&user=john", b.location(t))
	rows := b.rows(t, "tokens")
	require.Len(t, rows, 1, "filtered to john's token")
	assert.Contains(t, rows[0], "web")
	b.do(t,
		chromedp.Click(chromedp.CSS(`#tokens tbody tr[data-token] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	assert.Equal(t, "Token revoked.", get(t, b, chromedp.Text(chromedp.CSS(".flash"))))
	assert.Equal(t, []string{"logout"}, b.TakeEvents())
	assert.Equal(t, http.StatusUnauthorized, b.Do("GET", "/api/", john, "", "").Code)
	assert.Equal(t, []string{"No tokens."}, b.rows(t, "tokens"))

	// Logging out revokes the page's own token.
	b.do(t, chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("username")))
	assert.Equal(t, []string{"logout"}, b.TakeEvents())
	assert.Equal(t, 1, b.TokenCount(), "only the staff API token is left")
}

func TestBrowserRefusesNonStaff(t *testing.T) {
	b := newBrowser(t)
	b.login(t, testapp.John, testapp.JohnPassword)
	b.do(t, chromedp.WaitVisible(chromedp.ID("error")))
	assert.Contains(t, get(t, b, chromedp.Text(chromedp.ID("error"))), "not staff")
	b.do(t, chromedp.Navigate(b.url+"/admin/clients"), chromedp.WaitVisible(chromedp.ID("username")))
	assert.Equal(t, "/admin/login", b.location(t), "no session was opened")
	assert.Equal(t, 1, b.TokenCount(), "no token was issued to john")
}

func TestBrowserRefusesCrossSiteForm(t *testing.T) {
	b := newBrowser(t)
	b.login(t, staff, staffPassword)
	b.do(t, chromedp.WaitVisible(chromedp.ID("clients")))

	// Another site (localhost is not 127.0.0.1) serves a form that posts
	// to the admin, as an attacker's page would.
	target := b.url + "/admin/clients"
	evil := gin.New()
	evil.GET("/", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(`<form method="post" action="`+target+`">`+
			`<input name="name" value="evil"><button id="go" type="submit">go</button></form>`))
	})
	srv := httptest.NewServer(evil)
	defer srv.Close()
	b.do(t,
		chromedp.Navigate(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)+"/"),
		chromedp.Click(chromedp.ID("go")),
		chromedp.WaitVisible(chromedp.CSS("main .box")),
	)
	assert.Contains(t, get(t, b, chromedp.Text(chromedp.CSS("main"))), "Cross-site request refused.")
	r := b.json("GET", "/admin/api/clients/evil", "")
	assert.Equal(t, http.StatusNotFound, r.Code, "no client was created")
}
