package models

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxClientNameLength is the longest client name accepted, in characters.
const MaxClientNameLength = 64

// ErrInvalid is wrapped by every validation error, so callers can branch on
// errors.Is(err, ErrInvalid) and still read the field from a *FieldError.
var ErrInvalid = errors.New("models: invalid value")

// FieldError names the field that failed validation and why. Its message
// never includes secrets (passwords are never validated here).
type FieldError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *FieldError) Error() string {
	return "models: " + e.Field + ": " + e.Message
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Rate is a parsed throttle rate: Limit requests per Period.
type Rate struct {
	Limit  int64
	Period time.Duration
}

// String formats the rate back into durin's "N/p" form.
func (r Rate) String() string {
	unit := "s"
	switch r.Period {
	case time.Minute:
		unit = "m"
	case time.Hour:
		unit = "h"
	case 24 * time.Hour:
		unit = "d"
	}
	return strconv.FormatInt(r.Limit, 10) + "/" + unit
}

// ParseRate parses a throttle rate of the form "N/p": N a positive integer,
// p one of s, m, h, d. Anything else ("blahblah", "2/minute", "0/m") is an
// error naming the field throttle_rate.
func ParseRate(s string) (Rate, error) {
	num, unit, ok := strings.Cut(s, "/")
	if !ok || num == "" || len(unit) != 1 {
		return Rate{}, fieldErr("throttle_rate", "%q is not of the form N/p with p one of s, m, h, d", s)
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return Rate{}, fieldErr("throttle_rate", "%q: N must be a positive integer", s)
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return Rate{}, fieldErr("throttle_rate", "%q: N must be a positive integer", s)
	}
	var period time.Duration
	switch unit {
	case "s":
		period = time.Second
	case "m":
		period = time.Minute
	case "h":
		period = time.Hour
	case "d":
		period = 24 * time.Hour
	default:
		return Rate{}, fieldErr("throttle_rate", "%q: period must be one of s, m, h, d", s)
	}
	return Rate{Limit: n, Period: period}, nil
}

// ParseDuration accepts Go durations ("90m", "24h", "1h30m") and whole days
// ("14d"). The result must be positive.
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && !strings.ContainsAny(days, "hmsµun.") {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n <= 0 || n > 100*365 {
			return 0, fmt.Errorf("models: %q is not a positive whole number of days: %w", s, ErrInvalid)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("models: %q is not a duration such as 90m, 24h or 14d: %w", s, ErrInvalid)
	}
	if d <= 0 {
		return 0, fmt.Errorf("models: %q: a duration must be positive: %w", s, ErrInvalid)
	}
	return d, nil
}

// ValidateClientName checks that name has 1 to 64 characters, none of them
// control characters, and no surrounding white space.
func ValidateClientName(name string) error {
	if name == "" {
		return fieldErr("name", "must not be empty")
	}
	if !utf8.ValidString(name) {
		return fieldErr("name", "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(name); n > MaxClientNameLength {
		return fieldErr("name", "must be at most %d characters, got %d", MaxClientNameLength, n)
	}
	if strings.TrimSpace(name) != name {
		return fieldErr("name", "must not start or end with white space")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fieldErr("name", "must not contain control characters")
		}
	}
	return nil
}

// Validate checks every field of the client: name (see ValidateClientName),
// token_ttl (positive) and throttle_rate ("" or a valid rate).
func (c *Client) Validate() error {
	if err := ValidateClientName(c.Name); err != nil {
		return err
	}
	if c.TokenTTL <= 0 {
		return fieldErr("token_ttl", "must be a positive duration")
	}
	if c.ThrottleRate != "" {
		if _, err := ParseRate(c.ThrottleRate); err != nil {
			return err
		}
	}
	return nil
}

// ValidateUsername checks that a username is 1 to 150 characters with no
// white space or control characters.
func ValidateUsername(username string) error {
	if username == "" {
		return fieldErr("username", "must not be empty")
	}
	if !utf8.ValidString(username) || utf8.RuneCountInString(username) > 150 {
		return fieldErr("username", "must be valid UTF-8 of at most 150 characters")
	}
	for _, r := range username {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fieldErr("username", "must not contain white space or control characters")
		}
	}
	return nil
}

// ParseID parses a row ID from a URL: one to nineteen ASCII digits for a
// positive int64, no sign, space or other character. ok is false for
// anything else, which callers answer like a missing row.
func ParseID(s string) (id int64, ok bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
