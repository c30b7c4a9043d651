package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
)

// maxReplyBody bounds a reply read by the client.
const maxReplyBody = 1 << 20

// Client asks the server on a data directory's admin socket. It trusts only a server
// running as its own effective user.
type Client struct {
	socket string
	http   *http.Client
}

// NewClient returns a client of the socket at path (SocketPath of a data directory).
// Requests last as long as their context allows.
func NewClient(path string) *Client {
	c := &Client{socket: path}
	c.http = &http.Client{Transport: &http.Transport{
		DialContext:       c.dial,
		DisableKeepAlives: true, // one request per command: nothing to keep
	}}
	return c
}

// dial connects to the socket and checks who is on the other end.
func (c *Client) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.socket)
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %w", ErrUnavailable, c.socket, err)
	}
	uid, _, err := peerCred(conn.(*net.UnixConn))
	if err != nil || uid != os.Geteuid() {
		conn.Close()
		return nil, fmt.Errorf("%w: %s is served by uid %d, this is uid %d (%v)", ErrUntrusted, c.socket, uid, os.Geteuid(), err)
	}
	return conn, nil
}

// Status describes the server.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	return st, c.do(ctx, http.MethodGet, "/v1/status", &st)
}

// RotateKeys has the server rotate its key-encryption key (see Operations).
func (c *Client) RotateKeys(ctx context.Context) (Rotation, error) {
	var rot Rotation
	return rot, c.do(ctx, http.MethodPost, "/v1/keys/rotate", &rot)
}

// Organisation looks an organisation up in the server's directory.
func (c *Client) Organisation(ctx context.Context, id string) (Organisation, error) {
	var org Organisation
	return org, c.do(ctx, http.MethodGet, "/v1/organisations/"+url.PathEscape(id), &org)
}

// do sends a request without a body and decodes the reply into out.
func (c *Client) do(ctx context.Context, method, path string, out any) error {
	return c.doLimited(ctx, method, path, out, maxReplyBody)
}

// doLimited is do reading at most limit bytes of reply.
func (c *Client) doLimited(ctx context.Context, method, path string, out any, limit int64) error {
	// The host is a placeholder: dial always reaches the socket.
	req, err := http.NewRequestWithContext(ctx, method, "http://waymark-admin"+path, nil)
	if err != nil {
		return fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is a placeholder; the dial error says what happened
		}
		return fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return fmt.Errorf("admin %s %s: read reply: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			return fmt.Errorf("admin %s %s: %s", method, path, resp.Status)
		}
		switch e.Code {
		case codeNotFound:
			return &remoteError{kind: ErrNotFound, msg: e.Error}
		case codeRefused:
			return &remoteError{kind: ErrRefused, msg: e.Error}
		}
		return fmt.Errorf("the server failed: %s", e.Error)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("admin %s %s: decode reply: %w", method, path, err)
	}
	return nil
}

// remoteError is the server's sentence, matching the sentinel it was sent under.
type remoteError struct {
	kind error
	msg  string
}

func (e *remoteError) Error() string        { return e.msg }
func (e *remoteError) Is(target error) bool { return target == e.kind }
