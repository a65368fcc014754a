package member

import (
	"context"
	"time"
)

// Store is the persistence the Service needs. Reads outside a transaction go
// through the Reader methods; every write happens inside Atomic, so a change
// that touches several rows is either wholly kept or wholly discarded.
type Store interface {
	Reader
	// Atomic runs fn in one transaction. If fn returns an error, nothing it
	// wrote is kept and Atomic returns that error. The context fn receives
	// carries the transaction: other stores of the same database called with
	// it (the outbox queuing the notices a change causes) join it, and an
	// Atomic called with a context that already carries one joins that.
	Atomic(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// Reader reads profiles, roles, invites, the roster and the logs. Methods that
// look up one thing return ErrNotFound when it does not exist.
type Reader interface {
	MemberByID(ctx context.Context, id int64) (Profile, error)
	// MembersByUser returns every profile of the user that is not deleted,
	// newest first (at most one of them is live).
	MembersByUser(ctx context.Context, userID int64) ([]Profile, error)
	// MemberByPhone returns the live profile with this phone.
	MemberByPhone(ctx context.Context, phone string) (Profile, error)
	// UserKnown reports whether the user has ever written to the bot in
	// private (the bot may write to them).
	UserKnown(ctx context.Context, userID int64) (bool, error)
	// SeenSince reports whether the user is stored as u has them (names
	// and language), not marked blocked, and was last seen at or after
	// since: recording them seen again would change nothing but the time.
	SeenSince(ctx context.Context, u TelegramUser, since time.Time) (bool, error)
	ListMembers(ctx context.Context, f MemberFilter) ([]Profile, error)
	// RosterEntry returns the entry of phone on district's roster. Each
	// district keeps its own roster: the same phone may be on several.
	RosterEntry(ctx context.Context, phone, district string) (RosterEntry, error)
	Coordinator(ctx context.Context, userID int64) (Coordinator, error)
	Coordinators(ctx context.Context) ([]Coordinator, error)
	InviteByHash(ctx context.Context, hash string) (Invite, error)
	History(ctx context.Context, memberID int64) ([]HistoryEntry, error)
	// Audit returns the newest limit entries, newest first.
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// MemberFilter selects profiles for ListMembers. Zero fields select all.
type MemberFilter struct {
	Statuses []Status
	District string
	// Reachable keeps only profiles linked to a user who has not blocked the bot.
	Reachable bool
	// Query keeps profiles whose name or phone contains it.
	Query string
	Limit int
}

// Tx is a transaction: the reads of Reader plus every write.
type Tx interface {
	Reader
	// TouchUser records that the user was seen now: it creates or updates the
	// user and clears any blocked mark.
	TouchUser(ctx context.Context, u TelegramUser, at time.Time) error
	// EnsureUser creates the user if unknown, changing nothing otherwise.
	EnsureUser(ctx context.Context, userID int64, at time.Time) error
	// MarkBlocked marks a known user as having blocked the bot.
	MarkBlocked(ctx context.Context, userID int64, at time.Time) error

	// InsertMember stores a new profile and returns it with its id. It returns
	// ErrAlreadyRegistered or ErrPhoneTaken if a live profile already has the
	// user or the phone.
	InsertMember(ctx context.Context, p Profile) (Profile, error)
	// UpdateMember writes every field of an existing profile but its id and
	// creation time. It returns ErrPhoneTaken like InsertMember.
	UpdateMember(ctx context.Context, p Profile) error
	// EraseMember turns the profile into an anonymous deleted one: no user,
	// name, phone or organisation; reasons in its history and in audit entries
	// about it are blanked. District, post, education and start year stay, so
	// counts stay right.
	EraseMember(ctx context.Context, memberID int64, at time.Time) error
	// ForgetUser removes every trace of the Telegram user id: the user and
	// their conversations, any coordinator grant, and the id wherever a log or
	// invite refers to it. Profiles must be erased first.
	ForgetUser(ctx context.Context, userID int64) error
	// LabelErased marks the audit entries the user is actor or target of
	// (as a user, or through one of their profiles) with a new erasure
	// number (see AuditEntry.ActorErased) and returns it. Call it before
	// EraseMember and ForgetUser.
	LabelErased(ctx context.Context, userID int64) (int64, error)

	AddHistory(ctx context.Context, h HistoryEntry) error
	AddAudit(ctx context.Context, a AuditEntry) error

	// PutRoster creates or replaces the entry of r.Phone on r.District's
	// roster; other districts' entries for the phone are left alone.
	PutRoster(ctx context.Context, r RosterEntry) error
	// DeleteRosterPhone removes the phone from every district's roster (the
	// erasure of the person it belongs to).
	DeleteRosterPhone(ctx context.Context, phone string) error

	// PutCoordinator creates or replaces the user's coordinator grant.
	PutCoordinator(ctx context.Context, c Coordinator) error
	// DeleteCoordinator removes the grant; ErrNotFound if there was none.
	DeleteCoordinator(ctx context.Context, userID int64) error

	// InsertInvite stores an invitation under the hash of its code.
	InsertInvite(ctx context.Context, inv Invite, hash string) (Invite, error)
	// UseInvite marks the invitation used; ErrInviteUsed if it already was.
	UseInvite(ctx context.Context, id, userID int64, at time.Time) error
}
