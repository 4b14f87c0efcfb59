package ginurin_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// A user's sessions, one revoked, then the expired ones pruned.
func ExampleAuth_Sessions() {
	dir, err := os.MkdirTemp("", "ginurin-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := models.Open(filepath.Join(dir, "example.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := models.Migrate(ctx, db, models.DefaultUserSchema()); err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	auth, err := ginurin.New(db, ginurin.Config{Now: func() time.Time { return now }, PasswordHashCost: 4})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close() // writes pending last uses, stops background work

	alice, _ := models.CreateUser(ctx, db, "alice", "s3cret", false, 4)
	for _, name := range []string{"web", "cli", "android"} {
		ttl := time.Hour
		if name == "web" {
			ttl = 24 * time.Hour
		}
		client, _ := auth.NewClient(ctx, name, ttl, "")
		if _, err := auth.Login(ctx, alice, client); err != nil {
			log.Fatal(err)
		}
	}
	sessions, _ := auth.Sessions(ctx, alice.ID)
	for _, s := range sessions {
		fmt.Println(s.Client.Name, "expires", s.Expiry.Format(time.Kitchen))
	}

	fmt.Println(auth.RevokeSession(ctx, alice.ID, sessions[2].ID))
	fmt.Println(auth.RevokeSession(ctx, alice.ID, sessions[2].ID))

	now = now.Add(2 * time.Hour)
	n, _ := auth.PruneExpired(ctx, 0)
	fmt.Println("pruned", n)
	// Output:
	// web expires 12:00PM
	// cli expires 1:00PM
	// android expires 1:00PM
	// <nil>
	// ginurin: session not found
	// pruned 1
}
