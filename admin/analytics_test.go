package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// republishOps is testOps that also republishes the analytics feed, answering with
// what it was asked.
type republishOps struct {
	testOps
	asked []string
}

func (o *republishOps) RepublishAnalytics(_ context.Context, req AnalyticsRepublishRequest) (AnalyticsRepublished, error) {
	o.asked = append(o.asked, req.From)
	if req.From == "9-9" {
		return AnalyticsRepublished{}, fmt.Errorf("%w: 9-9 is after the log's last event", ErrRefused)
	}
	return AnalyticsRepublished{From: req.From, Head: "7-0"}, nil
}

// The republish route carries the position and the reply, and the server's sentence
// when it refuses; a server that does not publish the feed refuses with a sentence.
func TestRepublishAnalyticsOverTheSocket(t *testing.T) {
	ops := &republishOps{}
	_, lock := start(t, ops)
	c := NewClient(SocketPath(lock.Dir()))
	ctx := t.Context()

	res, err := c.RepublishAnalytics(ctx, AnalyticsRepublishRequest{From: "start"})
	if err != nil || res.From != "start" || res.Head != "7-0" {
		t.Fatalf("republish: %+v, %v", res, err)
	}
	if _, err := c.RepublishAnalytics(ctx, AnalyticsRepublishRequest{From: "9-9"}); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "after the log's last event") {
		t.Errorf("refused: %v", err)
	}
	if len(ops.asked) != 2 {
		t.Errorf("asked %v", ops.asked)
	}

	_, plain := start(t, &testOps{})
	if _, err := NewClient(SocketPath(plain.Dir())).RepublishAnalytics(ctx, AnalyticsRepublishRequest{From: "start"}); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "does not publish the analytics feed") {
		t.Errorf("a server without the feed: %v", err)
	}
}
