// Package member holds dangwu's people: the profiles of party-affairs workers
// (党务工作者), their registration and approval, departures and returns,
// roles (worker, coordinator, admin) with district scope, one-time invitations,
// district rosters, the audit log, and erasure on request.
//
// It knows nothing of Telegram: user ids are Telegram user ids as int64, and
// every error a person may see is a sentinel of this package (test it with
// errors.Is) that the bot turns into Chinese. It declares the Store it needs;
// store.MemberStore implements it.
package member

import (
	"errors"
	"time"
)

// Errors the bot turns into words for a person. Every error returned by this
// package that is not one of these (or does not wrap one) is internal.
var (
	ErrNotFound          = errors.New("member: not found")
	ErrForbidden         = errors.New("member: not allowed for this role")
	ErrOutOfScope        = errors.New("member: outside the coordinator's district")
	ErrAlreadyRegistered = errors.New("member: already registered")
	ErrPhoneTaken        = errors.New("member: phone number belongs to another registered member")
	ErrNotPending        = errors.New("member: registration is not pending")
	ErrNotApproved       = errors.New("member: member is not approved")
	ErrNotLeft           = errors.New("member: member has not left")
	// ErrLeaverIsCoordinator: a coordinator marked a coordinator as left,
	// which would take a grant only an admin may take.
	ErrLeaverIsCoordinator = errors.New("member: member is a coordinator; only an admin may mark them as left")
	ErrInviteExpired       = errors.New("member: invitation expired")
	ErrInviteUsed          = errors.New("member: invitation already used")
	ErrAlreadyAdmin        = errors.New("member: user is already an administrator")

	ErrInvalidUser      = errors.New("member: invalid user id")
	ErrInvalidName      = errors.New("member: invalid name")
	ErrInvalidPhone     = errors.New("member: invalid mainland mobile number")
	ErrUnknownDistrict  = errors.New("member: unknown district")
	ErrInvalidOrg       = errors.New("member: invalid organisation")
	ErrInvalidPost      = errors.New("member: invalid post")
	ErrInvalidEducation = errors.New("member: invalid education")
	ErrInvalidStartYear = errors.New("member: invalid start year")
	ErrInvalidReason    = errors.New("member: invalid reason")
	ErrInvalidDate      = errors.New("member: invalid date")
	ErrInvalidTTL       = errors.New("member: invalid invitation lifetime")
	ErrInvalidQuery     = errors.New("member: invalid search query")
	ErrUnknownField     = errors.New("member: unknown profile field")

	// Roster files and rows.
	ErrUnsupportedFile = errors.New("member: unsupported roster file type")
	ErrMissingColumn   = errors.New("member: roster is missing a required column")
	ErrDuplicateColumn = errors.New("member: roster has a column twice")
	ErrTooManyRows     = errors.New("member: roster has too many rows")
	ErrMissingValue    = errors.New("member: required value is empty")
	ErrDuplicatePhone  = errors.New("member: phone number appears twice in one district's roster")
)

// Role is what a user may do. Roles are ordered: a higher role may do all that
// a lower one may.
type Role int

const (
	RoleWorker Role = iota
	RoleCoordinator
	RoleAdmin
)

func (r Role) String() string {
	switch r {
	case RoleWorker:
		return "worker"
	case RoleCoordinator:
		return "coordinator"
	case RoleAdmin:
		return "admin"
	}
	return "unknown"
}

// Access is a user's role and, for a coordinator, the district they act in.
type Access struct {
	UserID int64
	Role   Role
	// District is the coordinator's district; "" means city-wide. Always ""
	// for workers and admins.
	District string
}

// Covers reports whether the user may act on people of district.
func (a Access) Covers(district string) bool {
	switch a.Role {
	case RoleAdmin:
		return true
	case RoleCoordinator:
		return a.District == "" || a.District == district
	}
	return false
}

// CityWide reports whether the user is an admin or a city-wide coordinator.
func (a Access) CityWide() bool {
	return a.Role == RoleAdmin || (a.Role == RoleCoordinator && a.District == "")
}

// Status is where a profile stands.
type Status string

const (
	StatusPending  Status = "pending"  // registered, waiting for a coordinator
	StatusApproved Status = "approved" // counts in rankings, reports, broadcasts
	StatusRejected Status = "rejected" // refused; the user may register again
	StatusLeft     Status = "left"     // departed (退出); keeps their own history
	StatusDeleted  Status = "deleted"  // erased on request; anonymous
)

// Live reports whether the profile belongs to someone still known: one user
// and one phone number have at most one live profile.
func (s Status) Live() bool {
	return s == StatusPending || s == StatusApproved || s == StatusLeft
}

// Profile is one registration of a worker.
type Profile struct {
	ID            int64
	UserID        int64 // Telegram user id; 0 after erasure
	Name          string
	Phone         string // 11 digits, no prefix; "" after erasure
	PhoneVerified bool   // shared through Telegram's own-contact button
	District      string
	Org           string
	Post          string
	Education     string
	StartYear     int
	Status        Status
	// StatusReason is why the profile was rejected or left; "roster" when it
	// was approved because its phone is on the district's roster.
	StatusReason string
	StatusAt     time.Time // when Status last changed
	LeftOn       time.Time // the departure date, only while Status is left
	Blocked      bool      // the user has blocked the bot
	// Role and CoordDistrict are the user's role (admins from the
	// configuration included) and, for a coordinator, their district.
	Role          Role
	CoordDistrict string
	// MovedFrom is set on the profiles Approve and roster imports return
	// when the approval is a re-approval: the profile had been approved,
	// then moved district and went back to pending. It is the district it
	// moved from ("" for a first approval).
	MovedFrom string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TelegramUser is what the bot knows of the sender of an update.
type TelegramUser struct {
	ID        int64
	Username  string
	FirstName string
	LastName  string
	Language  string
}

// Registration is what a new user entered, step by step.
type Registration struct {
	UserID int64
	Name   string
	Phone  string
	// PhoneVerified is true when the phone came from Telegram's share-contact
	// button and the contact's user id is the sender's own. Only a verified
	// phone is approved at once by the roster.
	PhoneVerified bool
	District      string
	Org           string
	Post          string
	Education     string
	StartYear     int
}

// HistoryKind is the kind of a status change in a profile's history.
type HistoryKind string

const (
	HistoryJoined   HistoryKind = "joined"
	HistoryApproved HistoryKind = "approved"
	HistoryRejected HistoryKind = "rejected"
	HistoryMoved    HistoryKind = "moved"    // moved district
	HistoryPending  HistoryKind = "pending"  // back to pending after a move
	HistoryLeft     HistoryKind = "left"     // 退出
	HistoryReturned HistoryKind = "returned" // back after leaving
	HistoryDeleted  HistoryKind = "deleted"  // erased on request
)

// HistoryEntry is one status change of a profile.
type HistoryEntry struct {
	ID           int64
	MemberID     int64
	At           time.Time
	Kind         HistoryKind
	Actor        int64 // user id of who did it; 0 for the member or the system
	FromDistrict string
	ToDistrict   string
	On           time.Time // the departure date, for HistoryLeft
	Reason       string
}

// ReasonRoster is the reason of an approval made because the phone number is
// on the district's roster.
const ReasonRoster = "roster"

// AuditAction is what an audit entry records.
type AuditAction string

const (
	AuditGranted       AuditAction = "granted"
	AuditRevoked       AuditAction = "revoked"
	AuditInviteCreated AuditAction = "invite_created"
	AuditApproved      AuditAction = "approved"
	AuditRejected      AuditAction = "rejected"
	AuditLeft          AuditAction = "left"
	AuditReturned      AuditAction = "returned"
	AuditRosterImport  AuditAction = "roster_imported"
	AuditErased        AuditAction = "erased"
)

// AuditEntry is one line of the audit log: who did what to whom, when, why.
// The log keeps ids only; names are looked up when it is read, so an erased
// person's name is gone from it too.
type AuditEntry struct {
	ID           int64
	At           time.Time
	Actor        int64 // 0: the system (roster), or an erased user
	Action       AuditAction
	TargetUser   int64 // for grants and revocations; 0 if none or erased
	TargetMember int64 // for approvals, rejections, departures; 0 if none
	District     string
	Reason       string
	// ActorErased and TargetErased stand in for the ids of an actor or a
	// target user who has since erased their data: the number of that
	// erasure (1 for the first person erased, and so on), the same on every
	// entry of that person, so the log still shows that one erased account
	// did these things without saying who. 0 for everyone else.
	ActorErased  int64
	TargetErased int64
	// Filled when read: the current names of actor and target ("" if unknown
	// or erased), and whether the target user has never opened the bot (a
	// grant waiting for them to).
	ActorName    string
	TargetName   string
	TargetUnseen bool
}

// Coordinator is a user's coordinator grant.
type Coordinator struct {
	UserID    int64
	District  string // "" = city-wide
	GrantedBy int64  // 0 if the granting admin was erased
	GrantedAt time.Time
	// Filled when read: the coordinator's profile name and Telegram username
	// when known, and whether they have opened the bot: a grant to someone
	// who never did waits for them to (it applies, but nobody could tell them).
	Name     string
	Username string
	Opened   bool
}

// Invite is a one-time invitation to become a coordinator.
type Invite struct {
	ID        int64
	Code      string // the deep-link payload; only set by CreateInvite
	District  string // "" = city-wide
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedBy    int64
	UsedAt    time.Time
}

// RosterEntry is one person on a district's roster, as the store keeps it:
// one entry per phone and district.
type RosterEntry struct {
	Phone      string
	Name       string
	District   string
	Org        string
	Post       string
	ImportedBy int64
	ImportedAt time.Time
	UpdatedAt  time.Time
}
