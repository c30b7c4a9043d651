package jetstream

import "github.com/nats-io/nats-server/v2/server"

// analystPermissions are an analyst's rights in AnalyticsAccount: read the feed, and
// nothing else. Allowed, each for a reason:
//
// Subscribe:
//   - waymark.analytics.> — the core feed, as it is published (AnalyticsSubjects);
//   - _INBOX.<user>.> — the analyst's own replies to JetStream requests and fetched
//     messages. Per user (a client sets its inbox prefix to _INBOX.<user>, e.g.
//     nats.CustomInboxPrefix), so that one analyst never receives another's.
//
// Publish, only to the analysts' stream in this account (feedStream):
//   - $JS.API.STREAM.INFO.<stream>, STREAM.NAMES, STREAM.LIST — find it and see its
//     state (the lists show only this account's one stream);
//   - $JS.API.CONSUMER.CREATE.<stream>.<name>[.<filter>] and
//     CONSUMER.DURABLE.CREATE.<stream>.<name> — create or update a consumer; the
//     5-token "legacy ephemeral" CONSUMER.CREATE.<stream> (its name in the body) is
//     not allowed, so that every consumer's name is in the subject and can be denied;
//   - CONSUMER.INFO, NAMES, LIST, DELETE on <stream> — manage those consumers;
//   - CONSUMER.MSG.NEXT.<stream>.<name> — fetch (pull consumers);
//   - $JS.ACK.<stream>.> — acknowledge what was fetched;
//   - $JS.API.DIRECT.GET.<stream>[.>] and STREAM.MSG.GET.<stream> — read one message.
//
// Denied even within those: every subject naming TombstoneConsumer, Waymark's own
// consumer that makes purges follow (an analyst fetching or acknowledging its
// tombstones, or deleting it, would keep erased journeys in the copy).
//
// Never allowed: creating, updating, deleting, purging a stream, deleting a message,
// $JS.API.INFO, any other stream, publishing anything else (the feed included), and
// every subject of AppAccount (the event stream, the key bucket, the access log):
// AnalyticsAccount imports none of those, and analysts may not publish to
// sourcingAPIPrefix, the one import of AppAccount's JetStream API.
//
// What subject permissions cannot limit: a consumer's deliver subject (push
// consumers) and its name are an analyst's choice, and analysts share the account's
// consumers. So one analyst can see, read or delete another's consumer and have a
// push consumer deliver the feed on a subject of their choosing: all of it the same
// de-identified data, within the one account. Pull consumers named per analyst are
// the documented way (README).
func analystPermissions(user string) *server.Permissions {
	const api = "$JS.API."
	st := feedStream
	mine := TombstoneConsumer
	return &server.Permissions{
		Publish: &server.SubjectPermission{
			Allow: []string{
				api + "STREAM.INFO." + st,
				api + "STREAM.NAMES",
				api + "STREAM.LIST",
				api + "CONSUMER.CREATE." + st + ".*",
				api + "CONSUMER.CREATE." + st + ".*.>",
				api + "CONSUMER.DURABLE.CREATE." + st + ".*",
				api + "CONSUMER.INFO." + st + ".*",
				api + "CONSUMER.DELETE." + st + ".*",
				api + "CONSUMER.NAMES." + st,
				api + "CONSUMER.LIST." + st,
				api + "CONSUMER.MSG.NEXT." + st + ".*",
				"$JS.ACK." + st + ".>",
				api + "DIRECT.GET." + st,
				api + "DIRECT.GET." + st + ".>",
				api + "STREAM.MSG.GET." + st,
			},
			Deny: []string{
				api + "CONSUMER.*." + st + "." + mine,
				api + "CONSUMER.*." + st + "." + mine + ".>",
				api + "CONSUMER.*.*." + st + "." + mine,
				"$JS.ACK." + st + "." + mine + ".>",
			},
		},
		Subscribe: &server.SubjectPermission{
			Allow: []string{AnalyticsSubjects, AnalystInboxPrefix(user) + ".>"},
		},
	}
}

// AnalystInboxPrefix is the inbox prefix an analyst's client must use (the only
// inboxes it may subscribe to): _INBOX.<user>.
func AnalystInboxPrefix(user string) string { return "_INBOX." + user }

// feedOnlyPermissions are the rights of a --nats-analytics-user whose name cannot be
// an inbox token (see AnalystName): the core feed only, as before the analysts' stream.
func feedOnlyPermissions() *server.Permissions {
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Deny: []string{">"}},
		Subscribe: &server.SubjectPermission{Allow: []string{AnalyticsSubjects}},
	}
}
