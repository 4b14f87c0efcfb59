#!/usr/bin/env bash
# End-to-end load test of the example: builds it, serves it on a loopback
# port with a fresh SQLite database, logs in, and compares the requests/s
# of GET /api/cached with the unprotected GET /api/public on the same
# server (bench/cmd/loadgen). Arguments go to loadgen, e.g. -duration 3s.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
(cd .. && go build -o "$work/example" ./example)
go build -o "$work/loadgen" ./cmd/loadgen
export DATABASE_URL="$work/load.db" REDIS_URL=
"$work/example" user create bench --password bench-password >/dev/null
"$work/example" client create web >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ADDR="127.0.0.1:$port" "$work/example" 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -X POST "http://127.0.0.1:$port/api/login" -H 'Content-Type: application/json' \
	-d '{"username":"bench","password":"bench-password","client":"web"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$work/loadgen" -url "http://127.0.0.1:$port/api/cached" -header "Authorization: Token $token" \
	-baseline "http://127.0.0.1:$port/api/public" "$@"
