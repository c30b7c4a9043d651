package jskeys

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/keystoretest"
)

// TestConcurrentCreatesAreCommittedTogether: many Creates at once go out as atomic
// batches; in the last round a Create of a case that has a key is refused alone
// (ErrKeyExists) though it travelled in a batch, and a Create of a destroyed case is
// refused; Destroys running alongside (in the rounds between) are never interleaved
// with a Create; every case ends with exactly one key message or none.
func TestConcurrentCreatesAreCommittedTogether(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ks := openStore(t, t.TempDir())
	const writers = 96
	// Before the rounds: every 4th case has a key already, every 8th is destroyed.
	for i := 0; i < writers; i += 4 {
		if err := ks.Create(ctx, fmt.Sprint("old-", i), keystoretest.Key("k1")); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < writers; i += 8 {
		if err := ks.Destroy(ctx, fmt.Sprint("gone-", i)); err != nil {
			t.Fatal(err)
		}
	}
	const rounds = 4
	last := func(round int) bool { return round == rounds-1 }
	for round := range rounds {
		start := make(chan struct{})
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			id := fmt.Sprintf("new-%d-%d", round, i)
			switch {
			case last(round) && i%8 == 0:
				id = fmt.Sprint("gone-", i)
			case last(round) && i%4 == 0:
				id = fmt.Sprint("old-", i)
			}
			wg.Go(func() {
				<-start
				errs[i] = ks.Create(ctx, id, keystoretest.Key("k1"))
			})
		}
		// The first round and the last are each gathered into one round of the
		// committer, whatever the scheduler does: the first commits as one atomic
		// batch, the last holds Creates the server refuses and must fall back. (A
		// destroyed case's Create is refused before it is published.)
		switch {
		case round == 0:
			ks.commit.GatherNext(writers)
		case last(round):
			ks.commit.GatherNext(writers - writers/8)
		}
		// Destroys of cases created in the previous round, racing the Creates of the
		// rounds between (a Destroy waits for the Creates under way, and the Creates
		// after it wait for it: none in a gathered round).
		for i := 1; round > 0 && !last(round) && i < writers; i += 16 {
			wg.Go(func() {
				<-start
				if err := ks.Destroy(ctx, fmt.Sprintf("new-%d-%d", round-1, i)); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			var want error
			switch {
			case last(round) && i%8 == 0:
				want = sealing.ErrKeyDestroyed
			case last(round) && i%4 == 0:
				want = sealing.ErrKeyExists
			}
			if !errors.Is(err, want) || want == nil && err != nil {
				t.Fatalf("round %d Create %d: %v, want %v", round, i, err, want)
			}
		}
	}
	_, batches, fallbacks := ks.commit.Counts() // batches: the rounds made durable as one atomic batch
	if batches == 0 {
		t.Error("96 concurrent Creates were never batched")
	}
	if fallbacks == 0 {
		t.Error("a batch holding a Create of a case with a key did not fall back to one by one")
	}
	keys, err := ks.subjects(ctx, keySubject)
	if err != nil {
		t.Fatal(err)
	}
	destroyed, err := ks.subjects(ctx, destroyedSubject)
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range keys {
		if n != 1 {
			t.Errorf("case %s has %d key messages, want 1", id, n)
		}
		if _, gone := destroyed[id]; gone {
			t.Errorf("destroyed case %s still has a key", id)
		}
	}
	// The old keys, every new one, less those destroyed in the rounds between.
	if want := writers/4 + (rounds-1)*writers + writers - writers/4 - (rounds-2)*writers/16; len(keys) != want {
		t.Errorf("%d cases have keys, want %d", len(keys), want)
	}
}
