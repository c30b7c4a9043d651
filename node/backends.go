package node

import (
	"errors"
	"io"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// Backends are the durable parts a node runs on, each behind its own small interface,
// so that nothing past this point knows which engine holds the data. OpenJetStream
// opens the default ones; a test about the application can hand in memstore's and
// sealing's in-memory ones instead. Start takes them over: Node.Close closes them, and
// so does Start when it fails.
type Backends struct {
	// Events is the event store (required).
	Events eventstore.Store
	// Keys holds the wrapped case keys. Required unless Config.Vault is given (then
	// leave it nil: the vault's key store is its owner's to close).
	Keys sealing.KeyStore
	// AccessLog keeps the access log's entries (required). Closed after the log's
	// batcher stops, when it is an io.Closer.
	AccessLog accesslog.Sink
	// Erasures is the erasure ledger, kept beside the key store (nil: erasures are not
	// recorded; see app.Config.Erasures). Closed with the others, when an io.Closer.
	Erasures sealing.ErasureLedger
	// Bus, when the events are not on NATS (KurrentDB), is the JetStream store that
	// still carries the NATS connection the access log uses; closed after Events.
	Bus io.Closer
}

func (b Backends) check(vault *sealing.Vault) error {
	switch {
	case b.Events == nil:
		return errors.New("node: an event store is required")
	case b.AccessLog == nil:
		return errors.New("node: an access log sink is required")
	case vault == nil && b.Keys == nil:
		return errors.New("node: a key store (or a vault) is required")
	case vault != nil && b.Keys != nil:
		return errors.New("node: a vault and a key store: give one (the vault brings its own key store)")
	}
	return nil
}

// close closes the backends, the access log first (it may share the event store's
// connection) and the event store last.
func (b Backends) close() error {
	var errs []error
	if c, ok := b.AccessLog.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	if b.Keys != nil {
		errs = append(errs, b.Keys.Close())
	}
	if c, ok := b.Erasures.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	if b.Events != nil {
		errs = append(errs, b.Events.Close())
	}
	if b.Bus != nil {
		errs = append(errs, b.Bus.Close())
	}
	return errors.Join(errs...)
}
