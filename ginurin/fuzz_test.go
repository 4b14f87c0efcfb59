package ginurin

import (
	"strings"
	"testing"
	"unicode"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{"", "Token", "Token abc", "token  abc ", "Token a b", "Bearer x", "Token\tx", "Token\u00a0x", "Tokenx", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, detail := parseAuthorization(header, "Token")
		if (token == "") == (detail == "") {
			t.Fatalf("exactly one of token and detail must be set: %q %q", token, detail)
		}
		if token != "" {
			if strings.IndexFunc(token, unicode.IsSpace) >= 0 || !strings.Contains(header, token) {
				t.Fatalf("token %q is not one white-space-free field of %q", token, header)
			}
			if !strings.EqualFold(strings.Fields(header)[0], "Token") {
				t.Fatalf("accepted another scheme: %q", header)
			}
		}
	})
}

func FuzzTokenFormat(f *testing.F) {
	format := tokenFormat{prefix: "gnr_", randomLen: 64}
	good, _ := format.generate()
	f.Add(good, 0, byte('0'))
	f.Add("gnr_", 3, byte('a'))
	f.Add(strings.Repeat("a", 76), 10, byte('f'))
	f.Fuzz(func(t *testing.T, s string, pos int, c byte) {
		if format.valid(s) {
			if len(s) != format.length() || !strings.HasPrefix(s, "gnr_") {
				t.Fatalf("accepted %q of the wrong shape", s)
			}
			// CRC-32 detects every single-character change.
			if pos < 0 {
				pos = -pos
			}
			i := len("gnr_") + pos%(len(s)-len("gnr_"))
			if s[i] != c {
				b := []byte(s)
				b[i] = c
				if format.valid(string(b)) {
					t.Fatalf("a one-character change of a valid token was accepted: %q", b)
				}
			}
		}
	})
}
