package jetstream

import (
	"net"
	"sync"
	"time"
)

// Failed logins on the embedded server's client port are throttled per source
// address: without it the port took 300 wrong passwords in a quarter of a second.
//
//   - An address may fail loginBudget logins within loginWindow. Once it has, it is
//     refused for loginBlock: every login from it, right password or not, fails at
//     once, without its password being checked. Logins under way count against the
//     budget, so a burst of parallel attempts gets no more checks than a sequence.
//   - Every failed check is answered loginFailureDelay late, which slows a guesser
//     without holding anyone else up: each connection waits on its own.
//   - Addresses are counted as the attacker pays for them: an IPv4 address each, an
//     IPv6 address by its /64 (one host usually has a whole /64).
//   - At most maxThrottledAddrs addresses are tracked; beyond that (after forgetting
//     those with nothing to remember) new addresses share one budget, so a flood of
//     addresses can neither exhaust memory nor buy unlimited guesses.
//   - Successful logins do not reset the count: a client that knows one password
//     (the analytics user's) cannot use it to keep guessing another.
//   - The in-process connection (nats.InProcessServer) has no address and is never
//     throttled: Waymark itself always gets in.
const (
	loginBudget       = 10
	loginWindow       = time.Minute
	loginBlock        = 5 * time.Minute
	loginFailureDelay = 250 * time.Millisecond
	maxThrottledAddrs = 1 << 16
)

// overflowKey is the one budget of the addresses beyond maxThrottledAddrs.
const overflowKey = "overflow"

// loginThrottle counts failed logins per source address. Safe for concurrent use.
type loginThrottle struct {
	budget   int
	window   time.Duration
	block    time.Duration
	delay    time.Duration
	maxAddrs int
	now      func() time.Time
	sleep    func(time.Duration)

	mu         sync.Mutex
	addrs      map[string]*addrLogins
	lastForget time.Time // forget scans every address: at most once a second
	admitted   uint64    // checks let through, ever (tests)
}

// addrLogins is what the throttle remembers of one address.
type addrLogins struct {
	windowStart  time.Time
	failures     int // in the window that started at windowStart
	inflight     int // admitted checks not yet done
	blockedUntil time.Time
}

// newLoginThrottle returns the throttle with the limits above, on the system clock.
func newLoginThrottle() *loginThrottle {
	return &loginThrottle{
		budget: loginBudget, window: loginWindow, block: loginBlock, delay: loginFailureDelay,
		maxAddrs: maxThrottledAddrs, now: time.Now, sleep: time.Sleep,
		addrs: map[string]*addrLogins{},
	}
}

// throttleKey is the key addr is counted under; ok is false for connections that are
// not over TCP (the in-process one), which are not throttled.
func throttleKey(addr net.Addr) (key string, ok bool) {
	tcp, isTCP := addr.(*net.TCPAddr)
	if !isTCP || tcp.IP == nil {
		return "", false
	}
	if v4 := tcp.IP.To4(); v4 != nil {
		return v4.String(), true
	}
	return tcp.IP.Mask(net.CIDRMask(64, 128)).String() + "/64", true
}

// admit reserves a password check for key. It is false when key is refused: blocked,
// or its budget spent by failures and checks under way (which then blocks it).
// Every admitted check must be followed by done.
func (t *loginThrottle) admit(key string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	st, ok := t.addrs[key]
	if !ok {
		if len(t.addrs) >= t.maxAddrs && now.Sub(t.lastForget) >= time.Second {
			t.forget(now)
		}
		if len(t.addrs) >= t.maxAddrs {
			key = overflowKey
		}
		if st = t.addrs[key]; st == nil {
			st = &addrLogins{windowStart: now}
			t.addrs[key] = st
		}
	}
	if now.Before(st.blockedUntil) {
		return key, false
	}
	if now.Sub(st.windowStart) >= t.window {
		st.windowStart, st.failures = now, 0
	}
	if st.failures+st.inflight >= t.budget {
		st.blockedUntil = now.Add(t.block)
		return key, false
	}
	st.inflight++
	t.admitted++
	return key, true
}

// checks is how many password checks admit let through.
func (t *loginThrottle) checks() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.admitted
}

// done records the outcome of a check admit let through for key (the key admit
// returned), and reports whether key is now blocked.
func (t *loginThrottle) done(key string, success bool) (blocked bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.addrs[key]
	if st == nil {
		return false // cannot happen: an entry with a check under way is never forgotten
	}
	st.inflight--
	if success {
		return false
	}
	st.failures++
	if st.failures >= t.budget {
		st.blockedUntil = t.now().Add(t.block)
		return true
	}
	return false
}

// forget drops the addresses with nothing to remember: no check under way, not
// blocked, and their window over. Called with mu held.
func (t *loginThrottle) forget(now time.Time) {
	t.lastForget = now
	for key, st := range t.addrs {
		if st.inflight == 0 && !now.Before(st.blockedUntil) && now.Sub(st.windowStart) >= t.window {
			delete(t.addrs, key)
		}
	}
}
