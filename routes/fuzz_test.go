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
