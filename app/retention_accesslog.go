package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/accesslog"
)

// retainedLog is the access log as queries see it: without the entries retention
// dropped (accesslog.Horizon), each judged by its case's jurisdiction. Every query of
// the service reads through it — a case's access log, the break-glass report, the
// survivor's own record — so none returns a dropped entry; the stored log, which
// checkpoints cover, is unchanged.
type retainedLog struct {
	AccessLog
	s *Service
}

type horizoned interface {
	Horizon(ctx context.Context) (accesslog.Horizon, error)
}

func (l retainedLog) ForCase(ctx context.Context, caseID string) ([]accesslog.Entry, error) {
	entries, err := l.AccessLog.ForCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return l.keep(ctx, entries)
}

func (l retainedLog) Between(ctx context.Context, from, to time.Time) ([]accesslog.Entry, error) {
	entries, err := l.AccessLog.Between(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return l.keep(ctx, entries)
}

func (l retainedLog) keep(ctx context.Context, entries []accesslog.Entry) ([]accesslog.Entry, error) {
	hz, ok := l.AccessLog.(horizoned)
	if !ok {
		return entries, nil
	}
	h, err := hz.Horizon(ctx)
	if err != nil || h.IsZero() {
		return entries, err
	}
	out := entries[:0:0]
	for _, e := range entries {
		if !h.Drops(e.At, l.s.jurisdictionOf(e.CaseID)) {
			out = append(out, e)
		}
	}
	return out, nil
}
