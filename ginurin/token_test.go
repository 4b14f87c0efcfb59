package ginurin

import (
	"strings"
	"testing"
)

func TestTokenFormat(t *testing.T) {
	f := tokenFormat{prefix: "gnr_", randomLen: 64}
	tok, err := f.generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 4+64+8 || !strings.HasPrefix(tok, "gnr_") {
		t.Fatalf("unexpected token shape %d chars", len(tok))
	}
	if !f.valid(tok) {
		t.Fatal("a generated token must be valid")
	}
	other, _ := f.generate()
	if other == tok {
		t.Fatal("two tokens must differ")
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	cases := map[string]string{
		"empty":             "",
		"odd length":        tok[:len(tok)-1],
		"one char longer":   tok + "0",
		"wrong prefix":      "gnx_" + tok[4:],
		"no prefix":         tok[4:],
		"upper case":        "gnr_" + strings.ToUpper(tok[4:]),
		"typo in random":    flip(tok, 10),
		"typo in checksum":  flip(tok, len(tok)-1),
		"non-hex":           tok[:20] + "z" + tok[21:],
		"spaces":            tok[:20] + " " + tok[21:],
		"unicode":           tok[:20] + "é" + tok[22:],
		"durin-style plain": strings.Repeat("a", 64),
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			if f.valid(s) {
				t.Fatalf("%q must be invalid", s)
			}
		})
	}
}

func TestTokenLengthConfigurable(t *testing.T) {
	f := tokenFormat{prefix: "app_", randomLen: 128}
	tok, err := f.generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 4+128+8 || !f.valid(tok) {
		t.Fatalf("bad token of length %d", len(tok))
	}
	if (tokenFormat{prefix: "app_", randomLen: 64}).valid(tok) {
		t.Fatal("a token of another length must be invalid")
	}
}
