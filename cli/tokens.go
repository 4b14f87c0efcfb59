package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// tokensPrune deletes the expired tokens and prints how many.
func tokensPrune(ctx context.Context, a *ginurin.Auth, args []string, out io.Writer) error {
	cmd, err := parse(args, []string{"batch-size"}, nil)
	if err != nil {
		return err
	}
	if err := cmd.want(0, "no arguments"); err != nil {
		return err
	}
	batch := 0
	if s, ok := cmd.flags["batch-size"]; ok {
		if batch, err = strconv.Atoi(s); err != nil || batch <= 0 {
			return &models.FieldError{Field: "batch-size", Message: fmt.Sprintf("%q is not a positive integer", s)}
		}
	}
	n, err := a.PruneExpired(ctx, batch)
	if err != nil {
		return fmt.Errorf("cli: prune (%d deleted before the failure): %w", n, err)
	}
	noun := "tokens"
	if n == 1 {
		noun = "token"
	}
	fmt.Fprintf(out, "deleted %d expired %s\n", n, noun)
	return nil
}
