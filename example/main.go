package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ginurin/ginurin/cli"
	"github.com/ginurin/ginurin/models"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(logger)

	settings, err := settingsFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return cli.ExitFailure
	}
	db, err := models.Open(settings.DatabaseURL)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: DATABASE_URL: %v\n", err)
		return cli.ExitFailure
	}
	defer db.Close()
	if err := models.Migrate(ctx, db, models.DefaultUserSchema()); err != nil {
		fmt.Fprintf(os.Stderr, "error: DATABASE_URL: %v\n", err)
		return cli.ExitFailure
	}
	app, err := newApp(db, settings, logger)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return cli.ExitFailure
	}
	defer app.Close()
	if len(args) > 0 && args[0] != "serve" {
		return cli.Run(ctx, app.auth, args, os.Stdout, os.Stderr)
	}
	if len(args) > 1 {
		fmt.Fprintf(os.Stderr, "usage error: serve takes no arguments\n\n%s", cli.Usage)
		return cli.ExitUsage
	}
	if err := ensureAPIAccessClient(ctx, app.auth, settings); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return cli.ExitFailure
	}
	ln, err := net.Listen("tcp", settings.Addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: ADDR: %v\n", err)
		return cli.ExitFailure
	}
	srv := &http.Server{Handler: app.engine, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("example listening", "addr", ln.Addr().String(), "database", describeDB(settings.DatabaseURL))
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "error", err)
			return cli.ExitFailure
		}
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}
	return cli.ExitOK
}

// describeDB names the database without credentials.
func describeDB(url string) string {
	if models.IsPostgresURL(url) {
		return "postgresql"
	}
	if url == "" {
		return "sqlite:" + models.DefaultSQLitePath
	}
	return "sqlite"
}
