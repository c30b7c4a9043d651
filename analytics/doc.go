// Package analytics turns case events into the de-identified analytics feed's
// messages (issue 13): CloudEvents 1.0 in structured JSON, one per case event, the
// case known only by a keyed pseudonym, times cut to the day, and only codes,
// organisation ids, counts, flags and whole days in the data. asyncapi.yaml is the
// feed's contract; the tests validate every mapped fixture event against it and scan
// the published bytes for personal data.
//
// The package does no I/O: the publisher (NATS, consent, purges) builds on it.
//
// The analytics key is the feed's own: not a sealing key, not the blind-index key.
// Rotating it changes every pseudonym, so a rotation republishes the feed from the
// start (analyticsfeed.Republish: the stream is deleted and published again), and
// consumers drop what they hold and read it again.
package analytics
