package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/webhooks"
)

// feedWebhooks hands the work queues' changes of the organisations with a webhook to
// the dispatcher until ctx ends. It follows the node's current service: a live
// rebuild retires the read models it listened to, and it then listens to the new
// ones (what changed in between is in myWork, which receivers read to catch up).
func feedWebhooks(ctx context.Context, current func() *app.Service, d *webhooks.Dispatcher, logger *slog.Logger) {
	for ctx.Err() == nil {
		err := current().ForwardWork(ctx, d.Configured, func(c app.WorkChange) {
			if err := d.Enqueue(webhookNotification(c)); err != nil {
				logger.Warn("webhook notification not queued", "organisation", c.Organisation, "err", err)
			}
		})
		switch {
		case err == nil:
			return
		case errors.Is(err, app.ErrWorkFeedEnded):
			logger.Info("webhooks: the work feed ended (a rebuild or a slow dispatcher); following the current read models")
		default:
			logger.Warn("webhooks: no work feed", "err", err)
		}
		select { // the next service may not be swapped in yet: a moment, not a spin
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// webhookNotification is a work change as a webhook sends it: ids and codes. Its id
// is derived from the change itself (the event's position, the organisation, the item
// and which way it changed), so each replica, and a restart that replays the change,
// sends the same id: receivers drop duplicates by it.
func webhookNotification(c app.WorkChange) webhooks.Notification {
	typ := "work.removed"
	if c.Added {
		typ = "work.added"
	}
	sum := sha256.Sum256([]byte(c.Position + "\x00" + c.Organisation + "\x00" + string(c.Kind) + "\x00" + c.CaseID + "\x00" + c.ItemID + "\x00" + typ))
	return webhooks.Notification{
		ID: "wk-" + hex.EncodeToString(sum[:16]), Organisation: c.Organisation, Type: typ,
		CaseID: c.CaseID, ItemKind: string(c.Kind), ItemID: c.ItemID, At: c.At,
	}
}
