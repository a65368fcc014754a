package member

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxFound is the most profiles Find returns.
const MaxFound = 50

// scoped loads a profile for a coordinator action: ErrForbidden for a worker,
// ErrNotFound for no such (or an erased) profile, ErrOutOfScope for a
// district coordinator and a profile of another district.
func (s *Service) scoped(ctx context.Context, r Reader, actor, memberID int64) (Access, Profile, error) {
	a, err := s.coordinatorIn(ctx, r, actor)
	if err != nil {
		return Access{}, Profile{}, err
	}
	p, err := r.MemberByID(ctx, memberID)
	if err != nil {
		return Access{}, Profile{}, err
	}
	if p.Status == StatusDeleted {
		return Access{}, Profile{}, ErrNotFound
	}
	if !a.Covers(p.District) {
		return Access{}, Profile{}, ErrOutOfScope
	}
	return a, p, nil
}

// Member returns a profile by its id for the member themselves or for a
// coordinator whose scope covers it.
func (s *Service) Member(ctx context.Context, actor, memberID int64) (Profile, error) {
	p, err := s.st.MemberByID(ctx, memberID)
	if err != nil {
		return Profile{}, err
	}
	if p.Status == StatusDeleted {
		return Profile{}, ErrNotFound
	}
	if p.UserID == actor {
		return s.decorate(p), nil
	}
	if _, p, err = s.scoped(ctx, s.st, actor, memberID); err != nil {
		return Profile{}, err
	}
	return s.decorate(p), nil
}

// History returns the status changes of a profile, oldest first, to the
// member themselves (also after leaving) or to a coordinator whose scope
// covers them.
func (s *Service) History(ctx context.Context, actor, memberID int64) ([]HistoryEntry, error) {
	if _, err := s.Member(ctx, actor, memberID); err != nil {
		return nil, err
	}
	return s.st.History(ctx, memberID)
}

// Pending returns the registrations waiting for approval that the actor may
// decide, oldest first: their own district's for a district coordinator, all
// for a city-wide coordinator or an admin.
func (s *Service) Pending(ctx context.Context, actor int64) ([]Profile, error) {
	a, err := s.coordinatorIn(ctx, s.st, actor)
	if err != nil {
		return nil, err
	}
	ps, err := s.st.ListMembers(ctx, MemberFilter{Statuses: []Status{StatusPending}, District: a.District})
	if err != nil {
		return nil, fmt.Errorf("pending for %d: %w", actor, err)
	}
	return s.decorateAll(ps), nil
}

// decide moves a pending profile to approved or rejected.
func (s *Service) decide(ctx context.Context, actor, memberID int64, to Status, reason string) (Profile, error) {
	now := s.now()
	var out Profile
	err := s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		_, p, err := s.scoped(ctx, tx, actor, memberID)
		if err != nil {
			return err
		}
		if p.Status != StatusPending {
			return ErrNotPending
		}
		kind, action := HistoryApproved, AuditApproved
		if to == StatusRejected {
			kind, action = HistoryRejected, AuditRejected
		}
		movedFrom := ""
		if to == StatusApproved {
			if movedFrom, err = movedSinceApproval(ctx, tx, p.ID); err != nil {
				return err
			}
		}
		p.Status, p.StatusReason, p.StatusAt, p.UpdatedAt = to, reason, now, now
		if err := tx.UpdateMember(ctx, p); err != nil {
			return err
		}
		if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: kind, Actor: actor, ToDistrict: p.District, Reason: reason}); err != nil {
			return err
		}
		if err := tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: action, TargetMember: p.ID, TargetUser: p.UserID, District: p.District, Reason: reason}); err != nil {
			return err
		}
		out, err = tx.MemberByID(ctx, p.ID)
		out.MovedFrom = movedFrom
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("%s member %d by %d: %w", to, memberID, actor, err)
	}
	return s.decorate(out), nil
}

// movedSinceApproval is the district a profile moved away from since it
// was last approved, and "" if it never was or has not moved since: what
// makes its next approval a re-approval. Call it before the approval's
// history entry is written.
func movedSinceApproval(ctx context.Context, r Reader, memberID int64) (string, error) {
	hist, err := r.History(ctx, memberID)
	if err != nil {
		return "", err
	}
	approved, from := false, ""
	for _, h := range hist {
		switch {
		case h.Kind == HistoryApproved:
			approved, from = true, ""
		case h.Kind == HistoryMoved && approved && from == "":
			from = h.FromDistrict
		}
	}
	return from, nil
}

// Approve approves a pending registration. A re-approval after a move
// returns the profile with MovedFrom set. ErrForbidden for a worker,
// ErrOutOfScope for a coordinator of another district, ErrNotPending if it is
// not pending; in each case nothing changes.
func (s *Service) Approve(ctx context.Context, actor, memberID int64) (Profile, error) {
	return s.decide(ctx, actor, memberID, StatusApproved, "")
}

// Reject refuses a pending registration with an optional reason (at most 200
// characters); the user may register again. Errors as Approve.
func (s *Service) Reject(ctx context.Context, actor, memberID int64, reason string) (Profile, error) {
	reason, err := validateReason(reason, false)
	if err != nil {
		return Profile{}, err
	}
	return s.decide(ctx, actor, memberID, StatusRejected, reason)
}

// Leave marks an approved worker as having left (退出) on date, for a reason
// (required). They keep their profile and their own history but drop out of
// Active. date is a calendar day in its own location; it may not be in the
// future. ErrNotApproved unless the worker is approved. A worker who is a
// coordinator loses the grant in the same step; only an admin may do that
// (ErrLeaverIsCoordinator for a coordinator).
func (s *Service) Leave(ctx context.Context, actor, memberID int64, date time.Time, reason string) (Profile, error) {
	reason, err := validateReason(reason, true)
	if err != nil {
		return Profile{}, err
	}
	if date.IsZero() || date.Year() < MinStartYear {
		return Profile{}, ErrInvalidDate
	}
	day := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	today := s.Now().In(date.Location())
	if day.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)) {
		return Profile{}, ErrInvalidDate
	}
	now := s.now()
	var out Profile
	err = s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		a, p, err := s.scoped(ctx, tx, actor, memberID)
		if err != nil {
			return err
		}
		if p.Status != StatusApproved {
			return ErrNotApproved
		}
		// Who leaves the work leaves its role: a coordinator's grant goes
		// with them, and only an admin, who grants it, may take it.
		switch c, err := tx.Coordinator(ctx, p.UserID); {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case a.Role < RoleAdmin:
			return ErrLeaverIsCoordinator
		default:
			if err := tx.DeleteCoordinator(ctx, p.UserID); err != nil {
				return err
			}
			if err := tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditRevoked, TargetUser: p.UserID, District: c.District, Reason: reason}); err != nil {
				return err
			}
		}
		p.Status, p.StatusReason, p.StatusAt, p.LeftOn, p.UpdatedAt = StatusLeft, reason, now, day, now
		if err := tx.UpdateMember(ctx, p); err != nil {
			return err
		}
		if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: HistoryLeft, Actor: actor, FromDistrict: p.District, On: day, Reason: reason}); err != nil {
			return err
		}
		if err := tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditLeft, TargetMember: p.ID, TargetUser: p.UserID, District: p.District, Reason: reason}); err != nil {
			return err
		}
		out, err = tx.MemberByID(ctx, p.ID)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("leave member %d by %d: %w", memberID, actor, err)
	}
	return s.decorate(out), nil
}

// Return brings a worker who left back to approved. ErrNotLeft unless they
// left.
func (s *Service) Return(ctx context.Context, actor, memberID int64) (Profile, error) {
	now := s.now()
	var out Profile
	err := s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		_, p, err := s.scoped(ctx, tx, actor, memberID)
		if err != nil {
			return err
		}
		if p.Status != StatusLeft {
			return ErrNotLeft
		}
		p.Status, p.StatusReason, p.StatusAt, p.LeftOn, p.UpdatedAt = StatusApproved, "", now, time.Time{}, now
		if err := tx.UpdateMember(ctx, p); err != nil {
			return err
		}
		if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: HistoryReturned, Actor: actor, ToDistrict: p.District}); err != nil {
			return err
		}
		if err := tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditReturned, TargetMember: p.ID, TargetUser: p.UserID, District: p.District}); err != nil {
			return err
		}
		out, err = tx.MemberByID(ctx, p.ID)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("return member %d by %d: %w", memberID, actor, err)
	}
	return s.decorate(out), nil
}

// Active returns the approved members who have not left and have not blocked
// the bot, of one district or ("") of all: the list that rankings, reports
// and broadcasts use, in order of registration.
func (s *Service) Active(ctx context.Context, district string) ([]Profile, error) {
	if district != "" {
		d, ok := s.districts.Resolve(district)
		if !ok {
			return nil, ErrUnknownDistrict
		}
		district = d
	}
	ps, err := s.st.ListMembers(ctx, MemberFilter{Statuses: []Status{StatusApproved}, District: district, Reachable: true})
	if err != nil {
		return nil, fmt.Errorf("active members of %q: %w", district, err)
	}
	return s.decorateAll(ps), nil
}

// Find returns up to MaxFound profiles (pending, approved or left) whose name
// or phone contains query, within the actor's scope.
func (s *Service) Find(ctx context.Context, actor int64, query string) ([]Profile, error) {
	a, err := s.coordinatorIn(ctx, s.st, actor)
	if err != nil {
		return nil, err
	}
	q := strings.TrimSpace(query)
	if q == "" || utf8.RuneCountInString(q) > 20 {
		return nil, ErrInvalidQuery
	}
	if digits := strings.NewReplacer(" ", "", "-", "").Replace(q); strings.Trim(digits, "+0123456789") == "" {
		q = strings.TrimPrefix(digits, "+")
	} else if name, err := ValidateName(q); err == nil {
		q = name
	}
	ps, err := s.st.ListMembers(ctx, MemberFilter{
		Statuses: []Status{StatusPending, StatusApproved, StatusLeft},
		District: a.District, Query: q, Limit: MaxFound,
	})
	if err != nil {
		return nil, fmt.Errorf("find %q for %d: %w", query, actor, err)
	}
	return s.decorateAll(ps), nil
}
