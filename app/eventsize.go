package app

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// A command whose events would not fit in one append is bad input: the store refuses
// them (eventstore.ErrEventTooLarge), and the check runs before a referral makes its
// case key, so that nothing at all is written on its account.

// sizingEventID stands in for an event id while sizing: as long as a real one (a
// UUID), and taken from no generator, so sizing changes no id a command gets.
const sizingEventID = "00000000-0000-7000-8000-000000000000"

// checkSize refuses events that the store could not append to stream. Personal parts
// are sized with sealing.Placeholder, the fingerprint with sizingFingerprint: the
// real ones need the case key, which a referral makes only after this check.
func (s *Service) checkSize(stream string, events []domain.Event, md eventstore.Metadata) error {
	checker, ok := s.store.(eventstore.SizeChecker)
	if !ok {
		return nil
	}
	placeholder := func(_ string, _ int, plaintext []byte) (json.RawMessage, error) {
		return sealing.Placeholder(len(plaintext)), nil
	}
	data := make([]eventstore.EventData, len(events))
	for i, e := range events {
		d, err := codec.Encode(e, sizingEventID, md, placeholder, s.blindIndex(e))
		if err != nil {
			return err
		}
		data[i] = d
	}
	return tooLarge(checker.CheckAppendSize(stream, data...))
}

// tooLarge maps the store's size refusal to bad input with the sizes; other errors
// pass as they are.
func tooLarge(err error) error {
	var e *eventstore.TooLargeError
	if errors.As(err, &e) {
		return fmt.Errorf("the command's events are %d bytes; at most %d are allowed: %w", e.Size, e.Max, ErrBadInput)
	}
	return err
}
