package models

import (
	"errors"
	"testing"
)

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"2/m", "10/s", "blahblah", "2/minute", "0/m", "-1/h", "1/d", "9223372036854775807/s", "", "/", "1/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "throttle_rate" {
				t.Fatalf("error for %q does not name throttle_rate: %v", s, err)
			}
			return
		}
		if r.Limit <= 0 || r.Period <= 0 {
			t.Fatalf("%q parsed to a non-positive rate %+v", s, r)
		}
		back, err := ParseRate(r.String())
		if err != nil || back != r {
			t.Fatalf("%q: String() %q does not round-trip: %+v, %v", s, r.String(), back, err)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90m", "24h", "14d", "0d", "-1d", "1.5h", "d", "abc", "", "9999999999d", "1h30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error for %q is not ErrInvalid: %v", s, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("%q parsed to non-positive %v", s, d)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "-1", "+1", "01", " 1", "1.5", "9223372036854775807", "9223372036854775808", "١", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ParseID(s)
		if !ok {
			return
		}
		if id <= 0 {
			t.Fatalf("%q parsed to non-positive %d", s, id)
		}
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				t.Fatalf("%q with a non-digit was accepted", s)
			}
		}
	})
}
