package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// DeleteClientReturningID is DeleteClient that also returns the deleted
// client's ID, so that caches holding its tokens can be told; it returns
// ErrClientNotFound when no client has that name.
func DeleteClientReturningID(ctx context.Context, db bun.IDB, name string) (int64, error) {
	var id int64
	err := db.NewDelete().Model((*Client)(nil)).Where("name = ?", name).Returning("id").Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrClientNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("models: delete client: %w", err)
	}
	return id, nil
}
