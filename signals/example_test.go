package signals_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
	"github.com/ginurin/ginurin/signals"
)

// Subscribe to typed events of an Auth's bus, and to every event.
func ExampleSubscribe() {
	dir, _ := os.MkdirTemp("", "ginurin-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, _ := models.Open(filepath.Join(dir, "app.db"))
	defer db.Close()
	models.Migrate(ctx, db, models.DefaultUserSchema())
	auth, _ := ginurin.New(db, ginurin.Config{})
	defer auth.Close() // writes pending last uses, stops background work
	user, _ := models.CreateUser(ctx, db, "alice", "s3cret!", false, 0)
	client, _ := auth.NewClient(ctx, "web", 0, "")

	signals.Subscribe(auth.Signals(), func(_ context.Context, e signals.Login) error {
		fmt.Printf("login: %s on %s (new session: %t)\n", e.User.Username, e.Client.Name, e.Created)
		return nil
	})
	stop := signals.Subscribe(auth.Signals(), func(_ context.Context, e signals.Logout) error {
		fmt.Printf("logout: %d token(s)\n", len(e.TokenIDs))
		return nil
	})
	signals.SubscribeAll(auth.Signals(), func(_ context.Context, e signals.Event) error {
		fmt.Println("event:", e.Name())
		return nil
	})

	issued, _ := auth.Login(ctx, user, client)
	auth.Revoke(ctx, issued.Session)
	stop() // no more Logout callbacks
	issued, _ = auth.Login(ctx, user, client)
	auth.Revoke(ctx, issued.Session)
	// Output:
	// event: token_created
	// login: alice on web (new session: true)
	// event: login
	// logout: 1 token(s)
	// event: logout
	// event: token_created
	// login: alice on web (new session: true)
	// event: login
	// event: logout
}
