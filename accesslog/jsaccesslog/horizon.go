package jsaccesslog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/internal/jsstream"
)

// HorizonStreamName keeps the access log's horizon (accesslog.Horizon): every prune
// appends the horizon then in force, the last one counts. Apart from StreamName, whose
// every entry checkpoints cover: the horizon changes what queries show, never what is
// stored there.
const HorizonStreamName = "WAYMARK_ACCESS_HORIZON"

const horizonSubject = "waymark.accesshorizon"

var _ accesslog.HorizonStore = (*Sink)(nil)

// horizonStream creates (or opens) the horizon's stream.
func (s *Sink) horizonStream(ctx context.Context) (jetstream.Stream, error) {
	st, err := s.createOrUpdate(ctx, jetstream.StreamConfig{
		Name:        HorizonStreamName,
		Description: "Waymark: how far back the access log's read model reaches (retention)",
		Subjects:    []string{horizonSubject},
		Storage:     jetstream.FileStorage,
		Duplicates:  jsstream.NoDedupe,
		DenyDelete:  true,
		DenyPurge:   true,
	})
	if err != nil {
		return nil, fmt.Errorf("access log horizon: create stream: %w", err)
	}
	return st, nil
}

// LoadHorizon returns the last horizon saved (the zero one when none was).
func (s *Sink) LoadHorizon(ctx context.Context) (accesslog.Horizon, error) {
	st, err := s.horizonStream(ctx)
	if err != nil {
		return accesslog.Horizon{}, err
	}
	msg, err := st.GetLastMsgForSubject(ctx, horizonSubject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return accesslog.Horizon{}, nil
	}
	if err != nil {
		return accesslog.Horizon{}, fmt.Errorf("access log horizon: %w", err)
	}
	var h accesslog.Horizon
	if err := json.Unmarshal(msg.Data, &h); err != nil {
		return accesslog.Horizon{}, fmt.Errorf("access log horizon: decode: %w", err)
	}
	return h, nil
}

// SaveHorizon appends h and returns once it is durable.
func (s *Sink) SaveHorizon(ctx context.Context, h accesslog.Horizon) error {
	if _, err := s.horizonStream(ctx); err != nil {
		return err
	}
	data, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("access log horizon: %w", err)
	}
	ack, err := s.js.Publish(ctx, horizonSubject, data)
	if err != nil {
		return fmt.Errorf("access log horizon: publish: %w", err)
	}
	if s.durable != nil {
		if err := s.durable.MakeDurable(ctx, HorizonStreamName, ack.Sequence); err != nil {
			return fmt.Errorf("access log horizon: %w", err)
		}
	}
	return nil
}
