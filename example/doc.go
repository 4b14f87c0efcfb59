// Command example is a runnable Gin app using ginurin, with its management
// CLI mounted:
//
//	go run ./example                  serve on $ADDR (default :8080)
//	go run ./example migrate
//	go run ./example user create USERNAME --password PASSWORD [--staff]
//	go run ./example user deactivate USERNAME
//	go run ./example client create NAME [--token-ttl DURATION] [--throttle-rate RATE]
//	go run ./example client list
//	go run ./example client delete NAME
//	go run ./example tokens prune [--batch-size N]
//
// Every command reads DATABASE_URL: postgres:// or postgresql:// for
// PostgreSQL, anything else a SQLite file path, unset ginurin-example.db in
// the working directory. Migrations run automatically.
package main
