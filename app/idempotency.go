package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// A commandId is honoured forever, across restarts and replicas, because it is kept in
// the event store itself, on the command's own events: their metadata carries the
// command id, the caller's organisation, the command's type and a fingerprint of its
// input (a keyed hash, never the input). The command is one append, one durable
// write; nothing else is written on its account.
//
// Command ids are one namespace per organisation: a stream's folded aggregate keeps
// the result of every command recorded in it under a keyed hash of (the caller's
// organisation, the command id), so two organisations never collide, and no
// organisation can learn whether another used an id.
//
// A retry must land on the stream of its first attempt. A command on an existing
// case or organisation names it; a command that creates its stream (a referral, an
// organisation registered without an id) derives the new id from a keyed hash of
// (organisation, command id), so its retry goes to the same stream and finds itself
// there. Two copies of one create racing append with NoStream: one wins, the other
// loses the expected-revision race and then finds the winner's result.
//
// On its target stream, a command id already recorded settles the command:
//   - the same fingerprint is a retry: it gets the first result and appends nothing;
//   - another command type or fingerprint is ErrCommandReused;
//   - a fingerprint that can no longer be checked — a case command's is keyed with a
//     key derived from the case's own key, so that once the survivor is erased nobody
//     can test a guess against it offline; and commands recorded before fingerprints
//     were kept have none — proves nothing about the caller: the recorded result goes
//     to a caller allowed to act on the stream, and to no other (ErrCommandReused).
//
// An id used on another stream is what no single stream can tell: the read model of
// command ids (projections.CommandIDs) answers it, and the command is ErrCommandReused.
// It lags the log: two first uses of one id on two different streams within its lag
// both land, each idempotent on its own stream (see projections.CommandIDs).
//
// Order of work, so that a rejected command leaves the stores untouched:
//  1. the target stream is read (a cached aggregate will do); a result recorded in it
//     settles the command as above;
//  2. an id the read model knows is ErrCommandReused (once the stream, read afresh,
//     still does not have it: a cached aggregate may be behind);
//  3. the command is authorised and decided; a rejection writes nothing (a cached
//     stream that rejects is read again first);
//  4. a referral's case key is made (the key store's one write, durable before the
//     event that needs it), then the fingerprint, keyed with it;
//  5. the events are appended with the expected revision; another writer first sends
//     the command back to 1.
//
// There is no claim to abandon: a replica that dies before its append leaves nothing
// (but, for a referral, the new case's key, which the retry finds and uses), and the
// retry runs the command once. (Until this design, a claim stream recorded the id
// first, in its own durable write, and a retry had to take an abandoned claim over.)

// validateCommandID accepts 1–100 letters, digits, '-' and '_' (a UUID fits).
func validateCommandID(id string) error {
	if err := domain.CheckID("commandId", id); err != nil {
		return fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	return nil
}

// derivedID is the id of the stream a create makes (what: "case", "organisation"):
// a keyed hash of the caller's organisation and the command id, shaped as a UUID
// (version 8, "custom") so that it reads and validates like the ids the service
// draws. A retry of the command derives the same id.
func (s *Service) derivedID(what, org, commandID string) string {
	mac := hmac.New(sha256.New, s.hashKey)
	mac.Write([]byte(what + "-id\x00"))
	mac.Write([]byte(org))
	mac.Write([]byte{0})
	mac.Write([]byte(commandID))
	var u [16]byte
	copy(u[:], mac.Sum(nil))
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// commandInput is what a command's fingerprint covers: its type, target, expected
// version, the caller, and the command as the caller gave it (before the service adds
// ids).
func commandInput(commandType, target string, expected *uint64, actor Actor, cmd any) ([]byte, error) {
	body, err := json.Marshal(struct {
		Type     string  `json:"type"`
		Target   string  `json:"target"`
		Expected *uint64 `json:"expected"`
		Actor    Actor   `json:"actor"`
		Command  any     `json:"command"`
	}{commandType, target, expected, actor, cmd})
	if err != nil {
		return nil, fmt.Errorf("fingerprint %s input: %w", commandType, err)
	}
	return body, nil
}

// fingerprinter returns the fingerprint of a command's input on its target stream;
// create first makes a new case's key (a referral): the one write to the key store.
type fingerprinter func(ctx context.Context, stream string, create bool) (string, error)

// caseFingerprint keys the fingerprint of a case command with the case's own key, so
// erasure makes it unverifiable (see above).
func (s *Service) caseFingerprint(input []byte) fingerprinter {
	return func(ctx context.Context, stream string, create bool) (string, error) {
		_, caseID, _ := eventstore.SplitStreamName(stream)
		if create {
			if err := s.vault.EnsureCaseKey(ctx, caseID); err != nil {
				return "", fmt.Errorf("make the key of case %s: %w", caseID, err)
			}
		}
		return s.vault.CaseMAC(ctx, caseID, "command-input", input)
	}
}

// plainFingerprint keys the fingerprint of a command that holds no personal data
// (the directory, revocations) with the service's command key.
func (s *Service) plainFingerprint(input []byte) fingerprinter {
	return func(context.Context, string, bool) (string, error) {
		mac := hmac.New(sha256.New, s.hashKey)
		mac.Write(input)
		return hex.EncodeToString(mac.Sum(nil)), nil
	}
}

// sizingFingerprint stands in for a fingerprint while the events are sized: as long
// as a real one, which is made only once the command is known to be accepted.
const sizingFingerprint = "0000000000000000000000000000000000000000000000000000000000000000"

// settle answers a command whose id its target stream has recorded (step 1 above).
func (s *Service) settle(ctx context.Context, req request, a aggregate, done recorded) (Result, error) {
	res := a.result(done)
	if done.commandType != "" && done.commandType != req.cmdType {
		return Result{}, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
	}
	if done.fingerprint != "" {
		hash, err := req.fingerprint(ctx, req.stream, false)
		switch {
		case err == nil && hash == done.fingerprint:
			return res, nil
		case err == nil:
			return Result{}, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
		case !errors.Is(err, sealing.ErrKeyDestroyed):
			return Result{}, fmt.Errorf("check command %s: %w", req.commandID, err)
		}
	}
	// Nothing proves this is the same caller with the same input: the result goes only
	// to a caller allowed to act on the stream.
	if req.authorize(a) != nil {
		return Result{}, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
	}
	return res, nil
}
