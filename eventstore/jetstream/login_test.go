package jetstream

import (
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"golang.org/x/crypto/bcrypt"

	"github.com/waymark-org/waymark/eventstore"
)

// openThrottled opens a listening store whose login throttle runs on clock.
func openThrottled(t *testing.T, clock *testClock, analyticsPassword string) (*Store, *loginThrottle) {
	t.Helper()
	th := testThrottle(clock)
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval, ListenAddr: "127.0.0.1:0",
		AnalyticsUser: testAnalyticsUser, AnalyticsPassword: analyticsPassword, loginThrottle: th})
	t.Cleanup(func() { s.Close() })
	return s, th
}

// from dials the store's client port from a source address of loopback.
func from(ip string) nats.Option {
	return nats.SetCustomDialer(&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}})
}

// 50 quick wrong passwords from one address get at most the budget's worth of password
// checks; then even the right password is refused from there until the block ends,
// while the in-process connection and other addresses get in as before.
func TestWrongPasswordsAreThrottled(t *testing.T) {
	clock := newTestClock()
	s, th := openThrottled(t, clock, testAnalyticsPassword)
	user, password := s.ReplicaCredentials()

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			guess := nats.UserInfo(AppUser, "guess")
			if i%2 == 1 {
				guess = nats.UserInfo(testAnalyticsUser, "guess")
			}
			if _, err := connectTCP(t, s, guess, from("127.0.0.1")); !errors.Is(err, nats.ErrAuthorization) {
				t.Errorf("wrong password %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if n := th.checks(); n > loginBudget {
		t.Errorf("%d passwords checked for 50 wrong attempts, want at most %d", n, loginBudget)
	}

	if _, err := connectTCP(t, s, nats.UserInfo(user, password), from("127.0.0.1")); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("the right password from the blocked address: %v, want refused", err)
	}
	// Waymark's own connection, and a new in-process one, are not throttled.
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 1)...)
	nc, err := nats.Connect("", nats.InProcessServer(s.Server()), nats.UserInfo(user, password))
	if err != nil {
		t.Fatalf("in-process connection while the address is blocked: %v", err)
	}
	nc.Close()
	// Another address gets in.
	if _, err := connectTCP(t, s, nats.UserInfo(testAnalyticsUser, testAnalyticsPassword), from("127.0.0.2")); err != nil {
		t.Errorf("another address while 127.0.0.1 is blocked: %v", err)
	}

	clock.advance(loginBlock)
	if _, err := connectTCP(t, s, nats.UserInfo(user, password), from("127.0.0.1")); err != nil {
		t.Errorf("the right password once the block is over: %v", err)
	}
}

// An analytics password configured as a bcrypt hash is checked as one: the password
// gets in (into the analytics account, with its permissions), the hash itself does not.
func TestBcryptAnalyticsPassword(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("bcrypt-secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := openThrottled(t, newTestClock(), string(hash))
	if _, err := connectTCP(t, s, nats.UserInfo(testAnalyticsUser, string(hash))); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("the hash as password: %v, want refused", err)
	}
	errs := make(asyncErrors, 16)
	nc, err := connectTCP(t, s, nats.UserInfo(testAnalyticsUser, "bcrypt-secret"), nats.ErrorHandler(errs.handler))
	if err != nil {
		t.Fatalf("the password of the hash: %v", err)
	}
	if _, err := nc.SubscribeSync("waymark.events.>"); err != nil {
		t.Fatal(err)
	}
	wantPermissionViolation(t, errs.next(t), "Subscription to", "waymark.events.>")
}
