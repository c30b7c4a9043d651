package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/waymark-org/waymark/webhooks"
)

const webhooksHelp = `Prints the webhook delivery log (<data-dir>/webhooks/deliveries.jsonl and its rotated
files), oldest first: every attempt with its delivery id, organisation, notification
type, attempt number, the receiver's HTTP status or an error class, and its outcome
(delivered, retry, dead_lettered, dropped, abandoned). It reads the files only, so it
works with or without a server running. No secret and no body is ever logged.

`

// webhooksCommand: waymark webhooks log [--organisation ID]
func webhooksCommand(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "log" {
		return fmt.Errorf("%w: webhooks log [--organisation ID]", errUsage)
	}
	fset := flag.NewFlagSet("webhooks log", flag.ContinueOnError)
	dataDir := fset.String("data-dir", "./data", "the data directory")
	org := fset.String("organisation", "", "only this organisation's deliveries")
	asJSON := fset.Bool("json", false, "print the records as JSON lines")
	if err := parse(fset, args[1:]); err != nil {
		return err
	}
	recs, err := webhooks.ReadLog(webhookDir(*dataDir), *org)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	if len(recs) == 0 {
		what := "no webhook deliveries logged"
		if *org != "" {
			what += " for " + *org
		}
		fmt.Fprintf(out, "%s in %s\n", what, webhookDir(*dataDir))
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tORGANISATION\tDELIVERY\tTYPE\tATTEMPT\tSTATUS\tERROR\tOUTCOME")
	for _, r := range recs {
		status := "-"
		if r.Status != 0 {
			status = fmt.Sprint(r.Status)
		}
		attempt := "-"
		if r.Attempt != 0 {
			attempt = fmt.Sprint(r.Attempt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.At.UTC().Format(time.RFC3339), r.Organisation, r.Delivery, r.Type,
			attempt, status, orDash(r.Error), r.Outcome)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
