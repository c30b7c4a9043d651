package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
	jetstreamstore "github.com/waymark-org/waymark/eventstore/jetstream"
)

const tailHelp = `Prints the de-identified analytics feed as it is published, one message a line: its
subject, then the CloudEvent (--json: the CloudEvent alone, newline-delimited JSON).
It logs in like any analytics consumer: an analyst's NATS user (waymark nats-user add
--account analytics), or the login serve --demo prints. The password comes from
WAYMARK_NATS_PASSWORD (or --nats-password).

--subject narrows the feed (default waymark.analytics.>): waymark.analytics.mx.> is one
jurisdiction, waymark.analytics.*.tombstones the tombstones, waymark.analytics.*.*.
bank-account-opened one event type. --all reads the analysts' stream from its first
message, then follows it; without it, only what is published from now on. An
analyst's replies from JetStream come to its own inboxes, _INBOX.<user> (the only
ones it may read), which is the default --inbox-prefix with --nats-user.

`

// tailCommand: waymark tail
func tailCommand(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("tail", flag.ContinueOnError)
	url := fs.String("nats-url", "nats://127.0.0.1:4222", "the NATS server (the embedded one's client port by default)")
	user := fs.String("nats-user", "", "NATS user (an analyst's)")
	password := fs.String("nats-password", "", "its password (prefer WAYMARK_NATS_PASSWORD)")
	creds := fs.String("nats-creds", "", "a NATS credentials file instead of user and password (servers in operator mode)")
	subject := fs.String("subject", analytics.StreamSubjects, "the subjects to print, within "+analytics.StreamSubjects)
	all := fs.Bool("all", false, "start at the analysts' stream's first message instead of now")
	count := fs.Int("count", 0, "stop after this many messages (0: until interrupted)")
	asJSON := fs.Bool("json", false, "print the CloudEvents alone, one JSON document a line")
	ca := fs.String("nats-ca", "", "PEM file of the CAs of the server's certificate (tls:// URLs; default: the system's)")
	cert := fs.String("nats-cert", "", "client certificate (PEM), for a server that asks for one")
	key := fs.String("nats-key", "", "its private key (PEM)")
	inboxPrefix := fs.String("inbox-prefix", "", "the inboxes JetStream replies to (default _INBOX.<user> with --nats-user, _INBOX with --nats-creds)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkTailSubject(*subject); err != nil {
		return err
	}
	switch {
	case *count < 0:
		return fmt.Errorf("%w: --count %d: want 0 (no limit) or more", errUsage, *count)
	case *creds != "" && *user != "":
		return fmt.Errorf("%w: give --nats-user or --nats-creds, not both", errUsage)
	case (*user == "") != (*password == ""):
		return fmt.Errorf("%w: --nats-user and its password (WAYMARK_NATS_PASSWORD) go together", errUsage)
	case (*cert == "") != (*key == ""):
		return fmt.Errorf("%w: --nats-cert and --nats-key go together", errUsage)
	case *user == "" && *creds == "":
		return fmt.Errorf("%w: tail needs a NATS login: --nats-user with WAYMARK_NATS_PASSWORD, or --nats-creds", errUsage)
	}
	if *inboxPrefix == "" {
		*inboxPrefix = "_INBOX"
		if *user != "" {
			*inboxPrefix = jetstreamstore.AnalystInboxPrefix(*user)
		}
	}
	// A generous connect timeout: the login may be a bcrypt check on a busy server.
	opts := []nats.Option{nats.Name("waymark tail"), nats.MaxReconnects(-1), nats.CustomInboxPrefix(*inboxPrefix),
		nats.Timeout(15 * time.Second)}
	if *ca != "" {
		opts = append(opts, nats.RootCAs(*ca))
	}
	if *cert != "" {
		opts = append(opts, nats.ClientCert(*cert, *key))
	}
	if *creds != "" {
		opts = append(opts, nats.UserCredentials(*creds))
	} else {
		opts = append(opts, nats.UserInfo(*user, *password))
	}
	nc, err := nats.Connect(*url, opts...)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redactURL(*url), err)
	}
	defer nc.Close()
	msgs := make(chan *nats.Msg, 256)
	stop, err := tailSource(ctx, nc, *subject, *all, msgs)
	if err != nil {
		return err
	}
	defer stop()
	logger.Debug("tailing the analytics feed", "subject", *subject, "all", *all)
	for n := 0; *count == 0 || n < *count; n++ {
		select {
		case <-ctx.Done():
			return nil
		case m := <-msgs:
			if err := printTailMessage(out, m, *asJSON); err != nil {
				return err
			}
		}
	}
	return nil
}

// tailSource starts delivering the feed's messages on subject to msgs: from the
// analysts' stream's start through an ordered consumer (all), or a plain
// subscription from now.
func tailSource(ctx context.Context, nc *nats.Conn, subject string, all bool, msgs chan *nats.Msg) (stop func(), err error) {
	if !all {
		sub, err := nc.ChanSubscribe(subject, msgs)
		if err != nil {
			return nil, fmt.Errorf("subscribe to %s: %w", subject, err)
		}
		if err := nc.FlushTimeout(10 * time.Second); err != nil {
			sub.Unsubscribe()
			return nil, fmt.Errorf("subscribe to %s: %w", subject, err)
		}
		if err := nc.LastError(); err != nil {
			sub.Unsubscribe()
			return nil, fmt.Errorf("subscribe to %s: %w", subject, err)
		}
		return func() { sub.Unsubscribe() }, nil
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	cons, err := js.OrderedConsumer(ctx, analytics.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", analytics.StreamName, err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case msgs <- &nats.Msg{Subject: m.Subject(), Data: m.Data()}:
		case <-ctx.Done():
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", analytics.StreamName, err)
	}
	return cc.Stop, nil
}

// checkTailSubject refuses a subject outside the feed: tail reads nothing else, and
// the analytics account may read nothing else.
func checkTailSubject(s string) error {
	within := strings.HasPrefix(s, analytics.SubjectPrefix) && len(s) > len(analytics.SubjectPrefix)
	if !within || strings.ContainsAny(s, " \t\r\n") || strings.Contains(s, "..") || strings.HasSuffix(s, ".") {
		return fmt.Errorf("%w: --subject %q: want a subject within %s, like waymark.analytics.mx.>", errUsage, s, analytics.StreamSubjects)
	}
	return nil
}

func printTailMessage(out io.Writer, m *nats.Msg, asJSON bool) error {
	var err error
	if asJSON {
		_, err = fmt.Fprintf(out, "%s\n", m.Data)
	} else {
		_, err = fmt.Fprintf(out, "%s %s\n", m.Subject, m.Data)
	}
	if err != nil {
		return fmt.Errorf("print: %w", err)
	}
	return nil
}
