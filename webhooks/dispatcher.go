package webhooks

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Errors Enqueue returns.
var (
	// ErrNoEndpoint: the organisation has no webhook configured. A publisher that
	// hands over every change ignores it.
	ErrNoEndpoint = errors.New("no webhook configured for the organisation")
	// ErrClosed: the dispatcher was closed.
	ErrClosed = errors.New("webhook dispatcher closed")
)

// Backoff is how retries are spaced: the n-th retry waits Initial·2^(n-1), at most
// Max, each wait drawn uniformly from its upper half (jitter: receivers that failed
// together are not all retried at the same instant). Attempts bounds the attempts
// of one notification, the first included; after the last it is dead-lettered.
type Backoff struct {
	Initial  time.Duration
	Max      time.Duration
	Attempts int
}

// DefaultBackoff: 10 attempts; the 9 waits between them double from 2s (2s, 4s, …,
// 512s, each jittered into its upper half), so a notification is dead-lettered 9 to
// 17 minutes after its first attempt: a receiver restarting or redeploying gets it,
// one down for longer lists its work through the API when it is back.
var DefaultBackoff = Backoff{Initial: 2 * time.Second, Max: 10 * time.Minute, Attempts: 10}

// wait is the pause before retry n (1 for the first retry).
func (b Backoff) wait(n int, rnd func(int64) int64) time.Duration {
	d := b.Initial
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 1 {
		return d
	}
	half := int64(d) / 2
	return time.Duration(half + rnd(half+1))
}

// Config configures a Dispatcher.
type Config struct {
	Endpoints []Endpoint
	// Log records every attempt (required).
	Log *DeliveryLog
	// TLS is the deliveries' TLS configuration (TLSConfig; nil: TLSConfig("")).
	TLS *tls.Config
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration
	// Backoff spaces retries (zero: DefaultBackoff).
	Backoff Backoff
	// QueueSize bounds each organisation's waiting notifications (default 1,000).
	QueueSize int
	// Now is the clock (default time.Now): signatures' timestamps and the log's times.
	Now    func() time.Time
	Logger *slog.Logger
	// Observe, if set, is called with every record after it is logged (tests wait on
	// it instead of sleeping).
	Observe func(Record)
}

// Stats counts what a dispatcher did since it started.
type Stats struct {
	Enqueued, Delivered, Retried, DeadLettered, Dropped, Abandoned int
}

// Dispatcher delivers notifications, one worker and one bounded queue per
// organisation.
type Dispatcher struct {
	cfg     Config
	client  *http.Client
	workers map[string]*worker
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	stats   Stats
	rnd     func(int64) int64
}

// worker is one organisation's queue: a ring of notifications taken in order.
type worker struct {
	ep     Endpoint
	mu     sync.Mutex
	queue  []Notification
	closed bool
	wake   chan struct{} // a token when the queue is not empty
}

// New starts a dispatcher; Close stops it.
func New(cfg Config) (*Dispatcher, error) {
	if cfg.Log == nil {
		return nil, errors.New("webhooks: a delivery log is required")
	}
	if cfg.TLS == nil {
		cfg.TLS, _ = TLSConfig("")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Backoff.Attempts <= 0 {
		cfg.Backoff.Attempts = 1
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	d := &Dispatcher{cfg: cfg, workers: map[string]*worker{}, rnd: rand.Int64N}
	d.client = &http.Client{
		Timeout:   cfg.Timeout,
		Transport: &http.Transport{TLSClientConfig: cfg.TLS, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute},
		// A redirect is a failed delivery: following one could take the body to an
		// address nobody configured, or to plain http.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	d.ctx, d.stop = context.WithCancel(context.Background())
	for _, ep := range cfg.Endpoints {
		if err := checkURL(ep.URL); err != nil {
			return nil, fmt.Errorf("webhooks: %s: %w", ep.Organisation, err)
		}
		if _, dup := d.workers[ep.Organisation]; dup {
			return nil, fmt.Errorf("webhooks: %w: organisation %s has two endpoints", ErrConfig, ep.Organisation)
		}
		w := &worker{ep: ep, wake: make(chan struct{}, 1)}
		d.workers[ep.Organisation] = w
		d.wg.Add(1)
		go d.run(w)
	}
	return d, nil
}

// Configured reports whether the organisation has a webhook.
func (d *Dispatcher) Configured(organisation string) bool {
	_, ok := d.workers[organisation]
	return ok
}

// Enqueue hands a notification to its organisation's queue and returns at once. An
// empty ID is given a fresh one. A full queue drops its oldest notification (counted
// in Stats.Dropped and logged as dropped): the newest changes are the ones a receiver
// can still act on, and it can always list its whole work through the API.
func (d *Dispatcher) Enqueue(n Notification) error {
	if n.ID == "" {
		n.ID = uuid.Must(uuid.NewV7()).String()
	}
	if err := n.validate(); err != nil {
		return err
	}
	w, ok := d.workers[n.Organisation]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoEndpoint, n.Organisation)
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	var dropped *Notification
	if len(w.queue) >= d.cfg.QueueSize {
		old := w.queue[0]
		dropped = &old
		w.queue = w.queue[1:]
	}
	w.queue = append(w.queue, n)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	d.count(func(s *Stats) { s.Enqueued++ })
	if dropped != nil {
		d.count(func(s *Stats) { s.Dropped++ })
		d.record(Record{Delivery: dropped.ID, Organisation: dropped.Organisation, Type: dropped.Type, Outcome: OutcomeDropped})
	}
	return nil
}

// Stats returns the counts so far.
func (d *Dispatcher) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

func (d *Dispatcher) count(f func(*Stats)) {
	d.mu.Lock()
	f(&d.stats)
	d.mu.Unlock()
}

// Close stops the workers: an attempt under way is cut short, the notifications still
// waiting are logged as abandoned (waited for until ctx ends).
func (d *Dispatcher) Close(ctx context.Context) error {
	for _, w := range d.workers {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
	}
	d.stop()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	for _, w := range d.workers {
		for _, n := range w.queue {
			d.count(func(s *Stats) { s.Abandoned++ })
			d.record(Record{Delivery: n.ID, Organisation: n.Organisation, Type: n.Type, Outcome: OutcomeAbandoned})
		}
		w.queue = nil
	}
	d.client.CloseIdleConnections()
	return nil
}

// run delivers w's notifications in order until the dispatcher stops.
func (d *Dispatcher) run(w *worker) {
	defer d.wg.Done()
	for {
		w.mu.Lock()
		if len(w.queue) == 0 {
			w.mu.Unlock()
			select {
			case <-w.wake:
				continue
			case <-d.ctx.Done():
				return
			}
		}
		n := w.queue[0]
		w.queue = w.queue[1:]
		w.mu.Unlock()
		if !d.deliver(w.ep, n) {
			// Stopped mid-delivery: it goes back in front, to be logged as abandoned.
			w.mu.Lock()
			w.queue = append([]Notification{n}, w.queue...)
			w.mu.Unlock()
			return
		}
	}
}

// deliver makes the attempts of one notification; false when the dispatcher stopped
// before an outcome.
func (d *Dispatcher) deliver(ep Endpoint, n Notification) bool {
	body, err := json.Marshal(n)
	if err != nil {
		d.cfg.Logger.Error("webhook notification not encoded", "delivery", n.ID, "err", err)
		return true
	}
	b := d.cfg.Backoff
	for attempt := 1; ; attempt++ {
		status, class := d.attempt(ep, n, body, attempt)
		if d.ctx.Err() != nil {
			return false
		}
		rec := Record{Delivery: n.ID, Organisation: n.Organisation, Type: n.Type, Attempt: attempt, Status: status, Error: class}
		switch {
		case class == "":
			rec.Outcome = OutcomeDelivered
			d.count(func(s *Stats) { s.Delivered++ })
			d.record(rec)
			return true
		case attempt >= b.Attempts:
			rec.Outcome = OutcomeDeadLettered
			d.count(func(s *Stats) { s.DeadLettered++ })
			d.record(rec)
			d.cfg.Logger.Warn("webhook dead-lettered", "organisation", n.Organisation, "delivery", n.ID, "attempts", attempt, "status", status, "error", class)
			return true
		}
		rec.Outcome = OutcomeRetry
		d.count(func(s *Stats) { s.Retried++ })
		d.record(rec)
		t := time.NewTimer(b.wait(attempt, d.rnd))
		select {
		case <-t.C:
		case <-d.ctx.Done():
			t.Stop()
			return false
		}
	}
}

// attempt POSTs the signed body once: the receiver's status and "" when it took it
// (2xx), else the status (0 if none) and an error class.
func (d *Dispatcher) attempt(ep Endpoint, n Notification, body []byte, attempt int) (int, string) {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "request"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "waymark-webhooks/1")
	req.Header.Set(HeaderSignature, Sign(ep.Secret, d.cfg.Now(), body))
	req.Header.Set(HeaderDelivery, n.ID)
	req.Header.Set(HeaderEvent, n.Type)
	req.Header.Set(HeaderAttempt, strconv.Itoa(attempt))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, errorClass(err)
	}
	resp.Body.Close() // what the receiver says is not read: only its status counts
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, ""
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return resp.StatusCode, "redirect"
	}
	return resp.StatusCode, "status"
}

func (d *Dispatcher) record(r Record) {
	if r.At.IsZero() {
		r.At = d.cfg.Now().UTC()
	}
	if err := d.cfg.Log.Append(r); err != nil {
		d.cfg.Logger.Error("webhook delivery not logged", "organisation", r.Organisation, "delivery", r.Delivery, "err", err)
	}
	if d.cfg.Observe != nil {
		d.cfg.Observe(r)
	}
}
