// Package backup writes and reads Waymark backups: JetStream snapshots of the streams
// Waymark keeps (internal/jssnap: the streams as stored, so a restored store has the
// same sequences, positions, hash chains and checkpoints), a manifest with the SHA-256
// of every file, and — only when asked — the key store and the secrets.
//
// What a backup holds, stream by stream (Waymark's account on the event store's
// server), and why:
//   - WAYMARK, the event stream: every case, organisation, token revocation and
//     signed checkpoint (audit-checkpoints), and with each command's events its
//     command id and fingerprint — the idempotency state lives there, nowhere else.
//     Everything else is derived from it or audits it.
//   - WAYMARK_ACCESS, the access log: who read whose personal data; checkpoints sign
//     it entry by entry, so it must come back with the same sequences.
//   - WAYMARK_ACCESS_HORIZON: how far back the access log's read model reaches
//     (retention); without it, entries retention dropped from queries would show
//     again.
//   - WAYMARK_ANALYTICS and KV_WAYMARK_ANALYTICS_CASES, the de-identified feed and its
//     registry of the cases in it: the feed could be published again from the log,
//     but analysts' consumers hold places in its sequences, and the registry is what
//     lets a case leave the feed when its consent expires. Taken together with the
//     publisher stopped, so they agree.
//
// What it leaves out:
//   - the analysts' copy of the feed (the ANALYTICS account's stream): a copy of
//     WAYMARK_ANALYTICS that a restored server makes again by itself;
//   - the read models' snapshot (<data-dir>/snapshots): rebuilt from the log at start;
//   - the webhook delivery log (<data-dir>/webhooks): a record of attempts, not data;
//   - the analysts' NATS logins (the users file): credentials, added again with
//     waymark nats-user;
//   - the key store (CASEKEYS, on its own server) and the secrets (keyring, signing,
//     command-hash, analytics and audit keys), unless Source.Keys is set (waymark
//     backup --include-keys). Without them a backup's personal data cannot be read by
//     whoever holds it: that is the point. With them it can all be read: it must be
//     kept as the keys are.
//   - the erasure ledger (sealing/erasurelog), never: it must outlive the backups, so
//     that a restore can make every case erased since stay erased.
package backup
