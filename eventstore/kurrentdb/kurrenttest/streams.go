package kurrenttest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

type streamsService struct {
	streams.UnimplementedStreamsServer
	log *memLog
}

// Append takes the options, then the proposed events, and writes them all or none.
func (s *streamsService) Append(stream streams.Streams_AppendServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil || opts.GetStreamIdentifier() == nil {
		return status.Error(codes.InvalidArgument, "append: the first message must carry the options")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	var recs []*record
	size := 0
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		msg := req.GetProposedMessage()
		if msg == nil {
			return status.Error(codes.InvalidArgument, "append: options sent twice")
		}
		r, err := proposed(msg)
		if err != nil {
			return err
		}
		size += len(r.data) + len(r.custom)
		recs = append(recs, r)
	}
	if size > MaxAppendSize {
		// As the server answers: the whole append refused, nothing written.
		stream.SetTrailer(metadata.Pairs("exception", "maximum-append-size-exceeded", "maximum-append-size", strconv.Itoa(MaxAppendSize)))
		return status.Errorf(codes.InvalidArgument, "Maximum Append Size of %d Exceeded.", MaxAppendSize)
	}

	l := s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	existing := l.streams[name]
	if !expectationHolds(opts, existing) {
		return stream.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{
			WrongExpectedVersion: wrongExpectedVersion(opts, existing),
		}})
	}
	if len(recs) > 0 {
		l.appendLocked(name, recs)
	}
	all := l.streams[name]
	success := &streams.AppendResp_Success{}
	if len(all) == 0 {
		success.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
		success.PositionOption = &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
	} else {
		last := all[len(all)-1]
		success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: last.revision}
		success.PositionOption = &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: last.commit, PreparePosition: last.prepare,
		}}
	}
	return stream.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: success}})
}

// proposed is a proposed event as the double keeps it.
func proposed(msg *streams.AppendReq_ProposedMessage) (*record, error) {
	id, err := fromUUID(msg.GetId())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "append: event id: %v", err)
	}
	md := msg.GetMetadata()
	if md["type"] == "" {
		return nil, status.Error(codes.InvalidArgument, "append: an event without a type")
	}
	return &record{id: id, eventType: md["type"], contentType: md["content-type"], data: msg.GetData(), custom: msg.GetCustomMetadata()}, nil
}

func expectationHolds(opts *streams.AppendReq_Options, existing []*record) bool {
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_NoStream:
		return len(existing) == 0
	case *streams.AppendReq_Options_StreamExists:
		return len(existing) > 0
	case *streams.AppendReq_Options_Revision:
		return len(existing) > 0 && existing[len(existing)-1].revision == e.Revision
	default: // Any
		return true
	}
}

// wrongExpectedVersion is the server's answer to an expectation that does not hold:
// what was expected and the stream's current revision.
func wrongExpectedVersion(opts *streams.AppendReq_Options, existing []*record) *streams.AppendResp_WrongExpectedVersion {
	w := &streams.AppendResp_WrongExpectedVersion{}
	if len(existing) == 0 {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: existing[len(existing)-1].revision}
	}
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_NoStream:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case *streams.AppendReq_Options_StreamExists:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	case *streams.AppendReq_Options_Revision:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: e.Revision}
	default:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	}
	return w
}

func fromUUID(id *shared.UUID) (uuid.UUID, error) {
	if st := id.GetStructured(); st != nil {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], uint64(st.GetMostSignificantBits()))
		binary.BigEndian.PutUint64(b[8:], uint64(st.GetLeastSignificantBits()))
		return uuid.UUID(b), nil
	}
	return uuid.Parse(id.GetString_())
}

func toUUID(id uuid.UUID) *shared.UUID {
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

// eventResp is a record as a read or a subscription sends it.
func eventResp(r *record) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               toUUID(r.id),
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.revision,
			PreparePosition:  r.prepare,
			CommitPosition:   r.commit,
			Metadata: map[string]string{
				"type":         r.eventType,
				"content-type": r.contentType,
				// .NET ticks (100 ns) since the Unix epoch, as the server sends them.
				"created": strconv.FormatInt(r.created.UnixNano()/100, 10),
			},
			CustomMetadata: r.custom,
			Data:           r.data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.commit},
	}}}
}

// parseFilter reads a read's server-side filter (nil: none).
func parseFilter(opts *streams.ReadReq_Options) (*filter, error) {
	fo := opts.GetFilter()
	if fo == nil {
		return nil, nil
	}
	var expr *streams.ReadReq_Options_FilterOptions_Expression
	f := &filter{}
	switch x := fo.GetFilter().(type) {
	case *streams.ReadReq_Options_FilterOptions_StreamIdentifier:
		expr = x.StreamIdentifier
	case *streams.ReadReq_Options_FilterOptions_EventType:
		expr, f.onType = x.EventType, true
	default:
		return nil, status.Error(codes.InvalidArgument, "read: a filter on nothing")
	}
	f.prefixes = expr.GetPrefix()
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "read: filter: %v", err)
		}
		f.re = re
	}
	return f, nil
}

func notFound(name string) *streams.ReadResp {
	return &streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
	}}}
}

func errUnsupported(what string) error {
	return status.Error(codes.Unimplemented, fmt.Sprintf("kurrenttest: %s is not part of the double", what))
}
