package member

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Service is the people domain: profiles, approvals, roles, invites, rosters,
// audit and erasure. Scope is enforced here, not only in the bot: every
// method that acts for someone takes the actor's user id first and checks
// their role and district inside the same transaction as the change.
type Service struct {
	// Now is the clock; tests replace it.
	Now func() time.Time

	st        Store
	districts Districts
	admins    map[int64]bool
}

// NewService returns a Service over st. admins are the Telegram user ids from
// the configuration (DANGWU_ADMINS): they are administrators whatever the
// database says.
func NewService(st Store, districts Districts, admins []int64) *Service {
	s := &Service{Now: time.Now, st: st, districts: districts, admins: make(map[int64]bool)}
	for _, id := range admins {
		if id > 0 {
			s.admins[id] = true
		}
	}
	return s
}

// Districts returns the districts the service knows.
func (s *Service) Districts() Districts { return s.districts }

// IsAdmin reports whether userID is an administrator from the configuration.
func (s *Service) IsAdmin(userID int64) bool { return s.admins[userID] }

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// Access returns the user's role and district scope. A user the service has
// never seen is a RoleWorker.
func (s *Service) Access(ctx context.Context, userID int64) (Access, error) {
	return s.accessIn(ctx, s.st, userID)
}

// Role returns the user's role; see Access.
func (s *Service) Role(ctx context.Context, userID int64) (Role, error) {
	a, err := s.Access(ctx, userID)
	return a.Role, err
}

func (s *Service) accessIn(ctx context.Context, r Reader, userID int64) (Access, error) {
	if s.admins[userID] {
		return Access{UserID: userID, Role: RoleAdmin}, nil
	}
	c, err := r.Coordinator(ctx, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Access{UserID: userID, Role: RoleWorker}, nil
	case err != nil:
		return Access{}, fmt.Errorf("access of %d: %w", userID, err)
	}
	return Access{UserID: userID, Role: RoleCoordinator, District: c.District}, nil
}

// coordinatorIn returns the actor's access if they are a coordinator or an
// admin, and ErrForbidden otherwise.
func (s *Service) coordinatorIn(ctx context.Context, r Reader, actor int64) (Access, error) {
	a, err := s.accessIn(ctx, r, actor)
	if err != nil {
		return Access{}, err
	}
	if a.Role < RoleCoordinator {
		return Access{}, ErrForbidden
	}
	return a, nil
}

func (s *Service) decorate(p Profile) Profile {
	if p.UserID != 0 && s.admins[p.UserID] {
		p.Role, p.CoordDistrict = RoleAdmin, ""
	}
	return p
}

func (s *Service) decorateAll(ps []Profile) []Profile {
	for i := range ps {
		ps[i] = s.decorate(ps[i])
	}
	return ps
}

// Check validates and normalises one field as a person typed it, for the
// registration and edit dialogues: it returns the value that would be stored
// (the district's canonical name, the phone's 11 digits, the year as digits)
// or the field's Err… sentinel.
func (s *Service) Check(f Field, value string) (string, error) {
	switch f {
	case FieldName:
		return ValidateName(value)
	case FieldPhone:
		return NormalizePhone(value)
	case FieldDistrict:
		d, ok := s.districts.Resolve(value)
		if !ok {
			return "", ErrUnknownDistrict
		}
		return d, nil
	case FieldOrg:
		return ValidateOrg(value)
	case FieldPost:
		return ValidatePost(value)
	case FieldEducation:
		return ValidateEducation(value)
	case FieldStartYear:
		y, err := ParseStartYear(value, s.Now())
		if err != nil {
			return "", err
		}
		return fmt.Sprint(y), nil
	}
	return "", ErrUnknownField
}

// seenEvery is how stale a user's last-seen time may be.
const seenEvery = 5 * time.Minute

// Seen records that the user sent an update: it creates or refreshes the user
// and clears a blocked mark, since a user who writes again is reachable again.
func (s *Service) Seen(ctx context.Context, u TelegramUser) error {
	return s.SeenFirst(ctx, u, nil)
}

// SeenFirst is Seen that, the first time the user is seen, also calls first
// with their access, in the same transaction: a role granted before they
// ever opened the bot is announced when they do, or not at all.
func (s *Service) SeenFirst(ctx context.Context, u TelegramUser, first func(ctx context.Context, a Access) error) error {
	if u.ID <= 0 {
		return ErrInvalidUser
	}
	now := s.now()
	// Someone seen a moment ago, unchanged, is not written again: the
	// time seen is kept to seenEvery (a report counts days), and every
	// update a person sends would otherwise be a write of its own.
	if fresh, err := s.st.SeenSince(ctx, u, now.Add(-seenEvery)); err == nil && fresh {
		return nil
	}
	return s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		known := true
		if first != nil {
			var err error
			if known, err = tx.UserKnown(ctx, u.ID); err != nil {
				return err
			}
		}
		if err := tx.TouchUser(ctx, u, now); err != nil {
			return err
		}
		if known {
			return nil
		}
		a, err := s.accessIn(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		return first(ctx, a)
	})
}

// Opened reports whether the user has ever written to the bot in private,
// so the bot may write to them (Telegram refuses a first message from a
// bot). A grant to someone who has not waits for them to.
func (s *Service) Opened(ctx context.Context, userID int64) (bool, error) {
	return s.st.UserKnown(ctx, userID)
}

// MarkBlocked records that the user blocked the bot (Telegram answered 403):
// they leave the Active list until they write again.
func (s *Service) MarkBlocked(ctx context.Context, userID int64) error {
	if userID <= 0 {
		return ErrInvalidUser
	}
	now := s.now()
	return s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		return tx.MarkBlocked(ctx, userID, now)
	})
}

// Get returns the user's profile: the live one, or else the newest rejected
// one (so the bot can say so). ErrNotFound if the user never registered or
// erased their data.
func (s *Service) Get(ctx context.Context, userID int64) (Profile, error) {
	ps, err := s.st.MembersByUser(ctx, userID)
	if err != nil {
		return Profile{}, err
	}
	if len(ps) == 0 {
		return Profile{}, ErrNotFound
	}
	for _, p := range ps {
		if p.Status.Live() {
			return s.decorate(p), nil
		}
	}
	return s.decorate(ps[0]), nil
}

// liveIn returns the user's live profile or ErrNotFound.
func liveIn(ctx context.Context, r Reader, userID int64) (Profile, error) {
	ps, err := r.MembersByUser(ctx, userID)
	if err != nil {
		return Profile{}, err
	}
	for _, p := range ps {
		if p.Status.Live() {
			return p, nil
		}
	}
	return Profile{}, ErrNotFound
}

// validate checks every field of a registration and returns it normalised.
func (s *Service) validate(r Registration) (Registration, error) {
	var err error
	if r.UserID <= 0 {
		return r, ErrInvalidUser
	}
	if r.Name, err = ValidateName(r.Name); err != nil {
		return r, err
	}
	if r.Phone, err = NormalizePhone(r.Phone); err != nil {
		return r, err
	}
	d, ok := s.districts.Resolve(r.District)
	if !ok {
		return r, ErrUnknownDistrict
	}
	r.District = d
	if r.Org, err = ValidateOrg(r.Org); err != nil {
		return r, err
	}
	if r.Post, err = ValidatePost(r.Post); err != nil {
		return r, err
	}
	if r.Education, err = ValidateEducation(r.Education); err != nil {
		return r, err
	}
	if err = ValidateStartYear(r.StartYear, s.Now()); err != nil {
		return r, err
	}
	return r, nil
}

// onRoster reports whether p's phone is verified and on the roster of p's
// district: the condition for approval without a coordinator.
func onRoster(ctx context.Context, r Reader, p Profile) (bool, error) {
	if !p.PhoneVerified || p.Phone == "" {
		return false, nil
	}
	// Only p's district's roster counts: the same phone on another
	// district's roster approves nobody here.
	_, err := r.RosterEntry(ctx, p.Phone, p.District)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Register creates the user's profile in one transaction, after checking
// every field. It is approved at once when the phone is verified and on the
// roster of the chosen district, and pending otherwise. The history records
// "joined" (and "approved" for a roster match, also audited). A user with a
// live profile gets ErrAlreadyRegistered; a rejected or erased user may
// register again.
func (s *Service) Register(ctx context.Context, r Registration) (Profile, error) {
	r, err := s.validate(r)
	if err != nil {
		return Profile{}, err
	}
	now := s.now()
	var out Profile
	err = s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.EnsureUser(ctx, r.UserID, now); err != nil {
			return err
		}
		if _, err := liveIn(ctx, tx, r.UserID); err == nil {
			return ErrAlreadyRegistered
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := tx.MemberByPhone(ctx, r.Phone); err == nil {
			return ErrPhoneTaken
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		p := Profile{
			UserID: r.UserID, Name: r.Name, Phone: r.Phone, PhoneVerified: r.PhoneVerified,
			District: r.District, Org: r.Org, Post: r.Post, Education: r.Education, StartYear: r.StartYear,
			Status: StatusPending, StatusAt: now, CreatedAt: now, UpdatedAt: now,
		}
		auto, err := onRoster(ctx, tx, p)
		if err != nil {
			return err
		}
		if auto {
			p.Status, p.StatusReason = StatusApproved, ReasonRoster
		}
		if p, err = tx.InsertMember(ctx, p); err != nil {
			return err
		}
		if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: HistoryJoined, ToDistrict: p.District}); err != nil {
			return err
		}
		if auto {
			if err := approvedByRoster(ctx, tx, p, 0, now); err != nil {
				return err
			}
		}
		out, err = tx.MemberByID(ctx, p.ID)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("register %d: %w", r.UserID, err)
	}
	return s.decorate(out), nil
}

// approvedByRoster writes the history and audit entries of an approval
// because the phone is on the roster; actor is the importing coordinator, or
// 0 when it happened at registration.
func approvedByRoster(ctx context.Context, tx Tx, p Profile, actor int64, now time.Time) error {
	if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: HistoryApproved, Actor: actor, ToDistrict: p.District, Reason: ReasonRoster}); err != nil {
		return err
	}
	return tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditApproved, TargetMember: p.ID, TargetUser: p.UserID, District: p.District, Reason: ReasonRoster})
}

// Update changes one field of the user's live profile, from /me. value is
// checked as Check does. Rules:
//   - A phone given here counts as typed, not verified; use UpdatePhone for a
//     phone from the share-contact button.
//   - Moving district is recorded in the history ("moved"). An approved
//     member stays approved only if their verified phone is on the new
//     district's roster; otherwise they go back to pending, for the new
//     district's coordinator to approve ("pending" in the history): a worker
//     cannot place themselves in another district's rankings and broadcasts.
//     A pending member whose verified phone is on the new district's roster is
//     approved at once; an approved one stays approved, and either approval
//     is in the new district's history and audit log. A member who left
//     stays left.
//   - Other edits keep the status.
//
// ErrNotFound if the user has no live profile.
func (s *Service) Update(ctx context.Context, userID int64, f Field, value string) (Profile, error) {
	if f == FieldPhone {
		return s.UpdatePhone(ctx, userID, value, false)
	}
	v, err := s.Check(f, value)
	if err != nil {
		return Profile{}, err
	}
	now := s.now()
	var out Profile
	err = s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		p, err := liveIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		switch f {
		case FieldName:
			p.Name = v
		case FieldOrg:
			p.Org = v
		case FieldPost:
			p.Post = v
		case FieldEducation:
			p.Education = v
		case FieldStartYear:
			if p.StartYear, err = strconv.Atoi(v); err != nil {
				return ErrInvalidStartYear
			}
		case FieldDistrict:
			if v == p.District {
				out = p
				return nil
			}
			from := p.District
			p.District = v
			if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: HistoryMoved, FromDistrict: from, ToDistrict: v}); err != nil {
				return err
			}
			was := p.Status
			if p, err = s.recheck(ctx, tx, p, now); err != nil {
				return err
			}
			if was == StatusApproved && p.Status == StatusApproved {
				// approved there by its roster: its coordinators see why
				if err := approvedByRoster(ctx, tx, p, 0, now); err != nil {
					return err
				}
			}
		}
		p.UpdatedAt = now
		if err := tx.UpdateMember(ctx, p); err != nil {
			return err
		}
		out, err = tx.MemberByID(ctx, p.ID)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("update %s of %d: %w", f, userID, err)
	}
	return s.decorate(out), nil
}

// MoveNeedsApproval reports whether moving the user's live profile to
// district would take it back to pending, for that district's coordinators
// to approve: it is approved, and its verified phone is not on that
// district's roster. The bot asks before such a move. ErrUnknownDistrict,
// or ErrNotFound if the user has no live profile.
func (s *Service) MoveNeedsApproval(ctx context.Context, userID int64, district string) (bool, error) {
	d, ok := s.districts.Resolve(district)
	if !ok {
		return false, ErrUnknownDistrict
	}
	p, err := liveIn(ctx, s.st, userID)
	if err != nil {
		return false, err
	}
	if p.Status != StatusApproved || p.District == d {
		return false, nil
	}
	p.District = d
	on, err := onRoster(ctx, s.st, p)
	return !on, err
}

// recheck applies the roster after the district or phone of p changed, and
// writes the history and audit entries of a resulting status change. The
// caller writes p.
func (s *Service) recheck(ctx context.Context, tx Tx, p Profile, now time.Time) (Profile, error) {
	if p.Status != StatusPending && p.Status != StatusApproved {
		return p, nil
	}
	ok, err := onRoster(ctx, tx, p)
	if err != nil {
		return p, err
	}
	switch {
	case ok && p.Status == StatusPending:
		p.Status, p.StatusReason, p.StatusAt = StatusApproved, ReasonRoster, now
		if err := approvedByRoster(ctx, tx, p, 0, now); err != nil {
			return p, err
		}
	case !ok && p.Status == StatusApproved:
		p.Status, p.StatusReason, p.StatusAt = StatusPending, "", now
		if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: HistoryPending, ToDistrict: p.District}); err != nil {
			return p, err
		}
	}
	return p, nil
}

// UpdatePhone changes the phone of the user's live profile. verified says
// whether it came from the user's own contact card. An approved member stays
// approved; a pending one whose verified phone is on their district's roster
// is approved at once. ErrPhoneTaken if another live profile has the number.
func (s *Service) UpdatePhone(ctx context.Context, userID int64, phone string, verified bool) (Profile, error) {
	phone, err := NormalizePhone(phone)
	if err != nil {
		return Profile{}, err
	}
	now := s.now()
	var out Profile
	err = s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		p, err := liveIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		if other, err := tx.MemberByPhone(ctx, phone); err == nil && other.ID != p.ID {
			return ErrPhoneTaken
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		p.Phone, p.PhoneVerified, p.UpdatedAt = phone, verified, now
		if p.Status == StatusPending {
			was := p.Status
			if p, err = s.recheck(ctx, tx, p, now); err != nil {
				return err
			}
			if was == StatusApproved && p.Status == StatusApproved {
				// approved there by its roster: its coordinators see why
				if err := approvedByRoster(ctx, tx, p, 0, now); err != nil {
					return err
				}
			}
		}
		if err := tx.UpdateMember(ctx, p); err != nil {
			return err
		}
		out, err = tx.MemberByID(ctx, p.ID)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("update phone of %d: %w", userID, err)
	}
	return s.decorate(out), nil
}

// sortedIDs returns the keys of m in order.
func sortedIDs(m map[int64]bool) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
