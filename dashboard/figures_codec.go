package dashboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// The figures are kept in the read models' snapshot (projections/snapshot*.go), which
// checksums and versions the whole file; AppendTo and DecodeFigures are only the
// figures' own section. Strings (jurisdictions, organisations, figures, codes) are
// written once, in a table, and referred to by number.

const figuresFormat = 1

// ErrFiguresFormat is a figures section that is not one this code wrote.
var ErrFiguresFormat = errors.New("figures: unknown or corrupt format")

type figWriter struct {
	b    []byte
	syms map[string]uint64
	tab  []string
}

func (w *figWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *figWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *figWriter) sym(s string) {
	n, ok := w.syms[s]
	if !ok {
		n = uint64(len(w.tab))
		w.syms[s] = n
		w.tab = append(w.tab, s)
	}
	w.uint(n)
}
func (w *figWriter) cell(c Cell) {
	w.sym(c.Jurisdiction)
	w.sym(c.Organisation)
	w.uint(uint64(c.Month.Year))
	w.uint(uint64(c.Month.Month))
}
func (w *figWriter) measure(m Measure) {
	w.sym(string(m.Kind))
	w.sym(m.From)
	w.sym(m.To)
}
func (w *figWriter) days(d float32) { w.uint(uint64(math.Float32bits(d))) }

// AppendTo appends the figures, as DecodeFigures reads them, to b.
func (f *Figures) AppendTo(b []byte) []byte {
	w := &figWriter{syms: map[string]uint64{}}
	w.uint(f.changes)
	w.uint(uint64(len(f.counts)))
	for c, byFig := range f.counts {
		w.cell(c)
		w.uint(uint64(len(byFig)))
		for fig, n := range byFig {
			w.sym(string(fig))
			w.int(int64(n))
		}
	}
	w.uint(uint64(len(f.durations)))
	for c, byMeasure := range f.durations {
		w.cell(c)
		w.uint(uint64(len(byMeasure)))
		for m, ws := range byMeasure {
			w.measure(m)
			w.uint(uint64(len(ws)))
			for _, d := range ws {
				w.days(d)
			}
		}
	}
	w.uint(uint64(len(f.cases)))
	for id, ct := range f.cases {
		w.sym(id)
		w.cell(Cell{ct.jurisdiction, ct.organisation, ct.month})
		w.uint(uint64(len(ct.counted)))
		for _, c := range ct.counted {
			w.sym(string(c.fig))
			w.int(int64(c.n))
		}
		w.uint(uint64(len(ct.waited)))
		for _, wt := range ct.waited {
			w.measure(wt.m)
			w.days(wt.days)
		}
		for _, at := range ct.reachedAt {
			w.int(at)
		}
	}
	// The string table goes first, so a reader knows every string before it is used.
	b = binary.AppendUvarint(b, figuresFormat)
	b = binary.AppendUvarint(b, uint64(len(w.tab)))
	for _, s := range w.tab {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return append(b, w.b...)
}

type figReader struct {
	b   []byte
	tab []string
	err error
}

func (r *figReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = ErrFiguresFormat
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *figReader) int() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = ErrFiguresFormat
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length, refusing one longer than what is left could hold (a corrupt
// length must not allocate gigabytes).
func (r *figReader) count() int {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.err = ErrFiguresFormat
		return 0
	}
	return int(n)
}

func (r *figReader) sym() string {
	n := r.uint()
	if r.err == nil && n >= uint64(len(r.tab)) {
		r.err = ErrFiguresFormat
		return ""
	}
	if r.err != nil {
		return ""
	}
	return r.tab[n]
}

func (r *figReader) cell() Cell {
	j, org := r.sym(), r.sym()
	y, m := r.uint(), r.uint()
	if m < 1 || m > 12 || y > 9999 {
		r.err = ErrFiguresFormat
	}
	return Cell{j, org, Month{int(y), time.Month(m)}}
}

func (r *figReader) measure() Measure {
	return Measure{DurationKind(r.sym()), r.sym(), r.sym()}
}

func (r *figReader) days() float32 { return math.Float32frombits(uint32(r.uint())) }

// DecodeFigures reads figures written by AppendTo.
func DecodeFigures(b []byte) (*Figures, error) {
	r := &figReader{b: b}
	if v := r.uint(); r.err == nil && v != figuresFormat {
		return nil, fmt.Errorf("%w: version %d", ErrFiguresFormat, v)
	}
	r.tab = make([]string, r.count())
	for i := range r.tab {
		n := r.count()
		if r.err != nil {
			break
		}
		r.tab[i] = string(r.b[:n])
		r.b = r.b[n:]
	}
	f := NewFigures()
	f.changes = r.uint()
	for range r.count() {
		c := r.cell()
		byFig := map[Figure]int{}
		for range r.count() {
			byFig[Figure(r.sym())] = int(r.int())
		}
		f.counts[c] = byFig
	}
	for range r.count() {
		c := r.cell()
		byMeasure := map[Measure][]float32{}
		for range r.count() {
			m := r.measure()
			ws := make([]float32, r.count())
			for i := range ws {
				ws[i] = r.days()
			}
			byMeasure[m] = ws
		}
		f.durations[c] = byMeasure
	}
	for range r.count() {
		id := r.sym()
		c := r.cell()
		ct := &caseTrack{month: c.Month, jurisdiction: c.Jurisdiction, organisation: c.Organisation}
		// Sized as written: a track lives as long as its case, and appends would
		// leave up to half of each slice unused.
		if n := r.count(); n > 0 {
			ct.counted = make([]figureCount, n)
			for i := range ct.counted {
				ct.counted[i] = figureCount{Figure(r.sym()), int(r.int())}
			}
		}
		if n := r.count(); n > 0 {
			ct.waited = make([]wait, n)
			for i := range ct.waited {
				ct.waited[i] = wait{r.measure(), r.days()}
			}
		}
		for i := range ct.reachedAt {
			ct.reachedAt[i] = r.int()
		}
		f.cases[id] = ct
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = ErrFiguresFormat
	}
	if r.err != nil {
		return nil, r.err
	}
	return f, nil
}
