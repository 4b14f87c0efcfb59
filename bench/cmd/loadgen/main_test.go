package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token good" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	rate, err := round(srv.URL, "Authorization", "Token good", 2, 200*time.Millisecond)
	if err != nil || rate <= 0 {
		t.Errorf("round with a valid header: %v req/s, %v", rate, err)
	}
	if _, err := round(srv.URL, "Authorization", "Token bad", 2, 100*time.Millisecond); err == nil {
		t.Error("401 responses were not reported")
	}
}
