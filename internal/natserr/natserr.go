// Package natserr tells a NATS failure worth trying again from one that is not: the
// stores on JetStream report the first kind as their "unavailable" sentinel, which
// the API answers with UNAVAILABLE (retry shortly) rather than INTERNAL.
package natserr

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// JetStream API error codes of a cluster between leaders or a replica catching up
// (nats-server's errors.json).
var transientCodes = map[jetstream.ErrorCode]bool{
	10008: true, // JSClusterNotAvailErr: JetStream system temporarily unavailable
	10009: true, // JSClusterNotLeaderErr: JetStream cluster can not handle request
	10118: true, // JSStreamOfflineErr: stream is offline
	10163: true, // JSStreamExpectedLastSeqPerSubjectNotReady
	10194: true, // JSStreamOfflineReasonErrF: stream is offline: {err}
}

// Transient reports whether err is the server or cluster not answering for the
// moment: a timeout, no responders (a stream without a leader), a connection being
// re-established, the cluster between leaders.
func Transient(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, nats.ErrTimeout),
		errors.Is(err, nats.ErrNoResponders),
		errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrDisconnected),
		errors.Is(err, nats.ErrStaleConnection),
		errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, jetstream.ErrNoHeartbeat):
		return true
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return transientCodes[apiErr.ErrorCode] || apiErr.Code == 503
	}
	return false
}
