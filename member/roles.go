package member

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Invitation codes.
const (
	// InvitePrefix starts every invitation's deep-link payload.
	InvitePrefix = "inv_"
	// DefaultInviteTTL is an invitation's lifetime when none is given.
	DefaultInviteTTL = 72 * time.Hour
	// MaxInviteTTL is the longest lifetime an invitation may have.
	MaxInviteTTL = 30 * 24 * time.Hour

	inviteRandomBytes = 16
	// ReasonInvite is the reason of a grant made by redeeming an invitation.
	ReasonInvite = "invite"
)

var inviteCodeLen = len(InvitePrefix) + base64.RawURLEncoding.EncodedLen(inviteRandomBytes)

// MaxAudit is the most audit entries one call returns.
const MaxAudit = 500

func (s *Service) adminIn(ctx context.Context, r Reader, actor int64) error {
	a, err := s.accessIn(ctx, r, actor)
	if err != nil {
		return err
	}
	if a.Role != RoleAdmin {
		return ErrForbidden
	}
	return nil
}

// resolveScope turns a district typed by an admin into its canonical name;
// "" stays "" (city-wide).
func (s *Service) resolveScope(district string) (string, error) {
	if strings.TrimSpace(district) == "" {
		return "", nil
	}
	d, ok := s.districts.Resolve(district)
	if !ok {
		return "", ErrUnknownDistrict
	}
	return d, nil
}

// Grant makes userID a coordinator of district ("" for city-wide), replacing
// any earlier grant. Only admins may; the grant is audited.
func (s *Service) Grant(ctx context.Context, actor, userID int64, district string) (Access, error) {
	if userID <= 0 {
		return Access{}, ErrInvalidUser
	}
	district, err := s.resolveScope(district)
	if err != nil {
		return Access{}, err
	}
	now := s.now()
	err = s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		if err := s.adminIn(ctx, tx, actor); err != nil {
			return err
		}
		if err := tx.PutCoordinator(ctx, Coordinator{UserID: userID, District: district, GrantedBy: actor, GrantedAt: now}); err != nil {
			return err
		}
		return tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditGranted, TargetUser: userID, District: district})
	})
	if err != nil {
		return Access{}, fmt.Errorf("grant %d by %d: %w", userID, actor, err)
	}
	return s.Access(ctx, userID)
}

// Revoke removes userID's coordinator grant. Only admins may; ErrNotFound if
// the user is no coordinator. Administrators from the configuration stay
// administrators.
func (s *Service) Revoke(ctx context.Context, actor, userID int64) error {
	if userID <= 0 {
		return ErrInvalidUser
	}
	now := s.now()
	err := s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		if err := s.adminIn(ctx, tx, actor); err != nil {
			return err
		}
		c, err := tx.Coordinator(ctx, userID)
		if err != nil {
			return err
		}
		if err := tx.DeleteCoordinator(ctx, userID); err != nil {
			return err
		}
		return tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditRevoked, TargetUser: userID, District: c.District})
	})
	if err != nil {
		return fmt.Errorf("revoke %d by %d: %w", userID, actor, err)
	}
	return nil
}

func inviteHash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// CreateInvite makes a one-time invitation to become a coordinator of
// district ("" = city-wide), valid for ttl (0 = DefaultInviteTTL, at most
// MaxInviteTTL). Only admins may. The returned Invite's Code is the deep-link
// payload ("inv_" and 22 characters of A–Z a–z 0–9 _ -); only its hash is
// stored, so the code cannot be read back.
func (s *Service) CreateInvite(ctx context.Context, actor int64, district string, ttl time.Duration) (Invite, error) {
	if ttl == 0 {
		ttl = DefaultInviteTTL
	}
	if ttl < time.Minute || ttl > MaxInviteTTL {
		return Invite{}, ErrInvalidTTL
	}
	district, err := s.resolveScope(district)
	if err != nil {
		return Invite{}, err
	}
	var buf [inviteRandomBytes]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return Invite{}, fmt.Errorf("invite code: %w", err)
	}
	code := InvitePrefix + base64.RawURLEncoding.EncodeToString(buf[:])
	now := s.now()
	inv := Invite{District: district, CreatedBy: actor, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err = s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		if err := s.adminIn(ctx, tx, actor); err != nil {
			return err
		}
		var err error
		if inv, err = tx.InsertInvite(ctx, inv, inviteHash(code)); err != nil {
			return err
		}
		return tx.AddAudit(ctx, AuditEntry{At: now, Actor: actor, Action: AuditInviteCreated, District: district})
	})
	if err != nil {
		return Invite{}, fmt.Errorf("create invite by %d: %w", actor, err)
	}
	inv.Code = code
	return inv, nil
}

// validInviteCode reports whether code has the shape CreateInvite makes.
func validInviteCode(code string) bool {
	if len(code) != inviteCodeLen || !strings.HasPrefix(code, InvitePrefix) {
		return false
	}
	for _, r := range code[len(InvitePrefix):] {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// RedeemInvite makes userID a coordinator with the invitation's scope and
// uses the invitation up. ErrNotFound for an unknown or malformed code,
// ErrInviteUsed, ErrInviteExpired (an invitation expires at ExpiresAt), and
// ErrAlreadyAdmin for an administrator, whose click does not use it up. The
// grant is audited in the name of the admin who made the invitation.
func (s *Service) RedeemInvite(ctx context.Context, userID int64, code string) (Access, error) {
	if userID <= 0 {
		return Access{}, ErrInvalidUser
	}
	if !validInviteCode(code) {
		return Access{}, ErrNotFound
	}
	if s.admins[userID] {
		return Access{}, ErrAlreadyAdmin
	}
	now := s.now()
	err := s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		inv, err := tx.InviteByHash(ctx, inviteHash(code))
		if err != nil {
			return err
		}
		if inv.UsedBy != 0 || !inv.UsedAt.IsZero() {
			return ErrInviteUsed
		}
		if !now.Before(inv.ExpiresAt) {
			return ErrInviteExpired
		}
		if err := tx.UseInvite(ctx, inv.ID, userID, now); err != nil {
			return err
		}
		if err := tx.PutCoordinator(ctx, Coordinator{UserID: userID, District: inv.District, GrantedBy: inv.CreatedBy, GrantedAt: now}); err != nil {
			return err
		}
		return tx.AddAudit(ctx, AuditEntry{At: now, Actor: inv.CreatedBy, Action: AuditGranted, TargetUser: userID, District: inv.District, Reason: ReasonInvite})
	})
	if err != nil {
		return Access{}, fmt.Errorf("redeem invite for %d: %w", userID, err)
	}
	return s.Access(ctx, userID)
}

// Coordinators lists the coordinator grants, for admins.
func (s *Service) Coordinators(ctx context.Context, actor int64) ([]Coordinator, error) {
	if err := s.adminIn(ctx, s.st, actor); err != nil {
		return nil, err
	}
	return s.st.Coordinators(ctx)
}

// Approvers returns the user ids to tell about a new pending registration in
// district: its district coordinators and the city-wide ones, or the
// administrators if there are none.
func (s *Service) Approvers(ctx context.Context, district string) ([]int64, error) {
	cs, err := s.st.Coordinators(ctx)
	if err != nil {
		return nil, fmt.Errorf("approvers of %q: %w", district, err)
	}
	ids := make(map[int64]bool)
	for _, c := range cs {
		if c.District == "" || c.District == district {
			ids[c.UserID] = true
		}
	}
	if len(ids) == 0 {
		return sortedIDs(s.admins), nil
	}
	return sortedIDs(ids), nil
}

// Audit returns the newest entries of the audit log (limit ≤ 0 means 50, at
// most MaxAudit), newest first. Only admins may read it.
func (s *Service) Audit(ctx context.Context, actor int64, limit int) ([]AuditEntry, error) {
	if err := s.adminIn(ctx, s.st, actor); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxAudit)
	es, err := s.st.Audit(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return es, nil
}
