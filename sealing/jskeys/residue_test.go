package jskeys

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// TestPlainDeletesLeaveBytes records why the key store uses a plain stream and secure
// erase, not a KV bucket: a KV delete marker, a KV purge and a plain message delete all
// leave the value's bytes in the block file. It also shows the file scan can see them.
func TestPlainDeletesLeaveBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	secret := func() []byte {
		b := make([]byte, 48)
		_, _ = rand.Read(b)
		return b
	}

	kv, err := s.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "residue", Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	deleted, purged := secret(), secret()
	if _, err := kv.Put(ctx, "deleted", deleted); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "purged", purged); err != nil {
		t.Fatal(err)
	}
	if err := kv.Delete(ctx, "deleted"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, "purged"); err != nil {
		t.Fatal(err)
	}

	// A live message keeps the block in use: a block left empty is unlinked whole.
	if _, err := s.js.Publish(ctx, "casekeys.key.residue-live", secret()); err != nil {
		t.Fatal(err)
	}
	plain, erased := secret(), secret()
	ackPlain, err := s.js.Publish(ctx, "casekeys.key.residue-plain", plain)
	if err != nil {
		t.Fatal(err)
	}
	ackErased, err := s.js.Publish(ctx, "casekeys.key.residue-erased", erased)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.stream.DeleteMsg(ctx, ackPlain.Sequence); err != nil {
		t.Fatal(err)
	}
	if err := s.stream.SecureDeleteMsg(ctx, ackErased.Sequence); err != nil {
		t.Fatal(err)
	}

	for name, b := range map[string][]byte{"KV delete": deleted, "KV purge": purged, "DeleteMsg": plain} {
		assertPresent(t, dir, name+" residue", b)
	}
	assertAbsent(t, dir, "SecureDeleteMsg", erased)
	if bytes.Equal(plain, erased) {
		t.Fatal("crypto/rand repeated itself")
	}
}
