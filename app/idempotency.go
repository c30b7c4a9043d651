package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/eventstore"
)

// A commandId is honoured forever, across restarts and replicas, because it is kept in
// the event store itself: the stream command-<commandId> records who claimed the id,
// for which stream and with which input (a hash, never the input). Appending the claim
// with NoStream makes exactly one replica own the id; the command's events carry the id
// in their metadata, so the result of a claimed command is found in its target stream.
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
	exists   bool   // the command stream has events
	held     bool   // the last record is an accepted claim (not released)
	revision uint64 // the command stream's last revision
	accepted commandAccepted
}

func commandStream(commandID string) string {
	return eventstore.StreamName(eventstore.KindCommand, commandID)
}

// validateCommandID accepts 1–100 letters, digits, '-' and '_' (a UUID fits).
func validateCommandID(id string) error {
	if id == "" || len(id) > 100 || eventstore.ValidateStreamName(commandStream(id)) != nil {
		return fmt.Errorf("%w: commandId must be 1-100 letters, digits, '-' or '_'", ErrBadInput)
	}
	return nil
}

// inputHash identifies a command's input: its type, target, expected version, the
// caller, and the command as the caller gave it (before the service adds ids). It is
// keyed (HMAC-SHA-256) because the input holds personal data: an unkeyed hash of a
// name could be reversed by guessing names.
func (s *Service) inputHash(commandType, target string, expected *uint64, actor Actor, cmd any) (string, error) {
	body, err := json.Marshal(struct {
		Type     string  `json:"type"`
		Target   string  `json:"target"`
		Expected *uint64 `json:"expected"`
		Actor    Actor   `json:"actor"`
		Command  any     `json:"command"`
	}{commandType, target, expected, actor, cmd})
	if err != nil {
		return "", fmt.Errorf("hash %s input: %w", commandType, err)
	}
	mac := hmac.New(sha256.New, s.hashKey)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

func (s *Service) readClaim(ctx context.Context, commandID string) (claim, error) {
	events, err := s.store.ReadStream(ctx, commandStream(commandID), 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return claim{}, nil
	}
	if err != nil {
		return claim{}, fmt.Errorf("read command %s: %w", commandID, err)
	}
	c := claim{exists: true, revision: events[len(events)-1].Revision}
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
	res, err := s.store.Append(ctx, commandStream(commandID), expected, eventstore.EventData{
		ID: s.ids.NewID(), Type: typeCommandAccepted, SchemaVersion: 1, Data: data, Metadata: md,
	})
	if err != nil {
		return claim{}, fmt.Errorf("claim command %s: %w", commandID, err)
	}
	return claim{exists: true, held: true, revision: res.LastRevision, accepted: acc}, nil
}

// releaseClaim gives up a claim whose command turned out impossible after a race.
func (s *Service) releaseClaim(ctx context.Context, c claim, commandID, reason string, md eventstore.Metadata) {
	data, _ := json.Marshal(commandReleased{Reason: reason})
	_, err := s.store.Append(ctx, commandStream(commandID), eventstore.Exact(c.revision), eventstore.EventData{
		ID: s.ids.NewID(), Type: typeCommandReleased, SchemaVersion: 1, Data: data, Metadata: md,
	})
	if err != nil {
		// A retry still finds the claim, sees no result, and takes it over.
		s.logger.Warn("release command claim", "command_id", commandID, "err", err)
	}
}
