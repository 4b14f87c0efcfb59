package throttling_test

import (
	"testing"

	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/ginurin/ginurin/throttling/throttlingtest"
)

func TestMemoryStoreConformance(t *testing.T) {
	throttlingtest.Run(t, func(t *testing.T) limiter.Store { return memory.NewStore() })
}
