// Package jsstream holds what Waymark's own JetStream streams share in their
// configuration.
package jsstream

import "time"

// NoDedupe is the duplicate window of a stream nobody publishes to with a
// Nats-Msg-Id (the events, the case keys, the access log): the server's least. The
// window exists for such ids alone, but the server keeps one all the same (two
// minutes unless told) and, at every start, reads every message written within it
// to rebuild it: after a burst of writes, a restart of 100,000 cases read back up to
// 2M events for nothing (1.3–2 s).
const NoDedupe = 100 * time.Millisecond
