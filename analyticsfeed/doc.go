// Package analyticsfeed publishes the de-identified analytics feed (issue 13): a
// projection of the global log onto the JetStream stream WAYMARK_ANALYTICS in
// Waymark's own account, one CloudEvent per case event (analytics.Map) for the cases
// whose survivor consented to coalition analytics, and tombstones when a case leaves.
//
// # Consent
//
// A case is in the feed while it is not erased and a grant covering
// domain.PurposeCoalitionAnalytics, to a recipient Config.IsAnalyticsRecipient
// accepts, is in force at Config.Now. A case enters at such a grant: its whole history
// so far is published then (the backfill, the grant included), in revision order,
// and every later event as it happens. It leaves at the withdrawal of its last
// covering grant, at its erasure (neither event is published), or when its last
// covering grant expires (no event: a timer on the earliest expiry among the feed's
// cases, and a check before every event). Leaving publishes one tombstone per
// jurisdiction the journey was published under, then purges the journey's subjects.
//
// # Exactly once
//
// Every message carries Nats-Msg-Id (unique per publication: the CloudEvent id and
// the entry — the grant's published id — that brought the journey in, so a journey
// published again after a new grant is not taken for a duplicate),
// Waymark-Position (the log position of the event that caused it; an expiry's
// tombstones carry the position the publisher had reached) and Waymark-Part (its
// index among the messages that position caused). Messages are published one at a
// time, each acknowledged before the next, in (position, part) order.
//
// The invariant everything rests on: the stream's last message is the last message
// published. That is why a leaving case's tombstones go out BEFORE its journey is
// purged, not after: a purge never removes the stream's last message, because the
// tombstones that follow the journey are never purged. (Purge first and a crash
// before the tombstones would leave an older message last: the events after it
// would be published again.)
//
// What a step does beyond its messages is journaled in a registry, a key-value
// bucket in Waymark's account holding one entry per case in the feed (its entry
// grant, the position it entered at, when it expires, the jurisdictions it was
// published under), written before the messages it explains:
//   - entering: the entry is written with Backfill set before the first backfill
//     message, and cleared after the last;
//   - a change of expiry or jurisdiction: written before the event's message;
//   - leaving: Leaving is set before the first tombstone; the entry is deleted after
//     the purge.
//
// On start the publisher reads the stream's last message (P, part k) and the
// registry, and before reading the log any further it finishes what a crash
// interrupted at P: a backfill with Backfill set goes on after part k; a leave with
// Leaving set publishes the tombstones after the last one published (a case's
// tombstones go out in jurisdiction order, and only one case leaves at a time, so
// the last message says which were) and purges again (idempotent). An entry that
// entered after P published nothing and is dropped (it enters again when its grant
// is read). Then it subscribes to the log after P. An empty stream starts after the
// position its metadata records (the start of the log, or a republish's --from),
// with an empty registry.
//
// So a crash in the middle of a backfill, between tombstones, between the last
// tombstone and the purge, or after an expiry's tombstones loses and repeats
// nothing. The stream's duplicate window (two minutes) is a second line of defence
// for a retried publish whose first attempt was stored after all; a failed publish
// ends the session and the next one resumes from the stream, not from memory.
//
// The registry also lets a case in the feed that has no event for years still leave
// when its consent expires, across restarts: a feed case is known without reading
// the log from the start. Its folded state is read (Store.ReadStream) only when its
// next event comes. Memory is proportional to the cases in the feed.
//
// # Key rotation
//
// The stream's metadata holds a fingerprint of the analytics key (a keyed hash of a
// constant, never the key). A publisher with another key refuses to publish: a new
// key gives every case a new pseudonym, so rotating it means republishing the feed
// from the start (Republish), which deletes the stream and the registry.
package analyticsfeed
