package scheduler

import (
	"context"
	"errors"
	"fmt"

	"github.com/dangwu/dangwu/member"
)

// ErrRawSpec refuses a raw cron spec from a coordinator: only
// administrators may give one; coordinators choose 每天 / 每周几 / 每月几号.
var ErrRawSpec = errors.New("scheduler: only administrators may give a raw cron spec")

// Schedules lists the recurring notices in the actor's scope.
func (s *Service) Schedules(ctx context.Context, actor member.Access) ([]Schedule, error) {
	district, err := scope(actor)
	if err != nil {
		return nil, err
	}
	return s.store.Schedules(ctx, district)
}

// SaveSchedule adds (ID 0) or changes a recurring notice. raw says the
// spec was typed as cron rather than chosen: only administrators may. A
// coordinator's spec must be one the menu makes (RecurrenceOf), or the
// one the schedule already has. One made in chat is, once saved, the
// actor's: its runs check their scope (RunSchedules).
func (s *Service) SaveSchedule(ctx context.Context, actor member.Access, sc Schedule, raw bool) (Schedule, error) {
	district, err := scope(actor)
	if err != nil {
		return Schedule{}, err
	}
	menuOnly := actor.Role != member.RoleAdmin
	if raw && menuOnly {
		return Schedule{}, ErrRawSpec
	}
	if district != "" {
		if sc.District != "" && sc.District != district {
			return Schedule{}, ErrOutOfScope
		}
		sc.District = district
	}
	a, ok := sc.Audience.Normalize().Within(sc.District)
	if !ok {
		return Schedule{}, ErrNoDistricts
	}
	sc.Audience = a
	if err := sc.Validate(s.districts); err != nil {
		return Schedule{}, err
	}
	err = s.atomic(ctx, func(ctx context.Context) error {
		if sc.ID != 0 {
			old, err := s.store.Schedule(ctx, sc.ID)
			if err != nil {
				return err
			}
			if !covers(district, old.District) {
				return ErrOutOfScope
			}
			if menuOnly && sc.Spec == old.Spec {
				menuOnly = false
			}
			sc.Key, sc.CreatedBy = old.Key, old.CreatedBy
			if sc.Key == "" {
				sc.CreatedBy = actor.UserID // whoever changes it answers for it
			}
		} else {
			sc.CreatedBy = actor.UserID
		}
		if _, ok := RecurrenceOf(sc.Spec); menuOnly && !ok {
			return ErrRawSpec
		}
		// Runs count from now: a new or changed schedule has missed nothing.
		sc.LastRun = s.clock()
		return s.store.PutSchedule(ctx, &sc)
	})
	return sc, err
}

// PauseSchedule pauses or resumes a recurring notice. A resumed one counts
// its runs from now, so nothing missed while paused is sent, and (made in
// chat) is the resumer's from then on.
func (s *Service) PauseSchedule(ctx context.Context, actor member.Access, id int64, paused bool) (Schedule, error) {
	district, err := scope(actor)
	if err != nil {
		return Schedule{}, err
	}
	var sc Schedule
	err = s.atomic(ctx, func(ctx context.Context) error {
		if sc, err = s.store.Schedule(ctx, id); err != nil {
			return err
		}
		if !covers(district, sc.District) {
			return ErrOutOfScope
		}
		sc.Paused = paused
		if !paused {
			sc.LastRun = s.clock()
			if sc.Key == "" {
				// Whoever resumes one made in chat answers for it: one
				// paused because its author lost the district runs again
				// in the name of a coordinator who has it.
				sc.CreatedBy = actor.UserID
			}
		}
		return s.store.PutSchedule(ctx, &sc)
	})
	return sc, err
}

// DeleteSchedule removes a recurring notice in the actor's scope.
func (s *Service) DeleteSchedule(ctx context.Context, actor member.Access, id int64) error {
	district, err := scope(actor)
	if err != nil {
		return err
	}
	return s.atomic(ctx, func(ctx context.Context) error {
		sc, err := s.store.Schedule(ctx, id)
		if err != nil {
			return err
		}
		if !covers(district, sc.District) {
			return ErrOutOfScope
		}
		return s.store.DeleteSchedule(ctx, id)
	})
}

// RunSchedules sends each recurring notice whose run has come: once, even
// when several runs were missed while the bot was down, and only when the
// latest missed run is still today (MissedRun). One made in chat whose
// author is no longer a coordinator covering its district is paused
// instead, and they are told. Each run and its messages commit together;
// one that fails is tried again at the next call and the others go on. It
// returns how many notices it sent.
func (s *Service) RunSchedules(ctx context.Context) (int, error) {
	all, err := s.store.Schedules(ctx, "")
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	now := s.clock()
	for _, sc := range all {
		if sc.Paused {
			continue
		}
		next, err := NextRun(sc.Spec, sc.LastRun, s.loc)
		if err != nil || next.After(now) {
			continue // a bad spec stays as it is; the check reports it
		}
		sent := false
		err = s.atomic(ctx, func(ctx context.Context) error {
			cur, err := s.store.Schedule(ctx, sc.ID)
			if err != nil || cur.Paused || !cur.LastRun.Equal(sc.LastRun) {
				return err // changed meanwhile
			}
			_, due, err := MissedRun(cur.Spec, cur.LastRun, now, s.loc)
			if err != nil {
				return err
			}
			cur.LastRun = now
			if err := s.store.PutSchedule(ctx, &cur); err != nil {
				return err
			}
			if !due {
				return nil // the run was on an earlier day: dropped
			}
			// A district's notice without districts is for that district
			// (a content schedule may leave the audience out).
			a, ok := cur.Audience.Within(cur.District)
			if !ok {
				return nil
			}
			// One a coordinator made must still be theirs to send: one
			// revoked or moved since is paused, and told.
			why, err := s.scheduleLapse(ctx, cur)
			if err != nil {
				return err
			}
			if why != "" {
				return s.pauseLapsed(ctx, &cur, why)
			}
			r, err := s.store.Resolve(ctx, a, PushSchedule)
			if err != nil {
				return err
			}
			if err := s.send(ctx, r.UserIDs, s.msgs.Recurring(cur), PushSchedule, scheduleRef(cur.ID), true, false); err != nil {
				return err
			}
			sent = true
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("schedule %d: %w", sc.ID, err))
			continue
		}
		if sent {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// LoadContent brings the venues, schedules and events of the content into
// the store: entries are matched by their content id, so edits replace
// them and a coordinator's changes to other entries stay; content
// schedules no longer in the content stop. An edit that moves an open
// event not yet begun (its time, place or title) is told to the people
// signed up, and one that adds places moves people up from its waiting
// list, as UpdateEvent does.
func (s *Service) LoadContent(ctx context.Context, c Content) error {
	return s.atomic(ctx, func(ctx context.Context) error {
		now := s.clock()
		before := make(map[string]Event, len(c.Events))
		for _, e := range c.Events {
			switch old, err := s.store.EventByKey(ctx, e.Key); {
			case err == nil:
				before[e.Key] = old
			case !errors.Is(err, ErrNotFound):
				return err
			}
		}
		if err := s.store.SyncContentVenues(ctx, c.Venues); err != nil {
			return err
		}
		if err := s.store.SyncContentSchedules(ctx, c.Schedules, now); err != nil {
			return err
		}
		if err := s.store.SyncContentEvents(ctx, c.Events, c.EventVenues, newSecret); err != nil {
			return err
		}
		for _, e := range c.Events {
			stored, err := s.store.EventByKey(ctx, e.Key)
			if err != nil {
				return err
			}
			if err := s.store.PutReminders(ctx, stored.ID, s.reminderRows(stored), now); err != nil {
				return err
			}
			old, had := before[e.Key]
			if !had || stored.State != Open || !now.Before(old.Start) {
				continue
			}
			if stored.Capacity == 0 || stored.Capacity > old.Capacity {
				if err := s.promote(ctx, stored); err != nil {
					return err
				}
			}
			if moved(old, stored) {
				signups, err := s.store.Signups(ctx, stored.ID)
				if err != nil {
					return err
				}
				if err := s.send(ctx, signupUsers(signups, ""), s.msgs.Changed(stored, old), PushReminder, eventRef(stored.ID), false, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// moved reports whether an edit changed what a person signed up for needs
// to know: when, where, or what.
func moved(old, e Event) bool {
	return !old.Start.Equal(e.Start) || !old.End.Equal(e.End) || old.VenueID != e.VenueID || old.Place != e.Place ||
		old.Title != e.Title
}

// Tick does the scheduler's timed work: scheduled broadcasts, due
// reminders and recurring notices. The bot runs it every few seconds;
// tests call it after moving the clock. It returns the broadcasts it
// released.
//
// Each part runs whatever another failed: a notice that cannot be queued
// must not hold up the others. The error joins the failures.
func (s *Service) Tick(ctx context.Context) ([]Broadcast, error) {
	released, errBroadcasts := s.SendDueBroadcasts(ctx)
	_, errReminders := s.SendReminders(ctx)
	_, errSchedules := s.RunSchedules(ctx)
	errTakeBack := s.TakeBackLate(ctx)
	return released, errors.Join(errBroadcasts, errReminders, errSchedules, errTakeBack)
}
