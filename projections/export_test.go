package projections

// SetCatchUpKeysMin has r treat a start n messages behind the head as a long
// catch-up (catchUpper), so that tests need not write thousands of events.
func SetCatchUpKeysMin(r *Runner, n uint64) { r.catchUpKeysMin = n }

// HoldsCatchUpKeys reports whether c opens blind indexes with a catch-up's key set.
func HoldsCatchUpKeys(c *Cases) bool { return c.catchUpKeys.Load() != nil }
