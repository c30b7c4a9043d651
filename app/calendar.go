package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/waymark-org/waymark/calendar"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// deadlines computes the statutory due dates of block requests to credit bureaus,
// which the domain cannot look up (a calendar is configuration, the bureau's
// jurisdiction is in the directory): FileCreditDispute and ResubmitCreditDispute get
// their DueAt here, just before they are decided, from the decision's own now.
type deadlines struct {
	calendars *calendar.Set
	logger    *slog.Logger
	warned    sync.Map // jurisdiction + year → struct{}: the holidays-unknown warning, once
}

func newDeadlines(set *calendar.Set, logger *slog.Logger) *deadlines {
	if set == nil {
		set = calendar.Default()
	}
	return &deadlines{calendars: set, logger: logger}
}

// withDueDate returns cmd with its DueAt set when it starts a bureau's clock; any
// other command is returned as it is. What a caller put in DueAt is replaced.
func (s *Service) withDueDate(ctx context.Context, cmd domain.Command, c domain.Case, now time.Time) (domain.Command, error) {
	switch x := cmd.(type) {
	case domain.FileCreditDispute:
		x.DueAt = s.deadlines.dueAt(x.Bureau.Jurisdiction, now)
		return x, nil
	case domain.ResubmitCreditDispute:
		d, ok := c.Disputes[x.DisputeID]
		if !ok {
			x.DueAt = time.Time{}
			return x, nil // the domain says the dispute is unknown
		}
		// The bureau's own stream, not the directory read model: the demo seeder has
		// none, and a bureau deactivated since keeps its jurisdiction.
		a, err := s.load(ctx, eventstore.StreamName(eventstore.KindOrganisation, d.Bureau), foldOrganisationEvent, false)
		if err != nil {
			return nil, err
		}
		x.DueAt = s.deadlines.dueAt(organisationState(a).Jurisdiction, now)
		return x, nil
	}
	return cmd, nil
}

// dueAt is the due date of a request received now by a bureau of jurisdiction: the
// bureau's, because the law that binds the bureau sets its clock (a dispute filed by
// a Mexican shelter with a US agency runs on FCRA §605C). Zero when the jurisdiction
// has no calendar or no statutory clock.
//
// Past the years whose holidays the calendar lists, the count goes on with weekends
// only: a due date a holiday too early, rather than none, and a warning, once per
// jurisdiction and year, that the calendar file needs the new year's holidays.
func (d *deadlines) dueAt(jurisdiction string, now time.Time) time.Time {
	cal, ok := d.calendars.For(jurisdiction)
	if !ok || cal.BlockDays <= 0 {
		return time.Time{}
	}
	if last := cal.LastDay(now); !cal.Covers(now, last) {
		key := jurisdiction + "/" + last.String()[:4]
		if _, seen := d.warned.LoadOrStore(key, struct{}{}); !seen {
			d.logger.Warn("holidays unknown: due dates count weekends only; add this year's holidays to the calendar file",
				"jurisdiction", jurisdiction, "year", last.Year, "known", cal.HolidayYears)
		}
	}
	return cal.DueAt(now).UTC() // stored and shown in UTC, like every other time
}
