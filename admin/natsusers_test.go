package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

// natsUserOps is testOps that also keeps NATS users, in memory.
type natsUserOps struct {
	testOps
	users     []NATSUser
	passwords map[string]string
}

func (o *natsUserOps) AddNATSUser(_ context.Context, req NATSUserRequest) (NATSUser, error) {
	switch {
	case req.Account != "analytics":
		return NATSUser{}, fmt.Errorf("%w: account %q: only analytics", ErrRefused, req.Account)
	case slices.ContainsFunc(o.users, func(u NATSUser) bool { return u.Name == req.Name }):
		return NATSUser{}, fmt.Errorf("%w: %q exists", ErrRefused, req.Name)
	}
	u := NATSUser{Name: req.Name, Account: "ANALYTICS", Created: time.Unix(100, 0).UTC()}
	o.users = append(o.users, u)
	o.passwords[req.Name] = req.Password
	return u, nil
}

func (o *natsUserOps) RemoveNATSUser(_ context.Context, name string) (NATSUserRemoved, error) {
	i := slices.IndexFunc(o.users, func(u NATSUser) bool { return u.Name == name })
	if i < 0 {
		return NATSUserRemoved{}, fmt.Errorf("%w: no NATS user %q", ErrNotFound, name)
	}
	u := o.users[i]
	o.users = slices.Delete(o.users, i, i+1)
	return NATSUserRemoved{NATSUser: u, Disconnected: 2}, nil
}

func (o *natsUserOps) NATSUsers(context.Context) ([]NATSUser, error) { return o.users, nil }

// The NATS user routes carry requests, replies and the server's sentences; the
// password reaches the server and is never logged; a server without NATS users
// refuses with a sentence.
func TestNATSUsersOverTheSocket(t *testing.T) {
	ops := &natsUserOps{passwords: map[string]string{}}
	var logs syncBuffer
	lock := lockDir(t)
	srv, err := Listen(lock, ops, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	serve(t, srv)
	c := NewClient(SocketPath(lock.Dir()))
	ctx := t.Context()

	if users, err := c.NATSUsers(ctx); err != nil || len(users) != 0 {
		t.Fatalf("no users: %v, %v", users, err)
	}
	u, err := c.AddNATSUser(ctx, NATSUserRequest{Name: "alice", Account: "analytics", Password: "secret-password-of-alice"})
	if err != nil || u.Name != "alice" || u.Account != "ANALYTICS" || !u.Created.Equal(time.Unix(100, 0)) {
		t.Fatalf("add: %+v, %v", u, err)
	}
	if ops.passwords["alice"] != "secret-password-of-alice" {
		t.Error("the password did not reach the server")
	}
	if _, err := c.AddNATSUser(ctx, NATSUserRequest{Name: "alice", Account: "analytics", Password: "x"}); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), `"alice" exists`) {
		t.Errorf("a duplicate: %v", err)
	}
	if _, err := c.AddNATSUser(ctx, NATSUserRequest{Name: "bob", Account: "waymark", Password: "x"}); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "only analytics") {
		t.Errorf("another account: %v", err)
	}
	users, err := c.NATSUsers(ctx)
	if err != nil || len(users) != 1 || users[0].Name != "alice" {
		t.Fatalf("list: %v, %v", users, err)
	}
	rm, err := c.RemoveNATSUser(ctx, "alice")
	if err != nil || rm.Name != "alice" || rm.Disconnected != 2 {
		t.Fatalf("remove: %+v, %v", rm, err)
	}
	if _, err := c.RemoveNATSUser(ctx, "alice"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no NATS user "alice"`) {
		t.Errorf("remove again: %v", err)
	}
	if strings.Contains(logs.String(), "secret-password") {
		t.Errorf("the logs hold the password:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "NATS user added") {
		t.Errorf("the logs do not say a user was added:\n%s", logs.String())
	}

	_, plain := start(t, &testOps{})
	if _, err := NewClient(SocketPath(plain.Dir())).NATSUsers(ctx); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "no NATS users") {
		t.Errorf("a server without NATS users: %v", err)
	}
}
