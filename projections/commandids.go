package projections

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"slices"
	"sync"
)

// CommandKey stands for one command id of one organisation: the first 16 bytes of an
// HMAC-SHA256, under the service's command key, of the organisation and the id.
type CommandKey [16]byte

// CommandIDs is the read model of the command ids in use, per organisation: a set of
// CommandKeys, one for every command whose events are in the global log. A command's
// own target stream settles its retries (its events carry the command id and the
// fingerprint of its input); this answers the one question no single stream can:
// was the id used on another stream — another case, another organisation record? If
// so, the command is refused as the id reused (app.ErrCommandReused).
//
// It keeps keyed hashes, never ids: ids are the clients' to choose and may say more
// than they should, and a key is 16 bytes without pointers, kept in a sorted slice
// beside a small map of the latest (keySet): under 24 bytes an entry
// (TestCommandIDsMemory), a few hundred bytes for a case of twenty commands.
//
// Like every read model it lags the log. Two first uses of one id on two different
// streams within that lag (on two replicas; or on one replica, at the same moment,
// before either is appended) both land: each stays idempotent on its own stream, where
// its retries find it, and neither is refused as reused. The service also records its
// own commands here as soon as they are appended, so on one replica the window is only
// that of two commands in flight together.
type CommandIDs struct {
	macs sync.Pool // of *commandMAC, HMAC-SHA256 under the command key

	mu   sync.RWMutex
	keys keySet
	// merging: the recent keys are being merged into the sorted ones, outside mu
	// (sorting and copying millions of keys must not hold up Used); one at a time.
	merging bool

	// Consecutive events of one command share their key: Apply hashes once for them.
	lastOrg, lastID string
	lastKey         CommandKey
}

// NewCommandIDs returns an empty read model keyed with hashKey, the service's command
// key: the same on every replica, for ever.
func NewCommandIDs(hashKey []byte) *CommandIDs {
	key := append([]byte(nil), hashKey...)
	c := &CommandIDs{}
	c.macs.New = func() any { return &commandMAC{mac: hmac.New(sha256.New, key)} }
	return c
}

// Key returns the key of commandID as used by organisation org ("" for an admin acting
// for none).
func (c *CommandIDs) Key(org, commandID string) CommandKey {
	m := c.macs.Get().(*commandMAC)
	defer c.macs.Put(m)
	m.mac.Reset()
	// One write from the pooled buffer: strings handed to the hash's Write as []byte
	// were copied to the heap, and a replay keys every command.
	m.buf = append(append(append(append(m.buf[:0], "command-id\x00"...), org...), 0), commandID...)
	m.mac.Write(m.buf)
	var k CommandKey
	copy(k[:], m.mac.Sum(m.sum[:0]))
	return k
}

// commandMAC is a pooled HMAC with room for its input and its sum.
type commandMAC struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// Apply records the command id of an event (case, organisation and revocation
// streams: the Runner hands over no other).
func (c *CommandIDs) Apply(env Envelope) error {
	md := env.Record.Metadata
	if md.CommandID == "" {
		return nil
	}
	if md.CommandID != c.lastID || md.Organisation != c.lastOrg {
		c.lastOrg, c.lastID, c.lastKey = md.Organisation, md.CommandID, c.Key(md.Organisation, md.CommandID)
	}
	c.Record(c.lastKey)
	return nil
}

// Record adds a key: the service calls it for its own commands once they are
// appended, before the log brings them here.
func (c *CommandIDs) Record(k CommandKey) {
	c.mu.Lock()
	due := c.keys.add(k) && !c.merging
	var base, pending []CommandKey
	if due {
		c.merging = true
		base, pending = c.keys.sorted, c.keys.recentKeys()
	}
	c.mu.Unlock()
	if due {
		c.merge(base, pending)
	}
}

// merge merges pending, the recent keys when the merge began, into base, the sorted
// keys then, and makes the result the sorted keys. The sorted keys are never changed
// in place (a merge makes a new slice), so base is read outside mu; keys recorded
// meanwhile stay recent.
func (c *CommandIDs) merge(base, pending []CommandKey) {
	slices.SortFunc(pending, compareKeys)
	next := merged(base, pending)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys.sorted = next
	for _, k := range pending {
		delete(c.keys.recent, k)
	}
	c.merging = false
}

// Used reports whether a command with key k is in the log (as far as this read model
// has seen it) or was recorded by this service.
func (c *CommandIDs) Used(k CommandKey) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.keys.has(k)
}

// Len returns how many command ids are known.
func (c *CommandIDs) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.keys.len()
}
