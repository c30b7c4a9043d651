// Package sealing protects survivors' personal data: the personal sub-object of every
// event is sealed (AES-256-GCM) with a per-case data key, each data key is wrapped by a
// key-encryption key (KEK) from the Keyring and kept in a KeyStore apart from the events,
// and erasing a case destroys its key so that its sealed data can never be opened again.
// Lookups by name or document number use a keyed blind index, never plaintext.
//
// Files, one concern each:
//   - doc.go: this overview
//   - keyring.go, keyringfile.go: the KEKs and the index key, in memory and on disk
//   - wrap.go: wrapping data keys under a KEK, and the associated-data encodings
//   - sealed.go: the sealed JSON form of a personal sub-object
//   - vault.go, keycache.go: sealing, opening, erasure and rotation
//   - keystore.go: the KeyStore contract (its tests: sealing/keystoretest) and the
//     checks every key store makes
//   - memkeys.go: an in-memory KeyStore, for tests
//   - keydir.go: keeping the key directory apart from the events
//   - erasure.go: the erasure ledger's line and contract (its file: sealing/erasurelog)
//   - blindindex.go, casemac.go: Normalise, BlindIndex and CaseMAC
//
// The default KeyStore is a leaf package, sealing/jskeys: keys on their own embedded
// NATS server. This package imports no NATS.
//
// Erasure: the default KeyStore's Destroy overwrites the wrapped key in the store's files
// (JetStream secure erase; sealing/jskeys/keys.go says exactly what is and is not reached).
// Remnants in freed disk blocks stay encrypted under the KEK: rotate the KEK (Vault.Rotate)
// and discard the old one to make them useless for good.
//
// One Vault per KeyStore, shared by the whole process: a Vault's Destroy evicts only its
// own cache of unwrapped keys.
package sealing
