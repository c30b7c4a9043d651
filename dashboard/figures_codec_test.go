package dashboard

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/waymark-org/waymark/domain"
)

func TestFiguresRoundTrip(t *testing.T) {
	j := randomYear(rand.New(rand.NewPCG(1, 1)), 4, 200)
	for i := range 20 { // waits, to be kept too
		id := fmt.Sprint("c", i)
		j.apply(id, domain.IDDocumentRequested{DocumentID: "d", Kind: domain.DocPassport, At: day("2025-12-31T00:00:00Z")})
	}
	if len(j.f.durations) == 0 {
		t.Fatal("no waits to encode")
	}
	got, err := DecodeFigures(j.f.AppendTo(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, j.f) {
		t.Error("decoded figures differ from the encoded")
	}
	if len(got.cases) != 200 || len(got.counts) == 0 {
		t.Errorf("%d cases, %d cells", len(got.cases), len(got.counts))
	}
}

func TestFiguresDecodeRefusesCorruptInput(t *testing.T) {
	b := randomYear(rand.New(rand.NewPCG(2, 2)), 3, 50).f.AppendTo(nil)
	for name, bad := range map[string][]byte{
		"empty":        nil,
		"truncated":    b[:len(b)/2],
		"trailing":     append(append([]byte{}, b...), 0),
		"version 9":    append([]byte{9}, b[1:]...),
		"huge lengths": {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		if _, err := DecodeFigures(bad); !errors.Is(err, ErrFiguresFormat) {
			t.Errorf("%s: %v, want ErrFiguresFormat", name, err)
		}
	}
}
