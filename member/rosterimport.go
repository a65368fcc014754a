package member

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Notify queues the messages that approvals cause. ImportRoster calls it
// inside the transaction that approved the people, with that transaction's
// context, so the approvals and their notices commit together.
type Notify func(ctx context.Context, approved []Profile) error

// RosterBatch is how many rows ImportRoster writes in one transaction, so
// that a large roster never holds the database's write lock for long.
const RosterBatch = 500

// rosterPause is how long ImportRoster leaves the database alone between
// two batches. A writer waiting for the lock sleeps at most 100 ms at a time
// in SQLite's busy handler, so a longer pause gives it its turn: without
// one, batch after batch starves it (measured: waits of 2–3 s).
const rosterPause = 120 * time.Millisecond

// ImportRoster adds rows to their districts' rosters and approves the
// pending registrations they match (verified phone, same district),
// RosterBatch rows to a transaction; notify (may be nil) queues the notices
// of each batch's approvals in that batch's transaction. Each district keeps
// its own roster, keyed by phone: a row adds or updates only the entry of
// its phone on its own district's roster, so the same phone may be on
// several districts' rosters and no import sees, blocks or changes another
// district's entries. Rows are checked again; a district coordinator's rows
// for another district are left out as ErrOutOfScope problems. Rows with
// problems are left out and the others imported: a bot that wants all or
// nothing shows ParseRoster's problems and asks first. The import and each
// approval are audited. If a batch fails (or ctx ends), that batch and the
// rest are not written, the batches before it stay, and the error says how
// many rows were written; importing the same file again completes it.
func (s *Service) ImportRoster(ctx context.Context, actor int64, rows []RosterRow, notify Notify) (RosterReport, error) {
	if actor <= 0 {
		return RosterReport{}, ErrForbidden
	}
	return s.importRoster(ctx, actor, rows, notify)
}

// ImportRosterAsOperator is ImportRoster for the command line (`dangwu
// import`): the operator who runs the binary acts city-wide, and the audit
// log records the import and its approvals with no actor.
func (s *Service) ImportRosterAsOperator(ctx context.Context, rows []RosterRow, notify Notify) (RosterReport, error) {
	return s.importRoster(ctx, 0, rows, notify)
}

// importRoster imports for actor, or for the operator when actor is 0.
func (s *Service) importRoster(ctx context.Context, actor int64, rows []RosterRow, notify Notify) (RosterReport, error) {
	var valid []RosterRow
	var pre []RowProblem
	firstLine := make(map[string]int)
	for _, r := range rows {
		row, problems := checkRosterRow(r.Line, map[Field]string{
			FieldName: r.Name, FieldPhone: r.Phone, FieldDistrict: r.District, FieldOrg: r.Org, FieldPost: r.Post,
		}, s.districts)
		if len(problems) == 0 {
			if first, dup := firstLine[rosterKey(row)]; dup {
				problems = append(problems, RowProblem{Line: r.Line, Field: FieldPhone, Value: r.Phone, Err: ErrDuplicatePhone, SeeLine: first})
			} else {
				firstLine[rosterKey(row)] = r.Line
			}
		}
		if len(problems) > 0 {
			pre = append(pre, problems...)
			continue
		}
		valid = append(valid, row)
	}
	now := s.now()
	rep := RosterReport{Problems: slices.Clone(pre)}
	a := Access{Role: RoleAdmin}
	if actor != 0 {
		var err error
		if a, err = s.coordinatorIn(ctx, s.st, actor); err != nil {
			return RosterReport{}, fmt.Errorf("import roster by %d: %w", actor, err)
		}
	}
	for start := 0; start < len(valid); start += RosterBatch {
		batch := valid[start:min(start+RosterBatch, len(valid))]
		if start > 0 {
			if err := pause(ctx, rosterPause); err != nil {
				return rep, fmt.Errorf("import roster by %d: stopped after %d of %d rows: %w", actor, start, len(valid), err)
			}
		}
		var part RosterReport
		err := s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
			part = RosterReport{}
			// The actor's scope is read again in each transaction: a
			// coordinator revoked meanwhile imports no further rows.
			if actor != 0 {
				var err error
				if a, err = s.coordinatorIn(ctx, tx, actor); err != nil {
					return err
				}
			}
			if err := s.importBatch(ctx, tx, a, actor, batch, now, &part); err != nil {
				return err
			}
			if notify != nil && len(part.Approved) > 0 {
				return notify(ctx, part.Approved)
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("import roster by %d: stopped after %d of %d rows: %w", actor, start, len(valid), err)
		}
		rep.Added += part.Added
		rep.Updated += part.Updated
		rep.Skipped += part.Skipped
		rep.Problems = append(rep.Problems, part.Problems...)
		rep.Approved = append(rep.Approved, part.Approved...)
	}
	err := s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		return tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditRosterImport, District: a.District,
			Reason: fmt.Sprintf("added=%d updated=%d skipped=%d approved=%d problems=%d", rep.Added, rep.Updated, rep.Skipped, len(rep.Approved), len(rep.Problems))})
	})
	if err != nil {
		return rep, fmt.Errorf("import roster by %d: %w", actor, err)
	}
	slices.SortStableFunc(rep.Problems, func(a, b RowProblem) int { return a.Line - b.Line })
	return rep, nil
}

// importBatch writes rows within a's scope in tx, counting into part.
func (s *Service) importBatch(ctx context.Context, tx Tx, a Access, actor int64, rows []RosterRow, now time.Time, part *RosterReport) error {
	for _, r := range rows {
		if !a.Covers(r.District) {
			part.Problems = append(part.Problems, RowProblem{Line: r.Line, Field: FieldDistrict, Value: r.District, Err: ErrOutOfScope})
			continue
		}
		e := RosterEntry{Phone: r.Phone, Name: r.Name, District: r.District, Org: r.Org, Post: r.Post, ImportedBy: actor, ImportedAt: now, UpdatedAt: now}
		// Only the row's own district's roster is consulted: whether the
		// phone is on another district's roster is none of this import's
		// business.
		old, err := tx.RosterEntry(ctx, r.Phone, r.District)
		switch {
		case errors.Is(err, ErrNotFound):
			if err := tx.PutRoster(ctx, e); err != nil {
				return err
			}
			part.Added++
		case err != nil:
			return err
		case old.Name == e.Name && old.Org == e.Org && old.Post == e.Post:
			part.Skipped++
		default:
			e.ImportedAt = old.ImportedAt
			if err := tx.PutRoster(ctx, e); err != nil {
				return err
			}
			part.Updated++
		}
		p, err := tx.MemberByPhone(ctx, r.Phone)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if p.Status != StatusPending || !p.PhoneVerified || p.District != r.District {
			continue
		}
		movedFrom, err := movedSinceApproval(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		p.Status, p.StatusReason, p.StatusAt, p.UpdatedAt = StatusApproved, ReasonRoster, now, now
		if err := tx.UpdateMember(ctx, p); err != nil {
			return err
		}
		if err := approvedByRoster(ctx, tx, p, actor, now); err != nil {
			return err
		}
		if p, err = tx.MemberByID(ctx, p.ID); err != nil {
			return err
		}
		p.MovedFrom = movedFrom
		part.Approved = append(part.Approved, s.decorate(p))
	}
	return nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
