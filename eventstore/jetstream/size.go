package jetstream

import (
	"math"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/eventstore"
)

// An append is one NATS message, and a message larger than the server's max payload
// (1 MiB by default) is refused by the server with an error that says nothing useful
// to the caller. Append checks the size first and fails with a *TooLargeError.

// headerSlack covers the headers the publish adds to ours (the expected last subject
// sequence, and any the client library adds).
const headerSlack = 512

var _ eventstore.SizeChecker = (*Store)(nil)

// CheckAppendSize reports whether events fit in one append to stream, as they would
// be stored after the largest possible head (revision digits and hash at their
// longest).
func (s *Store) CheckAppendSize(stream string, events ...eventstore.EventData) error {
	if len(events) == 0 {
		return nil
	}
	head := streamHead{exists: true, last: math.MaxUint64 - uint64(len(events)) - 1, lastHash: strings.Repeat("0", 64)}
	msg, _, err := buildMessage(stream, subjectPrefix+stream, head, events)
	if err != nil {
		return err
	}
	return s.checkMessageSize(stream, msg)
}

// checkMessageSize refuses a message the server would refuse for its size.
func (s *Store) checkMessageSize(stream string, msg *nats.Msg) error {
	allowed := int(s.nc.MaxPayload()) - headerSlack
	if size := messageSize(msg); size > allowed {
		return &eventstore.TooLargeError{Stream: stream, Size: size, Max: allowed}
	}
	return nil
}

// messageSize is the payload the server counts: data and our headers.
func messageSize(msg *nats.Msg) int {
	size := len(msg.Data) + len("NATS/1.0\r\n\r\n")
	for k, vs := range msg.Header {
		for _, v := range vs {
			size += len(k) + len(": \r\n") + len(v)
		}
	}
	return size
}
