package throttling

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ginurin/ginurin/models"
)

// A client's rate is parsed the first time its string is seen; later
// requests only look it up (no parsing, no allocation).
func TestClientRatesParsedOnce(t *testing.T) {
	thr, err := New(Config{DefaultRate: "2/m"})
	require.NoError(t, err)
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/", nil)
	tests := []struct {
		client models.Client
		limit  int64
		period time.Duration
	}{
		{models.Client{Name: "mobile", ThrottleRate: "5/m"}, 5, time.Minute},
		{models.Client{Name: "tablet", ThrottleRate: "5/m"}, 5, time.Minute},
		{models.Client{Name: "batch", ThrottleRate: "100/d"}, 100, 24 * time.Hour},
		{models.Client{Name: "web"}, 2, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.client.Name, func(t *testing.T) {
			r, ok := thr.clientRate(c, &tt.client)
			require.True(t, ok)
			assert.Equal(t, tt.limit, r.Limit)
			assert.Equal(t, tt.period, r.Period)
			allocs := testing.AllocsPerRun(100, func() { thr.clientRate(c, &tt.client) })
			assert.Zero(t, allocs, "steady state parses nothing")
		})
	}
	n := 0
	thr.rates.Range(func(any, any) bool { n++; return true })
	assert.Equal(t, 2, n, "one entry per distinct rate string")
}
