package jskeys

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/jsleader"
)

// A replicated key stream's followers answer direct gets too, and may not yet have a
// key created or a tombstone written a moment ago on another Waymark replica: a
// missed key reads as "no key" (a read fails), a missed tombstone as "not erased",
// and a missed key message would survive an erasure. So on a cluster every read of
// the key stream asks its leader (internal/jsleader); the vault's cache keeps these
// reads rare. The embedded server's stream has one replica, read by direct get.

// lastMsg returns subject's last message; jetstream.ErrMsgNotFound if it has none.
func (s *Store) lastMsg(ctx context.Context, subject string) (*jetstream.RawStreamMsg, error) {
	if !s.replicated {
		return s.stream.GetLastMsgForSubject(ctx, subject)
	}
	return jsleader.Raw(jsleader.LastBySubject(ctx, s.nc, keyStreamName, subject))
}

// nextMsg returns subject's first message at or after stream sequence seq;
// jetstream.ErrMsgNotFound if there is none.
func (s *Store) nextMsg(ctx context.Context, seq uint64, subject string) (*jetstream.RawStreamMsg, error) {
	if !s.replicated {
		return s.stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
	}
	return jsleader.Raw(jsleader.NextBySubject(ctx, s.nc, keyStreamName, seq, subject))
}
