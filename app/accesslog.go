package app

import (
	"context"
	"errors"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
)

// AccessLog is where reads of personal data are recorded before the data leaves.
type AccessLog interface {
	Record(ctx context.Context, entries ...accesslog.Entry) error
	ForCase(ctx context.Context, caseID string) ([]accesslog.Entry, error)
}

// AccessLogEntry is one request's reads of one case's personal data (or a search by
// name or document number that found it).
type AccessLogEntry struct {
	At           time.Time
	Actor        string // the user id from the token
	Role         string
	Organisation string
	Groups       []Group // the field groups read, in the schema's order
	Reason       string  // X-Access-Reason; "search ..." for a search
	BreakGlass   bool    // allowed only because a reason was stated
	RequestID    string  // the request's correlation id
}

// AccessLog returns who read the personal data of a case (auditors only), oldest
// first.
func (s *Service) AccessLog(ctx context.Context, actor Actor, caseID string) ([]AccessLogEntry, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadAccessLog, Now: s.Now()}).Err(); err != nil {
		return nil, err
	}
	if s.accessLog == nil {
		return nil, errors.New("no access log configured")
	}
	entries, err := s.accessLog.ForCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]AccessLogEntry, len(entries))
	for i, e := range entries {
		out[i] = AccessLogEntry{
			At: e.At, Actor: e.Actor, Role: e.Role, Organisation: e.Organisation, Reason: e.Reason,
			BreakGlass: e.BreakGlass, RequestID: e.RequestID, Groups: make([]Group, len(e.Groups)),
		}
		for j, g := range e.Groups {
			out[i].Groups[j] = Group(g)
		}
	}
	return out, nil
}
