package kurrenttest

import (
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// record is one event in the double's log, as KurrentDB keeps it.
type record struct {
	id          uuid.UUID
	stream      string
	revision    uint64
	eventType   string
	contentType string
	data        []byte
	custom      []byte
	created     time.Time
	commit      uint64 // the append's commit position (the position of its first record)
	prepare     uint64 // this record's own position in the log
}

func (r *record) after(commit, prepare uint64) bool {
	return r.commit > commit || r.commit == commit && r.prepare > prepare
}

// recordOverhead stands in for the bytes KurrentDB's log spends on a record besides its
// data (headers, ids, the stream name), so that positions have gaps as the real
// server's byte offsets do.
const recordOverhead = 97

// firstPosition is where the double's log starts: a real server's log starts with
// its own records (the chunk header, the epoch), never with a client's event.
const firstPosition = 1024

// memLog is the double's data: the global log and each stream's records.
type memLog struct {
	mu      sync.Mutex
	records []*record
	streams map[string][]*record
	next    uint64 // position of the next record
	changed chan struct{}
}

func newLog() *memLog {
	l := &memLog{streams: map[string][]*record{}, next: firstPosition, changed: make(chan struct{})}
	// A real server's $all holds its own events before any client's: $-streams the
	// filters and Head must see past.
	l.appendLocked("$settings", []*record{{id: uuid.New(), eventType: "$settings", contentType: "application/json", data: []byte(`{}`)}})
	l.appendLocked("$stats-127.0.0.1:2113", []*record{{id: uuid.New(), eventType: "$statsCollected", contentType: "application/json", data: []byte(`{}`)}})
	return l
}

// appendLocked writes recs to the end of stream: one commit position for the append,
// each record at its own prepare position. Called with l.mu held.
func (l *memLog) appendLocked(stream string, recs []*record) {
	commit := l.next
	rev := uint64(len(l.streams[stream]))
	now := time.Now().UTC()
	for _, r := range recs {
		r.stream, r.revision, r.created = stream, rev, now
		r.commit, r.prepare = commit, l.next
		l.next += uint64(recordOverhead + len(stream) + len(r.eventType) + len(r.data) + len(r.custom))
		l.records = append(l.records, r)
		l.streams[stream] = append(l.streams[stream], r)
		rev++
	}
	close(l.changed)
	l.changed = make(chan struct{})
}

// filter is a server-side filter of $all: stream-name or event-type prefixes or a
// regular expression (nil: everything).
type filter struct {
	onType   bool
	prefixes []string
	re       *regexp.Regexp
}

func (f *filter) match(r *record) bool {
	if f == nil {
		return true
	}
	s := r.stream
	if f.onType {
		s = r.eventType
	}
	if f.re != nil {
		return f.re.MatchString(s)
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
