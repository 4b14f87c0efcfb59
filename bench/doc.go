// Package bench measures ginurin's authentication against a bare Gin
// handler and against github.com/appleboy/gin-jwt/v2, through the same Gin
// engine and httptest recorder. It is a module of its own so that gin-jwt
// never becomes a dependency of ginurin. See BENCHMARKS.md at the root of
// the repository for the commands and the figures.
package bench
