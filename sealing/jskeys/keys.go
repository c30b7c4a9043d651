package jskeys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/jsbatch"
	"github.com/waymark-org/waymark/internal/natserr"
	"github.com/waymark-org/waymark/sealing"
)

// The KeyStore operations of the JetStream key store, and the stream reads and writes
// they are made of. Writes run under s.mu (see Store): Creates shared, the rest
// exclusive.

// Create stores the first key of a case.
func (s *Store) Create(ctx context.Context, caseID string, k sealing.WrappedKey) error {
	if err := s.checkWrite(caseID, k); err != nil {
		return err
	}
	defer s.pre.writing()() // a prescan running now may miss it
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkNotDestroyed(ctx, caseID); err != nil {
		return err
	}
	// No read of the key subject first: the publish expects it empty, and a key there
	// already (or a Create racing this one) is the server's wrong-sequence answer.
	_, err := s.commit.Publish(ctx, &nats.Msg{Subject: keySubject + caseID, Data: encodeRecord(k)}, 0)
	return s.publishErr(keySubject+caseID, err)
}

// Get returns the case's key; a destroyed case is sealing.ErrKeyDestroyed even if (for an
// instant during Destroy) its key is still there.
func (s *Store) Get(ctx context.Context, caseID string) (sealing.WrappedKey, error) {
	if err := s.check(caseID); err != nil {
		return sealing.WrappedKey{}, err
	}
	if err := s.checkNotDestroyed(ctx, caseID); err != nil {
		return sealing.WrappedKey{}, err
	}
	msg, err := s.lastMsg(ctx, keySubject+caseID)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		if err := s.checkNotDestroyed(ctx, caseID); err != nil {
			return sealing.WrappedKey{}, err // destroyed between the two reads
		}
		return sealing.WrappedKey{}, fmt.Errorf("case %s: %w", caseID, sealing.ErrKeyNotFound)
	}
	if err != nil {
		return sealing.WrappedKey{}, s.opErr("get key", err)
	}
	return decodeRecord(msg.Data)
}

// Replace stores the rewrapped key, then securely erases every older message of the case.
func (s *Store) Replace(ctx context.Context, caseID string, k sealing.WrappedKey) error {
	if err := s.checkWrite(caseID, k); err != nil {
		return err
	}
	defer s.pre.writing()() // a prescan running now may miss it
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkNotDestroyed(ctx, caseID); err != nil {
		return err
	}
	last, err := s.lastMsg(ctx, keySubject+caseID)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("case %s: %w", caseID, sealing.ErrKeyNotFound)
	}
	if err != nil {
		return s.opErr("get key", err)
	}
	if err := s.publish(ctx, keySubject+caseID, encodeRecord(k), last.Sequence); err != nil {
		return err
	}
	return s.eraseKeys(ctx, caseID, true)
}

// Destroy records the case as destroyed (an empty tombstone message), then securely
// erases every message holding its key. The tombstone comes first so that a crash in
// between never lets the case get a new key; Open finishes the erasure.
//
// Secure erase (nats-server v2.15.2, filestore.go removeMsgFromBlock → msgBlock.eraseMsg)
// replaces the whole record with one of the same length: the sequence flagged erased,
// timestamp 0, no subject, random bytes from crypto/rand, a new checksum. It overwrites
// the block's in-memory cache and rewrites the block file (a temporary file, fsynced,
// renamed over the block; syncMsgDir then makes the rename durable). A block left empty
// is unlinked after the overwrite. index.db holds subjects and counts, never payloads;
// the delete tombstone written to the last block holds only sequence and time;
// compaction copies only live records. So once Destroy returns, no file under the
// directory holds the key's bytes (the tests scan for them).
//
// What this cannot reach: the replaced block's old disk blocks, freed by the rename but
// not zeroed (and, on SSDs, flash pages the drive remaps). There the wrapped key survives
// until overwritten, still encrypted under its KEK, which never lives in this directory.
// Rotating the KEK (sealing.Vault.Rotate) and then discarding the old one makes such remnants
// undecryptable for good; full-disk encryption of the volume covers the rest.
func (s *Store) Destroy(ctx context.Context, caseID string) error {
	if err := s.check(caseID); err != nil {
		return err
	}
	defer s.pre.writing()()
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.checkNotDestroyed(ctx, caseID)
	switch {
	case err == nil:
		if err := s.publish(ctx, destroyedSubject+caseID, nil, 0); err != nil {
			return err
		}
	case !errors.Is(err, sealing.ErrKeyDestroyed):
		return err
	}
	return s.eraseKeys(ctx, caseID, false)
}

// CaseIDs lists the cases with a live key, sorted.
func (s *Store) CaseIDs(ctx context.Context) ([]string, error) {
	if s.closed.Load() {
		return nil, sealing.ErrKeyStoreClosed
	}
	keys, err := s.subjects(ctx, keySubject)
	if err != nil {
		return nil, err
	}
	destroyed, err := s.subjects(ctx, destroyedSubject)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(keys))
	for id := range keys {
		if _, gone := destroyed[id]; !gone {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// eraseKeys securely erases the case's key messages: all of them, or all but the newest.
func (s *Store) eraseKeys(ctx context.Context, caseID string, keepLast bool) error {
	seqs, err := s.keySeqs(ctx, caseID)
	if err != nil {
		return err
	}
	if keepLast && len(seqs) > 0 {
		seqs = seqs[:len(seqs)-1]
	}
	for _, seq := range seqs {
		if err := s.stream.SecureDeleteMsg(ctx, seq); err != nil {
			return s.opErr(fmt.Sprintf("erase key of case %s (message %d)", caseID, seq), err)
		}
	}
	if len(seqs) == 0 {
		return nil
	}
	return s.syncMsgDir()
}

// syncMsgDir fsyncs the stream's block directory. Secure erase rewrites a block as a
// temporary file renamed over the old one, and the server does not fsync the directory:
// until the rename is durable, a power cut could bring back the old block, key and all.
func (s *Store) syncMsgDir() error {
	if s.msgDir == "" {
		return nil // on a cluster: its nodes' own sync setting
	}
	d, err := os.Open(s.msgDir)
	if err == nil {
		err = d.Sync()
		if cerr := d.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("sealing: key store: make the erasure durable: %w", err)
	}
	return nil
}

// keySeqs returns the sequences of the case's key messages, oldest first.
func (s *Store) keySeqs(ctx context.Context, caseID string) ([]uint64, error) {
	var seqs []uint64
	for next := uint64(1); ; {
		msg, err := s.nextMsg(ctx, next, keySubject+caseID)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return seqs, nil
		}
		if err != nil {
			return nil, s.opErr("list key messages", err)
		}
		seqs = append(seqs, msg.Sequence)
		next = msg.Sequence + 1
	}
}

// subjects returns, by case id, the message counts of the subjects under prefix.
func (s *Store) subjects(ctx context.Context, prefix string) (map[string]uint64, error) {
	info, err := s.stream.Info(ctx, jetstream.WithSubjectFilter(prefix+"*"))
	if err != nil {
		return nil, s.opErr("stream info", err)
	}
	out := make(map[string]uint64, len(info.State.Subjects))
	for subj, n := range info.State.Subjects {
		out[strings.TrimPrefix(subj, prefix)] = n
	}
	return out, nil
}

// checkNotDestroyed is sealing.ErrKeyDestroyed if the case has a tombstone.
func (s *Store) checkNotDestroyed(ctx context.Context, caseID string) error {
	_, err := s.lastMsg(ctx, destroyedSubject+caseID)
	switch {
	case err == nil:
		return fmt.Errorf("case %s: %w", caseID, sealing.ErrKeyDestroyed)
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return nil
	default:
		return s.opErr("get tombstone", err)
	}
}

// publish writes one message expecting the subject's last sequence to be lastSeq (0: no
// message yet); a mismatch means a key exists.
func (s *Store) publish(ctx context.Context, subject string, data []byte, lastSeq uint64) error {
	_, err := s.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: data},
		jetstream.WithExpectLastSequencePerSubject(lastSeq))
	return s.publishErr(subject, err)
}

// publishErr is the answer to a publish to subject: a wrong expected sequence means
// a key exists.
func (s *Store) publishErr(subject string, err error) error {
	switch {
	case err == nil:
		return nil
	case jsbatch.IsWrongLastSequence(err):
		return fmt.Errorf("%s: %w", subject, sealing.ErrKeyExists)
	case errors.Is(err, jsbatch.ErrStopped):
		return s.opErr("publish "+subject, sealing.ErrKeyStoreClosed)
	default:
		return s.opErr("publish "+subject, err)
	}
}

// check rejects bad case ids and calls after Close.
func (s *Store) check(caseID string) error {
	if s.closed.Load() {
		return sealing.ErrKeyStoreClosed
	}
	return sealing.ValidCaseID(caseID)
}

// checkWrite also rejects a malformed wrapped key.
func (s *Store) checkWrite(caseID string, k sealing.WrappedKey) error {
	if s.closed.Load() {
		return sealing.ErrKeyStoreClosed
	}
	return sealing.CheckWrite(caseID, k)
}

func (s *Store) opErr(op string, err error) error {
	if s.closed.Load() || errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("sealing: key store: %s: %w", op, sealing.ErrKeyStoreClosed)
	}
	if natserr.Transient(err) {
		return fmt.Errorf("sealing: key store: %s: %w: %w", op, sealing.ErrKeyStoreUnavailable, err)
	}
	return fmt.Errorf("sealing: key store: %s: %w", op, err)
}
