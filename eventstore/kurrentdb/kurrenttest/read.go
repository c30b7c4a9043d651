package kurrenttest

import (
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
)

// Read serves reads of a stream or of $all, and subscriptions to $all.
func (s *streamsService) Read(req *streams.ReadReq, out streams.Streams_ReadServer) error {
	opts := req.GetOptions()
	f, err := parseFilter(opts)
	if err != nil {
		return err
	}
	backwards := opts.GetReadDirection() == streams.ReadReq_Options_Backwards
	_, subscribing := opts.GetCountOption().(*streams.ReadReq_Options_Subscription)
	switch so := opts.GetStreamOption().(type) {
	case *streams.ReadReq_Options_Stream:
		if subscribing {
			return errUnsupported("a subscription to one stream")
		}
		return s.readStream(so.Stream, backwards, opts.GetCount(), out)
	case *streams.ReadReq_Options_All:
		if subscribing {
			if backwards {
				return errUnsupported("a backwards subscription")
			}
			return s.subscribeAll(so.All, f, out)
		}
		return s.readAll(so.All, backwards, opts.GetCount(), f, out)
	}
	return errUnsupported("a read of nothing")
}

func (s *streamsService) readStream(so *streams.ReadReq_Options_StreamOptions, backwards bool, count uint64, out streams.Streams_ReadServer) error {
	name := string(so.GetStreamIdentifier().GetStreamName())
	s.log.mu.Lock()
	recs := s.log.streams[name]
	s.log.mu.Unlock() // records are never changed once written: the slice is safe to read
	if len(recs) == 0 {
		return out.Send(notFound(name))
	}
	var from uint64
	switch r := so.GetRevisionOption().(type) {
	case *streams.ReadReq_Options_StreamOptions_Revision:
		from = r.Revision
	case *streams.ReadReq_Options_StreamOptions_End:
		from = math.MaxUint64
		if !backwards {
			return nil
		}
	}
	sent := uint64(0)
	if backwards {
		i := len(recs) - 1
		if from < uint64(len(recs)) {
			i = int(from)
		}
		for ; i >= 0 && sent < count; i-- {
			if err := out.Send(eventResp(recs[i])); err != nil {
				return err
			}
			sent++
		}
		return nil
	}
	for i := from; i < uint64(len(recs)) && sent < count; i++ {
		if err := out.Send(eventResp(recs[i])); err != nil {
			return err
		}
		sent++
	}
	return nil
}

// readAll reads $all: forwards from a position (inclusive), backwards from before it.
func (s *streamsService) readAll(ao *streams.ReadReq_Options_AllOptions, backwards bool, count uint64, f *filter, out streams.Streams_ReadServer) error {
	s.log.mu.Lock()
	recs := s.log.records
	s.log.mu.Unlock()
	sent := uint64(0)
	send := func(r *record) (bool, error) {
		if !f.match(r) {
			return true, nil
		}
		sent++
		return sent < count, out.Send(eventResp(r))
	}
	if backwards {
		i := len(recs) - 1
		if p := ao.GetPosition(); p != nil {
			for i >= 0 && !before(recs[i], p.GetCommitPosition(), p.GetPreparePosition()) {
				i--
			}
		} else if ao.GetStart() != nil {
			return nil
		}
		for ; i >= 0 && count > 0; i-- {
			more, err := send(recs[i])
			if err != nil || !more {
				return err
			}
		}
		return nil
	}
	i := 0
	if p := ao.GetPosition(); p != nil {
		for i < len(recs) && before(recs[i], p.GetCommitPosition(), p.GetPreparePosition()) {
			i++
		}
	} else if ao.GetEnd() != nil {
		return nil
	}
	for ; i < len(recs) && count > 0; i++ {
		more, err := send(recs[i])
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func before(r *record, commit, prepare uint64) bool {
	return r.commit < commit || r.commit == commit && r.prepare < prepare
}

// subscribeAll confirms the subscription, sends the stored events after its start that
// pass the filter, says it caught up, then sends new ones as they are appended, until
// the client goes away or the server stops.
func (s *streamsService) subscribeAll(ao *streams.ReadReq_Options_AllOptions, f *filter, out streams.Streams_ReadServer) error {
	if err := out.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{
		Confirmation: &streams.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()},
	}}); err != nil {
		return err
	}
	next := 0 // index in the log of the next record to consider
	s.log.mu.Lock()
	switch {
	case ao.GetEnd() != nil:
		next = len(s.log.records)
	case ao.GetPosition() != nil:
		p := ao.GetPosition()
		for next < len(s.log.records) && !s.log.records[next].after(p.GetCommitPosition(), p.GetPreparePosition()) {
			next++
		}
	}
	s.log.mu.Unlock()
	caughtUp := false
	for {
		s.log.mu.Lock()
		recs, changed := s.log.records, s.log.changed
		s.log.mu.Unlock()
		for ; next < len(recs); next++ {
			if f.match(recs[next]) {
				if err := out.Send(eventResp(recs[next])); err != nil {
					return err
				}
			}
		}
		if !caughtUp {
			caughtUp = true
			if err := s.caughtUp(recs, out); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-out.Context().Done():
			return out.Context().Err()
		}
	}
}

// caughtUp tells the client the subscription is live, with a checkpoint at the end of
// the log first, as a filtered subscription's server sends them.
func (s *streamsService) caughtUp(recs []*record, out streams.Streams_ReadServer) error {
	if n := len(recs); n > 0 {
		last := recs[n-1]
		if err := out.Send(&streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
			CommitPosition: last.commit, PreparePosition: last.prepare,
		}}}); err != nil {
			return err
		}
	}
	return out.Send(&streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}})
}
