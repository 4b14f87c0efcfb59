// Package cli is ginurin's management command line, for any app to mount
// in its own binary:
//
//	migrate
//	user create USERNAME --password PASSWORD [--staff]
//	user deactivate USERNAME
//	client create NAME [--token-ttl DURATION] [--throttle-rate RATE]
//	client list
//	client delete NAME
//	tokens prune [--batch-size N]
//
// DURATION takes Go durations (90m, 24h) and whole days (14d); RATE is
// N/p with p one of s, m, h, d. Flags may come before or after the
// positional arguments, as --flag value or --flag=value. Run returns 0 on
// success, 1 when the command failed (the message names the bad field),
// and 2 for a usage error.
//
// tokens prune deletes every expired token, N per statement (default
// ginurin.Config.PruneBatchSize), and prints how many it deleted. It emits
// no event. Run it from cron, or let the server prune with
// ginurin.Config.PruneInterval.
package cli
