package scheduler

import (
	"context"
	"fmt"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/outbox"
)

// Lapse says why the author of something left to go later — a scheduled
// broadcast, a recurring notice made in chat — may no longer send it.
type Lapse string

// The reasons.
const (
	// LapseRole: they are no longer a coordinator (the role was revoked,
	// or they were erased).
	LapseRole Lapse = "role"
	// LapseDistrict: they coordinate another district now, or one
	// district where they had the whole city.
	LapseDistrict Lapse = "district"
)

// lapse checks, when a thing of district made by author goes out, that
// author may still send to district: it returns "" when they may, or why
// not. It reads their access as it is now, in the transaction of ctx.
// An author of 0 is nobody to ask: see the callers.
func (s *Service) lapse(ctx context.Context, author int64, district string) (Lapse, error) {
	a, err := s.access(ctx, author)
	if err != nil {
		return "", fmt.Errorf("access of %d: %w", author, err)
	}
	switch {
	case a.Role >= member.RoleCoordinator && a.Covers(district):
		return "", nil
	case a.Role >= member.RoleCoordinator:
		return LapseDistrict, nil
	}
	return LapseRole, nil
}

// broadcastLapse is lapse for a scheduled broadcast. One without an author
// is the operator's, and goes, when it is the city's; a district's one
// without an author lost it to an erasure (a district's scope is always a
// coordinator's), and does not. A city-wide author's notice addressed to
// some districts goes while they still cover each of those, though they
// no longer have the whole city.
func (s *Service) broadcastLapse(ctx context.Context, b Broadcast) (Lapse, error) {
	if b.CreatedBy == 0 {
		if b.District == "" {
			return "", nil
		}
		return LapseRole, nil
	}
	return s.audienceLapse(ctx, b.CreatedBy, b.District, b.Audience)
}

// audienceLapse is lapse for a notice of district ("" city-wide) to
// audience: a city-wide one addressed to some districts still goes while
// its author covers each of those.
func (s *Service) audienceLapse(ctx context.Context, author int64, district string, audience Audience) (Lapse, error) {
	why, err := s.lapse(ctx, author, district)
	if why != LapseDistrict || district != "" || len(audience.Districts) == 0 {
		return why, err
	}
	for _, d := range audience.Districts {
		if why, err := s.lapse(ctx, author, d); why != "" || err != nil {
			return why, err
		}
	}
	return "", nil
}

// scheduleLapse is lapse for a recurring notice. The content's are the
// operator's and always run; one made in chat without an author lost it
// to an erasure. Like a scheduled broadcast, a city-wide author's notice
// to some districts runs while they cover each of those.
func (s *Service) scheduleLapse(ctx context.Context, sc Schedule) (Lapse, error) {
	switch {
	case sc.CreatedBy == 0 && sc.Key != "":
		return "", nil
	case sc.CreatedBy == 0:
		return LapseRole, nil
	}
	return s.audienceLapse(ctx, sc.CreatedBy, sc.District, sc.Audience)
}

// dropLapsed cancels a scheduled broadcast whose author may no longer send
// it and, in the same transaction, tells them why, if the bot can still
// reach them.
func (s *Service) dropLapsed(ctx context.Context, b *Broadcast, why Lapse) error {
	b.State = Dropped
	if err := s.store.UpdateBroadcast(ctx, *b); err != nil {
		return err
	}
	m := s.msgs.Lapsed(*b, why)
	return s.tellAuthor(ctx, b.CreatedBy, m, broadcastRef(b.ID)+":lapsed")
}

// pauseLapsed pauses a recurring notice whose author may no longer send
// it and tells them why, in the same transaction. A coordinator in scope
// who resumes it takes it over.
func (s *Service) pauseLapsed(ctx context.Context, sc *Schedule, why Lapse) error {
	sc.Paused = true
	if err := s.store.PutSchedule(ctx, sc); err != nil {
		return err
	}
	return s.tellAuthor(ctx, sc.CreatedBy, s.msgs.ScheduleLapsed(*sc, why), scheduleRef(sc.ID)+":lapsed")
}

// tellAuthor queues m to author, unless there is none (erased) or the bot
// cannot write to them (they never wrote to it, or blocked it).
func (s *Service) tellAuthor(ctx context.Context, author int64, m outbox.Message, ref string) error {
	if author == 0 {
		return nil
	}
	ok, err := s.store.Reachable(ctx, author)
	if err != nil || !ok {
		return err
	}
	m.ChatID, m.Kind, m.Ref, m.Repeatable, m.NotBefore = author, "status", ref, true, s.now()
	return s.outbox.Enqueue(ctx, []outbox.Message{m})
}

// ForgetAuthor is the scheduler's part of erasing userID: their scheduled
// broadcasts are cancelled and the recurring notices they made in chat are
// paused, since the erasure takes their name off them and nothing could
// tell afterwards that their author is gone. Call it in the erasure's
// transaction, before the erasure. Nobody is told: the person is leaving.
func (s *Service) ForgetAuthor(ctx context.Context, userID int64) error {
	if userID == 0 {
		return nil
	}
	return s.atomic(ctx, func(ctx context.Context) error {
		bs, err := s.store.ScheduledBroadcastsBy(ctx, userID)
		if err != nil {
			return err
		}
		for _, b := range bs {
			b.State = Dropped
			if err := s.store.UpdateBroadcast(ctx, b); err != nil {
				return err
			}
		}
		all, err := s.store.Schedules(ctx, "")
		if err != nil {
			return err
		}
		for _, sc := range all {
			if sc.CreatedBy != userID || sc.Key != "" || sc.Paused {
				continue
			}
			sc.Paused = true
			if err := s.store.PutSchedule(ctx, &sc); err != nil {
				return err
			}
		}
		return nil
	})
}
