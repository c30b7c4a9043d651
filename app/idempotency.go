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
)

// A commandId is honoured forever, across restarts and replicas, because it is kept in
// the event store itself: a command stream records who claimed the id, for which
// stream and with which input (a fingerprint, never the input). Appending the claim
// with NoStream makes exactly one replica own the id; the command's events carry the id
// in their metadata, so the result of a claimed command is found in its target stream.
//
// Command ids are one namespace per organisation: the command stream is named by a
// keyed hash of the caller's organisation and the id, so two organisations never
// collide, and no organisation can learn whether another used an id.
//
// The fingerprint of a case command's input (which holds the survivor's name, date of
// birth, notes ...) is keyed with a key derived from the case's own data key: once the
// survivor is erased, nobody can test a guess against it offline. After erasure a
// retry can no longer be checked against it; it gets the recorded result, if any, and
// never runs again.
//
// Order of work, so that a rejected command leaves the store untouched:
//  1. an id claimed with other input is ErrCommandReused (released or not); a result
//     recorded in the target stream is returned (a retry, or another replica's win);
//  2. the command is authorised and decided against the target stream; a rejection
//     writes nothing (a cached stream that rejects is read again first);
//  3. the id is claimed (a concurrent claim by another replica goes back to 1);
//  4. the events are appended. If a race then makes the command impossible, a claim
//     this request wrote is released with a CommandReleased record so that a retry can
//     run it afresh; a claim taken over from another request is never released.
//
// A replica that dies between 3 and 4 leaves a claim with no result: a retry with the
// same input takes the claim over and runs the command.

const (
	typeCommandAccepted = "CommandAccepted"
	typeCommandReleased = "CommandReleased"
)

type commandAccepted struct {
	CommandType string `json:"commandType"`
	InputHash   string `json:"inputHash"`
	Stream      string `json:"stream"`
}

type commandReleased struct {
	Reason string `json:"reason"`
}

// claim is the state of a command id's record.
type claim struct {
	stream   string // the command stream
	exists   bool   // the command stream has events
	held     bool   // the last record is an accepted claim (not released)
	revision uint64 // the command stream's last revision
	accepted commandAccepted
}

// commandStream names the record of commandID as used by organisation org ("" for an
// admin acting for none): a keyed hash, so ids of one organisation neither collide
// with nor reveal another's.
func (s *Service) commandStream(org, commandID string) string {
	mac := hmac.New(sha256.New, s.hashKey)
	mac.Write([]byte("command-id\x00"))
	mac.Write([]byte(org))
	mac.Write([]byte{0})
	mac.Write([]byte(commandID))
	return eventstore.StreamName(eventstore.KindCommand, hex.EncodeToString(mac.Sum(nil)))
}

// validateCommandID accepts 1–100 letters, digits, '-' and '_' (a UUID fits).
func validateCommandID(id string) error {
	if err := domain.CheckID("commandId", id); err != nil {
		return fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	return nil
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

// fingerprinter returns the fingerprint of a command's input once its target stream
// is known; create makes a new case's key first (a referral).
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

func (s *Service) readClaim(ctx context.Context, stream, commandID string) (claim, error) {
	events, err := s.store.ReadStream(ctx, stream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return claim{stream: stream}, nil
	}
	if err != nil {
		return claim{}, fmt.Errorf("read command %s: %w", commandID, err)
	}
	c := claim{stream: stream, exists: true, revision: events[len(events)-1].Revision}
	for _, e := range events {
		switch e.Type {
		case typeCommandAccepted:
			if err := json.Unmarshal(e.Data, &c.accepted); err != nil {
				return claim{}, fmt.Errorf("read command %s: %w", commandID, err)
			}
			c.held = true
		case typeCommandReleased:
			c.held = false
		}
	}
	return c, nil
}

// takeClaim records that this replica runs the command. It fails with
// ErrWrongExpectedRevision when another replica claimed the id first.
func (s *Service) takeClaim(ctx context.Context, c claim, commandID string, acc commandAccepted, md eventstore.Metadata) (claim, error) {
	expected := eventstore.NoStream
	if c.exists {
		expected = eventstore.Exact(c.revision)
	}
	data, err := json.Marshal(acc)
	if err != nil {
		return claim{}, err
	}
	res, err := s.store.Append(ctx, c.stream, expected, eventstore.EventData{
		ID: s.ids.NewID(), Type: typeCommandAccepted, SchemaVersion: 1, Data: data, Metadata: md,
	})
	if err != nil {
		return claim{}, fmt.Errorf("claim command %s: %w", commandID, err)
	}
	return claim{stream: c.stream, exists: true, held: true, revision: res.LastRevision, accepted: acc}, nil
}

// releaseClaim gives up a claim whose command turned out impossible after a race.
func (s *Service) releaseClaim(ctx context.Context, c claim, commandID, reason string, md eventstore.Metadata) {
	data, _ := json.Marshal(commandReleased{Reason: reason})
	_, err := s.store.Append(ctx, c.stream, eventstore.Exact(c.revision), eventstore.EventData{
		ID: s.ids.NewID(), Type: typeCommandReleased, SchemaVersion: 1, Data: data, Metadata: md,
	})
	if err != nil {
		// A retry still finds the claim, sees no result, and takes it over.
		s.logger.Warn("release command claim", "command_id", commandID, "err", err)
	}
}
