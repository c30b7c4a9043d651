package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/retention"
	"github.com/waymark-org/waymark/webhooks"
)

// Bad retention and webhook flags: a sentence, a non-zero exit, and the data
// directory untouched (serve refuses before it takes the directory's lock).
func TestRetentionAndWebhookFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"default":{"erasePersonalAfterClosedYears":6,"dropAccessLogAfterYears":2}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "bank.secret")
	if err := os.WriteFile(secret, []byte(strings.Repeat("k", 40)), 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "hooks.json")
	if err := os.WriteFile(plain, []byte(`[{"organisation":"us-bank","url":"http://bank.example.org/hook","secretFile":"bank.secret"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"retention without a verb", []string{"retention", "--data-dir", data}, true, "--dry-run"},
		{"retention dry run and run", []string{"retention", "run", "--dry-run", "--data-dir", data}, true, "not both"},
		{"retention batch 0", []string{"retention", "--dry-run", "--retention-batch", "0", "--data-dir", data}, true, "--retention-batch 0"},
		{"retention bad file", []string{"retention", "--dry-run", "--retention", bad, "--data-dir", data}, false, "must be kept at least as long"},
		{"retention no store", []string{"retention", "--dry-run", "--data-dir", data}, false, "no event store"},
		{"serve bad retention file", []string{"serve", "--retention", bad, "--data-dir", data}, false, "must be kept at least as long"},
		{"serve negative retention interval", []string{"serve", "--retention-interval", "-1h", "--data-dir", data}, true, "want 0 (off) or more"},
		{"serve http webhook", []string{"serve", "--webhooks", plain, "--data-dir", data}, false, "HTTPS only"},
		{"serve webhook CA alone", []string{"serve", "--webhook-ca", secret, "--data-dir", data}, true, "without --webhooks"},
		{"webhooks without log", []string{"webhooks", "--data-dir", data}, true, "webhooks log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, quietLogger())
			if err == nil || errors.Is(err, errUsage) != tc.usage || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v: %v, want an error saying %q (usage: %v)", tc.args, err, tc.want, tc.usage)
			}
		})
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("the data directory was touched: %v", err)
	}
	if !errors.Is(func() error { _, err := retention.Load(bad); return err }(), retention.ErrInvalid) {
		t.Fatal("the bad file is not ErrInvalid")
	}
}

// waymark retention --dry-run and run, with no server: the command opens the data
// directory itself (a copy of the fixture), lists what is due without writing to the
// event store, and run finds the same.
func TestRetentionCommandOffline(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../node/testdata/datadir-v1")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	head := func() string {
		store, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		h, err := store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h.String()
	}
	before := head()
	var out bytes.Buffer
	if err := retentionCommand(ctx, []string{"--dry-run", "--data-dir", dir, "--sync", "interval"}, &out, quietLogger()); err != nil {
		t.Fatalf("retention --dry-run: %v", err)
	}
	if !strings.Contains(out.String(), "would erase the personal data of 0 case(s); would drop 0 access-log entries") {
		t.Fatalf("dry run said %q", out.String())
	}
	out.Reset()
	if err := retentionCommand(ctx, []string{"--dry-run", "--json", "--data-dir", dir, "--sync", "interval"}, &out, quietLogger()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"dryRun": true`) || !strings.Contains(out.String(), `"due": []`) {
		t.Fatalf("dry run said %s", out.String())
	}
	if after := head(); after != before {
		t.Fatalf("the dry run wrote to the event store: head %s → %s", before, after)
	}
	out.Reset()
	if err := retentionCommand(ctx, []string{"run", "--data-dir", dir, "--sync", "interval"}, &out, quietLogger()); err != nil {
		t.Fatalf("retention run: %v", err)
	}
	if !strings.Contains(out.String(), "erased the personal data of 0 case(s)") {
		t.Fatalf("run said %q", out.String())
	}
}

// waymark webhooks log reads the delivery log, of one organisation or all.
func TestWebhooksLogCommand(t *testing.T) {
	dir := t.TempDir()
	l, err := webhooks.OpenLog(webhookDir(dir), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []webhooks.Record{
		{Delivery: "d1", Organisation: "us-bank", Type: "work.added", Attempt: 1, Status: 500, Error: "status", Outcome: webhooks.OutcomeRetry},
		{Delivery: "d1", Organisation: "us-bank", Type: "work.added", Attempt: 2, Status: 204, Outcome: webhooks.OutcomeDelivered},
		{Delivery: "d2", Organisation: "mx-bureau", Type: "work.added", Attempt: 1, Error: "timeout", Outcome: webhooks.OutcomeRetry},
	} {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	var out bytes.Buffer
	if err := webhooksCommand([]string{"log", "--data-dir", dir, "--organisation", "us-bank"}, &out); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); strings.Count(s, "us-bank") != 2 || strings.Contains(s, "mx-bureau") || !strings.Contains(s, "delivered") {
		t.Fatalf("log of us-bank:\n%s", s)
	}
	out.Reset()
	if err := webhooksCommand([]string{"log", "--data-dir", dir, "--organisation", "nobody"}, &out); err != nil || !strings.Contains(out.String(), "no webhook deliveries logged for nobody") {
		t.Fatalf("log of nobody: %q, %v", out.String(), err)
	}
}

// What a serving waymark answers on its admin socket for retention: its own policies,
// or a file given with the request (a malformed one refused with its sentence).
func TestRetentionOps(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../node/testdata/datadir-v1")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var sf storeFlags
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	sf.register(fs)
	rf := registerRetentionFlags(fs, true)
	if err := fs.Parse([]string{"--data-dir", dir, "--sync", "interval", "--retention-interval", "0"}); err != nil {
		t.Fatal(err)
	}
	sf = sf.resolved()
	n, _, err := startNode(ctx, sf, sf.storeConfig(""), quietLogger(), api.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	keeper, stop := startRetention(n, rf, retention.Defaults(), quietLogger())
	defer stop()
	ops := retentionOps{retention: keeper}
	if err := n.Runner.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	plan, err := ops.RetentionPlan(ctx, admin.RetentionRequest{Batch: 5})
	if err != nil || !plan.DryRun || plan.Due == nil {
		t.Fatalf("plan: %+v, %v", plan, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"jurisdictions":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.RetentionRun(ctx, admin.RetentionRequest{PoliciesFile: bad}); !errors.Is(err, admin.ErrRefused) || !strings.Contains(err.Error(), `"default" is missing`) {
		t.Fatalf("a malformed policy file: %v", err)
	}
	if keeper.Policies.Default.ErasePersonalAfterClosedYears != 6 {
		t.Fatal("a request's file changed the server's own policies")
	}
}
