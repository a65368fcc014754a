package member

import (
	"context"
	"fmt"
)

// Erase carries out /deleteme in one transaction: every profile of the user
// becomes anonymous (no name, phone, organisation or Telegram id; status
// deleted), the roster entries with a phone number they verified go from
// every district's roster, and the user id is forgotten everywhere (user record,
// conversations, coordinator grant, logs, invitations). District, post,
// education, start year and the history's status changes stay, so counts
// stay right. The audit log records the erasure without any personal data,
// and the person's earlier entries keep the erasure's number in place of
// their id (AuditEntry.ActorErased). A user with nothing stored gets nil; a
// user who comes back later can register anew.
func (s *Service) Erase(ctx context.Context, userID int64) error {
	if userID <= 0 {
		return ErrInvalidUser
	}
	now := s.now()
	err := s.st.Atomic(ctx, func(ctx context.Context, tx Tx) error {
		ps, err := tx.MembersByUser(ctx, userID)
		if err != nil {
			return err
		}
		// labelled first: erasing a profile takes the user id off the
		// lines about it, by which they are found
		label, err := tx.LabelErased(ctx, userID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			// Only a phone they proved is theirs: anyone can type another's
			// number, and erasing would then wipe that person off the rosters.
			if p.Phone != "" && p.PhoneVerified {
				if err := tx.DeleteRosterPhone(ctx, p.Phone); err != nil {
					return err
				}
			}
			if err := tx.EraseMember(ctx, p.ID, now); err != nil {
				return err
			}
			if err := tx.AddHistory(ctx, HistoryEntry{MemberID: p.ID, At: now, Kind: HistoryDeleted, FromDistrict: p.District}); err != nil {
				return err
			}
		}
		if err := tx.ForgetUser(ctx, userID); err != nil {
			return err
		}
		for _, p := range ps {
			if err := tx.AddAudit(ctx, AuditEntry{At: now, Action: AuditErased, ActorErased: label, TargetMember: p.ID, District: p.District}); err != nil {
				return err
			}
		}
		if len(ps) == 0 {
			return tx.AddAudit(ctx, AuditEntry{At: now, Action: AuditErased, ActorErased: label})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("erase user: %w", err)
	}
	return nil
}
