package jetstream

import (
	"net"
	"sync"
	"testing"
	"time"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testThrottle is the default throttle on clock, without the delay on failures.
func testThrottle(clock *testClock) *loginThrottle {
	t := newLoginThrottle()
	t.now, t.sleep = clock.now, func(time.Duration) {}
	return t
}

// fail runs one admitted, failed check; it reports whether it was admitted.
func fail(th *loginThrottle, addr string) bool {
	key, ok := th.admit(addr)
	if ok {
		th.done(key, false)
	}
	return ok
}

func TestThrottleBlocksAfterTheBudget(t *testing.T) {
	clock := newTestClock()
	th := testThrottle(clock)
	for i := range loginBudget {
		if !fail(th, "192.0.2.1") {
			t.Fatalf("failure %d refused within the budget", i+1)
		}
	}
	for range 3 {
		if key, ok := th.admit("192.0.2.1"); ok {
			th.done(key, true)
			t.Fatal("admitted after the budget was spent")
		}
	}
	if !fail(th, "192.0.2.2") {
		t.Error("another address refused")
	}
	clock.advance(loginBlock - time.Second)
	if _, ok := th.admit("192.0.2.1"); ok {
		t.Fatal("admitted before the block ended")
	}
	clock.advance(time.Second)
	key, ok := th.admit("192.0.2.1")
	if !ok {
		t.Fatal("still refused after the block")
	}
	th.done(key, true)
	if got := th.checks(); got != loginBudget+2 {
		t.Errorf("%d checks admitted, want %d", got, loginBudget+2)
	}
}

// Failures older than the window are forgotten; successes never clear failures.
func TestThrottleWindow(t *testing.T) {
	clock := newTestClock()
	th := testThrottle(clock)
	for range loginBudget - 1 {
		fail(th, "192.0.2.1")
	}
	clock.advance(loginWindow)
	for i := range loginBudget - 1 {
		if !fail(th, "192.0.2.1") {
			t.Fatalf("failure %d of a new window refused", i+1)
		}
	}
	key, _ := th.admit("192.0.2.1")
	th.done(key, true) // a success in between
	if !fail(th, "192.0.2.1") {
		t.Fatal("the last failure of the budget refused")
	}
	if _, ok := th.admit("192.0.2.1"); ok {
		t.Error("a success reset the count of failures")
	}
}

// Checks under way count: a burst of parallel attempts gets no more checks than the
// budget.
func TestThrottleCountsChecksUnderWay(t *testing.T) {
	th := testThrottle(newTestClock())
	var keys []string
	for range loginBudget {
		key, ok := th.admit("192.0.2.1")
		if !ok {
			t.Fatal("refused within the budget")
		}
		keys = append(keys, key)
	}
	if _, ok := th.admit("192.0.2.1"); ok {
		t.Fatal("admitted beyond the budget while checks are under way")
	}
	for _, key := range keys {
		th.done(key, false)
	}
}

func TestThrottleKeys(t *testing.T) {
	for _, c := range []struct {
		addr net.Addr
		key  string
		ok   bool
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 5}, "192.0.2.7", true},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7"), Port: 5}, "192.0.2.7", true},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:aaaa::1"), Port: 5}, "2001:db8:1:2::/64", true},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:bbbb::9"), Port: 6}, "2001:db8:1:2::/64", true},
		{pipeAddr(), "", false}, // the in-process connection
		{nil, "", false},
	} {
		key, ok := throttleKey(c.addr)
		if key != c.key || ok != c.ok {
			t.Errorf("%v: %q %v, want %q %v", c.addr, key, ok, c.key, c.ok)
		}
	}
}

// pipeAddr is the address of an in-process connection (net.Pipe).
func pipeAddr() net.Addr {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	return a.RemoteAddr()
}

// Beyond the addresses it can track, new addresses share one budget; addresses with
// nothing to remember are forgotten to make room.
func TestThrottleBoundsItsMemory(t *testing.T) {
	clock := newTestClock()
	th := testThrottle(clock)
	th.maxAddrs = 2
	fail(th, "192.0.2.1")
	fail(th, "192.0.2.2")
	for i := range loginBudget {
		if !fail(th, "192.0.2.3") {
			t.Fatalf("overflow failure %d refused", i+1)
		}
	}
	if _, ok := th.admit("192.0.2.4"); ok {
		t.Fatal("a fourth address has a budget of its own beyond the limit")
	}
	if len(th.addrs) != 3 { // two addresses and the shared overflow budget
		t.Errorf("%d addresses tracked", len(th.addrs))
	}
	clock.advance(loginWindow)
	if !fail(th, "192.0.2.5") {
		t.Fatal("no room made for a new address once the old ones had nothing to remember")
	}
	if _, tracked := th.addrs["192.0.2.5"]; !tracked {
		t.Error("the new address shares the overflow budget though there is room")
	}
}
