package accesslog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Horizon is how far back the access log's read model reaches, per jurisdiction of
// the case an entry is about: entries recorded before their jurisdiction's time are
// dropped — no query returns them again — while the stored log, which signed
// checkpoints cover entry by entry, keeps them, so verification still passes. A zero
// time drops nothing. Horizons only move forward (Advance): a policy made longer later
// does not bring dropped entries back.
type Horizon struct {
	Default       time.Time            `json:"default"`                 // for jurisdictions not listed
	Jurisdictions map[string]time.Time `json:"jurisdictions,omitempty"` // a listed zero time: that jurisdiction's entries are kept
}

// For returns the time before which entries of a jurisdiction's cases are dropped.
func (h Horizon) For(jurisdiction string) time.Time {
	if t, ok := h.Jurisdictions[jurisdiction]; ok {
		return t
	}
	return h.Default
}

// Drops reports whether an entry recorded at at, about a case of jurisdiction, is
// dropped.
func (h Horizon) Drops(at time.Time, jurisdiction string) bool {
	cut := h.For(jurisdiction)
	return !cut.IsZero() && at.Before(cut)
}

// IsZero reports whether the horizon drops nothing.
func (h Horizon) IsZero() bool {
	if !h.Default.IsZero() {
		return false
	}
	for _, t := range h.Jurisdictions {
		if !t.IsZero() {
			return false
		}
	}
	return true
}

// Advance returns the horizon that drops what h drops and what next drops: each
// jurisdiction's time the later of the two.
func (h Horizon) Advance(next Horizon) Horizon {
	later := func(a, b time.Time) time.Time {
		if a.After(b) {
			return a
		}
		return b
	}
	out := Horizon{Default: later(h.Default, next.Default), Jurisdictions: map[string]time.Time{}}
	for j := range h.Jurisdictions {
		out.Jurisdictions[j] = later(h.For(j), next.For(j))
	}
	for j := range next.Jurisdictions {
		out.Jurisdictions[j] = later(h.For(j), next.For(j))
	}
	return out
}

// HorizonStore is a Sink that keeps the horizon durably (the JetStream sink does). A
// Log over a sink without it keeps the horizon in memory only.
type HorizonStore interface {
	LoadHorizon(ctx context.Context) (Horizon, error) // the zero Horizon when none was saved
	SaveHorizon(ctx context.Context, h Horizon) error
}

// Scanner is a Sink that hands over every stored entry in order (the JetStream sink's
// ScanAccess): counting what a new horizon would drop reads them all.
type Scanner interface {
	ScanAccess(ctx context.Context, after uint64, f func(seq uint64, data []byte) error) error
}

// horizonState is a Log's horizon, loaded from the sink on first use.
type horizonState struct {
	mu     sync.Mutex
	loaded bool
	h      Horizon
}

// Horizon returns the horizon in force.
func (l *Log) Horizon(ctx context.Context) (Horizon, error) {
	l.horizon.mu.Lock()
	defer l.horizon.mu.Unlock()
	return l.loadHorizon(ctx)
}

// loadHorizon reads the horizon from the sink the first time (under the lock).
func (l *Log) loadHorizon(ctx context.Context) (Horizon, error) {
	if l.horizon.loaded {
		return l.horizon.h, nil
	}
	if hs, ok := l.sink.(HorizonStore); ok {
		h, err := hs.LoadHorizon(ctx)
		if err != nil {
			return Horizon{}, fmt.Errorf("access log horizon: %w", err)
		}
		l.horizon.h = h
	}
	l.horizon.loaded = true
	return l.horizon.h, nil
}

// Prune moves the horizon forward to next (Advance) and keeps it: from then on no
// query returns the entries it drops. It returns the horizon now in force.
func (l *Log) Prune(ctx context.Context, next Horizon) (Horizon, error) {
	l.horizon.mu.Lock()
	defer l.horizon.mu.Unlock()
	cur, err := l.loadHorizon(ctx)
	if err != nil {
		return Horizon{}, err
	}
	h := cur.Advance(next)
	if hs, ok := l.sink.(HorizonStore); ok {
		if err := hs.SaveHorizon(ctx, h); err != nil {
			return Horizon{}, fmt.Errorf("access log horizon: %w", err)
		}
	}
	l.horizon.h = h
	return h, nil
}

// ErrNoScan is a sink that cannot hand over every entry.
var ErrNoScan = errors.New("this access log cannot be scanned whole")

// CountDropped counts the stored entries next drops that the horizon in force still
// shows, each judged by its case's jurisdiction (jurisdiction; "" for a case it does
// not know: the default). It reads the whole stored log.
func (l *Log) CountDropped(ctx context.Context, next Horizon, jurisdiction func(caseID string) string) (int, error) {
	cur, err := l.Horizon(ctx)
	if err != nil {
		return 0, err
	}
	sc, ok := l.sink.(Scanner)
	if !ok {
		return 0, ErrNoScan
	}
	n := 0
	err = sc.ScanAccess(ctx, 0, func(_ uint64, data []byte) error {
		var e Entry
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("access log: decode: %w", err)
		}
		j := jurisdiction(e.CaseID)
		if next.Drops(e.At, j) && !cur.Drops(e.At, j) {
			n++
		}
		return nil
	})
	return n, err
}
