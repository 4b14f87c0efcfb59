// Package redisstore keeps throttling counters in Redis, so that every
// instance of an application shares one budget. It wraps ulule/limiter's
// Redis store (atomic Lua scripts) on a go-redis v9 client; only programs
// that import it depend on Redis.
//
//	client, err := redisstore.Open(os.Getenv("REDIS_URL"))
//	store := redisstore.New(client, redisstore.Config{})
//	thr, err := throttling.New(throttling.Config{Store: store, DefaultRate: "100/h"})
package redisstore
