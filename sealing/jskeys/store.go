// Package jskeys is the default sealing.KeyStore: wrapped case keys in a JetStream
// stream on the key store's own embedded NATS server, deleted only by JetStream's
// secure erase (keys.go says exactly what it reaches).
//
// Files, one concern each:
//   - store.go: opening the store, its stream, finishing interrupted operations
//   - keys.go: the KeyStore operations and the stream reads and writes they are made of
//   - record.go: the binary record a wrapped key is stored as
//   - server.go: the embedded server (in-process only, every write fsynced)
//   - cluster.go: the store on an external NATS cluster instead (Connect)
//
// The on-disk layout is a contract: <dir>/jetstream/$G/streams/CASEKEYS, subjects
// casekeys.key.<case> and casekeys.destroyed.<case>, records as record.go writes them.
package jskeys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/jsbatch"
	"github.com/waymark-org/waymark/internal/jsstream"
	"github.com/waymark-org/waymark/internal/natsembed"
	"github.com/waymark-org/waymark/sealing"
)

// The key stream: one subject per case holding its wrapped key (normally one message;
// two for an instant during Replace), and one tombstone subject per destroyed case
// holding an empty message, no key material.
const (
	keyStreamName    = "CASEKEYS"
	keySubject       = "casekeys.key."       // + caseID: the wrapped key
	destroyedSubject = "casekeys.destroyed." // + caseID: the tombstone
)

// Store is the JetStream key store. See Open.
type Store struct {
	srv    *server.Server // nil on a cluster (Connect)
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	log    *slog.Logger
	msgDir string // the stream's block files, fsynced after every erasure ("" on a cluster)
	// replicas is how many copies of the key stream a cluster keeps when the store
	// creates it (1 on the embedded server).
	replicas int
	// replicated: the stream has followers, so reads go to its leader (leaderread.go).
	replicated bool

	// commit gathers concurrent Creates into atomic batches, one fsync for many keys
	// (internal/jsbatch).
	commit *jsbatch.Committer

	// mu keeps Replace and Destroy apart from every other write: they read, then
	// write a subject, and Destroy must never interleave with a Create. Creates share
	// it (each writes only its own subject, expecting it empty), so that concurrent
	// Creates can be made durable together. Gets run freely.
	mu     sync.RWMutex
	closed atomic.Bool
	// pre is the key read a start begins early (prescan.go).
	pre  prescans
	once sync.Once
	// keyListings counts the listings of every key subject Open made (tests).
	keyListings atomic.Uint64
}

var _ sealing.KeyStore = (*Store)(nil)

// Open opens the key store in dir: its OWN embedded nats-server, not
// the event store's, with file storage under dir (dir/jetstream/...), every write
// fsynced (SyncAlways) and no network listener at all (DontListen), so that a backup of
// the event data dir never carries keys and the NATS client port never exposes them.
// dir must be apart from the event store's data dir (sealing.CheckKeyDirApart): a dir
// holding any stream other than the key stream is refused. Keys are deleted only by
// JetStream's secure erase, which
// overwrites the message with random bytes in the block file (see Destroy); the stream
// has no limits (MaxMsgs, MaxAge, ... would remove messages without that overwrite) and
// denies purges (a purge leaves the bytes on disk).
//
// At open it finishes any Replace or Destroy a crash interrupted: old wrapped keys left
// by a Replace and keys of destroyed cases are securely erased.
func Open(ctx context.Context, dir string, logger *slog.Logger) (*Store, error) {
	if dir == "" {
		return nil, errors.New("sealing: key store: a directory is required")
	}
	if logger == nil {
		logger = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sealing: key store: %w", err)
	}
	warnIfShared(dir, logger)
	srv, err := startKeyServer(dir, logger)
	if err != nil {
		return nil, fmt.Errorf("sealing: %w", err)
	}
	s := &Store{srv: srv, log: logger, replicas: 1}
	nc, err := nats.Connect("", nats.InProcessServer(s.srv), nats.Name("waymark-keys"))
	if err != nil {
		s.shutdown()
		return nil, fmt.Errorf("sealing: key store %s: connect: %w", dir, err)
	}
	if err := s.init(ctx, nc); err != nil {
		s.shutdown()
		return nil, fmt.Errorf("sealing: key store %s: %w", dir, err)
	}
	return s, nil
}

// init sets the store up on nc: its own server's in-process connection, or its own
// account's on a cluster.
func (s *Store) init(ctx context.Context, nc *nats.Conn) error {
	s.nc = nc
	var err error
	if s.js, err = jetstream.New(nc); err != nil {
		return err
	}
	var others []string
	names := s.js.StreamNames(ctx)
	for name := range names.Name() {
		if name != keyStreamName {
			others = append(others, name)
		}
	}
	if err := names.Err(); err != nil {
		return fmt.Errorf("list streams: %w", err)
	}
	if len(others) > 0 {
		where := "directory"
		if s.srv == nil {
			where = "account"
		}
		return fmt.Errorf("the %s holds other streams %v: keys must live in their own %s, apart from the events", where, others, where)
	}
	want := keyStreamConfig(s.replicas)
	if st, err := s.js.Stream(ctx, keyStreamName); err == nil {
		want.Replicas = st.CachedInfo().Config.Replicas // an update never rescales it
	}
	if s.stream, err = s.js.CreateOrUpdateStream(ctx, want); err != nil {
		return fmt.Errorf("stream %s: %w", keyStreamName, err)
	}
	s.replicated = s.stream.CachedInfo().Config.Replicas > 1
	// Atomic batches: this server fsyncs every message; a cluster stores a batch in
	// one replicated proposal.
	s.commit = jsbatch.New(s.nc, s.js, jsbatch.Options{})
	if s.srv == nil {
		if s.replicated {
			s.waitForLeader(ctx)
		}
		return s.recover(ctx) // the cluster's nodes keep the blocks: none to fsync here
	}
	// The server's file layout: <StoreDir>/jetstream/<account>/streams/<stream>/msgs.
	s.msgDir = filepath.Join(s.srv.JetStreamConfig().StoreDir, server.DEFAULT_GLOBAL_ACCOUNT, "streams", keyStreamName, "msgs")
	if st, err := os.Stat(s.msgDir); err != nil || !st.IsDir() {
		return fmt.Errorf("stream %s: block directory %s not found (nats-server layout changed?)", keyStreamName, s.msgDir)
	}
	return s.recover(ctx)
}

// keyStreamConfig: file storage, no limits of any kind (a limit removes messages without
// overwriting them), DiscardNew (should a limit ever be set, writes fail rather than old
// keys being dropped unerased), purges denied, deletes allowed (secure erase), no
// compression, direct gets for reads, atomic batches (group commit of Creates).
func keyStreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              keyStreamName,
		Description:       "Waymark case data keys, wrapped; removed only by secure erase",
		Subjects:          []string{"casekeys.>"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardNew,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		MaxMsgsPerSubject: -1,
		Compression:       jetstream.NoCompression,
		Duplicates:        jsstream.NoDedupe,
		AllowDirect:       true,
		DenyDelete:        false,
		DenyPurge:         true,
		Replicas:          replicas,
		// Atomic batches are how concurrent Creates share one fsync (internal/jsbatch).
		AllowAtomicPublish: true,
	}
}

// recover securely erases what an interrupted Replace (older keys of a case) or Destroy
// (keys of a destroyed case) left behind.
func (s *Store) recover(ctx context.Context) error {
	destroyed, err := s.subjects(ctx, destroyedSubject)
	if err != nil {
		return err
	}
	keys, err := s.leftKeys(ctx, destroyed)
	if err != nil {
		return err
	}
	for id, n := range keys {
		_, gone := destroyed[id]
		if !gone && n < 2 {
			continue
		}
		s.log.Warn("key store: erasing keys left by an interrupted operation", "case", id, "destroyed", gone, "messages", n)
		if err := s.eraseKeys(ctx, id, !gone); err != nil {
			return err
		}
	}
	return nil
}

// listPerDestroyed bounds when leftKeys asks for the destroyed cases' keys one by one:
// while there are at least this many live keys per tombstone. A direct get costs
// about ten times what one subject of a listing does.
const listPerDestroyed = 10

// leftKeys returns, by case id, the key message counts recover must look at: every
// case with more than one, and every destroyed case with any. Listing every key
// subject is most of a start's work on the key store (100,000 cases: a third of a
// second of CPU, and it grows with the cases), so the stream's totals are read
// first: when its key messages are as many as its key subjects, no case has two,
// and only the destroyed cases are looked up, one by one, unless there are so many
// that a listing is cheaper.
func (s *Store) leftKeys(ctx context.Context, destroyed map[string]uint64) (map[string]uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return nil, s.opErr("stream info", err)
	}
	var tombstones uint64
	for _, n := range destroyed {
		tombstones += n
	}
	st := info.State
	if st.Msgs < tombstones || st.NumSubjects < uint64(len(destroyed)) {
		s.keyListings.Add(1)
		return s.subjects(ctx, keySubject) // written meanwhile (a cluster's other node)
	}
	keyMsgs, keySubjects := st.Msgs-tombstones, st.NumSubjects-uint64(len(destroyed))
	if keyMsgs != keySubjects || uint64(len(destroyed))*listPerDestroyed > keySubjects {
		s.keyListings.Add(1)
		return s.subjects(ctx, keySubject)
	}
	left := map[string]uint64{}
	for id := range destroyed {
		_, err := s.lastMsg(ctx, keySubject+id)
		switch {
		case err == nil:
			left[id] = 1
		case !errors.Is(err, jetstream.ErrMsgNotFound):
			return nil, s.opErr("get key", err)
		}
	}
	return left, nil
}

// Close closes the connection and stops the embedded server.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		s.dropPrescan()
		s.mu.Lock() // let a write in flight finish
		defer s.mu.Unlock()
		s.shutdown()
	})
	return nil
}

func (s *Store) shutdown() {
	if s.commit != nil {
		s.commit.Close()
	}
	if s.nc != nil {
		s.nc.Close()
	}
	natsembed.Shutdown(s.srv)
}

// warnIfShared logs when the key directory is open to its group or to others.
func warnIfShared(dir string, log *slog.Logger) {
	if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o077 != 0 {
		log.Warn("key store directory is accessible to other users; want 0700", "dir", dir, "mode", st.Mode().Perm().String())
	}
}
