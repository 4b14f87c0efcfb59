package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	good := map[string]Rate{
		"2/m": {2, time.Minute}, "5/s": {5, time.Second}, "100/h": {100, time.Hour}, "1/d": {1, 24 * time.Hour},
	}
	for s, want := range good {
		t.Run(s, func(t *testing.T) {
			got, err := ParseRate(s)
			if err != nil || got != want {
				t.Fatalf("ParseRate(%q) = %v, %v; want %v", s, got, err, want)
			}
			if got.String() != s {
				t.Fatalf("String() = %q, want %q", got.String(), s)
			}
		})
	}
	for _, s := range []string{"", "blahblah", "2/minute", "0/m", "-1/m", "+1/m", "1.5/m", "2/", "/m", "2/M", "2/w", "2 /m", "2/m ", "99999999999999999999/m", "2//m"} {
		t.Run("bad "+s, func(t *testing.T) {
			_, err := ParseRate(s)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "throttle_rate" || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseRate(%q) error = %v; want a throttle_rate FieldError", s, err)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{"90m": 90 * time.Minute, "24h": 24 * time.Hour, "14d": 14 * 24 * time.Hour, "1h30m": 90 * time.Minute, "1d": 24 * time.Hour}
	for s, want := range good {
		got, err := ParseDuration(s)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "abc", "0", "0s", "-5m", "d", "1.5d", "-1d", "0d", "14days", "99999999d"} {
		if _, err := ParseDuration(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDuration(%q) error = %v; want ErrInvalid", s, err)
		}
	}
}

func TestClientValidate(t *testing.T) {
	cases := []struct {
		name   string
		client Client
		field  string
	}{
		{"ok", Client{Name: "web", TokenTTL: time.Hour}, ""},
		{"ok with rate", Client{Name: "android", TokenTTL: time.Hour, ThrottleRate: "5/m"}, ""},
		{"64 chars", Client{Name: strings.Repeat("x", 64), TokenTTL: time.Hour}, ""},
		{"64 runes", Client{Name: strings.Repeat("é", 64), TokenTTL: time.Hour}, ""},
		{"empty name", Client{Name: "", TokenTTL: time.Hour}, "name"},
		{"65 chars", Client{Name: strings.Repeat("x", 65), TokenTTL: time.Hour}, "name"},
		{"padded name", Client{Name: " web", TokenTTL: time.Hour}, "name"},
		{"control char", Client{Name: "we\x00b", TokenTTL: time.Hour}, "name"},
		{"invalid utf8", Client{Name: "\xff", TokenTTL: time.Hour}, "name"},
		{"zero ttl", Client{Name: "web"}, "token_ttl"},
		{"negative ttl", Client{Name: "web", TokenTTL: -time.Second}, "token_ttl"},
		{"bad rate", Client{Name: "web", TokenTTL: time.Hour, ThrottleRate: "blahblah"}, "throttle_rate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.client.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("error = %v; want a FieldError on %s", err, tc.field)
			}
		})
	}
}
