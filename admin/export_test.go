package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// exportOps is a server that makes exports: the request echoed back, or a refusal.
type exportOps struct {
	testOps
	got ExportRequest
}

func (o *exportOps) Export(_ context.Context, req ExportRequest, w io.Writer) error {
	o.got = req
	switch req.CaseID {
	case "no-request":
		return fmt.Errorf("%w: case no-request has no subject-access request", ErrRefused)
	case "nobody":
		return fmt.Errorf("%w: no case %q", ErrNotFound, req.CaseID)
	case "half":
		fmt.Fprint(w, "half an export")
		return errors.New("the store went away")
	}
	_, err := fmt.Fprintf(w, "export of %s, for survivor %v, request %q, key %q", req.CaseID, req.ForSurvivor, req.RequestID, req.AuditKeyPEM)
	return err
}

func TestExportThroughTheSocket(t *testing.T) {
	ops := &exportOps{}
	_, lock := start(t, ops)
	c := NewClient(SocketPath(lock.Dir()))
	var out bytes.Buffer
	req := ExportRequest{CaseID: "c-1", ForSurvivor: true, RequestID: "sar-1", AuditKeyPEM: []byte("PEM")}
	if err := c.Export(t.Context(), req, &out); err != nil {
		t.Fatal(err)
	}
	if want := `export of c-1, for survivor true, request "sar-1", key "PEM"`; out.String() != want || ops.got.CaseID != "c-1" {
		t.Errorf("export: %q, want %q", out.String(), want)
	}
	for _, tc := range []struct {
		id   string
		want error
		msg  string
	}{
		{"no-request", ErrRefused, "subject-access request"},
		{"nobody", ErrNotFound, `no case "nobody"`},
		{"half", nil, "the store went away"},
	} {
		out.Reset()
		err := c.Export(t.Context(), ExportRequest{CaseID: tc.id}, &out)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %v with %q", tc.id, err, tc.want, tc.msg)
		}
		if out.Len() != 0 {
			t.Errorf("%s: a failed export wrote %q", tc.id, out.String())
		}
	}
	if err := c.Export(t.Context(), ExportRequest{}, &out); !errors.Is(err, ErrRefused) {
		t.Errorf("an export of no case: %v, want ErrRefused", err)
	}
}

// A server that makes no exports says so.
func TestExportOfAServerWithoutExports(t *testing.T) {
	_, lock := start(t, &testOps{})
	err := NewClient(SocketPath(lock.Dir())).Export(t.Context(), ExportRequest{CaseID: "c-1"}, io.Discard)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no exports") {
		t.Errorf("export from a server without exports: %v", err)
	}
}
