package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"log/slog"
	"sync"
	"time"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/node"
)

// defaultCheckpointInterval is how often a server signs a checkpoint (when anything
// changed). A rewrite of the history after the last checkpoint is caught only by the
// plain hash chain, which whoever rewrote it can recompute: the interval is that
// window. A checkpoint costs reading what changed since the previous one and one
// appended event, and none is made while nothing changes; five minutes keeps the
// window short while adding at most 288 events a day to the log.
const defaultCheckpointInterval = 5 * time.Minute

// auditFlags are serve's audit flags.
type auditFlags struct {
	key      *string
	interval *time.Duration
}

func registerAuditFlags(fs *flag.FlagSet) auditFlags {
	every := interval(defaultCheckpointInterval)
	fs.Var(&every, "checkpoint-interval", "sign a checkpoint this often when anything changed, and at a clean shutdown (0: only on demand)")
	return auditFlags{key: registerAuditKey(fs), interval: (*time.Duration)(&every)}
}

// interval is a duration flag that refuses a negative one while the command line is
// parsed, before the command does anything.
type interval time.Duration

func (d *interval) String() string { return time.Duration(*d).String() }

func (d *interval) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return errors.New("want 0 (off) or more")
	}
	*d = interval(v)
	return nil
}

// load reads the audit key for serve. A key named explicitly must be there; without
// the default one the server still serves (an existing data directory from before
// audit keys), makes no checkpoint and says how to get one.
func (f auditFlags) load(sec secretFlags, logger *slog.Logger) (*auth.SigningKey, error) {
	key, err := loadAuditKey(sec, *f.key)
	if err == nil {
		return &key, nil
	}
	if *f.key == "" && errors.Is(err, errNoAuditKey) {
		logger.Warn("no audit key: this server makes no signed checkpoints", "err", err)
		return nil, nil
	}
	return nil, err
}

// withAuditKey gives the node the public audit key verifyCase checks checkpoints with.
func withAuditKey(key *auth.SigningKey) func(*node.Config) {
	return func(cfg *node.Config) {
		if key != nil {
			cfg.AuditKey = key.Public().Public
		}
	}
}

// auditing is a serving waymark's checkpoints and verifications: the only Signer in
// the process (nil without an audit key), periodic checkpoints, and one at shutdown.
type auditing struct {
	store  eventstore.Store
	access audit.AccessLog
	signer *audit.Signer
	pub    ed25519.PublicKey
	log    *slog.Logger
	stop   context.CancelFunc
	wg     sync.WaitGroup
	// atShutdown: sign a last one at a clean shutdown. Only with periodic
	// checkpoints: with --checkpoint-interval 0 the operator signs on demand, and a
	// shutdown must not turn into reading a long uncovered history (minutes at
	// millions of events).
	atShutdown bool
}

// startAuditing starts signing checkpoints every interval (never when 0).
func startAuditing(n *node.Node, backends *node.JetStream, key *auth.SigningKey, interval time.Duration, logger *slog.Logger) *auditing {
	a := &auditing{store: n.Store, access: backends.AccessLog, log: logger.With("component", "audit")}
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	if key == nil {
		return a
	}
	a.pub = key.Public().Public
	a.signer = &audit.Signer{Store: n.Store, AccessLog: backends.AccessLog, KeyID: key.ID, Key: key.Private, Now: time.Now}
	a.atShutdown = interval > 0
	if interval > 0 {
		a.wg.Go(func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					a.checkpoint(ctx, "periodic")
				}
			}
		})
	}
	return a
}

// checkpoint signs one (when anything changed) and logs it.
func (a *auditing) checkpoint(ctx context.Context, why string) (audit.Checkpoint, bool, error) {
	c, made, err := a.signer.Checkpoint(ctx)
	switch {
	case err != nil:
		a.log.Error("checkpoint not made", "why", why, "err", err)
	case made:
		a.log.Info("checkpoint signed", "why", why, "sequence", c.Sequence, "events", c.Events, "streams", len(c.Heads), "access_seq", c.AccessSeq)
	}
	return c, made, err
}

// close stops the periodic checkpoints and signs a last one if anything changed since
// the previous: the history up to a clean shutdown is covered. Call it before the
// stores close.
func (a *auditing) close() {
	a.stop()
	a.wg.Wait()
	if a.signer == nil || !a.atShutdown {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a.checkpoint(ctx, "shutdown")
}
