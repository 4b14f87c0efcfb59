package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ginurin/ginurin/ginurin"
	"github.com/ginurin/ginurin/models"
)

// Exit codes of Run.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Usage is the command summary printed on a usage error.
const Usage = `commands:
  migrate
  user create USERNAME --password PASSWORD [--staff]
  user deactivate USERNAME
  client create NAME [--token-ttl DURATION] [--throttle-rate RATE]
  client list
  client delete NAME
  tokens prune [--batch-size N]
`

// usageError is a malformed command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// command is one parsed command line.
type command struct {
	args  []string
	flags map[string]string
}

// parse splits args into positional arguments and flags. valueFlags take a
// value; boolFlags do not. Unknown flags are usage errors.
func parse(args []string, valueFlags, boolFlags []string) (*command, error) {
	cmd := &command{flags: map[string]string{}}
	has := func(list []string, name string) bool {
		for _, f := range list {
			if f == name {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			cmd.args = append(cmd.args, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			cmd.args = append(cmd.args, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case has(boolFlags, name):
			if hasValue {
				return nil, &usageError{fmt.Sprintf("--%s takes no value", name)}
			}
			cmd.flags[name] = "true"
		case has(valueFlags, name):
			if !hasValue {
				if i+1 >= len(args) {
					return nil, &usageError{fmt.Sprintf("--%s needs a value", name)}
				}
				i++
				value = args[i]
			}
			cmd.flags[name] = value
		default:
			return nil, &usageError{fmt.Sprintf("unknown flag --%s", name)}
		}
	}
	return cmd, nil
}

// want checks the number of positional arguments.
func (c *command) want(n int, names string) error {
	switch {
	case len(c.args) < n:
		return &usageError{fmt.Sprintf("expected %s", names)}
	case len(c.args) > n:
		return &usageError{fmt.Sprintf("expected %s; unexpected %q", names, strings.Join(c.args[n:], " "))}
	}
	return nil
}

// Run executes one command (args without the program name) against a,
// printing results to stdout and errors to stderr, and returns the exit
// code. Passwords are never printed.
func Run(ctx context.Context, a *ginurin.Auth, args []string, stdout, stderr io.Writer) int {
	err := run(ctx, a, args, stdout)
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "usage error: %s\n\n%s", ue.msg, Usage)
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "error: %s\n", describe(err))
		return ExitFailure
	}
}

// describe turns an error into a message naming the bad field.
func describe(err error) string {
	var fe *models.FieldError
	switch {
	case errors.As(err, &fe):
		return fe.Field + ": " + fe.Message
	case errors.Is(err, models.ErrClientExists):
		return "name: a client with that name already exists"
	case errors.Is(err, models.ErrClientNotFound):
		return "name: no client with that name"
	case errors.Is(err, models.ErrUserExists):
		return "username: a user with that username already exists"
	case errors.Is(err, models.ErrUserNotFound):
		return "username: no user with that username"
	}
	return err.Error()
}

func run(ctx context.Context, a *ginurin.Auth, args []string, out io.Writer) error {
	if len(args) == 0 {
		return &usageError{"no command"}
	}
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(out, Usage)
		return nil
	}
	if len(args) == 1 && args[0] == "migrate" {
		if err := models.Migrate(ctx, a.DB(), usersSchema(a)); err != nil {
			return err
		}
		fmt.Fprintln(out, "migrations applied")
		return nil
	}
	if len(args) < 2 {
		return &usageError{fmt.Sprintf("unknown command %q", strings.Join(args, " "))}
	}
	rest := args[2:]
	switch args[0] + " " + args[1] {
	case "user create":
		return userCreate(ctx, a, rest, out)
	case "user deactivate":
		return userDeactivate(ctx, a, rest, out)
	case "client create":
		return clientCreate(ctx, a, rest, out)
	case "client list":
		return clientList(ctx, a, rest, out)
	case "client delete":
		return clientDelete(ctx, a, rest, out)
	case "tokens prune":
		return tokensPrune(ctx, a, rest, out)
	}
	return &usageError{fmt.Sprintf("unknown command %q", args[0]+" "+args[1])}
}

func usersSchema(a *ginurin.Auth) models.UserSchema {
	if s, ok := a.Config().Users.(models.SQLUserStore); ok {
		return s.UserSchema()
	}
	return models.DefaultUserSchema()
}

func userCreate(ctx context.Context, a *ginurin.Auth, args []string, out io.Writer) error {
	cmd, err := parse(args, []string{"password"}, []string{"staff"})
	if err != nil {
		return err
	}
	if err := cmd.want(1, "USERNAME"); err != nil {
		return err
	}
	password, ok := cmd.flags["password"]
	if !ok {
		return &usageError{"--password is required"}
	}
	u, err := models.CreateUser(ctx, a.DB(), cmd.args[0], password, cmd.flags["staff"] == "true", a.Config().PasswordHashCost)
	if err != nil {
		return err
	}
	kind := "user"
	if u.IsStaff {
		kind = "staff user"
	}
	fmt.Fprintf(out, "created %s %q (id %d)\n", kind, u.Username, u.ID)
	return nil
}

func userDeactivate(ctx context.Context, a *ginurin.Auth, args []string, out io.Writer) error {
	cmd, err := parse(args, nil, nil)
	if err != nil {
		return err
	}
	if err := cmd.want(1, "USERNAME"); err != nil {
		return err
	}
	if err := a.SetUserActive(ctx, cmd.args[0], false); err != nil {
		return err
	}
	fmt.Fprintf(out, "deactivated user %q\n", cmd.args[0])
	return nil
}

func clientCreate(ctx context.Context, a *ginurin.Auth, args []string, out io.Writer) error {
	cmd, err := parse(args, []string{"token-ttl", "throttle-rate"}, nil)
	if err != nil {
		return err
	}
	if err := cmd.want(1, "NAME"); err != nil {
		return err
	}
	var ttl time.Duration
	if s, ok := cmd.flags["token-ttl"]; ok {
		if ttl, err = models.ParseDuration(s); err != nil {
			return &models.FieldError{Field: "token-ttl", Message: fmt.Sprintf("%q is not a positive duration such as 90m, 24h or 14d", s)}
		}
	}
	rate := cmd.flags["throttle-rate"]
	if _, ok := cmd.flags["throttle-rate"]; ok {
		if _, err := models.ParseRate(rate); err != nil {
			return &models.FieldError{Field: "throttle-rate", Message: fmt.Sprintf("%q is not of the form N/p with p one of s, m, h, d", rate)}
		}
	}
	c, err := a.NewClient(ctx, cmd.args[0], ttl, rate)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created client %q (token TTL %s, throttle rate %s)\n", c.Name, FormatDuration(c.TokenTTL), rateOrDefault(c.ThrottleRate))
	return nil
}

func rateOrDefault(r string) string {
	if r == "" {
		return "default"
	}
	return r
}

func clientList(ctx context.Context, a *ginurin.Auth, args []string, out io.Writer) error {
	cmd, err := parse(args, nil, nil)
	if err != nil {
		return err
	}
	if err := cmd.want(0, "no arguments"); err != nil {
		return err
	}
	clients, err := models.ListClients(ctx, a.DB())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTOKEN TTL\tTHROTTLE RATE")
	for _, c := range clients {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, FormatDuration(c.TokenTTL), rateOrDefault(c.ThrottleRate))
	}
	return tw.Flush()
}

func clientDelete(ctx context.Context, a *ginurin.Auth, args []string, out io.Writer) error {
	cmd, err := parse(args, nil, nil)
	if err != nil {
		return err
	}
	if err := cmd.want(1, "NAME"); err != nil {
		return err
	}
	if err := a.DeleteClient(ctx, cmd.args[0]); err != nil {
		return err
	}
	fmt.Fprintf(out, "deleted client %q and its tokens\n", cmd.args[0])
	return nil
}

// FormatDuration prints whole days as "14d" and anything else as Go does.
func FormatDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
