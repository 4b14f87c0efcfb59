package models_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// Plug an application's own users table into ginurin: describe its
// columns with a UserSchema, migrate with it (the tokens' foreign key then
// points at that table), and give the Auth a TableUsers.
func ExampleTableUsers() {
	dir, _ := os.MkdirTemp("", "ginurin-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, _ := models.Open(filepath.Join(dir, "app.db"))
	defer db.Close()

	// The application's table, created by its own migrations.
	db.ExecContext(ctx, `CREATE TABLE accounts (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		email TEXT NOT NULL UNIQUE,
		pw TEXT NOT NULL,
		enabled BOOLEAN NOT NULL DEFAULT TRUE)`)
	hash, _ := models.HashPassword("s3cret!", 0)
	db.ExecContext(ctx, "INSERT INTO accounts (email, pw) VALUES (?, ?)", "alice@example.com", hash)

	schema := models.UserSchema{
		Table: "accounts", ID: "id", Username: "email", PasswordHash: "pw",
		IsActive: "enabled", // no IsStaff, DateJoined or LastLogin columns
	}
	if err := models.Migrate(ctx, db, schema); err != nil {
		fmt.Println(err)
		return
	}
	auth, _ := ginurin.New(db, ginurin.Config{Users: &models.TableUsers{DB: db, Schema: schema}})
	defer auth.Close() // writes pending last uses, stops background work
	client, _ := auth.NewClient(ctx, "web", 0, "")

	user, err := auth.CheckCredentials(ctx, "alice@example.com", "s3cret!")
	if err != nil {
		fmt.Println(err)
		return
	}
	issued, _ := auth.Login(ctx, user, client)
	session, _ := auth.Authenticate(ctx, issued.Token)
	fmt.Println(session.User.Username, session.User.IsActive, session.User.IsStaff, session.Client.Name)

	db.ExecContext(ctx, "UPDATE accounts SET enabled = FALSE")
	_, err = auth.Authenticate(ctx, issued.Token)
	fmt.Println(err)
	// Output:
	// alice@example.com true false web
	// ginurin: user inactive or deleted
}
