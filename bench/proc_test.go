package bench

import (
	"os"
	"testing"
)

// This process's resident memory is read from /proc: some, and never more than its peak.
func TestProcessMemory(t *testing.T) {
	m, err := ProcessMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("%+v", m)
	}
	if _, err := ProcessMemory(-1); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
