package natserr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestTransient(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"nil":                        {nil, false},
		"timeout":                    {fmt.Errorf("publish: %w", nats.ErrTimeout), true},
		"deadline":                   {fmt.Errorf("read: %w", context.DeadlineExceeded), true},
		"no responders":              {nats.ErrNoResponders, true},
		"reconnecting":               {nats.ErrConnectionReconnecting, true},
		"no stream response":         {jetstream.ErrNoStreamResponse, true},
		"cluster temporarily away":   {&jetstream.APIError{Code: 503, ErrorCode: 10008, Description: "JetStream system temporarily unavailable"}, true},
		"stream offline":             {&jetstream.APIError{Code: 500, ErrorCode: 10118, Description: "stream is offline"}, true},
		"wrong last sequence":        {&jetstream.APIError{Code: 400, ErrorCode: jetstream.JSErrCodeStreamWrongLastSequence}, false},
		"message not found":          {jetstream.ErrMsgNotFound, false},
		"authorization":              {nats.ErrAuthorization, false},
		"caller cancelled":           {context.Canceled, false},
		"connection closed for good": {nats.ErrConnectionClosed, false},
		"other":                      {errors.New("bad frame"), false},
	}
	for name, c := range cases {
		if got := Transient(c.err); got != c.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", name, c.err, got, c.want)
		}
	}
}
