package routes_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/internal/testapp"
	"github.com/ginurin/ginurin/internal/testdb"
	"github.com/ginurin/ginurin/routes"
)

// FuzzLoginBody sends arbitrary bodies and content types to /login: the
// answer is always 200 or a 4xx with a JSON detail, never a 5xx.
func FuzzLoginBody(f *testing.F) {
	seeds := []struct{ ct, body string }{
		{"application/json", `{"username":"john","password":"secret","client":"web"}`},
		{"application/json", `{"username":["john"],"password":{"a":1},"client":null}`},
		{"application/json", `{"username":"john","password":"secret","client":"web"}{}`},
		{"application/json", `{"username":"jo\u0000hn","password":"secret","client":"we\u0000b"}`},
		{"application/json; charset=utf-8", "\xff\xfe"},
		{"application/x-www-form-urlencoded", "username=john&password=secret&client=web"},
		{"application/x-www-form-urlencoded", "username=%zz&password"},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\njohn\r\n--x--\r\n"},
		{"multipart/form-data", "--x"},
		{"text/plain", "hello"},
		{"", "username=john"},
		{";;;", ""},
	}
	for _, s := range seeds {
		f.Add(s.ct, s.body)
	}
	a := testapp.New(f, testdb.Open(f, testdb.SQLiteURL(f)), ginurin.Config{}, routes.Config{})
	f.Fuzz(func(t *testing.T, contentType, body string) {
		req := httptest.NewRequest("POST", "/api/login", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		r := a.Serve(req)
		if r.Code >= 500 || (r.Code != 200 && r.Body["detail"] == nil) {
			t.Fatalf("POST /login %q %q → %d %s", contentType, body, r.Code, r.Raw)
		}
	})
}

// FuzzSessionID deletes sessions by arbitrary ids: the answer is 204, 400
// or 404 (never a 5xx), and only the caller's own other session can go.
func FuzzSessionID(f *testing.F) {
	for _, s := range []string{"1", "2", "3", "0", "-1", "abc", "1e3", "%00", "99999999999999999999", "2%2F", "..%2F1"} {
		f.Add(s)
	}
	a := testapp.New(f, testdb.Open(f, testdb.SQLiteURL(f)), ginurin.Config{}, routes.Config{})
	f.Fuzz(func(t *testing.T, id string) {
		jane := fuzzLogin(t, a, testapp.Jane, testapp.JanePassword, "web")
		john := fuzzLogin(t, a, testapp.John, testapp.JohnPassword, "web")
		fuzzLogin(t, a, testapp.John, testapp.JohnPassword, "cli")
		req := httptest.NewRequest("DELETE", "/api/sessions/x", nil)
		req.URL.Path, req.URL.RawPath = "/api/sessions/"+id, ""
		req.Header.Set("Authorization", "Token "+john)
		r := a.Serve(req)
		switch r.Code {
		case 204, 400, 404, 301, 307:
		default:
			t.Fatalf("DELETE /api/sessions/%q → %d %s", id, r.Code, r.Raw)
		}
		check := httptest.NewRequest("GET", "/api/", nil)
		check.Header.Set("Authorization", "Token "+jane)
		if got := a.Serve(check); got.Code != 200 {
			t.Fatalf("deleting %q as john revoked jane's session", id)
		}
	})
}

// fuzzLogin logs in through the engine; testapp's helpers report to the
// F, which a fuzz target may not use.
func fuzzLogin(t *testing.T, a *testapp.App, username, password, client string) string {
	t.Helper()
	body := `{"username":"` + username + `","password":"` + password + `","client":"` + client + `"}`
	req := httptest.NewRequest("POST", "/api/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	r := a.Serve(req)
	token, _ := r.Body["token"].(string)
	if r.Code != 200 || token == "" {
		t.Fatalf("login %s/%s: %d %s", username, client, r.Code, r.Raw)
	}
	return token
}
