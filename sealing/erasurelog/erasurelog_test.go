package erasurelog

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/sealing"
)

// Every erasure recorded is read back in order, across a reopen; the file is the
// owner's alone; a line a crash cut short is dropped, and appends go on after it.
func TestLedgerKeepsEveryErasure(t *testing.T) {
	path := Path(t.TempDir())
	if _, err := Read(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a ledger never opened: %v", err)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	first := sealing.Erasure{At: at, CaseID: "case-1", EventID: "0190a0b0-0000-7000-8000-000000000001", Reason: "survivor_request"}
	second := sealing.Erasure{At: at.Add(time.Hour), CaseID: "case-2", EventID: "0190a0b0-0000-7000-8000-000000000002", Reason: "retention_policy"}

	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RecordErasure(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	if err := l.RecordErasure(context.Background(), sealing.Erasure{CaseID: "not/a case"}); err == nil {
		t.Error("a case id that is not one was recorded")
	}
	l.Close()
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("ledger file: %v %v", st.Mode(), err)
	}

	// A crash in the middle of the next line.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"at":"2026-03-04T05:06:07Z","case":"case-tor`)
	f.Close()
	if got, err := Read(path); err != nil || !reflect.DeepEqual(got, []sealing.Erasure{first}) {
		t.Fatalf("read with a torn last line: %v %v", got, err)
	}

	l, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.RecordErasure(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got, err := Read(path)
	if err != nil || !reflect.DeepEqual(got, []sealing.Erasure{first, second}) {
		t.Fatalf("ledger after a reopen: %v %v", got, err)
	}

	// A line in the middle that is not an erasure is corruption, not a torn tail.
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "bad.log"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(filepath.Join(filepath.Dir(path), "bad.log")); err == nil {
		t.Error("a line without a case read as an erasure")
	}
}
